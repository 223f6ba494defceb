"""Lambda's poller for one DynamoDB-stream event source mapping.

It reads the stream with the function's role (as Lambda does: the role needs DescribeStream,
GetShardIterator and GetRecords on the stream), drops records the filter criteria do not match,
and invokes the function with batches of up to BatchSize records in stream order, one batch at a
time per shard. Its shard iterators are opened when it is created, as Lambda opens them when the
mapping is enabled: with StartingPosition LATEST, records written after that and before the first
poll are delivered. Each record goes to the function as Lambda sends it, with `eventSourceARN`,
`awsRegion` and ApproximateCreationDateTime in whole epoch seconds (the stream API's value,
"rounded down to the closest second"). After an invocation:

- success (with ReportBatchItemFailures: no batchItemFailures, or an empty list) checkpoints the
  batch;
- batchItemFailures naming records of the batch (a partial success) checkpoints the records
  before the lowest one named, and the rest of the batch, from that record to the end, is retried
  as one batch: a retry. AWS: "When a partial batch success response is received and both
  BisectBatchOnFunctionError and ReportBatchItemFailures are turned on, the batch is bisected at
  the returned sequence number and Lambda retries only the remaining records." So a poison record
  keeps the records after it in its batch: they are sent again with it on each retry (handlers
  must be idempotent) and, when its retries are used up, the on-failure record covers them too;
- an identifier that is empty or not in the batch is a complete failure, as Lambda treats it:
  nothing is checkpointed and the whole batch is retried (a retry; not split: the invocation
  itself succeeded);
- a function error (the invocation failed) with BisectBatchOnFunctionError on splits a batch of
  more than one record in two, each half retried in order. A split does not use up a retry (the
  sandbox's reading of the documentation, which says only "split the batch in two and retry").
  Without bisection, or for a single record, it is a retry of the whole batch.

A batch is retried up to MaximumRetryAttempts times (-1: without limit); then its metadata (shard,
first and last sequence numbers, size; not the records) goes to the on-failure destination and the
poller moves past it. Retries here are immediate: a stream's records wait for the shard anyway.

Age is measured on the sandbox's clock: a record arrives at its ApproximateCreationDateTime plus
however far the clock had been skipped when it was read (the clock skips over asynchronous retry
delays; the stream's timestamps are wall time). Records older than MaximumRecordAgeInSeconds are
not sent to the function but to the destination (RecordAgeExceeded). Records older than the
stream's 24-hour retention have been trimmed from it: Lambda can no longer read them, and the
sandbox counts them lost, sending nothing to the destination (journal entry "discard"; the
documentation says only that such records are "retried until the record expires"). With
MaximumRetryAttempts and MaximumRecordAgeInSeconds both -1, that is where a poison record ends;
only the clock moving on gets it there, and settle() does not skip the clock for stream retries,
so it reports such a record as still busy rather than waiting out a day.
"""

import json
from collections import deque
from dataclasses import dataclass

from botocore.exceptions import ClientError

from tools.sandbox.destinations import hand_over, stream_failure_record
from tools.sandbox.event_filter import matches, parse_criteria

STREAM_RETENTION = 86400  # seconds a DynamoDB stream keeps a record


@dataclass
class _Batch:
    shard: str
    records: list
    retries: int = 0


