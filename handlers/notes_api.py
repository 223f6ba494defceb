"""Notes API (seed 003): every route of a REST API (API Gateway v1, Lambda proxy integration,
payload format 1.0) reaches this one function, CORS preflights included.

Environment: TABLE_NAME (partition UserId S, sort NoteId N); AUDIO_BUCKET; AUDIO_PREFIX (default
`audio/`); SPEECH_URL_EXPIRY_SECONDS (default 300); VOICE_ID (default Joanna); ALLOWED_ORIGINS
(comma-separated exact origins, e.g. `https://d123.cloudfront.net,http://localhost:8000`).

    OPTIONS  any resource            204, CORS permissions for an allowed Origin
    GET      /notes?limit&nextToken  200 {"notes": [...], "nextToken": str | null}
    POST     /notes                  201 note            (409 when the given NoteId exists)
    PUT      /notes/{noteId}         200 note            (404 when the caller has no such note)
    DELETE   /notes/{noteId}         204                 (404 likewise)
    POST     /notes/{noteId}/speech  200 {"url": presigned MP3 URL, "expiresIn": seconds}

The caller is the `sub` claim the Cognito authorizer put in the request context, never a field of
the request: the seed trusted a UserId in the body.

Errors: a client mistake is a 4xx with {"message"}. Anything else is logged with its traceback,
the route and both request ids, and answered 500 {"message", "requestId"} (503 when AWS throttled
us beyond boto3's own retries). This is the one place an exception becomes a response: API
Gateway does not retry a synchronous invocation, and an error raised out of the function reaches
the browser as a 502 without CORS headers, which the page could not even read.
"""

import logging
import os
from dataclasses import dataclass

from botocore.exceptions import ClientError

from handlers import notes_http, notes_input, notes_speech, notes_store
from handlers.notes_http import HttpError

logger = logging.getLogger(__name__)

# botocore's list of throttling error codes (botocore.retries.standard), which its standard
# retry mode has already retried by the time one reaches us.
THROTTLING = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)


@dataclass(frozen=True)
class Settings:
    table: str
    audio_bucket: str
    audio_prefix: str
    speech_url_expiry: int
    voice_id: str

    @classmethod
    def from_environment(cls) -> "Settings":
        return cls(
            table=os.environ["TABLE_NAME"],
            audio_bucket=os.environ["AUDIO_BUCKET"],
            audio_prefix=os.environ.get("AUDIO_PREFIX", "audio/"),
            speech_url_expiry=int(os.environ.get("SPEECH_URL_EXPIRY_SECONDS", "300")),
            voice_id=os.environ.get("VOICE_ID", "Joanna"),
        )


def handler(event, context):
    origin = notes_http.allowed_origin(
        event, notes_http.parse_origins(os.environ.get("ALLOWED_ORIGINS", ""))
    )
    if event.get("httpMethod") == "OPTIONS":
        return notes_http.preflight(origin)
    route = f"{event.get('httpMethod')} {event.get('resource')}"
    request_id = (event.get("requestContext") or {}).get("requestId")
    try:
        status, body = _dispatch(event)
    except HttpError as error:
        logger.info("%s -> %s %s (request %s)", route, error.status, error.message, request_id)
        return notes_http.response(error.status, {"message": error.message}, origin, error.headers)
    except Exception as error:  # noqa: BLE001 - logged and answered 500/503 (module docstring)
        return _failure(error, route, request_id, context, origin)
    return notes_http.response(status, body, origin)


def _dispatch(event: dict) -> tuple:
    user = _caller(event)
    # A missing resource or method is looked up as "", which no route has.
    methods = ROUTES.get(event.get("resource", ""))
    if methods is None:
        raise HttpError(404, f"no such resource: {event.get('path') or event.get('resource')}")
    action = methods.get(event.get("httpMethod", ""))
    if action is None:
        allowed = ", ".join(sorted([*methods, "OPTIONS"]))
        raise HttpError(
            405,
            f"{event.get('httpMethod')} is not allowed on {event['resource']}; allowed: {allowed}",
            {"Allow": allowed},
        )
    return action(event, user, Settings.from_environment())


def _caller(event: dict) -> str:
    """The Cognito user-pool authorizer's `sub` claim. API Gateway refuses a request without a
    valid token before calling us; checking again costs nothing if a method loses its authorizer."""
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    sub = (authorizer.get("claims") or {}).get("sub")
    if not isinstance(sub, str) or not sub:
        raise HttpError(401, "sign in first: the request carries no user identity")
    return sub


def _failure(error: Exception, route: str, request_id, context, origin) -> dict:
    lambda_request_id = getattr(context, "aws_request_id", None)
    if _throttled(error):
        logger.warning(
            "%s throttled by AWS (request %s, Lambda request %s)",
            route,
            request_id,
            lambda_request_id,
            exc_info=error,
        )
        body = {"message": "the service is busy: retry in a moment", "requestId": request_id}
        return notes_http.response(503, body, origin)
    logger.error(
        "%s failed (request %s, Lambda request %s)",
        route,
        request_id,
        lambda_request_id,
        exc_info=error,
    )
    return notes_http.response(500, {"message": "internal error", "requestId": request_id}, origin)


def _throttled(error: Exception) -> bool:
    if not isinstance(error, ClientError):
        return False
    code = error.response.get("Error", {}).get("Code")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code in THROTTLING or status == 429


def _not_found(note_id: int) -> HttpError:
    return HttpError(404, f"no note {note_id} among your notes")


def list_notes(event: dict, user: str, settings: Settings) -> tuple:
    query = event.get("queryStringParameters") or {}
    limit = notes_input.limit(query.get("limit"))
    token = query.get("nextToken")
    after = notes_input.decode_token(token) if token is not None else None
    notes, last = notes_store.list_page(settings.table, user, limit, after)
    next_token = notes_input.encode_token(last) if last is not None else None
    return 200, {"notes": notes, "nextToken": next_token}


def create_note(event: dict, user: str, settings: Settings) -> tuple:
    new = notes_input.new_note(notes_http.json_body(event))
    note = notes_store.create(settings.table, user, new)
    if note is None:
        raise HttpError(409, f"NoteId {new.note_id} is already one of your notes")
    return 201, note


def update_note(event: dict, user: str, settings: Settings) -> tuple:
    note_id = notes_input.path_note_id(event)
    changes = notes_input.changes(notes_http.json_body(event))
    note = notes_store.update(settings.table, user, note_id, changes)
    if note is None:
        raise _not_found(note_id)
    return 200, note


def delete_note(event: dict, user: str, settings: Settings) -> tuple:
    note_id = notes_input.path_note_id(event)
    if not notes_store.delete(settings.table, user, note_id):
        raise _not_found(note_id)
    return 204, None


def speak_note(event: dict, user: str, settings: Settings) -> tuple:
    note_id = notes_input.path_note_id(event)
    note = notes_store.find(settings.table, user, note_id)
    if note is None:
        raise _not_found(note_id)
    return 200, notes_speech.speak(note["Note"], user, note_id, settings)


ROUTES = {
    "/notes": {"GET": list_notes, "POST": create_note},
    "/notes/{noteId}": {"PUT": update_note, "DELETE": delete_note},
    "/notes/{noteId}/speech": {"POST": speak_note},
}
