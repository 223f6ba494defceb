"""Pipeline "stream archive" (seed 002, a Terraform configuration): inserts and removals of a table,
kept as JSON objects in S3.

    UsersIds table (UserId) ──stream: INSERT, REMOVE──> function stream_archive ──PutObject──>
        archive bucket: <table>/<eventName>/<yyyy>/<mm>/<dd>/<sequenceNumber>-<eventID>.json
                                                      └── exhausted records ──> dead-letter queue

Every resource of the seed is here (table, function, event source mapping, role and policy, bucket,
log group), on python3.13 instead of 3.8, with a DLQ, bisection and partial batch responses.
Grants: read the table's stream; put objects under `<table name>/` in the archive bucket.
"""

import pulumi

from . import grants
from .args import StreamArchiveArgs, outputs_of, resolve_stream_archive
from .function import FunctionArgs
from .log_bucket import standalone_protection
from .protection import Protection
from .secure_bucket import SecureBucket, SecureBucketArgs
from .stream_function import stream_function
from .table import secure_table

ARCHIVED_EVENTS = ("INSERT", "REMOVE")


class StreamArchive(pulumi.ComponentResource):
    """A table whose every change is archived as JSON in a versioned bucket."""

    table_name: pulumi.Output[str]
    """The table's name."""
    table_arn: pulumi.Output[str]
    """The table's ARN."""
    function_arn: pulumi.Output[str]
    """The function's ARN."""
    bucket_name: pulumi.Output[str]
    """The archive bucket's name."""
    dead_letter_queue_url: pulumi.Output[str]
    """Where records that failed every retry go."""

    def __init__(
        self,
        name: str,
        args: StreamArchiveArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        protection: Protection | None = None,
    ):
        settings = resolve_stream_archive(args)
        super().__init__("event-pipelines:index:StreamArchive", name, None, opts)
        # On its own (no protection given), its buckets still log their access: Shared's default.
        if protection is None:
            protection = standalone_protection(name, self)
        child = pulumi.ResourceOptions(parent=self)

        self.table = secure_table(
            f"{name}-table",
            hash_key="UserId",
            stream_view_type="NEW_AND_OLD_IMAGES",
            table_name=settings.table_name,
            deletion_protection=settings.deletion_protection,
            kms_key_arn=protection.kms_key_arn,
            opts=child,
        )
        self.bucket = SecureBucket(
            f"{name}-bucket",
            SecureBucketArgs(
                protection=protection,
                bucket_name=settings.bucket_name,
                versioning=settings.versioning,
                force_destroy=settings.force_destroy,
            ),
            opts=child,
        )
        self.function, self.trigger = stream_function(
            name,
            table=self.table,
            event_names=ARCHIVED_EVENTS,
            args=FunctionArgs(
                handler_module="stream_archive",
                description="Archives the table's inserts and removals as JSON objects in S3",
                environment={"BUCKET_NAME": self.bucket.bucket_name},
                statements=[
                    grants.write_objects(
                        self.bucket.arn,
                        key_prefix=pulumi.Output.concat(self.table.name, "/"),
                        sid="WriteArchiveObjects",
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
        self.bucket_name = self.bucket.bucket_name
        self.dead_letter_queue_url = self.function.required_dead_letter_queue().url
        self.outputs = outputs_of(self)
        self.register_outputs(self.outputs)
