"""A function anyone can invoke, and a policy with ARN wildcards that escalate privileges."""

import json

import pulumi
import pulumi_aws as aws

role = aws.iam.Role(
    "fn",
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
fn = aws.lambda_.Function(
    "fn",
    runtime="python3.13",
    handler="index.handler",
    role=role.arn,
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e,c): return 1")}),
)
url = aws.lambda_.FunctionUrl("fn", function_name=fn.name, authorization_type="NONE")
aws.lambda_.Permission(
    "public-url",
    action="lambda:InvokeFunctionUrl",
    function=fn.name,
    principal="*",
    function_url_auth_type="NONE",
)
aws.lambda_.Permission(
    "public-invoke", action="lambda:InvokeFunction", function=fn.name, principal="*"
)
# cross-account S3 -> lambda without source account
bucket = aws.s3.BucketV2("uploads")
aws.lambda_.Permission(
    "s3",
    action="lambda:InvokeFunction",
    function=fn.arn,
    principal="s3.amazonaws.com",
    source_arn=bucket.arn,
)
# grant helper written the common way
aws.iam.RolePolicy(
    "fn-policy",
    role=role.id,
    policy=pulumi.Output.all(bucket.arn).apply(
        lambda a: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["s3:GetObject", "s3:PutObject"],
                        "Resource": "arn:aws:s3:::*",
                    },
                    {
                        "Effect": "Allow",
                        "Action": "iam:PutRolePolicy",
                        "Resource": "arn:aws:iam::*:role/*",
                    },
                ],
            }
        )
    ),
)
pulumi.export("url", url.function_url)
