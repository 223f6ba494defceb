"""Validation of what a notes API caller sends: bodies, the noteId path parameter, limit and
nextToken. API Gateway's models check bodies first, but the function never relies on that alone.
Every refusal is a 400 naming the field and what is accepted."""

import base64
import binascii
import re
from dataclasses import dataclass

from handlers.notes_http import bad_request

MAX_NOTE_ID = 2**53 - 1  # what a JavaScript number holds exactly
MAX_NOTE_LENGTH = 3000  # Polly's limit for plain text in one request
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
NEW_NOTE_FIELDS = ("Note", "NoteId", "Is_Incomplete")
UPDATE_FIELDS = ("Note", "Is_Incomplete")
# ASCII digits only (int() also reads other scripts' digits), short enough to bound int().
_DIGITS = re.compile(r"[0-9]{1,16}")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,24}={0,2}")

NOTE_RULE = f"a string of 1 to {MAX_NOTE_LENGTH} characters"
ID_RULE = f"an integer from 1 to {MAX_NOTE_ID}"


@dataclass(frozen=True)
class NewNote:
    text: str
    note_id: int | None  # None: the store picks one
    incomplete: bool


def new_note(body: dict) -> NewNote:
    _only(body, NEW_NOTE_FIELDS)
    if "Note" not in body:
        raise bad_request(f"Note is required: {NOTE_RULE}")
    return NewNote(
        text=_text(body["Note"]),
        note_id=_note_id(body["NoteId"], "NoteId") if "NoteId" in body else None,
        incomplete=_flag(body.get("Is_Incomplete", False)),
    )


def changes(body: dict) -> dict:
    """The attributes a PUT sets: Note, Is_Incomplete or both."""
    _only(body, UPDATE_FIELDS)
    if not body:
        raise bad_request("the body must set Note, Is_Incomplete or both")
    found = {}
    if "Note" in body:
        found["Note"] = _text(body["Note"])
    if "Is_Incomplete" in body:
        found["Is_Incomplete"] = _flag(body["Is_Incomplete"])
    return found


def path_note_id(event: dict) -> int:
    value = (event.get("pathParameters") or {}).get("noteId")
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):
        raise bad_request(f"noteId in the path must be {ID_RULE}")
    return _note_id(int(value), "noteId in the path")


def limit(value: str | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if not _DIGITS.fullmatch(value) or not 1 <= int(value) <= MAX_LIMIT:
        raise bad_request(f"limit must be an integer from 1 to {MAX_LIMIT}")
    return int(value)


def encode_token(note_id: int) -> str:
    """nextToken: base64url of the last NoteId returned. The UserId stays implicit, so a forged
    token can only move within the caller's own notes."""
    return base64.urlsafe_b64encode(str(note_id).encode()).decode().rstrip("=")


def decode_token(value: str) -> int:
    malformed = bad_request("nextToken is malformed: pass the nextToken of the previous page")
    if not _TOKEN.fullmatch(value):
        raise malformed
    digits = value.rstrip("=")
    try:
        decoded = base64.urlsafe_b64decode(digits + "=" * (-len(digits) % 4)).decode("ascii")
    except (binascii.Error, ValueError) as error:
        raise malformed from error
    if not _DIGITS.fullmatch(decoded) or not 1 <= int(decoded) <= MAX_NOTE_ID:
        raise malformed
    return int(decoded)


def _only(body: dict, accepted: tuple) -> None:
    if "UserId" in body:
        raise bad_request(
            "UserId must not be sent: a note belongs to the signed-in user, taken from the sign-in"
        )
    unknown = sorted(set(body) - set(accepted))
    if unknown:
        raise bad_request(
            f"unknown field(s): {', '.join(unknown)}; accepted: {', '.join(accepted)}"
        )


def _text(value) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_NOTE_LENGTH:
        raise bad_request(f"Note must be {NOTE_RULE}")
    try:
        value.encode("utf-8")  # JSON can carry lone surrogates; DynamoDB and Polly cannot
    except UnicodeEncodeError as error:
        raise bad_request(f"Note must be valid Unicode text: {error.reason}") from error
    return value


def _note_id(value, field: str) -> int:
    # bool is a subclass of int and 1.0 a float: neither is an integer here
    if type(value) is not int or not 1 <= value <= MAX_NOTE_ID:
        raise bad_request(f"{field} must be {ID_RULE}")
    return value


def _flag(value) -> bool:
    if type(value) is not bool:
        raise bad_request("Is_Incomplete must be true or false")
    return value
