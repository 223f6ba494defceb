"""Web ACL: AWS WAF in front of a public endpoint.

    requests ──> web ACL ── AWS managed rule groups: Common (OWASP top 10 kinds), KnownBadInputs
                 (Log4j and other exploit payloads), AmazonIpReputationList (bots, scanners)
                        ── rate-based rule: one IP address over its limit in 5 minutes is blocked
                        ── sampled requests and metrics of every rule; full logs to
                           aws-waf-logs-<name> (retention)
             ──> API stage (scope REGIONAL) or CloudFront distribution (scope CLOUDFRONT, which
                 WAF keeps in us-east-1: the ACL, its log group and logging live there)

The rate rule comes first; the managed groups keep their own actions (they block). Common blocks
request bodies over 8 KB: a note is at most 3,000 characters.
"""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .args import WAF_RATE_LIMITS, WafSettings, read_retention
from .checks import Section, check_args

CLOUDFRONT_REGION = "us-east-1"
SCOPES = ("REGIONAL", "CLOUDFRONT")
MANAGED_RULE_GROUPS = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
)


def _visibility(metric: str) -> aws.wafv2.WebAclVisibilityConfigArgsDict:
    return {
        "cloudwatch_metrics_enabled": True,
        "metric_name": metric,
        "sampled_requests_enabled": True,
    }


@dataclass(frozen=True)
class WebAclArgs:
    """A web ACL for one kind of endpoint; the rest has the stack's defaults."""

    scope: str  # REGIONAL (API stages) or CLOUDFRONT (distributions)
    # Requests from one IP address within 5 minutes before it is blocked.
    rate_limit: int = WafSettings.rate_limit
    log_retention_days: int = 30  # a value CloudWatch Logs accepts
    kms_key_arn: pulumi.Input[str] | None = None  # for the log group, in the key's region

    def __post_init__(self):
        check_args(self, _check, inputs=("kms_key_arn",))


def _check(section: Section) -> None:
    scopes = "one of " + ", ".join(SCOPES)
    section.require("scope", scopes)
    section.text("scope", None, scopes, SCOPES.__contains__)
    section.integer("rate_limit", None, *WAF_RATE_LIMITS)
    read_retention(section)


class WebAcl(pulumi.ComponentResource):
    def __init__(self, name: str, args: WebAclArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("event-pipelines:index:WebAcl", name, None, opts)
        scope = args.scope
        child = pulumi.ResourceOptions(parent=self)
        # A CLOUDFRONT ACL and what it logs to must be in us-east-1, whatever the stack's region.
        region = CLOUDFRONT_REGION if scope == "CLOUDFRONT" else None
        rules: list[aws.wafv2.WebAclRuleArgsDict] = [
            {
                "name": group,
                "priority": priority + 1,
                "override_action": {"none": {}},
                "statement": {
                    "managed_rule_group_statement": {"vendor_name": "AWS", "name": group}
                },
                "visibility_config": _visibility(f"{name}-{group}"),
            }
            for priority, group in enumerate(MANAGED_RULE_GROUPS)
        ]
        rules.insert(
            0,
            {
                "name": "rate-limit-per-ip",
                "priority": 0,
                "action": {"block": {}},
                "statement": {
                    "rate_based_statement": {
                        "limit": args.rate_limit,
                        "aggregate_key_type": "IP",
                        "evaluation_window_sec": 300,
                    }
                },
                "visibility_config": _visibility(f"{name}-rate-limit"),
            },
        )
        self.acl = aws.wafv2.WebAcl(
            name,
            scope=scope,
            region=region,
            description=f"{name}: {pulumi.get_project()}/{pulumi.get_stack()}",
            default_action={"allow": {}},
            rules=rules,
            visibility_config=_visibility(name),
            opts=child,
        )
        # WAF only logs to groups named aws-waf-logs-*.
        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=pulumi.Output.concat("aws-waf-logs-", self.acl.name),
            region=region,
            retention_in_days=args.log_retention_days,
            kms_key_id=args.kms_key_arn,
            opts=child,
        )
        aws.wafv2.WebAclLoggingConfiguration(
            f"{name}-logging",
            resource_arn=self.acl.arn,
            log_destination_configs=[self.log_group.arn],
            region=region,
            # Tokens and cookies stay out of the logs.
            redacted_fields=[
                {"single_header": {"name": "authorization"}},
                {"single_header": {"name": "cookie"}},
            ],
            opts=child,
        )
        self.arn = self.acl.arn
        self.register_outputs({"webAclArn": self.acl.arn, "logGroupName": self.log_group.name})

    def protect(self, name: str, resource_arn: pulumi.Input[str]) -> aws.wafv2.WebAclAssociation:
        """Associate a regional resource (an API stage) with this ACL. Distributions name the ACL
        themselves (web_acl_id)."""
        return aws.wafv2.WebAclAssociation(
            name,
            resource_arn=resource_arn,
            web_acl_arn=self.acl.arn,
            opts=pulumi.ResourceOptions(parent=self),
        )
