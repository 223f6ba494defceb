"""LogBucket: the one bucket per stack that receives the other buckets' server access logs.

    every SecureBucket of the stack ──S3 server access logs (logging.s3.amazonaws.com)──┐
                                                                                        v
                          log bucket (private, TLS-only, SSE-S3, objects expire) <──────┘

- It never logs its own access: S3 would write a log object for each log object it writes.
- SSE-S3, never the customer key: S3 server access logging only delivers to buckets whose
  default encryption is SSE-S3 (S3 User Guide, "Enabling Amazon S3 server access logging").
- ACLs stay disabled (BucketOwnerEnforced): the logging service is admitted by the bucket
  policy instead, for buckets of this account only.
- Versioning off: logs are written once and expire after the stack's retention.
- With a CloudFront distribution in the stack, CloudWatch's log delivery (standard logging v2,
  which starts in us-east-1 and may write to a bucket in any region) is admitted too.
"""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .args import ACCESS_LOG_RETENTION_DAYS, SharedSettings
from .checks import Section, check_args
from .protection import Protection
from .secure_bucket import SecureBucket, SecureBucketArgs


@dataclass(frozen=True)
class LogBucketArgs:
    """The stack's log bucket: every field left out takes its secure default (Shared's)."""

    # Days a log object is kept, then expires.
    retention_days: int = SharedSettings.access_log_retention_days
    force_destroy: bool = False
    # Also admit CloudWatch's log delivery from us-east-1, where CloudFront's logs start.
    cloudfront_logs: bool = False

    def __post_init__(self):
        check_args(self, _check)


def _check(section: Section) -> None:
    section.integer("retention_days", None, *ACCESS_LOG_RETENTION_DAYS)
    section.boolean("force_destroy", False)
    section.boolean("cloudfront_logs", False)


class LogBucket(pulumi.ComponentResource):
    def __init__(self, name: str, args: LogBucketArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("event-pipelines:index:LogBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.bucket = SecureBucket(
            name,
            SecureBucketArgs(
                versioning=False,
                force_destroy=args.force_destroy,
                defer_policy=True,
                expire_after_days=args.retention_days,
            ),
            opts=child,
        )
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self))
        account = aws.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(parent=self)
        ).account_id
        statements = [server_access_log_delivery(self.bucket.arn, account, partition.partition)]
        if args.cloudfront_logs:
            statements.append(vended_log_delivery(self.bucket.arn, account, partition.partition))
        self.policy = self.bucket.attach_policy(statements)
        # Named through the policy: S3 refuses to log into a bucket that does not yet admit its
        # logging service, so whatever logs here waits for the policy.
        self.bucket_name = self.policy.bucket
        self.arn = self.bucket.arn
        self.register_outputs({"bucketName": self.bucket_name, "bucketArn": self.arn})


def server_access_log_delivery(
    bucket_arn: pulumi.Input[str], account: pulumi.Input[str], partition: pulumi.Input[str]
) -> dict:
    """S3's logging service may write log objects, for source buckets of this account only (the
    form of the S3 User Guide's policy, with every bucket of the account as source)."""
    return _service_writes(
        "S3ServerAccessLogs",
        "logging.s3.amazonaws.com",
        bucket_arn,
        {"aws:SourceAccount": account},
        pulumi.Output.concat("arn:", partition, ":s3:::*"),
    )


def vended_log_delivery(
    bucket_arn: pulumi.Input[str], account: pulumi.Input[str], partition: pulumi.Input[str]
) -> dict:
    """CloudWatch Logs' delivery service may write the logs of this account's delivery sources
    in us-east-1 (CloudFront standard logging v2 starts there), owned by the bucket's owner."""
    return _service_writes(
        "CloudFrontLogDelivery",
        "delivery.logs.amazonaws.com",
        bucket_arn,
        {"aws:SourceAccount": account, "s3:x-amz-acl": "bucket-owner-full-control"},
        pulumi.Output.concat("arn:", partition, ":logs:us-east-1:", account, ":delivery-source:*"),
    )


def _service_writes(sid: str, service: str, bucket_arn, equals: dict, source_arn) -> dict:
    """`service` may put objects into the bucket on behalf of `source_arn` (confused deputy:
    both the account and the source are pinned)."""
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "s3:PutObject",
        "Resource": pulumi.Output.concat(bucket_arn, "/*"),
        "Condition": {"StringEquals": equals, "ArnLike": {"aws:SourceArn": source_arn}},
    }


def standalone_protection(
    name: str, parent: pulumi.Resource, cloudfront_logs: bool = False
) -> Protection:
    """What a pipeline used on its own (given no protection) adds: its buckets' server access logs,
    into a log bucket of its own, as a stack's Shared does by default (accessLogs on). What else
    Shared adds costs money or needs a decision (a customer key, WAF, code signing): left off."""
    logs = LogBucket(
        f"{name}-access-logs",
        LogBucketArgs(cloudfront_logs=cloudfront_logs),
        pulumi.ResourceOptions(parent=parent),
    )
    return Protection(log_bucket=logs.bucket_name, cloudfront_logs=cloudfront_logs)
