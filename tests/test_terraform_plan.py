"""tools.terraform_plan: Pulumi types, names and values as a Terraform plan (no checkov needed)."""

import json

import pytest

from tools import terraform_plan as tp


@pytest.mark.parametrize(
    ("pulumi_type", "expected"),
    [
        ("aws:s3/bucket:Bucket", "aws_s3_bucket"),
        ("aws:s3/bucketV2:BucketV2", "aws_s3_bucket"),
        ("aws:s3/bucketObjectv2:BucketObjectv2", "aws_s3_object"),
        (
            "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
            "aws_s3_bucket_server_side_encryption_configuration",
        ),
        (
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "aws_s3_bucket_public_access_block",
        ),
        ("aws:lambda/function:Function", "aws_lambda_function"),
        (
            "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
            "aws_lambda_function_event_invoke_config",
        ),
        ("aws:apigateway/stage:Stage", "aws_api_gateway_stage"),
        ("aws:apigateway/response:Response", "aws_api_gateway_gateway_response"),
        ("aws:cloudfront/distribution:Distribution", "aws_cloudfront_distribution"),
        ("aws:wafv2/webAcl:WebAcl", "aws_wafv2_web_acl"),
        ("aws:wafv2/webAclAssociation:WebAclAssociation", "aws_wafv2_web_acl_association"),
        ("aws:kms/key:Key", "aws_kms_key"),
        ("aws:cloudwatch/logGroup:LogGroup", "aws_cloudwatch_log_group"),
        ("aws:ec2/securityGroup:SecurityGroup", "aws_security_group"),
        ("aws:cloudtrail/trail:Trail", "aws_cloudtrail"),
        ("pulumi:providers:aws", None),
        ("event-pipelines:index:SecureBucket", None),
        ("random:index/randomId:RandomId", None),
    ],
)
def test_terraform_type(pulumi_type, expected):
    assert tp.terraform_type(pulumi_type) == expected


def test_property_names():
    assert tp.snake_case("isIpv6Enabled") == "is_ipv6_enabled"
    assert tp.snake_case("s3BucketArn") == "s3_bucket_arn"
    assert tp.singular("origins") == "origin"
    assert tp.singular("globalSecondaryIndexes") == "globalSecondaryIndex"
    assert tp.singular("inlinePolicies") == "inlinePolicy"
    assert tp.singular("egress") == "egress"
    stage = "aws:apigateway/stage:Stage"
    assert tp.name_to_terraform(stage, "restApi") == "rest_api_id"
    assert tp.name_to_terraform(stage, "deployment") == "deployment_id"
    assert tp.name_to_terraform("aws:apigateway/method:Method", "restApi") == "rest_api_id"
    assert tp.name_to_terraform("aws:lambda/permission:Permission", "function") == "function_name"
    assert tp.name_to_terraform("aws:lambda/function:Function", "name") == "function_name"
    assert tp.address_name("notes-site-app.js") == "notes_site_app_js"


def test_objects_become_lists_of_one_block():
    distribution = tp.to_terraform(
        "aws:cloudfront/distribution:Distribution",
        {
            "viewerCertificate": {"cloudfrontDefaultCertificate": True},
            "origins": [{"originId": "site", "domainName": "b.s3.amazonaws.com"}],
            "restrictions": {"geoRestriction": {"restrictionType": "none"}},
            "tags": {"Team": "web", "costCenter": "42"},
        },
    )
    assert distribution == {
        "viewer_certificate": [{"cloudfront_default_certificate": True}],
        "origin": [{"origin_id": "site", "domain_name": "b.s3.amazonaws.com"}],
        "restrictions": [{"geo_restriction": [{"restriction_type": "none"}]}],
        "tags": {"Team": "web", "costCenter": "42"},  # a map keeps its keys
    }
    function = tp.to_terraform(
        "aws:lambda/function:Function",
        {
            "tracingConfig": {"mode": "Active"},
            "environment": {"variables": {"TABLE_NAME": "Notes"}},
            "architectures": ["arm64"],
        },
    )
    assert function == {
        "tracing_config": [{"mode": "Active"}],
        "environment": [{"variables": {"TABLE_NAME": "Notes"}}],
        "architectures": ["arm64"],
    }
    table = tp.to_terraform(
        "aws:dynamodb/table:Table",
        {"serverSideEncryption": {"enabled": True}, "attributes": [{"name": "id", "type": "S"}]},
    )
    assert table == {
        "server_side_encryption": [{"enabled": True}],
        "attribute": [{"name": "id", "type": "S"}],
    }
    # A type pulumi_aws does not know: objects with property-like keys are taken for blocks.
    assert tp.to_terraform("aws:nowhere/thing:Thing", {"someConfig": {"isOn": True}}) == {
        "some_config": [{"is_on": True}]
    }


