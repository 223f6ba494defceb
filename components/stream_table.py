"""A DynamoDB table whose changes feed a pipeline: on-demand, streamed, recoverable, KMS-encrypted."""

import pulumi
import pulumi_aws as aws


def stream_table(
    name: str,
    hash_key: str,
    stream_view_type: str,
    table_name: str | None = None,  # fixed name; default: Pulumi auto-naming
    deletion_protection: bool = False,
    opts: pulumi.ResourceOptions | None = None,
) -> aws.dynamodb.Table:
    return aws.dynamodb.Table(
        name,
        name=table_name,
        billing_mode="PAY_PER_REQUEST",
        hash_key=hash_key,
        attributes=[{"name": hash_key, "type": "S"}],
        stream_enabled=True,
        stream_view_type=stream_view_type,
        point_in_time_recovery={"enabled": True},
        # The AWS managed key (aws/dynamodb) instead of an AWS owned one: use shows in CloudTrail.
        server_side_encryption={"enabled": True},
        deletion_protection_enabled=deletion_protection,
        opts=opts,
    )
