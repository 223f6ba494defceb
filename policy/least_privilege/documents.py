"""IAM policy documents in every shape Pulumi programs write them.

A document may be a JSON string or a dict; Statement a list or a single object; Action, Resource
and the like a string or a list. parse() reduces all of them to a list of Statement values and
never raises: an unknown document (during preview) or one that is not JSON yields no statements,
and unknown elements inside a known document stay UNKNOWN for the rules to skip.
"""

import json
from dataclasses import dataclass
from fnmatch import fnmatchcase
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
    def known_actions(self) -> list:
        return [a for a in self.actions if isinstance(a, str)]

    @property
    def on_any_resource(self) -> bool:
        """Resource "*" (or NotResource, which allows everything it does not name)."""
        return self.has_not_resource or any(r == "*" for r in self.resources)


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


def action_matches(pattern: str, action: str) -> bool:
    """IAM matching of an Action element (may hold * and ?) against an action, ignoring case."""
    return fnmatchcase(action.lower(), pattern.lower())


def is_full_wildcard_action(action: str) -> bool:
    """`*` or `service:*` (any case): every action, or every action of a service."""
    return action == "*" or (action.count(":") == 1 and action.split(":", 1)[1] == "*")


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
    """Principal "*" or {"AWS": "*"} (alone or in a list): anyone, in any account, or anonymous."""
    if principal == "*":
        return True
    return isinstance(principal, dict) and "*" in principal_values(principal, "AWS")
