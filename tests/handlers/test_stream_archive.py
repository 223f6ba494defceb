"""handlers/stream_archive.py against the emulator, with records read from a real DynamoDB stream."""

import copy
from datetime import UTC, datetime
from decimal import Decimal

import boto3
import pytest

from components.stream_archive import ARCHIVED_EVENTS
from handlers import stream_archive
from tests.conftest import json_body
from tests.streams import create_stream_table, lambda_batch, stream_records

ARCHIVE = "s3-files-dynamo-stream"


@pytest.fixture(params=["us-east-1", "eu-central-1"])
def region(request, aws, monkeypatch):
    monkeypatch.setenv("AWS_REGION", request.param)
    monkeypatch.setenv("AWS_DEFAULT_REGION", request.param)
    monkeypatch.setenv("BUCKET_NAME", ARCHIVE)
    s3 = boto3.client("s3", region_name=request.param)
    location = (
        {}
        if request.param == "us-east-1"
        else {"CreateBucketConfiguration": {"LocationConstraint": request.param}}
    )
    s3.create_bucket(Bucket=ARCHIVE, **location)
    # Versioned, as the stack deploys it: a duplicate write would show as an extra version.
    s3.put_bucket_versioning(Bucket=ARCHIVE, VersioningConfiguration={"Status": "Enabled"})
    return request.param


def users_ids_table(region):
    """The seed's table (UserId, NEW_AND_OLD_IMAGES); returns it and a reader of its batch."""
    stream = create_stream_table("UsersIds", "UserId", "NEW_AND_OLD_IMAGES", region)
    table = boto3.resource("dynamodb", region_name=region).Table("UsersIds")
    return table, (lambda: lambda_batch(stream_records(stream, region), ARCHIVED_EVENTS))


def archived(region) -> dict:
    s3 = boto3.client("s3", region_name=region)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=ARCHIVE).get("Contents", [])]
    return {key: json_body(s3, ARCHIVE, key) for key in keys}


def expected_key(record) -> str:
    when = datetime.fromtimestamp(record["dynamodb"]["ApproximateCreationDateTime"], UTC)
    return (
        f"UsersIds/{record['eventName']}/{when:%Y/%m/%d}/"
        f"{record['dynamodb']['SequenceNumber']}.json"
    )


def test_inserts_and_removals_become_plain_json_objects(region):
    table, batch = users_ids_table(region)
    table.put_item(
        Item={
            "UserId": "u-1",
            "age": 42,
            "score": Decimal("97.5"),
            "avatar": b"\x89PNG",
            "roles": {"b-admin", "a-reader"},
            "badges": {3, 1, Decimal("2.5")},
            "keys": {b"\x02", b"\x01"},
            "address": {"city": "Seoul", "zip": 4524},
            "history": [1, "two", None, True],
        }
    )
    table.update_item(
        Key={"UserId": "u-1"}, UpdateExpression="SET age = :a", ExpressionAttributeValues={":a": 43}
    )
    table.delete_item(Key={"UserId": "u-1"})
    events = batch()
    assert [r["eventName"] for r in events["Records"]] == ["INSERT", "REMOVE"]  # MODIFY filtered

    assert stream_archive.handler(events, None) == {"batchItemFailures": []}

    objects = archived(region)
    insert, remove = events["Records"]
    assert sorted(objects) == sorted([expected_key(insert), expected_key(remove)])
    new_image = {
        "UserId": "u-1",
        "age": 42,
        "score": 97.5,
        "avatar": "iVBORw==",  # base64, as DynamoDB JSON carries binaries
        "roles": ["a-reader", "b-admin"],  # sets become sorted lists
        "badges": [1, 2.5, 3],
        "keys": ["AQ==", "Ag=="],
        "address": {"city": "Seoul", "zip": 4524},
        "history": [1, "two", None, True],
    }
    assert objects[expected_key(insert)] == {
        "table": "UsersIds",
        "eventID": insert["eventID"],
        "eventName": "INSERT",
        "approximateCreationDateTime": datetime.fromtimestamp(
            insert["dynamodb"]["ApproximateCreationDateTime"], UTC
        ).isoformat(),
        "sequenceNumber": insert["dynamodb"]["SequenceNumber"],
        "keys": {"UserId": "u-1"},
        "newImage": new_image,
        "oldImage": None,
    }
    removed = objects[expected_key(remove)]
    assert removed["newImage"] is None
    assert removed["oldImage"] == {**new_image, "age": 43}
    head = boto3.client("s3", region_name=region).head_object(
        Bucket=ARCHIVE, Key=expected_key(insert)
    )
    assert head["ContentType"] == "application/json"


