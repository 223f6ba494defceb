"""tools/sandbox/policy_evaluator.py: IAM's request evaluation within one account, both sides of
each rule: what a rule allows or denies, and the neighbouring case it must leave alone."""

import json

import pytest

from tools.sandbox.policy_evaluator import (
    ALLOWED,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    PolicyError,
    Principal,
    Request,
    StatementRef,
    evaluate,
    matches_action,
    matches_resource,
)

ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/pipelines/copy-role"  # a role with a path
SESSION_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/copy-role/copy-function"
ROLE = Principal("AWS", SESSION_ARN, role_arn=ROLE_ARN, account=ACCOUNT)
OTHER_ROLE = Principal(
    "AWS",
    f"arn:aws:sts::{ACCOUNT}:assumed-role/other-role/other-function",
    role_arn=f"arn:aws:iam::{ACCOUNT}:role/other-role",
    account=ACCOUNT,
)
OTHER_ACCOUNT_ROLE = Principal(
    "AWS",
    "arn:aws:sts::999999999999:assumed-role/copy-role/copy-function",
    role_arn="arn:aws:iam::999999999999:role/copy-role",
)
S3_SERVICE = Principal("Service", "s3.amazonaws.com")
BUCKET = "arn:aws:s3:::uploads"
OBJECT = "arn:aws:s3:::uploads/UsersIds/a.json"
FUNCTION = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:copy"


def policy(*statements, version="2012-10-17"):
    document = {"Statement": list(statements)}
    if version:
        document["Version"] = version
    return document


def allow(action="*", resource="*", **elements):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **elements}


def deny(action="*", resource="*", **elements):
    return {"Effect": "Deny", "Action": action, "Resource": resource, **elements}


def decide(action, resource, *statements, principal=ROLE, context=None, resource_policy=None):
    """`statements` form one identity policy named "ids"."""
    identity = {"ids": policy(*statements)} if statements else {}
    request = Request(action, resource, principal, context or {})
    return evaluate(request, identity, resource_policy, resource_policy_name="bucket policy")


def allowed(*args, **kwargs) -> bool:
    return decide(*args, **kwargs).allowed


def holds(condition, context=None, version="2012-10-17") -> bool:
    """Whether a Condition block holds: an Allow for everything under it decides."""
    identity = {"ids": policy(allow(Condition=condition), version=version)}
    return evaluate(Request("s3:GetObject", OBJECT, ROLE, context or {}), identity).allowed


# --- the decision ------------------------------------------------------------------------------
def test_nothing_allowing_is_an_implicit_deny():
    for decision in (
        decide("s3:GetObject", OBJECT),
        decide("s3:GetObject", OBJECT, allow("s3:PutObject", OBJECT)),
    ):
        assert not decision.allowed
        assert decision.reason == IMPLICIT_DENY
        assert decision.deciding == ()


def test_an_identity_allow_allows_and_is_named():
    decision = decide("s3:GetObject", OBJECT, allow("s3:GetObject", OBJECT, Sid="ReadObjects"))
    assert decision.allowed
    assert decision.reason == ALLOWED
    assert decision.deciding == (StatementRef("ids", 0, "ReadObjects", "Allow"),)
    assert decision.deciding[0].label == "ids/ReadObjects"


def test_a_statement_without_sid_is_labelled_by_its_position():
    decision = decide("s3:GetObject", OBJECT, allow("s3:PutObject"), allow("s3:GetObject"))
    assert [ref.label for ref in decision.deciding] == ["ids/#1"]


def test_every_matching_allow_is_named_identity_first():
    bucket_policy = policy({**allow("s3:*", OBJECT), "Principal": {"AWS": ROLE_ARN}, "Sid": "Role"})
    decision = decide(
        "s3:GetObject",
        OBJECT,
        allow("s3:Get*", Sid="Get"),
        allow("s3:PutObject", Sid="Put"),
        allow("*", Sid="All"),
        resource_policy=bucket_policy,
    )
    assert [ref.label for ref in decision.deciding] == ["ids/Get", "ids/All", "bucket policy/Role"]


def test_several_identity_policies_are_all_consulted():
    identity = {"read": policy(allow("s3:GetObject")), "write": policy(allow("s3:PutObject"))}
    assert evaluate(Request("s3:PutObject", OBJECT, ROLE), identity).deciding[0].policy == "write"
    assert not evaluate(Request("s3:DeleteObject", OBJECT, ROLE), identity).allowed


def test_an_identity_deny_beats_an_allow():
    decision = decide(
        "s3:DeleteObject", OBJECT, allow("s3:*"), deny("s3:Delete*", OBJECT, Sid="NoDeletes")
    )
    assert not decision.allowed
    assert decision.reason == EXPLICIT_DENY
    assert [ref.label for ref in decision.deciding] == ["ids/NoDeletes"]
    assert allowed("s3:GetObject", OBJECT, allow("s3:*"), deny("s3:Delete*", OBJECT))


def test_a_resource_policy_deny_beats_an_identity_allow():
    bucket_policy = policy({**deny("s3:PutObject", f"{BUCKET}/*"), "Principal": "*"})
    decision = decide("s3:PutObject", OBJECT, allow("s3:*"), resource_policy=bucket_policy)
    assert decision.reason == EXPLICIT_DENY
    assert [ref.label for ref in decision.deciding] == ["bucket policy/#0"]
    assert allowed("s3:GetObject", OBJECT, allow("s3:*"), resource_policy=bucket_policy)


