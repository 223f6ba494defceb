"""IAM verdicts that follow AWS's semantics on real policies: Denies, wildcard partitions,
conditions that narrow resources, NotAction, escalation targets, managed policies judged by their
documents. Each test names the AWS document its expectation comes from."""

import json

import pytest
from least_privilege import escalation, managed_policies

from tests.policy.harness import ACCOUNT, check, document, finding, names, only

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
IAM_RULES = {
    "iam-no-wildcard-actions",
    "iam-no-wildcard-resources",
    "iam-pass-role-named-roles",
    "iam-no-privilege-escalation",
}


def inline(pack, *statements) -> list:
    return check(pack, ROLE_POLICY, {"role": "r", "policy": document(*statements)})


def allow(action, resource="*", **more) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **more}


def deny(action, resource="*", **more) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **more}


# --- Deny statements (IAM User Guide, "Policy evaluation logic": an explicit deny wins) ----------


def test_an_allow_a_deny_takes_back_entirely_grants_nothing(pack):
    # Was refused three times (PassRole, wildcard resources, escalation).
    assert inline(pack, allow("iam:PassRole"), deny("iam:PassRole")) == []
    assert inline(pack, allow("s3:*"), deny("*")) == []
    assert inline(pack, allow("iam:PassRole"), deny("iam:*", ["arn:aws:s3:::x", "*"])) == []


def test_a_deny_itself_is_never_reported(pack):
    assert inline(pack, deny("*"), deny("iam:*", NotResource="arn:aws:iam::*:role/app")) == []


def test_what_a_deny_leaves_is_still_judged(pack):
    violations = inline(pack, allow("iam:*"), deny("iam:PassRole"))
    assert names(violations) == [
        "iam-no-privilege-escalation",
        "iam-no-wildcard-actions",
        "iam-no-wildcard-resources",
    ]
    escalations = finding(only(violations, "iam-no-privilege-escalation"))
    assert "iam:PutRolePolicy" in escalations and "iam:PassRole" not in escalations


@pytest.mark.parametrize(
    "taken_back",
    [
        # Only when its condition holds (aws:MultiFactorAuthPresent false), not for certain.
        deny("s3:GetObject", Condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}}),
        # A narrower resource: the other buckets stay allowed.
        deny("s3:GetObject", f"arn:aws:s3:::payroll-{ACCOUNT}/*"),
        # A narrower action pattern.
        deny("s3:GetObjectAcl"),
    ],
)
def test_a_deny_that_does_not_cover_the_allow_takes_nothing_back(pack, taken_back):
    assert names(inline(pack, allow("s3:GetObject"), taken_back)) == ["iam-no-wildcard-resources"]


def test_a_not_action_deny_takes_back_what_it_does_not_name(pack):
    every_but = {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}
    assert inline(pack, allow("iam:PassRole"), every_but) == []
    kept = inline(
        pack, allow("iam:PassRole"), {"Effect": "Deny", "NotAction": "iam:Pass*", "Resource": "*"}
    )
    assert "iam-pass-role-named-roles" in names(kept)


# --- wildcard partitions ------------------------------------------------------------------------


def test_a_wildcard_partition_is_not_every_resource(pack):
    # As AWS managed policies write ARNs to work in every partition.
    scoped = allow("logs:PutLogEvents", f"arn:*:logs:us-east-1:{ACCOUNT}:log-group:/app/*")
    assert inline(pack, scoped) == []
    every = allow("logs:PutLogEvents", "arn:*:logs:*:*:*")
    assert names(inline(pack, every)) == ["iam-no-wildcard-resources"]
    # Also for iam:PassRole: a named role is named in any partition; a role wildcard is not.
    named = allow("iam:PassRole", f"arn:*:iam::{ACCOUNT}:role/app-function")
    assert inline(pack, named) == []
    any_role = allow("iam:PassRole", f"arn:*:iam::{ACCOUNT}:role/*")
    assert "iam-pass-role-named-roles" in names(inline(pack, any_role))


# --- conditions that narrow the resources (policy/least_privilege/conditions.py) ---------------

