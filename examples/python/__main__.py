"""A platform team's own program: new users get a bucket, uploaded images get indexed, both
behind the stack's customer key, access logs and tracing."""

import pulumi
from event_pipelines.components import (
    ImageMetadata,
    ImageMetadataArgs,
    Shared,
    SharedArgs,
    UserBuckets,
    UserBucketsArgs,
)

shared = Shared("shared", SharedArgs(customer_key=True, tracing=True))

users = UserBuckets(
    "users",
    UserBucketsArgs(bucket_prefix="acme-ingest-users", function={"memory_size": 512}),
    protection=shared.protection,
)
images = ImageMetadata(
    "images",
    ImageMetadataArgs(suffixes=[".png", ".jpg"], log_retention_days=90),
    protection=shared.protection,
)

pulumi.export("usersTableName", users.table_name)
pulumi.export("imagesBucketName", images.bucket_name)
pulumi.export("imagesTableArn", images.table_arn)
