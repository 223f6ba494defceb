"""A Function fed by a DynamoDB stream, with no event left behind.

The function gets the grant to read the stream (its role polls it) and an event source mapping:
only the listed event names reach it (filter criteria); failed records are reported one by one
(ReportBatchItemFailures) and the batch is bisected on error, so a poison record is isolated;
retries and record age are bounded, so one record cannot block its shard; records that exhaust
them go to the function's dead-letter queue. Reading starts at TRIM_HORIZON: nothing written
before the mapping existed is skipped.
"""

import dataclasses
import json
from collections.abc import Sequence
from typing import NamedTuple

import pulumi
import pulumi_aws as aws

from . import grants
from .args import StreamSettings
from .function import Function, FunctionArgs


class StreamFunction(NamedTuple):
    function: Function
    mapping: aws.lambda_.EventSourceMapping


def event_name_filter(
    event_names: Sequence[str],
) -> aws.lambda_.EventSourceMappingFilterCriteriaArgsDict:
    return {"filters": [{"pattern": json.dumps({"eventName": list(event_names)})}]}


def stream_function(
    name: str,
    table: aws.dynamodb.Table,
    event_names: Sequence[str],
    args: FunctionArgs,
    stream: StreamSettings,
    opts: pulumi.ResourceOptions | None = None,
) -> StreamFunction:
    args = dataclasses.replace(
        args, statements=[grants.read_stream(table.stream_arn), *args.statements]
    )
    function = Function(f"{name}-fn", args, opts=opts)
    dead_letters = function.required_dead_letter_queue()
    mapping = aws.lambda_.EventSourceMapping(
        f"{name}-trigger",
        event_source_arn=table.stream_arn,
        function_name=function.arn,
        starting_position="TRIM_HORIZON",
        filter_criteria=event_name_filter(event_names),
        function_response_types=["ReportBatchItemFailures"],
        bisect_batch_on_function_error=True,
        batch_size=stream.batch_size,
        maximum_batching_window_in_seconds=stream.maximum_batching_window_in_seconds,
        maximum_retry_attempts=stream.maximum_retry_attempts,
        maximum_record_age_in_seconds=stream.maximum_record_age_in_seconds,
        parallelization_factor=stream.parallelization_factor,
        destination_config={"on_failure": {"destination_arn": dead_letters.arn}},
        opts=opts,
    )
    return StreamFunction(function, mapping)
