"""Shared fixtures: an AWS emulator (moto) on loopback, and an environment pointing at it."""

import json
import urllib.request

import pytest
from moto.server import ThreadedMotoServer

from handlers import aws_clients


@pytest.fixture(scope="session")
def moto_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws(moto_endpoint, monkeypatch):
    """A clean emulator and the standard AWS variables pointing at it (region: us-east-1).

    Handlers get nothing else: they find the emulator through AWS_ENDPOINT_URL like any boto3 code.
    """
    request = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST", data=b"")
    urllib.request.urlopen(request).close()
    aws_clients.reset()  # no client, nor event hook a test added to one, outlives the test
    for name, value in {
        "AWS_ENDPOINT_URL": moto_endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return moto_endpoint


def json_body(s3, bucket: str, key: str):
    return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
