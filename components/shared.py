"""Shared: what the pipelines of one stack have in common, made once, before any of them.

    customer managed key (customerKey) ── tables, buckets, log groups, queues, topics,
                                          function environments
    log bucket (accessLogs) <── every bucket's server access logs, the CDN's logs
    code signing (codeSigning) ── every function's code, signed
    alarm topic (alarms) <── alarms on every dead-letter queue and function
    web ACLs (waf) ── the API stage (REGIONAL), the distribution (CLOUDFRONT, us-east-1)

Pipelines get a Protection: plain references to these, applied by the building blocks (Function,
SecureBucket, secure_table, dead_letter_queue), so no pipeline repeats them.
"""

import pulumi
import pulumi_aws as aws

from .alarms import alarm_topic
from .args import SharedArgs, outputs_of, resolve_shared
from .code_signing import CodeSigning, CodeSigningArgs
from .customer_key import CustomerKey, CustomerKeyArgs
from .log_bucket import LogBucket, LogBucketArgs
from .protection import Protection
from .web_acl import CLOUDFRONT_REGION, WebAcl, WebAclArgs


class Shared(pulumi.ComponentResource):
    """What the pipelines of one stack share: customer key, log bucket, code signing, alarm topic,
    web ACLs. Pass its `protection` to each pipeline."""

    customer_key_arn: pulumi.Output[str] | None
    """The stack's customer managed KMS key, when customer_key is on."""
    access_log_bucket_name: pulumi.Output[str] | None
    """The bucket every bucket's access logs go to, when access_logs is on."""
    code_signing_config_arn: pulumi.Output[str] | None
    """The code signing configuration every function enforces, when code_signing is on."""
    alarm_topic_arn: pulumi.Output[str] | None
    """The topic alarms notify, when alarms are enabled."""

    def __init__(self, name: str, args: SharedArgs, opts: pulumi.ResourceOptions | None = None):
        stack = resolve_shared(args)
        super().__init__("event-pipelines:index:Shared", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        self.key = (
            CustomerKey(f"{name}-key", CustomerKeyArgs(), opts=child)
            if stack.customer_key
            else None
        )
        key_arn = self.key.arn if self.key else None
        # A key serves its own region only: resources WAF keeps in us-east-1 (a CloudFront ACL's
        # log group) can use it only when the stack is there too.
        in_us_east_1 = None
        if key_arn is not None and (
            aws.get_region(opts=pulumi.InvokeOptions(parent=self)).region == CLOUDFRONT_REGION
        ):
            in_us_east_1 = key_arn

        self.log_bucket = None
        if stack.access_logs:
            self.log_bucket = LogBucket(
                f"{name}-access-logs",
                LogBucketArgs(
                    retention_days=stack.access_log_retention_days,
                    force_destroy=stack.force_destroy,
                    cloudfront_logs=stack.web_endpoints,
                ),
                opts=child,
            )
        log_bucket = self.log_bucket.bucket_name if self.log_bucket else None

        self.code_signing = None
        if stack.code_signing:
            self.code_signing = CodeSigning(
                f"{name}-code-signing",
                CodeSigningArgs(
                    force_destroy=stack.force_destroy,
                    protection=Protection(kms_key_arn=key_arn, log_bucket=log_bucket),
                ),
                opts=child,
            )

        topic_arn = None
        if stack.alarms.enabled:
            if stack.alarms.topic_arn:
                topic_arn = stack.alarms.topic_arn
            else:
                # resolve_shared refuses alarms without a topic or a customer key.
                assert key_arn is not None
                topic_arn = alarm_topic(
                    f"{name}-alarms", key_arn, email=stack.alarms.email, opts=child
                ).arn

        acls: dict = {}
        if stack.waf.enabled and stack.web_endpoints:
            # (scope, logical name, key): the CLOUDFRONT ACL and its logs live in us-east-1.
            for scope, acl_name, acl_key in (
                ("REGIONAL", "api-acl", key_arn),
                ("CLOUDFRONT", "cdn-acl", in_us_east_1),
            ):
                acls[scope] = WebAcl(
                    f"{name}-{acl_name}",
                    WebAclArgs(
                        scope=scope,
                        rate_limit=stack.waf.rate_limit,
                        log_retention_days=stack.log_retention_days,
                        kms_key_arn=acl_key,
                    ),
                    opts=child,
                )

        self.protection = Protection(
            kms_key_arn=key_arn,
            log_bucket=log_bucket,
            tracing=stack.tracing,
            code_signing=self.code_signing,
            alarm_topic_arn=topic_arn,
            regional_web_acl=acls.get("REGIONAL"),
            cloudfront_web_acl=acls.get("CLOUDFRONT"),
            cloudfront_region_kms_key_arn=in_us_east_1,
            cloudfront_logs=stack.web_endpoints,
            waf=stack.waf.enabled,
        )
        self.customer_key_arn = key_arn
        self.access_log_bucket_name = log_bucket
        self.code_signing_config_arn = self.code_signing.arn if self.code_signing else None
        self.alarm_topic_arn = None if topic_arn is None else pulumi.Output.from_input(topic_arn)
        self.outputs = outputs_of(self)
        self.register_outputs(self.outputs)