# The AWS Load Balancer Controller's published IAM policy: tags only on security groups it
# creates, or on those already tagged as its cluster's.
LBC_TAG_ON_CREATE = allow(
    "ec2:CreateTags",
    "arn:aws:ec2:*:*:security-group/*",
    Condition={
        "StringEquals": {"ec2:CreateAction": "CreateSecurityGroup"},
        "Null": {"aws:RequestTag/elbv2.k8s.aws/cluster": "false"},
    },
)
LBC_RETAG = allow(
    ["ec2:CreateTags", "ec2:DeleteTags"],
    "arn:aws:ec2:*:*:security-group/*",
    Condition={
        "Null": {
            "aws:RequestTag/elbv2.k8s.aws/cluster": "true",
            "aws:ResourceTag/elbv2.k8s.aws/cluster": "false",
        }
    },
)


@pytest.mark.parametrize(
    "statement",
    [
        LBC_TAG_ON_CREATE,
        LBC_RETAG,
        # Amazon SES Developer Guide, "Controlling access to Amazon SES": ses:FromAddress.
        allow(
            ["ses:SendEmail", "ses:SendRawEmail"],
            Condition={"StringEquals": {"ses:FromAddress": "noreply@example.com"}},
        ),
        # IAM User Guide, attribute-based access control with aws:ResourceTag.
        allow(
            ["ec2:StartInstances", "ec2:StopInstances"],
            f"arn:aws:ec2:*:{ACCOUNT}:instance/*",
            Condition={"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
        ),
        # The resource's account (IAM User Guide, aws:ResourceAccount), as if the ARN named it.
        allow(
            "dynamodb:GetItem",
            "arn:aws:dynamodb:*:*:table/*",
            Condition={"StringEquals": {"aws:ResourceAccount": ACCOUNT}},
        ),
        # iam:CreateServiceLinkedRole names the role through iam:AWSServiceName.
        allow(
            "iam:CreateServiceLinkedRole",
            Condition={
                "StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}
            },
        ),
        # Service-specific resource tags, and ForAnyValue (false when the key is absent).
        allow(
            "ssm:GetParameter",
            Condition={"ForAnyValue:StringEquals": {"ssm:resourceTag/app": "web"}},
        ),
    ],
)
def test_statements_a_condition_narrows_to_some_resources_pass(pack, statement):
    assert inline(pack, statement) == []


@pytest.mark.parametrize(
    "condition",
    [
        {"Bool": {"aws:SecureTransport": "true"}},
        # IfExists and ForAllValues are true when the key is absent; negations allow the rest.
        {"StringEqualsIfExists": {"aws:ResourceTag/team": "payments"}},
        {"ForAllValues:StringEquals": {"aws:ResourceTag/team": "payments"}},
        {"StringNotEquals": {"aws:ResourceTag/team": "payments"}},
        # Null true: only resources WITHOUT the tag, any of them.
        {"Null": {"aws:ResourceTag/team": "true"}},
        # The request's tags, not the resource's.
        {"StringEquals": {"aws:RequestTag/team": "payments"}},
        {"StringLike": {"ses:FromAddress": "*"}},
        # A value that names nothing: one broad value among others lets everything through.
        {"StringLike": {"secretsmanager:SecretId": "arn:aws:secretsmanager:*"}},
        {"StringLike": {"ses:FromAddress": ["noreply@example.com", "*"]}},
    ],
)
def test_conditions_that_do_not_narrow_the_resources_leave_the_statement_refused(pack, condition):
    violation = only(
        inline(pack, allow("s3:GetObject", Condition=condition)), "iam-no-wildcard-resources"
    )
    keys = ", ".join(k for pairs in condition.values() for k in pairs)
    assert f"(its condition on {keys} does not narrow the resources)" in finding(violation)


def test_an_account_bound_is_no_bound_on_escalation_nor_on_every_resource(pack):
    # Escalation happens inside the account: aws:ResourceAccount does not stop it. And `*` in
    # one account is every resource there, as arn:aws:logs:REGION:ACCOUNT:* is.
    statement = allow(
        "iam:PutRolePolicy", Condition={"StringEquals": {"aws:ResourceAccount": ACCOUNT}}
    )
    assert names(inline(pack, statement)) == [
        "iam-no-privilege-escalation",
        "iam-no-wildcard-resources",
    ]
    read = allow("s3:GetObject", Condition={"StringEquals": {"aws:ResourceAccount": ACCOUNT}})
    assert names(inline(pack, read)) == ["iam-no-wildcard-resources"]
    tagged = allow(
        "sts:AssumeRole",
        f"arn:aws:iam::{ACCOUNT}:role/*",
        Condition={"StringEquals": {"iam:ResourceTag/assumable-by": "ci"}},
    )
    assert inline(pack, tagged) == []


# --- NotAction ------------------------------------------------------------------------------------


def test_not_action_grants_what_it_does_not_name_to_every_rule(pack):
    statement = {
        "Effect": "Allow",
        "NotAction": ["iam:Update*", "iam:Create*", "iam:Attach*"],
        "Resource": "*",
    }
    violations = inline(pack, statement)
    assert IAM_RULES == set(names(violations))
    assert "as NotAction" in finding(only(violations, "iam-pass-role-named-roles"))
    escalations = finding(only(violations, "iam-no-privilege-escalation"))
    assert "iam:PutRolePolicy" in escalations and "iam:PassRole" in escalations


def test_power_user_access_written_inline_grants_lambda_code_updates(pack):
    power_user = managed_policies.document("arn:aws:iam::aws:policy/PowerUserAccess")
    violations = check(pack, ROLE_POLICY, {"role": "r", "policy": json.dumps(power_user)})
    escalations = finding(only(violations, "iam-no-privilege-escalation"))
    # Named among the first six: the best-known escalations outside IAM lead the list.
    assert "lambda:UpdateFunctionCode" in escalations
    assert escalations.count("privilege-escalation action(s)") == 1
    assert "iam:" not in escalations.split("includes")[1]  # NotAction excludes iam:*


def test_not_action_that_excludes_pass_role_does_not_grant_it(pack):
    statement = {"Effect": "Allow", "NotAction": ["iam:*", "sts:*"], "Resource": "*"}
    assert "iam-pass-role-named-roles" not in names(inline(pack, statement))


# --- escalation targets (pathfinding.cloud; see policy/least_privilege/escalation.py) ---------------


def test_policy_versions_of_aws_managed_policies_are_not_an_escalation(pack):
    # No customer can write arn:aws:iam::aws:policy/... (IAM User Guide, "AWS managed policies").
    aws_owned = allow("iam:CreatePolicyVersion", "arn:aws:iam::aws:policy/*")
    assert inline(pack, aws_owned) == []
    own = allow("iam:CreatePolicyVersion", f"arn:aws:iam::{ACCOUNT}:policy/*")
    assert names(inline(pack, own)) == ["iam-no-privilege-escalation"]


@pytest.mark.parametrize(
    "action",
    [
        "ec2-instance-connect:SendSSHPublicKey",
        "ec2-instance-connect:SendSerialConsoleSSHPublicKey",
    ],
)
def test_instance_connect_keys_on_every_instance_are_an_escalation(pack, action):
    statement = allow(action, f"arn:aws:ec2:*:{ACCOUNT}:instance/*")
    assert names(inline(pack, statement)) == ["iam-no-privilege-escalation"]
    named = allow(action, f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0123456789abcdef0")
    assert inline(pack, named) == []


@pytest.mark.parametrize("path_id", sorted(escalation.PATHS))
def test_every_catalogued_path_is_reported(pack, path_id):
    # Each path's permissions on every resource of the account.
    statement = allow(list(escalation.PATHS[path_id]), f"arn:aws:*:*:{ACCOUNT}:*")
    assert "iam-no-privilege-escalation" in names(inline(pack, statement)), path_id


@pytest.mark.parametrize("action", sorted(escalation.RUN_ONLY))
def test_actions_that_only_set_a_path_off_are_not_called_escalations(pack, action):
    service = action.split(":")[0]
    statement = allow(action, f"arn:aws:{service}:us-east-1:{ACCOUNT}:*/*")
    assert "iam-no-privilege-escalation" not in names(inline(pack, statement))


# --- managed policies by their documents ---------------------------------------------------------


def attach(pack, name: str, path: str = "/") -> list:
    arn = f"arn:aws:iam::aws:policy{path}{name}"
    return check(pack, ATTACHMENT, {"role": "app", "policyArn": arn})


@pytest.mark.parametrize(
    "name, path, quoted",
    [
        ("SystemAdministrator", "/job-function/", '"s3:*" on "*"'),
        ("NetworkAdministrator", "/job-function/", '"directconnect:*"'),
        ("DatabaseAdministrator", "/job-function/", '"rds:*"'),
        ("AWSCodeBuildAdminAccess", "/", '"codebuild:*" on "*"'),
        ("AmazonCognitoPowerUser", "/", '"cognito-idp:*"'),
        ("AWSSupportAccess", "/", '"support:*"'),
    ],
)
def test_policies_broad_by_content_are_refused_whatever_their_name(pack, name, path, quoted):
    violation = only(attach(pack, name, path), "iam-no-broad-managed-policies")
    message = finding(violation)
    assert quoted in message and managed_policies.source() in message
    assert '"Effect": "Allow"' in message  # proposes a statement instead


@pytest.mark.parametrize(
    "name, path",
    [
        ("ReadOnlyAccess", "/"),  # Get*, List*, Describe*: not "service:*"
        ("AWSMarketplaceMeteringFullAccess", "/"),  # one action, whatever the name says
        ("AWSLambdaBasicExecutionRole", "/service-role/"),
    ],
)
def test_policies_narrow_by_content_pass_whatever_their_name(pack, name, path):
    assert attach(pack, name, path) == []


def test_a_policy_missing_from_the_snapshot_is_judged_by_its_name_and_says_so(pack):
    violation = only(attach(pack, "AmazonFutureServiceFullAccess"), "iam-no-broad-managed-policies")
    assert "not in the pack's snapshot of AWS managed policies" in finding(violation)
    assert "judged by its name" in finding(violation)
    assert attach(pack, "AmazonFutureServiceReadOnlyAccess") == []
    # A known name under a path it does not have is not the same policy.
    assert "judged by its name" in finding(
        only(attach(pack, "AmazonEC2FullAccess", "/service-role/"), "iam-no-broad-managed-policies")
    )


def test_the_snapshot_is_movtos_current_copy_with_its_source_and_date():
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    theirs = json.loads(aws_managed_policies_data)
    snapshot = managed_policies._snapshot()
    assert snapshot["source"].startswith("moto ") and snapshot["taken"]
    # A moto upgrade without `python -m tools.refresh_managed_policies` fails here.
    assert {name: entry["document"] for name, entry in snapshot["policies"].items()} == {
        name: entry["Document"] for name, entry in theirs.items()
    }


# --- messages --------------------------------------------------------------------------------------


def test_messages_name_the_service_they_mean(pack):
    violations = inline(pack, allow("cloudwatch:*"))
    text = " ".join(finding(v) for v in violations)
    assert "every cloudwatch action" in text and "every action" not in text.replace(
        "every cloudwatch action", ""
    )
    managed = " ".join(finding(v) for v in attach(pack, "AmazonCognitoPowerUser"))
    assert "the service" not in managed and "the the" not in managed


# --- what a wildcard reaches ------------------------------------------------------------------


@pytest.mark.parametrize(
    "action, one, several",
    [
        # A function's versions and aliases: arn:...:function:NAME:QUALIFIER.
        (
            "lambda:UpdateFunctionCode",
            f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:orders-api:*",
            f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:orders-*",
        ),
        # A task definition family's revisions: task-definition/FAMILY:REVISION.
        (
            "ecs:RegisterTaskDefinition",
            f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/orders-api:*",
            f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/*",
        ),
        # The id CloudFormation gives a stack: stack/NAME/ID.
        (
            "cloudformation:CreateChangeSet",
            f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/orders-api/*",
            f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/*",
        ),
        # IAM User Guide, "Allows IAM users to rotate their own access keys": the caller only.
        (
            "iam:CreateAccessKey",
            "arn:aws:iam::*:user/${aws:username}",
            "arn:aws:iam::*:user/*",
        ),
    ],
)
def test_a_wildcard_aws_fills_in_for_one_named_resource_is_no_escalation(
    pack, action, one, several
):
    # With a role to pass, for the actions whose every path also passes one.
    passes = allow("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/app-*")

    def escalates(resource: str) -> bool:
        found = inline(pack, allow(action, resource), passes)
        return any(
            v.policy == "iam-no-privilege-escalation" and f"'{action}'" in finding(v) for v in found
        )

    assert not escalates(one)
    assert escalates(several)


def test_a_required_request_tag_narrows_what_a_create_action_makes(pack):
    # The EBS CSI driver's published policy: volumes it creates carry its cluster's tag.
    volume = "arn:aws:ec2:*:*:volume/*"
    tagged = {"StringLike": {"aws:RequestTag/ebs.csi.aws.com/cluster": "true"}}
    assert inline(pack, allow("ec2:CreateVolume", volume, Condition=tagged)) == []
    assert names(inline(pack, allow("ec2:CreateVolume", volume))) == ["iam-no-wildcard-resources"]
    # Tagging changes existing resources: a request tag does not say which.
    retag = allow("ec2:CreateTags", volume, Condition=tagged)
    assert names(inline(pack, retag)) == ["iam-no-wildcard-resources"]


def test_patterns_that_are_not_a_whole_arn_can_still_be_every_resource(pack):
    for pattern in ("**", "arn:*", "arn:aws:*", "arn:aws:s3:*"):
        found = inline(pack, allow("s3:GetObject", pattern))
        assert names(found) == ["iam-no-wildcard-resources"], pattern
    assert inline(pack, allow("s3:GetObject", "arn:aws:s3:::reports/*")) == []


@pytest.mark.parametrize(
    "statement",
    [
        # A snapshot or an image is made from an existing volume or instance: any of them.
        allow(["ec2:CreateSnapshot", "ec2:CreateImage"]),
        # A pattern of actions also tags (ec2:CreateTags) what exists.
        allow("ec2:Create*", "arn:aws:ec2:*:*:volume/*"),
        # A volume made from a snapshot also needs the snapshot: a tag on the volume is not one.
        allow("ec2:CreateVolume", ["arn:aws:ec2:*:*:volume/*", "arn:aws:ec2:*:*:snapshot/*"]),
    ],
)
def test_a_request_tag_narrows_only_what_is_created(pack, statement):
    statement["Condition"] = {"StringEquals": {"aws:RequestTag/team": "payments"}}
    assert "iam-no-wildcard-resources" in names(inline(pack, statement))


def test_assuming_roles_of_any_account_is_an_escalation(pack):
    # Every member account's OrganizationAccountAccessRole trusts the management account.
    org = allow("sts:AssumeRole", "arn:aws:iam::*:role/OrganizationAccountAccessRole")
    assert "iam-no-privilege-escalation" in names(inline(pack, org))
    own = allow("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/deployer")
    assert inline(pack, own) == []


def test_what_escalates_only_by_passing_a_role_needs_a_role_to_pass(pack):
    # pathfinding.cloud's lambda-001 and ec2-001 need iam:PassRole: without one, a function or
    # an instance runs with no role worth having.
    create = allow("lambda:CreateFunction", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:app-*")
    # EC2 User Guide, "Launch instances (RunInstances)": the resources RunInstances touches.
    run = allow(
        "ec2:RunInstances",
        [
            f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/*",
            f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/*",
            f"arn:aws:ec2:us-east-1:{ACCOUNT}:network-interface/*",
            "arn:aws:ec2:us-east-1::image/ami-0123456789abcdef0",
        ],
    )
    assert inline(pack, create) == [] and inline(pack, run) == []
    named = allow("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/app-runtime")
    assert inline(pack, create, named) == []  # the one role the author chose
    loose = allow("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/*")
    found = [finding(v) for v in inline(pack, create, loose)]
    assert any("'lambda:CreateFunction'" in message for message in found)


def test_an_escalation_that_takes_only_every_resource_is_told_to_narrow_or_go(pack):
    # lambda:CreateEventSourceMapping accepts only "*" (Service Authorization Reference).
    found = inline(pack, allow("lambda:CreateEventSourceMapping"), allow("iam:PassRole"))
    message = next(
        finding(v)
        for v in found
        if v.policy == "iam-no-privilege-escalation" and "CreateEventSourceMapping" in finding(v)
    )
    assert 'only accept Resource "*"' in message and "name the exact resources" not in message
