"""CrossGuard rules for event-pipelines: least privilege for IAM, safe defaults for Lambda, S3,
DynamoDB, CloudFront, WAF and KMS. One module per service; `POLICIES` is what the pack enforces."""

from pulumi_policy import EnforcementLevel

from . import cloudfront, dynamodb, iam, kms, lambda_, s3, waf

PACK_NAME = "event-pipelines-least-privilege"
# Rules choose their own level (IAM mandatory, the rest advisory); this covers any rule that doesn't.
DEFAULT_ENFORCEMENT = EnforcementLevel.ADVISORY
POLICIES = [
    *iam.POLICIES,
    *lambda_.POLICIES,
    *s3.POLICIES,
    *dynamodb.POLICIES,
    *cloudfront.POLICIES,
    *waf.POLICIES,
    *kms.POLICIES,
]
