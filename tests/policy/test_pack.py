"""The pack as a whole: what each rule declares, default levels, per-stack config, exemptions,
and values unknown during preview."""

import ast
import json

import pytest
from google.protobuf import json_format

from tests.policy.harness import UNKNOWN, Res, check, check_stack, names
from tools import policy_pack
from tools.program import REPO_ROOT

IAM_RULES = {
    "iam-no-broad-managed-policies",
    "iam-no-wildcard-actions",
    "iam-no-wildcard-resources",
    "iam-pass-role-named-roles",
    "iam-no-privilege-escalation",
    "iam-trust-no-public-principal",
}
ADMIN = {"role": "r", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"


def test_every_rule_says_what_why_how_and_how_bad(pack):
    for info in pack.info.policies:
        assert info.name and len(info.description) > 40, info.name
        assert info.remediation_steps, info.name
        assert info.severity, info.name
        schema = json_format.MessageToDict(info.configSchema.properties)
        assert schema["exemptResources"]["default"] == [], info.name


def test_iam_rules_are_mandatory_and_the_rest_advisory_by_default(pack):
    levels = {i.name: policy_pack.LEVEL_NAMES[i.enforcementLevel] for i in pack.info.policies}
    assert {n for n, level in levels.items() if level == "mandatory"} == IAM_RULES
    assert {level for n, level in levels.items() if n not in IAM_RULES} == {"advisory"}


def test_the_entry_point_only_builds_the_pack():
    tree = ast.parse((REPO_ROOT / "policy" / "__main__.py").read_text())
    statements = [n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom))]
    assert len(statements) == 2  # the docstring and PolicyPack(...)
    assert statements[1].value.func.id == "PolicyPack"


def test_prod_makes_every_rule_mandatory_and_dev_keeps_the_defaults(pack):
    prod = pack.configure(json.loads((REPO_ROOT / "policy/config/prod.json").read_text()))
    assert {entry["level"] for name, entry in prod.items() if name != "all"} == {"mandatory"}
    dev = pack.configure(json.loads((REPO_ROOT / "policy/config/dev.json").read_text()))
    assert dev["dynamodb-point-in-time-recovery"]["level"] == "advisory"
    assert dev["iam-no-wildcard-actions"]["level"] == "mandatory"


@pytest.mark.parametrize("level", ["advisory", "disabled"])
def test_any_rules_level_can_be_changed_per_stack(pack, level):
    violations = check(pack, ATTACHMENT, ADMIN, {"iam-no-broad-managed-policies": level})
    assert [v.enforcement for v in violations] == ([] if level == "disabled" else [level])


def test_a_level_given_for_all_then_one_rule_applies_in_that_order(pack):
    config = {"all": "advisory", "iam-no-broad-managed-policies": {"enforcementLevel": "mandatory"}}
    assert [v.enforcement for v in check(pack, ATTACHMENT, ADMIN, config)] == ["mandatory"]
    table = check(pack, "aws:dynamodb/table:Table", {}, {"all": "mandatory"})
    assert [v.enforcement for v in table] == ["mandatory"]


@pytest.mark.parametrize(
    "config, message",
    [
        (
            {"iam-no-broad-managed-policies": {"allowedPolicies": "AdministratorAccess"}},
            "allowedPolicies: 'AdministratorAccess' is not of type 'array'",
        ),
        ({"lambda-supported-runtime": {"warningDays": -1}}, "warningDays: -1 is less than"),
        ({"all": "strict"}, "'strict' is not a valid enforcement level"),
        ({"iam-no-wildcard-actions": 3}, "must be a string or object"),
    ],
)
def test_invalid_config_is_refused_as_the_cli_refuses_it(pack, config, message):
    with pytest.raises(policy_pack.PolicyPackError, match=message):
        pack.configure(config)


def test_exempt_resources_skip_resource_and_stack_rules(pack):
    exempt = {"iam-no-broad-managed-policies": {"exemptResources": ["break-glass-*"]}}
    assert check(pack, ATTACHMENT, ADMIN, exempt, name="break-glass-admin") == []
    assert names(check(pack, ATTACHMENT, ADMIN, exempt, name="app")) == [
        "iam-no-broad-managed-policies"
    ]
    bucket = Res("aws:s3/bucket:Bucket", "legacy", {"id": "legacy", "bucket": "legacy"})
    config = {
        "s3-public-access-block": {"exemptResources": ["*::legacy"]},
        "s3-tls-only": {"exemptResources": ["legacy"]},
        "s3-access-logging": {"exemptResources": ["leg*"]},
    }
    assert check_stack(pack, [bucket], config) == []


