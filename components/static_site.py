"""StaticSite: a directory of files served over HTTPS by CloudFront from a private bucket.

    files of site/ + generated files ──> secure bucket (private, TLS-only)
        <── s3:GetObject, only for this distribution (Origin Access Control, SigV4) ──
    CloudFront distribution (HTTPS only, security headers with a Content-Security-Policy) ──> browsers
        ── standard logs (v2, delivered from us-east-1) ──> the stack's log bucket

Never an S3 website endpoint: that needs a public bucket, plain HTTP, and the policy pack refuses it.
"""

import json
import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

from .args import CLOUDFRONT_CERTIFICATE_REGION, read_custom_domain
from .checks import Section, check_args
from .custom_domain import alias_records, validated_certificate
from .function import stable_function_name
from .protection import NO_PROTECTION, Protection
from .secure_bucket import SecureBucket, SecureBucketArgs

# The oldest security policy with only forward-secret AEAD ciphers (CloudFront's supported
# protocols and ciphers table): TLS 1.2 or later for viewers.
MINIMUM_VIEWER_TLS = "TLSv1.2_2021"
# AWS managed cache policy "CachingOptimized".
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
# Pages and generated config are revalidated on each visit, so a deploy shows at once.
REVALIDATE = "no-cache"
TYPES = {".js": "text/javascript; charset=utf-8", ".html": "text/html; charset=utf-8"}
# CloudWatch Logs delivery source and destination names: 1 to 60 characters (PutDeliverySource).
_DELIVERY_NAME_LENGTH = 60


def content_type(path: str) -> str:
    suffix = Path(path).suffix
    return TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def cloudfront_read(distribution_arn: pulumi.Input[str], bucket_arn: pulumi.Input[str]) -> list:
    """Bucket policy statements letting this distribution, and no other, read the objects."""
    return [
        {
            "Sid": "AllowCloudFrontRead",
            "Effect": "Allow",
            "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Action": "s3:GetObject",
            "Resource": pulumi.Output.concat(bucket_arn, "/*"),
            "Condition": {"StringEquals": {"AWS:SourceArn": distribution_arn}},
        }
    ]


@dataclass(frozen=True)
class StaticSiteArgs:
    """A site: its files and the policy its pages run under; the rest has secure defaults."""

    directory: Path  # the site's files, served as they are (index.html at the root)
    # The Content-Security-Policy header of every response.
    content_security_policy: pulumi.Input[str]
    force_destroy: bool = False
    # The stack's log bucket (the distribution's logs, the bucket's access logs), customer key and
    # CloudFront web ACL.
    protection: Protection = NO_PROTECTION
    # A domain of yours (TLS 1.2 or later, SNI), with its certificate in us-east-1 given or
    # created and validated in `zone_id`, which then also gets the alias records.
    domain: str | None = None
    certificate_arn: pulumi.Input[str] | None = None
    zone_id: str | None = None

    def __post_init__(self):
        check_args(self, self._check, inputs=("content_security_policy", "certificate_arn"))

    def _check(self, section: Section) -> None:
        directory = self.directory
        if not (isinstance(directory, str | os.PathLike) and Path(directory).is_dir()):
            section.problems.append(
                f"{section.name('directory')}: {json.dumps(str(directory))} is not accepted; "
                "expected an existing directory of the site's files"
            )
        section.boolean("force_destroy", False)
        read_custom_domain(section, CLOUDFRONT_CERTIFICATE_REGION, self.certificate_arn is not None)


