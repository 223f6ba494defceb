"""Failure handling through the sandbox's Lambda service: nothing is lost.

- A poison stream record (one the function can never process) holds back its shard for the
  mapping's retries: each retry sends it with the records after it in its batch (Lambda retries a
  partial failure from the failed record on). Then the failure record in the dead-letter queue
  names that range, the poison and the records after it, which were nevertheless processed; the
  records before it were processed once and are not named.
- A poison S3 event is attempted 1 + the function's retries times, then dead-lettered with the
  event and the error.
- A throttled call is retried, by the SDK and then by Lambda, and processed.
- Nothing is lost, with faults of both kinds in the same run: every stream record is archived or
  named by a dead letter's range (both, for the records after a poison in its batch); every S3
  event is indexed or dead-lettered, exactly one of the two.
"""

from urllib.parse import unquote_plus

import pytest
from moto.s3.models import s3_backends

from handlers.bucket_names import bucket_name
from tools.sandbox import scenarios
from tools.sandbox.scenarios import OTHER_ACCOUNT, drain_dead_letters, letter_covers


@pytest.fixture(autouse=True)
def clean_slate(sandbox):
    """Each test starts with empty dead-letter queues and no faults, and leaves none."""
    for scenario in scenarios.SCENARIOS:
        if f"{scenario.pipeline}DeadLetterQueueUrl" in sandbox.outputs:
            drain_dead_letters(sandbox, scenario.pipeline)
    yield
    sandbox.faults.clear()


def stream_records(sandbox, table: str, key_name: str, keys) -> dict:
    """key -> the INSERT record of that key in the table's stream (read as an operator)."""
    return {
        scenarios.record_key(record, key_name): record
        for record in scenarios.read_stream(sandbox, sandbox.deployment.tables[table])
        if scenarios.record_key(record, key_name) in keys and record["eventName"] == "INSERT"
    }


def journal_since(sandbox, start: int, function, kind: str) -> list:
    return [e for e in sandbox.journal.entries[start:] if e.kind == kind and e.function == function]


def invoked_with(entries: list, sequence_number: str, alone: bool) -> list:
    """The invocations whose batch held that record (or held only it)."""
    number = int(sequence_number)
    return [
        e
        for e in entries
        if int(e.details["first"]) <= number <= int(e.details["last"])
        and (not alone or e.details["records"] == 1)
    ]


def archived_versions(sandbox, bucket: str, table: str) -> dict:
    """archive key -> number of versions (a duplicate write would add one)."""
    s3 = sandbox.client("s3")
    counts = {}
    pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=f"{table}/")
    for page in pages:
        for version in page.get("Versions", []):
            counts[version["Key"]] = counts.get(version["Key"], 0) + 1
    return counts


