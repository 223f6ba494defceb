"""Seed 000 as its author built it: the USER-DB stream triggers `bucket-creation`, whose role
lambda-role-s3 carries AdministratorAccess and AmazonS3FullAccess (the policy pack must refuse)."""

import json

import pulumi
import pulumi_aws as aws

table = aws.dynamodb.Table(
    "user-db",
    name="USER-DB",
    hash_key="id",
    attributes=[{"name": "id", "type": "S"}],
    billing_mode="PAY_PER_REQUEST",
    stream_enabled=True,
    stream_view_type="NEW_IMAGE",
)
role = aws.iam.Role(
    "lambda-role-s3",
    name="lambda-role-s3",
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
for policy in ("AdministratorAccess", "AmazonS3FullAccess"):
    aws.iam.RolePolicyAttachment(
        f"lambda-role-s3-{policy}", role=role.name, policy_arn=f"arn:aws:iam::aws:policy/{policy}"
    )
function = aws.lambda_.Function(
    "bucket-creation",
    name="bucket-creation",
    runtime="python3.12",
    handler="lambda_function.lambda_handler",
    role=role.arn,
    code=pulumi.AssetArchive(
        {"lambda_function.py": pulumi.StringAsset("def lambda_handler(e, c):\n    return {}\n")}
    ),
)
aws.lambda_.EventSourceMapping(
    "user-db-trigger",
    event_source_arn=table.stream_arn,
    function_name=function.arn,
    starting_position="LATEST",
)
