"""Lambda's poller for one DynamoDB-stream event source mapping.

It reads the stream with the function's role (as Lambda does: the role needs DescribeStream,
GetShardIterator and GetRecords on the stream), drops records the filter criteria do not match,
and invokes the function with batches of up to BatchSize records in stream order, one batch at a
time per shard. After an invocation:

- success (with ReportBatchItemFailures: no batchItemFailures, or an empty list) checkpoints the
  batch;
- batchItemFailures naming records of the batch checkpoints the records before the lowest one
  named and retries from there; an identifier that is empty or not in the batch fails the whole
  batch, as Lambda treats it;
- a function error fails the whole batch.
A failed batch of more than one record is split in two when BisectBatchOnFunctionError is on,
each half retried in order; a split does not use up a retry (the sandbox's reading of the
documentation, which says only "split the batch in two and retry"). Otherwise it is retried up
to MaximumRetryAttempts times, then its metadata goes to the on-failure destination and the
poller moves past it. Records older than MaximumRecordAgeInSeconds are not sent to the function
but to the destination. Retries here are immediate: a stream's records wait for the shard anyway.
"""

import json
from collections import deque
from dataclasses import dataclass

from botocore.exceptions import ClientError

from tools.sandbox.destinations import stream_failure_record
from tools.sandbox.event_filter import matches, parse_criteria


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
        self._raw: list = []
        streams.meta.events.register(
            "after-call.dynamodb-streams.GetRecords",
            lambda http_response, **_: self._raw.append(http_response.text),
        )

    @property
    def idle(self) -> bool:
        return not self._pending and not self._work

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
        try:
            if self._iterators is None:
                self._iterators = self._open_shards()
            found = False
            for shard, iterator in list(self._iterators.items()):
                if iterator is None:
                    continue
                self._raw.clear()
                page = self.streams.get_records(ShardIterator=iterator, Limit=1000)
                self._iterators[shard] = page.get("NextShardIterator")
                for record in json.loads(self._raw[-1])["Records"]:
                    found = True
                    # What Lambda's poller adds to each record.
                    record["eventSourceARN"] = self.mapping.stream_arn
                    record["awsRegion"] = self.region
                    if matches(record, self.patterns):
                        self._pending.append((shard, record))
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
        expired = self._expired(batch.records)
        if expired:
            self._give_up(batch.shard, expired, "RecordAgeExceeded", batch.retries, None)
            batch.records = batch.records[len(expired) :]
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
        if self.mapping.bisect and len(remaining) > 1:
            middle = len(remaining) // 2
            self._work.appendleft(_Batch(batch.shard, remaining[middle:], batch.retries))
            self._work.appendleft(_Batch(batch.shard, remaining[:middle], batch.retries))
            self.journal.add("retry", self.function.name, f"split into {middle} + the rest")
            return
        retries = batch.retries + 1
        if self.mapping.retries != -1 and retries > self.mapping.retries:
            self._give_up(batch.shard, remaining, "RetryAttemptsExhausted", retries, error)
            return
        self._work.appendleft(_Batch(batch.shard, remaining, retries))
        self.journal.add(
            "retry", self.function.name, f"retry {retries} of {len(remaining)} record(s)"
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

    def _expired(self, records: list) -> list:
        if self.mapping.max_record_age == -1:
            return []
        oldest_allowed = self.clock.now() - self.mapping.max_record_age
        expired = []
        for record in records:
            if float(record["dynamodb"]["ApproximateCreationDateTime"]) >= oldest_allowed:
                break
            expired.append(record)
        return expired

    def _give_up(self, shard: str, records: list, condition: str, invocations: int, error):
        sequence = _sequence_range(records)
        if not self.mapping.on_failure:
            self.journal.add("discard", self.function.name, f"{sequence}: {condition}")
            return
        record = stream_failure_record(
            self.mapping, self.function.arn, shard, records, condition, invocations, error
        )
        problem = self.send_failure(self.mapping.on_failure, record)
        if problem:
            self.journal.add(
                "discard",
                self.function.name,
                f"{sequence}: {condition}; on-failure destination refused it ({problem})",
            )
            return
        self.journal.add(
            "dead-letter",
            self.function.name,
            f"{len(records)} record(s) {sequence}: {condition}",
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
