"""Object copy: each object created in the source bucket is copied to the destination bucket.

Environment: DESTINATION_BUCKET; DESTINATION_PREFIX (optional, put before every key);
MIRROR_DELETES ("true": a removed source object, by a request or a lifecycle expiration, is
deleted from the destination too);
MULTIPART_THRESHOLD_BYTES (default 5 GiB, CopyObject's limit).

The copy is server-side and exact: the version that triggered the event (when the source is
versioned), its content type and other headers, user metadata and tags. Up to the threshold one
CopyObject does it all (headers, metadata and tags copied by S3); above it, boto3's managed copy
copies the parts with the headers and metadata, and the tags are written afterwards.

Events arrive in any order and more than once. An event for a version that is no longer the
current one is skipped (the newer version's event copies that); if the source changes while a
copy runs, the latest version is copied again, so an older copy never has the last word; every
copy is conditional on the ETag just read, so content and metadata come from the same object.
An event from the destination bucket itself is skipped: no configuration can make the copy loop.

Errors raise: Lambda retries the event, then sends it to the dead-letter queue. Only a 404 is read
as "the source is gone": S3 answers 404 for a missing key only to callers allowed s3:ListBucket
(granted with mirrored deletes, which must tell a deleted source from a denied one), 403 otherwise.
"""

import logging
import os

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from handlers import aws_clients
from handlers.s3_events import CREATED, REMOVED, ObjectEvent, object_events

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 5 * 1024**3  # CopyObject copies up to 5 GB
CATCH_UP_ATTEMPTS = 3  # copies of a source that keeps changing, before retrying later
# Headers S3 keeps with an object; a multipart copy must be told them.
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
    actions = (CREATED, REMOVED) if mirror_deletes else (CREATED,)
    # The copy never reads the sequencer: an event is not refused for one it does not use.
    for obj in object_events(event, actions, uses_sequencer=False):
        if obj.bucket == destination:
            logger.warning("%s: event from the destination bucket, skipped", obj.describe())
        elif obj.created:
            copy(obj, destination, prefix + obj.key, threshold)
        else:
            delete_copy(obj, destination, prefix + obj.key)


def _current(s3, obj: ObjectEvent) -> dict | None:
    """HeadObject of the source's current version; None when it is gone (404)."""
    try:
        return s3.head_object(Bucket=obj.bucket, Key=obj.key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in MISSING:
            return None
        raise


def copy(obj: ObjectEvent, destination: str, key: str, threshold: int) -> None:
    s3 = aws_clients.client("s3")
    head = _current(s3, obj)
    if head is None:
        logger.info("%s: source no longer exists, not copied", obj.describe())
        return
    if obj.version_id and head.get("VersionId") != obj.version_id:
        logger.info(
            "%s: superseded by version %s, not copied", obj.describe(), head.get("VersionId")
        )
        return
    for _ in range(CATCH_UP_ATTEMPTS):
        _copy_version(s3, obj, head, destination, key, threshold)
        latest = _current(s3, obj)
        if latest is None or (latest.get("VersionId"), latest["ETag"]) == (
            head.get("VersionId"),
            head["ETag"],
        ):
            return  # unchanged (or deleted: its remove event decides what happens to the copy)
        logger.info(
            "%s: changed during the copy, copying version %s",
            obj.describe(),
            latest.get("VersionId") or latest["ETag"],
        )
        head = latest
    raise RuntimeError(
        f"{obj.describe()}: the source kept changing during {CATCH_UP_ATTEMPTS} "
        "copies; retrying later"
    )


def _copy_version(
    s3, obj: ObjectEvent, head: dict, destination: str, key: str, threshold: int
) -> None:
    source = {"Bucket": obj.bucket, "Key": obj.key}
    if head.get("VersionId") and head["VersionId"] != "null":
        source["VersionId"] = head["VersionId"]  # exactly the version just read
    size = head["ContentLength"]
    if size <= threshold:
        s3.copy_object(
            CopySource=source,
            Bucket=destination,
            Key=key,
            CopySourceIfMatch=head["ETag"],
            MetadataDirective="COPY",
            TaggingDirective="COPY",
        )
    else:
        tags = s3.get_object_tagging(**source)["TagSet"]
        extra = {header: head[header] for header in COPIED_HEADERS if head.get(header)}
        extra["Metadata"] = head.get("Metadata", {})
        extra["CopySourceIfMatch"] = head["ETag"]
        s3.copy(
            source,
            destination,
            key,
            ExtraArgs=extra,
            Config=TransferConfig(multipart_threshold=threshold),
        )
        if tags:
            # Written on the current version (no VersionId): s3:PutObjectTagging suffices.
            s3.put_object_tagging(Bucket=destination, Key=key, Tagging={"TagSet": tags})
    logger.info("copied %s (%s bytes) to s3://%s/%s", obj.describe(), size, destination, key)


def delete_copy(obj: ObjectEvent, destination: str, key: str) -> None:
    s3 = aws_clients.client("s3")
    if obj.version_deleted:
        # One version deleted permanently: the object may still exist in another version.
        logger.info("%s: a single version was deleted, copy kept", obj.describe())
        return
    if _current(s3, obj) is not None:
        # Written again since this delete (events arrive out of order): keep the copy.
        logger.info("%s: the source exists again, copy kept", obj.describe())
        return
    s3.delete_object(Bucket=destination, Key=key)
    logger.info("%s: deleted its copy s3://%s/%s", obj.describe(), destination, key)
