"""What a policy document effectively allows: its Allow statements, less what its Denies take back.

An explicit Deny wins over any Allow (IAM User Guide, "Policy evaluation logic"), so an Allow of
`iam:PassRole` on `*` beside a Deny of `iam:PassRole` on `*` grants nothing, and a rule must not
refuse it. A Deny takes an (action, resource) pair back when one of its Action patterns covers the
action (or none of its NotAction patterns can match it) and one of its Resource patterns covers
the resource (or none of its NotResource patterns can match it). A Deny with a Condition takes
nothing back for certain (it applies only when the condition holds), nor does one with unknown
elements. Only the Denies of the same document count: the rules see one document at a time.

NotAction in an Allow grants every action it does not name, including ones AWS adds later:
`grants(statement, action)` answers for one action, so the escalation and PassRole rules see
`iam:PutRolePolicy` in `"NotAction": ["iam:Create*"]`.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .documents import Statement, action_matches, parse, wildcard_regex
from .patterns import covers, overlaps


def _strings(values: list) -> list | None:
    """The values when all are known strings, else None (the element cannot be judged)."""
    return values if all(isinstance(v, str) for v in values) else None


@dataclass
class Document:
    statements: list
    denies: list = field(default_factory=list)

    @classmethod
    def of(cls, document) -> "Document":
        if isinstance(document, str):
            return _of_text(document)  # the same JSON is judged by several rules
        return cls._build(document)

    @classmethod
    def _build(cls, document) -> "Document":
        statements = parse(document)
        denies = [
            s
            for s in statements
            if s.denies
            and not s.condition
            and _strings(s.actions + s.not_actions) is not None
            and _strings(s.resources + s.not_resources) is not None
        ]
        return cls(statements, denies)

    def __post_init__(self):
        # One regular expression per NotAction Deny (permissions boundaries list hundreds),
        # built when first needed.
        self._spares: dict = {}

    @property
    def allows(self) -> list:
        return [s for s in self.statements if s.allows]

    def taken_back(self, action: str, resource: str) -> Statement | None:
        """The Deny that takes back `action` on `resource` (both may be patterns), if any."""
        if not isinstance(action, str) or not isinstance(resource, str):
            return None
        for deny in self.denies:
            if self._action_denied(deny, action) and _resource_denied(deny, resource):
                return deny
        return None

    def _action_denied(self, deny: Statement, action: str) -> bool:
        if not deny.has_not_action:
            return any(covers(p, action, ignore_case=True) for p in deny.actions)
        if "*" not in action and "?" not in action:  # one action: named by the list or not
            spares = self._spares.get(id(deny))
            if spares is None:
                spares = self._spares[id(deny)] = _alternation(deny.not_actions)
            return spares.fullmatch(action) is None
        return not any(overlaps(p, action, ignore_case=True) for p in deny.not_actions)

    def open_resources(self, action: str, resources: list) -> list:
        """Those of `resources` on which `action` stays allowed."""
        return [r for r in resources if not self.taken_back(action, r)]


@lru_cache(maxsize=4096)
def _of_text(text: str) -> "Document":
    return Document._build(text)


def _alternation(patterns: list) -> re.Pattern:
    """One case-insensitive regular expression matching what any of the patterns matches."""
    return re.compile(
        "|".join(f"(?:{wildcard_regex(p).pattern})" for p in patterns), re.IGNORECASE | re.DOTALL
    )


def _resource_denied(deny: Statement, resource: str) -> bool:
    if deny.has_not_resource:
        return not any(overlaps(p, resource) for p in deny.not_resources)
    return any(covers(p, resource) for p in deny.resources)


def resource_values(statement: Statement) -> list:
    """The resources an Allow applies to, with NotResource standing for "*" (all but a few)."""
    return ["*"] if statement.has_not_resource else statement.resources


@lru_cache(maxsize=64)
def _by_service(actions: tuple) -> dict:
    """`actions` grouped by their service prefix, lowercased."""
    grouped: dict = {}
    for action in actions:
        grouped.setdefault(action.split(":", 1)[0].lower(), []).append(action)
    return grouped


@lru_cache(maxsize=65536)
def matched_among(pattern: str, actions: tuple) -> tuple:
    """Those of `actions` the Action value `pattern` matches (cached: rules ask for the same
    patterns across a stack's documents). Only the pattern's own service is searched when it
    names one, as "ec2:Describe*" does."""
    service = pattern.split(":", 1)[0].lower() if ":" in pattern else ""
    if service and "*" not in service and "?" not in service:
        candidates = _by_service(actions).get(service, ())
    else:
        candidates = actions
    return tuple(a for a in candidates if action_matches(pattern, a))


@lru_cache(maxsize=16384)
def spared_by(not_actions: tuple, actions: tuple) -> tuple:
    """Those of `actions` a NotAction list does not name, so its Allow grants them."""
    return tuple(a for a in actions if not any(action_matches(p, a) for p in not_actions))


def granted_among(statement: Statement, actions: tuple) -> dict:
    """{action: [the Action values granting it]} for those of `actions` the Allow grants,
    NotAction shown as such; none when an element is unknown."""
    if statement.has_not_action:
        names = _strings(statement.not_actions)
        if names is None:
            return {}
        shown = f"NotAction {statement.not_actions}"
        return {a: [shown] for a in spared_by(tuple(names), actions)}
    granted: dict = {}
    for element in statement.known_actions:
        for action in matched_among(element, actions):
            granted.setdefault(action, []).append(element)
    return granted


def grants(statement: Statement, action: str) -> bool:
    """The Allow statement grants `action` (one action, no pattern), NotAction included;
    False when that cannot be known (an unknown element)."""
    if statement.has_not_action:
        names = _strings(statement.not_actions)
        return names is not None and not any(action_matches(p, action) for p in names)
    return any(action_matches(a, action) for a in statement.known_actions)


def granting_elements(statement: Statement, action: str) -> list:
    """The Action values through which the statement grants `action`, for messages:
    its matching patterns, or its NotAction shown as such."""
    if statement.has_not_action:
        return [f"NotAction {statement.not_actions}"] if grants(statement, action) else []
    return [a for a in statement.known_actions if action_matches(a, action)]
