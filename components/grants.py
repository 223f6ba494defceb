"""Least-privilege statements, one function per kind of access.

Each returns the narrowest statement AWS can express for it, so no component writes an ARN pattern
by hand. Action lists come from the Service Authorization Reference; where an action does not
accept a resource ARN it is left out rather than granted on "*" (see read_stream).
"""

from collections.abc import Sequence

import pulumi

from .policies import allow


def _objects(bucket_arn: pulumi.Input[str], key_prefix: pulumi.Input[str]) -> pulumi.Output[str]:
    return pulumi.Output.concat(bucket_arn, "/", key_prefix, "*")


def read_stream(stream_arn: pulumi.Input[str], sid: str = "ReadTableStream") -> dict:
    """What Lambda's event source mapping needs to poll one DynamoDB stream.

    dynamodb:ListStreams is omitted: it only accepts Resource "*", and the poller works with these
    three on the stream ARN (the form Serverless Framework and most Terraform modules deploy).
    """
    return allow(
        sid,
        ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
        [stream_arn],
    )


def write_logs(log_group_arn: pulumi.Input[str], sid: str = "WriteOwnLogs") -> dict:
    """Create streams in and write events to one log group (which already exists)."""
    return allow(
        sid,
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        [pulumi.Output.concat(log_group_arn, ":log-stream:*")],
    )


def send_to_queue(queue_arn: pulumi.Input[str], sid: str = "SendToDeadLetterQueue") -> dict:
    return allow(sid, ["sqs:SendMessage"], [queue_arn])


def write_objects(
    bucket_arn: pulumi.Input[str], key_prefix: pulumi.Input[str] = "", sid: str = "WriteObjects"
) -> dict:
    """PutObject under `key_prefix` (a folder such as "UsersIds/") of one bucket."""
    return allow(sid, ["s3:PutObject"], [_objects(bucket_arn, key_prefix)])


def create_buckets(
    name_prefix: str, partition: pulumi.Input[str], sid: str = "CreatePrefixedBuckets"
) -> dict:
    """Create buckets named `<name_prefix>-*` and give each its public access block, default
    encryption and tags. Nothing on any other bucket, nothing on objects."""
    return allow(
        sid,
        [
            "s3:CreateBucket",
            "s3:PutBucketPublicAccessBlock",
            "s3:PutBucketTagging",
            "s3:PutEncryptionConfiguration",
        ],
        [pulumi.Output.concat("arn:", partition, ":s3:::", name_prefix, "-*")],
    )


def read_objects(
    bucket_arn: pulumi.Input[str],
    key_prefix: pulumi.Input[str] = "",
    versions: bool = False,
    tags: bool = False,
    sid: str = "ReadObjects",
) -> dict:
    """GetObject (which HeadObject needs too) under `key_prefix` of one bucket; with `versions`,
    a given version; with `tags`, the objects' tags (of a given version, with both)."""
    actions = ["s3:GetObject"]
    if versions:
        actions.append("s3:GetObjectVersion")
    if tags:
        actions.append("s3:GetObjectTagging")
    if versions and tags:
        actions.append("s3:GetObjectVersionTagging")
    return allow(sid, actions, [_objects(bucket_arn, key_prefix)])


def write_object_copies(
    bucket_arn: pulumi.Input[str], key_prefix: pulumi.Input[str] = "", sid: str = "WriteCopies"
) -> dict:
    """PutObject with tags, and aborting a multipart copy that fails half way."""
    actions = ["s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload"]
    return allow(sid, actions, [_objects(bucket_arn, key_prefix)])


def delete_objects(
    bucket_arn: pulumi.Input[str], key_prefix: pulumi.Input[str] = "", sid: str = "DeleteObjects"
) -> dict:
    return allow(sid, ["s3:DeleteObject"], [_objects(bucket_arn, key_prefix)])


def write_items(table_arn: pulumi.Input[str], sid: str = "WriteItems") -> dict:
    """Put and delete items of one table (conditional writes need nothing more)."""
    return allow(sid, ["dynamodb:PutItem", "dynamodb:DeleteItem"], [table_arn])


def list_bucket(bucket_arn: pulumi.Input[str], sid: str = "ListBucket") -> dict:
    """ListBucket on one bucket: with it, S3 answers 404 (not 403) for a key that does not exist,
    which a handler needs to tell a deleted object from a denied request."""
    return allow(sid, ["s3:ListBucket"], [bucket_arn])


