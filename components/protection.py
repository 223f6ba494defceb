"""Protection: what a stack adds to every resource its building blocks make (made once by
components.shared). The default adds nothing: each building block is safe without it."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi

if TYPE_CHECKING:  # the components themselves import building blocks that import this
    from .code_signing import CodeSigning
    from .web_acl import WebAcl


@dataclass(frozen=True)
class Protection:
    kms_key_arn: pulumi.Input[str] | None = None  # the stack's customer managed key
    log_bucket: pulumi.Input[str] | None = None  # where buckets' server access logs go
    tracing: bool = False  # X-Ray active tracing
    code_signing: "CodeSigning | None" = None
    alarm_topic_arn: pulumi.Input[str] | None = None
    regional_web_acl: "WebAcl | None" = None  # for API stages
    cloudfront_web_acl: "WebAcl | None" = None  # for distributions
    # The key, for a resource in us-east-1 (a CloudFront ACL's log group): the key when the
    # stack's region is us-east-1, else None (a KMS key serves its own region only).
    cloudfront_region_kms_key_arn: pulumi.Input[str] | None = None
    # The log bucket also admits CloudFront's log delivery (Shared made with web_endpoints).
    cloudfront_logs: bool = False
    # Web ACLs were asked for (waf.enabled): a public endpoint without one is a mistake.
    waf: bool = False


NO_PROTECTION = Protection()  # the default of every building block and pipeline: nothing added
