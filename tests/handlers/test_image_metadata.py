"""handlers/image_metadata.py against the emulator, with the S3 events it emits."""

import logging
import re

import boto3
import pytest
from botocore.exceptions import ClientError

from handlers import aws_clients, image_metadata
from handlers.s3_events import MalformedEvent, sequencer_order
from tests.s3_events import S3EventTap, removal_event

BUCKET = "image-upload-bucket-123"
TABLE = "ImageMetadataTable"
KEYS = [
    "photos/2026/11/my photo+1.jpg",  # space and plus: S3 sends "my+photo%2B1.jpg"
    "사진/웃는 얼굴.png",
    "deeply/nested/prefix/a%20literal.gif",
    "empty.webp",
]


@pytest.fixture(params=["us-east-1", "eu-west-1"])
def region(request, aws, monkeypatch):
    monkeypatch.setenv("AWS_REGION", request.param)
    monkeypatch.setenv("AWS_DEFAULT_REGION", request.param)
    monkeypatch.setenv("TABLE_NAME", TABLE)
    location = (
        {}
        if request.param == "us-east-1"
        else {"CreateBucketConfiguration": {"LocationConstraint": request.param}}
    )
    boto3.client("s3", region_name=request.param).create_bucket(Bucket=BUCKET, **location)
    boto3.client("dynamodb", region_name=request.param).create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "filename", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "filename", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return request.param


@pytest.fixture
def tap(region):
    return S3EventTap(BUCKET, region)


def rows(region) -> dict:
    table = boto3.resource("dynamodb", region_name=region).Table(TABLE)
    return {item["filename"]: item for item in table.scan()["Items"]}


def deliver(events):
    for event in events:
        image_metadata.handler(event, None)


def test_uploads_get_rows_with_the_seeds_attributes_and_more(region, tap):
    for index, key in enumerate(KEYS):
        body = b"" if key == "empty.webp" else b"\x89PNG" * (index + 1)
        tap.put(key, body, ContentType="image/png" if body else "image/webp")
    events = tap.events()
    assert "my+photo%2B1.jpg" in events[0]["Records"][0]["s3"]["object"]["key"]  # as S3 sends it

    deliver(events)

    found = rows(region)
    assert sorted(found) == sorted(KEYS)
    photo = found[KEYS[0]]
    head = boto3.client("s3", region_name=region).head_object(Bucket=BUCKET, Key=KEYS[0])
    assert photo == {
        "filename": KEYS[0],
        "bucket": BUCKET,
        "size_in_bytes": 4,
        "upload_time": photo["upload_time"],
        "content_type": "image/png",
        "etag": head["ETag"].strip('"'),
        "sequencer": events[0]["Records"][0]["s3"]["object"]["sequencer"],
        "sequencer_order": sequencer_order(events[0]["Records"][0]["s3"]["object"]["sequencer"]),
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", photo["upload_time"])
    assert found["empty.webp"]["size_in_bytes"] == 0


def test_duplicate_delivery_changes_nothing(region, tap):
    tap.put("a.jpg", b"one")
    events = tap.events()
    deliver(events)
    first = rows(region)
    deliver(events)
    deliver(events)
    assert rows(region) == first


def test_a_removed_object_loses_its_row(region, tap):
    tap.put("a.jpg", b"one")
    tap.put("b.jpg", b"two")
    tap.delete("a.jpg")
    deliver(tap.events())
    assert sorted(rows(region)) == ["b.jpg"]


def test_a_delete_arriving_before_an_older_create_leaves_no_row(region, tap):
    tap.put("late.jpg", b"one")
    tap.delete("late.jpg")
    create, delete = tap.events()

    deliver([delete, create])  # out of order, as S3 may deliver them

    assert rows(region) == {}


def test_an_older_create_arriving_late_does_not_overwrite_a_newer_one(region, tap):
    tap.put("photo.jpg", b"first version")
    tap.put("photo.jpg", b"second, longer version")
    older, newer = tap.events()

    deliver([newer, older])

    row = rows(region)["photo.jpg"]
    assert row["size_in_bytes"] == len(b"second, longer version")
    assert row["sequencer"] == newer["Records"][0]["s3"]["object"]["sequencer"]


def test_an_older_delete_arriving_late_does_not_remove_a_newer_object(region, tap):
    tap.put("photo.jpg", b"first")
    tap.delete("photo.jpg")
    tap.put("photo.jpg", b"back again")
    first, delete, again = tap.events()

    deliver([first, again, delete])

    assert rows(region)["photo.jpg"]["size_in_bytes"] == len(b"back again")


def test_a_failing_head_object_raises_so_lambda_retries(region, tap, monkeypatch):
    tap.put("a.jpg", b"one")
    [event] = tap.events()
    s3 = aws_clients.client("s3")

    def denied(**_):
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "denied"}}, "HeadObject")

    monkeypatch.setattr(s3, "head_object", denied)
    with pytest.raises(ClientError, match="AccessDenied"):
        image_metadata.handler(event, None)
    assert rows(region) == {}


