"""Dead-letter queue: where events that exhausted their retries wait for a human."""

import pulumi
import pulumi_aws as aws

from .policies import deny_insecure_transport, document

RETENTION_SECONDS = 14 * 24 * 3600  # the SQS maximum: two weeks to notice and redrive


# How long SQS reuses a data key before asking KMS again (its maximum: fewer KMS calls).
DATA_KEY_REUSE_SECONDS = 86400


def dead_letter_queue(
    name: str,
    kms_key_arn: pulumi.Input[str] | None = None,
    opts: pulumi.ResourceOptions | None = None,
) -> aws.sqs.Queue:
    """A queue encrypted (SQS-managed keys, or the stack's customer key) whose policy refuses
    every request not made over TLS."""
    encryption: dict = (
        {"sqs_managed_sse_enabled": True}
        if kms_key_arn is None
        else {
            "kms_master_key_id": kms_key_arn,
            "kms_data_key_reuse_period_seconds": DATA_KEY_REUSE_SECONDS,
        }
    )
    queue = aws.sqs.Queue(
        name, message_retention_seconds=RETENTION_SECONDS, **encryption, opts=opts
    )
    aws.sqs.QueuePolicy(
        f"{name}-tls-only",
        queue_url=queue.url,
        policy=document([deny_insecure_transport("DenyInsecureTransport", "sqs:*", [queue.arn])]),
        opts=opts,
    )
    return queue
