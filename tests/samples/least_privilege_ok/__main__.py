"""An S3-triggered function done right, in plain pulumi_aws: private TLS-only bucket, one
least-privilege inline policy built with get_policy_document, log group with retention first,
restricted permission, async failure destination, recoverable table."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
account = aws.get_caller_identity_output().account_id

uploads = aws.s3.Bucket("uploads")
aws.s3.BucketPublicAccessBlock(
    "uploads-block",
    bucket=uploads.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
tls_only = aws.iam.get_policy_document_output(
    statements=[
        {
            "effect": "Deny",
            "principals": [{"type": "*", "identifiers": ["*"]}],
            "actions": ["s3:*"],
            "resources": [uploads.arn, pulumi.Output.concat(uploads.arn, "/*")],
            "conditions": [
                {"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}
            ],
        }
    ]
)
aws.s3.BucketPolicy("uploads-tls-only", bucket=uploads.id, policy=tls_only.json)

table = aws.dynamodb.Table(
    "metadata",
    hash_key="filename",
    attributes=[{"name": "filename", "type": "S"}],
    billing_mode="PAY_PER_REQUEST",
    point_in_time_recovery={"enabled": True},
)
dead_letters = aws.sqs.Queue("metadata-dlq", sqs_managed_sse_enabled=True)
logs = aws.cloudwatch.LogGroup(
    "metadata-logs",
    name="/aws/lambda/metadata",
    retention_in_days=config.require_int("retentionDays"),
)

role = aws.iam.Role(
    "metadata-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
)
permissions = aws.iam.get_policy_document_output(
    statements=[
        {
            "sid": "ReadUploads",
            "actions": ["s3:GetObject"],
            "resources": [pulumi.Output.concat(uploads.arn, "/*")],
        },
        {
            "sid": "WriteMetadata",
            "actions": ["dynamodb:PutItem", "dynamodb:DeleteItem"],
            "resources": [table.arn],
        },
        {
            "sid": "Logs",
            "actions": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "resources": [pulumi.Output.concat(logs.arn, ":*")],
        },
        {"sid": "DeadLetters", "actions": ["sqs:SendMessage"], "resources": [dead_letters.arn]},
        {
            "sid": "Traces",
            "actions": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            "resources": ["*"],
        },
    ]
)
policy = aws.iam.RolePolicy("metadata-policy", role=role.id, policy=permissions.json)

function = aws.lambda_.Function(
    "metadata",
    name="metadata",
    runtime="python3.13",
    handler="index.handler",
    role=role.arn,
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c):\n    pass\n")}),
    opts=pulumi.ResourceOptions(depends_on=[logs, policy]),
)
aws.lambda_.FunctionEventInvokeConfig(
    "metadata-async",
    function_name=function.name,
    maximum_retry_attempts=2,
    destination_config={"on_failure": {"destination": dead_letters.arn}},
)
permission = aws.lambda_.Permission(
    "uploads-invoke",
    action="lambda:InvokeFunction",
    function=function.name,
    principal="s3.amazonaws.com",
    source_arn=uploads.arn,
    source_account=account,
)
aws.s3.BucketNotification(
    "uploads-notification",
    bucket=uploads.id,
    lambda_functions=[{"lambda_function_arn": function.arn, "events": ["s3:ObjectCreated:*"]}],
    opts=pulumi.ResourceOptions(depends_on=[permission]),
)

pulumi.export("policy", permissions.json)