def test_a_resource_policy_deny_beats_its_own_allow():
    bucket_policy = policy(
        {**allow("s3:*", f"{BUCKET}/*"), "Principal": {"AWS": ROLE_ARN}},
        {**deny("s3:DeleteObject", f"{BUCKET}/*"), "Principal": "*"},
    )
    assert not allowed("s3:DeleteObject", OBJECT, resource_policy=bucket_policy)
    assert allowed("s3:GetObject", OBJECT, resource_policy=bucket_policy)


def test_documents_may_be_json_text_with_a_single_statement_object():
    text = json.dumps({"Version": "2012-10-17", "Statement": allow("s3:GetObject")})
    assert evaluate(Request("s3:GetObject", OBJECT, ROLE), {"ids": text}).allowed
    assert not evaluate(Request("s3:PutObject", OBJECT, ROLE), {"ids": text}).allowed


# --- actions -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "pattern, action, expected",
    [
        ("s3:GetObject", "s3:GetObject", True),
        ("s3:GetObject", "s3:GetObjectTagging", False),
        ("s3:Get*", "s3:GetObject", True),
        ("s3:Get*", "s3:PutObject", False),
        ("s3:Get*", "s3express:GetObject", False),  # the service prefix is not a prefix match
        ("s3:*", "s3express:CreateSession", False),
        ("S3:getobject", "s3:GetObject", True),  # actions are case-insensitive
        ("s3:GetObject", "S3:GETOBJECT", True),
        ("s3:GetObjec?", "s3:GetObject", True),
        ("s3:GetObjec?", "s3:GetObjectAcl", False),  # "?" is exactly one character
        ("*", "sqs:SendMessage", True),
        ("dynamodb:*Item", "dynamodb:PutItem", True),
        ("dynamodb:*Item", "dynamodb:PutItems", False),
    ],
)
def test_action_patterns(pattern, action, expected):
    assert matches_action(pattern, action) is expected


def test_not_action_applies_to_every_other_action():
    everything_but_iam = {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
    assert allowed("s3:GetObject", OBJECT, everything_but_iam)
    assert not allowed("iam:CreateUser", "*", everything_but_iam)


def test_a_deny_with_not_action_denies_all_but_the_listed_actions():
    only_reads = {"Effect": "Deny", "NotAction": ["s3:Get*", "s3:List*"], "Resource": "*"}
    assert allowed("s3:ListBucket", BUCKET, allow("s3:*"), only_reads)
    assert decide("s3:PutObject", OBJECT, allow("s3:*"), only_reads).reason == EXPLICIT_DENY


# --- resources ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "pattern, resource, expected",
    [
        ("arn:aws:s3:::uploads/UsersIds/*", "arn:aws:s3:::uploads/UsersIds/a.json", True),
        ("arn:aws:s3:::uploads/UsersIds/*", "arn:aws:s3:::uploads/UsersIds/deep/b.json", True),
        ("arn:aws:s3:::uploads/UsersIds/*", "arn:aws:s3:::uploads/Other/a.json", False),
        ("arn:aws:s3:::uploads/UsersIds/*", "arn:aws:s3:::uploads2/UsersIds/x", False),
        ("arn:aws:s3:::uploads/UsersIds/*", "arn:aws:s3:::uploads/usersids/a.json", False),
        ("arn:aws:s3:::uploads/*", "arn:aws:s3:::uploads", False),  # objects, not the bucket
        ("arn:aws:s3:::uploads*", "arn:aws:s3:::uploads-archive", True),
        ("arn:aws:s3:::uploads/?.json", "arn:aws:s3:::uploads/a.json", True),
        ("arn:aws:s3:::uploads/?.json", "arn:aws:s3:::uploads/ab.json", False),
        ("arn:aws:s3:::uploads/?.json", "arn:aws:s3:::uploads/.json", False),
        ("*", "arn:aws:sqs:us-east-1:123456789012:queue", True),
        ("arn:aws:sqs:*:123456789012:queue", "arn:aws:sqs:eu-west-1:123456789012:queue", True),
        ("arn:aws:sqs:*:123456789012:queue", "arn:aws:sqs:eu-west-1:210987654321:queue", False),
        # a "*" inside a segment stays in it; one that ends a segment may cross colons
        ("arn:aws:sqs:us-*-1:123456789012:q", "arn:aws:sqs:us-east-1:123456789012:q", True),
        ("arn:aws:sqs:us-*-1:123456789012:q", "arn:aws:sqs:us-x:y-1:123456789012:q", False),
        ("arn:aws:s3:*", "arn:aws:s3:::uploads/key", True),
        ("arn:aws:s3:*", "arn:aws:sqs:us-east-1:123456789012:q", False),
        # in the resource part "*" crosses "/" and ":"
        (
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/copy:*",
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/copy:log-stream:x",
            True,
        ),
        (
            "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/*",
            "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2024-01-01T00:00:00.000",
            True,
        ),
    ],
)
def test_resource_patterns(pattern, resource, expected):
    assert matches_resource(pattern, resource) is expected


def test_resource_lists_match_any_entry():
    reads = allow("s3:GetObject", [f"{BUCKET}/UsersIds/*", f"{BUCKET}/Public/*"])
    assert allowed("s3:GetObject", f"{BUCKET}/Public/x", reads)
    assert not allowed("s3:GetObject", f"{BUCKET}/Private/x", reads)


