"""Stream archive: every change record of a table becomes one JSON object in the archive bucket.

Environment: BUCKET_NAME. The event source mapping delivers INSERT and REMOVE records (the seed's
filter). Each object lands at `<table>/<eventName>/<yyyy>/<mm>/<dd>/<SequenceNumber>.json`: the key
and the body depend only on the record. Writes are conditional (If-None-Match: *), so a retried
batch finds its objects already there and leaves them: one object, and one version in a versioned
bucket, per record however often it is delivered.
"""

import base64
import json
import logging
import os
from datetime import UTC, datetime

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError

from handlers import aws_clients
from handlers.stream_batch import RecordError, describe, process_batch

logger = logging.getLogger(__name__)


def handler(event, context):
    bucket = os.environ["BUCKET_NAME"]  # missing: misconfigured function, fail the whole batch
    return process_batch(event, lambda record: archive(record, bucket))


def archive(record: dict, bucket: str) -> None:
    key, document = archive_object(record)
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
        # Already archived by an earlier delivery, with the same body: nothing to do.
        logger.info("record %s already archived at s3://%s/%s", _sequence(record), bucket, key)
        return
    logger.info("record %s archived at s3://%s/%s", _sequence(record), bucket, key)


def _sequence(record: dict) -> str:
    return describe(record)["sequenceNumber"]


def archive_object(record: dict) -> tuple:
    """The (key, document) for one stream record, or RecordError saying what is missing."""
    change = record.get("dynamodb")
    if not isinstance(change, dict):
        raise RecordError("the record has no 'dynamodb' section")
    event_name = record.get("eventName")
    if event_name not in ("INSERT", "MODIFY", "REMOVE"):
        raise RecordError(f"unknown eventName {event_name!r}")
    sequence_number = change.get("SequenceNumber")
    if not sequence_number or not str(sequence_number).isdigit():
        raise RecordError(f"unusable SequenceNumber {sequence_number!r}")
    created = change.get("ApproximateCreationDateTime")
    if not isinstance(created, (int, float)) or isinstance(created, bool):
        raise RecordError(f"unusable ApproximateCreationDateTime {created!r}")
    when = datetime.fromtimestamp(created, tz=UTC)
    table = table_name(record.get("eventSourceARN"))

    document = {
        "table": table,
        "eventID": record.get("eventID"),
        "eventName": event_name,
        "approximateCreationDateTime": when.isoformat(),
        "sequenceNumber": sequence_number,
        "keys": plain(change.get("Keys")),
        "newImage": plain(change.get("NewImage")),
        "oldImage": plain(change.get("OldImage")),
    }
    key = f"{table}/{event_name}/{when:%Y/%m/%d}/{sequence_number}.json"
    return key, document


def table_name(event_source_arn) -> str:
    # arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>
    parts = str(event_source_arn or "").split(":", 5)
    resource = parts[5].split("/") if len(parts) == 6 else []
    if len(resource) < 4 or resource[0] != "table" or resource[2] != "stream" or not resource[1]:
        raise RecordError(f"eventSourceARN {event_source_arn!r} is not a DynamoDB stream ARN")
    return resource[1]


class _JsonDeserializer(TypeDeserializer):
    """DynamoDB JSON to plain JSON values: binary stays base64 text, numbers become int or float."""

    def _deserialize_b(self, value):
        if isinstance(value, (bytes, bytearray)):
            return base64.b64encode(value).decode("ascii")
        base64.b64decode(value, validate=True)  # Lambda delivers base64 text: check it is
        return value

    def _deserialize_bs(self, value):
        return sorted(self._deserialize_b(item) for item in value)

    def _deserialize_ns(self, value):
        return sorted(self._deserialize_n(item) for item in value)

    def _deserialize_ss(self, value):
        return sorted(value)

    def _deserialize_n(self, value):
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
