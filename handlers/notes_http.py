"""HTTP for the notes API: reading an API Gateway REST proxy event (payload format 1.0) and building
the response Lambda hands back to it, with CORS headers for the allowed origins only."""

import base64
import binascii
import json

ALLOW_METHODS = "GET,POST,PUT,DELETE,OPTIONS"
ALLOW_HEADERS = "Authorization,Content-Type"
PREFLIGHT_MAX_AGE = "600"
# What json.loads returns, named as the caller wrote it.
_JSON_TYPES = {
    list: "an array",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}


class HttpError(Exception):
    """A request refused with a status and a message meant for the caller (no internal detail)."""

    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def bad_request(message: str) -> HttpError:
    return HttpError(400, message)


def parse_origins(value: str) -> frozenset:
    """The origins of ALLOWED_ORIGINS; a trailing slash is dropped, as no Origin header has one."""
    return frozenset(o.strip().rstrip("/") for o in value.split(",") if o.strip())


def header(event: dict, name: str) -> str | None:
    """A request header, whatever its case: API Gateway passes names as the client sent them, and
    HTTP/2 clients send them in lower case."""
    wanted = name.lower()
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == wanted:
            return value
    return None


def allowed_origin(event: dict, allowed: frozenset) -> str | None:
    """The request's Origin when it is one of the allowed ones (compared exactly), else None."""
    origin = header(event, "Origin")
    return origin if origin in allowed else None


def json_body(event: dict) -> dict:
    """The body as a JSON object: base64 decoded when API Gateway encoded it; duplicate keys and
    NaN/Infinity refused, since the gateway's model validator may read them differently."""
    raw = event.get("body")
    if raw is None or raw == "":
        raise bad_request("the body must be a JSON object; it is empty")
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError) as error:
            raise bad_request(
                f"the body is marked base64 but is not valid base64: {error}"
            ) from error
    try:
        value = json.loads(raw, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        raise bad_request(f"the body is not valid JSON: {_json_error(error)}") from error
    if not isinstance(value, dict):
        raise bad_request(f"the body must be a JSON object, not {_JSON_TYPES[type(value)]}")
    return value


def _json_error(error: Exception) -> str:
    """What was wrong, in the caller's terms (not Python's advice on integer limits)."""
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} at line {error.lineno} column {error.colno}"
    if isinstance(error, UnicodeDecodeError):
        return "it is not UTF-8 text"
    return "a number or nesting is too large"  # int() digit limit, or RecursionError


def _unique_keys(pairs: list) -> dict:
    found = {}
    for key, value in pairs:
        if key in found:
            raise bad_request(f"the body has the field {key} more than once")
        found[key] = value
    return found


def _no_constant(name: str):
    raise bad_request(f"the body is not valid JSON: {name} is not a JSON number")


def response(
    status: int, body=None, origin: str | None = None, headers: dict | None = None
) -> dict:
    """A proxy integration response. `Vary: Origin` always: whether the Allow-Origin header is
    present depends on the Origin, so a cache must not give one origin's answer to another."""
    out = {"Vary": "Origin", **(headers or {})}
    if origin:
        out["Access-Control-Allow-Origin"] = origin
    if body is None:
        return {"statusCode": status, "headers": out, "body": ""}
    out["Content-Type"] = "application/json"
    return {"statusCode": status, "headers": out, "body": json.dumps(body)}


def preflight(origin: str | None) -> dict:
    """204 to a CORS preflight; the permissions only for an allowed origin (others get none, and
    the browser blocks the request)."""
    if origin is None:
        return response(204)
    return response(
        204,
        origin=origin,
        headers={
            "Access-Control-Allow-Methods": ALLOW_METHODS,
            "Access-Control-Allow-Headers": ALLOW_HEADERS,
            "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
        },
    )
