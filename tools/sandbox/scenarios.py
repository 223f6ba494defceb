"""One scripted story per pipeline, told against a running sandbox and checked end to end.

Each scenario acts as a user of the deployed stack would (as the account's operator: put items,
upload objects), lets the sandbox's Lambda service settle, and then checks what a user would
look at: the buckets, objects and rows the pipeline should have made, its function's log lines in
CloudWatch, and, for the one record or event that cannot be processed (a name taken by another
account, or a downstream call that always fails), its failure record in the dead-letter queue
while everything else went through. Each run uses fresh names (`run`), so a sandbox can tell the
same story many times (the mutation tests do).
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote_plus

from botocore.exceptions import ClientError
from moto.s3.models import s3_backends

from handlers.bucket_names import bucket_name

OTHER_ACCOUNT = "210987654321"


@dataclass
class Check:
    what: str
    ok: bool
    detail: str = ""

    def __str__(self) -> str:
        mark = "ok  " if self.ok else "FAIL"
        return f"  [{mark}] {self.what}" + (f"\n         {self.detail}" if self.detail else "")


@dataclass
class Outcome:
    pipeline: str
    story: list = field(default_factory=list)  # what was done, in order
    checks: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def check(self, what: str, ok: bool, detail: str = "") -> None:
        self.checks.append(Check(what, bool(ok), "" if ok else detail))


@dataclass(frozen=True)
class Scenario:
    pipeline: str  # the config key of the pipeline (and prefix of its outputs)
    title: str
    tell: Callable


# --- shared checks -----------------------------------------------------------------------------
def drain_dead_letters(sandbox, pipeline: str) -> list:
    """Every failure record waiting in the pipeline's dead-letter queue (removed as read)."""
    sqs = sandbox.client("sqs")
    url = sandbox.deployment.queues[_dlq_arn(sandbox, pipeline)]
    found = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return found
        for message in messages:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def _dlq_arn(sandbox, pipeline: str) -> str:
    url = sandbox.outputs[f"{pipeline}DeadLetterQueueUrl"]
    name = url.rstrip("/").rsplit("/", 1)[-1]
    return next(arn for arn in sandbox.deployment.queues if arn.endswith(f":{name}"))


def log_text(sandbox, function) -> str:
    """Everything in the function's log group (what `aws logs tail` would show)."""
    logs = sandbox.client("logs")
    text = []
    streams = logs.describe_log_streams(logGroupName=function.log_group)["logStreams"]
    for stream in streams:
        events = logs.get_log_events(
            logGroupName=function.log_group,
            logStreamName=stream["logStreamName"],
            startFromHead=True,
        )["events"]
        text.extend(e["message"] for e in events)
    return "\n".join(text)


def check_logs(outcome: Outcome, sandbox, function, expected: list) -> None:
    text = log_text(sandbox, function)
    missing = [item for item in expected if item not in text]
    outcome.check(
        f"its log group {function.log_group} has a line for each of them",
        not missing,
        f"no log line mentions {missing}",
    )


def _stream_record(sandbox, stream_arn: str, sequence_number: str) -> dict | None:
    """The stream record a dead-letter message points at (as an operator would look it up)."""
    streams = sandbox.client("dynamodbstreams")
    for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=stream_arn,
            ShardId=shard["ShardId"],
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            SequenceNumber=sequence_number,
        )["ShardIterator"]
        records = streams.get_records(ShardIterator=iterator, Limit=1)["Records"]
        if records and records[0]["dynamodb"]["SequenceNumber"] == sequence_number:
            return records[0]
    return None


def _check_stream_dead_letter(outcome, sandbox, pipeline, stream_arn, key_name, poison):
    letters = drain_dead_letters(sandbox, pipeline)
    isolated = []
    for letter in letters:
        info = letter.get("DDBStreamBatchInfo", {})
        record = _stream_record(sandbox, stream_arn, info.get("startSequenceNumber", ""))
        if record and record["dynamodb"]["Keys"][key_name]["S"] == poison:
            isolated.append(info)
    outcome.check(
        f"the record of {poison!r} alone is in the dead-letter queue, after its retries",
        any(info["batchSize"] == 1 for info in isolated),
        f"dead-letter messages: {letters}",
    )