def test_a_failing_table_write_raises(region, tap, monkeypatch):
    tap.put("a.jpg", b"one")
    [event] = tap.events()
    monkeypatch.setenv("TABLE_NAME", "no-such-table")
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        image_metadata.handler(event, None)


def test_versioned_buckets_record_the_version(region):
    boto3.client("s3", region_name=region).put_bucket_versioning(
        Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"}
    )
    tap = S3EventTap(BUCKET, region)
    written = tap.put("v.jpg", b"one")
    deliver(tap.events())
    assert rows(region)["v.jpg"]["version_id"] == written["VersionId"]


def test_deleting_a_single_version_leaves_the_row(region, tap):
    tap.put("v.jpg", b"one")
    deliver(tap.events())
    deliver([removal("ObjectRemoved:Delete", "v.jpg", "3HL4kqtJlcpXroDT")])
    assert "v.jpg" in rows(region)


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"Records": "x"},
        {"Records": ["x"]},
        {"Records": [{"s3": {}}]},  # no eventName
        {"Records": [{"eventName": "ObjectCreated:Put"}]},  # no s3 section
        {"Event": "s3:TestEvent"},  # not S3's test message: no Service, no Records
        {
            "Records": [
                {
                    "eventName": "ObjectCreated:Put",
                    "s3": {"bucket": {"name": "b"}, "object": {"key": "k", "sequencer": "not hex"}},
                }
            ]
        },
    ],
)
def test_something_that_is_not_an_s3_event_is_refused(region, event):
    with pytest.raises(MalformedEvent):
        image_metadata.handler(event, None)


def test_sequencers_compare_as_aws_says():
    # Right-pad the shorter with zeros, then compare: "1" is "10", after "0F".
    assert sequencer_order("0F") < sequencer_order("1")
    assert sequencer_order("617F0829932D1A") < sequencer_order("617F0829932D1B3")
    assert sequencer_order("abc") == sequencer_order("ABC0")


# --- races and event variants ---------------------------------------------------------------------


def test_an_object_deleted_while_its_row_is_written_loses_the_row(region, tap, monkeypatch):
    tap.put("racy.jpg", b"one")
    [create] = tap.events()
    dynamodb = aws_clients.client("dynamodb")
    real_put = dynamodb.put_item

    def put_after_a_concurrent_delete(**request):
        # Between this invocation's HeadObject and its PutItem, the object is deleted and the
        # remove event handled by another invocation: it finds no row to delete.
        monkeypatch.setattr(dynamodb, "put_item", real_put)
        tap.delete("racy.jpg")
        deliver(tap.events())
        return real_put(**request)

    monkeypatch.setattr(dynamodb, "put_item", put_after_a_concurrent_delete)
    deliver([create])

    assert rows(region) == {}


def test_a_row_written_without_sequencer_is_updated_by_later_events(region, tap):
    tap.put("a.jpg", b"one")
    tap.put("a.jpg", b"two, longer")
    first, second = tap.events()
    del first["Records"][0]["s3"]["object"]["sequencer"]
    deliver([first, second])
    assert rows(region)["a.jpg"]["size_in_bytes"] == len(b"two, longer")


def test_the_row_describes_the_object_as_it_is_not_as_the_event_says(region, tap):
    tap.put("a.jpg", b"one")
    tap.put("a.jpg", b"two, longer")
    first, _second = tap.events()
    deliver([first])  # handled after the second upload, before the second event
    row = rows(region)["a.jpg"]
    assert row["size_in_bytes"] == len(b"two, longer")  # HeadObject, not the event's size


