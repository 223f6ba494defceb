"""Pipeline "user buckets" (seed 000): a new user gets a private bucket of their own.

    users table (id) ──stream: INSERT, MODIFY──> function user_buckets ──CreateBucket──> <prefix>-*
                                                      └── exhausted records ──> dead-letter queue

Grants: read the users stream; create and configure buckets named `<prefix>-*`, nothing else.
"""

import pulumi
import pulumi_aws as aws

from . import grants
from .args import UserBucketsArgs, outputs_of, resolve_user_buckets
from .function import FunctionArgs
from .protection import NO_PROTECTION, Protection
from .stream_function import stream_function
from .table import secure_table

HANDLED_EVENTS = ("INSERT", "MODIFY")


class UserBuckets(pulumi.ComponentResource):
    """A users table whose stream gives every new user a private S3 bucket of their own."""

    table_name: pulumi.Output[str]
    """The users table's name."""
    table_arn: pulumi.Output[str]
    """The users table's ARN."""
    function_arn: pulumi.Output[str]
    """The function's ARN."""
    bucket_prefix: pulumi.Output[str]
    """The prefix of the buckets the function creates."""
    dead_letter_queue_url: pulumi.Output[str]
    """Where records that failed every retry go."""

    def __init__(
        self,
        name: str,
        args: UserBucketsArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        protection: Protection = NO_PROTECTION,
    ):
        settings = resolve_user_buckets(args)
        super().__init__("event-pipelines:index:UserBuckets", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self))

        self.table = secure_table(
            f"{name}-users",
            hash_key="id",
            stream_view_type="NEW_IMAGE",
            table_name=settings.table_name,
            deletion_protection=settings.deletion_protection,
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
                log_retention_days=settings.log_retention_days,
                settings=settings.function,
                protection=protection,
            ),
            stream=settings.stream,
            opts=child,
        )
        self.table_name = self.table.name
        self.table_arn = self.table.arn
        self.function_arn = self.function.arn
        self.bucket_prefix = pulumi.Output.from_input(settings.bucket_prefix)
        self.dead_letter_queue_url = self.function.required_dead_letter_queue().url
        self.outputs = outputs_of(self)
        self.register_outputs(self.outputs)
