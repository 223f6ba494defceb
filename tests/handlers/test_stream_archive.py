"""handlers/stream_archive.py against the emulator, with records read from a real DynamoDB stream."""

import copy
import logging
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import quote

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


def expected_key(record, table="UsersIds") -> str:
    created = record["dynamodb"].get("ApproximateCreationDateTime")
    folder = "undated" if created is None else f"{datetime.fromtimestamp(created, UTC):%Y/%m/%d}"
    return (
        f"{table}/{record['eventName']}/{folder}/"
        f"{record['dynamodb']['SequenceNumber']}-{quote(record['eventID'], safe='')}.json"
    )


def versions(region) -> dict:
    """key -> number of versions (a second write of one record would add one)."""
    listing = boto3.client("s3", region_name=region).list_object_versions(Bucket=ARCHIVE)
    counts = {}
    for version in listing.get("Versions", []):
        counts[version["Key"]] = counts.get(version["Key"], 0) + 1
    return counts


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
        lambda r: r["dynamodb"].__setitem__("ApproximateCreationDateTime", "2026-03-02"),
        lambda r: r["dynamodb"].__setitem__("ApproximateCreationDateTime", 1e20),
        lambda r: r.pop("eventID"),
        lambda r: r.__setitem__("eventID", " "),
        lambda r: r["dynamodb"]["NewImage"].__setitem__("blob", {"B": "%%% not base64"}),
        lambda r: r.__setitem__("eventName", "UPSERT"),
    ],
    ids=[
        "no-source-arn",
        "not-a-stream-arn",
        "not-a-table-stream",
        "bool-timestamp",
        "text-timestamp",
        "out-of-range-timestamp",
        "no-event-id",
        "blank-event-id",
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


# --- records without ApproximateCreationDateTime, and sequence numbers shared across shards ------

DAY_ONE = datetime(2026, 3, 2, 23, 59, 58, tzinfo=UTC)
DAY_TWO = datetime(2026, 3, 3, 0, 0, 30, tzinfo=UTC)


def undated(events) -> dict:
    for record in events["Records"]:
        del record["dynamodb"]["ApproximateCreationDateTime"]  # as AWS's documented example
    return events


def test_a_record_without_creation_time_is_archived_undated_with_the_batch_arrival(
    region, monkeypatch, caplog
):
    table, batch = users_ids_table(region)
    table.put_item(Item={"UserId": "u-1"})
    table.put_item(Item={"UserId": "u-2"})
    events = undated(batch())
    readings = []
    monkeypatch.setattr(stream_archive, "_now", lambda: readings.append(DAY_ONE) or DAY_ONE)
    caplog.set_level(logging.INFO, logger="handlers.stream_archive")

    assert stream_archive.handler(events, None) == {"batchItemFailures": []}

    objects = archived(region)
    assert sorted(objects) == sorted(expected_key(r) for r in events["Records"])
    assert all(key.startswith("UsersIds/INSERT/undated/") for key in objects)
    for record in events["Records"]:
        document = objects[expected_key(record)]
        assert document["approximateCreationDateTime"] is None
        assert document["receivedDateTime"] == DAY_ONE.isoformat()
        assert (
            f"record {record['dynamodb']['SequenceNumber']} ({record['eventID']}) has no "
            "ApproximateCreationDateTime"
        ) in caplog.text
    assert readings == [DAY_ONE]  # one clock reading for the whole batch


def test_an_undated_record_redelivered_on_another_day_stays_one_object(region, monkeypatch):
    table, batch = users_ids_table(region)
    table.put_item(Item={"UserId": "u-1"})
    events = undated(batch())
    monkeypatch.setattr(stream_archive, "_now", lambda: DAY_ONE)
    stream_archive.handler(copy.deepcopy(events), None)
    first = archived(region)

    monkeypatch.setattr(stream_archive, "_now", lambda: DAY_TWO)  # the retry, after midnight
    assert stream_archive.handler(copy.deepcopy(events), None) == {"batchItemFailures": []}

    assert archived(region) == first  # the first delivery's arrival time is kept
    assert versions(region) == {expected_key(events["Records"][0]): 1}


def test_two_records_with_one_sequence_number_are_both_archived(region):
    table, batch = users_ids_table(region)
    table.put_item(Item={"UserId": "u-1", "shard": "a"})
    table.put_item(Item={"UserId": "u-2", "shard": "b"})
    events = batch()
    first, second = events["Records"]
    # Two shards of one stream may number records alike; same event and day, too.
    second["dynamodb"]["SequenceNumber"] = first["dynamodb"]["SequenceNumber"]
    second["dynamodb"]["ApproximateCreationDateTime"] = first["dynamodb"][
        "ApproximateCreationDateTime"
    ]

    assert stream_archive.handler(events, None) == {"batchItemFailures": []}

    objects = archived(region)
    assert len(objects) == 2
    assert {doc["keys"]["UserId"] for doc in objects.values()} == {"u-1", "u-2"}
    assert objects[expected_key(first)]["eventID"] == first["eventID"]
    assert objects[expected_key(second)]["eventID"] == second["eventID"]

    # Each redelivered on its own, in another batch: still one object and one version each.
    for record in (second, first):
        assert stream_archive.handler({"Records": [copy.deepcopy(record)]}, None) == {
            "batchItemFailures": []
        }
    assert archived(region) == objects
    assert versions(region) == {expected_key(first): 1, expected_key(second): 1}


def test_the_key_depends_on_the_record_alone():
    record = {
        "eventID": "a/b c",  # opaque text: encoded, it adds no folder to the key
        "eventName": "REMOVE",
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:111122223333:table/T/stream/2026-01-01",
        "dynamodb": {"SequenceNumber": "123456789012345678901", "Keys": {"k": {"S": "v"}}},
    }
    one = stream_archive.archive_object(copy.deepcopy(record), DAY_ONE)
    two = stream_archive.archive_object(copy.deepcopy(record), DAY_TWO)
    assert one[0] == two[0] == "T/REMOVE/undated/123456789012345678901-a%2Fb%20c.json"
    assert (one[1]["receivedDateTime"], two[1]["receivedDateTime"]) == (
        DAY_ONE.isoformat(),
        DAY_TWO.isoformat(),
    )
