"""Image metadata: one row per object of the upload bucket, kept in step with S3's events.

Environment: TABLE_NAME (partition key `filename`).

Created: HeadObject, then write filename, bucket, size_in_bytes, upload_time (the object's
LastModified, ISO-8601 UTC), content_type, etag and version_id when present, and the event's
sequencer (with `sequencer_order`, its comparable form). Removed (ObjectRemoved:*, or
LifecycleExpiration:* when a lifecycle rule expires it): delete the row. Every write is
conditional on the sequencer, so an older event (late, or delivered twice) never overwrites or
deletes what a newer one wrote. An object already gone when its create event arrives is not
indexed, and one deleted while its row was being written (its remove event handled in between,
finding no row) is looked up again after the write and its row taken back.

Errors raise: S3 invokes asynchronously, so Lambda retries the event and then sends it to the
dead-letter queue. (The seed returned statusCode 500, which Lambda counts as success: the event
was lost.) Only a 404 is read as "the object is gone"; without s3:ListBucket (not granted) S3
answers 403 for a missing key, and such an event is retried, then dead-lettered.
"""

import logging
import os
from datetime import UTC

from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError

from handlers import aws_clients
from handlers.s3_events import ObjectEvent, object_events

logger = logging.getLogger(__name__)
_serializer = TypeSerializer()
MISSING = ("404", "NoSuchKey", "NotFound")
# Rows written from events without a sequencer carry none: any sequenced event may replace them.
NEWER_ONLY = (
    "attribute_not_exists(filename) OR attribute_not_exists(sequencer_order) "
    "OR sequencer_order < :order"
)


def handler(event, context):
    table = os.environ["TABLE_NAME"]
    for obj in object_events(event):  # created and removed only: the rest is logged, skipped
        if obj.created:
            index(obj, table)
        else:
            forget(obj, table)


def _head(obj: ObjectEvent) -> dict | None:
    """HeadObject of the current version; None when S3 says it does not exist (404)."""
    try:
        return aws_clients.client("s3").head_object(Bucket=obj.bucket, Key=obj.key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in MISSING:
            return None
        raise


def index(obj: ObjectEvent, table: str) -> None:
    head = _head(obj)
    if head is None:
        logger.info("%s: object no longer exists, not indexed", obj.describe())
        return
    modified = head["LastModified"].astimezone(UTC)
    version = head.get("VersionId")
    item = {
        "filename": obj.key,
        "bucket": obj.bucket,
        "size_in_bytes": head["ContentLength"],
        "upload_time": f"{modified:%Y-%m-%dT%H:%M:%S}.{modified.microsecond // 1000:03d}Z",
        "content_type": head.get("ContentType"),
        "etag": (head.get("ETag") or "").strip('"') or None,
        "version_id": version if version != "null" else None,
        "sequencer": obj.sequencer,
        "sequencer_order": obj.sequencer_order,
    }
    item = {name: _serializer.serialize(value) for name, value in item.items() if value is not None}
    if not _write(obj, "put_item", TableName=table, Item=item):
        return
    try:
        still_there = _head(obj) is not None
    except ClientError:
        _withdraw(obj, table)  # a 403 now, after a 200 a moment ago: most likely deleted
        raise
    if not still_there:
        _withdraw(obj, table)
        logger.info("%s: deleted while being indexed, row taken back", obj.describe())
    else:
        logger.info("indexed %s (%s bytes)", obj.describe(), head["ContentLength"])


def _withdraw(obj: ObjectEvent, table: str) -> None:
    """Delete the row this event wrote, unless a newer event has replaced it since."""
    request = {"TableName": table, "Key": {"filename": {"S": obj.key}}}
    if obj.sequencer_order:
        request["ConditionExpression"] = "sequencer_order = :order"
        request["ExpressionAttributeValues"] = {":order": {"S": obj.sequencer_order}}
    try:
        aws_clients.client("dynamodb").delete_item(**request)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise


def forget(obj: ObjectEvent, table: str) -> None:
    if obj.version_deleted:
        # One version deleted permanently: another version may now be current. The index only
        # follows what S3 says happened to the object (see docs/left-out.md, image metadata).
        logger.info("%s: a single version was deleted, index unchanged", obj.describe())
        return
    if _write(obj, "delete_item", TableName=table, Key={"filename": {"S": obj.key}}):
        logger.info("removed %s", obj.describe())


def _write(obj: ObjectEvent, operation: str, **request) -> bool:
    """Run the write unless a newer event for the key is already recorded; False when stale."""
    if obj.sequencer_order is not None:
        request["ConditionExpression"] = NEWER_ONLY
        request["ExpressionAttributeValues"] = {":order": {"S": obj.sequencer_order}}
    try:
        getattr(aws_clients.client("dynamodb"), operation)(**request)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
        logger.info("%s: a newer event for this key is already recorded, skipped", obj.describe())
        return False
    return True
