"""Partial-batch processing of DynamoDB stream records, the way Lambda expects it.

Records run concurrently on a small bounded pool (the work is I/O). Records that share an ordering
key run in stream order on one worker; once one of them fails, the later ones are reported failed
without being tried, so they are retried after it and never overtake it. Every failure is logged
with the record's identifiers and the reason, and reported by SequenceNumber in
`{"batchItemFailures": [...]}` (the event source mapping has ReportBatchItemFailures on). Lambda
then retries from the lowest failed sequence number, so the work must be idempotent.
"""

import logging
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

MAX_WORKERS = 8

logger = logging.getLogger(__name__)


class RecordError(Exception):
    """A record that cannot be processed as it is (bad shape, unusable value): no traceback."""


def describe(record: dict) -> dict:
    """Identifiers of a record for log lines: never the full images (size, personal data)."""
    if not isinstance(record, dict):
        record = {}
    change = record.get("dynamodb") or {}
    return {
        "eventID": record.get("eventID"),
        "eventName": record.get("eventName"),
        "sequenceNumber": change.get("SequenceNumber"),
        "keys": change.get("Keys"),
    }


def process_batch(
    event: dict,
    process: Callable[[dict], Any],
    ordering_key: Callable[[dict], Hashable] | None = None,
    max_workers: int = MAX_WORKERS,
) -> dict:
    records = event.get("Records")
    if not isinstance(records, list):
        raise TypeError("the event has no Records list: not a DynamoDB stream batch")

    # Group the records that must stay in order; a record whose key cannot be read fails alone.
    groups: dict = {}
    failed: dict = {}
    for index, record in enumerate(records):
        try:
            key = ordering_key(record) if ordering_key else ("record", index)
        except Exception as error:  # noqa: BLE001 - reported per record below
            failed[index] = error
            continue
        groups.setdefault(key, []).append(index)

    def run_group(indexes: list) -> dict:
        outcome = {}
        for position, index in enumerate(indexes):
            try:
                process(records[index])
            except Exception as error:  # noqa: BLE001 - one bad record must not stop the others
                outcome[index] = error
                skipped = RecordError(
                    f"not tried: an earlier record with the same key failed ({error})"
                )
                outcome.update({later: skipped for later in indexes[position + 1 :]})
                break
        return outcome

    if groups:
        with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(groups)))) as pool:
            for outcome in pool.map(run_group, groups.values()):
                failed.update(outcome)

    failures = []
    for index in sorted(failed):
        record, error = records[index], failed[index]
        details = describe(record)
        logger.error(
            "record %s (%s %s) failed: %s",
            details["sequenceNumber"],
            details["eventName"],
            details["eventID"],
            error,
            extra={"record": details, "reason": str(error)},
            exc_info=None if isinstance(error, RecordError) else error,
        )
        if not details["sequenceNumber"]:
            # Without a sequence number Lambda cannot retry this record alone: fail the whole batch.
            raise RuntimeError(f"record {details['eventID']} has no SequenceNumber") from error
        failures.append({"itemIdentifier": details["sequenceNumber"]})
    return {"batchItemFailures": failures}


def string_key(record: dict, attribute: str) -> str:
    """The string value of a key attribute of a stream record, or RecordError saying why not."""
    if not isinstance(record, dict):
        raise RecordError(f"the record is not an object: {record!r}")
    keys = (record.get("dynamodb") or {}).get("Keys") or {}
    value = keys.get(attribute)
    if not isinstance(value, dict) or "S" not in value:
        raise RecordError(f"the record has no string key attribute {attribute!r} (Keys: {keys})")
    if not isinstance(value["S"], str) or not value["S"].strip():
        raise RecordError(f"key attribute {attribute!r} is empty")
    return value["S"]
