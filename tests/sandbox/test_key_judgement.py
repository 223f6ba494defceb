"""What the sandbox asks of a customer managed key for a call, and how it decides, as KMS does.

Expectations: S3 User Guide ("Using SSE-KMS", "Multipart upload API and permissions"), SQS
Developer Guide ("Key management": producers need kms:GenerateDataKey and kms:Decrypt), DynamoDB
Developer Guide (encryption at rest with a customer managed key), AWS KMS Developer Guide
("Default key policy": the account statement lets IAM policies allow)."""

import json

import pytest

from tools.sandbox.authorization import Call, Need, key_needs, needs
from tools.sandbox.guard import decide_key
from tools.sandbox.policy_evaluator import Principal, Request

ACCOUNT = "123456789012"
KEY = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1111"
ENCRYPTED = {"arn:aws:s3:::vault", "arn:aws:sqs:eu-west-1:123456789012:dlq"}
TABLE = f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/notes"


def key_of(resource: str) -> str | None:
    if resource.split("/", 1)[0] in ENCRYPTED or resource.startswith(TABLE):
        return KEY
    return None


def kms_of(service: str, operation: str, **params) -> list:
    call = Call(service, operation, params, "eu-west-1", ACCOUNT)
    return [(n.action, n.context["kms:ViaService"]) for n in key_needs(call, needs(call), key_of)]


S3 = "s3.eu-west-1.amazonaws.com"


@pytest.mark.parametrize(
    ("operation", "params", "expected"),
    [
        ("PutObject", {"Bucket": "vault", "Key": "k"}, [("kms:GenerateDataKey", S3)]),
        ("GetObject", {"Bucket": "vault", "Key": "k"}, [("kms:Decrypt", S3)]),
        ("HeadObject", {"Bucket": "vault", "Key": "k"}, []),  # no data read
        ("CreateMultipartUpload", {"Bucket": "vault", "Key": "k"}, [("kms:GenerateDataKey", S3)]),
        (
            "CompleteMultipartUpload",
            {"Bucket": "vault", "Key": "k", "UploadId": "u"},
            [("kms:Decrypt", S3)],
        ),
        ("DeleteObject", {"Bucket": "vault", "Key": "k"}, []),
        ("PutObject", {"Bucket": "plain", "Key": "k"}, []),  # not under the key
    ],
)
def test_s3_asks_the_key_for_what_reads_and_writes_data(operation, params, expected):
    assert kms_of("s3", operation, **params) == expected


def test_a_copy_decrypts_its_source_and_encrypts_its_destination():
    copy = kms_of(
        "s3", "CopyObject", Bucket="vault", Key="b", CopySource={"Bucket": "plain", "Key": "a"}
    )
    assert copy == [("kms:GenerateDataKey", S3)]
    copy = kms_of(
        "s3", "CopyObject", Bucket="plain", Key="b", CopySource={"Bucket": "vault", "Key": "a"}
    )
    assert copy == [("kms:Decrypt", S3)]


def test_sqs_producers_and_dynamodb_readers_and_writers():
    url = f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/dlq"
    sqs = "sqs.eu-west-1.amazonaws.com"
    assert kms_of("sqs", "SendMessage", QueueUrl=url, MessageBody="x") == [
        ("kms:GenerateDataKey", sqs),
        ("kms:Decrypt", sqs),
    ]
    dynamodb = "dynamodb.eu-west-1.amazonaws.com"
    assert kms_of("dynamodb", "PutItem", TableName="notes", Item={}) == [("kms:Decrypt", dynamodb)]
    assert kms_of("dynamodb", "DescribeTable", TableName="notes") == []


def request(action="kms:Decrypt", via="s3.eu-west-1.amazonaws.com") -> Request:
    role = Principal(
        "AWS",
        f"arn:aws:sts::{ACCOUNT}:assumed-role/fn-role/fn",
        role_arn=f"arn:aws:iam::{ACCOUNT}:role/fn-role",
    )
    return Request(action, KEY, role, {"kms:ViaService": via, "kms:CallerAccount": ACCOUNT})


def key_policy(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


DELEGATION = {
    "Sid": "AccountDelegatesToIam",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": "kms:*",
    "Resource": "*",
}


def role_grant(via="s3.eu-west-1.amazonaws.com") -> dict:
    statement = {
        "Sid": "UseKey",
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Resource": [KEY],
        "Condition": {"StringEquals": {"kms:ViaService": via}},
    }
    return {"role": {"Version": "2012-10-17", "Statement": [statement]}}


def test_the_account_statement_lets_iam_allow_and_allows_nothing_by_itself():
    assert decide_key(request(), ACCOUNT, key_policy(DELEGATION), role_grant).allowed
    assert not decide_key(request(), ACCOUNT, key_policy(DELEGATION), dict).allowed


def test_iam_counts_for_nothing_without_the_account_statement():
    assert not decide_key(request(), ACCOUNT, key_policy(), role_grant).allowed
    names_the_role = {
        "Sid": "Role",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/fn-role"},
        "Action": "kms:Decrypt",
        "Resource": "*",
    }
    assert decide_key(request(), ACCOUNT, key_policy(names_the_role), dict).allowed


def test_the_grant_holds_only_through_its_service_and_a_deny_wins():
    assert not decide_key(
        request(via="sqs.eu-west-1.amazonaws.com"), ACCOUNT, key_policy(DELEGATION), role_grant
    ).allowed
    deny = {
        "Sid": "No",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "kms:Decrypt",
        "Resource": "*",
    }
    assert not decide_key(request(), ACCOUNT, key_policy(DELEGATION, deny), role_grant).allowed


def test_a_need_names_the_key_and_the_condition_keys_kms_sees():
    call = Call("s3", "PutObject", {"Bucket": "vault", "Key": "k"}, "eu-west-1", ACCOUNT)
    assert key_needs(call, needs(call), key_of) == [
        Need(
            "kms:GenerateDataKey",
            KEY,
            {"kms:ViaService": "s3.eu-west-1.amazonaws.com", "kms:CallerAccount": ACCOUNT},
        )
    ]
