"""handlers/user_buckets.py against the emulator, with records read from a real DynamoDB stream."""

import copy
import logging

import boto3
import pytest

from components.user_buckets import HANDLED_EVENTS
from handlers import user_buckets
from handlers.bucket_names import bucket_name, is_valid_bucket_name
from tests.streams import create_stream_table, lambda_batch, stream_records

PREFIX = "acme-users"
LONG_ID = "user-" + "x" * 120 + "-" + "y" * 120  # 246 characters

IDS = [
    "Alice",
    "alice",  # differs from "Alice" only in case: must get its own bucket
    "a.lice",
    "user_name_1",
    "first.last@example.com",
    "사용자",  # nothing ASCII survives the slug: the name is prefix + hash
    "Zoë Ñúñez",
    "a#b😀",  # characters a tag value may not hold
    LONG_ID,
]


@pytest.fixture
def region(request, aws, monkeypatch):
    name = getattr(request, "param", "us-east-1")
    monkeypatch.setenv("AWS_REGION", name)
    monkeypatch.setenv("AWS_DEFAULT_REGION", name)
    monkeypatch.setenv("BUCKET_PREFIX", PREFIX)
    return name


def users_table(region):
    """The pipeline's table (key `id`, NEW_IMAGE stream); returns a function reading its batch."""
    stream = create_stream_table("USER-DB", "id", "NEW_IMAGE", region)
    table = boto3.resource("dynamodb", region_name=region).Table("USER-DB")
    return table, (lambda: lambda_batch(stream_records(stream, region), HANDLED_EVENTS))


def our_buckets(region):
    names = [b["Name"] for b in boto3.client("s3", region_name=region).list_buckets()["Buckets"]]
    return sorted(name for name in names if name.startswith(PREFIX))


def assert_private_tagged_bucket(s3, name, user_id):
    block = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    rules = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=name)["TagSet"]}
    assert tags == {"user-id": user_buckets.tag_value(user_id)}


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "ap-northeast-2"], indirect=True)
def test_each_new_user_gets_a_private_bucket_in_the_functions_region(region):
    table, batch = users_table(region)
    for user_id in IDS:
        table.put_item(Item={"id": user_id, "email": "someone@example.com"})

    assert user_buckets.handler(batch(), None) == {"batchItemFailures": []}

    expected = sorted(bucket_name(PREFIX, user_id) for user_id in IDS)
    assert our_buckets(region) == expected
    assert len(set(expected)) == len(IDS)  # case and punctuation variants never share a bucket
    s3 = boto3.client("s3", region_name=region)
    for user_id in IDS:
        name = bucket_name(PREFIX, user_id)
        assert is_valid_bucket_name(name)
        location = s3.get_bucket_location(Bucket=name)["LocationConstraint"]
        assert location == (None if region == "us-east-1" else region)
        assert_private_tagged_bucket(s3, name, user_id)


# eu-west-1 too: there CreateBucket answers BucketAlreadyOwnedByYou, us-east-1 answers 200.
@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"], indirect=True)
def test_duplicate_delivery_and_modify_after_insert_change_nothing(region):
    table, batch = users_table(region)
    table.put_item(Item={"id": "Alice", "plan": "free"})
    table.put_item(Item={"id": "Bob"})
    user_buckets.handler(batch(), None)
    before = our_buckets(region)

    table.update_item(
        Key={"id": "Alice"},
        UpdateExpression="SET #p = :p",
        ExpressionAttributeNames={"#p": "plan"},
        ExpressionAttributeValues={":p": "pro"},
    )
    events = batch()
    assert [r["eventName"] for r in events["Records"]] == ["INSERT", "INSERT", "MODIFY"]
    assert user_buckets.handler(events, None) == {"batchItemFailures": []}  # whole batch again
    assert user_buckets.handler(events, None) == {"batchItemFailures": []}  # and once more

    assert our_buckets(region) == before == sorted(bucket_name(PREFIX, u) for u in ("Alice", "Bob"))


def test_a_poison_record_fails_alone_and_is_logged(region, caplog):
    table, batch = users_table(region)
    for user_id in ("first", "second", "third"):
        table.put_item(Item={"id": user_id})
    events = batch()
    poison = events["Records"][1]
    poison["dynamodb"]["Keys"] = {"userId": {"S": "second"}}  # no `id` key: unusable

    with caplog.at_level(logging.ERROR):
        result = user_buckets.handler(events, None)

    sequence = poison["dynamodb"]["SequenceNumber"]
    assert result == {"batchItemFailures": [{"itemIdentifier": sequence}]}
    assert our_buckets(region) == sorted(bucket_name(PREFIX, u) for u in ("first", "third"))
    [line] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert sequence in line.getMessage() and "no string key attribute 'id'" in line.getMessage()
    assert line.record["eventID"] == poison["eventID"]


def test_a_blank_id_is_a_failed_record_not_a_bucket(region):
    table, batch = users_table(region)
    table.put_item(Item={"id": "ok"})
    events = batch()
    blank = copy.deepcopy(events["Records"][0])
    blank["dynamodb"]["Keys"]["id"]["S"] = "   "
    blank["dynamodb"]["SequenceNumber"] = "9" + blank["dynamodb"]["SequenceNumber"]
    events["Records"].append(blank)

    result = user_buckets.handler(events, None)

    assert result == {
        "batchItemFailures": [{"itemIdentifier": blank["dynamodb"]["SequenceNumber"]}]
    }
    assert our_buckets(region) == [bucket_name(PREFIX, "ok")]


