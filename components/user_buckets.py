"""Pipeline "user buckets" (seed 000): a new user gets a private bucket of their own.

    users table (id) ──stream: INSERT, MODIFY──> function user_buckets ──CreateBucket──> <prefix>-*
                                                      └── exhausted records ──> dead-letter queue

Grants: read the users stream; create and configure buckets named `<prefix>-*`, nothing else.
"""

import pulumi
import pulumi_aws as aws

from . import grants
from .config import StackSettings, UserBucketsSettings
from .function import FunctionArgs
from .protection import NO_PROTECTION, Protection
from .stream_function import stream_function
from .table import secure_table

HANDLED_EVENTS = ("INSERT", "MODIFY")


class UserBuckets(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        settings: UserBucketsSettings,
        stack: StackSettings,
        protection: Protection = NO_PROTECTION,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("event-pipelines:index:UserBuckets", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self))

        self.table = secure_table(
            f"{name}-users",
            hash_key="id",
            stream_view_type="NEW_IMAGE",
            table_name=settings.table_name,
            deletion_protection=stack.deletion_protection,
            kms_key_arn=protection.kms_key_arn,
            opts=child,
        )
        self.function, self.trigger = stream_function(
            name,
            table=self.table,
            event_names=HANDLED_EVENTS,
            args=FunctionArgs(
                handler_module="user_buckets",
                description="Creates a private S3 bucket for each new user",
                environment={"BUCKET_PREFIX": settings.bucket_prefix},
                statements=[
                    grants.create_buckets(
                        settings.bucket_prefix, partition.partition, sid="CreateUserBuckets"
                    )
                ],
                log_retention_days=stack.log_retention_days,
                settings=settings.function,
                protection=protection,
            ),
            stream=settings.stream,
            opts=child,
        )
        self.outputs = {
            "tableName": self.table.name,
            "tableArn": self.table.arn,
            "functionArn": self.function.arn,
            "bucketPrefix": settings.bucket_prefix,
            "deadLetterQueueUrl": self.function.required_dead_letter_queue().url,
        }
        self.register_outputs(self.outputs)
