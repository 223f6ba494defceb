"""Every event of tests/events (AWS's documented shapes) through every handler it is meant for.

Each run ends in one of a few outcomes, asserted per file and handler, never in an unhandled
exception: PROCESSED (the row, copy, archive object or bucket is written or removed), KEPT (a
single version was deleted: handled, nothing to change), SKIPPED (handled, nothing to do, said
why), IGNORED (not an event the handler acts on: a log line, nothing touched), and for stream
records FAILED (reported in batchItemFailures, logged, retried by Lambda).
"""

import copy
import logging
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, unquote_plus

import boto3
import pytest

from handlers import image_metadata, object_copy, stream_archive, user_buckets
from tests import events
from tests.conftest import json_body

PROCESSED, KEPT, SKIPPED, IGNORED, FAILED = "processed", "kept", "skipped", "ignored", "failed"
TABLE = "ImageMetadataTable"
COPIES = "example-media-copies"
ARCHIVE = "example-stream-archive"
USER_PREFIX = "acme-users"

# S3 files: outcome in image_metadata, object_copy mirroring deletes, object_copy not mirroring.
CREATED = (PROCESSED, PROCESSED, PROCESSED)
REMOVED = (PROCESSED, PROCESSED, IGNORED)
NOT_ACTED_ON = (IGNORED, IGNORED, IGNORED)
S3_OUTCOMES = {
    "object-created-put.json": CREATED,
    "object-created-complete-multipart-upload.json": CREATED,
    "object-created-copy.json": CREATED,
    "object-created-put-encoded-key.json": CREATED,
    # moto gives the object a VersionId of its own, so to the copy the event's version is an
    # older one ("superseded"); the index describes the object as it is.
    "object-created-put-versioned.json": (PROCESSED, SKIPPED, SKIPPED),
    "object-removed-delete.json": REMOVED,
    "object-removed-delete-version.json": (KEPT, KEPT, IGNORED),
    "object-removed-delete-marker-created.json": REMOVED,
    "lifecycle-expiration-delete.json": REMOVED,
    "lifecycle-expiration-delete-marker-created.json": REMOVED,
    "lifecycle-transition.json": NOT_ACTED_ON,
    "object-restore-post.json": NOT_ACTED_ON,
    "object-restore-completed.json": NOT_ACTED_ON,
    "intelligent-tiering.json": NOT_ACTED_ON,
    "replication-operation-failed-replication.json": NOT_ACTED_ON,
    "test-event.json": NOT_ACTED_ON,
}
S3_HANDLERS = ("image_metadata", "object_copy", "object_copy_without_mirrored_deletes")
LOG_LINES = {
    KEPT: "a single version was deleted",
    SKIPPED: "superseded by version",
}

# Stream files: handler -> outcome of each record, in order.
STREAM_OUTCOMES = {
    "users-ids-new-and-old-images.json": {
        "stream_archive": [PROCESSED] * 3,
        # Not its table (no string key `id`): each record fails alone and is logged; after the
        # mapping's retries it is dead-lettered.
        "user_buckets": [FAILED] * 3,
    },
    "users-ids-new-and-old-images-undated.json": {
        "stream_archive": [PROCESSED] * 3,
        "user_buckets": [FAILED] * 3,
    },
    "users-ids-remove-by-ttl.json": {"stream_archive": [PROCESSED], "user_buckets": [FAILED]},
    "user-db-new-image.json": {
        "stream_archive": [PROCESSED] * 3,
        "user_buckets": [PROCESSED, PROCESSED, IGNORED],  # REMOVE: a user's bucket is kept
    },
    "user-db-new-image-undated.json": {
        "stream_archive": [PROCESSED] * 3,
        "user_buckets": [PROCESSED, PROCESSED, IGNORED],
    },
}


def test_every_file_is_listed_and_run():
    readme = (Path(events.__file__).parent / "README.md").read_text(encoding="utf-8")
    listed = {line.split("`")[1] for line in readme.splitlines() if line.startswith("| `")}
    assert listed == set(events.names("s3")) | set(events.names("dynamodb"))
    assert set(S3_OUTCOMES) == set(events.names("s3"))
    assert set(STREAM_OUTCOMES) == set(events.names("dynamodb"))


