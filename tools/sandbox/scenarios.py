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
import ssl
import urllib.request
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
    """What Lambda delivers with the function's role: its log lines, and with active tracing a
    trace segment of every invocation."""
    text = log_text(sandbox, function)
    missing = [item for item in expected if item not in text]
    outcome.check(
        f"its log group {function.log_group} has a line for each of them",
        not missing,
        f"no log line mentions {missing}",
    )
    if function.tracing:
        deliveries = sandbox.runtimes[function.name].trace_deliveries
        mine = deliveries[sandbox.trace_marks.get(function.name, 0) :]
        lost = [d for d in mine if d != "delivered"]
        held = sandbox.emulator.trace_segments(sandbox.region, function.name)
        delivered = deliveries.count("delivered")
        outcome.check(
            "X-Ray holds a trace segment of each of its invocations",
            bool(mine) and not lost and held >= delivered,
            f"{len(lost)} of {len(mine)} invocation(s) lost their trace ({sorted(set(lost))}); "
            f"X-Ray holds {held} segment(s) of {delivered} delivered",
        )


def read_stream(sandbox, stream_arn: str) -> list:
    """Every record the stream holds, in stream order (read from TRIM_HORIZON, as an operator
    would look records up)."""
    streams = sandbox.client("dynamodbstreams")
    records = []
    for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator, Limit=1000)
            records.extend(page["Records"])
            iterator = page.get("NextShardIterator") if page["Records"] else None
    return records


def record_key(record: dict, key_name: str) -> str | None:
    return record["dynamodb"]["Keys"].get(key_name, {}).get("S")


def letter_covers(letter: dict, sequence_number: str) -> bool:
    """Whether a stream failure record's range (first to last sequence number) holds it."""
    info = letter.get("DDBStreamBatchInfo") or {}
    first, last = info.get("startSequenceNumber"), info.get("endSequenceNumber")
    if not (first and last):
        return False
    return int(first) <= int(sequence_number) <= int(last)


def _check_stream_dead_letter(outcome, sandbox, pipeline, stream_arn, key_name, keys, poison):
    """The run's one dead letter names the INSERT of `poison` alone: the story writes it last,
    so no record of its batch comes after it (a record after it would be named too: Lambda
    retries a partial failure from the failed record to the end of the batch)."""
    letters = drain_dead_letters(sandbox, pipeline)
    ours = [r for r in read_stream(sandbox, stream_arn) if record_key(r, key_name) in keys]
    poisoned = [
        r["dynamodb"]["SequenceNumber"]
        for r in ours
        if record_key(r, key_name) == poison and r["eventName"] == "INSERT"
    ]
    sequence = poisoned[0] if len(poisoned) == 1 else None
    mine = [
        letter
        for letter in letters
        if any(letter_covers(letter, r["dynamodb"]["SequenceNumber"]) for r in ours)
    ]
    (mapping,) = [m for m in sandbox.deployment.mappings if m.stream_arn == stream_arn]
    attempts = None if mapping.retries == -1 else mapping.retries + 1
    found = [
        (
            letter["DDBStreamBatchInfo"]["batchSize"],
            letter["DDBStreamBatchInfo"]["startSequenceNumber"],
            letter["DDBStreamBatchInfo"]["endSequenceNumber"],
            letter["requestContext"]["condition"],
            letter["requestContext"]["approximateInvokeCount"],
        )
        for letter in mine
    ]
    expected = (1, sequence, sequence, "RetryAttemptsExhausted")
    outcome.check(
        f"the record of {poison!r} (the last the story wrote) alone is in the dead-letter queue, "
        f"after {attempts or 'its'} attempts, and no other record of this run",
        sequence is not None
        and len(found) == 1
        and found[0][:4] == expected
        and attempts in (None, found[0][4]),
        f"this run's dead letters (batch size, first, last, condition, attempts): {found}; "
        f"expected {expected} after {attempts} attempts; INSERTs of {poison!r}: {poisoned}",
    )


