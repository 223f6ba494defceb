"""IAM for every AWS call made with a function's role, as AWS would judge it.

While installed, each botocore client built with the credentials of a role session the sandbox
issued gets event hooks that, before the call leaves:
- work out what IAM authorizes for it (tools.sandbox.authorization: actions, resource ARNs,
  condition keys);
- evaluate that against the role's policies as they are in the emulator now, and against the
  bucket's or queue's own policy (tools.sandbox.policy_evaluator);
- on a deny, answer AccessDenied exactly as the service would, without sending the request;
- like S3, answer 403 rather than 404 for a missing object when the caller may not s3:ListBucket.
and record every decision, so a run shows which statement allowed each call. moto's own checks
still apply behind this (see tools.sandbox.moto_patches).

Injected faults (tools.sandbox.faults) are answered per attempt, before the request is sent, so
the SDK's own retries see them as they would see a throttled or failing AWS. The SDK's back-off
between attempts is recorded in `backoffs` rather than slept, so a test of six throttled attempts
does not wait out half a minute of jittered back-off; it is not added to the invocation's
duration either (a handler whose retries would outlast its timeout in AWS passes here).
"""

import contextlib
import datetime
import json
import threading
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import botocore.endpoint
import botocore.session
from botocore.awsrequest import AWSResponse

from tools.sandbox import authorization
from tools.sandbox.authorization import Call, Need, UnknownOperation
from tools.sandbox.policy_evaluator import Decision, Principal, Request, evaluate

if TYPE_CHECKING:
    from tools.sandbox.emulator import Emulator
    from tools.sandbox.faults import Faults

# The error code and HTTP status each service answers a denied request with (the JSON-protocol
# services answer 400; S3 and SQS 403).
_ACCESS_DENIED = {
    "dynamodb": ("AccessDeniedException", 400),
    "dynamodbstreams": ("AccessDeniedException", 400),
    "logs": ("AccessDeniedException", 400),
}
_OBJECT_READS = {"GetObject", "HeadObject", "GetObjectTagging"}


@dataclass(frozen=True)
class Identity:
    """A role session the sandbox issued (what Lambda does for each function)."""

    function: str
    role_name: str
    role_arn: str
    session_arn: str
    account: str

    @property
    def principal(self) -> Principal:
        return Principal("AWS", self.session_arn, role_arn=self.role_arn, account=self.account)


@dataclass
class CallRecord:
    identity: Identity
    service: str
    operation: str
    needs: list  # [(Need, Decision)]
    allowed: bool
    note: str = ""

    def describe(self) -> str:
        verdict = "allowed" if self.allowed else "DENIED"
        lines = [f"{self.identity.function}: {self.service}:{self.operation} {verdict}"]
        for need, decision in self.needs:
            by = ", ".join(ref.label for ref in decision.deciding) or decision.reason
            lines.append(f"    {need.action} on {need.resource}: {decision.reason} ({by})")
        if self.note:
            lines.append(f"    {self.note}")
        return "\n".join(lines)