def test_an_action_without_resource_types_needs_resource_star():
    assert allowed("s3:ListAllMyBuckets", "*", allow("s3:ListAllMyBuckets", "*"))
    for pattern in ("arn:aws:s3:::*", "arn:*", "arn:*:*:*:*:*"):
        assert not allowed("s3:ListAllMyBuckets", "*", allow("s3:ListAllMyBuckets", pattern))


def test_not_resource_applies_to_every_other_resource():
    all_but_secrets = {"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secrets/*"}
    assert allowed("s3:GetObject", OBJECT, all_but_secrets)
    assert allowed("s3:ListAllMyBuckets", "*", all_but_secrets)
    assert not allowed("s3:GetObject", "arn:aws:s3:::secrets/key", all_but_secrets)


def test_a_deny_with_not_resource_confines_access():
    only_uploads = {"Effect": "Deny", "Action": "s3:*", "NotResource": [BUCKET, f"{BUCKET}/*"]}
    assert allowed("s3:GetObject", OBJECT, allow("s3:*"), only_uploads)
    assert not allowed("s3:GetObject", "arn:aws:s3:::elsewhere/a", allow("s3:*"), only_uploads)


# --- resource policies and principals ----------------------------------------------------------
LAMBDA_PERMISSION_FOR_S3 = policy(
    {
        "Sid": "s3-invoke",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": FUNCTION,
        "Condition": {
            "StringEquals": {"AWS:SourceAccount": ACCOUNT},
            "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::uploads"},
        },
    }
)


def invoke_by_s3(context, principal=S3_SERVICE):
    request = Request("lambda:InvokeFunction", FUNCTION, principal, context)
    return evaluate(request, resource_policy=LAMBDA_PERMISSION_FOR_S3, resource_policy_name="fn")


def test_a_lambda_permission_lets_s3_invoke_for_its_bucket():
    decision = invoke_by_s3({"aws:SourceArn": BUCKET, "aws:SourceAccount": ACCOUNT})
    assert decision.allowed
    assert [ref.label for ref in decision.deciding] == ["fn/s3-invoke"]


@pytest.mark.parametrize(
    "context",
    [
        {"aws:SourceArn": "arn:aws:s3:::other-bucket", "aws:SourceAccount": ACCOUNT},
        {"aws:SourceArn": BUCKET, "aws:SourceAccount": "999999999999"},
        {"aws:SourceAccount": ACCOUNT},
        {"aws:SourceArn": BUCKET},
    ],
)
def test_a_lambda_permission_refuses_other_sources(context):
    assert invoke_by_s3(context).reason == IMPLICIT_DENY


def test_a_lambda_permission_refuses_other_services():
    context = {"aws:SourceArn": BUCKET, "aws:SourceAccount": ACCOUNT}
    assert not invoke_by_s3(context, Principal("Service", "sns.amazonaws.com")).allowed


def test_a_service_has_no_identity_policies():
    request = Request("lambda:InvokeFunction", FUNCTION, S3_SERVICE)
    assert not evaluate(request, {"ids": policy(allow())}).allowed