@pytest.mark.parametrize("kind", events.KINDS)
def test_files_hold_the_event_and_nothing_else(kind):
    test_event = {"Service", "Event", "Time", "Bucket", "RequestId", "HostId"}
    for name in events.names(kind):
        event = events.load(kind, name)
        assert set(event) in ({"Records"}, test_event), name
        assert not any(key.startswith("_") for key in str(event).split("'")), name


# --- S3 -------------------------------------------------------------------------------------------


def records_of(event) -> list:
    return event.get("Records", [])


def key_of(record) -> str:
    return unquote_plus(record["s3"]["object"]["key"])


@pytest.fixture
def s3_world(aws, monkeypatch):
    monkeypatch.setenv("TABLE_NAME", TABLE)
    monkeypatch.setenv("DESTINATION_BUCKET", COPIES)
    monkeypatch.setenv("DESTINATION_PREFIX", "")
    monkeypatch.delenv("MULTIPART_THRESHOLD_BYTES", raising=False)
    s3 = boto3.client("s3", region_name="us-east-1")
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "filename", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "filename", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    s3.create_bucket(Bucket=COPIES)
    return s3, dynamodb


def prepare(s3, dynamodb, event) -> None:
    """The bucket as it is when S3 sends the event: a created object exists, a removed one does
    not; every other object exists, has a row and a copy (which must stay as they are)."""
    for record in records_of(event):
        bucket, key = record["s3"]["bucket"]["name"], key_of(record)
        if bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
            s3.create_bucket(Bucket=bucket)
            if any("versionId" in r["s3"]["object"] for r in records_of(event)):
                s3.put_bucket_versioning(
                    Bucket=bucket, VersioningConfiguration={"Status": "Enabled"}
                )
        if not record["eventName"].startswith("ObjectRemoved:") and not record[
            "eventName"
        ].startswith("LifecycleExpiration:"):
            s3.put_object(Bucket=bucket, Key=key, Body=b"the source object")
        if not record["eventName"].startswith("ObjectCreated:"):
            dynamodb.put_item(
                TableName=TABLE,
                Item={"filename": {"S": key}, "bucket": {"S": bucket}, "seeded": {"BOOL": True}},
            )
            s3.put_object(Bucket=COPIES, Key=key, Body=b"an earlier copy")


def state(s3, dynamodb) -> tuple:
    rows = {item["filename"]["S"]: item for item in dynamodb.scan(TableName=TABLE).get("Items", [])}
    copies = {
        o["Key"]: s3.get_object(Bucket=COPIES, Key=o["Key"])["Body"].read()
        for o in s3.list_objects_v2(Bucket=COPIES).get("Contents", [])
    }
    return rows, copies


@pytest.mark.parametrize("handler", S3_HANDLERS)
@pytest.mark.parametrize("name", events.names("s3"))
def test_s3_events(s3_world, monkeypatch, caplog, name, handler):
    s3, dynamodb = s3_world
    expected = S3_OUTCOMES[name][S3_HANDLERS.index(handler)]
    event = events.load("s3", name)
    prepare(s3, dynamodb, event)
    before = state(s3, dynamodb)
    monkeypatch.setenv("MIRROR_DELETES", "false" if handler.endswith("_deletes") else "true")
    run = image_metadata.handler if handler == "image_metadata" else object_copy.handler
    caplog.set_level(logging.INFO)

    assert run(copy.deepcopy(event), None) is None  # returned normally: never a crash

    rows, copies = state(s3, dynamodb)
    if expected != PROCESSED:
        assert (rows, copies) == before
        if expected == IGNORED:
            names = [r["eventName"] for r in records_of(event)] or ["s3:TestEvent"]
            assert all(f"ignoring {n}" in caplog.text for n in names)
        else:
            assert LOG_LINES[expected] in caplog.text
        return
    for record in records_of(event):
        key = key_of(record)
        if record["eventName"].startswith("ObjectCreated:"):
            if handler == "image_metadata":
                assert rows[key]["size_in_bytes"] == {"N": str(len(b"the source object"))}
                assert rows[key]["bucket"] == {"S": record["s3"]["bucket"]["name"]}
            else:
                assert copies[key] == b"the source object"
        elif handler == "image_metadata":
            assert key not in rows
        else:
            assert key not in copies


