"""The two DynamoDB-stream pipelines as the program declares them (run under mocks)."""

import json

import pytest

from tests.graph import (
    BUCKET,
    FUNCTION,
    MAPPING,
    QUEUE,
    ROLE_POLICY,
    TABLE,
    component,
    descendants,
    only,
    own_log_and_dlq_statements,
    policy,
    run_with,
    within,
)
from tools.program import run_program

ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def dev():
    return run_program(stack="dev")


@pytest.fixture(scope="module")
def prod():
    return run_program(stack="prod")


def parts(run, pipeline):
    root = component(run, pipeline)
    return {
        "table": only(within(run, root, TABLE)),
        "function": only(within(run, root, FUNCTION)),
        "policy": policy(only(within(run, root, ROLE_POLICY))),
        "queue": only(within(run, root, QUEUE)),
        "mapping": only(within(run, root, MAPPING)),
        "buckets": within(run, root, BUCKET),
    }


def stream_read_statement(p):
    return {
        "Sid": "ReadTableStream",
        "Effect": "Allow",
        "Action": ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
        "Resource": [p["table"].outputs["streamArn"]],
    }


def log_and_dlq_statements(p):
    return own_log_and_dlq_statements(p["function"], p["queue"])


def expect_stream_table(table, key, view_type, deletion_protection):
    inputs = table.inputs
    assert inputs["hashKey"] == key
    assert inputs["attributes"] == [{"name": key, "type": "S"}]
    assert inputs["billingMode"] == "PAY_PER_REQUEST"
    assert (inputs["streamEnabled"], inputs["streamViewType"]) == (True, view_type)
    assert inputs["pointInTimeRecovery"] == {"enabled": True}
    assert inputs["serverSideEncryption"] == {"enabled": True}
    assert inputs["deletionProtectionEnabled"] is deletion_protection


