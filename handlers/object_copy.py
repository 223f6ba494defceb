"""Object copy: each object created in the source bucket is copied to the destination bucket.

Environment: DESTINATION_BUCKET; DESTINATION_PREFIX (optional, put before every key);
MIRROR_DELETES ("true": a removed source object is deleted from the destination too);
MULTIPART_THRESHOLD_BYTES (default 5 GiB, CopyObject's limit).

The copy is server-side and exact: the version that triggered the event (when the source is
versioned), its content type and other headers, user metadata and tags. Objects above the
threshold are copied part by part (boto3's managed copy), since CopyObject stops at 5 GB. An event
from the destination bucket itself is skipped, so no configuration can make the copy loop. A
source object deleted before its create event is handled is not copied. Errors raise: Lambda
retries the event, then sends it to the dead-letter queue.
"""

import logging
import os
from urllib.parse import urlencode

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from handlers import aws_clients
from handlers.s3_events import ObjectEvent, object_events

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 5 * 1024**3  # CopyObject copies up to 5 GB
# Headers S3 keeps with an object, copied as they are.
COPIED_HEADERS = (
    "CacheControl",
    "ContentDisposition",
    "ContentEncoding",
    "ContentLanguage",
    "ContentType",
    "Expires",
    "WebsiteRedirectLocation",
)
MISSING = ("404", "NoSuchKey", "NotFound", "NoSuchVersion")


def handler(event, context):
    destination = os.environ["DESTINATION_BUCKET"]
    prefix = os.environ.get("DESTINATION_PREFIX", "")
    mirror_deletes = os.environ.get("MIRROR_DELETES", "false") == "true"
    threshold = int(os.environ.get("MULTIPART_THRESHOLD_BYTES") or DEFAULT_THRESHOLD)
    for obj in object_events(event):
        if obj.bucket == destination:
            logger.warning("%s: event from the destination bucket, skipped", obj.describe())
        elif obj.created:
            copy(obj, destination, prefix + obj.key, threshold)
        elif obj.removed and mirror_deletes:
            delete_copy(obj, destination, prefix + obj.key)
        else:
            logger.info("ignoring %s", obj.describe())


def copy(obj: ObjectEvent, destination: str, key: str, threshold: int) -> None:
    s3 = aws_clients.client("s3")
    try:
        head = s3.head_object(Bucket=obj.bucket, Key=obj.key)  # the current version
        if obj.version_id and head.get("VersionId") != obj.version_id:
            # Events can arrive out of order: copying this older version now would overwrite
            # the newer one, whose own event copies it.
            logger.info(
                "%s: superseded by version %s, not copied", obj.describe(), head.get("VersionId")
            )
            return
        source = {"Bucket": obj.bucket, "Key": obj.key}
        if obj.version_id:
            source["VersionId"] = obj.version_id  # the exact version that was written
        tags = s3.get_object_tagging(**source)["TagSet"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in MISSING:
            logger.info("%s: source no longer exists, not copied", obj.describe())
            return
        raise
    extra = {header: head[header] for header in COPIED_HEADERS if head.get(header)}
    # Written explicitly rather than left to CopyObject: a multipart copy copies neither.
    extra["Metadata"] = head.get("Metadata", {})
    extra["MetadataDirective"] = "REPLACE"
    extra["Tagging"] = urlencode([(tag["Key"], tag["Value"]) for tag in tags])
    extra["TaggingDirective"] = "REPLACE"
    size = head["ContentLength"]
    transfer = TransferConfig(
        multipart_threshold=threshold,
        # S3 allows 10,000 parts of at least 5 MiB each.
        multipart_chunksize=max(8 * 1024**2, -(-size // 10_000)),
    )
    s3.copy(source, destination, key, ExtraArgs=extra, Config=transfer)
    logger.info("copied %s (%s bytes) to s3://%s/%s", obj.describe(), size, destination, key)


def delete_copy(obj: ObjectEvent, destination: str, key: str) -> None:
    if obj.event_name == "ObjectRemoved:Delete" and obj.version_id:
        # One version deleted permanently: the object may still exist in another version.
        logger.info("%s: a single version was deleted, copy kept", obj.describe())
        return
    aws_clients.client("s3").delete_object(Bucket=destination, Key=key)
    logger.info("%s: deleted its copy s3://%s/%s", obj.describe(), destination, key)
