"""boto3 clients shared across invocations and threads.

Clients are built on first use, not at import, so a cold start pays only for `import boto3`. They
are cached per (service, region, endpoint, access key) read from the environment at call time, so
the standard variables (AWS_REGION / AWS_DEFAULT_REGION, AWS_ENDPOINT_URL, credentials) decide
where calls go, in Lambda as in tests against an emulator.
"""

import os
import threading

import boto3
from botocore.config import Config

# Enough pooled connections for every worker of a batch; "standard" retries back off on throttling.
_CONFIG = Config(retries={"max_attempts": 5, "mode": "standard"}, max_pool_connections=16)
_lock = threading.Lock()
_clients: dict = {}


def region() -> str:
    """The region this function runs in (Lambda sets AWS_REGION)."""
    name = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not name:
        raise RuntimeError("neither AWS_REGION nor AWS_DEFAULT_REGION is set")
    return name


def client(service: str):
    key = (
        service,
        region(),
        os.environ.get("AWS_ENDPOINT_URL"),
        os.environ.get("AWS_ACCESS_KEY_ID"),
    )
    with _lock:  # boto3 sessions are not thread-safe: build each client under the lock
        if key not in _clients:
            _clients[key] = boto3.Session().client(service, region_name=key[1], config=_CONFIG)
        return _clients[key]


def reset() -> None:
    """Forget every cached client (tests use it to start each case with fresh clients)."""
    with _lock:
        _clients.clear()
