"""IAM rules: each fires on what it must (the seeds' mistakes among them) and stays silent on
least-privilege policies."""

import json

import pytest

from tests.policy.harness import ACCOUNT, UNKNOWN, check, document, finding, names, only

ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
LAMBDA_TRUST = document(
    {
        "Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
)


def managed(name: str, partition: str = "aws", path: str = "") -> str:
    return f"arn:{partition}:iam::aws:policy/{path}{name}"


# --- managed policies ------------------------------------------------------------------------------


def test_seed_000_bucket_creation_role_is_refused_twice_with_replacements(pack):
    # Seed 000: lambda-role-s3 with AdministratorAccess and AmazonS3FullAccess.
    admin = check(
        pack, ATTACHMENT, {"role": "lambda-role-s3", "policyArn": managed("AdministratorAccess")}
    )
    s3 = check(
        pack, ATTACHMENT, {"role": "lambda-role-s3", "policyArn": managed("AmazonS3FullAccess")}
    )

    for violations, name in ((admin, "AdministratorAccess"), (s3, "AmazonS3FullAccess")):
        violation = only(violations, "iam-no-broad-managed-policies")
        assert violation.enforcement == "mandatory" and violation.severity == "critical"
        assert (
            f"managed policy {name}" in violation.message and "lambda-role-s3" in violation.message
        )
        assert '"Effect": "Allow"' in violation.message  # proposes a statement to use instead
    # Judged by its document (the pack's snapshot of AWS managed policies), which it quotes.
    message = only(s3, "iam-no-broad-managed-policies").message
    assert 'allows "s3:*", "s3-object-lambda:*" on "*"' in message
    assert "names only the s3 actions its code calls" in message


def test_seed_001_metadata_role_with_dynamodb_full_access_is_refused(pack):
    violation = only(
        check(
            pack, ATTACHMENT, {"role": "metadata", "policyArn": managed("AmazonDynamoDBFullAccess")}
        ),
        "iam-no-broad-managed-policies",
    )
    assert "dynamodb:PutItem" in violation.message  # the statement to write instead


@pytest.mark.parametrize(
    "resource_type, props",
    [
        (
            ROLE,
            {"assumeRolePolicy": LAMBDA_TRUST, "managedPolicyArns": [managed("PowerUserAccess")]},
        ),
        (
            "aws:iam/policyAttachment:PolicyAttachment",
            {"policyArn": managed("IAMFullAccess"), "users": ["ci"], "roles": []},
        ),
        (
            "aws:iam/userPolicyAttachment:UserPolicyAttachment",
            {"user": "ci", "policyArn": managed("AmazonSQSFullAccess")},
        ),
        (
            "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
            {"group": "ops", "policyArn": managed("AdministratorAccess", "aws-us-gov")},
        ),
        (
            "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
            {"roleName": "r", "policyArns": [managed("AmazonS3FullAccess", "aws-cn")]},
        ),
        (
            "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
            {"userName": "u", "policyArns": [managed("AWSLambda_FullAccess")]},
        ),
        (
            "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
            {"groupName": "g", "policyArns": [managed("AdministratorAccess-Amplify")]},
        ),
        (
            ATTACHMENT,
            {"role": "r", "policyArn": managed("AmazonEC2FullAccess", path="service-role/")},
        ),
    ],
)
def test_every_attachment_route_partition_and_path_is_covered(pack, resource_type, props):
    assert names(check(pack, resource_type, props)) == ["iam-no-broad-managed-policies"]


@pytest.mark.parametrize(
    "arn",
    [
        managed("AWSLambdaBasicExecutionRole", path="service-role/"),
        managed("ReadOnlyAccess"),
        managed("AmazonS3ReadOnlyAccess"),
        f"arn:aws:iam::{ACCOUNT}:policy/AdministratorAccess",  # a customer policy: its document
        UNKNOWN,  # is checked where it is defined
    ],
)
def test_narrow_managed_customer_and_unknown_policies_pass(pack, arn):
    assert check(pack, ATTACHMENT, {"role": "r", "policyArn": arn}) == []


def test_deny_list_and_exceptions_come_from_config(pack):
    props = {"role": "r", "policyArn": managed("AmazonS3ReadOnlyAccess")}
    denied = {"iam-no-broad-managed-policies": {"additionalDeniedPolicies": ["*ReadOnlyAccess"]}}
    assert names(check(pack, ATTACHMENT, props, denied)) == ["iam-no-broad-managed-policies"]
    allowed = {"iam-no-broad-managed-policies": {"allowedPolicies": ["AmazonS3FullAccess"]}}
    props = {"role": "r", "policyArn": managed("AmazonS3FullAccess")}
    assert check(pack, ATTACHMENT, props, allowed) == []


def test_known_arns_are_checked_even_when_others_are_unknown(pack):
    props = {
        "assumeRolePolicy": LAMBDA_TRUST,
        "managedPolicyArns": [UNKNOWN, managed("AdministratorAccess")],
    }
    violations = check(pack, ROLE, props)
    assert names(violations) == ["iam-no-broad-managed-policies"]
    assert not any("can't run" in v.message for v in violations)


# --- documents: wildcard actions ----------------------------------------------------------------


@pytest.mark.parametrize("action", ["*", "s3:*", "S3:*", ["logs:PutLogEvents", "dynamodb:*"]])
def test_wildcard_actions_are_refused(pack, action):
    policy = document({"Effect": "Allow", "Action": action, "Resource": "arn:aws:s3:::bucket/*"})
    violation = only(
        check(pack, ROLE_POLICY, {"role": "r", "policy": policy}), "iam-no-wildcard-actions"
    )
    assert "name" in violation.message and violation.enforcement == "mandatory"


def test_not_action_is_refused(pack):
    policy = document({"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::b/*"})
    violation = only(
        check(pack, ROLE_POLICY, {"role": "r", "policy": policy}), "iam-no-wildcard-actions"
    )
    assert "NotAction" in violation.message


def test_each_wildcard_is_its_own_finding(pack):
    policy = document(
        {
            "Sid": "Broad",
            "Effect": "Allow",
            "Action": ["s3:*", "sqs:*"],
            "Resource": "arn:aws:s3:::b",
        }
    )
    found = [
        v
        for v in check(pack, ROLE_POLICY, {"role": "r", "policy": policy})
        if v.policy == "iam-no-wildcard-actions"
    ]
    assert len(found) == 2 and all("statement 'Broad'" in v.message for v in found)


@pytest.mark.parametrize(
    "statement",
    [
        {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": "arn:aws:s3:::source/*",
        },
        {"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::source/*"},
    ],
)
def test_named_actions_and_denies_pass(pack, statement):
    assert check(pack, ROLE_POLICY, {"role": "r", "policy": document(statement)}) == []


@pytest.mark.parametrize(
    "resource_type, props",
    [
        (
            ROLE,
            {
                "assumeRolePolicy": LAMBDA_TRUST,
                "inlinePolicies": [
                    {
                        "name": "ok",
                        "policy": document(
                            {
                                "Effect": "Allow",
                                "Action": "sqs:SendMessage",
                                "Resource": "arn:aws:sqs:::q",
                            }
                        ),
                    },
                    {
                        "name": "broad",
                        "policy": document(
                            {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:sqs:::q"}
                        ),
                    },
                ],
            },
        ),
        (
            "aws:iam/policy:Policy",
            {
                "policy": {
                    "Version": "2012-10-17",
                    "Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:sqs:::q"},
                }
            },
        ),
        (
            "aws:iam/userPolicy:UserPolicy",
            {
                "user": "u",
                "policy": document(
                    {"Effect": "Allow", "Action": ["*"], "Resource": ["arn:aws:sqs:::q"]}
                ),
            },
        ),
        (
            "aws:iam/groupPolicy:GroupPolicy",
            {
                "group": "g",
                "policy": document(
                    {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:sqs:::q"}
                ),
            },
        ),
    ],
    ids=["role-inline-policies", "policy-dict-single-statement", "user-policy", "group-policy"],
)
def test_documents_are_checked_wherever_they_live_and_however_written(pack, resource_type, props):
    assert "iam-no-wildcard-actions" in names(check(pack, resource_type, props))


# --- documents: wildcard resources ------------------------------------------------------------------


def test_resource_scoped_actions_on_any_resource_are_refused(pack):
    policy = document(
        {"Effect": "Allow", "Action": ["s3:GetObject", "xray:PutTraceSegments"], "Resource": "*"}
    )
    violation = only(
        check(pack, ROLE_POLICY, {"role": "r", "policy": policy}), "iam-no-wildcard-resources"
    )
    assert "'s3:GetObject' on Resource \"*\"" in violation.message
    assert "xray" not in violation.message  # PutTraceSegments only accepts "*": fine


def test_polly_actions_on_lexicons_stay_scoped(pack):
    policy = document(
        {
            "Effect": "Allow",
            "Action": ["polly:SynthesizeSpeech", "polly:GetLexicon"],
            "Resource": "*",
        }
    )
    violation = only(
        check(pack, ROLE_POLICY, {"role": "r", "policy": policy}), "iam-no-wildcard-resources"
    )
    assert "polly:GetLexicon" in violation.message
    assert "SynthesizeSpeech" not in violation.message


def test_patterns_are_expanded_with_the_action_catalog(pack):
    policy = document({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"})
    violation = only(
        check(pack, ROLE_POLICY, {"role": "r", "policy": policy}), "iam-no-wildcard-resources"
    )
    assert "actions that accept resource ARNs, such as s3:Get" in violation.message


@pytest.mark.parametrize(
    "statement",
    [
        {
            "Effect": "Allow",
            "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            "Resource": "*",
        },
        {"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"},
        {"Effect": "Allow", "Action": "dynamodb:ListStreams", "Resource": "*"},
        # Polly documents "*" for speech: its lexicon resource only applies to named lexicons.
        {"Effect": "Allow", "Action": "polly:SynthesizeSpeech", "Resource": "*"},
    ],
)
def test_actions_that_only_accept_any_resource_pass(pack, statement):
    assert check(pack, ROLE_POLICY, {"role": "r", "policy": document(statement)}) == []


def test_an_unknown_resource_is_not_taken_for_any_resource(pack):
    policy = {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": UNKNOWN}]}
    violations = check(pack, ROLE_POLICY, {"role": "r", "policy": policy})
    assert violations == []


def test_not_resource_is_refused(pack):
    policy = document(
        {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"}
    )
    violation = only(
        check(pack, ROLE_POLICY, {"role": "r", "policy": policy}), "iam-no-wildcard-resources"
    )
    assert "NotResource" in violation.message


def test_unknown_actions_on_any_resource_are_refused_and_exceptions_allowed(pack):
    policy = document({"Effect": "Allow", "Action": "s3:BrandNewAction", "Resource": "*"})
    violation = only(
        check(pack, ROLE_POLICY, {"role": "r", "policy": policy}), "iam-no-wildcard-resources"
    )
    assert "not in the IAM action catalog" in violation.message
    config = {"iam-no-wildcard-resources": {"allowedActions": ["s3:BrandNewAction"]}}
    assert check(pack, ROLE_POLICY, {"role": "r", "policy": policy}, config) == []


# --- iam:PassRole and escalation ------------------------------------------------------------------


@pytest.mark.parametrize(
    "resource", ["*", f"arn:aws:iam::{ACCOUNT}:role/*", f"arn:aws:iam::{ACCOUNT}:role/app-*"]
)
def test_pass_role_on_unnamed_roles_is_refused(pack, resource):
    policy = document({"Effect": "Allow", "Action": "iam:PassRole", "Resource": resource})
    violation = only(
        check(pack, ROLE_POLICY, {"role": "r", "policy": policy}), "iam-pass-role-named-roles"
    )
    assert resource in violation.message


def test_pass_role_on_named_roles_passes(pack):
    # A document given as an object can hold values unknown during preview (a role's ARN).
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": [f"arn:aws:iam::{ACCOUNT}:role/service/app-runner", UNKNOWN],
            }
        ],
    }
    assert check(pack, ROLE_POLICY, {"role": "r", "policy": policy}) == []


@pytest.mark.parametrize(
    "action",
    [
        "iam:PutRolePolicy",
        "iam:Put*",
        "iam:AttachRolePolicy",
        "lambda:UpdateFunctionCode",
        "iam:CreatePolicyVersion",
    ],
)
def test_escalation_actions_on_any_resource_are_refused(pack, action):
    policy = document({"Effect": "Allow", "Action": action, "Resource": "*"})
    violation = only(
        check(pack, ROLE_POLICY, {"role": "r", "policy": policy}), "iam-no-privilege-escalation"
    )
    assert "privilege-escalation" in violation.message and violation.severity == "critical"


def test_escalation_actions_on_named_resources_pass_and_the_list_is_extendable(pack):
    policy = document(
        {
            "Effect": "Allow",
            "Action": "iam:PutRolePolicy",
            "Resource": f"arn:aws:iam::{ACCOUNT}:role/app",
        }
    )
    assert check(pack, ROLE_POLICY, {"role": "r", "policy": policy}) == []
    extra = document({"Effect": "Allow", "Action": "kms:CreateGrant", "Resource": "*"})
    config = {
        "iam-no-privilege-escalation": {"additionalActions": ["kms:CreateGrant"]},
        "iam-no-wildcard-resources": "disabled",
    }
    assert names(check(pack, ROLE_POLICY, {"role": "r", "policy": extra}, config)) == [
        "iam-no-privilege-escalation"
    ]


# --- trust policies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"},
        {
            "Effect": "Allow",
            "Principal": {"AWS": [f"arn:aws:iam::{ACCOUNT}:root", "*"]},
            "Action": "sts:AssumeRole",
        },
        {
            "Effect": "Allow",
            "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "sts:AssumeRole",
        },
    ],
)
def test_trust_policies_open_to_anyone_are_refused(pack, statement):
    violation = only(
        check(pack, ROLE, {"assumeRolePolicy": document(statement)}),
        "iam-trust-no-public-principal",
    )
    assert violation.enforcement == "mandatory"


@pytest.mark.parametrize(
    "statement",
    [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        },
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/ci"},
            "Action": "sts:AssumeRole",
        },
        {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"},
    ],
)
def test_trust_policies_naming_principals_pass(pack, statement):
    assert check(pack, ROLE, {"assumeRolePolicy": document(statement)}) == []


# --- the seeds' good intentions pass ---------------------------------------------------------------


def test_seed_004_copy_policy_passes(pack):
    # Seed 004's IAM policy: read the source bucket's objects, write the destination's.
    policy = document(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::source/*"},
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::destination/*"},
    )
    assert check(pack, "aws:iam/policy:Policy", {"policy": policy}) == []


STREAM_READ = {
    "Effect": "Allow",
    "Action": [
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
    ],
    "Resource": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/UsersIds/stream/2024-01-01T00:00:00.000",
}


def test_seed_002_stream_read_with_logs_on_its_own_group_passes(pack):
    logs = {
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/my-function:*",
    }
    policy = document(STREAM_READ, logs)
    assert check(pack, ROLE_POLICY, {"role": "iam_for_lambda", "policy": policy}) == []


def test_seed_002_logs_on_every_log_group_of_every_account_are_refused(pack):
    # The tutorial form: arn:aws:logs:*:*:* is "*" for CloudWatch Logs.
    logs = {
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": "arn:aws:logs:*:*:*",
    }
    violations = check(pack, ROLE_POLICY, {"role": "r", "policy": document(STREAM_READ, logs)})
    assert names(violations) == ["iam-no-wildcard-resources"] * 2
    assert all("(every resource of the service)" in v.message for v in violations)


@pytest.mark.parametrize(
    "resource",
    ["arn:aws:s3:::*", "arn:aws:s3:::*/*", "arn:aws:dynamodb:*:*:table/*", "arn:*:s3:::*/*"],
)
def test_arn_patterns_covering_a_whole_service_count_as_any_resource(pack, resource):
    action = "dynamodb:PutItem" if ":dynamodb:" in resource else "s3:GetObject"
    policy = document({"Effect": "Allow", "Action": action, "Resource": resource})
    assert names(check(pack, ROLE_POLICY, {"role": "r", "policy": policy})) == [
        "iam-no-wildcard-resources"
    ]


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:s3:::uploads/*",
        "arn:aws:s3:::acme-users-*",
        f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/*",
        # A wildcard partition: the policy applies only in the partition it lives in (AWS managed
        # policies write it so, to work in aws, aws-cn and aws-us-gov alike).
        "arn:*:s3:::bucket/*",
        f"arn:*:logs:us-east-1:{ACCOUNT}:log-group:/app/*",
    ],
)
def test_patterns_within_one_account_or_prefix_pass(pack, resource):
    action = {":dynamodb:": "dynamodb:PutItem", ":logs:": "logs:PutLogEvents"}.get(
        next((s for s in (":dynamodb:", ":logs:") if s in resource), ""), "s3:GetObject"
    )
    policy = document({"Effect": "Allow", "Action": action, "Resource": resource})
    assert check(pack, ROLE_POLICY, {"role": "r", "policy": policy}) == []


def test_malformed_documents_do_not_crash_the_rules(pack):
    for policy in ("not json", json.dumps([1, 2]), document("oops"), json.dumps({"Statement": 7})):
        assert check(pack, ROLE_POLICY, {"role": "r", "policy": policy}) == []


# --- review findings: patterns, partitions, federated trust ----------------------------------------


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:iam::*:role/*",
        f"arn:aws:iam::{ACCOUNT}:user/*",
        f"arn:aws:iam::{ACCOUNT}:role/app-?",
    ],
)
def test_escalation_actions_on_arn_patterns_are_refused(pack, resource):
    policy = document(
        {
            "Effect": "Allow",
            "Action": ["iam:PutRolePolicy", "iam:AttachUserPolicy"],
            "Resource": resource,
        }
    )
    found = [
        v
        for v in check(pack, ROLE_POLICY, {"role": "r", "policy": policy})
        if v.policy == "iam-no-privilege-escalation"
    ]
    assert len(found) == 2  # one finding per action
    assert all(resource in finding(v) and "name the exact resources" in finding(v) for v in found)


def test_escalation_actions_with_not_resource_are_refused(pack):
    policy = document(
        {
            "Effect": "Allow",
            "Action": "iam:CreateAccessKey",
            "NotResource": f"arn:aws:iam::{ACCOUNT}:user/admin",
        }
    )
    assert "iam-no-privilege-escalation" in names(
        check(pack, ROLE_POLICY, {"role": "r", "policy": policy})
    )


@pytest.mark.parametrize("action", ["s3:**", "s3:?*", "*:*"])
def test_wildcards_written_differently_are_still_wildcards(pack, action):
    policy = document({"Effect": "Allow", "Action": action, "Resource": "arn:aws:s3:::b/*"})
    assert "iam-no-wildcard-actions" in names(
        check(pack, ROLE_POLICY, {"role": "r", "policy": policy})
    )


def test_every_action_on_every_resource_says_so(pack):
    policy = document({"Effect": "Allow", "Action": "*", "Resource": "*"})
    violation = only(
        check(pack, ROLE_POLICY, {"role": "r", "policy": policy}), "iam-no-wildcard-resources"
    )
    assert "that is every action" in finding(violation)


def test_effect_is_compared_without_case(pack):
    policy = document({"Effect": "allow", "Action": "*", "Resource": "arn:aws:s3:::b/*"})
    assert "iam-no-wildcard-actions" in names(
        check(pack, ROLE_POLICY, {"role": "r", "policy": policy})
    )


def test_pass_role_with_not_resource_is_refused(pack):
    policy = document(
        {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "NotResource": f"arn:aws:iam::{ACCOUNT}:role/admin",
        }
    )
    violation = only(
        check(pack, ROLE_POLICY, {"role": "r", "policy": policy}), "iam-pass-role-named-roles"
    )
    assert "NotResource" in finding(violation)


@pytest.mark.parametrize("partition", ["aws-iso", "aws-iso-b", "aws-eusc"])
def test_managed_policies_in_every_partition_are_refused(pack, partition):
    props = {"role": "r", "policyArn": managed("AdministratorAccess", partition)}
    assert names(check(pack, ATTACHMENT, props)) == ["iam-no-broad-managed-policies"]


def test_identity_center_permission_sets_are_covered(pack):
    props = {
        "instanceArn": "arn:aws:sso:::instance/ssoins-1",
        "permissionSetArn": "arn:aws:sso:::permissionSet/ssoins-1/ps-1",
        "managedPolicyArn": managed("AdministratorAccess"),
    }
    violation = only(
        check(pack, "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment", props),
        "iam-no-broad-managed-policies",
    )
    assert "permissionSet/ssoins-1/ps-1" in finding(violation)


@pytest.mark.parametrize(
    "principal", [{"AWS": "arn:aws:iam::*:root"}, {"CanonicalUser": "*"}, {"AWS": ["*"]}]
)
def test_other_spellings_of_everyone_in_trust_policies_are_refused(pack, principal):
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    assert names(check(pack, ROLE, {"assumeRolePolicy": document(statement)})) == [
        "iam-trust-no-public-principal"
    ]


GITHUB = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"


def web_identity(condition=None, provider=GITHUB):
    statement = {
        "Effect": "Allow",
        "Principal": {"Federated": provider},
        "Action": "sts:AssumeRoleWithWebIdentity",
    }
    if condition:
        statement["Condition"] = condition
    return {"assumeRolePolicy": document(statement)}


@pytest.mark.parametrize(
    "condition",
    [
        None,
        {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}},
        {"StringLike": {"token.actions.githubusercontent.com:sub": "*"}},
        {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:*"}},
        {"StringNotEquals": {"token.actions.githubusercontent.com:sub": "repo:a/b:ref:x"}},
    ],
    ids=["no-condition", "audience-only", "any-subject", "any-repository", "negative-operator"],
)
def test_github_oidc_trust_open_to_any_repository_is_refused(pack, condition):
    violation = only(check(pack, ROLE, web_identity(condition)), "iam-trust-no-public-principal")
    assert "repo:ORG/REPO" in finding(violation)


@pytest.mark.parametrize(
    "condition, provider",
    [
        (
            {
                "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/pipelines:*"},
            },
            GITHUB,
        ),
        (
            {
                "StringEquals": {
                    "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:app:worker"
                }
            },
            f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
        ),
        (
            {"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:pool-id"}},
            "cognito-identity.amazonaws.com",
        ),
    ],
    ids=["github-one-repository", "eks-service-account", "cognito-identity-pool"],
)
def test_federated_trust_pinned_to_a_subject_or_audience_passes(pack, condition, provider):
    assert check(pack, ROLE, web_identity(condition, provider)) == []