def expect_safe_mapping(p, event_names):
    mapping = p["mapping"].inputs
    assert mapping["eventSourceArn"] == p["table"].outputs["streamArn"]
    assert mapping["functionName"] == p["function"].outputs["arn"]
    assert mapping["startingPosition"] == "TRIM_HORIZON"
    assert mapping["filterCriteria"] == {
        "filters": [{"pattern": json.dumps({"eventName": event_names})}]
    }
    assert json.loads(mapping["filterCriteria"]["filters"][0]["pattern"]) == {
        "eventName": event_names
    }
    assert mapping["functionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["bisectBatchOnFunctionError"] is True
    # Bounded (never -1), with the defaults the dev stack leaves alone.
    assert mapping["maximumRetryAttempts"] == 5
    assert mapping["maximumRecordAgeInSeconds"] == 86400
    assert mapping["batchSize"] == 100
    assert mapping["maximumBatchingWindowInSeconds"] == 1
    assert mapping["parallelizationFactor"] == 1
    assert mapping["destinationConfig"] == {
        "onFailure": {"destinationArn": p["queue"].outputs["arn"]}
    }


# --- user buckets (seed 000) ---------------------------------------------------------------------


def test_user_buckets_role_is_exactly_stream_read_and_prefixed_bucket_creation(dev):
    p = parts(dev, "user-buckets")
    assert p["policy"] == {
        "Version": "2012-10-17",
        "Statement": [
            stream_read_statement(p),
            {
                "Sid": "CreateUserBuckets",
                "Effect": "Allow",
                "Action": [
                    "s3:CreateBucket",
                    "s3:PutBucketPublicAccessBlock",
                    "s3:PutBucketTagging",
                    "s3:PutEncryptionConfiguration",
                ],
                "Resource": ["arn:aws:s3:::example-dev-users-*"],
            },
            *log_and_dlq_statements(p),
        ],
    }


def test_user_buckets_table_stream_and_trigger(dev):
    p = parts(dev, "user-buckets")
    expect_stream_table(p["table"], "id", "NEW_IMAGE", deletion_protection=False)
    expect_safe_mapping(p, ["INSERT", "MODIFY"])
    assert p["function"].inputs["environment"] == {
        "variables": {"BUCKET_PREFIX": "example-dev-users"}
    }
    assert p["buckets"] == []  # the function makes the buckets, the stack does not


def test_bucket_arns_follow_the_partition():
    run = run_with(region="cn-north-1", userBuckets={"enabled": True, "bucketPrefix": "acme-users"})
    statements = policy(only(run.of_type(ROLE_POLICY)))["Statement"]
    assert statements[1]["Resource"] == ["arn:aws-cn:s3:::acme-users-*"]
    assert statements[0]["Resource"][0].startswith("arn:aws-cn:dynamodb:cn-north-1:")


# --- stream archive (seed 002) ------------------------------------------------------------------


def test_stream_archive_role_is_exactly_stream_read_and_writes_under_the_table_folder(dev):
    p = parts(dev, "stream-archive")
    bucket = only(p["buckets"])
    table_name = p["table"].outputs["name"]
    assert p["policy"] == {
        "Version": "2012-10-17",
        "Statement": [
            stream_read_statement(p),
            {
                "Sid": "WriteArchiveObjects",
                "Effect": "Allow",
                "Action": ["s3:PutObject"],
                "Resource": [f"{bucket.outputs['arn']}/{table_name}/*"],
            },
            *log_and_dlq_statements(p),
        ],
    }


def test_stream_archive_matches_the_seeds_resources_on_a_supported_runtime(dev):
    p = parts(dev, "stream-archive")
    expect_stream_table(p["table"], "UserId", "NEW_AND_OLD_IMAGES", deletion_protection=False)
    expect_safe_mapping(p, ["INSERT", "REMOVE"])
    assert p["function"].inputs["runtime"] == "python3.13"  # the seed's python3.8 is retired
    bucket = only(p["buckets"])
    assert p["function"].inputs["environment"] == {
        "variables": {"BUCKET_NAME": bucket.outputs["bucket"]}
    }


def test_the_archive_bucket_is_private_encrypted_tls_only_and_versioned(dev):
    root = component(dev, "stream-archive-bucket")
    by_type = {r.type.split(":")[-1]: r for r in descendants(dev, root)}
    bucket = by_type["Bucket"]
    assert by_type["BucketPublicAccessBlock"].inputs == {
        "bucket": bucket.id,
        "blockPublicAcls": True,
        "blockPublicPolicy": True,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
    }
    assert by_type["BucketServerSideEncryptionConfiguration"].inputs["rules"] == [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}
    ]
    assert by_type["BucketOwnershipControls"].inputs["rule"] == {
        "objectOwnership": "BucketOwnerEnforced"
    }
    assert by_type["BucketVersioning"].inputs["versioningConfiguration"] == {"status": "Enabled"}
    assert by_type["BucketLifecycleConfiguration"].inputs["rules"] == [
        {
            "id": "abort-incomplete-multipart-uploads",
            "status": "Enabled",
            "filter": {"prefix": ""},
            "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7},
        }
    ]
    bucket_policy = by_type["BucketPolicy"]
    assert policy(bucket_policy)["Statement"] == [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [bucket.outputs["arn"], bucket.outputs["arn"] + "/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ]
    assert by_type["BucketPublicAccessBlock"].urn in bucket_policy.dependencies
    assert bucket.inputs["forceDestroy"] is True  # dev says so


def test_prod_keeps_buckets_and_protects_tables(prod):
    assert {b.inputs["forceDestroy"] for b in prod.of_type(BUCKET)} == {False}
    assert all(t.inputs["deletionProtectionEnabled"] is True for t in prod.of_type(TABLE))
    assert {
        g.inputs["retentionInDays"] for g in prod.of_type("aws:cloudwatch/logGroup:LogGroup")
    } == {365}


def test_versioning_can_be_turned_off():
    run = run_with(streamArchive={"enabled": True, "versioning": False})
    assert not run.of_type("aws:s3/bucketVersioning:BucketVersioning")


# --- stack level --------------------------------------------------------------------------------


def test_the_seeds_names_can_be_reproduced():
    run = run_with(
        userBuckets={
            "enabled": True,
            "bucketPrefix": "acme-users",
            "tableName": "USER-DB",
            "functionName": "bucket-creation",
        },
        streamArchive={
            "enabled": True,
            "tableName": "UsersIds",
            "functionName": "my-function",
            "bucketName": "s3-files-dynamo-stream",
        },
    )
    assert sorted(t.outputs["name"] for t in run.of_type(TABLE)) == ["USER-DB", "UsersIds"]
    assert sorted(f.outputs["name"] for f in run.of_type(FUNCTION)) == [
        "bucket-creation",
        "my-function",
    ]
    assert {g.inputs["name"] for g in run.of_type("aws:cloudwatch/logGroup:LogGroup")} == {
        "/aws/lambda/bucket-creation",
        "/aws/lambda/my-function",
    }
    pipeline_buckets = [b for b in run.of_type(BUCKET) if "index:Shared" not in b.urn]
    assert only(pipeline_buckets).outputs["bucket"] == "s3-files-dynamo-stream"
    assert run.outputs["streamArchiveBucketName"] == "s3-files-dynamo-stream"


def test_stack_outputs_include_the_seeds_arns(dev):
    archive = parts(dev, "stream-archive")
    users = parts(dev, "user-buckets")
    assert dev.outputs["streamArchiveTableArn"] == archive["table"].outputs["arn"]
    assert dev.outputs["streamArchiveFunctionArn"] == archive["function"].outputs["arn"]
    assert dev.outputs["streamArchiveBucketName"] == only(archive["buckets"]).outputs["bucket"]
    assert dev.outputs["userBucketsTableArn"] == users["table"].outputs["arn"]
    assert dev.outputs["userBucketsFunctionArn"] == users["function"].outputs["arn"]
    assert dev.outputs["userBucketsDeadLetterQueueUrl"] == users["queue"].outputs["url"]


def test_a_disabled_pipeline_deploys_nothing():
    run = run_with(streamArchive={"enabled": True})
    pipelines = [r.name for r in run.resources if r.parent.endswith("::event-pipelines-dev")]
    assert pipelines == ["shared", "stream-archive"]  # shared: the stack's log bucket
    assert not any(name.startswith("userBuckets") for name in run.outputs)
    assert run_with().resources == []


def test_stream_settings_come_from_the_stack():
    run = run_with(
        userBuckets={
            "enabled": True,
            "bucketPrefix": "acme-users",
            "batchSize": 10,
            "maximumRetryAttempts": 2,
            "maximumRecordAgeInSeconds": 3600,
            "maximumBatchingWindowInSeconds": 5,
            "parallelizationFactor": 2,
        }
    )
    mapping = only(run.of_type(MAPPING)).inputs
    assert (
        mapping["batchSize"],
        mapping["maximumRetryAttempts"],
        mapping["maximumRecordAgeInSeconds"],
        mapping["maximumBatchingWindowInSeconds"],
        mapping["parallelizationFactor"],
    ) == (10, 2, 3600, 5, 2)


def test_every_resource_belongs_to_a_pipeline_component(dev):
    for resource in dev.resources:
        if resource.custom:
            assert "event-pipelines:index:" in resource.parent, resource.urn
