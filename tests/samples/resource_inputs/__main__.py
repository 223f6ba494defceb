"""The idioms of real programs: a resource passed where its name or id is wanted (`role=role`,
`bucket=bucket`), `Output.all(...).apply(json.dumps)`, `get_policy_document(...).json`, a
ComponentResource with children, a StackReference and a secret."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
network = pulumi.StackReference(config.require("networkStack"))
token = config.require_secret("apiToken")


class Uploads(pulumi.ComponentResource):
    """A bucket and the queue told about its uploads."""

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None):
        super().__init__("acme:storage:Uploads", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.bucket = aws.s3.Bucket(f"{name}-bucket", opts=child)
        aws.s3.BucketPublicAccessBlock(
            f"{name}-block",
            bucket=self.bucket,  # the resource itself: the engine passes its id
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        self.queue = aws.sqs.Queue(f"{name}-queue", sqs_managed_sse_enabled=True, opts=child)
        # The resources themselves, as components often register them.
        self.register_outputs({"bucket": self.bucket, "queue": self.queue})


uploads = Uploads("uploads")

trust = aws.iam.get_policy_document(
    statements=[
        {
            "actions": ["sts:AssumeRole"],
            "principals": [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}],
        }
    ]
)
role = aws.iam.Role("worker", assume_role_policy=trust.json)

aws.iam.RolePolicy(
    "worker-access",
    role=role,  # the resource itself, as the pulumi/examples programs write it
    policy=pulumi.Output.all(uploads.bucket.arn, uploads.queue.arn).apply(
        lambda arns: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{arns[0]}/*"},
                    {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": arns[1]},
                ],
            }
        )
    ),
)
# The same mistake as seed 000, written with a resource reference.
aws.iam.RolePolicyAttachment(
    "worker-admin", role=role, policy_arn="arn:aws:iam::aws:policy/AdministratorAccess"
)

function = aws.lambda_.Function(
    "worker-fn",
    role=role.arn,
    runtime="python3.13",
    handler="index.handler",
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c):\n    pass\n")}),
    environment={"variables": {"API_TOKEN": token, "QUEUE": uploads.queue.url}},
    vpc_config={
        "subnet_ids": network.get_output("privateSubnetIds"),
        "security_group_ids": [network.get_output("workerSecurityGroupId")],
    },
)

pulumi.export("bucket", uploads.bucket.bucket)
pulumi.export("function", function.name)