def check_event_dead_letter(outcome, sandbox, pipeline, key: str) -> None:
    letters = drain_dead_letters(sandbox, pipeline)
    found = [
        letter
        for letter in letters
        if unquote_plus(letter["requestPayload"]["Records"][0]["s3"]["object"]["key"]) == key
    ]
    outcome.check(
        f"the event of {key!r} is in the dead-letter queue with its error, after "
        f"{found[0]['requestContext']['approximateInvokeCount'] if found else '?'} attempts",
        found and found[0]["requestContext"]["condition"] == "RetriesExhausted",
        f"dead-letter messages: {letters}",
    )


# --- poison: a downstream call that always fails for one record or event ---------------------
def poison_archive_write(sandbox, function, key: str):
    """Every archive object the stream archive writes for the row `key` fails."""
    return sandbox.faults.fail(
        "s3",
        "PutObject",
        lambda params: f'"{key}"'.encode() in params.get("Body", b""),
        function=function.name,
    )


def poison_metadata_write(sandbox, function, key: str):
    """Every metadata row the image metadata function writes for object `key` fails."""
    return sandbox.faults.fail(
        "dynamodb",
        "PutItem",
        lambda params: params.get("Item", {}).get("filename", {}).get("S") == key,
        function=function.name,
    )


def poison_copy(sandbox, function, destination_key: str):
    """Every copy the object copy function makes to `destination_key` fails."""
    return sandbox.faults.fail(
        "s3",
        "CopyObject",
        lambda params: params.get("Key") == destination_key,
        function=function.name,
    )


# --- user buckets --------------------------------------------------------------------------------
def user_buckets(sandbox, run: str) -> Outcome:
    outcome = Outcome("userBuckets")
    table = sandbox.outputs["userBucketsTableName"]
    prefix = sandbox.outputs["userBucketsBucketPrefix"]
    function = sandbox.function("userBuckets")
    users = [f"alice-{run}", f"Bob.Smith@{run}"]
    taken = f"taken-{run}"
    # Bucket names are global: another account already owns the name this user's bucket gets.
    s3_backends[OTHER_ACCOUNT]["aws"].create_bucket(bucket_name(prefix, taken), sandbox.region)
    dynamodb = sandbox.client("dynamodb")
    for user in [*users, taken]:
        dynamodb.put_item(TableName=table, Item={"id": {"S": user}, "plan": {"S": "free"}})
    dynamodb.update_item(
        TableName=table,
        Key={"id": {"S": users[0]}},
        UpdateExpression="SET #p = :p",
        ExpressionAttributeNames={"#p": "plan"},
        ExpressionAttributeValues={":p": {"S": "pro"}},
    )
    outcome.story.append(
        f"inserted users {users + [taken]} into {table} (a bucket named for {taken!r} already "
        f"belongs to account {OTHER_ACCOUNT}), then modified {users[0]!r}"
    )
    sandbox.settle()

    s3 = sandbox.client("s3")
    for user in users:
        name = bucket_name(prefix, user)
        try:
            block = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
            encryption = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]
            tags = s3.get_bucket_tagging(Bucket=name)["TagSet"]
        except ClientError as error:
            outcome.check(f"user {user!r} has bucket {name}", False, str(error))
            continue
        algorithm = encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]
        outcome.check(
            f"user {user!r} has bucket {name}: public access blocked, {algorithm} encrypted, "
            "tagged with the user id",
            all(block.values())
            and algorithm == "AES256"
            and {"Key": "user-id", "Value": user} in tags,
            f"public access block {block}, encryption {encryption}, tags {tags}",
        )
    check_logs(outcome, sandbox, function, [bucket_name(prefix, u) for u in users])
    _check_stream_dead_letter(
        outcome, sandbox, "userBuckets", _stream_arn(sandbox, table), "id", taken
    )
    return outcome


def _stream_arn(sandbox, table: str) -> str:
    return sandbox.deployment.tables[table]


