"""One Lambda function, run in this process as Lambda's Python runtime would run it.

The code is the deployment archive the program built (the function's `code`), unpacked to a
directory of its own and imported from there alone: a module the archive lacks fails to import
here as it would in Lambda. Each function keeps its own copy of the modules (another function's
`handlers` package is swapped out of sys.modules while it runs), and, like a warm execution
environment, keeps them between invocations.

An invocation runs with the function's environment variables plus what Lambda sets (region,
function name, log group) and the credentials of the function's role session, with the emulator as
endpoint. Log records go to the function's log group, written with the role's credentials as
Lambda's runtime does, in the configured format (JSON or text) and level. Differences that remain:
CPython 3.11 here rather than Lambda's python3.13, no memory limit, and a timeout found only after
the handler returns (a thread cannot be stopped): it then counts as "Task timed out".
"""

import contextlib
import datetime
import importlib
import io
import json
import logging
import os
import sys
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from botocore.exceptions import ClientError

_EMULATOR_LOGGERS = ("moto", "werkzeug")  # the emulator shares this process, not the function's log
_LEVELS = {"TRACE": 5, "DEBUG": 10, "INFO": 20, "WARN": 30, "ERROR": 40, "FATAL": 50}


@dataclass
class Invocation:
    function: str
    request_id: str
    event: dict
    ok: bool
    result: object = None  # what the handler returned
    error: dict | None = None  # Lambda's error payload: errorMessage, errorType, stackTrace
    duration_ms: float = 0.0
    log: list = field(default_factory=list)  # the lines written to the log group
    log_delivery: str = "delivered"  # or why the role could not write them
    trace_delivery: str | None = None  # with active tracing: "delivered", or why not