def test_a_retried_batch_leaves_one_object_and_one_version_per_record(region):
    table, batch = users_ids_table(region)
    for n in range(5):
        table.put_item(Item={"UserId": f"u-{n}"})
    events = batch()
    stream_archive.handler(events, None)
    first = archived(region)

    assert stream_archive.handler(events, None) == {"batchItemFailures": []}
    assert stream_archive.handler(copy.deepcopy(events), None) == {"batchItemFailures": []}

    assert archived(region) == first
    assert len(first) == 5
    versions = boto3.client("s3", region_name=region).list_object_versions(Bucket=ARCHIVE)
    assert len(versions["Versions"]) == 5


def test_a_poison_record_fails_alone(region):
    table, batch = users_ids_table(region)
    for n in range(3):
        table.put_item(Item={"UserId": f"u-{n}", "n": n})
    events = batch()
    poison = events["Records"][1]
    poison["dynamodb"]["NewImage"]["n"] = {"N": "not-a-number"}

    result = stream_archive.handler(events, None)

    assert result == {
        "batchItemFailures": [{"itemIdentifier": poison["dynamodb"]["SequenceNumber"]}]
    }
    good = [events["Records"][0], events["Records"][2]]
    assert sorted(archived(region)) == sorted(expected_key(r) for r in good)


@pytest.mark.parametrize(
    "damage",
    [
        lambda r: r.pop("eventSourceARN"),
        lambda r: r.__setitem__("eventSourceARN", "arn:aws:s3:::not-a-stream"),
        lambda r: r.__setitem__(
            "eventSourceARN", "arn:aws:dynamodb:us-east-1:1:index/UsersIds/stream/x"
        ),
        lambda r: r["dynamodb"].__setitem__("ApproximateCreationDateTime", True),
        lambda r: r["dynamodb"].pop("ApproximateCreationDateTime"),
        lambda r: r["dynamodb"]["NewImage"].__setitem__("blob", {"B": "%%% not base64"}),
        lambda r: r.__setitem__("eventName", "UPSERT"),
    ],
    ids=[
        "no-source-arn",
        "not-a-stream-arn",
        "not-a-table-stream",
        "bool-timestamp",
        "no-timestamp",
        "bad-binary",
        "unknown-event",
    ],
)
def test_malformed_records_are_reported_not_archived(region, damage):
    table, batch = users_ids_table(region)
    table.put_item(Item={"UserId": "u-1"})
    events = batch()
    damage(events["Records"][0])

    result = stream_archive.handler(events, None)

    assert result == {
        "batchItemFailures": [
            {"itemIdentifier": events["Records"][0]["dynamodb"]["SequenceNumber"]}
        ]
    }
    assert archived(region) == {}


def test_an_unwritable_archive_reports_every_record_for_retry(region, monkeypatch):
    table, batch = users_ids_table(region)
    table.put_item(Item={"UserId": "u-1"})
    table.put_item(Item={"UserId": "u-2"})
    events = batch()
    monkeypatch.setenv("BUCKET_NAME", "no-such-archive-bucket")

    result = stream_archive.handler(events, None)

    assert result == {
        "batchItemFailures": [
            {"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in events["Records"]
        ]
    }


def test_a_function_without_its_bucket_fails_the_whole_batch(region, monkeypatch):
    table, batch = users_ids_table(region)
    table.put_item(Item={"UserId": "u-1"})
    monkeypatch.delenv("BUCKET_NAME")
    with pytest.raises(KeyError, match="BUCKET_NAME"):
        stream_archive.handler(batch(), None)