# --- stream archive ------------------------------------------------------------------------------
def stream_archive(sandbox, run: str) -> Outcome:
    outcome = Outcome("streamArchive")
    table = sandbox.outputs["streamArchiveTableName"]
    bucket = sandbox.outputs["streamArchiveBucketName"]
    function = sandbox.function("streamArchive")
    kept, removed, poison = f"order-{run}-1", f"order-{run}-2", f"order-{run}-poison"
    # A downstream failure that never clears, for this one record only.
    poison_archive_write(sandbox, function, poison)
    dynamodb = sandbox.client("dynamodb")
    for item in (kept, removed, poison):
        dynamodb.put_item(TableName=table, Item={"UserId": {"S": item}, "total": {"N": "42.5"}})
    dynamodb.update_item(
        TableName=table,
        Key={"UserId": {"S": kept}},
        UpdateExpression="SET #t = :t",
        ExpressionAttributeNames={"#t": "total"},
        ExpressionAttributeValues={":t": {"N": "43"}},
    )
    dynamodb.delete_item(TableName=table, Key={"UserId": {"S": removed}})
    outcome.story.append(
        f"inserted {kept!r}, {removed!r} and {poison!r} into {table}, modified {kept!r}, "
        f"deleted {removed!r}; every S3 write for {poison!r} fails (injected)"
    )
    sandbox.settle()

    archived = archived_documents(sandbox, bucket, table, (kept, removed, poison))
    expected = [("INSERT", kept), ("INSERT", removed), ("REMOVE", removed)]
    for event_name, key in expected:
        document = archived.get((event_name, key))
        outcome.check(
            f"{event_name} of {key!r} archived as JSON in s3://{bucket}/{table}/{event_name}/",
            document is not None and document["table"] == table,
            f"archive holds {sorted(archived)}",
        )
    outcome.check(
        "the MODIFY record was filtered out by the mapping (never archived)",
        not any(name == "MODIFY" for name, _ in archived),
        f"archive holds {sorted(archived)}",
    )
    check_logs(
        outcome,
        sandbox,
        function,
        [f"record {doc['sequenceNumber']} archived" for doc in archived.values()],
    )
    _check_stream_dead_letter(
        outcome, sandbox, "streamArchive", _stream_arn(sandbox, table), "UserId", poison
    )
    return outcome


def archived_documents(sandbox, bucket: str, table: str, keys: tuple) -> dict:
    """(eventName, key) -> archived document, for the records of these keys."""
    s3 = sandbox.client("s3")
    found = {}
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{table}/")
    for page in pages:
        for obj in page.get("Contents", []):
            document = json.loads(s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read())
            if document["keys"]["UserId"] in keys:
                found[(document["eventName"], document["keys"]["UserId"])] = document
    return found


# --- image metadata -----------------------------------------------------------------------------
def image_metadata(sandbox, run: str) -> Outcome:
    outcome = Outcome("imageMetadata")
    bucket = sandbox.outputs["imageMetadataBucketName"]
    table = sandbox.outputs["imageMetadataTableName"]
    function = sandbox.function("imageMetadata")
    kept, deleted = f"photos/{run}/cat.jpg", f"photos/{run}/dog one.png"
    ignored, poison = f"notes/{run}.txt", f"photos/{run}/poison.jpg"
    poison_metadata_write(sandbox, function, poison)
    s3 = sandbox.client("s3")
    for key, body, content_type in (
        (kept, b"\xff\xd8\xff" + b"cat" * 100, "image/jpeg"),
        (deleted, b"\x89PNG" + b"dog" * 50, "image/png"),
        (ignored, b"not an image", "text/plain"),
        (poison, b"\xff\xd8\xff", "image/jpeg"),
    ):
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)
    sandbox.settle()
    s3.delete_object(Bucket=bucket, Key=deleted)
    outcome.story.append(
        f"uploaded {kept!r}, {deleted!r}, {ignored!r} and {poison!r} to {bucket}, then deleted "
        f"{deleted!r}; every metadata write for {poison!r} fails (injected)"
    )
    sandbox.settle()

    dynamodb = sandbox.client("dynamodb")

    def row(key: str) -> dict | None:
        return dynamodb.get_item(TableName=table, Key={"filename": {"S": key}}).get("Item")

    head = s3.head_object(Bucket=bucket, Key=kept)
    item = row(kept) or {}
    outcome.check(
        f"{kept!r} has a metadata row: size, content type and ETag as S3 has them",
        item.get("size_in_bytes", {}).get("N") == str(head["ContentLength"])
        and item.get("content_type", {}).get("S") == "image/jpeg"
        and item.get("etag", {}).get("S") == head["ETag"].strip('"'),
        f"row {item}",
    )
    outcome.check(f"{deleted!r} was indexed, then its row removed", row(deleted) is None)
    outcome.check(f"{ignored!r} (not an image suffix) was never indexed", row(ignored) is None)
    check_logs(outcome, sandbox, function, [f"s3://{bucket}/{kept}"])
    check_event_dead_letter(outcome, sandbox, "imageMetadata", poison)
    return outcome