# Every property the rules read, for each type they read it on: all unknown at once.
UNKNOWN_PROPS = {
    "aws:iam/role:Role": ["assumeRolePolicy", "inlinePolicies", "managedPolicyArns", "name"],
    "aws:iam/rolePolicy:RolePolicy": ["policy", "role"],
    "aws:iam/policy:Policy": ["policy"],
    "aws:iam/policyAttachment:PolicyAttachment": ["policyArn", "roles", "users", "groups"],
    ATTACHMENT: ["policyArn", "role"],
    "aws:lambda/permission:Permission": ["principal", "sourceArn", "sourceAccount"],
    "aws:lambda/function:Function": [
        "runtime",
        "name",
        "loggingConfig",
        "packageType",
        "codeSigningConfigArn",
        "environment",
        "kmsKeyArn",
        "region",
    ],
    "aws:lambda/eventSourceMapping:EventSourceMapping": [
        "eventSourceArn",
        "startingPosition",
        "destinationConfig",
    ],
    "aws:s3/bucket:Bucket": ["acl", "policy", "grants"],
    "aws:s3/bucketPolicy:BucketPolicy": ["bucket", "policy"],
    "aws:s3/bucketAclV2:BucketAclV2": ["acl", "accessControlPolicy"],
    "aws:dynamodb/table:Table": ["pointInTimeRecovery", "serverSideEncryption", "region"],
    "aws:s3/bucketLogging:BucketLogging": ["bucket", "targetBucket"],
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": [
        "bucket",
        "rules",
    ],
    "aws:cloudfront/distribution:Distribution": ["viewerCertificate", "webAclId"],
    "aws:apigateway/restApi:RestApi": ["id", "endpointConfiguration"],
    "aws:apigateway/stage:Stage": ["restApi", "stageName", "arn"],
    "aws:wafv2/webAclAssociation:WebAclAssociation": ["resourceArn", "webAclArn"],
    "aws:kms/key:Key": ["arn", "keyId", "id", "region", "keyUsage", "customerMasterKeySpec"],
    "aws:kms/alias:Alias": ["name", "arn", "targetKeyId"],
    "aws:sqs/queue:Queue": ["kmsMasterKeyId", "sqsManagedSseEnabled", "region"],
    "aws:sns/topic:Topic": ["kmsMasterKeyId", "region"],
}


@pytest.mark.parametrize("resource_type", sorted(UNKNOWN_PROPS))
def test_unknown_values_never_stop_a_rule(pack, resource_type):
    props = {key: UNKNOWN for key in UNKNOWN_PROPS[resource_type]}
    violations = check(pack, resource_type, props)
    assert not [v for v in violations if "can't run" in v.message]


def test_unknown_outputs_never_stop_a_stack_rule(pack):
    resources = [
        Res(t, f"r{i}", {k: UNKNOWN for k in keys})
        for i, (t, keys) in enumerate(UNKNOWN_PROPS.items())
    ]
    resources += [
        Res(
            "aws:s3/bucketNotification:BucketNotification",
            "n",
            {"bucket": UNKNOWN, "lambdaFunctions": UNKNOWN},
        ),
        Res(
            "aws:cloudwatch/logGroup:LogGroup",
            "g",
            {"name": UNKNOWN, "kmsKeyId": UNKNOWN, "region": UNKNOWN},
        ),
    ]
    violations = check_stack(pack, resources)
    assert not [v for v in violations if "can't run" in v.message]
    # No block at all in the stack is known even while ids are not.
    assert "s3-public-access-block" in names(violations)


def test_known_parts_of_a_partly_unknown_role_are_still_checked(pack):
    props = {
        "assumeRolePolicy": UNKNOWN,
        "inlinePolicies": [
            {"name": "pending", "policy": UNKNOWN},
            {
                "name": "broad",
                "policy": json.dumps(
                    {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}
                ),
            },
        ],
        "managedPolicyArns": [UNKNOWN],
    }
    violations = check(pack, "aws:iam/role:Role", props)
    assert names(violations) == [
        "iam-no-privilege-escalation",
        "iam-no-wildcard-actions",
        "iam-no-wildcard-resources",
        "iam-pass-role-named-roles",
    ]
    assert all("inline policy 'broad'" in v.message for v in violations)


def test_the_docs_document_every_rule(pack):
    documented = (REPO_ROOT / "docs" / "policy-pack.md").read_text()
    for info in pack.info.policies:
        assert f"`{info.name}`" in documented, info.name


def test_the_docs_config_example_is_accepted(pack):
    documented = (REPO_ROOT / "docs" / "policy-pack.md").read_text()
    blocks = [block.split("```", 1)[0] for block in documented.split("```json\n")[1:]]
    example = next(block for block in blocks if '"s3-tls-only"' in block)
    levels = pack.configure(json.loads(example))
    assert levels["dynamodb-point-in-time-recovery"]["level"] == "advisory"
    assert levels["s3-tls-only"]["properties"]["exemptResources"] == ["legacy-*"]


def test_unknown_values_inside_lists_and_objects_stay_marked_as_unknown():
    from least_privilege.props import UNKNOWN as MARK
    from least_privilege.props import plain
    from pulumi_policy.proxy import unknown_checking_proxy

    proxied = unknown_checking_proxy({"a": [UNKNOWN, "x"], "b": {"c": UNKNOWN}, "d": UNKNOWN})
    assert plain(proxied) == {"a": [MARK, "x"], "b": {"c": MARK}, "d": MARK}
