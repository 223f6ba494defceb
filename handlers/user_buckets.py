"""User buckets: one private S3 bucket per user, created from the users table's stream.

Environment: BUCKET_PREFIX (every bucket is `<prefix>-<slug of id>-<hash of id>`).
The event source mapping only delivers INSERT and MODIFY records.

Each record is idempotent: the bucket name depends only on the user id, `BucketAlreadyOwnedByYou`
counts as created, and the settings applied after it (public access block, encryption, tags)
replace whatever is there. A retried batch or a MODIFY after the INSERT therefore changes nothing.
"""

import logging
import os
import unicodedata

from botocore.exceptions import ClientError

from handlers import aws_clients
from handlers.bucket_names import PREFIX_RULE, bucket_name, is_valid_prefix
from handlers.stream_batch import RecordError, process_batch, string_key

logger = logging.getLogger(__name__)

HANDLED_EVENTS = ("INSERT", "MODIFY")
TAG_KEY = "user-id"
TAG_VALUE_MAX = 256
TAG_VALUE_SYMBOLS = set("_.:/=+-@")


def handler(event, context):
    # A missing or invalid prefix is a misconfigured function: fail the whole batch, loudly.
    prefix = os.environ["BUCKET_PREFIX"]
    if not is_valid_prefix(prefix):
        raise ValueError(f"BUCKET_PREFIX {prefix!r} is not valid: {PREFIX_RULE}")
    return process_batch(
        event,
        lambda record: ensure_user_bucket(record, prefix),
        # Records of one user stay in order on one worker, so they never race on the same bucket.
        ordering_key=lambda record: string_key(record, "id"),
    )


def ensure_user_bucket(record: dict, prefix: str) -> None:
    if record.get("eventName") not in HANDLED_EVENTS:
        logger.info("skipping %s record %s", record.get("eventName"), record.get("eventID"))
        return
    user_id = string_key(record, "id")
    name = bucket_name(prefix, user_id)

    s3 = aws_clients.client("s3")
    create_bucket(s3, name)
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3.put_bucket_tagging(
        Bucket=name, Tagging={"TagSet": [{"Key": TAG_KEY, "Value": tag_value(user_id)}]}
    )
    logger.info("bucket %s ready for user record %s", name, record.get("eventID"))


def create_bucket(s3, name: str) -> None:
    """Create `name` in the function's own region; a bucket we already own counts as created."""
    region = s3.meta.region_name
    request: dict[str, object] = {"Bucket": name}
    if region != "us-east-1":  # us-east-1 rejects a LocationConstraint naming itself
        request["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        s3.create_bucket(**request)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code")
        if code == "BucketAlreadyOwnedByYou":
            return
        if code == "BucketAlreadyExists":
            raise RecordError(f"bucket {name} belongs to another AWS account") from error
        raise


def tag_value(text: str) -> str:
    """`text` as a tag value AWS accepts: ^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$, 256 characters at most.

    Anything else (emoji, control characters, punctuation such as '#') becomes '_'.
    """
    return "".join(
        ch if unicodedata.category(ch)[0] in "LZN" or ch in TAG_VALUE_SYMBOLS else "_"
        for ch in unicodedata.normalize("NFC", text)[:TAG_VALUE_MAX]
    )
