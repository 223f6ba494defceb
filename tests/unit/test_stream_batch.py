"""handlers/stream_batch.py: concurrency, ordering and failure reporting of a stream batch."""

import threading
import time

import pytest

from handlers.stream_batch import MAX_WORKERS, RecordError, process_batch, string_key


def record(sequence, key="k", event_name="INSERT"):
    return {
        "eventID": f"event-{sequence}",
        "eventName": event_name,
        "dynamodb": {"SequenceNumber": str(sequence), "Keys": {"id": {"S": key}}},
    }


def test_records_run_concurrently_on_a_bounded_pool():
    running, peak, lock = 0, 0, threading.Lock()

    def slow(_record):
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.02)
        with lock:
            running -= 1

    records = [record(n, key=f"user-{n}") for n in range(40)]
    result = process_batch({"Records": records}, slow, ordering_key=lambda r: string_key(r, "id"))

    assert result == {"batchItemFailures": []}
    assert peak == MAX_WORKERS == 8  # concurrent, and bounded


def test_records_sharing_a_key_run_in_stream_order():
    seen = []
    records = [record(n, key="same") for n in range(10)]
    process_batch(
        {"Records": records},
        lambda r: seen.append(r["eventID"]),
        ordering_key=lambda r: string_key(r, "id"),
    )
    assert seen == [f"event-{n}" for n in range(10)]


def test_failures_are_reported_in_batch_order_with_their_sequence_numbers():
    def fail_odd(r):
        if int(r["dynamodb"]["SequenceNumber"]) % 2:
            raise RecordError("odd")

    result = process_batch({"Records": [record(n, key=str(n)) for n in range(6)]}, fail_odd)
    assert result == {"batchItemFailures": [{"itemIdentifier": s} for s in ("1", "3", "5")]}


def test_a_record_whose_ordering_key_is_unreadable_fails_alone():
    broken = record(2)
    broken["dynamodb"]["Keys"] = {}
    done = []
    result = process_batch(
        {"Records": [record(1, "a"), broken, record(3, "b")]},
        lambda r: done.append(r["eventID"]),
        ordering_key=lambda r: string_key(r, "id"),
    )
    assert result == {"batchItemFailures": [{"itemIdentifier": "2"}]}
    assert sorted(done) == ["event-1", "event-3"]


def test_a_failed_record_without_sequence_number_fails_the_whole_batch():
    nameless = record(1)
    del nameless["dynamodb"]["SequenceNumber"]
    with pytest.raises(RuntimeError, match="no SequenceNumber"):
        process_batch({"Records": [nameless]}, lambda r: (_ for _ in ()).throw(RecordError("x")))


def test_a_batch_holding_something_that_is_not_a_record_fails_whole():
    # Without a sequence number there is nothing to report: Lambda must retry the batch.
    with pytest.raises(RuntimeError, match="no SequenceNumber"):
        process_batch(
            {"Records": [record(1), "garbage"]},
            lambda r: None,
            ordering_key=lambda r: string_key(r, "id"),
        )


@pytest.mark.parametrize("event", [{}, {"Records": None}, {"Records": "x"}])
def test_an_event_that_is_not_a_stream_batch_raises(event):
    with pytest.raises(TypeError, match="no Records list"):
        process_batch(event, lambda r: None)


def test_an_empty_batch_succeeds():
    assert process_batch({"Records": []}, lambda r: None) == {"batchItemFailures": []}


@pytest.mark.parametrize(
    "keys, message",
    [
        ({}, "no string key attribute 'id'"),
        ({"id": {"N": "5"}}, "no string key attribute 'id'"),
        ({"id": {"S": ""}}, "is empty"),
    ],
)
def test_string_key_says_why_a_key_is_unusable(keys, message):
    broken = record(1)
    broken["dynamodb"]["Keys"] = keys
    with pytest.raises(RecordError, match=message):
        string_key(broken, "id")