class StaticSite(pulumi.ComponentResource):
    def __init__(self, name: str, args: StaticSiteArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("event-pipelines:index:StaticSite", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        protection, domain, zone_id = args.protection, args.domain, args.zone_id
        certificate_arn = args.certificate_arn
        viewer_certificate: aws.cloudfront.DistributionViewerCertificateArgsDict = {
            # *.cloudfront.net: CloudFront fixes its minimum at TLSv1 (docs/security-posture.md).
            "cloudfront_default_certificate": True
        }
        if domain:
            if certificate_arn is None:
                assert zone_id, "a domain needs a certificate or a zone to make one in"
                certificate_arn = validated_certificate(
                    f"{name}-certificate", domain, zone_id, CLOUDFRONT_CERTIFICATE_REGION, child
                )
            viewer_certificate = {
                "acm_certificate_arn": certificate_arn,
                "ssl_support_method": "sni-only",
                "minimum_protocol_version": MINIMUM_VIEWER_TLS,
            }

        access_control = aws.cloudfront.OriginAccessControl(
            f"{name}-oac",
            description=f"CloudFront reads the {name} bucket, signing with SigV4",
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
            opts=child,
        )
        headers = aws.cloudfront.ResponseHeadersPolicy(
            f"{name}-headers",
            comment=f"Security headers of {name}",
            security_headers_config={
                "content_security_policy": {
                    "content_security_policy": args.content_security_policy,
                    "override": True,
                },
                "strict_transport_security": {
                    "access_control_max_age_sec": 63072000,
                    "include_subdomains": True,
                    "override": True,
                },
                "content_type_options": {"override": True},
                "frame_options": {"frame_option": "DENY", "override": True},
                "referrer_policy": {"referrer_policy": "no-referrer", "override": True},
            },
            opts=child,
        )
        # The bucket exists first (the distribution reads from it); its policy then names the
        # distribution, the only reader it admits.
        self.bucket = SecureBucket(
            f"{name}-content",
            SecureBucketArgs(
                versioning=False,
                force_destroy=args.force_destroy,
                defer_policy=True,
                protection=protection,
            ),
            opts=child,
        )
        origin_id = f"{name}-bucket"
        self.distribution = aws.cloudfront.Distribution(
            name,
            comment=f"{name}: {pulumi.get_project()}/{pulumi.get_stack()}",
            enabled=True,
            is_ipv6_enabled=True,
            http_version="http2and3",
            price_class="PriceClass_100",
            default_root_object="index.html",
            origins=[
                {
                    "origin_id": origin_id,
                    "domain_name": self.bucket.bucket.bucket_regional_domain_name,
                    "origin_access_control_id": access_control.id,
                }
            ],
            default_cache_behavior={
                "target_origin_id": origin_id,
                "viewer_protocol_policy": "redirect-to-https",
                "allowed_methods": ["GET", "HEAD"],
                "cached_methods": ["GET", "HEAD"],
                "cache_policy_id": CACHING_OPTIMIZED,
                "response_headers_policy_id": headers.id,
                "compress": True,
            },
            restrictions={"geo_restriction": {"restriction_type": "none"}},
            aliases=[domain] if domain else None,
            viewer_certificate=viewer_certificate,
            web_acl_id=(
                protection.cloudfront_web_acl.arn if protection.cloudfront_web_acl else None
            ),
            opts=child,
        )
        self.bucket.attach_policy(cloudfront_read(self.distribution.arn, self.bucket.arn))
        if protection.log_bucket is not None:
            self._standard_logs(name, protection.log_bucket)
        if domain:
            if zone_id:
                alias_records(
                    f"{name}-dns",
                    zone_id,
                    domain,
                    self.distribution.domain_name,
                    self.distribution.hosted_zone_id,
                    child,
                )
            self.url = pulumi.Output.from_input(f"https://{domain}")
        else:
            self.url = pulumi.Output.concat("https://", self.distribution.domain_name)
        self._name = name
        directory = Path(args.directory)
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            self._object(path.relative_to(directory).as_posix(), source=pulumi.FileAsset(str(path)))
        self.register_outputs({"url": self.url, "bucketName": self.bucket.bucket_name})

    def _standard_logs(self, name: str, log_bucket: pulumi.Input[str]) -> None:
        """CloudFront standard logging (v2): the distribution's access logs, delivered by
        CloudWatch from us-east-1 into the stack's log bucket, under CloudFront/<id>/<date>.
        Delivery sources and destinations are named per account and region (us-east-1 for every
        stack): their names carry the stack's hash, so dev and prod in one account both deploy."""
        child = pulumi.ResourceOptions(parent=self)
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self))
        source = aws.cloudwatch.LogDeliverySource(
            f"{name}-log-source",
            name=stable_function_name(f"{name}-access-logs", _DELIVERY_NAME_LENGTH),
            log_type="ACCESS_LOGS",
            resource_arn=self.distribution.arn,
            region=CLOUDFRONT_CERTIFICATE_REGION,
            opts=child,
        )
        destination = aws.cloudwatch.LogDeliveryDestination(
            f"{name}-log-destination",
            name=stable_function_name(f"{name}-log-bucket", _DELIVERY_NAME_LENGTH),
            output_format="json",
            delivery_destination_configuration={
                "destination_resource_arn": pulumi.Output.concat(
                    "arn:", partition.partition, ":s3:::", log_bucket
                )
            },
            region=CLOUDFRONT_CERTIFICATE_REGION,
            opts=child,
        )
        aws.cloudwatch.LogDelivery(
            f"{name}-log-delivery",
            delivery_source_name=source.name,
            delivery_destination_arn=destination.arn,
            s3_delivery_configurations=[
                aws.cloudwatch.LogDeliveryS3DeliveryConfigurationArgs(
                    suffix_path="CloudFront/{DistributionId}/{yyyy}/{MM}/{dd}/{HH}",
                    enable_hive_compatible_path=False,
                )
            ],
            region=CLOUDFRONT_CERTIFICATE_REGION,
            opts=child,
        )

    def add_generated(self, key: str, text: pulumi.Input[str]) -> aws.s3.BucketObjectv2:
        """A file made by the program (e.g. the page's config, which names the site's own URL)."""
        return self._object(key, content=text)

    def _object(self, key: str, **body) -> aws.s3.BucketObjectv2:
        return aws.s3.BucketObjectv2(
            f"{self._name}-{key}",
            bucket=self.bucket.bucket_name,
            key=key,
            content_type=content_type(key),
            cache_control=REVALIDATE,
            opts=pulumi.ResourceOptions(parent=self),
            **body,
        )