def test_a_name_taken_by_another_account_fails_that_record(region):
    other = boto3.client("sts", region_name=region).assume_role(
        RoleArn="arn:aws:iam::111111111111:role/someone-else", RoleSessionName="test"
    )["Credentials"]
    boto3.client(
        "s3",
        region_name="us-east-1",
        aws_access_key_id=other["AccessKeyId"],
        aws_secret_access_key=other["SecretAccessKey"],
        aws_session_token=other["SessionToken"],
    ).create_bucket(Bucket=bucket_name(PREFIX, "squatted"))
    table, batch = users_table(region)
    table.put_item(Item={"id": "squatted"})
    table.put_item(Item={"id": "fine"})
    events = batch()

    result = user_buckets.handler(events, None)

    squatted = events["Records"][0]["dynamodb"]["SequenceNumber"]
    assert result == {"batchItemFailures": [{"itemIdentifier": squatted}]}
    assert bucket_name(PREFIX, "fine") in our_buckets(region)


def test_records_of_one_user_after_a_failure_are_not_tried_before_it(region, monkeypatch):
    table, batch = users_table(region)
    table.put_item(Item={"id": "Alice"})
    table.update_item(
        Key={"id": "Alice"}, UpdateExpression="SET n = :n", ExpressionAttributeValues={":n": 1}
    )
    table.put_item(Item={"id": "Bob"})
    events = batch()
    attempts = []
    real = user_buckets.create_bucket

    def flaky(s3, name):
        attempts.append(name)
        if name == bucket_name(PREFIX, "Alice"):
            raise RuntimeError("throttled")
        real(s3, name)

    monkeypatch.setattr(user_buckets, "create_bucket", flaky)
    result = user_buckets.handler(events, None)

    alice_insert, alice_modify, _bob = (r["dynamodb"]["SequenceNumber"] for r in events["Records"])
    assert result == {
        "batchItemFailures": [{"itemIdentifier": alice_insert}, {"itemIdentifier": alice_modify}]
    }
    assert attempts.count(bucket_name(PREFIX, "Alice")) == 1  # the MODIFY waited for the INSERT
    assert our_buckets(region) == [bucket_name(PREFIX, "Bob")]


def test_remove_records_never_delete_or_create_anything(region):
    table, batch = users_table(region)
    table.put_item(Item={"id": "Alice"})
    user_buckets.handler(batch(), None)
    table.delete_item(Key={"id": "Alice"})
    table.put_item(Item={"id": "Bob"})  # Bob comes and goes before his bucket is made
    table.delete_item(Key={"id": "Bob"})
    stream = boto3.client("dynamodb", region_name=region).describe_table(TableName="USER-DB")
    everything = stream_records(stream["Table"]["LatestStreamArn"], region)
    removes = [r for r in everything if r["eventName"] == "REMOVE"]

    assert [r["eventName"] for r in batch()["Records"]] == [
        "INSERT",
        "INSERT",
    ]  # filter drops REMOVE
    assert len(removes) == 2
    assert user_buckets.handler({"Records": removes}, None) == {"batchItemFailures": []}
    assert our_buckets(region) == [bucket_name(PREFIX, "Alice")]


def test_a_function_without_a_usable_prefix_fails_the_whole_batch(region, monkeypatch):
    table, batch = users_table(region)
    table.put_item(Item={"id": "Alice"})
    monkeypatch.delenv("BUCKET_PREFIX")
    with pytest.raises(KeyError, match="BUCKET_PREFIX"):
        user_buckets.handler(batch(), None)
    monkeypatch.setenv("BUCKET_PREFIX", "Not_A_Prefix")
    with pytest.raises(ValueError, match="BUCKET_PREFIX 'Not_A_Prefix' is not valid"):
        user_buckets.handler(batch(), None)
    assert our_buckets(region) == []


def test_the_tag_holds_the_id_as_far_as_tags_allow(region):
    table, batch = users_table(region)
    table.put_item(Item={"id": "a#b😀"})
    table.put_item(Item={"id": "Zoe\u0308"})  # "Zoë" with a combining diaeresis
    user_buckets.handler(batch(), None)
    s3 = boto3.client("s3", region_name=region)

    def tags(user_id):
        return s3.get_bucket_tagging(Bucket=bucket_name(PREFIX, user_id))["TagSet"]

    assert tags("a#b😀") == [{"Key": "user-id", "Value": "a_b_"}]
    assert tags("Zoe\u0308") == [{"Key": "user-id", "Value": "Zoë"}]


def test_the_mapping_filter_and_the_handler_agree_on_the_events():
    assert HANDLED_EVENTS == user_buckets.HANDLED_EVENTS


def test_tag_values_keep_what_aws_accepts():
    assert user_buckets.tag_value("Zoë Ñúñez_1+2=3.a:b/c@d-e") == "Zoë Ñúñez_1+2=3.a:b/c@d-e"
    assert user_buckets.tag_value("사용자") == "사용자"
    assert user_buckets.tag_value("a#b!c😀\n") == "a_b_c__"
    assert len(user_buckets.tag_value("x" * 1000)) == 256
