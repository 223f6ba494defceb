"""The notes table: partition key UserId (S, the caller's Cognito sub), sort key NoteId (N).

Every request names the caller's partition, so nothing here can reach another user's notes. Reads
are Queries (a list never Scans the table; a single note is a Query too, as the role has no
GetItem). Writes are conditional: a create never overwrites, an update or delete never creates.
"""

import secrets
import time
from datetime import UTC, datetime

from botocore.exceptions import ClientError

from handlers import aws_clients
from handlers.notes_input import NewNote

ID_ATTEMPTS = 3  # generated ids that may collide before giving up (each collision is ~1/2048)


def now() -> str:
    moment = datetime.now(UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


def generated_note_id() -> int:
    """Milliseconds since 1970 then 11 random bits: ordered by creation (so a list pages oldest
    first), unique unless two notes share both, and below 2**53 until the year 2109."""
    return (time.time_ns() // 1_000_000) << 11 | secrets.randbits(11)


def create(table: str, user: str, new: NewNote) -> dict | None:
    """The stored note; None when this user already has a note with the requested NoteId."""
    for _ in range(ID_ATTEMPTS):
        note_id = new.note_id or generated_note_id()
        stamp = now()
        item = {
            "UserId": {"S": user},
            "NoteId": {"N": str(note_id)},
            "Note": {"S": new.text},
            "Is_Incomplete": {"BOOL": new.incomplete},
            "CreatedAt": {"S": stamp},
            "UpdatedAt": {"S": stamp},
        }
        written = _conditional(
            "put_item",
            TableName=table,
            Item=item,
            ConditionExpression="attribute_not_exists(NoteId)",
        )
        if written is not None:
            return note(item)
        if new.note_id is not None:
            return None
    raise RuntimeError(f"{ID_ATTEMPTS} generated NoteIds in a row were already taken")


def list_page(table: str, user: str, limit: int, after: int | None) -> tuple:
    """Up to `limit` notes with NoteId above `after`, and the last NoteId read when DynamoDB says
    there may be more (it also says so when exactly `limit` remained: the next page is empty)."""
    request = {
        "TableName": table,
        "KeyConditionExpression": "UserId = :user",
        "ExpressionAttributeValues": {":user": {"S": user}},
        "Limit": limit,
    }
    if after is not None:
        request["ExclusiveStartKey"] = {"UserId": {"S": user}, "NoteId": {"N": str(after)}}
    page = aws_clients.client("dynamodb").query(**request)
    last = page.get("LastEvaluatedKey")
    return [note(item) for item in page["Items"]], int(last["NoteId"]["N"]) if last else None


def find(table: str, user: str, note_id: int) -> dict | None:
    items = (
        aws_clients.client("dynamodb")
        .query(
            TableName=table,
            KeyConditionExpression="UserId = :user AND NoteId = :id",
            ExpressionAttributeValues={":user": {"S": user}, ":id": {"N": str(note_id)}},
        )
        .get("Items")
    )
    return note(items[0]) if items else None


def update(table: str, user: str, note_id: int, changes: dict) -> dict | None:
    """The updated note; None when this user has no such note."""
    values = {**changes, "UpdatedAt": now()}
    serialized = {
        f":{name}": {"BOOL": value} if isinstance(value, bool) else {"S": value}
        for name, value in values.items()
    }
    result = _conditional(
        "update_item",
        TableName=table,
        Key=_key(user, note_id),
        UpdateExpression="SET " + ", ".join(f"#{name} = :{name}" for name in values),
        ExpressionAttributeNames={f"#{name}": name for name in values},
        ExpressionAttributeValues=serialized,
        ConditionExpression="attribute_exists(NoteId)",
        ReturnValues="ALL_NEW",
    )
    return note(result["Attributes"]) if result is not None else None


def delete(table: str, user: str, note_id: int) -> bool:
    """False when this user has no such note."""
    result = _conditional(
        "delete_item",
        TableName=table,
        Key=_key(user, note_id),
        ConditionExpression="attribute_exists(NoteId)",
    )
    return result is not None


def note(item: dict) -> dict:
    """The note as the API returns it: never the UserId."""
    return {
        "NoteId": int(item["NoteId"]["N"]),
        "Note": item["Note"]["S"],
        "Is_Incomplete": item.get("Is_Incomplete", {}).get("BOOL", False),
        "CreatedAt": item.get("CreatedAt", {}).get("S"),
        "UpdatedAt": item.get("UpdatedAt", {}).get("S"),
    }


def _key(user: str, note_id: int) -> dict:
    return {"UserId": {"S": user}, "NoteId": {"N": str(note_id)}}


def _conditional(operation: str, **request) -> dict | None:
    """The call's response; None when its condition failed (any other error is raised)."""
    try:
        return getattr(aws_clients.client("dynamodb"), operation)(**request)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
        return None
