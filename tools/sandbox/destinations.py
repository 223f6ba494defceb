"""On-failure destinations: the records Lambda sends, and sending them with the function's role.

Lambda sends to a function's on-failure destination with the function's execution role, so the
role must allow sqs:SendMessage on the queue (and a denied send loses the record, as in AWS). The
record formats are AWS's: an invocation record for asynchronous invocations, batch metadata
(not the records themselves) for stream event source mappings.
"""

import datetime
import json
import uuid

from botocore.exceptions import ClientError


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def hand_over(
    journal,
    send_failure,
    function_name: str,
    destination,
    make_record,
    what: str,
    condition: str,
    letter: str,
    **details,
) -> None:
    """What Lambda does with an invocation it gives up on: send `make_record()` to the on-failure
    destination, and journal where it went: dead-lettered (`letter`, `details`), or discarded
    because there is no destination or it refused the record."""
    if not destination:
        journal.add("discard", function_name, f"{what}: {condition}")
        return
    problem = send_failure(destination, make_record())
    if problem:
        journal.add(
            "discard",
            function_name,
            f"{what}: {condition}; on-failure destination refused it ({problem})",
        )
        return
    journal.add("dead-letter", function_name, letter, **details)


def async_failure_record(function_arn, event, condition, attempts, error) -> dict:
    """What Lambda sends for an asynchronous event it gives up on."""
    record = {
        "version": "1.0",
        "timestamp": _now(),
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": f"{function_arn}:$LATEST",
            "condition": condition,  # RetriesExhausted | EventAgeExceeded
            "approximateInvokeCount": attempts,
        },
        "requestPayload": event,
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST"},
    }
    if error is not None:
        record["responseContext"]["functionError"] = "Unhandled"
        record["responsePayload"] = error
    return record


def stream_failure_record(mapping, function_arn, shard_id, records, condition, attempts, error):
    """What Lambda sends for stream records it discards: where they are, not what they hold."""
    arrivals = [r["dynamodb"].get("ApproximateCreationDateTime") for r in records]

    def iso(epoch) -> str | None:
        if epoch is None:
            return None
        moment = datetime.datetime.fromtimestamp(float(epoch), datetime.UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

    record = {
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": function_arn,
            "condition": condition,  # RetryAttemptsExhausted | RecordAgeExceeded
            "approximateInvokeCount": attempts,
        },
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST"},
        "version": "1.0",
        "timestamp": _now(),
        "DDBStreamBatchInfo": {
            "shardId": shard_id,
            "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
            "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
            "approximateArrivalOfFirstRecord": iso(arrivals[0]),
            "approximateArrivalOfLastRecord": iso(arrivals[-1]),
            "batchSize": len(records),
            "streamArn": mapping.stream_arn,
        },
    }
    if error is not None:
        record["responseContext"]["functionError"] = "Unhandled"
    return record


def send(sqs, queue_url: str, record: dict) -> str | None:
    """Send `record` with `sqs` (a client with the function's role); None when sent, else why not."""
    try:
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(record))
    except ClientError as error:
        return f"{error.response['Error']['Code']}: {error.response['Error'].get('Message', '')}"
    return None
