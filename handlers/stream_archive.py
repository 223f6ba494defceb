"""Stream archive: every change record of a table becomes one JSON object in the archive bucket.

Environment: BUCKET_NAME. The event source mapping delivers INSERT and REMOVE records (the seed's
filter). Each object lands at

    <table>/<eventName>/<yyyy>/<mm>/<dd>/<SequenceNumber>-<eventID>.json

(the date is the record's ApproximateCreationDateTime, UTC), and the key depends only on the
record: a SequenceNumber is unique within a shard only, so two records of different shards may
share one; the eventID, unique per record, tells them apart. Writes are conditional
(If-None-Match: *), so a redelivered record finds its object already there and leaves it: one
object, and one version in a versioned bucket, per record however often it is delivered.

A record without ApproximateCreationDateTime (AWS's documented example has none; real streams send
it) goes to `<table>/<eventName>/undated/<SequenceNumber>-<eventID>.json`, its body carrying
the time the batch arrived (`receivedDateTime`, one clock reading per batch). That time stays out of
the key: a redelivery on another day would otherwise write a second object.
"""

import base64
import json
import logging
import os
from datetime import UTC, datetime
from urllib.parse import quote

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError

from handlers import aws_clients
from handlers.stream_batch import RecordError, describe, process_batch

logger = logging.getLogger(__name__)

UNDATED = "undated"  # the folder of records without ApproximateCreationDateTime


def handler(event, context):
    bucket = os.environ["BUCKET_NAME"]  # missing: misconfigured function, fail the whole batch
    received = _now()  # one reading for the whole batch
    return process_batch(event, lambda record: archive(record, bucket, received))


def _now() -> datetime:
    return datetime.now(UTC)


def archive(record: dict, bucket: str, received: datetime | None = None) -> None:
    key, document = archive_object(record, received)
    if document["approximateCreationDateTime"] is None:
        logger.warning(
            "record %s (%s) has no ApproximateCreationDateTime: archived under %s/ with the "
            "batch's arrival time %s",
            _sequence(record),
            document["eventID"],
            UNDATED,
            document["receivedDateTime"],
        )
    try:
        aws_clients.client("s3").put_object(
            Bucket=bucket,
            Key=key,
            Body=json.dumps(
                document, sort_keys=True, separators=(",", ":"), allow_nan=False
            ).encode(),
            ContentType="application/json",
            IfNoneMatch="*",
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "PreconditionFailed":
            raise  # ConditionalRequestConflict (a concurrent write) and the rest: retry
        # The same record (table, event, SequenceNumber and eventID) was archived by an earlier
        # delivery: nothing to do (an undated one keeps the arrival time of its first delivery).
        logger.info("record %s already archived at s3://%s/%s", _sequence(record), bucket, key)
        return
    logger.info("record %s archived at s3://%s/%s", _sequence(record), bucket, key)


def _sequence(record: dict) -> str:
    return describe(record)["sequenceNumber"]


def archive_object(record: dict, received: datetime | None = None) -> tuple:
    """The (key, document) for one stream record, or RecordError saying what is missing.

    `received` (the batch's arrival, now by default) is recorded only for a record without
    ApproximateCreationDateTime, and never in the key."""
    change = record.get("dynamodb")
    if not isinstance(change, dict):
        raise RecordError("the record has no 'dynamodb' section")
    event_name = record.get("eventName")
    if event_name not in ("INSERT", "MODIFY", "REMOVE"):
        raise RecordError(f"unknown eventName {event_name!r}")
    sequence_number = change.get("SequenceNumber")
    if not sequence_number or not str(sequence_number).isdigit():
        raise RecordError(f"unusable SequenceNumber {sequence_number!r}")
    event_id = record.get("eventID")
    if not isinstance(event_id, str) or not event_id.strip():
        raise RecordError(f"unusable eventID {event_id!r}")
    when = _creation_time(change)
    table = table_name(record.get("eventSourceARN"))

    document = {
        "table": table,
        "eventID": event_id,
        "eventName": event_name,
        "approximateCreationDateTime": when.isoformat() if when else None,
        "sequenceNumber": sequence_number,
        "keys": plain(change.get("Keys")),
        "newImage": plain(change.get("NewImage")),
        "oldImage": plain(change.get("OldImage")),
    }
    # quote(): an eventID is opaque text; encoded, it can never add a folder to the key.
    name = f"{sequence_number}-{quote(event_id, safe='')}.json"
    if when is None:
        received = received or _now()
        document["receivedDateTime"] = received.isoformat()
        return f"{table}/{event_name}/{UNDATED}/{name}", document
    return f"{table}/{event_name}/{when:%Y/%m/%d}/{name}", document


def _creation_time(change: dict) -> datetime | None:
    """ApproximateCreationDateTime as UTC; None when the record has none."""
    created = change.get("ApproximateCreationDateTime")
    if created is None:
        return None
    if not isinstance(created, (int, float)) or isinstance(created, bool):
        raise RecordError(f"unusable ApproximateCreationDateTime {created!r}")
    try:
        return datetime.fromtimestamp(created, tz=UTC)
    except (ValueError, OverflowError, OSError) as error:  # NaN, out of range
        raise RecordError(f"unusable ApproximateCreationDateTime {created!r}: {error}") from error


def table_name(event_source_arn) -> str:
    # arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>
    parts = str(event_source_arn or "").split(":", 5)
    resource = parts[5].split("/") if len(parts) == 6 else []
    if len(resource) < 4 or resource[0] != "table" or resource[2] != "stream" or not resource[1]:
        raise RecordError(f"eventSourceARN {event_source_arn!r} is not a DynamoDB stream ARN")
    return resource[1]


class _JsonDeserializer(TypeDeserializer):
    """DynamoDB JSON to plain JSON values: binary stays base64 text, numbers become int or float.

    The overrides return other types than the base's on purpose; boto3 declares none, pyright
    infers them from its bodies (Binary, Decimal, set), hence the ignores below."""

    def _deserialize_b(self, value):  # pyright: ignore[reportIncompatibleMethodOverride]
        if isinstance(value, (bytes, bytearray)):
            return base64.b64encode(value).decode("ascii")
        base64.b64decode(value, validate=True)  # Lambda delivers base64 text: check it is
        return value

    def _deserialize_bs(self, value):  # pyright: ignore[reportIncompatibleMethodOverride]
        return sorted(self._deserialize_b(item) for item in value)

    def _deserialize_ns(self, value):  # pyright: ignore[reportIncompatibleMethodOverride]
        return sorted(self._deserialize_n(item) for item in value)

    def _deserialize_ss(self, value):  # pyright: ignore[reportIncompatibleMethodOverride]
        return sorted(value)

    def _deserialize_n(self, value):  # pyright: ignore[reportIncompatibleMethodOverride]
        number = super()._deserialize_n(value)
        if not number.is_finite():  # the decimal context turns text like "abc" into NaN
            raise ValueError(f"{value!r} is not a DynamoDB number")
        return int(number) if number == number.to_integral_value() else float(number)


_deserializer = _JsonDeserializer()


def plain(image):
    """A DynamoDB-typed map ({"id": {"S": "a"}}) as plain JSON ({"id": "a"}); None stays None."""
    if image is None:
        return None
    try:
        return {name: _deserializer.deserialize(value) for name, value in image.items()}
    except (TypeError, ValueError, AttributeError, ArithmeticError) as error:
        raise RecordError(f"image is not valid DynamoDB JSON: {error}") from error
