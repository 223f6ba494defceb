"""IAM in the sandbox, from the side of a function's code: with its role's credentials, a call
its policy does not allow fails exactly as AWS fails it, on every service, while the operator
(the sandbox's administrator) is never judged."""

import json
import os

import pytest
from botocore.exceptions import ClientError

from tools.sandbox.emulator import ACCOUNT_ID


@pytest.fixture(scope="module")
def metadata(sandbox):
    """The image metadata function: s3:GetObject on its uploads, PutItem/DeleteItem on its table."""
    return sandbox.function("imageMetadata")


def as_function(sandbox, function, service: str):
    """A client with the function's role session, as its handler builds one."""
    return sandbox.emulator.new_client(service, sandbox.region, sandbox.credentials[function.name])


def error_of(excinfo) -> tuple:
    error = excinfo.value.response["Error"]
    return (
        excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"],
        error["Code"],
        error.get("Message", ""),
    )


def test_a_call_outside_the_policy_is_denied_with_awss_error(sandbox, metadata):
    s3 = as_function(sandbox, metadata, "s3")
    denied_before = len(sandbox.guard.denied())

    with pytest.raises(ClientError) as excinfo:
        s3.list_buckets()

    role = metadata.role_arn.rsplit("/", 1)[-1]
    status, code, message = error_of(excinfo)
    assert (status, code) == (403, "AccessDenied")
    assert message == (
        f"User: arn:aws:sts::{ACCOUNT_ID}:assumed-role/{role}/{metadata.name} is not authorized "
        "to perform: s3:ListAllMyBuckets on resource: * because no identity-based policy "
        "allows the s3:ListAllMyBuckets action"
    )
    (record,) = sandbox.guard.denied()[denied_before:]
    assert (record.service, record.operation, record.identity.function) == (
        "s3",
        "ListBuckets",
        metadata.name,
    )


def test_dynamodb_calls_are_judged_on_the_table_arn(sandbox, metadata):
    """moto judges DynamoDB against Resource "*"; the guard judges the table named."""
    dynamodb = as_function(sandbox, metadata, "dynamodb")
    own_table = sandbox.outputs["imageMetadataTableName"]
    other_table = sandbox.outputs["userBucketsTableName"]
    item = {"filename": {"S": "guard-test.jpg"}, "id": {"S": "guard-test"}}

    dynamodb.put_item(TableName=own_table, Item=item)
    with pytest.raises(ClientError) as excinfo:
        dynamodb.put_item(TableName=other_table, Item=item)

    status, code, message = error_of(excinfo)
    assert (status, code) == (400, "AccessDeniedException")
    assert f"dynamodb:PutItem on resource: arn:aws:dynamodb:{sandbox.region}:" in message
    assert f":table/{other_table} " in message
    allowed = sandbox.guard.calls_of(metadata.name)[-2]
    ((need, decision),) = allowed.needs
    assert allowed.allowed and need.resource.endswith(f":table/{own_table}")
    assert [ref.sid for ref in decision.deciding] == ["WriteMetadata"]
    sandbox.client("dynamodb").delete_item(TableName=own_table, Key={"filename": item["filename"]})


def test_an_explicit_deny_in_the_bucket_policy_wins_over_the_role(sandbox, metadata):
    bucket = sandbox.outputs["imageMetadataBucketName"]
    operator = sandbox.client("s3")
    operator.put_object(Bucket=bucket, Key="guard/secret.jpg", Body=b"\xff\xd8")
    original = operator.get_bucket_policy(Bucket=bucket)["Policy"]
    policy = json.loads(original)
    policy["Statement"].append(
        {
            "Sid": "NoSecrets",
            "Effect": "Deny",
            "Principal": {"AWS": metadata.role_arn},
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{bucket}/guard/*",
        }
    )
    operator.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    s3 = as_function(sandbox, metadata, "s3")
    try:
        with pytest.raises(ClientError) as excinfo:
            s3.get_object(Bucket=bucket, Key="guard/secret.jpg")
    finally:
        operator.put_bucket_policy(Bucket=bucket, Policy=original)

    status, code, message = error_of(excinfo)
    assert (status, code) == (403, "AccessDenied")
    assert message.endswith("with an explicit deny in a resource-based policy")
    assert s3.get_object(Bucket=bucket, Key="guard/secret.jpg")["Body"].read() == b"\xff\xd8"


def test_a_missing_object_is_403_without_list_bucket_and_404_with_it(sandbox, metadata):
    bucket = sandbox.outputs["imageMetadataBucketName"]
    s3 = as_function(sandbox, metadata, "s3")

    with pytest.raises(ClientError) as head:
        s3.head_object(Bucket=bucket, Key="guard/missing.jpg")
    with pytest.raises(ClientError) as get:
        s3.get_object(Bucket=bucket, Key="guard/missing.jpg")
    with pytest.raises(ClientError) as operator:  # the operator may list every bucket
        sandbox.client("s3").get_object(Bucket=bucket, Key="guard/missing.jpg")

    assert error_of(head)[:2] == (403, "403")
    assert error_of(get)[:2] == (403, "AccessDenied")
    assert error_of(operator)[:2] == (404, "NoSuchKey")


def test_an_operation_the_sandbox_cannot_judge_is_denied(sandbox, metadata):
    sqs = as_function(sandbox, metadata, "sqs")
    with pytest.raises(ClientError) as excinfo:
        sqs.list_queues()
    assert error_of(excinfo)[:2] == (403, "AccessDenied")
    assert "cannot authorize sqs:ListQueues" in sandbox.guard.denied()[-1].note


def test_unknown_credentials_are_refused_by_the_emulator(sandbox):
    forged = {"aws_access_key_id": "AKIAFORGEDFORGED0000", "aws_secret_access_key": "x" * 40}
    s3 = sandbox.emulator.new_client("s3", sandbox.region, forged)
    with pytest.raises(ClientError) as excinfo:
        s3.list_buckets()
    assert error_of(excinfo)[:2] == (403, "InvalidAccessKeyId")


def test_the_operator_is_never_judged(sandbox):
    calls_before = len(sandbox.guard.calls)
    sandbox.client("s3").list_buckets()
    sandbox.client("iam").list_roles()
    assert len(sandbox.guard.calls) == calls_before


def test_an_invocation_leaves_the_process_environment_as_it_was(sandbox):
    """Handlers read os.environ (Lambda's variables, the role's keys); the sandbox's own process
    must not keep them, or the next client would silently run with a function's role."""
    before = dict(os.environ)
    runtime = sandbox.runtimes[sandbox.function("streamArchive").name]
    invocation = runtime.invoke({"Records": []})
    assert invocation.ok and invocation.result == {"batchItemFailures": []}
    assert dict(os.environ) == before
