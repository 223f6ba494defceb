"""A local stand-in for what the notes page talks to: Cognito's managed login and the notes API.

Four HTTP servers on 127.0.0.1, each on a free port, so every call the page makes crosses origins
exactly as in AWS (CORS and the CSP are exercised, not bypassed):

- site: site/ plus a generated config.js, sent with the CSP and security headers CloudFront adds
- auth: /oauth2/authorize (signs the next user in at once), /oauth2/token (checks PKCE), /logout
- api:  the notes routes of the contract under a stage path (/dev), in memory, per user
- s3:   the "presigned" audio URLs the speech route returns

It validates what the page sends the way the real services do (client_id, redirect_uri, S256
challenge, code_verifier, Authorization) and records anything wrong in `problems`, because a page
sending a bad request would otherwise only see an error page the test might not look at.

Run `python -m tests.site.standin` to try the page by hand.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import itertools
import json
import re
import secrets
import threading
import time
import uuid
import wave
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar, Self
from urllib.parse import parse_qs, urlencode, urlsplit

SITE_DIR = Path(__file__).resolve().parents[2] / "site"
STAGE = "/dev"
CLIENT_ID = "standin-client"
MAX_NOTE_ID = 2**53 - 1
VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")  # RFC 7636 section 4.1


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def silent_wav(seconds: float = 0.25, rate: int = 8000) -> bytes:
    """A short valid audio file (the real bucket holds MP3s; the page does not care)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\0\0" * int(seconds * rate))
    return buffer.getvalue()


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class Standin:
    def __init__(self, page_size: int = 3, user: str = "alice@example.com"):
        self.page_size = page_size  # the API's default `limit`; small so pagination shows
        self.user = user  # who "signs in" at /oauth2/authorize
        self.problems: list[str] = []  # invalid requests the page made
        self.calls: list[tuple[str, str, str]] = []  # (server, method, path)
        self._lock = threading.Lock()
        self._secret = secrets.token_bytes(16)
        self._audio = silent_wav()
        self._servers: dict[str, ThreadingHTTPServer] = {}
        self.reset()

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> Self:
        for role in ("site", "auth", "api", "s3"):
            handler = type(f"{role.title()}Handler", (_Handler,), {"standin": self, "role": role})
            server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self._servers[role] = server
        return self

    def stop(self) -> None:
        for server in self._servers.values():
            server.shutdown()
            server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def origin(self, role: str) -> str:
        return f"http://127.0.0.1:{self._servers[role].server_address[1]}"

    @property
    def site_url(self) -> str:
        return self.origin("site") + "/"

    @property
    def api_url(self) -> str:
        return self.origin("api") + STAGE

    def config(self) -> dict:
        return {
            "apiUrl": self.api_url,
            "cognitoDomain": self.origin("auth"),
            "clientId": CLIENT_ID,
            "redirectUri": self.site_url,
            "region": "us-east-1",
        }

    def csp(self) -> str:
        """The policy components/notes_api.py has CloudFront send, with this stand-in's origins,
        plus Trusted Types, which makes any string assigned to innerHTML & co. throw."""
        return "; ".join(
            [
                "default-src 'self'",
                "script-src 'self'",
                "style-src 'self'",
                "img-src 'self' data:",
                f"connect-src 'self' {self.origin('api')} {self.origin('auth')}",
                f"media-src {self.origin('s3')}",
                "object-src 'none'",
                "base-uri 'none'",
                "form-action 'none'",
                "frame-ancestors 'none'",
                "require-trusted-types-for 'script'",
            ]
        )

    # --- state ---------------------------------------------------------------------------------

    def reset(self) -> None:
        with self._lock:
            self.problems.clear()
            self.calls.clear()
            self._codes: dict[str, dict] = {}
            self._tokens: dict[str, str] = {}  # id_token -> sub
            self._notes: dict[str, dict[int, dict]] = {}  # sub -> NoteId -> note
            self._ids = itertools.count(1001)

    @staticmethod
    def sub_of(email: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_DNS, email))

    def add_notes(self, email: str, texts: list[str]) -> list[dict]:
        with self._lock:
            return [self._create(self.sub_of(email), {"Note": text}) for text in texts]

    def notes_of(self, email: str) -> list[dict]:
        with self._lock:
            notes = self._notes.get(self.sub_of(email), {})
            return [dict(notes[key]) for key in sorted(notes)]

    def delete_note(self, email: str, note_id: int) -> None:
        with self._lock:
            del self._notes[self.sub_of(email)][note_id]

    def revoke_tokens(self) -> None:
        """As if every ID token had expired: the API answers 401 from now on."""
        with self._lock:
            self._tokens.clear()

    def _problem(self, text: str) -> None:
        self.problems.append(text)

    # --- Cognito ---------------------------------------------------------------------------------

    def authorize(self, query: dict[str, str]) -> tuple[int, dict, bytes]:
        expected = {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": self.site_url,
            "code_challenge_method": "S256",
        }
        wrong = [key for key, value in expected.items() if query.get(key) != value]
        if "openid" not in query.get("scope", "").split():
            wrong.append("scope")
        challenge = query.get("code_challenge", "")
        if not re.fullmatch(r"[A-Za-z0-9_-]{43}", challenge):  # base64url of a SHA-256, no padding
            wrong.append("code_challenge")
        if not query.get("state"):
            wrong.append("state")
        if wrong:
            self._problem(f"authorize: bad {', '.join(wrong)}: {query}")
            return 400, {"Content-Type": "text/plain"}, b"invalid_request"
        code = secrets.token_urlsafe(16)
        with self._lock:
            self._codes[code] = {"challenge": challenge, "sub": self.sub_of(self.user)}
        target = f"{self.site_url}?{urlencode({'code': code, 'state': query['state']})}"
        return 302, {"Location": target}, b""

    def token(self, form: dict[str, str]) -> tuple[int, dict]:
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)  # codes are single use
        if form.get("grant_type") != "authorization_code" or form.get("client_id") != CLIENT_ID:
            self._problem(f"token: bad grant_type or client_id: {form}")
            return 400, {"error": "invalid_client"}
        if grant is None or form.get("redirect_uri") != self.site_url:
            self._problem(f"token: unknown code or wrong redirect_uri: {form}")
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "")
        digest = b64url(hashlib.sha256(verifier.encode()).digest())
        if not VERIFIER.fullmatch(verifier) or not hmac.compare_digest(digest, grant["challenge"]):
            self._problem("token: code_verifier does not match the code_challenge")
            return 400, {"error": "invalid_grant", "error_description": "PKCE check failed"}
        sub = grant["sub"]
        claims = {
            "sub": sub,
            "email": self.user,
            "aud": CLIENT_ID,
            "iss": self.origin("auth"),
            "token_use": "id",
            "exp": int(time.time()) + 3600,
        }
        # An unsigned JWT: the page only reads it; this stand-in knows its tokens by value.
        header = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
        id_token = f"{header}.{b64url(json.dumps(claims).encode())}.{secrets.token_hex(8)}"
        with self._lock:
            self._tokens[id_token] = sub
        return 200, {
            "id_token": id_token,
            "access_token": secrets.token_urlsafe(24),
            "token_type": "Bearer",
            "expires_in": 3600,
        }

    def logout(self, query: dict[str, str]) -> tuple[int, dict, bytes]:
        if query.get("client_id") != CLIENT_ID or query.get("logout_uri") != self.site_url:
            self._problem(f"logout: bad client_id or logout_uri: {query}")
            return 400, {"Content-Type": "text/plain"}, b"invalid_request"
        return 302, {"Location": query["logout_uri"]}, b""

    # --- notes API -------------------------------------------------------------------------------

    def api(self, method: str, path: str, query: dict, authorization: str | None, body: bytes):
        """(status, JSON body or None) for one API call; mirrors the contract's routes."""
        if not path.startswith(STAGE + "/"):
            raise ApiError(404, "Not Found")
        parts = path[len(STAGE) + 1 :].split("/")
        with self._lock:
            sub = self._tokens.get(authorization or "")
        if sub is None:  # what API Gateway's Cognito authorizer answers
            raise ApiError(401, "Unauthorized")
        with self._lock:
            notes = self._notes.setdefault(sub, {})
            if parts == ["notes"] and method == "GET":
                return 200, self._list(notes, query)
            if parts == ["notes"] and method == "POST":
                return 201, self._create(sub, self._json(body, {"Note", "NoteId", "Is_Incomplete"}))
            if len(parts) in (2, 3) and parts[0] == "notes":
                note_id = self._int(parts[1], "noteId", 1, MAX_NOTE_ID)
                note = notes.get(note_id)
                route = (method, parts[2] if len(parts) == 3 else None)
                if route not in {("PUT", None), ("DELETE", None), ("POST", "speech")}:
                    raise ApiError(405, f"{method} is not allowed on {path}")
                if note is None:
                    raise ApiError(404, f"note {note_id} not found")
                if route == ("PUT", None):
                    return 200, self._update(note, self._json(body, {"Note", "Is_Incomplete"}))
                if route == ("DELETE", None):
                    del notes[note_id]
                    return 204, None
                return 200, self._speech(sub, note_id)
        raise ApiError(404, f"no route {method} {path}")

    def _list(self, notes: dict[int, dict], query: dict) -> dict:
        limit = self._int(query.get("limit", str(self.page_size)), "limit", 1, 100)
        start = 0
        if "nextToken" in query:
            try:
                start = int(b64url_decode(query["nextToken"]).decode())
            except ValueError:
                raise ApiError(400, "nextToken is not one this API returned") from None
        page = [notes[key] for key in sorted(notes) if key > start][:limit]
        # Like DynamoDB: a full page has a LastEvaluatedKey even when nothing follows.
        token = b64url(str(page[-1]["NoteId"]).encode()) if len(page) == limit else None
        return {"notes": [dict(note) for note in page], "nextToken": token}

    def _create(self, sub: str, fields: dict) -> dict:
        if "Note" not in fields:
            raise ApiError(400, "Note is required: a non-empty string of at most 3000 characters")
        self._check(fields)
        notes = self._notes.setdefault(sub, {})
        note_id = fields.get("NoteId") or next(self._ids)
        if note_id in notes:
            raise ApiError(409, f"note {note_id} already exists")
        now = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        notes[note_id] = {
            "NoteId": note_id,
            "Note": fields["Note"],
            "Is_Incomplete": fields.get("Is_Incomplete", True),
            "CreatedAt": now,
            "UpdatedAt": now,
        }
        return dict(notes[note_id])

    def _update(self, note: dict, fields: dict) -> dict:
        if not fields:
            raise ApiError(400, "send at least one of Note, Is_Incomplete")
        self._check(fields)
        note.update(fields)
        note["UpdatedAt"] = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        return dict(note)

    def _speech(self, sub: str, note_id: int) -> dict:
        key = f"/audio/{sub}/{note_id}.wav"
        signature = hmac.new(self._secret, key.encode(), hashlib.sha256).hexdigest()
        return {"url": f"{self.origin('s3')}{key}?X-Amz-Signature={signature}", "expiresIn": 300}

    def audio(self, path: str, query: dict) -> bytes | None:
        expected = hmac.new(self._secret, path.encode(), hashlib.sha256).hexdigest()
        return (
            self._audio if hmac.compare_digest(query.get("X-Amz-Signature", ""), expected) else None
        )

    @staticmethod
    def _json(body: bytes, allowed: set[str]) -> dict:
        try:
            fields = json.loads(body or b"null")
        except ValueError:
            raise ApiError(400, "the body must be JSON") from None
        if not isinstance(fields, dict):
            raise ApiError(400, "the body must be a JSON object")
        if "UserId" in fields:
            raise ApiError(400, "UserId comes from the sign-in; do not send it")
        unknown = sorted(set(fields) - allowed)
        if unknown:
            raise ApiError(400, f"unknown fields {unknown}; accepted: {sorted(allowed)}")
        return fields

    @staticmethod
    def _check(fields: dict) -> None:
        note = fields.get("Note", "x")
        if not isinstance(note, str) or not note or len(note) > 3000:
            raise ApiError(400, "Note must be a non-empty string of at most 3000 characters")
        if not isinstance(fields.get("Is_Incomplete", True), bool):
            raise ApiError(400, "Is_Incomplete must be true or false")
        note_id = fields.get("NoteId", 1)
        if (
            isinstance(note_id, bool)
            or not isinstance(note_id, int)
            or not 0 < note_id <= MAX_NOTE_ID
        ):
            raise ApiError(400, f"NoteId must be an integer from 1 to {MAX_NOTE_ID}")

    @staticmethod
    def _int(text: str, name: str, low: int, high: int) -> int:
        if not re.fullmatch(r"\d{1,16}", text) or not low <= int(text) <= high:
            raise ApiError(400, f"{name} must be an integer from {low} to {high}")
        return int(text)


