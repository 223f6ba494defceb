"""A stack deployed into the embedded emulator, with the sandbox playing the Lambda service.

    with Sandbox(stack="dev") as sandbox:
        sandbox.client("dynamodb").put_item(...)   # as an operator, like the AWS CLI
        sandbox.settle()                           # every event handled, retried or dead-lettered
        sandbox.journal.entries, sandbox.guard.calls

start() starts moto over TLS, runs the program so that its resources exist in the emulator
(tools.sandbox.deployment), has Lambda assume each function's role, binds each function to the
code of its archive, and turns IAM enforcement on. From then on step() does one round of what
Lambda's pollers and S3 do; settle() repeats it until nothing is left to do, moving the clock past
retry delays instead of waiting them out.
"""

import contextlib
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Self, TypeVar
from urllib.parse import urlparse

from tools.program import REPO_ROOT, ProgramRun, run_program, stack_config
from tools.sandbox import destinations, moto_patches, moto_version, s3_delivery
from tools.sandbox.api_gateway import ApiClient
from tools.sandbox.async_invoker import AsyncInvoker
from tools.sandbox.deployment import Deployment, SandboxMocks
from tools.sandbox.emulator import Emulator
from tools.sandbox.faults import Faults
from tools.sandbox.guard import Guard
from tools.sandbox.journal import Journal
from tools.sandbox.runtime import FunctionRuntime
from tools.sandbox.stream_poller import StreamPoller


class Clock:
    """Wall time, plus however far settle() has skipped ahead."""

    def __init__(self):
        self.skipped = 0.0

    def now(self) -> float:
        return time.time() + self.skipped

    def skip_to(self, moment: float) -> None:
        self.skipped += max(0.0, moment - self.now())


class SandboxError(RuntimeError):
    pass


_T = TypeVar("_T")


def _started(value: _T | None, what: str) -> _T:
    if value is None:
        raise SandboxError(f"no {what} before the sandbox has started: call start() or use `with`")
    return value


