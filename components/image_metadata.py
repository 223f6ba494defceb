"""Pipeline "image metadata" (seed 001): every image uploaded gets a row in a metadata table.

    upload bucket ──ObjectCreated:*, ObjectRemoved:*, LifecycleExpiration:Delete and
                    :DeleteMarkerCreated (one rule per suffix)──> function
        image_metadata ──HeadObject──> upload bucket
                       ──PutItem / DeleteItem (conditional on the event's sequencer)──> table
                       └── events failed after retries ──> dead-letter queue

Grants: GetObject on the bucket's objects (HeadObject needs it); PutItem and DeleteItem on the
table. Nothing else (a lifecycle expiration deletes a row like any other removal).
"""

import pulumi

from . import grants
from .args import ImageMetadataArgs, outputs_of, resolve_image_metadata
from .function import FunctionArgs
from .log_bucket import standalone_protection
from .protection import Protection
from .s3_function import OBJECT_CREATED, OBJECT_DELETES, NotificationRule, s3_function
from .secure_bucket import SecureBucket, SecureBucketArgs
from .table import secure_table


class ImageMetadata(pulumi.ComponentResource):
    """An upload bucket whose images get a metadata row in a table, removed with the image."""

    bucket_name: pulumi.Output[str]
    """The upload bucket's name."""
    table_name: pulumi.Output[str]
    """The metadata table's name."""
    table_arn: pulumi.Output[str]
    """The metadata table's ARN."""
    function_arn: pulumi.Output[str]
    """The function's ARN."""
    dead_letter_queue_url: pulumi.Output[str]
    """Where events that failed every retry go."""

    def __init__(
        self,
        name: str,
        args: ImageMetadataArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        protection: Protection | None = None,
    ):
        settings = resolve_image_metadata(args)
        super().__init__("event-pipelines:index:ImageMetadata", name, None, opts)
        # On its own (no protection given), its buckets still log their access: Shared's default.
        if protection is None:
            protection = standalone_protection(name, self)
        child = pulumi.ResourceOptions(parent=self)

        self.bucket = SecureBucket(
            f"{name}-uploads",
            SecureBucketArgs(
                protection=protection,
                bucket_name=settings.bucket_name,
                versioning=settings.versioning,
                force_destroy=settings.force_destroy,
            ),
            opts=child,
        )
        self.table = secure_table(
            f"{name}-table",
            hash_key="filename",
            table_name=settings.table_name,
            deletion_protection=settings.deletion_protection,
            kms_key_arn=protection.kms_key_arn,
            opts=child,
        )
        self.function, _, self.notification = s3_function(
            name,
            bucket=self.bucket,
            # S3 takes one suffix per rule.
            rules=[
                NotificationRule([OBJECT_CREATED, *OBJECT_DELETES], suffix=suffix)
                for suffix in settings.suffixes
            ],
            args=FunctionArgs(
                handler_module="image_metadata",
                description="Keeps a metadata row for each image in the upload bucket",
                environment={"TABLE_NAME": self.table.name},
                statements=[
                    grants.read_objects(self.bucket.arn, sid="ReadUploads"),
                    grants.write_items(self.table.arn, sid="WriteMetadata"),
                ],
                log_retention_days=settings.log_retention_days,
                settings=settings.function,
                protection=protection,
                invoke=settings.invoke,
                reads_object_data=False,  # HeadObject only
            ),
            opts=child,
        )
        self.bucket_name = self.bucket.bucket_name
        self.table_name = self.table.name
        self.table_arn = self.table.arn
        self.function_arn = self.function.arn
        self.dead_letter_queue_url = self.function.required_dead_letter_queue().url
        self.outputs = outputs_of(self)
        self.register_outputs(self.outputs)