def test_wire_values():
    assert tp.plain(3.0) == 3 and isinstance(tp.plain(3.0), int)
    assert tp.plain(0.5) == 0.5
    secret = {tp._SIGNATURE_KEY: tp._SECRET, "value": "s3cret"}
    assert tp.plain(secret) == "s3cret"
    asset = {tp._SIGNATURE_KEY: tp._ASSET, "path": "/site/index.html"}
    assert tp.plain(asset) == "/site/index.html"
    assert tp.plain(tp.UNKNOWN) is tp.UNKNOWN_VALUE
    assert tp.plain({"a": 1.0, "__defaults": []}) == {"a": 1}


def test_unknowns_are_dropped_and_marked():
    unknown = tp.UNKNOWN_VALUE
    known, after_unknown = tp.split_unknowns(
        {"bucket": unknown, "rule": [{"status": "Enabled", "id": unknown}], "ids": ["a", unknown]}
    )
    assert known == {"rule": [{"status": "Enabled"}], "ids": ["a", None]}
    assert after_unknown == {"bucket": True, "rule": [{"id": True}], "ids": [False, True]}
    assert tp.split_unknowns({"a": 1}) == ({"a": 1}, None)


@pytest.fixture(scope="module")
def prod_plan():
    return tp.stack_plan(stack="prod")


def _by_address(plan):
    return {r["address"]: r for r in plan["planned_values"]["root_module"]["resources"]}


def test_prod_plan(prod_plan):
    assert prod_plan["format_version"] == "1.2"
    assert prod_plan["terraform_version"]
    planned = prod_plan["planned_values"]["root_module"]["resources"]
    addresses = [r["address"] for r in planned]
    assert len(addresses) == len(set(addresses))
    assert all(r["address"] == f"{r['type']}.{r['name']}" for r in planned)
    assert all(r["mode"] == "managed" and r["provider_name"] == tp.PROVIDER_NAME for r in planned)
    types = {r["type"] for r in planned}
    assert {
        "aws_s3_bucket",
        "aws_s3_bucket_public_access_block",
        "aws_s3_bucket_server_side_encryption_configuration",
        "aws_s3_bucket_policy",
        "aws_lambda_function",
        "aws_lambda_permission",
        "aws_iam_role",
        "aws_iam_role_policy",
        "aws_dynamodb_table",
        "aws_sqs_queue",
        "aws_cloudwatch_log_group",
        "aws_api_gateway_rest_api",
        "aws_api_gateway_stage",
        "aws_cloudfront_distribution",
        "aws_cognito_user_pool",
    } <= types
    assert not any(t.startswith("pulumi") or ":" in t for t in types)
    changes = prod_plan["resource_changes"]
    assert [c["address"] for c in changes] == addresses
    assert all(c["change"]["actions"] == ["create"] for c in changes)
    assert all(c["change"]["after"] == r["values"] for c, r in zip(changes, planned, strict=True))
    configured = prod_plan["configuration"]["root_module"]["resources"]
    assert [c["address"] for c in configured] == addresses
    json.dumps(prod_plan)  # plain JSON throughout


def test_prod_plan_blocks_and_references(prod_plan):
    resources = _by_address(prod_plan)
    distribution = next(r for r in resources.values() if r["type"] == "aws_cloudfront_distribution")
    assert isinstance(distribution["values"]["viewer_certificate"], list)
    assert isinstance(distribution["values"]["default_cache_behavior"][0], dict)
    configured = {c["address"]: c for c in prod_plan["configuration"]["root_module"]["resources"]}
    blocks = [r for r in resources.values() if r["type"] == "aws_s3_bucket_public_access_block"]
    assert blocks
    for block in blocks:
        # The bucket's id is unknown until apply: absent, and its expression names the bucket.
        assert "bucket" not in block["values"]
        references = configured[block["address"]]["expressions"]["bucket"]["references"]
        assert references[1] in resources and references[1].startswith("aws_s3_bucket.")
        assert references[0] == f"{references[1]}.id"
    change = next(c for c in prod_plan["resource_changes"] if c["address"] == blocks[0]["address"])
    assert change["change"]["after_unknown"]["bucket"] is True
    every_reference = [
        reference
        for c in configured.values()
        for reference in json.dumps(c["expressions"]).split('"')
        if reference.startswith("aws_") and reference.count(".") == 1
    ]
    assert every_reference and all(r in resources for r in every_reference)


def test_the_docs_explain_every_check_prod_is_allowed_to_fail():
    from bench.security_scan import EXPLAINED_IN_PROD
    from tools.program import REPO_ROOT

    posture = (REPO_ROOT / "docs" / "security-posture.md").read_text(encoding="utf-8")
    missing = [check for check in sorted(EXPLAINED_IN_PROD) if check not in posture]
    assert missing == []
