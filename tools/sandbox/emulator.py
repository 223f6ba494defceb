"""moto's AWS emulator in this process, on a free loopback port, over TLS.

TLS because the stacks' bucket and queue policies deny requests without it (aws:SecureTransport)
and the sandbox evaluates those policies against the request as made: over plain HTTP every call
would rightly be denied. The certificate is made at start for 127.0.0.1 and localhost; clients
trust it through AWS_CA_BUNDLE (boto3 and the AWS CLI both read it).

moto keeps its state in module globals, so one emulator per process owns it: start() wipes
whatever an earlier user of moto left, and stop() turns IAM enforcement back off.
"""

import datetime
import ipaddress
import json
import socket
import ssl
import tempfile
import threading
import urllib.request
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.exceptions import ConnectionError as BotocoreConnectionError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from moto.dynamodb.models import dynamodb_backends
from moto.iam.exceptions import NotFoundException as IAMNotFound
from moto.iam.models import iam_backends
from moto.kms.models import kms_backends
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from moto.s3.models import s3_backends
from moto.sqs.models import sqs_backends
from werkzeug.serving import make_server

ACCOUNT_ID = "123456789012"  # moto's default account, and the one tools.aws_mocks answers with
OPERATOR = "sandbox-operator"
# The sandbox's own calls (as the operator, or as Lambda with a function's role) are made once: a
# denial or an injected fault shows rather than being retried away. Only a call whose connection
# failed is made again (_retry_failed_connection).
_CONFIG = Config(retries={"total_max_attempts": 1, "mode": "standard"})
_CONNECTION_ATTEMPTS = 3


def _retry_failed_connection(attempts, caught_exception=None, **_):
    """A call whose connection failed (refused, timed out, a TLS error) is made again, up to
    _CONNECTION_ATTEMPTS in all: faults and denials are answers, never failed connections, so
    this hides neither. One TLS alert on a loopback connection once failed a whole deployment in
    CI; the AWS provider and the SDKs retry such errors too."""
    if isinstance(caught_exception, BotocoreConnectionError) and attempts < _CONNECTION_ATTEMPTS:
        return 0.05  # seconds before the next attempt
    return None


