"""Image metadata: one row per object of the upload bucket, kept in step with S3's events.

Environment: TABLE_NAME (partition key `filename`).

Created: HeadObject, then write filename, bucket, size_in_bytes, upload_time (the object's
LastModified, ISO-8601 UTC), content_type, etag and version_id when present, and the event's
sequencer. Removed: delete the row. Every write is conditional on the sequencer, so an older event
(late, or delivered twice) never overwrites or deletes what a newer one wrote; an object already
gone when its create event arrives is not indexed.

Errors raise: S3 invokes asynchronously, so Lambda retries the event and then sends it to the
dead-letter queue. (The seed returned statusCode 500, which Lambda counts as success: the event
was lost.)
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
NEWER_ONLY = "attribute_not_exists(filename) OR sequencer < :sequencer"


def handler(event, context):
    table = os.environ["TABLE_NAME"]
    for obj in object_events(event):
        if obj.created:
            index(obj, table)
        elif obj.removed:
            forget(obj, table)
        else:
            logger.info("ignoring %s", obj.describe())


def index(obj: ObjectEvent, table: str) -> None:
    try:
        head = aws_clients.client("s3").head_object(Bucket=obj.bucket, Key=obj.key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            # Deleted since: its remove event deletes the row (or already did). Without
            # s3:ListBucket, S3 answers 403 instead and the event is retried, then dead-lettered.
            logger.info("%s: object no longer exists, not indexed", obj.describe())
            return
        raise
    modified = head["LastModified"].astimezone(UTC)
    item = {
        "filename": obj.key,
        "bucket": obj.bucket,
        "size_in_bytes": head["ContentLength"],
        "upload_time": f"{modified:%Y-%m-%dT%H:%M:%S}.{modified.microsecond // 1000:03d}Z",
        "content_type": head.get("ContentType"),
        "etag": (head.get("ETag") or "").strip('"') or None,
        "version_id": head.get("VersionId") if head.get("VersionId") != "null" else None,
        "sequencer": obj.sequencer,
    }
    item = {name: _serializer.serialize(value) for name, value in item.items() if value is not None}
    if _write(obj, "put_item", TableName=table, Item=item):
        logger.info("indexed %s (%s bytes)", obj.describe(), head["ContentLength"])


def forget(obj: ObjectEvent, table: str) -> None:
    if obj.event_name == "ObjectRemoved:Delete" and obj.version_id:
        # One version deleted permanently: another version may now be current. The index only
        # follows what S3 says happened to the object (see README, versioned upload buckets).
        logger.info("%s: a single version was deleted, index unchanged", obj.describe())
        return
    if _write(obj, "delete_item", TableName=table, Key={"filename": {"S": obj.key}}):
        logger.info("removed %s", obj.describe())


def _write(obj: ObjectEvent, operation: str, **request) -> bool:
    """Run the write unless a newer event for the key is already recorded; False when stale."""
    if obj.sequencer is not None:
        request["ConditionExpression"] = NEWER_ONLY
        request["ExpressionAttributeValues"] = {":sequencer": {"S": obj.sequencer}}
    try:
        getattr(aws_clients.client("dynamodb"), operation)(**request)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
        logger.info("%s: a newer event for this key is already recorded, skipped", obj.describe())
        return False
    return True