def check_event_dead_letter(outcome, sandbox, pipeline, key: str) -> None:
    letters = drain_dead_letters(sandbox, pipeline)
    attempts = 1 + sandbox.function(pipeline).retries
    found = [
        letter
        for letter in letters
        if unquote_plus(letter["requestPayload"]["Records"][0]["s3"]["object"]["key"]) == key
    ]
    outcome.check(
        f"the event of {key!r} is in the dead-letter queue with its error, after {attempts} "
        "attempts (1 + the function's retries)",
        len(found) == 1
        and found[0]["requestContext"]["condition"] == "RetriesExhausted"
        and found[0]["requestContext"]["approximateInvokeCount"] == attempts
        and "errorMessage" in found[0].get("responsePayload", {}),
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
    for user in users:
        dynamodb.put_item(TableName=table, Item={"id": {"S": user}, "plan": {"S": "free"}})
    dynamodb.update_item(
        TableName=table,
        Key={"id": {"S": users[0]}},
        UpdateExpression="SET #p = :p",
        ExpressionAttributeNames={"#p": "plan"},
        ExpressionAttributeValues={":p": {"S": "pro"}},
    )
    dynamodb.put_item(TableName=table, Item={"id": {"S": taken}, "plan": {"S": "free"}})
    outcome.story.append(
        f"inserted users {users} into {table}, modified {users[0]!r}, then inserted {taken!r} "
        f"(a bucket named for {taken!r} already belongs to account {OTHER_ACCOUNT})"
    )
    journal_start = len(sandbox.journal.entries)
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
    _check_modify_delivered(outcome, sandbox, function, table, prefix, users[0], journal_start)
    _check_stream_dead_letter(
        outcome, sandbox, "userBuckets", _stream_arn(sandbox, table), "id", [*users, taken], taken
    )
    return outcome


def _check_modify_delivered(outcome, sandbox, function, table, prefix, user, journal_start):
    """The MODIFY of `user` reached the function, which handled it, and it made no new bucket."""
    modified = [
        r
        for r in read_stream(sandbox, _stream_arn(sandbox, table))
        if record_key(r, "id") == user and r["eventName"] == "MODIFY"
    ]
    sequence = modified[-1]["dynamodb"]["SequenceNumber"] if modified else "0"
    delivered = [
        e
        for e in sandbox.journal.entries[journal_start:]
        if e.kind == "invoke"
        and e.function == function.name
        and int(e.details["first"]) <= int(sequence) <= int(e.details["last"])
    ]
    logs = log_text(sandbox, function)
    handled = bool(modified) and f"ready for user record {modified[-1]['eventID']}" in logs
    name = bucket_name(prefix, user)
    stem = name.rsplit("-", 1)[0] + "-"  # the bucket's name without the hash of the user id
    buckets = [
        b["Name"]
        for b in sandbox.client("s3").list_buckets()["Buckets"]
        if b["Name"].startswith(stem)
    ]
    outcome.check(
        f"the MODIFY of {user!r} was delivered to the function and handled, making no second "
        "bucket",
        len(modified) == 1 and delivered and handled and buckets == [name],
        f"MODIFY records {[r['dynamodb']['SequenceNumber'] for r in modified]}, invocations "
        f"with it {[str(e) for e in delivered]}, its log line found: {handled}, buckets {buckets}",
    )


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
    for item in (kept, removed):
        dynamodb.put_item(TableName=table, Item={"UserId": {"S": item}, "total": {"N": "42.5"}})
    dynamodb.update_item(
        TableName=table,
        Key={"UserId": {"S": kept}},
        UpdateExpression="SET #t = :t",
        ExpressionAttributeNames={"#t": "total"},
        ExpressionAttributeValues={":t": {"N": "43"}},
    )
    dynamodb.delete_item(TableName=table, Key={"UserId": {"S": removed}})
    dynamodb.put_item(TableName=table, Item={"UserId": {"S": poison}, "total": {"N": "1"}})
    outcome.story.append(
        f"inserted {kept!r} and {removed!r} into {table}, modified {kept!r}, deleted "
        f"{removed!r}, then inserted {poison!r}; every S3 write for {poison!r} fails (injected)"
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
        outcome,
        sandbox,
        "streamArchive",
        _stream_arn(sandbox, table),
        "UserId",
        [kept, removed, poison],
        poison,
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
    dynamodb = sandbox.client("dynamodb")

    def row(key: str) -> dict | None:
        return dynamodb.get_item(TableName=table, Key={"filename": {"S": key}}).get("Item")

    sandbox.settle()
    indexed_before_delete = row(deleted)
    s3.delete_object(Bucket=bucket, Key=deleted)
    outcome.story.append(
        f"uploaded {kept!r}, {deleted!r}, {ignored!r} and {poison!r} to {bucket}, then deleted "
        f"{deleted!r}; every metadata write for {poison!r} fails (injected)"
    )
    sandbox.settle()

    head = s3.head_object(Bucket=bucket, Key=kept)
    item = row(kept) or {}
    outcome.check(
        f"{kept!r} has a metadata row: size, content type and ETag as S3 has them",
        item.get("size_in_bytes", {}).get("N") == str(head["ContentLength"])
        and item.get("content_type", {}).get("S") == "image/jpeg"
        and item.get("etag", {}).get("S") == head["ETag"].strip('"'),
        f"row {item}",
    )
    outcome.check(
        f"{deleted!r} was indexed, then its row removed",
        indexed_before_delete is not None and row(deleted) is None,
        f"row before the delete {indexed_before_delete}, after {row(deleted)}",
    )
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


# --- notes API -------------------------------------------------------------------------------------
def notes_api(sandbox, run: str) -> Outcome:
    outcome = Outcome("notesApi")
    api = sandbox.api("notesApi")
    pool = sandbox.outputs["notesApiUserPoolId"]
    table = sandbox.outputs["notesApiTableName"]
    site = {"Origin": sandbox.outputs["notesApiSiteUrl"]}
    function = sandbox.function("notesApi")
    alice = sandbox.sign_in(pool, f"alice-{run}@example.com")
    bob = sandbox.sign_in(pool, f"bob-{run}@example.com")
    texts = [f"buy milk ({run})", "call the plumber", "read chapter 3"]

    created = [api.request("POST", "/notes", alice, {"Note": t}, headers=site) for t in texts]
    ids = [r.json().get("NoteId") for r in created if r.status == 201]
    outcome.story.append(
        f"signed in as {alice['claims']['email']} and {bob['claims']['email']} (user pool "
        f"{pool}); Alice created {len(texts)} notes through {api.api.id}/{api.stage}"
    )
    outcome.check(
        f"Alice's {len(texts)} notes were created (201), readable from the site's origin",
        len(ids) == len(texts)
        and all(r.headers.get("Access-Control-Allow-Origin") == site["Origin"] for r in created),
        f"answers {[(r.status, r.body) for r in created]}",
    )
    listed, token, pages = [], None, 0
    while pages < 5:
        query = {"limit": "2", **({"nextToken": token} if token else {})}
        page = api.request("GET", "/notes", alice, query=query, headers=site).json() or {}
        listed += [n["NoteId"] for n in page.get("notes", [])]
        pages, token = pages + 1, page.get("nextToken")
        if not token:
            break
    outcome.check(
        f"listing them 2 at a time takes {pages} pages, each note once",
        sorted(listed) == sorted(ids) and pages == 2,
        f"listed {listed} in {pages} page(s), created {ids}",
    )
    bob_update = None  # made when Alice has a note
    if ids:
        target = f"/notes/{ids[0]}"
        answers = {
            "Bob's list": api.request("GET", "/notes", bob).json(),
            "Bob's update": (bob_update := api.request("PUT", target, bob, {"Note": "x"})).status,
            "Bob's delete": api.request("DELETE", target, bob).status,
        }
        outcome.check(
            "Bob sees none of Alice's notes and cannot change them (404)",
            answers["Bob's list"] == {"notes": [], "nextToken": None}
            and answers["Bob's update"] == 404
            and answers["Bob's delete"] == 404,
            f"answers {answers}",
        )
        updated = api.request("PUT", target, alice, {"Is_Incomplete": True})
        outcome.check(
            "Alice marks her first note incomplete",
            updated.status == 200 and (updated.json() or {}).get("Is_Incomplete") is True,
            f"answer {updated.status} {updated.body}",
        )
        _check_speech(outcome, api, alice, ids[0])
        deleted = api.request("DELETE", f"/notes/{ids[-1]}", alice)
        outcome.check(f"Alice deletes note {ids[-1]} (204)", deleted.status == 204, deleted.body)
    forged = api.request("POST", "/notes", alice, {"Note": "x", "UserId": bob["claims"]["sub"]})
    anonymous = api.request("GET", "/notes")
    outcome.check(
        "a body naming a UserId is refused by the API's model (400), a call without a token "
        "by its authorizer (401)",
        forged.status == 400 and "UserId" in forged.body and anonymous.status == 401,
        f"answers {forged.status} {forged.body}, {anonymous.status} {anonymous.body}",
    )
    rows = sandbox.client("dynamodb").query(
        TableName=table,
        KeyConditionExpression="UserId = :u",
        ExpressionAttributeValues={":u": {"S": alice["claims"]["sub"]}},
    )["Items"]
    outcome.check(
        f"the table holds Alice's {len(texts) - 1} remaining notes under her sub",
        sorted(int(r["NoteId"]["N"]) for r in rows) == sorted(ids[:-1]),
        f"rows {rows}",
    )
    if bob_update is not None:  # Bob's refused update, by the request id API Gateway gave it
        request = bob_update.headers.get("x-amzn-RequestId")
        check_logs(outcome, sandbox, function, [f"(request {request})"])
    return outcome


def _check_speech(outcome: Outcome, api, user, note_id) -> None:
    answer = api.request("POST", f"/notes/{note_id}/speech", user)
    url = (answer.json() or {}).get("url") if answer.status == 200 else None
    audio, kind = b"", None
    if url:
        context = ssl.create_default_context(cafile=api.sandbox.emulator.ca_bundle)
        with urllib.request.urlopen(url, context=context, timeout=10) as response:
            audio, kind = response.read(), response.headers.get("Content-Type")
    outcome.check(
        "speech of that note: Polly's MP3 saved, and its presigned URL serves it",
        bool(audio) and kind == "audio/mpeg",
        f"answer {answer.status} {answer.body}, fetched {len(audio)} bytes of {kind}",
    )


SCENARIOS = (
    Scenario("userBuckets", "user inserted -> its bucket exists", user_buckets),
    Scenario("streamArchive", "rows inserted and removed -> archive objects", stream_archive),
    Scenario("imageMetadata", "images uploaded and deleted -> metadata rows", image_metadata),
    Scenario("objectCopy", "object uploaded -> identical copy in the destination", object_copy),
    Scenario("notesApi", "notes created, listed, updated, spoken, deleted per user", notes_api),
)


def enabled(sandbox) -> list:
    """The scenarios of the pipelines this stack deploys."""
    return [s for s in SCENARIOS if f"{s.pipeline}FunctionArn" in sandbox.outputs]


def tell(sandbox, scenario: Scenario, run: str) -> Outcome:
    """Run one scenario; the faults it injected are cleared afterwards."""
    # Where each function's trace deliveries stood, so a story judges only its own invocations.
    sandbox.trace_marks = {name: len(rt.trace_deliveries) for name, rt in sandbox.runtimes.items()}
    try:
        return scenario.tell(sandbox, run)
    finally:
        sandbox.faults.clear()
