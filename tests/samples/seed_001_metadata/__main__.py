"""Seed 001 as its author built it: uploads trigger a function that writes ImageMetadataTable,
with AmazonDynamoDBFullAccess, reading objects from any bucket, and no failure destination."""

import json

import pulumi
import pulumi_aws as aws

uploads = aws.s3.Bucket("uploads")
table = aws.dynamodb.Table(
    "image-metadata",
    name="ImageMetadataTable",
    hash_key="filename",
    attributes=[{"name": "filename", "type": "S"}],
    billing_mode="PAY_PER_REQUEST",
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
aws.iam.RolePolicyAttachment(
    "metadata-dynamodb",
    role=role.name,
    policy_arn="arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess",
)
read_anything = aws.iam.get_policy_document_output(
    statements=[
        {"actions": ["s3:GetObject"], "resources": ["*"]},
    ]
)
aws.iam.RolePolicy("metadata-read", role=role.id, policy=read_anything.json)
function = aws.lambda_.Function(
    "metadata",
    runtime="python3.12",
    handler="index.handler",
    role=role.arn,
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c):\n    pass\n")}),
    environment={"variables": {"TABLE_NAME": table.name}},
)
permission = aws.lambda_.Permission(
    "uploads-invoke",
    action="lambda:InvokeFunction",
    function=function.name,
    principal="s3.amazonaws.com",
    source_arn=uploads.arn,
)
aws.s3.BucketNotification(
    "uploads-notification",
    bucket=uploads.id,
    lambda_functions=[{"lambda_function_arn": function.arn, "events": ["s3:ObjectCreated:*"]}],
    opts=pulumi.ResourceOptions(depends_on=[permission]),
)
