"""handlers/notes_api.py with API Gateway REST proxy events, against moto in-process (mock_aws).

Clients come from handlers.aws_clients and are kept across tests (building one costs ~0.1 s);
one mock account serves the module, each test getting its own table and bucket. Polly goes
through botocore's Stubber.
"""

import base64
import io
import json
import logging
import re
import urllib.parse
from dataclasses import dataclass

import pytest
import requests
from botocore.response import StreamingBody
from botocore.stub import Stubber
from moto import mock_aws

from handlers import aws_clients, notes_api, notes_input, notes_speech
from tests.api_events import LOCAL_SITE, SITE, cognito_claims, lambda_context, rest_event

TABLE = "notes-table"
BUCKET = "notes-audio-bucket"
EXPIRY = 120
VOICE = "Seoyeon"
ALICE = "0f4e2a9c-1b3d-4e5f-8a7b-6c5d4e3f2a1b"
BOB = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
EVIL = "https://d111111abcdef8.cloudfront.net.evil.example"
ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
STAMPS = {
    "CreatedAt": {"S": "2026-11-21T10:15:30.000Z"},
    "UpdatedAt": {"S": "2026-11-21T10:15:30.000Z"},
}
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x64" + bytes(200)


@dataclass
class Reply:
    status: int
    headers: dict
    body: str

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def message(self) -> str:
        return self.json["message"]


class Api:
    """Calls the handler as API Gateway would, as one of the users."""

    in_handler = False  # lets a test tell the handler's AWS calls from its own checks

    def call(self, method, resource, user=ALICE, note_id=None, **options) -> Reply:
        if note_id is not None:
            options["path_parameters"] = {"noteId": str(note_id)}
        if user is not None and "claims" not in options and method != "OPTIONS":
            options["claims"] = cognito_claims(user, f"{user[:4]}@example.com")
        event = rest_event(method, resource, **options)
        Api.in_handler = True
        try:
            result = notes_api.handler(event, lambda_context())
        finally:
            Api.in_handler = False
        assert set(result) == {"statusCode", "headers", "body"}
        assert isinstance(result["body"], str)
        return Reply(result["statusCode"], result["headers"], result["body"])

    def create(self, body, user=ALICE, **options) -> Reply:
        return self.call("POST", "/notes", user, body=body, **options)

    def listing(self, user=ALICE, origin=SITE, **query) -> Reply:
        return self.call("GET", "/notes", user, query=query or None, origin=origin)

    def update(self, note_id, body, user=ALICE) -> Reply:
        return self.call("PUT", "/notes/{noteId}", user, note_id, body=body)

    def delete(self, note_id, user=ALICE) -> Reply:
        return self.call("DELETE", "/notes/{noteId}", user, note_id)

    def speak(self, note_id, user=ALICE) -> Reply:
        return self.call("POST", "/notes/{noteId}/speech", user, note_id)

    def all_notes(self, user=ALICE, limit=100) -> list:
        notes, token = [], None
        while True:
            page = self.listing(user, limit=str(limit), **({"nextToken": token} if token else {}))
            assert page.status == 200, page.body
            notes += page.json["notes"]
            token = page.json["nextToken"]
            if token is None:
                return notes


