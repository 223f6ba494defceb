"""Pipeline "object copy" (seed 004): every object created in a source bucket is copied to a
destination bucket, the exact version that was written, with its metadata and tags.

    source bucket ──ObjectCreated:* (prefix/suffix filters)──> function object_copy
        ──CopyObject, or a multipart copy above the threshold──> destination bucket
        ──(ObjectRemoved:*, LifecycleExpiration:Delete and :DeleteMarkerCreated, only with
           mirrorDeletes)──> DeleteObject in the destination
                       └── events failed after retries ──> dead-letter queue

Grants, the seed's intent exactly: read the source objects (their versions and tags too); write
objects and tags under the destination prefix, and abort a failed multipart copy. Only when deletes
are mirrored: delete there, and list the source (to tell a deleted source from a denied request);
an object expired by a lifecycle rule needs no more than one deleted by a request.
The destination can never be the source: the copy would notify itself.
"""

import pulumi

from . import grants
from .args import ObjectCopyArgs, outputs_of, resolve_object_copy
from .function import FunctionArgs
from .log_bucket import standalone_protection
from .protection import Protection
from .s3_function import OBJECT_CREATED, OBJECT_DELETES, NotificationRule, s3_function
from .secure_bucket import SecureBucket, SecureBucketArgs


class ObjectCopy(pulumi.ComponentResource):
    """A source bucket whose new objects are copied, server-side, into a destination bucket."""

    source_bucket_name: pulumi.Output[str]
    """The source bucket's name."""
    destination_bucket_name: pulumi.Output[str]
    """The destination bucket's name."""
    function_arn: pulumi.Output[str]
    """The function's ARN."""
    dead_letter_queue_url: pulumi.Output[str]
    """Where events that failed every retry go."""

    def __init__(
        self,
        name: str,
        args: ObjectCopyArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        protection: Protection | None = None,
    ):
        settings = resolve_object_copy(args)
        super().__init__("event-pipelines:index:ObjectCopy", name, None, opts)
        # On its own (no protection given), its buckets still log their access: Shared's default.
        if protection is None:
            protection = standalone_protection(name, self)
        child = pulumi.ResourceOptions(parent=self)

        self.source = SecureBucket(
            f"{name}-source",
            SecureBucketArgs(
                protection=protection,
                bucket_name=settings.source_bucket_name,
                versioning=settings.versioning,
                force_destroy=settings.force_destroy,
            ),
            opts=child,
        )
        self.destination = SecureBucket(
            f"{name}-destination",
            SecureBucketArgs(
                protection=protection,
                bucket_name=settings.destination_bucket_name,
                versioning=settings.versioning,
                force_destroy=settings.force_destroy,
            ),
            opts=child,
        )
        events = [OBJECT_CREATED, *(OBJECT_DELETES if settings.mirror_deletes else ())]
        statements = [
            grants.read_objects(
                self.source.arn,
                settings.filter_prefix,
                versions=settings.versioning,
                tags=True,
                sid="ReadSourceObjects",
            ),
            grants.write_object_copies(
                self.destination.arn, settings.destination_prefix, sid="WriteCopies"
            ),
        ]
        if settings.mirror_deletes:
            statements += [
                grants.delete_objects(
                    self.destination.arn, settings.destination_prefix, sid="DeleteCopies"
                ),
                # A delete first checks the source is really gone (events arrive out of order).
                grants.list_bucket(self.source.arn, sid="ListSourceBucket"),
            ]
        self.function, _, self.notification = s3_function(
            name,
            bucket=self.source,
            rules=[NotificationRule(events, settings.filter_prefix, settings.filter_suffix)],
            args=FunctionArgs(
                handler_module="object_copy",
                description="Copies each new object of the source bucket to the destination",
                environment={
                    "DESTINATION_BUCKET": self.destination.bucket_name,
                    "DESTINATION_PREFIX": settings.destination_prefix,
                    "MIRROR_DELETES": "true" if settings.mirror_deletes else "false",
                    "MULTIPART_THRESHOLD_BYTES": str(settings.multipart_threshold_bytes),
                },
                statements=statements,
                log_retention_days=settings.log_retention_days,
                settings=settings.function,
                protection=protection,
                invoke=settings.invoke,
            ),
            opts=child,
        )
        self.source_bucket_name = self.source.bucket_name
        self.destination_bucket_name = self.destination.bucket_name
        self.function_arn = self.function.arn
        self.dead_letter_queue_url = self.function.required_dead_letter_queue().url
        self.outputs = outputs_of(self)
        self.register_outputs(self.outputs)