@dataclass
class Guard:
    emulator: "Emulator"
    faults: "Faults | None" = None
    identities: dict = field(default_factory=dict)  # access key id -> Identity
    calls: list = field(default_factory=list)
    backoffs: list = field(default_factory=list)  # seconds the SDK would have slept, in order
    _streams_of_iterators: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- identities -----------------------------------------------------------------------
    def issue(self, function: str, role_arn: str, credentials: dict, session_arn: str) -> None:
        account = role_arn.split(":")[4]
        self.identities[credentials["aws_access_key_id"]] = Identity(
            function, role_arn.rsplit("/", 1)[-1], role_arn, session_arn, account
        )

    def calls_of(self, function: str) -> list:
        return [c for c in self.calls if c.identity.function == function]

    def denied(self) -> list:
        return [c for c in self.calls if not c.allowed]

    # --- installation ---------------------------------------------------------------------
    @contextlib.contextmanager
    def installed(self):
        """Hook every botocore client created meanwhile, in any thread (handlers build theirs)."""
        original = botocore.session.Session.create_client
        guard = self

        def create_client(session, service_name, *args, **kwargs):
            client = original(session, service_name, *args, **kwargs)
            credentials = client._request_signer._credentials
            identity = guard.identities.get(getattr(credentials, "access_key", None))
            if identity is not None:
                guard._hook(client, identity)
            return client

        # A monkeypatch: botocore passes the session positionally, whatever its parameter's name.
        botocore.session.Session.create_client = (  # pyright: ignore[reportAttributeAccessIssue]
            create_client
        )
        # botocore.endpoint sleeps only between attempts; operator clients never retry.
        real_time = botocore.endpoint.time
        botocore.endpoint.time = _RecordedSleep(real_time, self.backoffs)
        try:
            yield self
        finally:
            botocore.session.Session.create_client = original
            botocore.endpoint.time = real_time

    def _hook(self, client, identity: Identity) -> None:
        events = client.meta.events
        service = client.meta.service_model.service_name
        protocol = client.meta.service_model.protocol
        region = client.meta.region_name
        secure = (client.meta.endpoint_url or "").startswith("https:")

        def keep_parameters(params, context, **_):
            context["sandbox_parameters"] = dict(params)

        def authorize(model, context, **_):
            call = Call(
                service, model.name, context.get("sandbox_parameters", {}), region, identity.account
            )
            return self._authorize(call, identity, secure, model, context)

        def remember_iterators(model, parsed, context, **_):
            self._remember_iterators(model.name, context.get("sandbox_parameters", {}), parsed)

        def inject_faults(request, event_name, **_):
            # Per attempt, as the service would answer it: the SDK's retries see each one.
            operation = event_name.rsplit(".", 1)[-1]
            if not self.faults:
                return None
            params = request.context.get("sandbox_parameters", {})
            fault = self.faults.failure(
                identity.function, service, operation, params
            ) or self.faults.take_throttle(identity.function, service, operation)
            if fault is None:
                return None
            record = request.context.get("sandbox_record")
            if record is not None:
                record.note = f"injected fault: {fault.code}"
            return _fault_response(request, fault, protocol)

        events.register("provide-client-params", keep_parameters)
        events.register("before-call", authorize)
        events.register("after-call", remember_iterators)
        events.register("before-send", inject_faults)

    def judge_presigned(self, access_key: str, action: str, resource: str) -> bool:
        """A request made with a presigned URL is authorized as its signer's own call."""
        identity = self.identities.get(access_key)
        if identity is None:
            return access_key == self.emulator.operator_credentials.get("aws_access_key_id")
        region = self.emulator.region_of_bucket(resource.split(":::", 1)[1].split("/", 1)[0])
        operation = action.split(":", 1)[1]  # s3:GetObject: the GetObject the URL was signed for
        call = Call("s3", operation, {}, region, identity.account)
        need = Need(action, resource)
        # S3 decrypts an SSE-KMS object with the signer's permission on the key, as for its own call.
        needs = [need, *authorization.key_needs(call, [need], self.emulator.customer_key_of)]
        decisions = [(n, self._decide(n, identity, call, secure=True)) for n in needs]
        allowed = all(decision.allowed for _, decision in decisions)
        self.calls.append(
            CallRecord(identity, "s3", f"{operation} (presigned URL)", decisions, allowed)
        )
        return allowed

    # --- judging --------------------------------------------------------------------------
    def _authorize(self, call: Call, identity: Identity, secure: bool, model, context: dict):
        try:
            needs = authorization.needs(call, self._stream_of_iterator)
        except UnknownOperation as error:
            record = CallRecord(
                identity,
                call.service,
                call.operation,
                [],
                False,
                note=f"the sandbox cannot authorize {error}: denied",
            )
            self.calls.append(record)
            return _denied_response(call, identity, record.note, model)
        # What the service then asks of a customer managed key, with the caller's permission.
        needs = [*needs, *authorization.key_needs(call, needs, self.emulator.customer_key_of)]
        decisions = [(need, self._decide(need, identity, call, secure)) for need in needs]
        denied = [(need, d) for need, d in decisions if not d.allowed]
        record = CallRecord(identity, call.service, call.operation, decisions, not denied)
        self.calls.append(record)
        context["sandbox_record"] = record
        if denied:
            need, decision = denied[0]
            return _denied_response(
                call, identity, _denial_message(identity, need, decision), model
            )
        if call.service == "s3" and call.operation in _OBJECT_READS:
            return self._hide_missing_object(call, identity, secure, record, model)
        return None

    def _decide(self, need: Need, identity: Identity, call: Call, secure: bool) -> Decision:
        now = datetime.datetime.now(datetime.UTC)
        context = {
            "aws:SecureTransport": "true" if secure else "false",
            "aws:PrincipalArn": identity.role_arn,
            "aws:PrincipalAccount": identity.account,
            "aws:PrincipalType": "AssumedRole",
            "aws:RequestedRegion": call.region,
            "aws:CurrentTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "aws:EpochTime": str(int(now.timestamp())),
            **need.context,
        }
        request = Request(need.action, need.resource, identity.principal, context)
        if need.action.startswith("kms:"):
            return self._decide_key(request, identity)
        resource_policy = self.emulator.resource_policy(need.resource)
        return evaluate(
            request,
            self.emulator.role_policies(identity.role_name),
            resource_policy,
            resource_policy_name=f"policy of {need.resource}",
        )

    def _decide_key(self, request: Request, identity: Identity) -> Decision:
        return decide_key(
            request,
            identity.account,
            self.emulator.key_policy(request.resource),
            lambda: self.emulator.role_policies(identity.role_name),
        )

    def _hide_missing_object(self, call, identity, secure, record, model):
        """S3 answers 403, not 404, for a missing key when the caller may not list the bucket
        (so that access cannot be used to probe which keys exist)."""
        bucket = call.params.get("Bucket", "")
        if self.emulator.object_exists(
            call.region, bucket, call.params.get("Key", ""), call.params.get("VersionId")
        ):
            return None
        # Missing: whether the caller may list the bucket now decides the answer, so it is part
        # of how the call was judged.
        listing = Need("s3:ListBucket", f"arn:{call.partition}:s3:::{bucket}")
        decision = self._decide(listing, identity, call, secure)
        record.needs.append((listing, decision))
        if decision.allowed:
            return None
        record.allowed = False  # the caller gets AccessDenied: count it as a denial
        record.note = "object missing and no s3:ListBucket on its bucket: 403 instead of 404"
        return _denied_response(call, identity, "Access Denied", model)

    # --- DynamoDB Streams iterators -----------------------------------------------------------
    def _remember_iterators(self, operation: str, params: dict, parsed: dict) -> None:
        if operation == "GetShardIterator" and parsed.get("ShardIterator"):
            stream = params.get("StreamArn")
        elif operation == "GetRecords" and parsed.get("NextShardIterator"):
            stream = self._stream_of_iterator(params.get("ShardIterator"))
        else:
            return
        with self._lock:
            key = parsed.get("ShardIterator") or parsed.get("NextShardIterator")
            self._streams_of_iterators[key] = stream

    def _stream_of_iterator(self, iterator: str | None) -> str | None:
        with self._lock:
            return self._streams_of_iterators.get(iterator)