# --- DynamoDB streams -----------------------------------------------------------------------------


@pytest.fixture
def stream_world(aws, monkeypatch):
    monkeypatch.setenv("BUCKET_NAME", ARCHIVE)
    monkeypatch.setenv("BUCKET_PREFIX", USER_PREFIX)
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=ARCHIVE)
    s3.put_bucket_versioning(Bucket=ARCHIVE, VersioningConfiguration={"Status": "Enabled"})
    return s3


def archive_key(record) -> str:
    """Where the archive must put a record (its layout, written out independently)."""
    table = record["eventSourceARN"].split(":")[5].split("/")[1]
    created = record["dynamodb"].get("ApproximateCreationDateTime")
    folder = "undated" if created is None else f"{datetime.fromtimestamp(created, UTC):%Y/%m/%d}"
    name = f"{record['dynamodb']['SequenceNumber']}-{quote(record['eventID'], safe='')}.json"
    return f"{table}/{record['eventName']}/{folder}/{name}"


def user_buckets_now(s3) -> dict:
    """Bucket name -> user-id tag, for the buckets of the user-buckets prefix."""
    found = {}
    for bucket in s3.list_buckets()["Buckets"]:
        if bucket["Name"].startswith(f"{USER_PREFIX}-"):
            tags = s3.get_bucket_tagging(Bucket=bucket["Name"])["TagSet"]
            found[bucket["Name"]] = {t["Key"]: t["Value"] for t in tags}["user-id"]
    return found


@pytest.mark.parametrize(
    "name, handler",
    [(name, handler) for name in events.names("dynamodb") for handler in STREAM_OUTCOMES[name]],
)
def test_stream_events(stream_world, caplog, name, handler):
    s3 = stream_world
    event = events.load("dynamodb", name)
    outcomes = STREAM_OUTCOMES[name][handler]
    assert len(outcomes) == len(event["Records"])
    failed = [
        {"itemIdentifier": r["dynamodb"]["SequenceNumber"]}
        for r, outcome in zip(event["Records"], outcomes, strict=True)
        if outcome == FAILED
    ]
    run = stream_archive.handler if handler == "stream_archive" else user_buckets.handler
    caplog.set_level(logging.INFO)

    # Delivered twice, as Lambda may: the same outcome, and nothing written twice.
    for _ in range(2):
        assert run(copy.deepcopy(event), None) == {"batchItemFailures": failed}

    for record, outcome in zip(event["Records"], outcomes, strict=True):
        sequence = record["dynamodb"]["SequenceNumber"]
        if outcome == FAILED:
            assert f"record {sequence} ({record['eventName']} {record['eventID']}) failed" in (
                caplog.text
            )
        elif outcome == IGNORED:
            assert f"skipping {record['eventName']} record {record['eventID']}" in caplog.text
        elif handler == "stream_archive":
            document = json_body(s3, ARCHIVE, archive_key(record))
            assert (document["eventID"], document["sequenceNumber"]) == (
                record["eventID"],
                sequence,
            )
            if "ApproximateCreationDateTime" not in record["dynamodb"]:
                assert document["approximateCreationDateTime"] is None
                assert document["receivedDateTime"]
                assert f"record {sequence} ({record['eventID']}) has no" in caplog.text
        else:
            user = record["dynamodb"]["Keys"]["id"]["S"]
            assert user in user_buckets_now(s3).values()

    if handler == "stream_archive":
        listing = s3.list_object_versions(Bucket=ARCHIVE).get("Versions", [])
        assert sorted(v["Key"] for v in listing) == sorted(
            archive_key(r) for r in event["Records"]
        )  # one object, one version per record
