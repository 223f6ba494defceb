"""S3's side of "S3 notifies a Lambda function": from a bucket's events to asynchronous invocations.

The emulator delivers every event of a notifying bucket to an internal queue (see
tools.sandbox.deployment). Here each one is matched against the bucket's Lambda notification
configurations as S3 matches them (event type, with `s3:ObjectCreated:*` style wildcards; the
prefix and suffix filters on the object key), and for each configuration that matches, S3 invokes
the function asynchronously with the event JSON, provided the function's resource policy lets
s3.amazonaws.com invoke it from this bucket and account (otherwise the event is lost, as in AWS).
"""

import copy
import json
from urllib.parse import unquote_plus


def rule_matches(rule, event_name: str, key: str) -> bool:
    """`event_name` as in a record ("ObjectCreated:Put"); `key` decoded."""
    wanted = f"s3:{event_name}"
    events_match = any(
        wanted == pattern or (pattern.endswith(":*") and wanted.startswith(pattern[:-1]))
        for pattern in rule.events
    )
    return events_match and key.startswith(rule.prefix) and key.endswith(rule.suffix)


class S3Delivery:
    def __init__(self, emulator, deployment, invokers, journal):
        self.emulator = emulator
        self.deployment = deployment
        self.invokers = invokers  # function name -> AsyncInvoker
        self.journal = journal
        self.sqs = emulator.client("sqs", deployment.region)

    def deliver(self) -> bool:
        """Move every waiting event to the functions it notifies; True if there was any."""
        moved = False
        for bucket, queue_url in self.deployment.event_queues.items():
            while True:
                messages = self.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get(
                    "Messages", []
                )
                if not messages:
                    break
                for message in messages:
                    self._route(bucket, json.loads(message["Body"]))
                    self.sqs.delete_message(
                        QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"]
                    )
                    moved = True
        return moved

    def _route(self, bucket: str, event: dict) -> None:
        if "Records" not in event:
            return  # the s3:TestEvent sent when a configuration is put
        for record in event["Records"]:
            key = unquote_plus(record["s3"]["object"]["key"])
            for rule in self.deployment.notifications.get(bucket, []):
                if rule_matches(rule, record["eventName"], key):
                    self._invoke(bucket, rule, record)

    def _invoke(self, bucket: str, rule, record: dict) -> None:
        function = self.deployment.function_by_arn(rule.function_arn)
        if not function.may_be_invoked_by("s3.amazonaws.com", f"arn:aws:s3:::{bucket}"):
            self.journal.add(
                "problem",
                function.name,
                f"S3 may not invoke it for s3://{bucket} (function policy): event lost",
            )
            return
        delivered = copy.deepcopy(record)
        delivered["s3"]["configurationId"] = rule.configuration_id
        self.invokers[function.name].submit({"Records": [delivered]})


def describe(event: dict) -> str:
    """A short name for an S3 event: "ObjectCreated:Put s3://bucket/key"."""
    record = event["Records"][0]
    obj = record["s3"]["object"]
    return f"{record['eventName']} s3://{record['s3']['bucket']['name']}/{unquote_plus(obj['key'])}"