class LambdaContext:
    """The `context` argument Lambda passes."""

    def __init__(self, function, request_id: str, log_stream: str, deadline: float):
        self.function_name = function.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = function.arn
        self.memory_limit_in_mb = str(function.memory)
        self.aws_request_id = request_id
        self.log_group_name = function.log_group
        self.log_stream_name = log_stream
        self.identity = None
        self.client_context = None
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class FunctionRuntime:
    def __init__(self, spec, workdir: Path, emulator, region: str, credentials: dict):
        self.spec = spec
        self.emulator = emulator
        self.region = region
        self.credentials = credentials
        self.code_dir = workdir / "functions" / spec.name
        self._unpack()
        self._empty_file = workdir / "empty-aws-config"
        self._empty_file.touch()
        self._top_level = {p.parts[0].removesuffix(".py") for p in self._files()}
        self._modules: dict = {}
        self._handler = None
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y/%m/%d")
        self.log_stream = f"{stamp}/[$LATEST]{uuid.uuid4().hex}"
        self._log_stream_created = False
        self.trace_deliveries: list = []  # with active tracing: each invocation's, in order

    # --- code -------------------------------------------------------------------------------
    def _unpack(self) -> None:
        for path, asset in self.spec.code.assets.items():
            target = self.code_dir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            if hasattr(asset, "text"):
                target.write_text(asset.text, encoding="utf-8")
            elif hasattr(asset, "path"):
                target.write_bytes(Path(asset.path).read_bytes())
            else:
                raise TypeError(f"{self.spec.name}: archive entry {path} is not a file asset")

    def _files(self) -> list:
        return [p.relative_to(self.code_dir) for p in self.code_dir.rglob("*.py")]

    @contextlib.contextmanager
    def _own_modules(self):
        """sys.modules as this function's code sees it: its own copies of its top-level names."""

        def ours(name: str) -> bool:
            return name.split(".")[0] in self._top_level

        stashed = {name: module for name, module in sys.modules.items() if ours(name)}
        for name in stashed:
            del sys.modules[name]
        sys.modules.update(self._modules)
        sys.path.insert(0, str(self.code_dir))
        importlib.invalidate_caches()
        try:
            yield
        finally:
            sys.path.remove(str(self.code_dir))
            self._modules = {name: m for name, m in sys.modules.items() if ours(name)}
            for name in self._modules:
                del sys.modules[name]
            sys.modules.update(stashed)

    def _load_handler(self):
        module_name, _, attribute = self.spec.handler.rpartition(".")
        module = importlib.import_module(module_name)
        return getattr(module, attribute)

    # --- invocation ---------------------------------------------------------------------------
    def invoke(self, event: dict) -> Invocation:
        request_id = str(uuid.uuid4())
        capture = _LogCapture(self.spec, request_id)
        invocation = Invocation(self.spec.name, request_id, event, ok=True)
        started_at = time.time()
        started = time.monotonic()
        context = LambdaContext(self.spec, request_id, self.log_stream, started + self.spec.timeout)
        with self._environment(), self._own_modules(), capture.installed():
            try:
                if self._handler is None:
                    self._handler = self._load_handler()  # the "init phase", once per environment
                result = self._handler(event, context)
                json.dumps(result)  # Lambda serializes the result; what cannot be is an error
                invocation.result = result
            except Exception as error:  # noqa: BLE001 - any exception is the function's error
                invocation.ok = False
                invocation.error = _error_payload(error, request_id)
                capture.error(invocation.error)
        invocation.duration_ms = (time.monotonic() - started) * 1000
        if invocation.ok and invocation.duration_ms > self.spec.timeout * 1000:
            invocation.ok = False
            invocation.error = {
                "errorMessage": f"Task timed out after {self.spec.timeout:.2f} seconds",
                "errorType": "Sandbox.Timeout",
            }
            capture.error(invocation.error)
        invocation.log = capture.lines
        invocation.log_delivery = self._ship_logs(capture.events)
        if self.spec.tracing:
            invocation.trace_delivery = self._ship_trace(request_id, started_at, invocation.ok)
            self.trace_deliveries.append(invocation.trace_delivery)
        return invocation

    @contextlib.contextmanager
    def _environment(self):
        saved = dict(os.environ)
        # No AWS setting of the developer's reaches the handler (a profile, a per-service
        # endpoint, FIPS endpoints, ...): every AWS_* variable goes, and the SDK's config and
        # credentials files are empty ones, as in Lambda.
        for name in [n for n in os.environ if n.startswith("AWS_")]:
            os.environ.pop(name)
        os.environ.update(self.spec.environment)
        os.environ.update(
            {
                "AWS_REGION": self.region,
                "AWS_DEFAULT_REGION": self.region,
                "AWS_ACCESS_KEY_ID": self.credentials["aws_access_key_id"],
                "AWS_SECRET_ACCESS_KEY": self.credentials["aws_secret_access_key"],
                "AWS_SESSION_TOKEN": self.credentials["aws_session_token"],
                "AWS_ENDPOINT_URL": self.emulator.endpoint,
                "AWS_CA_BUNDLE": self.emulator.ca_bundle,
                "AWS_LAMBDA_FUNCTION_NAME": self.spec.name,
                "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.spec.memory),
                "AWS_LAMBDA_LOG_GROUP_NAME": self.spec.log_group,
                "AWS_LAMBDA_LOG_STREAM_NAME": self.log_stream,
                "AWS_EXECUTION_ENV": f"AWS_Lambda_{self.spec.runtime}",
                "LAMBDA_TASK_ROOT": str(self.code_dir),
                "_HANDLER": self.spec.handler,
                "AWS_CONFIG_FILE": str(self._empty_file),
                "AWS_SHARED_CREDENTIALS_FILE": str(self._empty_file),
            }
        )
        try:
            yield
        finally:
            # Undo only what changed: other threads of this process read the environment too.
            for name in [n for n in os.environ if n not in saved]:
                os.environ.pop(name)
            for name, value in saved.items():
                if os.environ.get(name) != value:
                    os.environ[name] = value

    def _ship_logs(self, events: list) -> str:
        """Write the invocation's log events to the log group with the role's credentials."""
        if not events:
            return "delivered"
        logs = self.emulator.client("logs", self.region, self.credentials)
        try:
            if not self._log_stream_created:
                try:
                    logs.create_log_stream(
                        logGroupName=self.spec.log_group, logStreamName=self.log_stream
                    )
                except ClientError as error:
                    if error.response["Error"]["Code"] != "ResourceAlreadyExistsException":
                        raise
                self._log_stream_created = True
            logs.put_log_events(
                logGroupName=self.spec.log_group,
                logStreamName=self.log_stream,
                # Threads of a batch log concurrently; PutLogEvents wants time order.
                logEvents=sorted(events, key=lambda e: e["timestamp"]),
            )
        except ClientError as error:
            # Lambda runs the function anyway; its logs are lost.
            return f"not delivered: {error.response['Error']['Code']}"
        return "delivered"

    def _ship_trace(self, request_id: str, started_at: float, ok: bool) -> str:
        """With active tracing, Lambda sends the invocation's segment (and its daemon's telemetry)
        to X-Ray with the role's credentials: what xray:PutTraceSegments and
        xray:PutTelemetryRecords are granted for."""
        xray = self.emulator.client("xray", self.region, self.credentials)
        now = time.time()
        segment = {
            "name": self.spec.name,
            "id": uuid.uuid4().hex[:16],
            "trace_id": f"1-{int(started_at):08x}-{uuid.uuid4().hex[:24]}",
            "start_time": started_at,
            "end_time": now,
            "origin": "AWS::Lambda::Function",
            "resource_arn": self.spec.arn,
            "aws": {"request_id": request_id},
            **({} if ok else {"fault": True}),
        }
        try:
            xray.put_trace_segments(TraceSegmentDocuments=[json.dumps(segment)])
            xray.put_telemetry_records(
                TelemetryRecords=[
                    {
                        "Timestamp": datetime.datetime.fromtimestamp(now, datetime.UTC),
                        "SegmentsReceivedCount": 1,
                        "SegmentsSentCount": 1,
                    }
                ]
            )
        except ClientError as error:
            # Lambda runs the function anyway; its trace is lost.
            return f"not delivered: {error.response['Error']['Code']}"
        return "delivered"


