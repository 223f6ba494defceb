"""Deploying into the sandbox, for any project (here a minimal one outside this repo's layout):
what AWS would refuse at deployment is refused with AWS's reason, what the sandbox does not
emulate is listed, and what it deploys runs."""

from pathlib import Path

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError, SSLError

from tools.sandbox.deployment import DeploymentError
from tools.sandbox.emulator import Emulator, EmulatorBusy
from tools.sandbox.sandbox import Sandbox

MINIMAL = Path(__file__).parents[1] / "samples" / "sandbox_minimal"


def sandbox_with(mistake: str) -> Sandbox:
    return Sandbox(MINIMAL, "dev", config={"sandbox-minimal:mistake": mistake})


def test_a_sound_project_deploys_and_both_triggers_invoke_its_function():
    with sandbox_with("none") as sandbox:
        (function,) = sandbox.deployment.functions.values()
        assert sandbox.deployment.not_emulated == [("aws:sns/topic:Topic", "alerts")]
        sandbox.client("dynamodb").put_item(
            TableName=sandbox.outputs["tableName"], Item={"id": {"S": "a"}}
        )
        sandbox.client("s3").put_object(Bucket=sandbox.outputs["bucketName"], Key="k", Body=b"1")
        sandbox.settle()

        invocations = sandbox.journal.of("invoke", function.name)
        assert [e.text.rsplit(": ", 1)[-1] for e in invocations] == ["ok", "ok (attempt 1)"]
        assert invocations[1].text.startswith(
            f"ObjectCreated:Put s3://{sandbox.outputs['bucketName']}/k"
        )


@pytest.mark.parametrize(
    "mistake, reason",
    [
        ("untrusted-role", "cannot be assumed by Lambda"),
        ("notification-without-permission", "S3 is not allowed to invoke it"),
        ("unreadable-stream", "Cannot access stream"),
        # Lambda with a code signing config set to Enforce refuses unsigned code.
        ("unsigned-code", "CodeVerificationFailedException"),
    ],
)
def test_what_aws_refuses_at_deployment_the_sandbox_refuses(mistake, reason):
    with pytest.raises(DeploymentError, match=reason):
        sandbox_with(mistake).start()


def test_one_sandbox_at_a_time_and_a_failed_start_leaves_nothing_behind():
    """moto's state is process-wide: a second sandbox would silently wipe the first."""
    with pytest.raises(DeploymentError):
        sandbox_with("untrusted-role").start()  # fails half way: must release everything
    with sandbox_with("none") as first:
        with pytest.raises(EmulatorBusy):
            sandbox_with("none").start()
        assert first.client("dynamodb").list_tables()["TableNames"]
        ca_bundle = Path(first.emulator.ca_bundle)
        assert ca_bundle.exists()
    assert not ca_bundle.exists(), "the TLS directory (with the server's key) is removed"


class _Body:
    def __init__(self, data: bytes):
        self._data = data

    def stream(self, **_):
        yield self._data


def test_a_failed_connection_is_tried_again_an_answer_is_not():
    """One TLS alert on a loopback connection once failed a whole stack's deployment in CI. A call
    whose connection failed is made again (up to 3 attempts); an error the emulator answers (an
    injected fault, a denial) is not, so the stories still see it."""
    emulator = Emulator().start()
    try:
        s3 = emulator.new_client("s3", "us-east-1", emulator.operator_credentials)
        answers: list = []

        def answer(request, **_):
            if answers:
                return answers.pop(0)(request)
            return None

        s3.meta.events.register("before-send.s3.ListBuckets", answer)

        def dropped(request):
            raise SSLError(endpoint_url=request.url, error="[SSL: TLSV1_ALERT_DECODE_ERROR]")

        answers[:] = [dropped, dropped]
        assert s3.list_buckets()["Buckets"] == []  # third attempt
        answers[:] = [dropped, dropped, dropped]
        with pytest.raises(SSLError):
            s3.list_buckets()

        def server_error(request):
            body = b"<Error><Code>InternalError</Code><Message>injected</Message></Error>"
            return AWSResponse(request.url, 500, {}, _Body(body))

        answers[:] = [server_error]
        with pytest.raises(ClientError, match="InternalError"):
            s3.list_buckets()
        assert answers == []
    finally:
        emulator.stop()