@pytest.fixture
def environment(monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # mock_aws serves AWS's own hosts
    for name, value in {
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "TABLE_NAME": TABLE,
        "AUDIO_BUCKET": BUCKET,
        "AUDIO_PREFIX": "audio/",
        "SPEECH_URL_EXPIRY_SECONDS": str(EXPIRY),
        "VOICE_ID": VOICE,
        "ALLOWED_ORIGINS": f"{SITE}, {LOCAL_SITE}",
    }.items():
        monkeypatch.setenv(name, value)


@pytest.fixture(scope="module")
def offline():
    """One mock account for the module: no request can leave the machine, and starting mock_aws
    for each case would cost more than the cases themselves."""
    with mock_aws():
        yield


@pytest.fixture
def api(environment, offline):
    """An empty notes table and audio bucket, removed after the test."""
    dynamodb, s3 = aws_clients.client("dynamodb"), aws_clients.client("s3")
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[
            {"AttributeName": "UserId", "KeyType": "HASH"},
            {"AttributeName": "NoteId", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "UserId", "AttributeType": "S"},
            {"AttributeName": "NoteId", "AttributeType": "N"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    s3.create_bucket(Bucket=BUCKET)
    yield Api()
    dynamodb.delete_table(TableName=TABLE)
    for obj in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        s3.delete_object(Bucket=BUCKET, Key=obj["Key"])
    s3.delete_bucket(Bucket=BUCKET)


@pytest.fixture
def refusals(environment, offline):
    """The handler with no table nor bucket, for requests refused before any AWS call (a request
    that got as far as DynamoDB would fail with 500). Cheaper than a fresh account per case."""
    return Api()


@pytest.fixture
def dynamodb_calls(environment, offline):
    """Names of the DynamoDB operations the handler calls during the test."""
    calls = []

    def record(model, **_):
        if Api.in_handler:
            calls.append(model.name)

    events = aws_clients.client("dynamodb").meta.events
    events.register("before-call.dynamodb", record, "rec")
    yield calls
    events.unregister("before-call.dynamodb", unique_id="rec")


def stored(user, note_id) -> dict | None:
    key = {"UserId": {"S": user}, "NoteId": {"N": str(note_id)}}
    return aws_clients.client("dynamodb").get_item(TableName=TABLE, Key=key).get("Item")


# --- create, list, update, delete ---------------------------------------------------------------


def test_round_trip_create_list_update_delete(api, dynamodb_calls):
    created = api.create({"Note": "장보기: 우유, 계란", "Is_Incomplete": True})
    assert created.status == 201, created.body
    assert created.headers["Content-Type"] == "application/json"
    note = created.json
    assert set(note) == {"NoteId", "Note", "Is_Incomplete", "CreatedAt", "UpdatedAt"}
    assert note["Note"] == "장보기: 우유, 계란" and note["Is_Incomplete"] is True
    assert 1 <= note["NoteId"] < 2**53
    assert ISO_UTC.fullmatch(note["CreatedAt"]) and note["UpdatedAt"] == note["CreatedAt"]
    assert stored(ALICE, note["NoteId"]) == {
        "UserId": {"S": ALICE},
        "NoteId": {"N": str(note["NoteId"])},
        "Note": {"S": "장보기: 우유, 계란"},
        "Is_Incomplete": {"BOOL": True},
        "CreatedAt": {"S": note["CreatedAt"]},
        "UpdatedAt": {"S": note["UpdatedAt"]},
    }

    assert api.listing().json == {"notes": [note], "nextToken": None}

    updated = api.update(note["NoteId"], {"Is_Incomplete": False})
    assert updated.status == 200, updated.body
    assert updated.json == {**note, "Is_Incomplete": False, "UpdatedAt": updated.json["UpdatedAt"]}
    assert updated.json["UpdatedAt"] >= note["CreatedAt"]
    assert api.update(note["NoteId"], {"Note": "done"}).json["Note"] == "done"

    deleted = api.delete(note["NoteId"])
    assert (deleted.status, deleted.body) == (204, "")
    assert "Content-Type" not in deleted.headers
    assert api.listing().json == {"notes": [], "nextToken": None}
    assert stored(ALICE, note["NoteId"]) is None
    assert "Scan" not in dynamodb_calls and "GetItem" not in dynamodb_calls


def test_a_given_note_id_is_kept_and_is_incomplete_defaults_to_false(api):
    reply = api.create({"Note": "x", "NoteId": 2**53 - 1})
    assert reply.status == 201
    assert (reply.json["NoteId"], reply.json["Is_Incomplete"]) == (2**53 - 1, False)
    assert api.create({"Note": "y" * 3000, "NoteId": 1}).status == 201  # both bounds accepted


def test_generated_note_ids_are_unique_and_follow_the_creation_time(api):
    ids = [api.create({"Note": f"n{i}"}).json["NoteId"] for i in range(30)]
    assert len(set(ids)) == 30 and all(1 <= i < 2**53 for i in ids)
    milliseconds = [i >> 11 for i in ids]  # the bits above the random ones
    assert milliseconds == sorted(milliseconds)
    assert [n["NoteId"] for n in api.all_notes()] == sorted(ids)


def test_a_taken_note_id_is_409_and_the_note_is_unchanged(api):
    first = api.create({"Note": "first", "NoteId": 7}).json
    reply = api.create({"Note": "second", "NoteId": 7, "Is_Incomplete": True})
    assert reply.status == 409 and "7" in reply.message
    assert api.all_notes() == [first]


def test_base64_encoded_bodies_are_decoded(api):
    reply = api.create({"Note": "메모 in base64", "NoteId": 3}, base64_body=True)
    assert reply.status == 201, reply.body
    assert reply.json["Note"] == "메모 in base64"
    updated = api.call("PUT", "/notes/{noteId}", note_id=3, body={"Note": "b"}, base64_body=True)
    assert updated.json["Note"] == "b"


@pytest.mark.parametrize(
    "body, expected",
    [
        ("%%%", "the body is marked base64 but is not valid base64"),
        (base64.b64encode(b'{"Note": "\xff"}').decode(), "not valid JSON: it is not UTF-8 text"),
    ],
    ids=["not base64", "not UTF-8"],
)
def test_a_bad_base64_body_is_400(refusals, body, expected):
    event = rest_event("POST", "/notes", body=body, claims=cognito_claims(ALICE, "a@example.com"))
    event["isBase64Encoded"] = True
    result = notes_api.handler(event, lambda_context())
    assert result["statusCode"] == 400 and expected in json.loads(result["body"])["message"]


def test_put_twice_gives_the_same_note_and_delete_twice_is_204_then_404(api):
    note = api.create({"Note": "draft", "Is_Incomplete": True}).json
    change = {"Note": "final", "Is_Incomplete": False}
    once, twice = api.update(note["NoteId"], change).json, api.update(note["NoteId"], change).json
    # Only the time of the last write moves: the note itself is the same.
    assert {**once, "UpdatedAt": None} == {**twice, "UpdatedAt": None}
    assert api.all_notes() == [twice]

    assert api.delete(note["NoteId"]).status == 204
    again = api.delete(note["NoteId"])
    assert again.status == 404 and str(note["NoteId"]) in again.message


def test_put_or_delete_of_a_note_that_never_existed_creates_nothing(api):
    assert api.update(42, {"Note": "ghost"}).status == 404
    assert api.delete(42).status == 404
    assert stored(ALICE, 42) is None


# --- pagination ---------------------------------------------------------------------------------


def test_25_notes_by_10_are_three_pages_without_gaps_or_duplicates(api, dynamodb_calls):
    mine = {api.create({"Note": f"note {i}"}).json["NoteId"] for i in range(25)}
    for i in range(5):  # another user's notes, interleaved, must never show up
        api.create({"Note": f"bob {i}"}, user=BOB)

    pages, token = [], None
    while True:
        page = api.listing(limit="10", **({"nextToken": token} if token else {}))
        assert page.status == 200, page.body
        pages.append([n["NoteId"] for n in page.json["notes"]])
        token = page.json["nextToken"]
        if token is None:
            break

    assert [len(p) for p in pages] == [10, 10, 5]
    seen = [i for p in pages for i in p]
    assert len(seen) == len(set(seen)) and set(seen) == mine
    assert seen == sorted(seen)
    assert set(dynamodb_calls) == {"PutItem", "Query"}  # never a Scan


def test_default_limit_is_20(api):
    for i in range(21):
        api.create({"Note": str(i), "NoteId": i + 1})
    page = api.listing().json
    assert len(page["notes"]) == 20
    assert notes_input.decode_token(page["nextToken"]) == 20


def test_a_last_evaluated_key_at_the_very_end_gives_one_empty_last_page(api):
    """DynamoDB returns a LastEvaluatedKey whenever it stops at Limit, even after the last item
    (moto does not, hence the Stubber): the caller then gets one empty page with no nextToken."""
    query = {
        "TableName": TABLE,
        "KeyConditionExpression": "UserId = :user",
        "ExpressionAttributeValues": {":user": {"S": ALICE}},
        "Limit": 2,
    }
    items = [
        {"UserId": {"S": ALICE}, "NoteId": {"N": str(i)}, "Note": {"S": "n"}, **STAMPS}
        for i in (1, 2)
    ]
    last_key = {"UserId": {"S": ALICE}, "NoteId": {"N": "2"}}
    with Stubber(aws_clients.client("dynamodb")) as dynamodb:
        dynamodb.add_response("query", {"Items": items, "LastEvaluatedKey": last_key}, query)
        dynamodb.add_response("query", {"Items": []}, {**query, "ExclusiveStartKey": last_key})
        first = api.listing(limit="2").json
        last = api.listing(limit="2", nextToken=first["nextToken"]).json
        dynamodb.assert_no_pending_responses()
    assert [n["NoteId"] for n in first["notes"]] == [1, 2]
    assert notes_input.decode_token(first["nextToken"]) == 2
    assert last == {"notes": [], "nextToken": None}


def test_a_forged_token_only_moves_within_the_callers_notes(api):
    for note_id in (5, 50, 500):
        api.create({"Note": "bob's", "NoteId": note_id}, user=BOB)
    for note_id in (1, 10, 100):
        api.create({"Note": "alice's", "NoteId": note_id})
    token = notes_input.encode_token(5)  # points into Bob's notes
    page = api.listing(nextToken=token).json
    assert [n["NoteId"] for n in page["notes"]] == [10, 100]
    assert all(n["Note"] == "alice's" for n in page["notes"])


@pytest.mark.parametrize("limit", ["0", "101", "-1", "abc", "", "1.5", "1e1", " 5", "٣", "9" * 40])
def test_a_bad_limit_is_400(refusals, limit):
    reply = refusals.listing(limit=limit)
    assert reply.status == 400 and reply.message.startswith(
        "limit must be an integer from 1 to 100"
    )


@pytest.mark.parametrize(
    "token",
    [
        "",
        "!!!",
        "abc",  # base64 of bytes that are not a number
        notes_input.encode_token(1).lower(),  # "mq": not the bytes of a number
        base64.urlsafe_b64encode(b"0").decode(),
        base64.urlsafe_b64encode(b"-5").decode(),
        base64.urlsafe_b64encode(b"1.5").decode(),
        base64.urlsafe_b64encode(str(2**53).encode()).decode(),
        "A" * 200,
    ],
)
def test_a_malformed_next_token_is_400(refusals, token):
    reply = refusals.listing(nextToken=token)
    assert reply.status == 400 and "nextToken" in reply.message


# --- validation ---------------------------------------------------------------------------------

BAD_BODIES = {
    "not JSON": ("{Note: 1}", "not valid JSON: Expecting property name enclosed in double"),
    "empty body": (None, "body must be a JSON object"),
    "array": ("[1, 2]", "body must be a JSON object, not an array"),
    "string": ('"hello"', "body must be a JSON object, not a string"),
    "null": ("null", "body must be a JSON object, not null"),
    "boolean": ("true", "body must be a JSON object, not a boolean"),
    "number": ("1.5", "body must be a JSON object, not a number"),
    "duplicate field": ('{"Note": "a", "Note": "b"}', "Note more than once"),
    "NaN": ('{"Note": "a", "NoteId": NaN}', "NaN"),
    "huge number": ('{"Note": "a", "NoteId": 1' + "0" * 5000 + "}", "number or nesting is too"),
    "deep nesting": ('{"Note": ' + "[" * 100_000 + "]" * 100_000 + "}", "number or nesting is too"),
    "no Note": ({"Is_Incomplete": True}, "Note is required"),
    "empty Note": ({"Note": ""}, "Note must be a string of 1 to 3000"),
    "Note not a string": ({"Note": 5}, "Note must be a string"),
    "Note null": ({"Note": None}, "Note must be a string"),
    "Note too long": ({"Note": "x" * 3001}, "Note must be a string of 1 to 3000 characters"),
    "lone surrogate": ('{"Note": "\\ud800"}', "Note must be valid Unicode"),
    "unknown field": ({"Note": "a", "Color": "red"}, "unknown field(s): Color"),
    "UserId": ({"Note": "a", "UserId": BOB}, "UserId must not be sent"),
    "NoteId 0": (
        {"Note": "a", "NoteId": 0},
        "NoteId must be an integer from 1 to 9007199254740991",
    ),
    "NoteId -1": ({"Note": "a", "NoteId": -1}, "NoteId must be an integer"),
    "NoteId 2**53": ({"Note": "a", "NoteId": 2**53}, "NoteId must be an integer"),
    "NoteId text": ({"Note": "a", "NoteId": "abc"}, "NoteId must be an integer"),
    "NoteId numeric text": ({"Note": "a", "NoteId": "5"}, "NoteId must be an integer"),
    "NoteId true": ({"Note": "a", "NoteId": True}, "NoteId must be an integer"),
    "NoteId 1.5": ({"Note": "a", "NoteId": 1.5}, "NoteId must be an integer"),
    "NoteId 1.0": ({"Note": "a", "NoteId": 1.0}, "NoteId must be an integer"),
    "NoteId null": ({"Note": "a", "NoteId": None}, "NoteId must be an integer"),
    "Is_Incomplete text": ({"Note": "a", "Is_Incomplete": "yes"}, "Is_Incomplete must be true"),
    "Is_Incomplete 1": ({"Note": "a", "Is_Incomplete": 1}, "Is_Incomplete must be true or false"),
}


@pytest.mark.parametrize("body, expected", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_a_bad_new_note_is_400_naming_the_field(refusals, dynamodb_calls, body, expected):
    reply = refusals.create(body)
    assert reply.status == 400, reply.body
    assert expected in reply.message
    assert dynamodb_calls == []


BAD_UPDATES = {
    "empty object": ({}, "must set Note, Is_Incomplete or both"),
    "NoteId in body": ({"NoteId": 5}, "unknown field(s): NoteId; accepted: Note, Is_Incomplete"),
    "UserId": ({"Note": "a", "UserId": ALICE}, "UserId must not be sent"),
    "Note too long": ({"Note": "x" * 3001}, "Note must be a string of 1 to 3000 characters"),
    "Is_Incomplete null": ({"Is_Incomplete": None}, "Is_Incomplete must be true or false"),
    "not an object": ("[]", "body must be a JSON object"),
}


@pytest.mark.parametrize("body, expected", BAD_UPDATES.values(), ids=BAD_UPDATES.keys())
def test_a_bad_update_is_400_and_changes_nothing(api, body, expected):
    note = api.create({"Note": "keep", "NoteId": 5}).json
    reply = api.update(5, body)
    assert reply.status == 400 and expected in reply.message
    assert api.all_notes() == [note]


@pytest.mark.parametrize("note_id", ["0", "-1", "abc", str(2**53), "1.5", "", "1e3", "9" * 5000])
@pytest.mark.parametrize("method", ["PUT", "DELETE", "POST"])
def test_a_bad_note_id_in_the_path_is_400(refusals, dynamodb_calls, method, note_id):
    resource = "/notes/{noteId}/speech" if method == "POST" else "/notes/{noteId}"
    reply = refusals.call(method, resource, note_id=note_id, body={"Note": "a"})
    assert reply.status == 400
    assert reply.message == "noteId in the path must be an integer from 1 to 9007199254740991"
    assert dynamodb_calls == []


# --- users see only their own notes ---------------------------------------------------------------


def test_another_users_note_is_404_and_never_listed(api):
    bobs = api.create({"Note": "bob's secret", "NoteId": 77, "Is_Incomplete": True}, user=BOB).json

    with Stubber(aws_clients.client("polly")):  # no response stubbed: Polly must not be called
        for reply in (
            api.update(77, {"Note": "hijacked"}),
            api.delete(77),
            api.speak(77),
        ):
            assert reply.status == 404 and "77" in reply.message
    assert api.all_notes() == []
    assert api.all_notes(user=BOB) == [bobs]

    # The same NoteId is free for Alice: ids are per user.
    assert api.create({"Note": "alice's", "NoteId": 77}).status == 201
    assert api.all_notes(user=BOB) == [bobs]


# --- identity ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "claims",
    [None, {}, {"email": "a@example.com", "token_use": "id"}, {"sub": ""}],
    ids=["no authorizer", "no claims", "no sub", "empty sub"],
)
def test_a_request_without_a_user_is_401(refusals, dynamodb_calls, claims):
    reply = refusals.call("GET", "/notes", user=None, claims=claims)
    assert reply.status == 401 and reply.message
    assert reply.headers["Access-Control-Allow-Origin"] == SITE  # the page can read it
    assert dynamodb_calls == []


def test_an_authorizer_context_without_claims_is_401(refusals):
    event = rest_event("GET", "/notes", claims=None)
    event["requestContext"]["authorizer"] = {"claims": None, "scopes": None}
    assert notes_api.handler(event, lambda_context())["statusCode"] == 401


# --- routing ----------------------------------------------------------------------------------


def test_unknown_resources_are_404_and_unknown_methods_405(refusals):
    assert refusals.call("GET", "/users").status == 404
    reply = refusals.call("GET", "/notes/{noteId}", note_id=5)
    assert reply.status == 405
    assert reply.headers["Allow"] == "DELETE, OPTIONS, PUT"
    assert "GET" in reply.message and "DELETE, OPTIONS, PUT" in reply.message
    assert refusals.call("PATCH", "/notes").status == 405


# --- CORS -------------------------------------------------------------------------------------


@pytest.mark.parametrize("origin", [SITE, LOCAL_SITE])
@pytest.mark.parametrize("header", ["Origin", "origin"])
def test_a_preflight_from_an_allowed_origin_gets_the_permissions(refusals, origin, header):
    reply = refusals.call(
        "OPTIONS", "/notes/{noteId}", note_id=3, origin=None, headers={header: origin}
    )
    assert (reply.status, reply.body) == (204, "")
    assert reply.headers == {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": "GET,POST,PUT,DELETE,OPTIONS",
        "Access-Control-Allow-Headers": "Authorization,Content-Type",
        "Access-Control-Max-Age": "600",
        "Vary": "Origin",
    }


@pytest.mark.parametrize("origin", [EVIL, "null", "https://evil.example", SITE + "/", None])
def test_a_preflight_from_another_origin_gets_no_permissions(refusals, origin):
    reply = refusals.call("OPTIONS", "/notes", origin=origin)
    assert (reply.status, reply.body) == (204, "")
    assert not any(name.startswith("Access-Control-") for name in reply.headers)


def test_responses_carry_cors_headers_for_allowed_origins_only(api):
    created = api.create({"Note": "a"}, origin=LOCAL_SITE)
    assert created.headers["Access-Control-Allow-Origin"] == LOCAL_SITE
    assert created.headers["Vary"] == "Origin"
    for reply in (
        api.listing(),
        api.create({"Note": ""}),  # 400
        api.delete(999),  # 404
        api.call("GET", "/notes", user=None, claims=None),  # 401
    ):
        assert reply.headers["Access-Control-Allow-Origin"] == SITE, reply.body
    for origin in (EVIL, None):
        for reply in (api.listing(origin=origin), api.create({"Note": ""}, origin=origin)):
            assert "Access-Control-Allow-Origin" not in reply.headers
            assert reply.headers["Vary"] == "Origin"  # a cache must not reuse it for SITE


# --- failures that are not the caller's --------------------------------------------------------


def test_an_unexpected_aws_error_is_500_with_the_request_id_and_a_logged_traceback(
    api, monkeypatch, caplog
):
    monkeypatch.setenv("TABLE_NAME", "no-such-table")
    event = rest_event("GET", "/notes", claims=cognito_claims(ALICE, "a@example.com"))
    context = lambda_context()
    with caplog.at_level(logging.INFO, logger="handlers.notes_api"):
        result = notes_api.handler(event, context)

    request_id = event["requestContext"]["requestId"]
    assert result["statusCode"] == 500
    assert json.loads(result["body"]) == {"message": "internal error", "requestId": request_id}
    assert result["headers"]["Access-Control-Allow-Origin"] == SITE
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    message = record.getMessage()
    assert "GET /notes" in message and request_id in message and context.aws_request_id in message
    assert record.exc_info and "ResourceNotFoundException" in caplog.text  # the traceback
    assert "no-such-table" not in result["body"]  # internals stay in the log


def test_throttling_after_boto3s_retries_is_503(api, caplog):
    with Stubber(aws_clients.client("dynamodb")) as dynamodb:
        dynamodb.add_client_error(
            "query", "ProvisionedThroughputExceededException", "Rate exceeded", 400
        )
        with caplog.at_level(logging.WARNING, logger="handlers.notes_api"):
            reply = api.listing()
    assert reply.status == 503
    assert reply.json["requestId"] and "retry" in reply.message
    assert reply.headers["Access-Control-Allow-Origin"] == SITE
    assert "GET /notes throttled" in caplog.text and "ProvisionedThroughputExceeded" in caplog.text


def test_a_misconfigured_stack_is_500_too(api, monkeypatch, caplog):
    monkeypatch.setenv("SPEECH_URL_EXPIRY_SECONDS", "five minutes")  # not a number
    with caplog.at_level(logging.ERROR, logger="handlers.notes_api"):
        reply = api.listing()
    assert reply.status == 500 and reply.json["requestId"]
    assert "ValueError" in caplog.text


# --- speech -----------------------------------------------------------------------------------


def polly_returns(stub: Stubber, text: str, audio: bytes = MP3) -> None:
    stub.add_response(
        "synthesize_speech",
        {
            "AudioStream": StreamingBody(io.BytesIO(audio), len(audio)),
            "ContentType": "audio/mpeg",
            "RequestCharacters": len(text),
        },
        expected_params={"Text": text, "OutputFormat": "mp3", "VoiceId": VOICE},
    )


def test_speech_puts_the_mp3_under_the_user_and_returns_a_presigned_url(api, dynamodb_calls):
    text = "안녕하세요. Remember the milk."
    note = api.create({"Note": text, "NoteId": 12}).json
    with Stubber(aws_clients.client("polly")) as polly:
        polly_returns(polly, text)
        reply = api.speak(note["NoteId"])
        polly.assert_no_pending_responses()

    assert reply.status == 200, reply.body
    assert reply.json["expiresIn"] == EXPIRY
    key = f"audio/{ALICE}/12.mp3"
    s3 = aws_clients.client("s3")
    obj = s3.get_object(Bucket=BUCKET, Key=key)
    assert obj["ContentType"] == "audio/mpeg" and obj["Body"].read() == MP3

    url = urllib.parse.urlsplit(reply.json["url"])
    query = urllib.parse.parse_qs(url.query)
    assert (url.scheme, url.netloc, url.path) == ("https", f"{BUCKET}.s3.amazonaws.com", "/" + key)
    assert query["X-Amz-Expires"] == [str(EXPIRY)]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert "/us-east-1/s3/aws4_request" in query["X-Amz-Credential"][0]
    assert query["X-Amz-SignedHeaders"] == ["host"]
    assert "Query" in dynamodb_calls and "GetItem" not in dynamodb_calls

    # mock_aws also answers `requests` for AWS hosts: the URL fetches the MP3, the bare one not.
    fetched = requests.get(reply.json["url"], timeout=5)
    assert fetched.status_code == 200 and fetched.content == MP3
    assert fetched.headers["Content-Type"] == "audio/mpeg"
    assert requests.get(reply.json["url"].split("?")[0], timeout=5).status_code == 403


def test_speech_defaults_joanna_audio_prefix_and_300_seconds(api, monkeypatch):
    for name in ("VOICE_ID", "AUDIO_PREFIX", "SPEECH_URL_EXPIRY_SECONDS"):
        monkeypatch.delenv(name)
    api.create({"Note": "hello", "NoteId": 4})
    with Stubber(aws_clients.client("polly")) as polly:
        polly.add_response(
            "synthesize_speech",
            {"AudioStream": StreamingBody(io.BytesIO(MP3), len(MP3))},
            expected_params={"Text": "hello", "OutputFormat": "mp3", "VoiceId": "Joanna"},
        )
        reply = api.speak(4)
    assert reply.json["expiresIn"] == 300
    assert (
        f"/audio/{ALICE}/4.mp3?" in reply.json["url"] and "X-Amz-Expires=300&" in reply.json["url"]
    )


def test_speech_of_a_changed_note_replaces_the_mp3(api):
    api.create({"Note": "one", "NoteId": 1})
    with Stubber(aws_clients.client("polly")) as polly:
        polly_returns(polly, "one", b"first")
        polly_returns(polly, "two", b"second")
        assert api.speak(1).status == 200
        api.update(1, {"Note": "two"})
        assert api.speak(1).status == 200
    body = aws_clients.client("s3").get_object(Bucket=BUCKET, Key=f"audio/{ALICE}/1.mp3")["Body"]
    assert body.read() == b"second"


def test_a_polly_failure_is_500_and_stores_nothing(api, caplog):
    api.create({"Note": "x", "NoteId": 1})
    with Stubber(aws_clients.client("polly")) as polly:
        polly.add_client_error("synthesize_speech", "ServiceFailureException", "boom", 500)
        with caplog.at_level(logging.ERROR, logger="handlers.notes_api"):
            reply = api.speak(1)
    assert reply.status == 500
    assert "POST /notes/{noteId}/speech failed" in caplog.text
    assert aws_clients.client("s3").list_objects_v2(Bucket=BUCKET)["KeyCount"] == 0


@pytest.mark.parametrize(
    "region, endpoint, expected",
    [
        ("eu-west-1", None, f"https://{BUCKET}.s3.eu-west-1.amazonaws.com/audio/u/1.mp3"),
        ("us-east-1", "https://127.0.0.1:4566", f"https://127.0.0.1:4566/{BUCKET}/audio/u/1.mp3"),
    ],
    ids=["regional host", "emulator path-style"],
)
def test_presigned_urls_use_sigv4_and_the_buckets_own_host(
    environment, monkeypatch, region, endpoint, expected
):
    monkeypatch.setenv("AWS_REGION", region)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    if endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    url = notes_speech.presigned_get(BUCKET, "audio/u/1.mp3", 60)  # signing makes no request
    assert url.split("?")[0] == expected
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["60"]
    assert f"/{region}/s3/aws4_request" in query["X-Amz-Credential"][0]