def _error_payload(error: BaseException, request_id: str) -> dict:
    return {
        "errorMessage": str(error),
        "errorType": type(error).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_tb(error.__traceback__),
    }


class _LogCapture(logging.Handler):
    """The invocation's log records and prints, formatted as Lambda's runtime writes them."""

    def __init__(self, spec, request_id: str):
        super().__init__()
        self.spec = spec
        self.request_id = request_id
        self.json = spec.log_format.upper() == "JSON"
        self.level_threshold = _LEVELS.get(spec.log_level.upper(), logging.INFO)
        self.events: list = []  # CloudWatch log events: {"timestamp": ms, "message": text}
        self.lines: list = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno < self.level_threshold or record.name.startswith(_EMULATOR_LOGGERS):
            return
        when = datetime.datetime.fromtimestamp(record.created, datetime.UTC)
        if self.json:
            entry: dict[str, object] = {
                "timestamp": when.strftime("%Y-%m-%dT%H:%M:%S.")
                + f"{when.microsecond // 1000:03d}Z",
                "level": record.levelname,
                "message": record.getMessage(),
                "logger": record.name,
                "requestId": self.request_id,
            }
            if record.exc_info and record.exc_info[1] is not None:
                entry.update(
                    errorType=type(record.exc_info[1]).__name__,
                    errorMessage=str(record.exc_info[1]),
                    stackTrace=traceback.format_tb(record.exc_info[2]),
                )
            text = json.dumps(entry)
        else:
            text = (
                f"[{record.levelname}]\t{when:%Y-%m-%dT%H:%M:%S.%f}Z\t{self.request_id}\t"
                f"{record.getMessage()}"
            )
        self._add(text, record.created)

    def error(self, payload: dict) -> None:
        """The line Lambda's runtime writes for an unhandled error."""
        if self.json:
            text = json.dumps({"level": "ERROR", "requestId": self.request_id, **payload})
        else:
            text = f"[ERROR] {payload['errorType']}: {payload['errorMessage']}"
        self._add(text, time.time())

    def _add(self, text: str, created: float) -> None:
        self.lines.append(text)
        self.events.append({"timestamp": int(created * 1000), "message": text})

    @contextlib.contextmanager
    def installed(self):
        root = logging.getLogger()
        saved_level = root.level
        root.addHandler(self)
        root.setLevel(self.level_threshold)  # as Lambda's runtime sets it
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                yield self
        finally:
            root.removeHandler(self)
            root.setLevel(saved_level)
            for line in printed.getvalue().splitlines():
                self._add(line, time.time())
