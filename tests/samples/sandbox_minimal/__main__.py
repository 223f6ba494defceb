"""One function fed by a table's stream and by a bucket's events, written without this project's
components, for the sandbox's deployment checks. Config `mistake` plants one error that AWS
refuses at deployment: untrusted-role (the role trusts ec2, not lambda),
notification-without-permission (no lambda Permission for S3), unreadable-stream (the role may
read the table, not its stream), unsigned-code (a code signing config set to Enforce, and code
uploaded to S3 that no signing job signed)."""

import json

import pulumi
import pulumi_aws as aws

mistake = pulumi.Config().get("mistake") or "none"
account = aws.get_caller_identity_output().account_id

table = aws.dynamodb.Table(
    "events",
    hash_key="id",
    attributes=[{"name": "id", "type": "S"}],
    billing_mode="PAY_PER_REQUEST",
    stream_enabled=True,
    stream_view_type="NEW_IMAGE",
)
bucket = aws.s3.Bucket("drops")
role = aws.iam.Role(
    "echo-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {
                        "Service": "ec2.amazonaws.com"
                        if mistake == "untrusted-role"
                        else "lambda.amazonaws.com"
                    },
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
)
readable = table.arn if mistake == "unreadable-stream" else table.stream_arn
policy = aws.iam.RolePolicy(
    "echo-policy",
    role=role.id,
    policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ReadStream",
                    "Effect": "Allow",
                    "Action": [
                        "dynamodb:DescribeStream",
                        "dynamodb:GetShardIterator",
                        "dynamodb:GetRecords",
                    ],
                    "Resource": readable,
                }
            ],
        }
    ),
)
# The handler only logs what it received: enough to see each trigger fire.
archive = pulumi.AssetArchive(
    {
        "echo.py": pulumi.StringAsset(
            "def handler(event, context):\n"
            "    print('received', len(event['Records']), 'record(s)')\n"
        )
    }
)
code: dict = {"code": archive}
if mistake == "unsigned-code":
    artifacts = aws.s3.Bucket("artifacts")
    uploaded = aws.s3.BucketObjectv2(
        "echo-zip", bucket=artifacts.id, key="echo.zip", source=archive
    )
    profile = aws.signer.SigningProfile("signer", platform_id="AWSLambda-SHA384-ECDSA")
    signing = aws.lambda_.CodeSigningConfig(
        "enforce",
        allowed_publishers={"signing_profile_version_arns": [profile.version_arn]},
        policies={"untrusted_artifact_on_deployment": "Enforce"},
    )
    code = {
        "s3_bucket": artifacts.id,
        "s3_key": uploaded.key,
        "code_signing_config_arn": signing.arn,
    }
echo = aws.lambda_.Function(
    "echo",
    role=role.arn,
    runtime="python3.13",
    handler="echo.handler",
    **code,
    opts=pulumi.ResourceOptions(depends_on=[policy]),
)
aws.lambda_.EventSourceMapping(
    "echo-stream",
    event_source_arn=table.stream_arn,
    function_name=echo.arn,
    starting_position="TRIM_HORIZON",
)
permissions = []
if mistake != "notification-without-permission":
    permissions.append(
        aws.lambda_.Permission(
            "s3-invokes-echo",
            action="lambda:InvokeFunction",
            function=echo.name,
            principal="s3.amazonaws.com",
            source_arn=bucket.arn,
            source_account=account,
        )
    )
aws.s3.BucketNotification(
    "drops-notify",
    bucket=bucket.id,
    lambda_functions=[{"lambda_function_arn": echo.arn, "events": ["s3:ObjectCreated:*"]}],
    opts=pulumi.ResourceOptions(depends_on=permissions),
)
aws.sns.Topic("alerts")  # the sandbox does not emulate SNS: it says so

pulumi.export("tableName", table.name)
pulumi.export("bucketName", bucket.bucket)
