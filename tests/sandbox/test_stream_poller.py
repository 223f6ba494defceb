"""The stream poller alone, against a fake stream, function and clock (no emulator): how it
batches, retries, splits, ages and shapes records, as Lambda's event source mapping does."""

import json
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from botocore.exceptions import ClientError

from tools.sandbox.journal import Journal
from tools.sandbox.stream_poller import STREAM_RETENTION, StreamPoller

STREAM = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2024-01-01T00:00:00.000"
SHARD = "shardId-1"
WALL = 1_700_000_000.0  # the stream's wall time when the test starts


class FakeClock:
    """The sandbox's clock: wall time plus what settle() skipped."""

    def __init__(self):
        self.wall = WALL
        self.skipped = 0.0

    def now(self) -> float:
        return self.wall + self.skipped

    def skip(self, seconds: float) -> None:
        self.skipped += seconds


class FakeStreams:
    """The part of a dynamodbstreams client the poller uses, over one shard."""

    def __init__(self, clock: FakeClock):
        self.clock = clock
        self.records: list = []
        self.denied = False
        self._hooks: list = []
        self.meta = SimpleNamespace(events=SimpleNamespace(register=self._register))

    def _register(self, name, hook):
        self._hooks.append(hook)

    def write(self, key: str, event_name: str = "INSERT") -> str:
        sequence = str(100 + len(self.records))
        self.records.append(
            {
                "eventID": f"id-{sequence}",
                "eventName": event_name,
                "dynamodb": {
                    "ApproximateCreationDateTime": self.clock.wall + 0.123,  # as moto: ms
                    "Keys": {"id": {"S": key}},
                    "SequenceNumber": sequence,
                },
            }
        )
        return sequence

    def _check(self):
        if self.denied:
            raise ClientError({"Error": {"Code": "AccessDeniedException"}}, "DescribeStream")

    def describe_stream(self, StreamArn):
        self._check()
        return {"StreamDescription": {"Shards": [{"ShardId": SHARD}]}}

    def get_shard_iterator(self, StreamArn, ShardId, ShardIteratorType):
        self._check()
        return {"ShardIterator": 0 if ShardIteratorType == "TRIM_HORIZON" else len(self.records)}

    def get_records(self, ShardIterator, Limit):
        self._check()
        page = {"Records": self.records[ShardIterator : ShardIterator + Limit]}
        response = SimpleNamespace(text=json.dumps(page))
        for hook in self._hooks:
            hook(http_response=response)
        return {**page, "NextShardIterator": ShardIterator + len(page["Records"])}


@dataclass
class FakeRuntime:
    """A function whose answer for each batch the test decides: `fails` (keys) are reported
    in batchItemFailures, `crashes` (keys) make the invocation fail."""

    fails: set = field(default_factory=set)
    crashes: set = field(default_factory=set)
    batches: list = field(default_factory=list)
    spec: object = field(
        default_factory=lambda: SimpleNamespace(
            name="fn", arn="arn:aws:lambda:us-east-1:123456789012:function:fn"
        )
    )

    def invoke(self, event):
        records = event["Records"]
        self.batches.append([r["dynamodb"]["Keys"]["id"]["S"] for r in records])
        request = f"request-{len(self.batches)}"
        if any(r["dynamodb"]["Keys"]["id"]["S"] in self.crashes for r in records):
            error = {"errorMessage": "boom", "errorType": "RuntimeError"}
            return SimpleNamespace(ok=False, error=error, result=None, request_id=request)
        failures = [
            {"itemIdentifier": r["dynamodb"]["SequenceNumber"]}
            for r in records
            if r["dynamodb"]["Keys"]["id"]["S"] in self.fails
        ]
        result = {"batchItemFailures": failures}
        return SimpleNamespace(ok=True, error=None, result=result, request_id=request)


def mapping(**overrides):
    settings = {
        "stream_arn": STREAM,
        "batch_size": 100,
        "filter_criteria": None,
        "bisect": True,
        "retries": 2,
        "max_record_age": -1,
        "on_failure": "arn:aws:sqs:us-east-1:123456789012:dlq",
        "starting_position": "TRIM_HORIZON",
        "report_batch_item_failures": True,
    }
    return SimpleNamespace(**{**settings, **overrides})


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def streams(clock):
    return FakeStreams(clock)


def make_poller(streams, clock, runtime=None, **settings):
    letters = []
    poller = StreamPoller(
        mapping(**settings),
        runtime or FakeRuntime(),
        streams,
        "us-east-1",
        Journal(),
        clock,
        lambda destination, record: letters.append(record),
    )
    poller.letters = letters
    return poller


def settle(poller, rounds: int = 100) -> None:
    for _ in range(rounds):
        if not poller.poll():
            return
    raise AssertionError("still busy")


def batch_info(letter) -> tuple:
    info = letter["DDBStreamBatchInfo"]
    return info["batchSize"], info["startSequenceNumber"], info["endSequenceNumber"]