def test_the_null_version_of_a_suspended_bucket_is_not_recorded(region, tap, monkeypatch):
    tap.put("n.jpg", b"one")
    s3 = aws_clients.client("s3")
    real_head = s3.head_object

    def suspended(**request):  # S3 reports objects written while versioning is suspended so
        return {**real_head(**request), "VersionId": "null"}

    monkeypatch.setattr(s3, "head_object", suspended)
    deliver(tap.events())
    assert "version_id" not in rows(region)["n.jpg"]


def removal(event_name, key, version_id=None):
    return removal_event(BUCKET, event_name, key, version_id)


def test_a_delete_marker_removes_the_row(region, tap):
    tap.put("v.jpg", b"one")
    deliver(tap.events())
    deliver([removal("ObjectRemoved:DeleteMarkerCreated", "v.jpg", "dm-version-1")])
    assert rows(region) == {}


# --- lifecycle expirations, events not acted on, the test event -----------------------------------


@pytest.mark.parametrize(
    "event_name, version_id",
    [
        ("LifecycleExpiration:Delete", None),  # an unversioned bucket: the object is gone
        ("LifecycleExpiration:DeleteMarkerCreated", "dm-version-1"),
    ],
)
def test_an_object_expired_by_a_lifecycle_rule_loses_its_row(region, tap, event_name, version_id):
    tap.put("old.jpg", b"one")
    deliver(tap.events())
    deliver([removal(event_name, "old.jpg", version_id)])
    assert rows(region) == {}


def test_a_version_expired_by_a_lifecycle_rule_leaves_the_row(region, tap):
    tap.put("v.jpg", b"one")
    deliver(tap.events())
    deliver([removal("LifecycleExpiration:Delete", "v.jpg", "noncurrent-version")])
    assert "v.jpg" in rows(region)


def test_an_older_expiration_does_not_remove_a_newer_upload(region, tap):
    tap.put("photo.jpg", b"back again")
    deliver(tap.events())
    deliver([removal_event(BUCKET, "LifecycleExpiration:Delete", "photo.jpg", sequencer="01")])
    assert "photo.jpg" in rows(region)


@pytest.mark.parametrize(
    "event_name",
    [
        "LifecycleTransition",
        "ObjectRestore:Post",
        "ObjectRestore:Completed",
        "ObjectRestore:Delete",
        "IntelligentTiering",
        "Replication:OperationFailedReplication",
        "ObjectTagging:Put",
        "ObjectAcl:Put",
        "ReducedRedundancyLostObject",
    ],
)
def test_events_it_does_not_act_on_are_logged_and_left(region, tap, caplog, event_name):
    tap.put("a.jpg", b"one")
    deliver(tap.events())
    before = rows(region)
    event = removal_event(BUCKET, event_name, "a.jpg", sequencer="not hex")
    caplog.set_level(logging.INFO, logger="handlers.s3_events")

    image_metadata.handler(event, None)  # the sequencer it would not use is not checked

    assert rows(region) == before
    assert f"ignoring {event_name} s3://{BUCKET}/a.jpg" in caplog.text


def test_the_test_event_s3_sends_on_configuration_is_logged_and_left(region, caplog):
    caplog.set_level(logging.INFO, logger="handlers.s3_events")
    event = {
        "Service": "Amazon S3",
        "Event": "s3:TestEvent",
        "Time": "2026-03-01T17:45:09.213Z",
        "Bucket": BUCKET,
        "RequestId": "2B7D1F0C9E8A6B4D",
        "HostId": "kQ3wE5rT7yU9iO1pA3sD5fG7hJ9kL1zX3cV5bN7mQ9wE1rT3yU5iO7pA9sD1fG=",
    }
    assert image_metadata.handler(event, None) is None
    assert f"ignoring s3:TestEvent for bucket {BUCKET} (request 2B7D1F0C9E8A6B4D" in caplog.text
    assert rows(region) == {}


def test_an_event_it_does_not_act_on_is_not_read_any_further(region, caplog):
    caplog.set_level(logging.INFO, logger="handlers.s3_events")
    image_metadata.handler({"Records": [{"eventName": "LifecycleTransition", "s3": []}]}, None)
    assert "ignoring LifecycleTransition s3://None/None" in caplog.text