class Sandbox:
    def __init__(
        self,
        project_dir: Path = REPO_ROOT,
        stack: str = "dev",
        port: int = 0,
        echo=None,
        config: dict | None = None,
    ):
        self.project_dir = Path(project_dir).resolve()
        self.stack = stack
        self.config_overrides = dict(config or {})  # namespace:key -> text, over the stack file
        self.emulator = Emulator(port)
        self.journal = Journal(echo=echo)
        self.faults = Faults()
        self.guard = Guard(self.emulator, self.faults)
        self.clock = Clock()
        # Set by start(); read through the properties below, which refuse before then.
        self._deployment: Deployment | None = None
        self._mocks: SandboxMocks | None = None
        self._run: ProgramRun | None = None
        self.runtimes: dict = {}
        self.trace_marks: dict = {}  # function -> trace deliveries before the current story
        self.pollers: list = []
        self.invokers: dict = {}
        self.credentials: dict = {}
        self._delivery: s3_delivery.S3Delivery | None = None
        self.users: dict = {}  # token -> {"pool_arn", "claims"}: users signed in (sign_in)
        self._stack = contextlib.ExitStack()
        self._lock = threading.Lock()  # one invocation at a time: handlers share os.environ

    # --- lifecycle ------------------------------------------------------------------------
    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> Self:
        moto_version.check_moto_version()  # before anything half-starts
        try:
            self._stack.callback(self.emulator.stop)  # also cleans up after a failed start
            self.emulator.start()
            self._stack.enter_context(moto_patches.patched(self.guard.judge_presigned))
            self._stack.enter_context(self.guard.installed())
            workdir = Path(
                self._stack.enter_context(tempfile.TemporaryDirectory(prefix="sandbox-"))
            )
            self._deploy()
            self._bind(workdir)
            self.emulator.enforce_iam(True)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        self._stack.close()

    @property
    def deployment(self) -> Deployment:
        return _started(self._deployment, "deployment")

    @property
    def mocks(self) -> SandboxMocks:
        return _started(self._mocks, "mocks")

    @property
    def run(self) -> ProgramRun:
        """The program run."""
        return _started(self._run, "program run")

    @property
    def region(self) -> str:
        return self.deployment.region

    @property
    def outputs(self) -> dict:
        return self.run.outputs

    def _deploy(self) -> None:
        config, _ = stack_config(self.project_dir, self.stack)
        config.update(self.config_overrides)
        mocks = SandboxMocks(self.emulator, config.get("aws:region", "us-east-1"))
        self._run = run_program(self.project_dir, self.stack, config=config, mocks=mocks)
        self._mocks = mocks
        self._deployment = mocks.deployment

    def _bind(self, workdir: Path) -> None:
        """Lambda's part: a role session and an execution environment per function, a poller per
        stream mapping, an asynchronous queue per function, S3's delivery of events."""
        sts = self.emulator.client("sts", self.region)
        for spec in self.deployment.functions.values():
            session = sts.assume_role(RoleArn=spec.role_arn, RoleSessionName=spec.name[:64])
            credentials = {
                "aws_access_key_id": session["Credentials"]["AccessKeyId"],
                "aws_secret_access_key": session["Credentials"]["SecretAccessKey"],
                "aws_session_token": session["Credentials"]["SessionToken"],
            }
            self.credentials[spec.name] = credentials
            self.guard.issue(
                spec.name, spec.role_arn, credentials, session["AssumedRoleUser"]["Arn"]
            )
            runtime = FunctionRuntime(spec, workdir, self.emulator, self.region, credentials)
            self.runtimes[spec.name] = runtime
            self.invokers[spec.name] = AsyncInvoker(
                runtime,
                self.journal,
                self.clock,
                self._failure_sender(spec.name),
                describe=s3_delivery.describe,
            )
        for mapping in self.deployment.mappings:
            streams = self.emulator.new_client(
                "dynamodbstreams", self.region, self.credentials[mapping.function]
            )
            self.pollers.append(
                StreamPoller(
                    mapping,
                    self.runtimes[mapping.function],
                    streams,
                    self.region,
                    self.journal,
                    self.clock,
                    self._failure_sender(mapping.function),
                )
            )
        self._delivery = s3_delivery.S3Delivery(
            self.emulator, self.deployment, self.invokers, self.journal
        )

    def _failure_sender(self, function: str):
        def send(destination: str, record: dict) -> str | None:
            queue_url = self.deployment.queues.get(destination)
            if queue_url is None:
                return f"{destination} is not an SQS queue of this stack: not emulated"
            sqs = self.emulator.client("sqs", self.region, self.credentials[function])
            return destinations.send(sqs, queue_url, record)

        return send

    # --- the Lambda service's rounds ---------------------------------------------------------
    def step(self) -> bool:
        """One round: poll every stream, deliver S3's events, run due invocations."""
        with self._lock:
            busy = False
            for poller in self.pollers:
                busy |= poller.poll()
            busy |= _started(self._delivery, "S3 delivery").deliver()
            for invoker in self.invokers.values():
                busy |= invoker.run_due()
            return busy

    def settle(self, max_rounds: int = 10_000) -> None:
        """Run rounds until every event is handled, retried to the end, or dead-lettered."""
        for _ in range(max_rounds):
            if self.step():
                continue
            due = [d for d in (i.next_due() for i in self.invokers.values()) if d is not None]
            if not due:
                return
            self.clock.skip_to(min(due))
        raise SandboxError(f"still busy after {max_rounds} rounds")

    def serve(self, stop: threading.Event, interval: float = 0.25) -> None:
        """Run rounds until `stop` is set (retry delays pass in real time here)."""
        while not stop.is_set():
            if not self.step():
                stop.wait(interval)

    # --- for scenarios and users ---------------------------------------------------------------
    def client(self, service: str):
        """A client as the sandbox's operator (an administrator of the emulated account)."""
        return self.emulator.client(service, self.region)

    def invoke(self, function_name: str, event: dict):
        """A synchronous invocation (what API Gateway's proxy integration does)."""
        with self._lock:
            return self.runtimes[function_name].invoke(event)

    def api(self, pipeline_output_prefix: str) -> ApiClient:
        """A client of the stage a pipeline's `<prefix>ApiUrl` output names."""
        url = urlparse(self.outputs[f"{pipeline_output_prefix}ApiUrl"])
        api = self.mocks.gateway.apis[url.hostname.split(".", 1)[0]]
        return ApiClient(api, url.path.strip("/"), self)

    def sign_in(self, user_pool_id: str, email: str) -> dict:
        """A user of a user pool (created if new), signed in: pass it to ApiClient.request.

        The sandbox plays Cognito's hosted sign-in: the user's claims are read from the
        emulator's pool; the token is an opaque handle, not a signed JWT."""
        cognito = self.client("cognito-idp")
        try:
            user = cognito.admin_get_user(UserPoolId=user_pool_id, Username=email)
            attributes = user["UserAttributes"]
            username = user["Username"]
        except cognito.exceptions.UserNotFoundException:
            user = cognito.admin_create_user(
                UserPoolId=user_pool_id,
                Username=email,
                UserAttributes=[
                    {"Name": "email", "Value": email},
                    {"Name": "email_verified", "Value": "true"},
                ],
                MessageAction="SUPPRESS",
            )["User"]
            attributes, username = user["Attributes"], user["Username"]
        values = {a["Name"]: a["Value"] for a in attributes}
        pool = cognito.describe_user_pool(UserPoolId=user_pool_id)["UserPool"]
        now = int(time.time())
        claims = {
            "sub": values["sub"],
            "email": values.get("email", email),
            "email_verified": values.get("email_verified", "false"),
            "cognito:username": username,
            "iss": f"https://cognito-idp.{self.region}.amazonaws.com/{user_pool_id}",
            "token_use": "id",
            "auth_time": str(now),
            "iat": str(now),
            "exp": str(now + 3600),
        }
        token = f"sandbox-id-token-{uuid.uuid4().hex}"
        self.users[token] = {"pool_arn": pool["Arn"], "claims": claims}
        return {"token": token, "claims": claims}

    def function(self, pipeline_output_prefix: str):
        """The function a pipeline's `<prefix>FunctionArn` output names."""
        arn = self.outputs[f"{pipeline_output_prefix}FunctionArn"]
        return self.deployment.function_by_arn(arn)