# --- object copy ----------------------------------------------------------------------------------
def object_copy(sandbox, run: str) -> Outcome:
    outcome = Outcome("objectCopy")
    source = sandbox.outputs["objectCopySourceBucketName"]
    destination = sandbox.outputs["objectCopyDestinationBucketName"]
    function = sandbox.function("objectCopy")
    prefix = function.environment.get("DESTINATION_PREFIX", "")
    report, poison = f"reports/{run}/q3 report.csv", f"reports/{run}/poison.bin"
    poison_copy(sandbox, function, prefix + poison)
    s3 = sandbox.client("s3")
    body = b"region,total\n" + b"eu,1\n" * 200
    s3.put_object(
        Bucket=source,
        Key=report,
        Body=body,
        ContentType="text/csv",
        Metadata={"owner": "finance"},
        Tagging="classification=internal",
    )
    s3.put_object(Bucket=source, Key=poison, Body=b"\x00" * 10)
    outcome.story.append(
        f"uploaded {report!r} (with metadata and a tag) and {poison!r} to {source}; every copy "
        f"of {poison!r} fails (injected)"
    )
    sandbox.settle()

    target = prefix + report
    try:
        copied = s3.get_object(Bucket=destination, Key=target)
        tags = s3.get_object_tagging(Bucket=destination, Key=target)["TagSet"]
    except ClientError as error:
        outcome.check(f"{report!r} copied to s3://{destination}/{target}", False, str(error))
    else:
        copied_body = copied["Body"].read()
        outcome.check(
            f"{report!r} copied to s3://{destination}/{target}: same bytes (sha256 "
            f"{hashlib.sha256(body).hexdigest()[:12]}), content type, metadata and tags",
            copied_body == body
            and copied["ContentType"] == "text/csv"
            and copied["Metadata"] == {"owner": "finance"}
            and tags == [{"Key": "classification", "Value": "internal"}],
            f"content type {copied['ContentType']}, metadata {copied['Metadata']}, tags {tags}",
        )
    check_logs(outcome, sandbox, function, [f"s3://{destination}/{target}"])
    check_event_dead_letter(outcome, sandbox, "objectCopy", poison)
    return outcome


SCENARIOS = (
    Scenario("userBuckets", "user inserted -> its bucket exists", user_buckets),
    Scenario("streamArchive", "rows inserted and removed -> archive objects", stream_archive),
    Scenario("imageMetadata", "images uploaded and deleted -> metadata rows", image_metadata),
    Scenario("objectCopy", "object uploaded -> identical copy in the destination", object_copy),
)


def enabled(sandbox) -> list:
    """The scenarios of the pipelines this stack deploys."""
    return [s for s in SCENARIOS if f"{s.pipeline}FunctionArn" in sandbox.outputs]


def tell(sandbox, scenario: Scenario, run: str) -> Outcome:
    """Run one scenario; the faults it injected are cleared afterwards."""
    try:
        return scenario.tell(sandbox, run)
    finally:
        sandbox.faults.clear()
