"""DynamoDB stream batches for handler tests, taken from the emulator rather than written by hand.

The test changes a table with real put_item/update_item/delete_item calls; this module reads the
table's stream through the DynamoDB Streams API (the raw JSON, so numbers, binaries and timestamps
keep the wire form Lambda delivers) and adds what Lambda's poller adds to each record:
eventSourceARN, and awsRegion set to the table's region.
"""

import json

import boto3

from components.stream_function import event_name_filter


def create_stream_table(name: str, key: str, view_type: str, region: str = "us-east-1") -> str:
    """Create a streamed on-demand table with a string hash key; returns its stream ARN."""
    dynamodb = boto3.client("dynamodb", region_name=region)
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": view_type},
    )
    return dynamodb.describe_table(TableName=name)["Table"]["LatestStreamArn"]


def stream_records(stream_arn: str, region: str = "us-east-1") -> list:
    """Every record of the stream from its start, in order, shaped as Lambda delivers them."""
    streams = boto3.client("dynamodbstreams", region_name=region)
    raw_bodies = []
    streams.meta.events.register(
        "after-call.dynamodbstreams.GetRecords",
        lambda http_response, **_: raw_bodies.append(http_response.text),
    )
    records = []
    for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            raw_bodies.clear()
            page = streams.get_records(ShardIterator=iterator)
            batch = json.loads(raw_bodies[-1])["Records"]
            if not batch:
                break
            records.extend(batch)
            iterator = page.get("NextShardIterator")
    for record in records:
        record["eventSourceARN"] = stream_arn
        record["awsRegion"] = region
    return records


def matches(record: dict, filter_criteria: dict) -> bool:
    """Lambda's filter for the patterns our mappings use: {"eventName": [allowed, ...]}."""
    for rule in filter_criteria["filters"]:
        pattern = json.loads(rule["pattern"])
        if all(record.get(field) in allowed for field, allowed in pattern.items()):
            return True
    return False


def lambda_batch(records: list, event_names) -> dict:
    """The event a mapping filtered to `event_names` would deliver for these records."""
    criteria = event_name_filter(event_names)
    return {"Records": [record for record in records if matches(record, criteria)]}
