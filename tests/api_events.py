"""Events as API Gateway sends them to a Lambda proxy integration of a REST API (payload format
1.0), behind a Cognito user-pool authorizer, and a Lambda context to go with them.

Shape as documented for the proxy integration input and as captured from real APIs: a
user-pool authorizer passes the ID token's claims under requestContext.authorizer.claims, every
value a string (`email_verified: "true"`, `exp: "Thu Jan 01 01:00:00 UTC 2026"`); query string and
path parameters are null when there are none; `path` lacks the stage, requestContext.path has it.
A preflight (OPTIONS, authorization NONE) carries no token, so no authorizer context.
"""

import base64
import json
import uuid
from types import SimpleNamespace

ACCOUNT = "123456789012"
REGION = "us-east-1"
API_ID = "a1b2c3d4e5"
STAGE = "dev"
USER_POOL = f"{REGION}_Ab12Cd34E"
CLIENT_ID = "4p8r9e9b24t2u6u7i08gqcp1u0"
SITE = "https://d111111abcdef8.cloudfront.net"
LOCAL_SITE = "http://localhost:8000"
_OMIT = object()


def cognito_claims(sub: str, email: str) -> dict:
    """The ID token's claims as a REST API's Cognito authorizer passes them (all strings)."""
    return {
        "sub": sub,
        "email_verified": "true",
        "iss": f"https://cognito-idp.{REGION}.amazonaws.com/{USER_POOL}",
        "cognito:username": sub,  # email sign-in: the username is the sub, not the address
        "origin_jti": str(uuid.uuid5(uuid.NAMESPACE_URL, sub + "/origin")),
        "aud": CLIENT_ID,
        "event_id": str(uuid.uuid5(uuid.NAMESPACE_URL, sub + "/event")),
        "token_use": "id",
        "auth_time": "1767225600",
        "exp": "Thu Jan 01 01:00:00 UTC 2026",
        "iat": "Thu Jan 01 00:00:00 UTC 2026",
        "jti": str(uuid.uuid5(uuid.NAMESPACE_URL, sub + "/jti")),
        "email": email,
    }


def rest_event(
    method: str,
    resource: str,
    *,
    path_parameters: dict | None = None,
    query: dict | None = None,
    body=None,
    base64_body: bool = False,
    claims=_OMIT,
    origin: str | None = SITE,
    headers: dict | None = None,
    request_id: str | None = None,
) -> dict:
    """A proxy event for `method` on `resource` (e.g. "/notes/{noteId}").

    body: a dict/list is sent as JSON text, a str as is, None as null. claims: the authorizer's
    claims; by default none for OPTIONS and a user's otherwise (pass None for no authorizer)."""
    if claims is _OMIT:
        claims = None if method == "OPTIONS" else cognito_claims("unset-sub", "unset@example.com")
    path = resource
    for name, value in (path_parameters or {}).items():
        path = path.replace("{" + name + "}", value)
    text = body if isinstance(body, str) or body is None else json.dumps(body)
    if text is not None and base64_body:
        text = base64.b64encode(text.encode()).decode()
    all_headers = _headers(method, origin, claims is not None, text is not None, headers)
    request_id = request_id or str(uuid.uuid4())
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {name: [value] for name, value in all_headers.items()},
        "queryStringParameters": dict(query) if query else None,
        "multiValueQueryStringParameters": (
            {name: [value] for name, value in query.items()} if query else None
        ),
        "pathParameters": dict(path_parameters) if path_parameters else None,
        "stageVariables": None,
        "requestContext": _request_context(method, resource, path, claims, request_id),
        "body": text,
        "isBase64Encoded": base64_body and text is not None,
    }


def _headers(method, origin, signed_in, has_body, extra) -> dict:
    headers = {
        "Accept": "application/json",
        "Accept-Encoding": "gzip, deflate, br",
        "CloudFront-Forwarded-Proto": "https",
        "CloudFront-Is-Desktop-Viewer": "true",
        "CloudFront-Viewer-Country": "KR",
        "Host": f"{API_ID}.execute-api.{REGION}.amazonaws.com",
        "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/133.0",
        "Via": "2.0 0123456789abcdef0123456789abcdef.cloudfront.net (CloudFront)",
        "X-Amz-Cf-Id": "pn-PWIJc6thYnZm5P0NMgOUglL1DYtl0gdeJky8tqsg8iS_sgsKD1A==",
        "X-Amzn-Trace-Id": "Root=1-67891233-abcdef012345678912345678",
        "X-Forwarded-For": "203.0.113.7, 130.176.0.1",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
    }
    if origin is not None:
        headers["Origin"] = origin
        headers["Referer"] = origin + "/"
    if signed_in:
        headers["Authorization"] = "eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJzdWIiOiJ4In0.c2ln"
    if has_body:
        headers["Content-Type"] = "application/json"
    if method == "OPTIONS":
        headers["Access-Control-Request-Method"] = "POST"
        headers["Access-Control-Request-Headers"] = "authorization,content-type"
    headers.update(extra or {})
    return headers


def _request_context(method, resource, path, claims, request_id) -> dict:
    context = {
        "resourceId": "abc123",
        "resourcePath": resource,
        "httpMethod": method,
        "extendedRequestId": "Ab1CdEfGhIjKlMn=",
        "requestTime": "21/Nov/2026:10:15:30 +0000",
        "path": f"/{STAGE}{path}",
        "accountId": ACCOUNT,
        "protocol": "HTTP/1.1",
        "stage": STAGE,
        "domainPrefix": API_ID,
        "requestTimeEpoch": 1795256130000,
        "requestId": request_id,
        "identity": {
            "cognitoIdentityPoolId": None,
            "accountId": None,
            "cognitoIdentityId": None,
            "caller": None,
            "sourceIp": "203.0.113.7",
            "principalOrgId": None,
            "accessKey": None,
            "cognitoAuthenticationType": None,
            "cognitoAuthenticationProvider": None,
            "userArn": None,
            "userAgent": "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/133.0",
            "user": None,
        },
        "domainName": f"{API_ID}.execute-api.{REGION}.amazonaws.com",
        "apiId": API_ID,
    }
    if claims is not None:
        context["authorizer"] = {"claims": claims}
    return context


def lambda_context(function_name: str = "notes-api-fn-1a2b3c4") -> SimpleNamespace:
    """The attributes of the Lambda context object a handler may read."""
    return SimpleNamespace(
        function_name=function_name,
        function_version="$LATEST",
        invoked_function_arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function_name}",
        memory_limit_in_mb=256,
        aws_request_id=str(uuid.uuid4()),
        log_group_name=f"/aws/lambda/{function_name}",
        log_stream_name="2026/11/21/[$LATEST]0123456789abcdef0123456789abcdef",
        get_remaining_time_in_millis=lambda: 29_000,
    )
