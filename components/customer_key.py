"""CustomerKey: the stack's one customer managed KMS key, rotated yearly.

    key (alias alias/<project>-<stack>) ── key policy:
        the account ──────────────── IAM policies decide (each role is granted what it uses,
                                      through the service that uses it: kms:ViaService)
        CloudWatch Logs ──────────── log groups of this account and region
        CloudWatch (alarms) ──────── publishing to the stack's encrypted alarm topic
        CloudFront ───────────────── reading the site bucket, for distributions of this account

Services that act with a role's credentials (S3, SQS, DynamoDB) need no statement here: the
role's IAM grant, limited by kms:ViaService, admits them (components.grants.key_use). Lambda
decrypts function environments through a grant it makes when the function is deployed.
"""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .checks import Section, check_args
from .policies import document

DELETION_WINDOW_DAYS = 30  # the longest: a key scheduled for deletion by mistake can be saved
DELETION_WINDOWS = (7, 30)  # what KMS accepts


def key_policy(account: pulumi.Input[str], region: pulumi.Input[str], partition) -> list:
    root = pulumi.Output.concat("arn:", partition, ":iam::", account, ":root")
    return [
        {
            # KMS's default key policy: without it, IAM policies could never grant the key.
            "Sid": "AccountDelegatesToIam",
            "Effect": "Allow",
            "Principal": {"AWS": root},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            "Sid": "CloudWatchLogsOfThisAccount",
            "Effect": "Allow",
            "Principal": {"Service": pulumi.Output.concat("logs.", region, ".amazonaws.com")},
            "Action": [
                "kms:Decrypt*",
                "kms:Describe*",
                "kms:Encrypt*",
                "kms:GenerateDataKey*",
                "kms:ReEncrypt*",
            ],
            "Resource": "*",
            "Condition": {
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": pulumi.Output.concat(
                        "arn:", partition, ":logs:", region, ":", account, ":log-group:*"
                    )
                }
            },
        },
        {
            "Sid": "CloudWatchAlarmsPublishToEncryptedTopics",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": account}},
        },
        {
            "Sid": "CloudFrontReadsEncryptedOrigins",
            "Effect": "Allow",
            "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": {
                "ArnLike": {
                    "aws:SourceArn": pulumi.Output.concat(
                        "arn:", partition, ":cloudfront::", account, ":distribution/*"
                    )
                }
            },
        },
    ]


@dataclass(frozen=True)
class CustomerKeyArgs:
    """The key: every field left out takes its secure default."""

    # Days between scheduling the key's deletion and KMS deleting it, during which the deletion
    # can be cancelled (and whatever the key encrypts is unreadable): 7 to 30. A shorter window
    # only suits a throwaway stack.
    deletion_window_days: int = DELETION_WINDOW_DAYS

    def __post_init__(self):
        check_args(self, _check)


def _check(section: Section) -> None:
    section.integer("deletion_window_days", None, *DELETION_WINDOWS)


class CustomerKey(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        args: CustomerKeyArgs,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("event-pipelines:index:CustomerKey", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        account = aws.get_caller_identity_output(opts=invoke).account_id
        region = aws.get_region_output(opts=invoke).region
        partition = aws.get_partition_output(opts=invoke).partition
        self.key = aws.kms.Key(
            name,
            description=f"{pulumi.get_project()}/{pulumi.get_stack()}: tables, buckets, logs, "
            "queues, topics and function environments",
            enable_key_rotation=True,
            rotation_period_in_days=365,
            deletion_window_in_days=args.deletion_window_days,
            policy=document(key_policy(account, region, partition)),
            opts=child,
        )
        self.alias = aws.kms.Alias(
            f"{name}-alias",
            name=f"alias/{pulumi.get_project()}-{pulumi.get_stack()}",
            target_key_id=self.key.key_id,
            opts=child,
        )
        self.arn = self.key.arn
        self.register_outputs({"keyArn": self.key.arn, "aliasName": self.alias.name})