def test_a_partial_failure_retries_from_the_failed_record_without_splitting(streams, clock):
    runtime = FakeRuntime(fails={"c"})
    poller = make_poller(streams, clock, runtime, retries=2)
    sequence = {key: streams.write(key) for key in "abcdef"}

    settle(poller)

    # a and b are checkpointed; c..f are retried together, 2 times, then given up on together.
    assert runtime.batches == [list("abcdef"), list("cdef"), list("cdef")]
    (letter,) = poller.letters
    assert batch_info(letter) == (4, sequence["c"], sequence["f"])
    assert letter["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert letter["requestContext"]["approximateInvokeCount"] == 3
    assert not [e for e in poller.journal.entries if e.text.startswith("split")]


def test_a_function_error_splits_the_batch_without_using_a_retry(streams, clock):
    runtime = FakeRuntime(crashes={"c"})
    poller = make_poller(streams, clock, runtime, retries=1)
    sequence = {key: streams.write(key) for key in "abcd"}

    settle(poller)

    # abcd fails: split into ab (ok) and cd; cd fails: split into c and d. c alone is tried
    # 1 + 1 retry times (the splits used none), then given up on; d goes through.
    assert runtime.batches == [list("abcd"), list("ab"), list("cd"), ["c"], ["c"], ["d"]]
    (letter,) = poller.letters
    assert batch_info(letter) == (1, sequence["c"], sequence["c"])


def test_an_invalid_item_identifier_fails_the_whole_batch_unsplit(streams, clock):
    class Invalid(FakeRuntime):
        def invoke(self, event):
            super().invoke(event)
            result = {"batchItemFailures": [{"itemIdentifier": ""}]}
            return SimpleNamespace(ok=True, error=None, result=result, request_id="r")

    runtime = Invalid()
    poller = make_poller(streams, clock, runtime, retries=1)
    sequence = {key: streams.write(key) for key in "ab"}

    settle(poller)

    assert runtime.batches == [list("ab"), list("ab")]
    (letter,) = poller.letters
    assert batch_info(letter) == (2, sequence["a"], sequence["b"])


def test_age_is_measured_on_the_sandbox_clock_not_against_wall_time(streams, clock):
    runtime = FakeRuntime()
    poller = make_poller(streams, clock, runtime, max_record_age=120)
    clock.skip(300)  # settle() skipped over asynchronous retry delays
    streams.write("fresh")

    settle(poller)

    assert runtime.batches == [["fresh"]]
    assert poller.letters == []


def test_a_record_older_than_the_maximum_age_on_the_sandbox_clock_is_dead_lettered(streams, clock):
    runtime = FakeRuntime(fails={"slow"})
    poller = make_poller(streams, clock, runtime, retries=-1, max_record_age=120)
    sequence = streams.write("slow")
    poller.poll()  # read, invoked, failed: retried next round
    clock.skip(125)

    settle(poller)

    assert runtime.batches == [["slow"]]
    (letter,) = poller.letters
    assert batch_info(letter) == (1, sequence, sequence)
    assert letter["requestContext"]["condition"] == "RecordAgeExceeded"


def test_records_are_delivered_as_lambda_sends_them(streams, clock):
    seen = []

    class Recording(FakeRuntime):
        def invoke(self, event):
            seen.extend(event["Records"])
            return super().invoke(event)

    poller = make_poller(streams, clock, Recording())
    streams.write("a")

    settle(poller)

    (record,) = seen
    created = record["dynamodb"]["ApproximateCreationDateTime"]
    assert created == int(WALL) and isinstance(created, int), "whole epoch seconds"
    assert (record["eventSourceARN"], record["awsRegion"]) == (STREAM, "us-east-1")
    assert set(record["dynamodb"]) == {
        "ApproximateCreationDateTime",
        "Keys",
        "SequenceNumber",
    }, "nothing of the sandbox's own is added"


def test_latest_starts_when_the_poller_is_created_not_at_its_first_poll(streams, clock):
    streams.write("before")
    runtime = FakeRuntime()
    poller = make_poller(streams, clock, runtime, starting_position="LATEST")
    streams.write("after")  # written before the first poll

    settle(poller)

    assert runtime.batches == [["after"]]


def test_a_stream_unreadable_at_creation_is_opened_at_a_later_poll(streams, clock):
    streams.denied = True
    runtime = FakeRuntime()
    poller = make_poller(streams, clock, runtime)
    assert poller.problem and "AccessDeniedException" in poller.problem
    streams.write("a")
    streams.denied = False

    settle(poller)

    assert runtime.batches == [["a"]]
    assert poller.problem is None


def test_without_limits_a_poison_record_is_lost_when_the_stream_trims_it(streams, clock):
    runtime = FakeRuntime(fails={"poison"})
    poller = make_poller(streams, clock, runtime, retries=-1, max_record_age=-1)
    streams.write("poison")
    for _ in range(3):
        assert poller.poll()
    clock.skip(STREAM_RETENTION + 1)

    settle(poller)

    assert len(runtime.batches) == 3
    assert poller.letters == [], "nothing can be sent about a record the stream no longer has"
    (discard,) = poller.journal.of("discard")
    assert "24-hour retention" in discard.text
    assert poller.idle