def test_poison_mid_batch_is_dead_lettered_with_the_records_after_it_all_processed(sandbox, run_id):
    table = sandbox.outputs["userBucketsTableName"]
    prefix = sandbox.outputs["userBucketsBucketPrefix"]
    function = sandbox.function("userBuckets")
    (mapping,) = [m for m in sandbox.deployment.mappings if m.function == function.name]
    users = [f"user{i}-{run_id}" for i in range(6)]
    poison = users[2]  # mid-batch: records before it are checkpointed, those after retried
    s3_backends[OTHER_ACCOUNT]["aws"].create_bucket(bucket_name(prefix, poison), sandbox.region)
    start = len(sandbox.journal.entries)

    dynamodb = sandbox.client("dynamodb")
    for user in users:
        dynamodb.put_item(TableName=table, Item={"id": {"S": user}})
    sandbox.settle()

    records = stream_records(sandbox, table, "id", users)
    sequence = {user: records[user]["dynamodb"]["SequenceNumber"] for user in users}
    invocations = journal_since(sandbox, start, function.name, "invoke")
    assert invocations[0].details["records"] == len(users), "all six users arrive in one batch"
    # The handler reports only the poison failed: Lambda checkpoints users 0 and 1 and retries
    # from the poison to the end of the batch, as one batch (no halving: the invocation
    # succeeded), until the mapping's retries are used up.
    with_poison = invoked_with(invocations, sequence[poison], alone=False)
    assert len(with_poison) == mapping.retries + 1
    assert [(e.details["first"], e.details["last"]) for e in with_poison[1:]] == [
        (sequence[poison], sequence[users[-1]])
    ] * mapping.retries
    assert not [
        e for e in journal_since(sandbox, start, function.name, "retry") if "split" in e.text
    ]
    for user in users[:2]:
        assert len(invoked_with(invocations, sequence[user], alone=False)) == 1

    (letter,) = drain_dead_letters(sandbox, "userBuckets")
    info = letter["DDBStreamBatchInfo"]
    # The letter names the poison and every record after it in its batch: 4 records.
    assert (info["batchSize"], info["startSequenceNumber"], info["endSequenceNumber"]) == (
        len(users) - 2,
        sequence[poison],
        sequence[users[-1]],
    )
    assert info["streamArn"] == mapping.stream_arn
    assert letter["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert letter["requestContext"]["approximateInvokeCount"] == mapping.retries + 1

    # Every other user has a bucket, those after the poison too: they were processed, in each
    # retry (the handler is idempotent), though the letter names them.
    s3 = sandbox.client("s3")
    owned = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert {bucket_name(prefix, u) for u in users if u != poison} <= owned
    assert bucket_name(prefix, poison) not in owned


def test_a_stream_record_is_as_old_as_the_sandbox_clock_says(sandbox, run_id):
    """Skipping the clock (as settle() does over asynchronous retry delays) does not age records
    written afterwards: a fresh record is delivered though the clock is 300 s ahead of the
    stream's wall-time timestamps and the mapping's maximum record age is 120 s."""
    table = sandbox.outputs["streamArchiveTableName"]
    bucket = sandbox.outputs["streamArchiveBucketName"]
    function = sandbox.function("streamArchive")
    (mapping,) = [m for m in sandbox.deployment.mappings if m.function == function.name]
    start = len(sandbox.journal.entries)
    sandbox.clock.skip_to(sandbox.clock.now() + 300)
    assert [p for p in sandbox.pollers if p.mapping is mapping], "its poller reads this mapping"
    saved, mapping.max_record_age = mapping.max_record_age, 120
    try:
        sandbox.client("dynamodb").put_item(TableName=table, Item={"UserId": {"S": run_id}})
        sandbox.settle()
    finally:
        mapping.max_record_age = saved

    assert not journal_since(sandbox, start, function.name, "dead-letter")
    assert scenarios.archived_documents(sandbox, bucket, table, (run_id,))
    (invocation,) = journal_since(sandbox, start, function.name, "invoke")
    assert invocation.details.get("failed") is None
    assert drain_dead_letters(sandbox, "streamArchive") == []


def test_poison_s3_event_is_attempted_then_dead_lettered_with_its_error(sandbox, run_id):
    bucket = sandbox.outputs["imageMetadataBucketName"]
    table = sandbox.outputs["imageMetadataTableName"]
    function = sandbox.function("imageMetadata")
    good, poison = f"{run_id}/good.png", f"{run_id}/poison.png"
    rule = scenarios.poison_metadata_write(sandbox, function, poison)
    began, start = sandbox.clock.now(), len(sandbox.journal.entries)

    s3 = sandbox.client("s3")
    for key in (good, poison):
        s3.put_object(Bucket=bucket, Key=key, Body=b"\x89PNG", ContentType="image/png")
    sandbox.settle()

    attempts = 1 + function.retries
    failed = [
        e
        for e in journal_since(sandbox, start, function.name, "invoke")
        if e.text.startswith(f"ObjectCreated:Put s3://{bucket}/{poison}:")
    ]
    assert [e.details.get("failed") for e in failed] == [1] * attempts
    assert rule.hits >= attempts  # each invocation's call, and the SDK's own retries of it
    # Lambda waits about a minute before the first retry and two before the second.
    assert sandbox.clock.now() - began >= 60 + 120  # on the sandbox's clock
    (letter,) = drain_dead_letters(sandbox, "imageMetadata")
    assert letter["requestContext"]["condition"] == "RetriesExhausted"
    assert letter["requestContext"]["approximateInvokeCount"] == attempts
    assert letter["requestContext"]["functionArn"].startswith(function.arn)
    (event_record,) = letter["requestPayload"]["Records"]
    assert event_record["eventName"] == "ObjectCreated:Put"
    assert unquote_plus(event_record["s3"]["object"]["key"]) == poison
    assert letter["responsePayload"]["errorType"] == "InternalServerError"
    assert "PutItem operation" in letter["responsePayload"]["errorMessage"]

    dynamodb = sandbox.client("dynamodb")
    assert "Item" in dynamodb.get_item(TableName=table, Key={"filename": {"S": good}})
    assert "Item" not in dynamodb.get_item(TableName=table, Key={"filename": {"S": poison}})


def test_throttling_the_sdk_absorbs_never_reaches_lambda(sandbox, run_id):
    table = sandbox.outputs["streamArchiveTableName"]
    function = sandbox.function("streamArchive")
    throttle = sandbox.faults.throttle("s3", "PutObject", times=2, function=function.name)
    start, backoffs = len(sandbox.journal.entries), len(sandbox.guard.backoffs)

    sandbox.client("dynamodb").put_item(TableName=table, Item={"UserId": {"S": run_id}})
    sandbox.settle()

    assert throttle.hits == 2
    assert len(sandbox.guard.backoffs) - backoffs == 2, "the SDK backed off before each retry"
    invocations = journal_since(sandbox, start, function.name, "invoke")
    assert [e.details.get("failed") for e in invocations] == [None]
    assert not journal_since(sandbox, start, function.name, "retry")
    bucket = sandbox.outputs["streamArchiveBucketName"]
    assert scenarios.archived_documents(sandbox, bucket, table, (run_id,))


def test_throttling_beyond_the_sdk_retries_is_retried_by_lambda(sandbox, run_id):
    table = sandbox.outputs["streamArchiveTableName"]
    bucket = sandbox.outputs["streamArchiveBucketName"]
    function = sandbox.function("streamArchive")
    # The handlers' clients retry 5 times (botocore's max_attempts counts retries): all six
    # attempts are throttled.
    throttle = sandbox.faults.throttle("s3", "PutObject", times=6, function=function.name)
    start = len(sandbox.journal.entries)

    sandbox.client("dynamodb").put_item(TableName=table, Item={"UserId": {"S": run_id}})
    sandbox.settle()

    assert throttle.hits == 6
    invocations = journal_since(sandbox, start, function.name, "invoke")
    assert [e.details.get("failed") for e in invocations] == [1, None]
    assert "SlowDown" in scenarios.log_text(sandbox, function), "the failure is logged"
    assert len(journal_since(sandbox, start, function.name, "retry")) == 1
    assert scenarios.archived_documents(sandbox, bucket, table, (run_id,))
    assert drain_dead_letters(sandbox, "streamArchive") == []


def test_stream_records_in_equal_archived_plus_dead_lettered(sandbox, run_id):
    """Nothing lost: every record of the run was archived or is named by a dead letter's range
    (an operator can find it from the letter), and the poison was only dead-lettered. The two
    overlap: a letter names the poison and the records after it in the batch Lambda retried,
    and those were archived in the retries. Nor written twice: one object version per record."""
    table = sandbox.outputs["streamArchiveTableName"]
    bucket = sandbox.outputs["streamArchiveBucketName"]
    function = sandbox.function("streamArchive")
    keys = [f"{run_id}-{i:02}" for i in range(20)]
    poison = keys[13]
    scenarios.poison_archive_write(sandbox, function, poison)
    # Enough throttled attempts that some calls exhaust the SDK's retries and Lambda's take over.
    throttle = sandbox.faults.throttle("s3", "PutObject", times=12, function=function.name)
    versions_before = archived_versions(sandbox, bucket, table)

    dynamodb = sandbox.client("dynamodb")
    for key in keys:
        dynamodb.put_item(TableName=table, Item={"UserId": {"S": key}})
    sandbox.settle()

    assert throttle.hits == 12
    archived = {key for _, key in scenarios.archived_documents(sandbox, bucket, table, tuple(keys))}
    letters = drain_dead_letters(sandbox, "streamArchive")
    records = stream_records(sandbox, table, "UserId", keys)
    sequence = {key: records[key]["dynamodb"]["SequenceNumber"] for key in keys}
    named = {key for key in keys for letter in letters if letter_covers(letter, sequence[key])}
    covered = sum(letter["DDBStreamBatchInfo"]["batchSize"] for letter in letters)
    assert covered == len(named), "the letters' ranges do not overlap, nor name other records"
    assert archived | named == set(keys)
    assert poison in named and poison not in archived
    assert archived == set(keys) - {poison}
    assert min(named) == poison, "no record before the poison is named"
    new_versions = {
        key: count
        for key, count in archived_versions(sandbox, bucket, table).items()
        if versions_before.get(key) != count
    }
    assert len(new_versions) == len(keys) - 1
    assert set(new_versions.values()) == {1}, "a retried record is never written twice"


def test_s3_events_in_equal_indexed_plus_dead_lettered(sandbox, run_id):
    bucket = sandbox.outputs["imageMetadataBucketName"]
    table = sandbox.outputs["imageMetadataTableName"]
    function = sandbox.function("imageMetadata")
    keys = [f"{run_id}/image {i}.jpg" for i in range(10)]
    poison = keys[4]
    scenarios.poison_metadata_write(sandbox, function, poison)
    throttle = sandbox.faults.throttle("dynamodb", "PutItem", times=7, function=function.name)

    s3 = sandbox.client("s3")
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"\xff\xd8\xff", ContentType="image/jpeg")
    sandbox.settle()

    assert throttle.hits == 7
    dynamodb = sandbox.client("dynamodb")
    indexed = [
        key
        for key in keys
        if "Item" in dynamodb.get_item(TableName=table, Key={"filename": {"S": key}})
    ]
    letters = drain_dead_letters(sandbox, "imageMetadata")
    dead = [
        unquote_plus(letter["requestPayload"]["Records"][0]["s3"]["object"]["key"])
        for letter in letters
    ]
    assert indexed == [k for k in keys if k != poison]
    assert dead == [poison]
    assert len(indexed) + len(dead) == len(keys)
