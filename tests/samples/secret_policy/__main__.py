"""A policy document passed as a secret, and an existing bucket read with `.get`."""

import json

import pulumi
import pulumi_aws as aws

role = aws.iam.Role(
    "r",
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
# secret policy document (e.g. built from a secret config value)
aws.iam.RolePolicy(
    "secret-policy",
    role=role.id,
    policy=pulumi.Output.secret(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
            }
        )
    ),
)
existing = aws.s3.BucketV2.get("existing", "legacy-bucket")
pulumi.export("existing", existing.arn)
