"""Dead-letter queue: where events that exhausted their retries wait for a human."""

import pulumi
import pulumi_aws as aws

from components.policies import deny_insecure_transport, document

RETENTION_SECONDS = 14 * 24 * 3600  # the SQS maximum: two weeks to notice and redrive


def dead_letter_queue(name: str, opts: pulumi.ResourceOptions | None = None) -> aws.sqs.Queue:
    """An SSE-encrypted queue whose policy refuses every request not made over TLS."""
    queue = aws.sqs.Queue(
        name,
        sqs_managed_sse_enabled=True,
        message_retention_seconds=RETENTION_SECONDS,
        opts=opts,
    )
    aws.sqs.QueuePolicy(
        f"{name}-tls-only",
        queue_url=queue.url,
        policy=document([deny_insecure_transport("DenyInsecureTransport", "sqs:*", [queue.arn])]),
        opts=opts,
    )
    return queue
