"""SecureBucket: an S3 bucket that is private, encrypted and TLS-only whatever its pipeline does.

- all four public access block settings on;
- SSE-S3 default encryption, or SSE-KMS with the stack's customer key (and an S3 Bucket Key, so
  S3 asks KMS once per bucket key rather than once per object);
- BucketOwnerEnforced (ACLs disabled);
- a bucket policy denying any request not made over TLS;
- server access logs into the stack's log bucket, under `<logical name>/`, when given one;
- incomplete multipart uploads aborted after a week (a copy cut short by a timeout leaves its
  parts behind, billed until removed); objects expired after a number of days when asked;
- versioning when asked; force_destroy only when the stack says so.
"""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .args import read_bucket_name
from .checks import Section, check_args
from .policies import deny_insecure_transport, document
from .protection import NO_PROTECTION, Protection

ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS = 7


@dataclass(frozen=True)
class SecureBucketArgs:
    """A bucket: every field left out takes its secure default."""

    # A fixed name (a valid bucket name without dots); default: Pulumi auto-naming.
    bucket_name: str | None = None
    versioning: bool = True
    force_destroy: bool = False
    # True when the caller grants access to a resource made after the bucket (a CDN's read):
    # it then calls attach_policy() with those statements.
    defer_policy: bool = False
    # The stack's log bucket (server access logs) and customer key (else SSE-S3).
    protection: Protection = NO_PROTECTION
    # Objects (and noncurrent versions) removed this many days after they were written.
    expire_after_days: int | None = None

    def __post_init__(self):
        check_args(self, _check, inputs=("bucket_name",))


def _check(section: Section) -> None:
    read_bucket_name(section, "bucket_name")
    for flag in ("versioning", "force_destroy", "defer_policy"):
        section.boolean(flag, False)
    section.integer(
        "expire_after_days", None, 1, 2**31 - 1, accepted="a whole number of days, 1 or more"
    )


class SecureBucket(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: SecureBucketArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("event-pipelines:index:SecureBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self._logical_name = name
        protection = args.protection
        kms_key_arn, log_bucket = protection.kms_key_arn, protection.log_bucket

        self.bucket = aws.s3.Bucket(
            name, bucket=args.bucket_name, force_destroy=args.force_destroy, opts=child
        )
        public_access_block = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        if kms_key_arn is None:
            encryption: aws.s3.BucketServerSideEncryptionConfigurationRuleArgsDict = {
                "apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}
            }
        else:
            encryption = {
                "apply_server_side_encryption_by_default": {
                    "sse_algorithm": "aws:kms",
                    "kms_master_key_id": kms_key_arn,
                },
                "bucket_key_enabled": True,
            }
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption", bucket=self.bucket.id, rules=[encryption], opts=child
        )
        aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=self.bucket.id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=child,
        )
        rules: list[aws.s3.BucketLifecycleConfigurationRuleArgsDict] = [
            {
                "id": "abort-incomplete-multipart-uploads",
                "status": "Enabled",
                "filter": {"prefix": ""},
                "abort_incomplete_multipart_upload": {
                    "days_after_initiation": ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS
                },
            }
        ]
        if args.expire_after_days is not None:
            rules.append(
                {
                    "id": "expire-objects",
                    "status": "Enabled",
                    "filter": {"prefix": ""},
                    "expiration": {"days": args.expire_after_days},
                    "noncurrent_version_expiration": {"noncurrent_days": args.expire_after_days},
                }
            )
        # S3 takes one lifecycle configuration per bucket: every rule goes here.
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle", bucket=self.bucket.id, rules=rules, opts=child
        )
        if args.versioning:
            aws.s3.BucketVersioning(
                f"{name}-versioning",
                bucket=self.bucket.id,
                versioning_configuration={"status": "Enabled"},
                opts=child,
            )
        if log_bucket is not None:
            aws.s3.BucketLogging(
                f"{name}-access-logs",
                bucket=self.bucket.id,
                target_bucket=log_bucket,
                target_prefix=f"{name}/",
                # <prefix><account>/<region>/<bucket>/<yyyy>/<mm>/<dd>/...: readable by date.
                target_object_key_format={
                    "partitioned_prefix": {"partition_date_source": "EventTime"}
                },
                opts=child,
            )
        self._public_access_block = public_access_block
        self.arn = self.bucket.arn
        self.bucket_name = self.bucket.id
        if not args.defer_policy:
            self.attach_policy()
        self.register_outputs({"bucketName": self.bucket.id, "bucketArn": self.bucket.arn})

    def attach_policy(self, statements=()) -> aws.s3.BucketPolicy:
        """The bucket policy: TLS-only, plus `statements` (grants to other services)."""
        return aws.s3.BucketPolicy(
            f"{self._logical_name}-tls-only",
            bucket=self.bucket.id,
            policy=document(
                [
                    deny_insecure_transport(
                        "DenyInsecureTransport",
                        "s3:*",
                        [self.bucket.arn, pulumi.Output.concat(self.bucket.arn, "/*")],
                    ),
                    *statements,
                ]
            ),
            # S3 rejects concurrent changes to one bucket's access settings: block first.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self._public_access_block]),
        )
