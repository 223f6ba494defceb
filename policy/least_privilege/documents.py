"""IAM policy documents in every shape Pulumi programs write them.

A document may be a JSON string or a dict; Statement a list or a single object; Action, Resource
and the like a string or a list. parse() reduces all of them to a list of Statement values and
never raises: an unknown document (during preview) or one that is not JSON yields no statements,
and unknown elements inside a known document stay UNKNOWN for the rules to skip.
"""

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .props import UNKNOWN, as_list, is_unknown


@dataclass(frozen=True)
class Statement:
    index: int  # position in the document, for messages when there is no Sid
    sid: Any
    effect: Any
    actions: list
    not_actions: list
    resources: list
    not_resources: list
    principal: Any
    not_principal: Any
    condition: Any
    has_not_action: bool
    has_not_resource: bool

    @property
    def label(self) -> str:
        return (
            f"statement {self.sid!r}"
            if isinstance(self.sid, str) and self.sid
            else (f"statement #{self.index + 1}")
        )

    @property
    def allows(self) -> bool:
        return isinstance(self.effect, str) and self.effect.lower() == "allow"

    @property
    def denies(self) -> bool:
        return isinstance(self.effect, str) and self.effect.lower() == "deny"

    @property
    def known_actions(self) -> list:
        return [a for a in self.actions if isinstance(a, str)]

    @property
    def on_any_resource(self) -> bool:
        """Every resource: "*" or a pattern covering a whole service (see covers_any_resource),
        or NotResource, which allows everything it does not name."""
        return self.has_not_resource or any(covers_any_resource(r) for r in self.resources)

    @property
    def any_resource_pattern(self) -> str | None:
        """The first Resource value covering every resource, for messages."""
        return next((r for r in self.resources if covers_any_resource(r)), None)


def load(document: Any) -> Any:
    """The document as a dict, UNKNOWN, or None when it is missing or not a JSON object."""
    if is_unknown(document):
        return UNKNOWN
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return None
    return document if isinstance(document, dict) else None


def parse(document: Any) -> list:
    """Every statement of `document`; [] when it is unknown, missing or malformed."""
    loaded = load(document)
    if not isinstance(loaded, dict):
        return []
    raw = loaded.get("Statement")
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        return []
    statements = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            continue
        statements.append(
            Statement(
                index=index,
                sid=item.get("Sid"),
                effect=item.get("Effect"),
                actions=_elements(item.get("Action")),
                not_actions=_elements(item.get("NotAction")),
                resources=_elements(item.get("Resource")),
                not_resources=_elements(item.get("NotResource")),
                principal=item.get("Principal"),
                not_principal=item.get("NotPrincipal"),
                condition=item.get("Condition"),
                has_not_action="NotAction" in item,
                has_not_resource="NotResource" in item,
            )
        )
    return statements


def _elements(value: Any) -> list:
    if is_unknown(value):
        return [UNKNOWN]
    return as_list(value)


@lru_cache(maxsize=16384)
def wildcard_regex(pattern: str, ignore_case: bool = True) -> re.Pattern:
    """An IAM pattern as a regular expression: `*` any run, `?` one character, nothing else
    special (unlike fnmatch, `[` is a plain character)."""
    body = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(body, (re.IGNORECASE | re.DOTALL) if ignore_case else re.DOTALL)


def action_matches(pattern: str, action: str) -> bool:
    """IAM matching of an Action element (may hold * and ?) against an action, ignoring case."""
    if "*" not in pattern and "?" not in pattern:
        return pattern.lower() == action.lower()
    return wildcard_regex(pattern).fullmatch(action) is not None


_ONLY_WILDCARDS = re.compile(r"[*?]*\*[*?]*")
ARN = re.compile(r"^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)$")


def is_full_wildcard_action(action: str) -> bool:
    """`*`, `service:*` (any case) or the like (`s3:**`): every action of a service, or of all."""
    return bool(_ONLY_WILDCARDS.fullmatch(action.rpartition(":")[2]))


def has_wildcard(value: Any) -> bool:
    return isinstance(value, str) and ("*" in value or "?" in value)


def covers_any_resource(resource: Any, account_bound: bool = False) -> bool:
    """ "*", or an ARN pattern naming every resource of a service: `arn:aws:s3:::*`,
    `arn:aws:logs:*:*:*`, `arn:aws:dynamodb:*:*:table/*` (any account); or a pattern that turns
    into a wildcard before it names a resource (`**`, `arn:*`, `arn:aws:s3:*`).

    A wildcard partition is not one: a policy only ever applies in the partition it lives in,
    so `arn:*:logs:us-east-1:123456789012:log-group:/app/*` names that account's /app groups,
    as AWS managed policies write it to work in every partition. `account_bound`: a condition
    names the resource's account (aws:ResourceAccount), as if the ARN did: `table/*` of any
    account is then one account's tables, while `*` stays every resource."""
    if not isinstance(resource, str):
        return False
    if resource == "*":
        return True
    match = ARN.match(resource)
    if not match:
        return _stops_at_a_wildcard(resource)
    _partition, service, _region, account, name = match.groups()
    if has_wildcard(service) or _ONLY_WILDCARDS.fullmatch(name):
        return True
    if service == "s3":  # arn:aws:s3:::bucket/key - every bucket when the bucket is a wildcard
        return bool(_ONLY_WILDCARDS.fullmatch(name.split("/", 1)[0]))
    after_type = re.split(r"[/:]", name, maxsplit=1)[-1]  # "table/*" -> "*"
    any_account = account in ("*", "") and not account_bound
    return any_account and bool(_ONLY_WILDCARDS.fullmatch(after_type))


def _stops_at_a_wildcard(pattern: str) -> bool:
    """A pattern that is not a whole ARN and matches every ARN from where its first wildcard
    starts: nothing literal after it, and that wildcard before the resource part."""
    first = min((pattern.find(ch) for ch in "*?" if ch in pattern), default=-1)
    if first < 0 or not _ONLY_WILDCARDS.fullmatch(pattern[first:]):
        return False
    prefix = pattern[:first]
    return "arn:".startswith(prefix) or (prefix.startswith("arn:") and prefix.count(":") < 5)


def principal_values(principal: Any, kind: str | None = None) -> list:
    """The identifiers of a Principal element ("*" or {"AWS": [...], "Service": ...})."""
    if principal == "*":
        return ["*"]
    if isinstance(principal, dict):
        kinds = [kind] if kind else list(principal)
        values = []
        for name in kinds:
            values.extend(as_list(principal.get(name)))
        return values
    return []


def allows_everyone(principal: Any) -> bool:
    """Principal "*", or a "*" (alone, in a list, or inside an ARN such as
    arn:aws:iam::*:root) for AWS or CanonicalUser principals: anyone, in any account."""
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    values = principal_values(principal, "AWS") + principal_values(principal, "CanonicalUser")
    return any(has_wildcard(v) for v in values)
