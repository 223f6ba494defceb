"""Alarms: someone hears of an event that was given up on, or a function that fails.

    dead-letter queue: ApproximateNumberOfMessagesVisible > 0 ──┐
    function: Errors > 0 (5 minutes) ───────────────────────────┴──> SNS topic (customer key,
                                                                      TLS-only) ──> email, ...

The topic is the stack's own (encrypted with the stack's customer key: CloudWatch cannot publish
to a topic encrypted with the AWS managed key aws/sns, whose policy cannot admit it), or one the
stack config names.
"""

import pulumi
import pulumi_aws as aws

from .policies import deny_insecure_transport, document

PERIOD_SECONDS = 300


def alarm_topic(
    name: str,
    kms_key_arn: pulumi.Input[str],
    email: str | None = None,
    opts: pulumi.ResourceOptions | None = None,
) -> aws.sns.Topic:
    """An encrypted topic that CloudWatch alarms of this account may publish to, over TLS only."""
    topic = aws.sns.Topic(name, kms_master_key_id=kms_key_arn, opts=opts)
    account = aws.get_caller_identity_output(
        opts=pulumi.InvokeOutputOptions(parent=(opts or pulumi.ResourceOptions()).parent)
    ).account_id
    aws.sns.TopicPolicy(
        f"{name}-policy",
        arn=topic.arn,
        policy=document(
            [
                {
                    "Sid": "CloudWatchAlarmsOfThisAccount",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": "sns:Publish",
                    "Resource": topic.arn,
                    "Condition": {"StringEquals": {"aws:SourceAccount": account}},
                },
                deny_insecure_transport("DenyInsecureTransport", "sns:Publish", [topic.arn]),
            ]
        ),
        opts=opts,
    )
    if email:
        aws.sns.TopicSubscription(
            f"{name}-email", topic=topic.arn, protocol="email", endpoint=email, opts=opts
        )
    return topic


def queue_not_empty(
    name: str, queue_name: pulumi.Input[str], topic_arn: pulumi.Input[str], opts=None
) -> aws.cloudwatch.MetricAlarm:
    """Any message in a dead-letter queue is an event the pipeline gave up on (and the alarm
    clears, saying so, once the queue is drained)."""
    return _above_zero(
        name,
        "Events gave up on: look at the dead-letter queue and redrive them",
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": queue_name}, "Maximum"),
        topic_arn,
        ok_too=True,
        opts=opts,
    )


def function_errors(
    name: str, function_name: pulumi.Input[str], topic_arn: pulumi.Input[str], opts=None
) -> aws.cloudwatch.MetricAlarm:
    """A function that raised (retried or not) within five minutes."""
    return _above_zero(
        name,
        "The function failed: its log group says which event and why",
        ("AWS/Lambda", "Errors", {"FunctionName": function_name}, "Sum"),
        topic_arn,
        ok_too=False,
        opts=opts,
    )


def _above_zero(name, description, metric, topic_arn, ok_too: bool, opts):
    namespace, metric_name, dimensions, statistic = metric
    return aws.cloudwatch.MetricAlarm(
        name,
        alarm_description=description,
        namespace=namespace,
        metric_name=metric_name,
        dimensions=dimensions,
        statistic=statistic,
        period=PERIOD_SECONDS,
        evaluation_periods=1,
        threshold=0,
        comparison_operator="GreaterThanThreshold",
        # No data is no failure: a function not invoked, a queue never written.
        treat_missing_data="notBreaching",
        alarm_actions=[topic_arn],
        ok_actions=[topic_arn] if ok_too else None,
        opts=opts,
    )
