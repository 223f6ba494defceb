"""The event source mapping from a DynamoDB stream to a Function, with no event left behind.

Only the listed event names reach the function (filter criteria); failed records are reported one
by one (ReportBatchItemFailures) and the batch is bisected on error, so a poison record is isolated;
retries and record age are bounded, so one record cannot block its shard; records that exhaust
them go to the function's dead-letter queue.
"""

import json
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from components.config import StreamSettings
from components.function import Function


def event_name_filter(event_names: Sequence[str]) -> dict:
    return {"filters": [{"pattern": json.dumps({"eventName": list(event_names)})}]}


def stream_trigger(
    name: str,
    stream_arn: pulumi.Input[str],
    function: Function,
    event_names: Sequence[str],
    settings: StreamSettings,
    opts: pulumi.ResourceOptions | None = None,
) -> aws.lambda_.EventSourceMapping:
    return aws.lambda_.EventSourceMapping(
        name,
        event_source_arn=stream_arn,
        function_name=function.arn,
        starting_position="TRIM_HORIZON",
        filter_criteria=event_name_filter(event_names),
        function_response_types=["ReportBatchItemFailures"],
        bisect_batch_on_function_error=True,
        batch_size=settings.batch_size,
        maximum_batching_window_in_seconds=settings.maximum_batching_window_in_seconds,
        maximum_retry_attempts=settings.maximum_retry_attempts,
        maximum_record_age_in_seconds=settings.maximum_record_age_in_seconds,
        parallelization_factor=settings.parallelization_factor,
        destination_config={
            "on_failure": {"destination_arn": function.dead_letter_queue.arn},
        },
        opts=opts,
    )