def decide_key(request: Request, account: str, key_policy: str, role_policies) -> Decision:
    """KMS's rule: the key policy decides. A statement allowing the account itself ("the
    account delegates to IAM") lets the caller's IAM policies (`role_policies()`) allow as well,
    and allows nothing by itself (AWS KMS Developer Guide, "Default key policy"); without one,
    IAM policies count for nothing and only statements naming the caller can allow."""
    policy = json.loads(key_policy)
    root = f"arn:{request.resource.split(':')[1]}:iam::{account}:root"
    # Does the key policy allow the account itself this request? Asked as the account.
    as_account = Request(request.action, request.resource, Principal("AWS", root), request.context)
    name = f"policy of key {request.resource}"
    delegated = evaluate(as_account, {}, policy, resource_policy_name=name).allowed
    return evaluate(
        request, role_policies() if delegated else {}, policy, resource_policy_name=name
    )


class _RecordedSleep:
    """Stands in for the `time` module in botocore.endpoint: sleeping is only recorded."""

    def __init__(self, real_time, record: list):
        self._real_time = real_time
        self._record = record

    def sleep(self, seconds: float) -> None:
        self._record.append(seconds)

    def __getattr__(self, name):
        return getattr(self._real_time, name)


def _denial_message(identity: Identity, need: Need, decision: Decision) -> str:
    # AWS's wording, which names the kind of policy that decided.
    if decision.reason.startswith("explicitly"):
        kinds = {ref.policy.startswith("policy of ") for ref in decision.deciding}
        where = "a resource-based policy" if kinds == {True} else "an identity-based policy"
        why = f"with an explicit deny in {where}"
    else:
        why = f"because no identity-based policy allows the {need.action} action"
    return (
        f"User: {identity.session_arn} is not authorized to perform: {need.action} "
        f"on resource: {need.resource} {why}"
    )


def _denied_response(call: Call, identity: Identity, message: str, model) -> tuple:
    code, status = _ACCESS_DENIED.get(call.service, ("AccessDenied", 403))
    if model.http.get("method") == "HEAD":
        code, message = "403", "Forbidden"  # a HEAD response has no body to say more
    return _error_response(call, status, code, message)


def _error_response(call: Call, status: int, code: str, message: str) -> tuple:
    """A response for botocore to raise as the service's error, the request never sent."""
    http = AWSResponse(f"https://{call.service}.sandbox/", status, {}, _Body(b""))
    parsed = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {
            "HTTPStatusCode": status,
            "RequestId": uuid.uuid4().hex.upper(),
            "HTTPHeaders": {},
        },
    }
    return http, parsed


class _Body(bytes):
    def stream(self, **_):
        yield bytes(self)


def _fault_response(request, fault, protocol: str) -> AWSResponse:
    """An error response in the service's protocol, which botocore parses (and retries) as it
    would the service's own."""
    request_id = uuid.uuid4().hex.upper()
    headers = {"x-amzn-RequestId": request_id, "x-amz-request-id": request_id}
    if protocol in ("json", "rest-json"):
        body = json.dumps({"__type": fault.code, "message": fault.message}).encode()
        headers["Content-Type"] = "application/x-amz-json-1.0"
        headers["x-amzn-ErrorType"] = fault.code
    elif protocol == "rest-xml":
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{fault.code}</Code>'
            f"<Message>{fault.message}</Message><RequestId>{request_id}</RequestId></Error>"
        ).encode()
    else:  # query, ec2
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{fault.code}</Code>"
            f"<Message>{fault.message}</Message></Error><RequestId>{request_id}</RequestId>"
            "</ErrorResponse>"
        ).encode()
    return AWSResponse(request.url, fault.status, headers, _Body(body))