SECURE_TRANSPORT_ONLY = policy(
    {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [BUCKET, f"{BUCKET}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
)


def test_a_bucket_policy_denies_requests_without_tls():
    decision = decide(
        "s3:GetObject",
        OBJECT,
        allow("s3:GetObject"),
        context={"aws:SecureTransport": "false"},
        resource_policy=SECURE_TRANSPORT_ONLY,
    )
    assert decision.reason == EXPLICIT_DENY
    assert [ref.label for ref in decision.deciding] == ["bucket policy/DenyInsecureTransport"]


def test_a_bucket_policy_lets_tls_requests_through():
    assert allowed(
        "s3:GetObject",
        OBJECT,
        allow("s3:GetObject"),
        context={"aws:SecureTransport": "true"},
        resource_policy=SECURE_TRANSPORT_ONLY,
    )


LAMBDA_TRUST = policy(
    {
        "Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
)


def test_a_trust_policy_lets_its_service_assume_the_role():
    def assume(service):
        request = Request("sts:AssumeRole", ROLE_ARN, Principal("Service", service))
        return evaluate(request, resource_policy=LAMBDA_TRUST)

    assert assume("lambda.amazonaws.com").allowed
    assert assume("ec2.amazonaws.com").reason == IMPLICIT_DENY


def test_a_trust_policy_covers_only_its_actions():
    request = Request("sts:TagSession", ROLE_ARN, Principal("Service", "lambda.amazonaws.com"))
    assert not evaluate(request, resource_policy=LAMBDA_TRUST).allowed


@pytest.mark.parametrize("account_principal", [ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root"])
def test_an_account_principal_does_not_allow_on_its_own(account_principal):
    bucket_policy = policy(
        {**allow("s3:GetObject", OBJECT), "Principal": {"AWS": account_principal}}
    )
    assert decide("s3:GetObject", OBJECT, resource_policy=bucket_policy).reason == IMPLICIT_DENY
    # it delegates to the identity policies, which decide
    decision = decide(
        "s3:GetObject", OBJECT, allow("s3:GetObject", Sid="Id"), resource_policy=bucket_policy
    )
    assert [ref.label for ref in decision.deciding] == ["ids/Id"]


def test_a_deny_naming_an_account_applies_to_its_principals():
    bucket_policy = policy({**deny("s3:PutObject"), "Principal": {"AWS": [ACCOUNT]}})
    assert decide("s3:PutObject", OBJECT, allow(), resource_policy=bucket_policy).reason == (
        EXPLICIT_DENY
    )
    other = decide(
        "s3:PutObject", OBJECT, allow(), principal=OTHER_ACCOUNT_ROLE, resource_policy=bucket_policy
    )
    assert other.allowed


def test_a_role_arn_principal_names_the_roles_sessions():
    bucket_policy = policy({**allow("s3:GetObject", f"{BUCKET}/*"), "Principal": {"AWS": ROLE_ARN}})
    assert allowed("s3:GetObject", OBJECT, resource_policy=bucket_policy)
    assert not allowed("s3:GetObject", OBJECT, principal=OTHER_ROLE, resource_policy=bucket_policy)


def test_a_session_arn_principal_names_only_that_session():
    bucket_policy = policy({**allow("s3:GetObject"), "Principal": {"AWS": [SESSION_ARN]}})
    other_session = Principal(
        "AWS",
        f"arn:aws:sts::{ACCOUNT}:assumed-role/copy-role/another-session",
        role_arn=ROLE_ARN,
        account=ACCOUNT,
    )
    assert allowed("s3:GetObject", OBJECT, resource_policy=bucket_policy)
    assert not allowed(
        "s3:GetObject", OBJECT, principal=other_session, resource_policy=bucket_policy
    )


def test_principal_star_names_everyone_and_aws_star_every_aws_principal_and_anonymous():
    """IAM User Guide, "AWS JSON policy elements: Principal", All principals: "For anonymous
    users, the following elements are equivalent: "Principal": "*" / "Principal" : { "AWS" :
    "*" }"."""
    everyone = policy({**allow("s3:GetObject"), "Principal": "*"})
    aws_principals = policy({**allow("s3:GetObject"), "Principal": {"AWS": "*"}})
    for principal in (ROLE, S3_SERVICE, None):
        assert allowed("s3:GetObject", OBJECT, principal=principal, resource_policy=everyone)
    for principal in (ROLE, None):  # an AWS principal, an anonymous caller
        assert allowed("s3:GetObject", OBJECT, principal=principal, resource_policy=aws_principals)
    # a service principal is not an "AWS" principal
    assert not allowed("s3:GetObject", OBJECT, principal=S3_SERVICE, resource_policy=aws_principals)


def test_not_principal_spares_a_session_whose_account_and_role_it_lists():
    def bucket_policy(*spared):
        return policy({**deny("s3:*"), "NotPrincipal": {"AWS": list(spared)}})

    spared = bucket_policy(ROLE_ARN, ACCOUNT)
    assert allowed("s3:GetObject", OBJECT, allow(), resource_policy=spared)
    assert not allowed(
        "s3:GetObject", OBJECT, allow(), principal=OTHER_ROLE, resource_policy=spared
    )
    # AWS checks the account, then the role, then the session: each must be listed
    for incomplete in (bucket_policy(ROLE_ARN), bucket_policy(SESSION_ARN, ACCOUNT)):
        assert not allowed("s3:GetObject", OBJECT, allow(), resource_policy=incomplete)


def test_not_principal_spares_a_listed_service():
    bucket_policy = policy({**deny("s3:*"), "NotPrincipal": {"Service": "s3.amazonaws.com"}})
    everyone = {**allow("s3:*"), "Principal": "*"}
    bucket_policy["Statement"].append(everyone)
    assert allowed("s3:PutObject", OBJECT, principal=S3_SERVICE, resource_policy=bucket_policy)
    sns = Principal("Service", "sns.amazonaws.com")
    assert not allowed("s3:PutObject", OBJECT, principal=sns, resource_policy=bucket_policy)


# --- conditions ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "condition, context, expected",
    [
        ({"StringEquals": {"aws:username": "bob"}}, {"aws:username": "bob"}, True),
        ({"StringEquals": {"aws:username": "bob"}}, {"aws:username": "Bob"}, False),
        ({"StringEquals": {"aws:username": "bob"}}, {}, False),
        ({"StringNotEquals": {"aws:username": "bob"}}, {"aws:username": "alice"}, True),
        ({"StringNotEquals": {"aws:username": "bob"}}, {"aws:username": "bob"}, False),
        ({"StringNotEquals": {"aws:username": "bob"}}, {}, True),
        ({"StringEqualsIgnoreCase": {"aws:username": "bob"}}, {"aws:username": "BOB"}, True),
        ({"StringEqualsIgnoreCase": {"aws:username": "bob"}}, {"aws:username": "bobby"}, False),
        ({"StringNotEqualsIgnoreCase": {"aws:username": "bob"}}, {"aws:username": "BOB"}, False),
        ({"StringNotEqualsIgnoreCase": {"aws:username": "bob"}}, {"aws:username": "al"}, True),
        ({"StringNotEqualsIgnoreCase": {"aws:username": "bob"}}, {}, True),
        ({"StringLike": {"s3:prefix": "home/bob/*"}}, {"s3:prefix": "home/bob/a/b"}, True),
        ({"StringLike": {"s3:prefix": "home/bob/*"}}, {"s3:prefix": "home/alice/a"}, False),
        ({"StringLike": {"s3:prefix": "home/bob/*"}}, {"s3:prefix": "Home/bob/a"}, False),
        ({"StringLike": {"s3:prefix": "v?"}}, {"s3:prefix": "v1"}, True),
        ({"StringLike": {"s3:prefix": "v?"}}, {"s3:prefix": "v12"}, False),
        ({"StringLike": {"s3:prefix": "home/*"}}, {}, False),
        ({"StringNotLike": {"s3:prefix": "tmp/*"}}, {"s3:prefix": "home/a"}, True),
        ({"StringNotLike": {"s3:prefix": "tmp/*"}}, {"s3:prefix": "tmp/a"}, False),
        ({"StringNotLike": {"s3:prefix": "tmp/*"}}, {}, True),
    ],
)
def test_string_operators(condition, context, expected):
    assert holds(condition, context) is expected


@pytest.mark.parametrize(
    "operator, policy_value, request_value, expected",
    [
        ("NumericEquals", "5", "5", True),
        ("NumericEquals", "5", "5.0", True),
        ("NumericEquals", 5, "6", False),
        ("NumericNotEquals", "5", "6", True),
        ("NumericNotEquals", "5", "5", False),
        ("NumericLessThan", "10", "9", True),
        ("NumericLessThan", "10", "10", False),
        ("NumericLessThanEquals", "10", "10", True),
        ("NumericLessThanEquals", "10", "10.5", False),
        ("NumericGreaterThan", "10", "11", True),
        ("NumericGreaterThan", "10", "10", False),
        ("NumericGreaterThanEquals", "10", "10", True),
        ("NumericGreaterThanEquals", "10", "-3", False),
        # a request value that is no number compares to nothing, in either sense
        ("NumericEquals", "5", "five", False),
        ("NumericNotEquals", "5", "five", False),
    ],
)
def test_numeric_operators(operator, policy_value, request_value, expected):
    assert holds({operator: {"s3:max-keys": policy_value}}, {"s3:max-keys": request_value}) is (
        expected
    )


def test_numeric_operators_need_the_key():
    assert not holds({"NumericLessThan": {"s3:max-keys": "10"}})
    assert holds({"NumericNotEquals": {"s3:max-keys": "10"}})


@pytest.mark.parametrize(
    "operator, policy_value, request_value, expected",
    [
        ("DateLessThan", "2030-01-01T00:00:00Z", "2024-06-01T12:00:00Z", True),
        ("DateLessThan", "2020-01-01T00:00:00Z", "2024-06-01T12:00:00Z", False),
        ("DateLessThanEquals", "2024-06-01T12:00:00Z", "2024-06-01T12:00:00Z", True),
        ("DateLessThanEquals", "2024-06-01", "2024-06-01T00:00:01Z", False),
        ("DateGreaterThan", "2024-01-01", "2024-06-01T12:00:00Z", True),
        ("DateGreaterThan", "2024-06-01T12:00:00Z", "2024-06-01T12:00:00Z", False),
        ("DateGreaterThanEquals", "1717243200", "2024-06-01T12:00:00Z", True),  # epoch seconds
        ("DateGreaterThanEquals", "1717243201", "2024-06-01T12:00:00Z", False),
        ("DateEquals", "2024-06-01T14:00:00+02:00", "2024-06-01T12:00:00Z", True),
        ("DateEquals", "2024-06-01T14:00:00Z", "2024-06-01T12:00:00Z", False),
        ("DateNotEquals", "2024-06-01T14:00:00Z", "2024-06-01T12:00:00Z", True),
        ("DateNotEquals", "1717243200", "2024-06-01T12:00:00Z", False),
        ("DateEquals", "2024-06-01", "not a date", False),
    ],
)
def test_date_operators(operator, policy_value, request_value, expected):
    condition = {operator: {"aws:CurrentTime": policy_value}}
    assert holds(condition, {"aws:CurrentTime": request_value}) is expected


@pytest.mark.parametrize(
    "policy_value, request_value, expected",
    [
        ("true", "true", True),
        ("true", "false", False),
        (True, "TRUE", True),
        (False, "true", False),
    ],
)
def test_bool(policy_value, request_value, expected):
    condition = {"Bool": {"aws:MultiFactorAuthPresent": policy_value}}
    assert holds(condition, {"aws:MultiFactorAuthPresent": request_value}) is expected
    assert not holds(condition)


def test_binary_equals_compares_base64_bytes():
    condition = {"BinaryEquals": {"custom:Key": "QmluYXJ5"}}
    assert holds(condition, {"custom:Key": "QmluYXJ5"})
    assert not holds(condition, {"custom:Key": "T3RoZXI="})
    assert not holds(condition)


@pytest.mark.parametrize(
    "operator, network, address, expected",
    [
        ("IpAddress", "203.0.113.0/24", "203.0.113.7", True),
        ("IpAddress", "203.0.113.0/24", "198.51.100.7", False),
        ("IpAddress", "203.0.113.7", "203.0.113.7", True),  # a lone address is a /32
        ("IpAddress", "203.0.113.7", "203.0.113.8", False),
        ("IpAddress", "2001:db8::/32", "2001:db8:1::5", True),
        ("IpAddress", "2001:db8::/32", "2001:db9::5", False),
        ("IpAddress", "0.0.0.0/0", "2001:db8::5", False),  # IPv6 is not in an IPv4 range
        ("NotIpAddress", "203.0.113.0/24", "198.51.100.7", True),
        ("NotIpAddress", "203.0.113.0/24", "203.0.113.7", False),
    ],
)
def test_ip_address_operators(operator, network, address, expected):
    assert holds({operator: {"aws:SourceIp": network}}, {"aws:SourceIp": address}) is expected


def test_ip_address_operators_without_the_key():
    assert not holds({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})
    assert holds({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}})


@pytest.mark.parametrize(
    "operator, pattern, value, expected",
    [
        ("ArnLike", "arn:aws:s3:::uploads-*", "arn:aws:s3:::uploads-1", True),
        ("ArnLike", "arn:aws:s3:::uploads-*", "arn:aws:s3:::other", False),
        ("ArnLike", "arn:aws:sqs:*:123456789012:q", "arn:aws:sqs:eu-west-1:123456789012:q", True),
        (
            "ArnLike",
            "arn:aws:*:us-east-1:123456789012:*",
            "arn:aws:sqs:us-east-1:123456789012:q",
            True,
        ),
        (
            "ArnLike",
            "arn:aws:*:us-east-1:123456789012:*",
            "arn:aws:sqs:us-west-2:123456789012:q",
            False,
        ),
        ("ArnLike", "arn:aws:s3:::Uploads", "arn:aws:s3:::uploads", False),  # case-sensitive
        ("ArnEquals", "arn:aws:s3:::uploads", "arn:aws:s3:::uploads", True),
        ("ArnEquals", "arn:aws:s3:::uploads", "arn:aws:s3:::uploads2", False),
        ("ArnNotEquals", "arn:aws:s3:::uploads", "arn:aws:s3:::uploads2", True),
        ("ArnNotEquals", "arn:aws:s3:::uploads", "arn:aws:s3:::uploads", False),
        ("ArnNotLike", "arn:aws:s3:::tmp-*", "arn:aws:s3:::uploads", True),
        ("ArnNotLike", "arn:aws:s3:::tmp-*", "arn:aws:s3:::tmp-1", False),
        # a value that is no ARN compares to nothing, in either sense
        ("ArnLike", "arn:aws:s3:::*", "uploads", False),
        ("ArnNotLike", "arn:aws:s3:::*", "uploads", False),
    ],
)
def test_arn_operators(operator, pattern, value, expected):
    assert holds({operator: {"aws:SourceArn": pattern}}, {"aws:SourceArn": value}) is expected


def test_arn_operators_without_the_key():
    assert not holds({"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}})
    assert holds({"ArnNotLike": {"aws:SourceArn": "arn:aws:s3:::*"}})


@pytest.mark.parametrize(
    "expected_null, context, expected",
    [
        ("true", {}, True),
        ("true", {"aws:TokenIssueTime": "2024-06-01T00:00:00Z"}, False),
        ("false", {"aws:TokenIssueTime": "2024-06-01T00:00:00Z"}, True),
        ("false", {}, False),
        (True, {"aws:TokenIssueTime": []}, True),  # an empty list is no value
    ],
)
def test_null(expected_null, context, expected):
    assert holds({"Null": {"aws:TokenIssueTime": expected_null}}, context) is expected


def test_if_exists_holds_when_the_key_is_missing_and_compares_when_present():
    condition = {"StringEqualsIfExists": {"ec2:InstanceType": ["t3.micro", "t3.small"]}}
    assert holds(condition)
    assert holds(condition, {"ec2:InstanceType": "t3.small"})
    assert not holds(condition, {"ec2:InstanceType": "m5.large"})
    numeric = {"NumericLessThanIfExists": {"s3:max-keys": "100"}}
    assert holds(numeric) and holds(numeric, {"s3:max-keys": "10"})
    assert not holds(numeric, {"s3:max-keys": "1000"})


def test_several_values_for_a_key_are_alternatives():
    condition = {"StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}
    assert holds(condition, {"aws:RequestedRegion": "eu-west-1"})
    assert not holds(condition, {"aws:RequestedRegion": "ap-south-1"})


def test_a_negated_operator_with_several_values_means_none_of_them():
    condition = {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}
    assert holds(condition, {"aws:RequestedRegion": "ap-south-1"})
    assert not holds(condition, {"aws:RequestedRegion": "us-east-1"})
    assert not holds(condition, {"aws:RequestedRegion": "eu-west-1"})


def test_keys_under_an_operator_and_operators_in_a_block_must_all_hold():
    condition = {
        "StringEquals": {"aws:RequestedRegion": "us-east-1", "aws:PrincipalAccount": ACCOUNT},
        "Bool": {"aws:SecureTransport": "true"},
    }
    context = {
        "aws:RequestedRegion": "us-east-1",
        "aws:PrincipalAccount": ACCOUNT,
        "aws:SecureTransport": "true",
    }
    assert holds(condition, context)
    for key, wrong in [
        ("aws:RequestedRegion", "eu-west-1"),
        ("aws:PrincipalAccount", "999999999999"),
        ("aws:SecureTransport", "false"),
    ]:
        assert not holds(condition, {**context, key: wrong})


def test_condition_keys_are_case_insensitive_and_values_are_not():
    assert holds({"StringEquals": {"AWS:SourceAccount": ACCOUNT}}, {"aws:sourceaccount": ACCOUNT})
    assert not holds(
        {"StringEquals": {"aws:PrincipalTag/team": "Data"}}, {"AWS:PRINCIPALTAG/TEAM": "data"}
    )


def test_for_all_values_needs_every_request_value_among_the_policys():
    condition = {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "cost-center"]}}
    assert holds(condition, {"aws:TagKeys": ["team"]})
    assert holds(condition, {"aws:TagKeys": ["team", "cost-center"]})
    assert not holds(condition, {"aws:TagKeys": ["team", "owner"]})
    assert holds(condition)  # no values: nothing outside the list
    assert holds(condition, {"aws:TagKeys": []})


def test_for_any_value_needs_one_request_value_among_the_policys():
    condition = {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team", "cost-center"]}}
    assert holds(condition, {"aws:TagKeys": ["owner", "team"]})
    assert not holds(condition, {"aws:TagKeys": ["owner"]})
    assert not holds(condition)
    # IfExists changes nothing under a set operator: a missing key has no value to match
    assert not holds({"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": "team"}})


def test_set_operators_with_negated_operators():
    all_not = {"ForAllValues:StringNotEquals": {"aws:TagKeys": ["secret"]}}
    assert holds(all_not, {"aws:TagKeys": ["team", "owner"]})
    assert not holds(all_not, {"aws:TagKeys": ["team", "secret"]})
    any_not = {"ForAnyValue:StringNotLike": {"aws:TagKeys": ["sys:*"]}}
    assert holds(any_not, {"aws:TagKeys": ["sys:a", "team"]})
    assert not holds(any_not, {"aws:TagKeys": ["sys:a", "sys:b"]})


def test_a_list_for_a_single_valued_key_without_set_operator():
    # a positive operator needs one value to match; a negated one needs every value to match none
    # (a multivalued key without a set operator: test_policy_evaluator_semantics.py)
    key = "aws:RequestedRegion"
    assert holds({"StringEquals": {key: "us-east-1"}}, {key: ["eu-west-1", "us-east-1"]})
    assert not holds({"StringEquals": {key: "us-east-1"}}, {key: ["eu-west-1"]})
    assert holds({"StringNotEquals": {key: "us-east-1"}}, {key: ["eu-west-1", "ap-south-1"]})
    assert not holds({"StringNotEquals": {key: "us-east-1"}}, {key: ["eu-west-1", "us-east-1"]})


def test_condition_operator_names_are_read_case_insensitively():
    assert holds({"stringequals": {"aws:username": "bob"}}, {"aws:username": "bob"})
    assert holds({"forallvalues:StringLike": {"aws:TagKeys": "t*"}}, {"aws:TagKeys": ["team"]})


# --- policy variables ----------------------------------------------------------------------------
HOME = "arn:aws:s3:::home/${aws:username}/*"


def test_a_variable_in_a_resource_takes_the_request_value():
    assert matches_resource(HOME, "arn:aws:s3:::home/bob/notes.txt", {"aws:username": "bob"})
    assert not matches_resource(HOME, "arn:aws:s3:::home/alice/notes.txt", {"aws:username": "bob"})
    assert matches_resource(HOME, "arn:aws:s3:::home/bob/x", {"AWS:UserName": "bob"})


def test_a_variable_without_value_matches_nothing():
    assert not matches_resource(HOME, "arn:aws:s3:::home/bob/x")
    assert not matches_resource(HOME, "arn:aws:s3:::home//x")
    assert not matches_resource(HOME, "arn:aws:s3:::home/${aws:username}/x")


def test_a_variable_of_a_multivalued_key_has_no_value():
    context = {"aws:username": ["bob", "alice"]}
    assert not matches_resource(HOME, "arn:aws:s3:::home/bob/x", context)


def test_a_variables_default_stands_in_for_a_missing_key():
    pattern = "arn:aws:s3:::home/${aws:username, 'anonymous'}/*"
    assert matches_resource(pattern, "arn:aws:s3:::home/anonymous/x")
    assert matches_resource(pattern, "arn:aws:s3:::home/bob/x", {"aws:username": "bob"})
    assert not matches_resource(pattern, "arn:aws:s3:::home/anonymous/x", {"aws:username": "bob"})
    quoted = "arn:aws:s3:::home/${aws:username, 'o''brien'}"
    assert matches_resource(quoted, "arn:aws:s3:::home/o'brien")


def test_a_variables_value_is_literal_text():
    pattern = "arn:aws:s3:::home/${aws:username}"
    assert matches_resource(pattern, "arn:aws:s3:::home/*", {"aws:username": "*"})
    assert not matches_resource(pattern, "arn:aws:s3:::home/bob", {"aws:username": "*"})


@pytest.mark.parametrize(
    "pattern, literal, other",
    [
        ("arn:aws:s3:::b/${*}", "arn:aws:s3:::b/*", "arn:aws:s3:::b/x"),
        ("arn:aws:s3:::b/${?}", "arn:aws:s3:::b/?", "arn:aws:s3:::b/x"),
        ("arn:aws:s3:::b/${$}{x}", "arn:aws:s3:::b/${x}", "arn:aws:s3:::b/x"),
    ],
)
def test_escapes_stand_for_literal_characters(pattern, literal, other):
    assert matches_resource(pattern, literal)
    assert not matches_resource(pattern, other)


def test_variables_in_condition_values():
    condition = {"StringLike": {"s3:prefix": ["home/${aws:username}/*"]}}
    assert holds(condition, {"s3:prefix": "home/bob/a", "aws:username": "bob"})
    assert not holds(condition, {"s3:prefix": "home/alice/a", "aws:username": "bob"})
    assert not holds(condition, {"s3:prefix": "home/bob/a"})
    arn = {"ArnEquals": {"aws:SourceArn": "arn:aws:s3:::${aws:username}-uploads"}}
    assert holds(arn, {"aws:SourceArn": "arn:aws:s3:::bob-uploads", "aws:username": "bob"})


def test_a_variable_without_value_satisfies_no_negated_operator_either():
    condition = {"StringNotEquals": {"s3:prefix": "home/${aws:username}"}}
    assert not holds(condition, {"s3:prefix": "home/bob"})
    assert holds(condition, {"s3:prefix": "home/bob", "aws:username": "alice"})


def test_not_resource_with_a_variable_without_value_does_not_apply():
    statement = {"Effect": "Allow", "Action": "s3:*", "NotResource": HOME}
    assert not allowed("s3:GetObject", OBJECT, statement)
    assert allowed("s3:GetObject", OBJECT, statement, context={"aws:username": "bob"})


@pytest.mark.parametrize("version", ["2008-10-17", None])
def test_older_or_missing_version_reads_variables_as_text(version):
    identity = {"ids": policy(allow("s3:GetObject", HOME), version=version)}

    def get(resource, context):
        return evaluate(Request("s3:GetObject", resource, ROLE, context), identity).allowed

    assert not get("arn:aws:s3:::home/bob/x", {"aws:username": "bob"})
    assert get("arn:aws:s3:::home/${aws:username}/x", {"aws:username": "bob"})
    condition = {"StringEquals": {"s3:prefix": "${aws:username}"}}
    assert holds(condition, {"s3:prefix": "${aws:username}"}, version=version)
    assert not holds(condition, {"s3:prefix": "bob", "aws:username": "bob"}, version=version)


# --- malformed documents -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "document, message",
    [
        ({"Version": "2012-10-17"}, "policy 'ids': no Statement"),
        ("{not json", "policy 'ids': not valid JSON"),
        (["a", "list"], "must be a JSON object"),
        (policy(allow(), version="2012-10-18"), "Version must be"),
        ({"Statement": [], "Policy": 1}, "unknown element(s) Policy"),
        (policy("Allow"), "statement #0: a statement must be a JSON object"),
        (policy(allow(), {**allow(), "Effect": "allow"}), 'statement #1: Effect must be "Allow"'),
        (policy({**allow(), "Sid": "Both", "NotAction": "s3:*"}), "(Both): has both Action"),
        (policy({"Effect": "Allow", "Resource": "*"}), "needs Action or NotAction"),
        (policy({**allow(), "NotResource": "*"}), "has both Resource and NotResource"),
        (policy({"Effect": "Allow", "Action": "*"}), "needs Resource or NotResource"),
        (policy(allow([])), "Action must be a string or a non-empty list"),
        (policy(allow("s3GetObject")), "action 's3GetObject' is not"),
        (policy(allow("s3:*", "uploads/*")), "resource 'uploads/*' is not"),
        (policy({**allow(), "Principal": "*"}), "an identity policy cannot name a Principal"),
        (policy({**allow(), "Acton": "s3:*"}), "unknown element(s) Acton"),
        (policy(allow(Condition={"StringEqualz": {"k": "v"}})), "unknown condition operator"),
        (policy(allow(Condition={"ForSomeValues:StringEquals": {"k": "v"}})), "unknown condition"),
        (policy(allow(Condition={"NullIfExists": {"k": "true"}})), "Null takes neither"),
        (policy(allow(Condition={"Null": {"k": "maybe"}})), "'maybe' is not a valid value"),
        (policy(allow(Condition={"NumericLessThan": {"k": "ten"}})), "'ten' is not a valid"),
        (policy(allow(Condition={"DateLessThan": {"k": "tomorrow"}})), "'tomorrow' is not"),
        (policy(allow(Condition={"IpAddress": {"k": "300.1.1.1/8"}})), "is not a valid value"),
        (policy(allow(Condition={"BinaryEquals": {"k": "not base64!"}})), "is not a valid"),
        (policy(allow(Condition={"StringEquals": {"k": []}})), "values must be strings"),
        (policy(allow(Condition={"StringEquals": "k"})), "must be an object of condition keys"),
        (policy(allow(Condition=["StringEquals"])), "Condition must be an object"),
    ],
)
def test_a_malformed_identity_policy_is_refused_with_the_reason(document, message):
    with pytest.raises(PolicyError) as raised:
        evaluate(Request("s3:GetObject", OBJECT, ROLE), {"ids": document})
    assert message in str(raised.value)


@pytest.mark.parametrize(
    "statement, message",
    [
        (allow(), "needs Principal or NotPrincipal"),
        ({**allow(), "Principal": "*", "NotPrincipal": "*"}, "both Principal and NotPrincipal"),
        ({**allow(), "NotPrincipal": {"AWS": ROLE_ARN}}, "NotPrincipal can only be used with Deny"),
        ({**allow(), "Principal": {"IAM": ROLE_ARN}}, "unknown principal type 'IAM'"),
        ({**allow(), "Principal": ROLE_ARN}, 'Principal must be "*" or an object'),
        (
            {**allow(), "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/*"}},
            "wildcards match no one",
        ),
    ],
)
def test_a_malformed_resource_policy_is_refused_with_the_reason(statement, message):
    with pytest.raises(PolicyError) as raised:
        decide("s3:GetObject", OBJECT, resource_policy=policy(statement))
    assert "policy 'bucket policy', statement #0" in str(raised.value)
    assert message in str(raised.value)


def test_a_malformed_policy_is_refused_even_when_another_decides():
    broken = policy({"Effect": "Allow", "Resource": "*"})
    with pytest.raises(PolicyError):
        evaluate(
            Request("s3:GetObject", OBJECT, ROLE),
            {"good": policy(deny()), "broken": broken},
        )


def test_a_resource_policy_may_leave_resource_out_and_identity_policies_may_not():
    trust = policy({"Effect": "Allow", "Principal": {"AWS": ROLE_ARN}, "Action": "sts:AssumeRole"})
    assert allowed("sts:AssumeRole", ROLE_ARN, resource_policy=trust)
    with pytest.raises(PolicyError, match="needs Resource or NotResource"):
        allowed("sts:AssumeRole", ROLE_ARN, {"Effect": "Allow", "Action": "sts:AssumeRole"})
