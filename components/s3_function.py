"""A Function invoked by a bucket's S3 notifications, safely.

S3 may invoke it only for this bucket in this account (a permission with source_arn and
source_account: bucket names can be reused by others after deletion), and the bucket's one
notification configuration is written after that permission exists (S3 validates it). Failed
events are retried and then dead-lettered by the Function's asynchronous invoke config.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import pulumi
import pulumi_aws as aws

from .function import Function, FunctionArgs
from .secure_bucket import SecureBucket

OBJECT_CREATED = "s3:ObjectCreated:*"
OBJECT_REMOVED = "s3:ObjectRemoved:*"
# A lifecycle rule that expires an object sends these, never ObjectRemoved:*.
LIFECYCLE_EXPIRATION = (
    "s3:LifecycleExpiration:Delete",
    "s3:LifecycleExpiration:DeleteMarkerCreated",
)
# Every way an object goes away: what a pipeline that follows deletes subscribes to.
OBJECT_DELETES = (OBJECT_REMOVED, *LIFECYCLE_EXPIRATION)


@dataclass(frozen=True)
class NotificationRule:
    events: Sequence[str]
    prefix: str = ""
    suffix: str = ""


class S3Function(NamedTuple):
    function: Function
    permission: aws.lambda_.Permission
    notification: aws.s3.BucketNotification


def s3_function(
    name: str,
    bucket: SecureBucket,
    rules: Sequence[NotificationRule],
    args: FunctionArgs,
    opts: pulumi.ResourceOptions | None = None,
) -> S3Function:
    """The Function, S3's permission to invoke it, and the bucket's notification configuration
    (S3 allows one per bucket: every rule for this bucket goes here)."""
    function = Function(f"{name}-fn", args, opts=opts)
    parent = (opts or pulumi.ResourceOptions()).parent
    account = aws.get_caller_identity_output(
        opts=pulumi.InvokeOutputOptions(parent=parent)
    ).account_id
    permission = aws.lambda_.Permission(
        f"{name}-invoke",
        action="lambda:InvokeFunction",
        function=function.function.name,
        principal="s3.amazonaws.com",
        source_arn=bucket.arn,
        source_account=account,
        opts=opts,
    )
    notification = aws.s3.BucketNotification(
        f"{name}-notification",
        bucket=bucket.bucket_name,
        lambda_functions=[
            {
                "lambda_function_arn": function.arn,
                "events": list(rule.events),
                "filter_prefix": rule.prefix or None,
                "filter_suffix": rule.suffix or None,
            }
            for rule in rules
        ],
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[permission])),
    )
    return S3Function(function, permission, notification)
