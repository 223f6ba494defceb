"""event-pipelines: the pipelines this stack enables, and what they export."""

import pulumi

from components import config
from components.stream_archive import StreamArchive
from components.user_buckets import UserBuckets

settings = config.load()

if settings.user_buckets.enabled:
    users = UserBuckets("user-buckets", settings.user_buckets, settings.stack)
    pulumi.export("userBucketsTableName", users.table.name)
    pulumi.export("userBucketsTableArn", users.table.arn)
    pulumi.export("userBucketsFunctionArn", users.function.arn)
    pulumi.export("userBucketsBucketPrefix", settings.user_buckets.bucket_prefix)
    pulumi.export("userBucketsDeadLetterQueueUrl", users.function.dead_letter_queue.url)

if settings.stream_archive.enabled:
    archive = StreamArchive("stream-archive", settings.stream_archive, settings.stack)
    pulumi.export("streamArchiveTableName", archive.table.name)
    pulumi.export("streamArchiveTableArn", archive.table.arn)
    pulumi.export("streamArchiveFunctionArn", archive.function.arn)
    pulumi.export("streamArchiveBucketName", archive.bucket.bucket_name)
    pulumi.export("streamArchiveDeadLetterQueueUrl", archive.function.dead_letter_queue.url)
