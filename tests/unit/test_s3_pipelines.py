"""The two S3-notification pipelines as the program declares them (run under mocks)."""

import json

import pytest

from components.config import ConfigError
from tests.graph import (
    BUCKET,
    FUNCTION,
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
NOTIFICATION = "aws:s3/bucketNotification:BucketNotification"
PERMISSION = "aws:lambda/permission:Permission"
INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
# Removals by a request, and expirations by a lifecycle rule (which never send ObjectRemoved:*).
FOLLOWS_DELETES = [
    "s3:ObjectCreated:*",
    "s3:ObjectRemoved:*",
    "s3:LifecycleExpiration:Delete",
    "s3:LifecycleExpiration:DeleteMarkerCreated",
]


@pytest.fixture(scope="module")
def dev():
    return run_program(stack="dev")


def parts(run, pipeline):
    root = component(run, pipeline)
    return {
        "buckets": {b.name: b for b in within(run, root, BUCKET)},
        "tables": within(run, root, TABLE),
        "function": only(within(run, root, FUNCTION)),
        "policy": policy(only(within(run, root, ROLE_POLICY)))["Statement"],
        "queue": only(within(run, root, QUEUE)),
        "notification": only(within(run, root, NOTIFICATION)),
        "permission": only(within(run, root, PERMISSION)),
        "invoke": only(within(run, root, INVOKE_CONFIG)),
    }


def common_statements(p):
    return own_log_and_dlq_statements(p["function"], p["queue"])


def expect_s3_trigger(p, bucket):
    permission = p["permission"]
    assert permission.inputs == {
        "action": "lambda:InvokeFunction",
        "function": p["function"].outputs["name"],
        "principal": "s3.amazonaws.com",
        "sourceArn": bucket.outputs["arn"],
        "sourceAccount": ACCOUNT,
    }
    notification = p["notification"]
    assert notification.inputs["bucket"] == bucket.outputs["bucket"]
    assert permission.urn in notification.dependencies  # S3 checks it may invoke the function
    assert p["invoke"].inputs == {
        "functionName": p["function"].outputs["name"],
        "maximumRetryAttempts": 2,
        "maximumEventAgeInSeconds": 21600,
        "destinationConfig": {"onFailure": {"destination": p["queue"].outputs["arn"]}},
    }


# --- image metadata (seed 001) ---------------------------------------------------------------------


def test_image_metadata_role_is_exactly_head_objects_and_write_rows(dev):
    p = parts(dev, "image-metadata")
    bucket = p["buckets"]["image-metadata-uploads"]
    table = only(p["tables"])
    assert p["policy"] == [
        {
            "Sid": "ReadUploads",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": [bucket.outputs["arn"] + "/*"],
        },
        {
            "Sid": "WriteMetadata",
            "Effect": "Allow",
            "Action": ["dynamodb:DeleteItem", "dynamodb:PutItem"],
            "Resource": [table.outputs["arn"]],
        },
        *common_statements(p),
    ]
    assert p["function"].inputs["environment"] == {
        "variables": {"TABLE_NAME": table.outputs["name"]}
    }


def test_image_metadata_notifies_creates_removes_and_expirations_once_per_suffix(dev):
    p = parts(dev, "image-metadata")
    bucket = p["buckets"]["image-metadata-uploads"]
    expect_s3_trigger(p, bucket)
    rules = p["notification"].inputs["lambdaFunctions"]
    assert [r["filterSuffix"] for r in rules] == [".jpg", ".jpeg", ".png", ".gif", ".webp"]
    for rule in rules:
        assert rule["events"] == FOLLOWS_DELETES
        assert rule["lambdaFunctionArn"] == p["function"].outputs["arn"]
        assert "filterPrefix" not in rule


def test_image_metadata_table_matches_the_seed(dev):
    table = only(parts(dev, "image-metadata")["tables"]).inputs
    assert (table["hashKey"], table["attributes"]) == (
        "filename",
        [{"name": "filename", "type": "S"}],
    )
    assert table["billingMode"] == "PAY_PER_REQUEST"
    assert table["pointInTimeRecovery"] == {"enabled": True}
    assert table["streamEnabled"] is False


def test_image_metadata_suffixes_and_retries_come_from_the_stack():
    run = run_with(
        imageMetadata={
            "enabled": True,
            "suffixes": [".heic", ".JPG"],
            "maximumRetryAttempts": 0,
            "maximumEventAgeInSeconds": 600,
            "tableName": "ImageMetadataTable",
        }
    )
    rules = only(run.of_type(NOTIFICATION)).inputs["lambdaFunctions"]
    assert [r["filterSuffix"] for r in rules] == [".heic", ".JPG"]
    invoke = only(run.of_type(INVOKE_CONFIG)).inputs
    assert (invoke["maximumRetryAttempts"], invoke["maximumEventAgeInSeconds"]) == (0, 600)
    assert only(run.of_type(TABLE)).outputs["name"] == "ImageMetadataTable"


@pytest.mark.parametrize(
    "suffixes, message",
    [([".jpg", "photo.jpg"], "non-overlapping"), ([".png", ".png"], "distinct"), ([], "list")],
)
def test_suffixes_s3_would_refuse_are_refused(suffixes, message):
    with pytest.raises(ConfigError, match=f"imageMetadata.suffixes.*{message}"):
        run_with(imageMetadata={"enabled": True, "suffixes": suffixes})


# --- object copy (seed 004) ------------------------------------------------------------------------


def test_object_copy_role_is_exactly_the_seeds_intent(dev):
    p = parts(dev, "object-copy")
    source = p["buckets"]["object-copy-source"].outputs["arn"]
    destination = p["buckets"]["object-copy-destination"].outputs["arn"]
    assert p["policy"] == [
        {
            "Sid": "ReadSourceObjects",
            "Effect": "Allow",
            "Action": [
                "s3:GetObject",
                "s3:GetObjectTagging",
                "s3:GetObjectVersion",
                "s3:GetObjectVersionTagging",
            ],
            "Resource": [f"{source}/*"],
        },
        {
            "Sid": "WriteCopies",
            "Effect": "Allow",
            "Action": ["s3:AbortMultipartUpload", "s3:PutObject", "s3:PutObjectTagging"],
            "Resource": [f"{destination}/copies/*"],
        },  # Pulumi.dev.yaml: destinationPrefix copies/
        *common_statements(p),
    ]


def test_object_copy_notifies_creates_only_and_passes_its_settings(dev):
    p = parts(dev, "object-copy")
    source, destination = (
        p["buckets"]["object-copy-source"],
        p["buckets"]["object-copy-destination"],
    )
    expect_s3_trigger(p, source)
    [rule] = p["notification"].inputs["lambdaFunctions"]
    assert rule["events"] == ["s3:ObjectCreated:*"]
    assert p["function"].inputs["environment"]["variables"] == {
        "DESTINATION_BUCKET": destination.outputs["bucket"],
        "DESTINATION_PREFIX": "copies/",
        "MIRROR_DELETES": "false",
        "MULTIPART_THRESHOLD_BYTES": str(5 * 1024**3),
    }
    assert source.outputs["bucket"] != destination.outputs["bucket"]


def test_filters_mirrored_deletes_and_unversioned_buckets():
    run = run_with(
        objectCopy={
            "enabled": True,
            "filterPrefix": "incoming/",
            "filterSuffix": ".csv",
            "mirrorDeletes": True,
            "versioning": False,
        }
    )
    [rule] = only(run.of_type(NOTIFICATION)).inputs["lambdaFunctions"]
    assert rule == {
        "lambdaFunctionArn": only(run.of_type(FUNCTION)).outputs["arn"],
        "events": FOLLOWS_DELETES,  # expired objects lose their copies too
        "filterPrefix": "incoming/",
        "filterSuffix": ".csv",
    }
    statements = {s["Sid"]: s for s in policy(only(run.of_type(ROLE_POLICY)))["Statement"]}
    assert statements["ReadSourceObjects"]["Action"] == ["s3:GetObject", "s3:GetObjectTagging"]
    assert statements["ReadSourceObjects"]["Resource"][0].endswith("/incoming/*")
    assert statements["DeleteCopies"]["Action"] == ["s3:DeleteObject"]
    source = next(b for b in run.of_type(BUCKET) if b.name == "object-copy-source")
    assert statements["ListSourceBucket"] == {
        "Sid": "ListSourceBucket",
        "Effect": "Allow",
        "Action": ["s3:ListBucket"],
        "Resource": [source.outputs["arn"]],
    }
    assert not run.of_type("aws:s3/bucketVersioning:BucketVersioning")


def test_the_same_bucket_as_source_and_destination_is_refused_by_config():
    with pytest.raises(
        ConfigError, match="destinationBucketName: must differ from sourceBucketName"
    ):
        run_with(
            objectCopy={
                "enabled": True,
                "sourceBucketName": "acme-media",
                "destinationBucketName": "acme-media",
            }
        )


def test_the_component_refuses_it_too(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: loop\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(
        "from components.object_copy import ObjectCopy, ObjectCopyArgs\n"
        "ObjectCopy('copy', ObjectCopyArgs(source_bucket_name='media',\n"
        "           destination_bucket_name='media'))\n"
    )
    with pytest.raises(ValueError, match="ObjectCopyArgs.destination_bucket_name: must differ"):
        run_program(tmp_path)


# --- both ----------------------------------------------------------------------------------------


def test_every_bucket_of_both_pipelines_is_a_secure_bucket(dev):
    for pipeline in ("image-metadata", "object-copy"):
        for bucket in within(dev, component(dev, pipeline), BUCKET):
            parent = dev.by_urn(bucket.parent)
            assert parent.type == "event-pipelines:index:SecureBucket"
            kinds = {r.type.split(":")[-1] for r in descendants(dev, parent)}
            assert {
                "BucketPublicAccessBlock",
                "BucketPolicy",
                "BucketOwnershipControls",
                "BucketServerSideEncryptionConfiguration",
            } <= kinds


def test_stack_outputs_name_what_users_look_for(dev):
    image, copy = parts(dev, "image-metadata"), parts(dev, "object-copy")
    assert (
        dev.outputs["imageMetadataBucketName"]
        == image["buckets"]["image-metadata-uploads"].outputs["bucket"]
    )
    assert dev.outputs["imageMetadataTableName"] == only(image["tables"]).outputs["name"]
    assert (
        dev.outputs["objectCopySourceBucketName"]
        == copy["buckets"]["object-copy-source"].outputs["bucket"]
    )
    assert (
        dev.outputs["objectCopyDestinationBucketName"]
        == copy["buckets"]["object-copy-destination"].outputs["bucket"]
    )
    assert json.dumps(dev.outputs)  # plain values only
