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
from .config import ObjectCopySettings, StackSettings
from .function import FunctionArgs
from .protection import NO_PROTECTION, Protection
from .s3_function import OBJECT_CREATED, OBJECT_DELETES, NotificationRule, s3_function
from .secure_bucket import SecureBucket


class ObjectCopy(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        settings: ObjectCopySettings,
        stack: StackSettings,
        protection: Protection = NO_PROTECTION,
        opts: pulumi.ResourceOptions | None = None,
    ):
        if settings.source_bucket_name and (
            settings.source_bucket_name == settings.destination_bucket_name
        ):
            raise ValueError(
                f"object copy {name!r}: the destination bucket is the source bucket "
                f"({settings.source_bucket_name}); each copy would trigger another copy"
            )
        super().__init__("event-pipelines:index:ObjectCopy", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        self.source = SecureBucket(
            f"{name}-source",
            protection=protection,
            bucket_name=settings.source_bucket_name,
            versioning=settings.versioning,
            force_destroy=stack.force_destroy,
            opts=child,
        )
        self.destination = SecureBucket(
            f"{name}-destination",
            protection=protection,
            bucket_name=settings.destination_bucket_name,
            versioning=settings.versioning,
            force_destroy=stack.force_destroy,
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
                log_retention_days=stack.log_retention_days,
                settings=settings.function,
                protection=protection,
                invoke=settings.invoke,
            ),
            opts=child,
        )
        self.outputs = {
            "sourceBucketName": self.source.bucket_name,
            "destinationBucketName": self.destination.bucket_name,
            "functionArn": self.function.arn,
            "deadLetterQueueUrl": self.function.required_dead_letter_queue().url,
        }
        self.register_outputs(self.outputs)
