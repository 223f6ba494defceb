"""S3 event notifications for handler tests, as the emulator emits them.

A bucket is configured to notify an SQS queue of its ObjectCreated and ObjectRemoved events; the
test does real puts and deletes, and `events()` returns the JSON the emulator delivered (keys
encoded as S3 encodes them). Two fields S3 sends and moto does not are added, as S3 would set
them: `sequencer` (increasing in the order the operations happened, of varying length as S3's
are) and, for versioned buckets, the `versionId` the operation returned.
"""

import json

import boto3


class S3EventTap:
    def __init__(self, bucket: str, region: str = "us-east-1"):
        self.bucket = bucket
        self.s3 = boto3.client("s3", region_name=region)
        self.sqs = boto3.client("sqs", region_name=region)
        self.queue = self.sqs.create_queue(QueueName=f"{bucket}-events")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.queue, AttributeNames=["QueueArn"])
        self.s3.put_bucket_notification_configuration(
            Bucket=bucket,
            NotificationConfiguration={
                "QueueConfigurations": [
                    {
                        "QueueArn": arn["Attributes"]["QueueArn"],
                        "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
                    }
                ]
            },
        )
        self._versions: list = []  # VersionIds the operations returned, in order
        self._count = 0

    # --- operations that also remember what S3 would put in their events ----------------------
    def put(self, key: str, body: bytes = b"", **extra) -> dict:
        response = self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, **extra)
        self._versions.append(response.get("VersionId"))
        return response

    def delete(self, key: str, **extra) -> dict:
        response = self.s3.delete_object(Bucket=self.bucket, Key=key, **extra)
        if not response.get("DeleteMarker"):  # moto emits no event for a delete marker
            self._versions.append(response.get("VersionId"))
        return response

    def events(self) -> list:
        """Each notification delivered since the last call, oldest first (one record each)."""
        received = []
        while True:
            messages = self.sqs.receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10).get(
                "Messages", []
            )
            if not messages:
                break
            for message in messages:
                self.sqs.delete_message(QueueUrl=self.queue, ReceiptHandle=message["ReceiptHandle"])
                body = json.loads(message["Body"])
                if "Records" in body:  # not the s3:TestEvent sent on configuration
                    received.append(body)
        for event in received:
            for record in event["Records"]:
                obj = record["s3"]["object"]
                obj.setdefault("sequencer", self._next_sequencer())
                version = self._versions.pop(0) if self._versions else None
                if version and version != "null":
                    obj.setdefault("versionId", version)
        return received

    def _next_sequencer(self) -> str:
        # From the third event on, one hex digit longer: S3's sequencers differ in length too,
        # and compare by right-padding the shorter one with zeros.
        self._count += 1
        value = f"{0x617F0829932D18 + self._count:X}"
        return value + (f"{self._count % 16:X}" if self._count > 2 else "")


def removal_event(
    bucket: str,
    event_name: str,
    key: str,
    version_id: str | None = None,
    sequencer: str = "FFFFFFFFFFFFFFFFFF",
) -> dict:
    """A remove event as S3 sends it for a versioned bucket, which moto does not emit
    (ObjectRemoved:DeleteMarkerCreated, or ObjectRemoved:Delete of one version)."""
    obj = {"key": key, "sequencer": sequencer}
    if version_id:
        obj["versionId"] = version_id
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "eventName": event_name,
                "s3": {"bucket": {"name": bucket}, "object": obj},
            }
        ]
    }
