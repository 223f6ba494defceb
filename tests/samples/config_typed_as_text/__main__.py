"""A log retention read from config as text ("14")."""

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
aws.cloudwatch.LogGroup("app", name="/aws/lambda/app", retention_in_days=cfg.get("logRetention"))
role = aws.iam.Role(
    "r",
    assume_role_policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
)
aws.lambda_.Function(
    "app",
    name="app",
    runtime="python3.13",
    handler="index.handler",
    role=role.arn,
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e,c): pass")}),
)
