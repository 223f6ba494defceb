"""The SDK the handler tests run with. ci/lambda-python-tests.sh runs them a second time with the
oldest boto3/botocore the handlers need first on the path (LAMBDA_OLDEST_SDK=1): this checks the
run really uses that SDK, not the pinned one."""

import os
import re
from pathlib import Path

import boto3
import botocore
import pytest

FLOOR = Path(__file__).resolve().parents[2] / "ci" / "lambda-oldest-sdk.txt"


def pinned(package: str) -> str:
    match = re.search(rf"^{package}==(\S+)$", FLOOR.read_text(), re.MULTILINE)
    assert match, f"{package} is not pinned in {FLOOR.name}"
    return match.group(1)


@pytest.mark.skipif(not os.environ.get("LAMBDA_OLDEST_SDK"), reason="the pinned SDK's run")
def test_the_oldest_sdk_run_uses_the_oldest_sdk():
    assert (boto3.__version__, botocore.__version__) == (pinned("boto3"), pinned("botocore"))


def test_the_floor_is_older_than_the_pin():
    def version(text: str) -> tuple:
        return tuple(int(part) for part in text.split("."))

    assert version(pinned("botocore")) <= version(botocore.__version__)