def query_and_write_items(table_arn: pulumi.Input[str], sid: str = "ReadWriteItems") -> dict:
    """Query, put, update and delete the items of one table: no Scan, no GetItem, no batch
    operations (a handler that reads through Query is always bounded by a partition key)."""
    actions = ["dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
    return allow(sid, actions, [table_arn])


def synthesize_speech(sid: str = "SynthesizeSpeech") -> dict:
    """polly:SynthesizeSpeech without lexicons. Polly's permissions reference gives its resource
    as "*": the lexicon resource type applies only to requests that name lexicons, and these
    name none (whether a grant on `lexicon/*` covers such a request is not documented)."""
    return allow(sid, ["polly:SynthesizeSpeech"], ["*"])


def read_write_objects(
    bucket_arn: pulumi.Input[str], key_prefix: pulumi.Input[str] = "", sid: str = "ReadWriteObjects"
) -> dict:
    """GetObject and PutObject under `key_prefix` of one bucket (a presigned GET URL signed with
    the role is authorized as the role's own GetObject)."""
    return allow(sid, ["s3:GetObject", "s3:PutObject"], [_objects(bucket_arn, key_prefix)])


def write_traces(sid: str = "WriteTraces") -> dict:
    """What X-Ray active tracing needs of the function's role. Both actions only accept "*"
    (Service Authorization Reference, AWS X-Ray: no resource types for them)."""
    return allow(sid, ["xray:PutTelemetryRecords", "xray:PutTraceSegments"], ["*"])


# The KMS actions a service calls with a role's credentials when an action of the role's reaches
# data the stack's key encrypts: (service, KMS actions). An S3 write makes a data key; a writer
# that uploads in parts (it may abort them) also decrypts the parts' keys to complete the upload
# (S3 User Guide, "Multipart upload API and permissions"); a read decrypts. DynamoDB decrypts with
# the caller's permission for every item and stream read or write (DynamoDB Developer Guide,
# "Encryption at rest: how it works"); SQS producers need both (SQS Developer Guide, "Key
# management"). A Lambda environment needs nothing of the role: Lambda holds a grant.
_DYNAMODB = ("dynamodb", ("kms:Decrypt",))
KEY_USE = {
    "s3:putobject": ("s3", ("kms:GenerateDataKey",)),
    "s3:abortmultipartupload": ("s3", ("kms:Decrypt",)),
    "s3:getobject": ("s3", ("kms:Decrypt",)),
    "s3:getobjectversion": ("s3", ("kms:Decrypt",)),
    "sqs:sendmessage": ("sqs", ("kms:Decrypt", "kms:GenerateDataKey")),
    "dynamodb:getrecords": _DYNAMODB,
    "dynamodb:putitem": _DYNAMODB,
    "dynamodb:deleteitem": _DYNAMODB,
    "dynamodb:updateitem": _DYNAMODB,
    "dynamodb:query": _DYNAMODB,
}


_OBJECT_READS = ("s3:getobject", "s3:getobjectversion")


def key_use(
    key_arn: pulumi.Input[str],
    statements: Sequence[dict],
    region: pulumi.Input[str],
    reads_object_data: bool = True,
) -> list:
    """What `statements` need of the stack's key once it encrypts what they reach: one statement
    per service, on that key only, usable only through that service (kms:ViaService).
    `reads_object_data` False: s3:GetObject is only used for HeadObject, for which S3 decrypts
    nothing."""
    needed: dict = {}
    for statement in statements:
        actions = statement["Action"]
        for action in [actions] if isinstance(actions, str) else actions:
            if not reads_object_data and action.lower() in _OBJECT_READS:
                continue
            service, kms_actions = KEY_USE.get(action.lower(), (None, ()))
            if service:
                needed.setdefault(service, set()).update(kms_actions)
    return [
        allow(
            f"UseStackKeyThrough{service.capitalize()}",
            sorted(needed[service]),
            [key_arn],
            {
                "StringEquals": {
                    "kms:ViaService": pulumi.Output.concat(service, ".", region, ".amazonaws.com")
                }
            },
        )
        for service in sorted(needed)
    ]
