"""A DynamoDB table as every pipeline wants it: on-demand, recoverable, KMS-encrypted (the AWS
managed key, or the stack's customer key), and streamed when a pipeline reads its changes."""

import pulumi
import pulumi_aws as aws


def secure_table(
    name: str,
    hash_key: str,
    range_key: tuple | None = None,  # (name, "S" | "N" | "B"): a sort key
    stream_view_type: str | None = None,  # e.g. NEW_IMAGE; None: no stream
    table_name: str | None = None,  # fixed name; default: Pulumi auto-naming
    deletion_protection: bool = False,
    kms_key_arn: pulumi.Input[str] | None = None,  # the stack's customer key; None: aws/dynamodb
    opts: pulumi.ResourceOptions | None = None,
) -> aws.dynamodb.Table:
    return aws.dynamodb.Table(
        name,
        name=table_name,
        billing_mode="PAY_PER_REQUEST",
        hash_key=hash_key,
        range_key=range_key[0] if range_key else None,
        attributes=[
            {"name": hash_key, "type": "S"},
            *([{"name": range_key[0], "type": range_key[1]}] if range_key else []),
        ],
        stream_enabled=stream_view_type is not None,
        stream_view_type=stream_view_type,
        point_in_time_recovery={"enabled": True},
        # The AWS managed key (aws/dynamodb) instead of an AWS owned one: use shows in CloudTrail.
        server_side_encryption=(
            {"enabled": True}
            if kms_key_arn is None
            else {"enabled": True, "kms_key_arn": kms_key_arn}
        ),
        deletion_protection_enabled=deletion_protection,
        opts=opts,
    )
