"""CodeSigning: Lambda runs only code this stack signed.

    handler archive ──upload──> artifact bucket (versioned) unsigned/<function>.zip
        ──AWS Signer signing job (profile AWSLambda-SHA384-ECDSA)──> signed/<job id>.zip
    function (S3 code: the signed object) ── code signing config: this profile only, Enforce

With Enforce, Lambda refuses any deployment package not signed by the profile: an archive
uploaded by hand, or by anyone holding lambda:UpdateFunctionCode but not signer:StartSigningJob.
What it costs: nothing for Signer with Lambda; one S3 upload and a signing job (seconds) for each
function whose code changed, during `pulumi up`; the archive leaves the program's inline state.
"""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .checks import Section, check_args
from .protection import NO_PROTECTION, Protection
from .secure_bucket import SecureBucket, SecureBucketArgs

PLATFORM = "AWSLambda-SHA384-ECDSA"  # Signer's only platform for Lambda
SIGNATURE_VALIDITY_MONTHS = 135  # Signer's default and maximum


@dataclass(frozen=True)
class CodeSigningArgs:
    """Code signing: every field left out takes its secure default."""

    # Let the artifact bucket be deleted with its objects.
    force_destroy: bool = False
    # The stack's log bucket and customer key, for the artifact bucket.
    protection: Protection = NO_PROTECTION

    def __post_init__(self):
        check_args(self, _check)


def _check(section: Section) -> None:
    section.boolean("force_destroy", False)


class CodeSigning(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        args: CodeSigningArgs,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("event-pipelines:index:CodeSigning", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # Signer reads a given version of its source object: the bucket must be versioned.
        self.artifacts = SecureBucket(
            f"{name}-artifacts",
            SecureBucketArgs(
                versioning=True, force_destroy=args.force_destroy, protection=args.protection
            ),
            opts=child,
        )
        self.profile = aws.signer.SigningProfile(
            f"{name}-profile",
            # Profile names allow letters, digits and underscores only.
            name_prefix=name.replace("-", "_")[:38] + "_",
            platform_id=PLATFORM,
            signature_validity_period={"value": SIGNATURE_VALIDITY_MONTHS, "type": "MONTHS"},
            opts=child,
        )
        self.config = aws.lambda_.CodeSigningConfig(
            f"{name}-config",
            description=f"Code signed by {name} only",
            allowed_publishers={"signing_profile_version_arns": [self.profile.version_arn]},
            policies={"untrusted_artifact_on_deployment": "Enforce"},
            opts=child,
        )
        self.arn = self.config.arn
        self.register_outputs(
            {
                "codeSigningConfigArn": self.config.arn,
                "signingProfileName": self.profile.name,
                "artifactBucketName": self.artifacts.bucket_name,
            }
        )

    def signed_code(
        self, name: str, archive: pulumi.Archive, parent: pulumi.Resource
    ) -> tuple[pulumi.Output[str], pulumi.Output[str]]:
        """(bucket, key) of `archive` uploaded and signed by this profile; a new signing job
        whenever the archive changes (a job is immutable)."""
        unsigned = aws.s3.BucketObjectv2(
            f"{name}-unsigned-code",
            bucket=self.artifacts.bucket_name,
            key=f"unsigned/{name}.zip",
            source=archive,
            opts=pulumi.ResourceOptions(parent=parent),
        )
        job = aws.signer.SigningJob(
            f"{name}-signing",
            profile_name=self.profile.name,
            source={
                "s3": {
                    "bucket": self.artifacts.bucket_name,
                    "key": unsigned.key,
                    "version": unsigned.version_id,
                }
            },
            destination={"s3": {"bucket": self.artifacts.bucket_name, "prefix": "signed/"}},
            ignore_signing_job_failure=False,
            opts=pulumi.ResourceOptions(parent=parent),
        )
        signed = job.signed_objects.apply(_signed_location)
        return signed.apply(lambda where: where[0]), signed.apply(lambda where: where[1])


def _signed_location(objects) -> tuple[str, str]:
    """(bucket, key) of a signing job's signed object."""
    s3 = objects[0].s3s[0] if objects and objects[0].s3s else None
    if s3 is None or not s3.bucket or not s3.key:
        raise ValueError(f"the signing job reported no signed object: {objects!r}")
    return s3.bucket, s3.key
