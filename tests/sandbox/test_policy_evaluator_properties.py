"""tools/sandbox/policy_evaluator.py: invariants of the evaluation over generated policies and
requests (IAM User Guide, "Policy evaluation logic"; "IAM JSON policy elements: NotAction",
"NotResource"; "IAM JSON policy elements: Action" and "Condition" for the case rules).

Small universes of actions, ARNs and condition keys, so that generated patterns often match the
generated request. Reproducible: derandomized, no example database, 300 examples per property."""

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tools.sandbox.policy_evaluator import (
    EXPLICIT_DENY,
    PolicyError,
    Principal,
    Request,
    evaluate,
    validate_policy,
)

PROPERTY = settings(
    max_examples=300,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

ACCOUNT = "123456789012"
ROLE = Principal(
    "AWS",
    f"arn:aws:sts::{ACCOUNT}:assumed-role/role/function",
    role_arn=f"arn:aws:iam::{ACCOUNT}:role/role",
    account=ACCOUNT,
)
ACTIONS = {
    "s3": ["GetObject", "GetObjectTagging", "PutObject", "ListBucket"],
    "dynamodb": ["GetItem", "PutItem", "Query"],
}
TABLE = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/"
ARNS = [
    "arn:aws:s3:::uploads",
    "arn:aws:s3:::uploads/a.json",
    "arn:aws:s3:::uploads/A.json",
    "arn:aws:s3:::Uploads/a.json",
    "arn:aws:s3:::logs/a.json",
    f"{TABLE}orders",
    f"{TABLE}Orders",
    f"{TABLE}orders/index/by-day",
]
RESOURCES = [*ARNS, "*"]  # "*": an action without resource types
KEYS = ["aws:RequestedRegion", "aws:PrincipalTag/team", "aws:TagKeys", "dynamodb:LeadingKeys"]
VALUES = ["us-east-1", "eu-west-1", "team", "alice", "bob"]
OPERATORS = [
    "StringEquals",
    "StringNotEquals",
    "StringLike",
    "StringEqualsIfExists",
    "ForAnyValue:StringEquals",
    "ForAllValues:StringEquals",
    "ForAllValues:StringNotEquals",
    "ForAnyValue:StringLike",
]


def _upper_prefix(text: str) -> str:
    service, colon, rest = text.partition(":")
    return service.upper() + colon + rest


CASINGS = [str.lower, str.upper, str.swapcase, _upper_prefix, lambda text: text]


# --- strategies ---------------------------------------------------------------------------------
@st.composite
def action_patterns(draw) -> str:
    service = draw(st.sampled_from(sorted(ACTIONS)))
    name = draw(st.sampled_from(ACTIONS[service]))
    cut = draw(st.integers(0, len(name) - 1))
    position = draw(st.integers(0, len(name) - 1))
    pattern = draw(
        st.sampled_from(
            [
                "*",
                f"{service}:*",
                f"{service}:{name}",
                f"{service}:{name[:cut]}*",
                f"{service}:{name[:position]}?{name[position + 1 :]}",
            ]
        )
    )
    return draw(st.sampled_from(CASINGS))(pattern)


def _resource_start(arn: str) -> int:
    return len(":".join(arn.split(":")[:5])) + 1


def _type_end(arn: str) -> int | None:
    """Where the resource type of a DynamoDB ARN ends (its "/"); None for S3 (no type part)."""
    if ":dynamodb:" not in arn:
        return None
    return arn.index("/", _resource_start(arn))


@st.composite
def resource_patterns(draw, type_wildcard: bool = False) -> str:
    """A Resource pattern: "*", an ARN, or an ARN with a "*" or "?" wildcard, which is inside the
    resource type (of a DynamoDB table) exactly when `type_wildcard`."""
    if type_wildcard:
        arn = draw(st.sampled_from([a for a in ARNS if _type_end(a) is not None]))
        start, end = _resource_start(arn), _type_end(arn)
        if draw(st.booleans()):  # "t*", "tab*", "table*"
            return arn[: draw(st.integers(start + 1, end))] + "*"
        position = draw(st.integers(start, end - 1))  # "?able/", "ta?le/"
        return arn[:position] + "?" + arn[position + 1 :]
    arn = draw(st.sampled_from(ARNS))
    start, end = _resource_start(arn), _type_end(arn)

    def valid(position: int) -> bool:  # a wildcard here is not inside the type
        return end is None or not start <= position < end

    # after "arn:" (a Resource is "*" or an ARN), never on a ":" nor on the type's "/"
    cuts = [p for p in range(4, len(arn) + 1) if p == start or valid(p - 1) and p != end]
    singles = [p for p in range(4, len(arn)) if valid(p) and arn[p] != ":" and p != end]
    cut, single = draw(st.sampled_from(cuts)), draw(st.sampled_from(singles))
    return draw(
        st.sampled_from(
            ["*", arn, arn[:cut] + "*", arn[:single] + "?" + arn[single + 1 :], "arn:aws:*"]
        )
    )


@st.composite
def conditions(draw) -> dict:
    operator = draw(st.sampled_from(OPERATORS))
    key = draw(st.sampled_from(KEYS))
    values = draw(st.lists(st.sampled_from(VALUES), min_size=1, max_size=2))
    return {operator: {key: values}}


@st.composite
def statements(draw, effect=None, type_wildcards: bool = True) -> dict:
    statement = {"Effect": effect or draw(st.sampled_from(["Allow", "Deny"]))}
    actions = draw(st.lists(action_patterns(), min_size=1, max_size=2))
    statement["NotAction" if draw(st.booleans()) else "Action"] = actions
    resource = resource_patterns(type_wildcard=type_wildcards and draw(st.integers(0, 9)) == 0)
    resources = draw(st.lists(resource, min_size=1, max_size=2))
    statement["NotResource" if draw(st.integers(0, 3)) == 0 else "Resource"] = resources
    if draw(st.booleans()):
        statement["Condition"] = draw(conditions())
    return statement


@st.composite
def requests(draw) -> Request:
    service = draw(st.sampled_from(sorted(ACTIONS)))
    action = f"{service}:{draw(st.sampled_from(ACTIONS[service]))}"
    context = draw(
        st.dictionaries(
            st.sampled_from(KEYS),
            st.one_of(
                st.sampled_from(VALUES), st.lists(st.sampled_from(VALUES), min_size=0, max_size=3)
            ),
            max_size=3,
        )
    )
    return Request(action, draw(st.sampled_from(RESOURCES)), ROLE, context)


def decide(request: Request, *statements: dict, split: bool = False):
    documents = [{"Version": "2012-10-17", "Statement": [s]} for s in statements]
    if split:
        identity = {f"p{index}": document for index, document in enumerate(documents)}
    else:
        identity = {"one": {"Version": "2012-10-17", "Statement": list(statements)}}
    return evaluate(request, identity if statements else {})


# --- an explicit Deny wins; the decision is made of the statements' own verdicts -----------------
@PROPERTY
@given(st.lists(statements(), min_size=1, max_size=5), requests())
def test_the_decision_is_an_explicit_deny_else_an_allow_else_an_implicit_deny(statements, request):
    alone = [decide(request, statement) for statement in statements]
    denied = any(d.reason == EXPLICIT_DENY for d in alone)
    decision = decide(request, *statements)
    assert (decision.reason == EXPLICIT_DENY) is denied
    assert decision.allowed is (not denied and any(d.allowed for d in alone))
    # one policy or one policy per statement: the same decision, the same deciding statements
    split = decide(request, *statements, split=True)
    assert (split.allowed, split.reason) == (decision.allowed, decision.reason)
    assert [r.index for r in decision.deciding] == [int(r.policy[1:]) for r in split.deciding]


@PROPERTY
@given(st.lists(statements(), max_size=4), statements(effect="Deny"), requests())
def test_a_matching_deny_wins_wherever_it_is(others, deny, request):
    if decide(request, deny).reason != EXPLICIT_DENY:
        return
    for ordered in ([*others, deny], [deny, *others]):
        decision = decide(request, *ordered)
        assert not decision.allowed and decision.reason == EXPLICIT_DENY


@PROPERTY
@given(st.lists(statements(), max_size=4), statements(effect="Allow"), requests())
def test_adding_an_allow_never_takes_an_allow_back_nor_overrides_a_deny(statements, extra, request):
    before = decide(request, *statements)
    after = decide(request, *statements, extra)
    if before.allowed:
        assert after.allowed
    if before.reason == EXPLICIT_DENY:
        assert after.reason == EXPLICIT_DENY and not after.allowed


# --- NotAction and NotResource are the complements of Action and Resource ----------------------
@PROPERTY
@given(action_patterns(), requests())
def test_a_request_matches_exactly_one_of_action_and_not_action(pattern, request):
    positive = decide(request, {"Effect": "Allow", "Action": pattern, "Resource": "*"})
    negative = decide(request, {"Effect": "Allow", "NotAction": pattern, "Resource": "*"})
    assert positive.allowed != negative.allowed


@PROPERTY
@given(resource_patterns(), requests())
def test_a_request_matches_exactly_one_of_resource_and_not_resource(pattern, request):
    positive = decide(request, {"Effect": "Allow", "Action": "*", "Resource": pattern})
    negative = decide(request, {"Effect": "Allow", "Action": "*", "NotResource": pattern})
    assert positive.allowed != negative.allowed


@PROPERTY
@given(resource_patterns(type_wildcard=True), requests())
def test_a_wildcard_in_a_resource_type_applies_neither_way_and_is_refused(pattern, request):
    positive = {"Effect": "Allow", "Action": "*", "Resource": pattern}
    negative = {"Effect": "Allow", "Action": "*", "NotResource": pattern}
    assert not decide(request, positive).allowed
    assert not decide(request, negative).allowed
    for statement in (positive, negative):
        try:
            validate_policy("p", {"Version": "2012-10-17", "Statement": [statement]})
        except PolicyError as error:
            assert repr(pattern) in str(error)
        else:
            raise AssertionError(f"{pattern} was not refused")


# --- case rules -------------------------------------------------------------------------------------
def _recased_actions(statement: dict, casing) -> dict:
    element = "Action" if "Action" in statement else "NotAction"
    return {**statement, element: [casing(action) for action in statement[element]]}


@PROPERTY
@given(
    st.lists(statements(), min_size=1, max_size=4),
    requests(),
    st.sampled_from(CASINGS),
    st.sampled_from(CASINGS),
)
def test_action_names_and_service_prefixes_compare_case_insensitively(
    statements, request, in_policy, in_request
):
    decision = decide(request, *statements)
    recased = [_recased_actions(s, in_policy) for s in statements]
    other = decide(replace(request, action=in_request(request.action)), *recased)
    assert (other.allowed, other.reason) == (decision.allowed, decision.reason)


def _recased_keys(statement: dict, casing) -> dict:
    if "Condition" not in statement:
        return statement
    condition = {
        operator: {casing(key): values for key, values in keys.items()}
        for operator, keys in statement["Condition"].items()
    }
    return {**statement, "Condition": condition}


@PROPERTY
@given(
    st.lists(statements(), min_size=1, max_size=4),
    requests(),
    st.sampled_from(CASINGS),
    st.sampled_from(CASINGS),
)
def test_condition_key_names_compare_case_insensitively(statements, request, in_policy, in_request):
    decision = decide(request, *statements)
    recased = [_recased_keys(s, in_policy) for s in statements]
    context = {in_request(key): value for key, value in request.context.items()}
    other = decide(replace(request, context=context), *recased)
    assert (other.allowed, other.reason) == (decision.allowed, decision.reason)


@PROPERTY
@given(st.sampled_from(ARNS), st.data())
def test_the_resource_part_of_an_arn_compares_case_sensitively(arn, data):
    start = _resource_start(arn)
    letters = [p for p in range(start, len(arn)) if arn[p].isalpha()]
    position = data.draw(st.sampled_from(letters))
    other = arn[:position] + arn[position].swapcase() + arn[position + 1 :]
    statement = {"Effect": "Allow", "Action": "*", "Resource": arn}
    assert decide(Request("s3:GetObject", arn, ROLE), statement).allowed
    assert not decide(Request("s3:GetObject", other, ROLE), statement).allowed
    # and the other way round: a pattern differing in case covers the resource it names only
    swapped = {"Effect": "Allow", "Action": "*", "Resource": other}
    assert not decide(Request("s3:GetObject", arn, ROLE), swapped).allowed