class _QuietRequestHandler(MotoRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # the sandbox logs invocations, not requests
        pass


def _without_delay(get_request):
    """Accepted connections with Nagle's algorithm off: werkzeug writes a response in several
    small TLS records, and waiting to coalesce them made each request three times slower."""

    def accept():
        connection, address = get_request()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address

    return accept


# moto's state and the sandbox's patches of it are process-wide: one emulator at a time.
_RUNNING = threading.Lock()


class EmulatorBusy(RuntimeError):
    pass


class Emulator:
    def __init__(self, port: int = 0):
        self._requested_port = port
        self._server = None
        self._thread: threading.Thread | None = None
        self._directory = None
        self.ca_bundle = ""
        self.operator_credentials: dict = {}
        self._clients: dict = {}
        self._owns_moto = False
        # ARNs of the customer managed keys the deployment created (moto also makes keys of its
        # own, e.g. the stand-in for aws/dynamodb, which callers never need permission for).
        self.customer_keys: set = set()

    # --- lifecycle ------------------------------------------------------------------------
    def start(self) -> "Emulator":
        if not _RUNNING.acquire(blocking=False):
            raise EmulatorBusy(
                "another sandbox is running in this process: moto's state is process-wide"
            )
        self._owns_moto = True
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> "Emulator":
        self._directory = tempfile.TemporaryDirectory(prefix="sandbox-tls-")
        self.ca_bundle = str(Path(self._directory.name) / "sandbox-ca.pem")
        key_file = self._write_certificate(Path(self._directory.name))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.ca_bundle, key_file)
        app = DomainDispatcherApplication(create_backend_app)
        self._server = make_server(
            "127.0.0.1",
            self._requested_port,
            app,
            threaded=True,
            request_handler=_QuietRequestHandler,
            ssl_context=context,
        )
        self._server.get_request = _without_delay(self._server.get_request)
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)
        self._thread.start()
        self._post("/moto-api/reset")
        self.enforce_iam(False)
        self._create_operator()
        return self

    def stop(self) -> None:
        try:
            if self._server is not None:
                try:
                    self.enforce_iam(False)  # process-wide: leave moto unenforced for others
                finally:
                    self._server.shutdown()
                    if self._thread is not None:  # None when start failed before creating it
                        self._thread.join()
                    self._server = None
        finally:
            if self._directory is not None:
                self._directory.cleanup()  # it holds the server's private key
                self._directory = None
            if self._owns_moto:
                self._owns_moto = False
                _RUNNING.release()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not running: no port")
        return self._server.server_address[1]

    @property
    def endpoint(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    # --- IAM ------------------------------------------------------------------------------
    def enforce_iam(self, on: bool = True) -> None:
        """moto checks every request's credentials and the caller's policies from now on (the
        body is how many unauthenticated requests it still lets through)."""
        self._post("/moto-api/reset-auth", b"0" if on else b"inf")

    def _create_operator(self) -> None:
        """The identity the sandbox deploys and inspects with: an IAM user allowed everything,
        so it keeps working once enforcement is on (as an administrator would)."""
        iam = boto3.client("iam", **self._connection("us-east-1", {}))
        iam.create_user(UserName=OPERATOR)
        iam.put_user_policy(
            UserName=OPERATOR,
            PolicyName="administrator",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
                }
            ),
        )
        key = iam.create_access_key(UserName=OPERATOR)["AccessKey"]
        self.operator_credentials = {
            "aws_access_key_id": key["AccessKeyId"],
            "aws_secret_access_key": key["SecretAccessKey"],
        }

    # --- state, read in-process (always current, and not itself an API call to judge) ---------
    def role_policies(self, role_name: str) -> dict:
        """The role's inline and attached policy documents, by name; {} for an unknown role."""
        backend = iam_backends[ACCOUNT_ID]["aws"]
        try:
            inline = backend.list_role_policies(role_name)
            attached, _ = backend.list_attached_role_policies(role_name)
        except IAMNotFound:
            return {}
        documents = {name: backend.get_role_policy(role_name, name)[1] for name in inline}
        for policy in attached:
            default = next(v for v in policy.versions if v.is_default)
            documents[policy.name] = default.document
        return documents

    def resource_policy(self, resource_arn: str) -> str | None:
        """The policy of the bucket or queue `resource_arn` names (or is inside), if any."""
        parts = resource_arn.split(":", 5)
        if len(parts) < 6:
            return None
        service, region, resource = parts[2], parts[3], parts[5]
        if service == "s3":
            bucket = s3_backends[ACCOUNT_ID]["aws"].buckets.get(resource.split("/", 1)[0])
            return bucket.policy.decode() if bucket is not None and bucket.policy else None
        if service == "sqs":
            queue = sqs_backends[ACCOUNT_ID][region].queues.get(resource)
            return queue.policy if queue is not None else None
        return None

    def customer_key_of(self, resource_arn: str) -> str | None:
        """The ARN of the deployment's customer managed key that encrypts the bucket (or object),
        queue, table or table stream `resource_arn` names; None when it is not one of those."""
        parts = resource_arn.split(":", 5)
        if len(parts) < 6:
            return None
        service, region, resource = parts[2], parts[3], parts[5]
        key_id = None
        if service == "s3":
            bucket = s3_backends[ACCOUNT_ID]["aws"].buckets.get(resource.split("/", 1)[0])
            if bucket is None or not bucket.encryption:
                return None
            region = bucket.region_name
            default = bucket.encryption.get("Rule", {}).get(
                "ApplyServerSideEncryptionByDefault", {}
            )
            if default.get("SSEAlgorithm") in ("aws:kms", "aws:kms:dsse"):
                key_id = default.get("KMSMasterKeyID")
        elif service == "sqs":
            queue = sqs_backends[ACCOUNT_ID][region].queues.get(resource)
            # moto sets queue attributes dynamically, from the names it was created with.
            key_id = getattr(queue, "kms_master_key_id", None) if queue is not None else None
        elif service == "dynamodb" and resource.startswith("table/"):
            table_name = resource.split("/")[1]
            table = dynamodb_backends[ACCOUNT_ID][region].tables.get(table_name)
            key_id = (table.sse_specification or {}).get("KMSMasterKeyId") if table else None
        if not key_id:
            return None
        try:
            key = kms_backends[ACCOUNT_ID][region].describe_key(key_id)
        except Exception:  # noqa: BLE001 - a key moto does not know: not the deployment's
            return None
        return key.arn if key.arn in self.customer_keys else None

    def key_policy(self, key_arn: str) -> str:
        region = key_arn.split(":")[3]
        return kms_backends[ACCOUNT_ID][region].get_key_policy(key_arn.rsplit("/", 1)[-1])

    def trace_segments(self, region: str, name: str) -> int:
        """How many trace segments X-Ray holds for `name` (a function)."""
        xray = self.client("xray", region)
        now = datetime.datetime.now(datetime.UTC)
        summaries = xray.get_trace_summaries(
            StartTime=now - datetime.timedelta(days=1), EndTime=now + datetime.timedelta(hours=1)
        )["TraceSummaries"]
        ids = [summary["Id"] for summary in summaries]
        count = 0
        for start in range(0, len(ids), 5):  # BatchGetTraces takes 5 ids at a time
            for trace in xray.batch_get_traces(TraceIds=ids[start : start + 5])["Traces"]:
                count += sum(
                    json.loads(segment["Document"]).get("name") == name
                    for segment in trace["Segments"]
                )
        return count

    def region_of_bucket(self, name: str) -> str:
        bucket = s3_backends[ACCOUNT_ID]["aws"].buckets.get(name)
        return bucket.region_name if bucket is not None else "us-east-1"

    def object_exists(self, region: str, bucket: str, key: str, version: str | None) -> bool:
        try:
            s3 = self.client("s3", region)
            s3.head_object(Bucket=bucket, Key=key, **({"VersionId": version} if version else {}))
        except ClientError as error:
            if error.response["ResponseMetadata"]["HTTPStatusCode"] in (403, 404, 405):
                return False
            raise
        return True

    # --- clients --------------------------------------------------------------------------
    def client(self, service: str, region: str, credentials: dict | None = None):
        """A client for `service` in `region`, as the operator unless `credentials` are given
        (boto3 keyword names: aws_access_key_id, aws_secret_access_key, aws_session_token)."""
        credentials = credentials or self.operator_credentials
        key = (service, region, credentials.get("aws_access_key_id"))
        if key not in self._clients:
            self._clients[key] = self.new_client(service, region, credentials)
        return self._clients[key]

    def new_client(self, service: str, region: str, credentials: dict):
        """A client of its own (for a caller that adds event hooks to it)."""
        client = boto3.Session().client(
            service, config=_CONFIG, **self._connection(region, credentials)
        )
        client.meta.events.register("needs-retry", _retry_failed_connection)
        return client

    def _connection(self, region: str, credentials: dict) -> dict:
        return {
            "region_name": region,
            "endpoint_url": self.endpoint,
            "verify": self.ca_bundle,
            "aws_access_key_id": credentials.get("aws_access_key_id", "sandbox"),
            "aws_secret_access_key": credentials.get("aws_secret_access_key", "sandbox"),
            "aws_session_token": credentials.get("aws_session_token"),
        }

    def _post(self, path: str, body: bytes = b"") -> None:
        context = ssl.create_default_context(cafile=self.ca_bundle)
        request = urllib.request.Request(
            self.endpoint + path, data=body, method="POST", headers={"Content-Type": "text/plain"}
        )
        urllib.request.urlopen(request, context=context).close()

    # --- TLS ------------------------------------------------------------------------------
    def _write_certificate(self, directory: Path) -> str:
        """A self-signed certificate for the loopback names, its key in `directory`; returns the
        key file's path."""
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "event-pipelines sandbox")])
        now = datetime.datetime.now(datetime.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(
                x509.SubjectAlternativeName(
                    [
                        x509.DNSName("localhost"),
                        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    ]
                ),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        Path(self.ca_bundle).write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        key_file = directory / "sandbox-key.pem"
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return str(key_file)