class _Handler(BaseHTTPRequestHandler):
    standin: Standin
    role: str
    STATIC: ClassVar[dict[str, tuple[str, str]]] = {
        "/": ("index.html", "text/html; charset=utf-8"),
        "/index.html": ("index.html", "text/html; charset=utf-8"),
        "/app.js": ("app.js", "text/javascript; charset=utf-8"),
        "/style.css": ("style.css", "text/css; charset=utf-8"),
    }

    def log_message(self, *args) -> None:  # quiet: pytest shows failures, not access logs
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body or status not in (204, 302):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, data, headers: dict | None = None) -> None:
        body = b"" if data is None else json.dumps(data).encode()
        extra = {"Content-Type": "application/json"} if data is not None else {}
        self._send(status, body, {**extra, **(headers or {})})

    def _cors(self) -> dict:
        """CORS headers for the page's origin only (the notes function echoes allowed origins)."""
        if self.headers.get("Origin") != self.standin.origin("site"):
            return {}
        return {"Access-Control-Allow-Origin": self.headers["Origin"], "Vary": "Origin"}

    def _handle(self) -> None:
        url = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.standin.calls.append((self.role, self.command, url.path))
        getattr(self, f"_{self.role}")(url.path, query, body)

    do_GET = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_HEAD = _handle

    def _site(self, path: str, query: dict, body: bytes) -> None:
        headers = {
            "Content-Security-Policy": self.standin.csp(),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "X-Frame-Options": "DENY",
            "Cache-Control": "no-store",
        }
        if path == "/config.js":
            text = f"window.NOTES_CONFIG = {json.dumps(self.standin.config(), indent=2)};\n"
            content = (text.encode(), "text/javascript; charset=utf-8")
        elif path in self.STATIC:
            name, kind = self.STATIC[path]
            content = ((SITE_DIR / name).read_bytes(), kind)
        else:  # a private bucket behind CloudFront answers 403 for anything else
            self._send(403, b"AccessDenied", {**headers, "Content-Type": "text/plain"})
            return
        self._send(200, content[0], {**headers, "Content-Type": content[1]})

    def _auth(self, path: str, query: dict, body: bytes) -> None:
        if path == "/oauth2/authorize" and self.command == "GET":
            self._send(*self._reorder(self.standin.authorize(query)))
        elif path == "/oauth2/token" and self.command == "POST":
            if not self.headers.get("Content-Type", "").startswith(
                "application/x-www-form-urlencoded"
            ):
                self.standin._problem("token: not form-encoded")
                self._json(400, {"error": "invalid_request"}, self._cors())
                return
            form = {key: values[0] for key, values in parse_qs(body.decode()).items()}
            status, data = self.standin.token(form)
            self._json(status, data, {**self._cors(), "Cache-Control": "no-store"})
        elif path == "/logout" and self.command == "GET":
            self._send(*self._reorder(self.standin.logout(query)))
        else:
            self.standin._problem(f"auth: unexpected {self.command} {path}")
            self._send(404, b"not found", {"Content-Type": "text/plain"})

    @staticmethod
    def _reorder(result: tuple[int, dict, bytes]) -> tuple[int, bytes, dict]:
        status, headers, body = result
        return status, body, headers

    def _api(self, path: str, query: dict, body: bytes) -> None:
        cors = self._cors()
        if self.command == "OPTIONS":  # the preflight, answered like the notes function does
            if cors:
                cors.update(
                    {
                        "Access-Control-Allow-Methods": "GET,POST,PUT,DELETE,OPTIONS",
                        "Access-Control-Allow-Headers": "Authorization,Content-Type",
                        "Access-Control-Max-Age": "600",
                    }
                )
            self._send(204, b"", cors)
            return
        try:
            status, data = self.standin.api(
                self.command, path, query, self.headers.get("Authorization"), body
            )
        except ApiError as error:
            status, data = error.status, {"message": str(error)}
        self._json(status, data, cors)

    def _s3(self, path: str, query: dict, body: bytes) -> None:
        audio = self.standin.audio(path, query) if self.command in ("GET", "HEAD") else None
        if audio is None:
            self._send(
                403, b"<Error><Code>AccessDenied</Code></Error>", {"Content-Type": "text/xml"}
            )
            return
        # Range support matters: media elements ask for byte ranges.
        headers = {"Content-Type": "audio/wav", "Accept-Ranges": "bytes"}
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        if match:
            first = int(match[1])
            last = int(match[2]) if match[2] else len(audio) - 1
            headers["Content-Range"] = f"bytes {first}-{last}/{len(audio)}"
            self._send(206, audio[first : last + 1], headers)
        else:
            self._send(200, audio, headers)


if __name__ == "__main__":
    with Standin(page_size=5) as standin:
        print(f"notes page: {standin.site_url}  (Ctrl-C stops)", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