class StreamPoller:
    def __init__(self, mapping, runtime, streams, region, journal, clock, send_failure):
        self.mapping = mapping
        self.runtime = runtime
        self.function = runtime.spec
        self.streams = streams  # a dynamodbstreams client with the function's role
        self.region = region
        self.journal = journal
        self.clock = clock
        self.send_failure = send_failure  # (record) -> None, or why it was not delivered
        self.patterns = parse_criteria(mapping.filter_criteria)
        self.state = "Enabled"
        self.problem: str | None = None
        self._iterators: dict | None = None  # shard id -> iterator (None: shard closed)
        self._pending: deque = deque()  # (shard, record) read and matched, not yet batched
        self._work: deque = deque()  # batches in flight, the head one invoked next
        self._arrivals: dict = {}  # sequence number -> arrival on the sandbox's clock
        self._raw: list = []
        streams.meta.events.register(
            "after-call.dynamodb-streams.GetRecords",
            lambda http_response, **_: self._raw.append(http_response.text),
        )
        self.open()

    @property
    def idle(self) -> bool:
        return not self._pending and not self._work

    def open(self) -> bool:
        """Open an iterator per shard at the mapping's starting position, if not yet open.

        Called when the poller is created; if the stream cannot be read then, the problem is
        reported and each poll tries again. True once the iterators are open."""
        if self._iterators is not None:
            return True
        try:
            self._iterators = self._open_shards()
        except ClientError as error:
            self._report_problem(
                f"cannot read {self.mapping.stream_arn}: {error.response['Error']['Code']}: "
                f"{error.response['Error'].get('Message', '')}"
            )
            return False
        return True

    def poll(self) -> bool:
        """Read what the stream has, then invoke with one batch; True if anything happened."""
        read = self._read()
        if not self._work and self._pending:
            shard = self._pending[0][0]
            records = []
            while self._pending and self._pending[0][0] == shard:
                records.append(self._pending.popleft()[1])
                if len(records) == self.mapping.batch_size:
                    break
            self._work.append(_Batch(shard, records))
        if not self._work:
            return read
        self._process(self._work.popleft())
        return True

    # --- reading ----------------------------------------------------------------------------
    def _read(self) -> bool:
        if not self.open() or self._iterators is None:  # open() is True once they are set
            return False
        try:
            found = False
            for shard, iterator in list(self._iterators.items()):
                if iterator is None:
                    continue
                self._raw.clear()
                page = self.streams.get_records(ShardIterator=iterator, Limit=1000)
                self._iterators[shard] = page.get("NextShardIterator")
                for record in json.loads(self._raw[-1])["Records"]:
                    found = True
                    self._received(record)
                    if matches(record, self.patterns):
                        self._pending.append((shard, record))
                    else:
                        self._arrivals.pop(record["dynamodb"]["SequenceNumber"], None)
        except ClientError as error:
            self._report_problem(
                f"cannot read {self.mapping.stream_arn}: {error.response['Error']['Code']}: "
                f"{error.response['Error'].get('Message', '')}"
            )
            return False
        if self.problem:
            self.journal.add("problem", self.function.name, "stream readable again")
            self.problem = None
        return found

    def _received(self, record: dict) -> None:
        """Note when the record arrived on the sandbox's clock; shape it as Lambda sends it."""
        change = record["dynamodb"]
        created = change.get("ApproximateCreationDateTime")
        # The stream's timestamp is wall time; the sandbox's clock is ahead by what it skipped.
        arrival = self.clock.now() if created is None else float(created) + self.clock.skipped
        self._arrivals[change["SequenceNumber"]] = arrival
        if created is not None:
            change["ApproximateCreationDateTime"] = int(float(created))  # whole seconds
        # What Lambda's poller adds to each record.
        record["eventSourceARN"] = self.mapping.stream_arn
        record["awsRegion"] = self.region

    def _open_shards(self) -> dict:
        description = self.streams.describe_stream(StreamArn=self.mapping.stream_arn)
        iterators = {}
        for shard in description["StreamDescription"]["Shards"]:
            iterators[shard["ShardId"]] = self.streams.get_shard_iterator(
                StreamArn=self.mapping.stream_arn,
                ShardId=shard["ShardId"],
                ShardIteratorType=self.mapping.starting_position,
            )["ShardIterator"]
        return iterators

    def _report_problem(self, problem: str) -> None:
        if problem != self.problem:  # once per distinct problem, as LastProcessingResult shows
            self.journal.add("problem", self.function.name, problem)
        self.problem = problem

    # --- invoking ---------------------------------------------------------------------------
    def _process(self, batch: _Batch) -> None:
        batch.records = self._drop_old(batch)
        if not batch.records:
            return
        invocation = self.runtime.invoke({"Records": batch.records})
        failed_from, error = self._outcome(invocation, batch.records)
        sequence = _sequence_range(batch.records)
        if failed_from is None:
            self.journal.add(
                "invoke",
                self.function.name,
                f"{len(batch.records)} record(s) {sequence}: ok",
                **_batch_details(batch.records),
                request_id=invocation.request_id,
            )
            self._forget(batch.records)
            return
        remaining = batch.records[failed_from:]
        reason = error.get("errorMessage") if error else "reported batch item failures"
        self.journal.add(
            "invoke",
            self.function.name,
            f"{len(batch.records)} record(s) {sequence}: {len(remaining)} failed ({reason})",
            **_batch_details(batch.records),
            failed=len(remaining),
            request_id=invocation.request_id,
        )
        self._forget(batch.records[:failed_from])  # checkpointed
        if not invocation.ok and self.mapping.bisect and len(remaining) > 1:
            # A function error: the batch is split in two, without using up a retry.
            middle = len(remaining) // 2
            self._work.appendleft(_Batch(batch.shard, remaining[middle:], batch.retries))
            self._work.appendleft(_Batch(batch.shard, remaining[:middle], batch.retries))
            self.journal.add("retry", self.function.name, f"split into {middle} + the rest")
            return
        # A partial success (retry from the lowest failed record to the end of the batch), a
        # complete failure, or a function error that is not split: a retry.
        retries = batch.retries + 1
        if self.mapping.retries != -1 and retries > self.mapping.retries:
            self._give_up(batch.shard, remaining, "RetryAttemptsExhausted", retries, error)
            return
        self._work.appendleft(_Batch(batch.shard, remaining, retries))
        self.journal.add(
            "retry",
            self.function.name,
            f"retry {retries} of {len(remaining)} record(s) {_sequence_range(remaining)}",
        )

    def _outcome(self, invocation, records: list) -> tuple:
        """(index of the first record to retry or None, the error payload or None)."""
        if not invocation.ok:
            return 0, invocation.error
        if not self.mapping.report_batch_item_failures:
            return None, None
        result = invocation.result
        failures = result.get("batchItemFailures") if isinstance(result, dict) else None
        if not failures:
            return None, None
        positions = {r["dynamodb"]["SequenceNumber"]: i for i, r in enumerate(records)}
        named = [f.get("itemIdentifier") if isinstance(f, dict) else None for f in failures]
        if not all(isinstance(n, str) and n in positions for n in named):
            return 0, {"errorMessage": f"invalid batchItemFailures {failures!r}: whole batch"}
        return min(positions[n] for n in named), None

    def _drop_old(self, batch: _Batch) -> list:
        """The batch's records without those too old to send: past the mapping's maximum age
        (to the on-failure destination) or past the stream's retention (trimmed: lost)."""
        records = batch.records
        if self.mapping.max_record_age != -1:
            expired = self._older_than(records, self.mapping.max_record_age)
            if expired:
                self._give_up(batch.shard, expired, "RecordAgeExceeded", batch.retries, None)
                records = records[len(expired) :]
        trimmed = self._older_than(records, STREAM_RETENTION)
        if trimmed:
            self.journal.add(
                "discard",
                self.function.name,
                f"{len(trimmed)} record(s) {_sequence_range(trimmed)}: trimmed from the stream "
                "after its 24-hour retention; lost (nothing goes to the on-failure destination)",
                **_batch_details(trimmed),
            )
            self._forget(trimmed)
            records = records[len(trimmed) :]
        return records

    def _older_than(self, records: list, seconds: int) -> list:
        """The leading records that arrived more than `seconds` ago on the sandbox's clock."""
        now = self.clock.now()
        old = []
        for record in records:
            arrival = self._arrivals.get(record["dynamodb"]["SequenceNumber"], now)
            if now - arrival <= seconds:
                break
            old.append(record)
        return old

    def _forget(self, records: list) -> None:
        """The records are done with (checkpointed or given up on)."""
        for record in records:
            self._arrivals.pop(record["dynamodb"]["SequenceNumber"], None)

    def _give_up(self, shard: str, records: list, condition: str, invocations: int, error):
        self._forget(records)
        sequence = _sequence_range(records)
        hand_over(
            self.journal,
            self.send_failure,
            self.function.name,
            self.mapping.on_failure,
            lambda: stream_failure_record(
                self.mapping, self.function.arn, shard, records, condition, invocations, error
            ),
            sequence,
            condition,
            letter=f"{len(records)} record(s) {sequence}: {condition}",
            **_batch_details(records),
        )


def _batch_details(records: list) -> dict:
    return {
        "records": len(records),
        "first": records[0]["dynamodb"]["SequenceNumber"],
        "last": records[-1]["dynamodb"]["SequenceNumber"],
    }


def _sequence_range(records: list) -> str:
    first = records[0]["dynamodb"]["SequenceNumber"]
    last = records[-1]["dynamodb"]["SequenceNumber"]
    return f"#{first}" if first == last else f"#{first}..#{last}"
