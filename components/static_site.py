"""StaticSite: a directory of files served over HTTPS by CloudFront from a private bucket.

    files of site/ + generated files ──> secure bucket (private, TLS-only)
        <── s3:GetObject, only for this distribution (Origin Access Control, SigV4) ──
    CloudFront distribution (HTTPS only, security headers with a Content-Security-Policy) ──> browsers

Never an S3 website endpoint: that needs a public bucket, plain HTTP, and the policy pack refuses it.
"""

import mimetypes
from pathlib import Path

import pulumi
import pulumi_aws as aws

from components.secure_bucket import SecureBucket

# AWS managed cache policy "CachingOptimized".
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
# Pages and generated config are revalidated on each visit, so a deploy shows at once.
REVALIDATE = "no-cache"
TYPES = {".js": "text/javascript; charset=utf-8", ".html": "text/html; charset=utf-8"}


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


class StaticSite(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        directory: Path,
        content_security_policy: pulumi.Input[str],
        force_destroy: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("event-pipelines:index:StaticSite", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

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
                    "content_security_policy": content_security_policy,
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
            versioning=False,
            force_destroy=force_destroy,
            defer_policy=True,
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
            viewer_certificate={"cloudfront_default_certificate": True},
            opts=child,
        )
        self.bucket.attach_policy(cloudfront_read(self.distribution.arn, self.bucket.arn))
        self.url = pulumi.Output.concat("https://", self.distribution.domain_name)
        self._name = name
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            self._object(path.relative_to(directory).as_posix(), source=pulumi.FileAsset(str(path)))
        self.register_outputs({"url": self.url, "bucketName": self.bucket.bucket_name})

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
