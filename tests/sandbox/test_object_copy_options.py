"""The object copy pipeline with its options on, in a sandbox of its own: deletes mirrored, and
objects over the (lowered) multipart threshold copied part by part with boto3's managed copy.
The role for these options is proven like the default one: sufficient, every statement needed."""

import hashlib
import json

import pytest
from botocore.exceptions import ClientError

from components.args import MIN_PART_BYTES
from tests.sandbox.roles import role_policy, statements_that_allowed, unnecessary_statements
from tools.sandbox import scenarios
from tools.sandbox.sandbox import Sandbox

OFF = json.dumps({"enabled": False})
OPTIONS = {
    "event-pipelines:userBuckets": OFF,
    "event-pipelines:streamArchive": OFF,
    "event-pipelines:imageMetadata": OFF,
    "event-pipelines:notesApi": OFF,
    "event-pipelines:objectCopy": json.dumps(
        {
            "enabled": True,
            "destinationPrefix": "copies/",
            "mirrorDeletes": True,
            "multipartThresholdBytes": MIN_PART_BYTES,
        }
    ),
}


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(stack="dev", config=OPTIONS) as running:
        yield running


def mirrored_multipart(sandbox, run: str) -> scenarios.Outcome:
    outcome = scenarios.Outcome("objectCopy")
    source = sandbox.outputs["objectCopySourceBucketName"]
    destination = sandbox.outputs["objectCopyDestinationBucketName"]
    big, small, poison = f"{run}/video.bin", f"{run}/notes.txt", f"{run}/poison.txt"
    function = sandbox.function("objectCopy")
    # So that the dead-letter queue's statement is needed too.
    scenarios.poison_copy(sandbox, function, f"copies/{poison}")
    body = hashlib.sha256(run.encode()).digest() * (MIN_PART_BYTES // 32 + 4096)  # > threshold
    s3 = sandbox.client("s3")
    s3.put_object(
        Bucket=source,
        Key=big,
        Body=body,
        ContentType="video/mp4",
        Metadata={"camera": "front"},
        Tagging="retention=short",
    )
    s3.put_object(Bucket=source, Key=small, Body=b"remember the milk")
    s3.put_object(Bucket=source, Key=poison, Body=b"never copied")
    sandbox.settle()
    try:
        copied = s3.get_object(Bucket=destination, Key=f"copies/{big}")
        tags = s3.get_object_tagging(Bucket=destination, Key=f"copies/{big}")["TagSet"]
        outcome.check(
            f"{big} ({len(body)} bytes) copied in parts: same bytes, type, metadata and tags",
            copied["Body"].read() == body
            and copied["ContentType"] == "video/mp4"
            and copied["Metadata"] == {"camera": "front"}
            and tags == [{"Key": "retention", "Value": "short"}],
            f"{copied['ContentType']}, {copied['Metadata']}, {tags}",
        )
    except ClientError as error:
        outcome.check(f"{big} copied", False, str(error))

    s3.delete_object(Bucket=source, Key=small)
    sandbox.settle()
    try:
        s3.head_object(Bucket=destination, Key=f"copies/{small}")
        gone = False
    except ClientError as error:
        gone = error.response["Error"]["Code"] == "404"
    outcome.check(f"deleting {small} in the source deleted its copy", gone)
    scenarios.check_logs(outcome, sandbox, function, [f"s3://{destination}/copies/{big}"])
    scenarios.check_event_dead_letter(outcome, sandbox, "objectCopy", poison)
    return outcome


STORY = scenarios.Scenario("objectCopy", "multipart copy and mirrored delete", mirrored_multipart)


def test_options_reach_the_function(sandbox):
    function = sandbox.function("objectCopy")
    assert function.environment["MIRROR_DELETES"] == "true"
    assert function.environment["MULTIPART_THRESHOLD_BYTES"] == str(MIN_PART_BYTES)
    assert list(sandbox.deployment.functions) == [function.name]


def test_large_objects_copy_in_parts_and_deletes_are_mirrored(sandbox, run_id):
    function = sandbox.function("objectCopy")
    calls_before = len(sandbox.guard.calls)

    outcome = scenarios.tell(sandbox, STORY, run_id)

    assert outcome.ok, "\n".join(str(c) for c in outcome.checks)
    calls = sandbox.guard.calls_of(function.name)
    operations = {c.operation for c in sandbox.guard.calls[calls_before:] if c in calls}
    assert {"CreateMultipartUpload", "UploadPartCopy", "CompleteMultipartUpload"} <= operations
    assert "CopyObject" in operations, "the small object is copied in one request"
    assert "DeleteObject" in operations
    assert not [c.describe() for c in calls if not c.allowed]
    _, policy = role_policy(sandbox, function)
    assert statements_that_allowed(sandbox, function, calls_before) == {
        s["Sid"] for s in policy["Statement"]
    }


def test_every_statement_of_the_options_role_is_necessary(sandbox, run_id):
    assert unnecessary_statements(sandbox, STORY, run_id) == []
