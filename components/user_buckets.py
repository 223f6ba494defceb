"""Pipeline "user buckets" (seed 000): a new user gets a private bucket of their own.

    users table (id) ──stream: INSERT, MODIFY──> function user_buckets ──CreateBucket──> <prefix>-*
                                                      └── exhausted records ──> dead-letter queue

Grants: read the users stream; create and configure buckets named `<prefix>-*`, nothing else.
"""

import pulumi
import pulumi_aws as aws

from components import grants
from components.config import StackSettings, UserBucketsSettings
from components.function import Function, FunctionArgs
from components.stream_table import stream_table
from components.stream_trigger import stream_trigger

HANDLED_EVENTS = ("INSERT", "MODIFY")


class UserBuckets(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        settings: UserBucketsSettings,
        stack: StackSettings,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("event-pipelines:index:UserBuckets", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).partition

        self.table = stream_table(
            f"{name}-users",
            hash_key="id",
            stream_view_type="NEW_IMAGE",
            table_name=settings.table_name,
            deletion_protection=stack.deletion_protection,
            opts=child,
        )
        self.function = Function(
            f"{name}-fn",
            FunctionArgs(
                handler_module="user_buckets",
                description="Creates a private S3 bucket for each new user",
                environment={"BUCKET_PREFIX": settings.bucket_prefix},
                statements=[
                    grants.read_stream(self.table.stream_arn, sid="ReadUsersStream"),
                    grants.create_buckets(
                        settings.bucket_prefix, partition, sid="CreateUserBuckets"
                    ),
                ],
                log_retention_days=stack.log_retention_days,
                settings=settings.function,
            ),
            opts=child,
        )
        self.trigger = stream_trigger(
            f"{name}-trigger",
            stream_arn=self.table.stream_arn,
            function=self.function,
            event_names=HANDLED_EVENTS,
            settings=settings.stream,
            opts=child,
        )
        self.register_outputs(
            {
                "tableName": self.table.name,
                "tableArn": self.table.arn,
                "functionArn": self.function.arn,
                "bucketPrefix": settings.bucket_prefix,
                "deadLetterQueueUrl": self.function.dead_letter_queue.url,
            }
        )
