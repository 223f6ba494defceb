"""`python -m tools.sandbox`: the demo's verdict is its exit code, a deployment AWS would refuse
exits 2 with the reason, and the keep-running mode can be poked from outside with what it prints."""

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3

from tools.program import REPO_ROOT
from tools.sandbox.__main__ import main

MINIMAL = Path(__file__).parents[1] / "samples" / "sandbox_minimal"


def test_demo_verifies_every_pipeline_and_exits_0(capsys):
    assert main(["--demo"]) == 0
    out = capsys.readouterr().out
    for pipeline in ("userBuckets", "streamArchive", "imageMetadata", "objectCopy"):
        assert f"== {pipeline}: " in out
    assert "[FAIL]" not in out
    assert re.search(r"\d+ call\(s\), 0 denied", out)
    assert out.rstrip().endswith("Demo: every outcome verified.")


def test_a_deployment_aws_would_refuse_exits_2_with_the_reason(capsys):
    assert main(["--dir", str(MINIMAL), "--stack", "broken"]) == 2
    assert "cannot be assumed by Lambda" in capsys.readouterr().err


class _Output:
    """The lines a subprocess prints, read by a thread (so waiting for one can time out)."""

    def __init__(self, stream):
        self.lines: list = []
        self._queue: queue.Queue = queue.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream) -> None:
        for line in stream:
            self._queue.put(line)
        self._queue.put(None)

    def wait_for(self, pattern: str, timeout: float = 60) -> re.Match:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                break
            self.lines.append(line)
            if found := re.search(pattern, line):
                return found
        raise AssertionError(f"no line matching {pattern!r} in:\n{''.join(self.lines)}")


def test_keeps_running_until_ctrl_c_and_runs_what_a_user_pokes_with_the_printed_access():
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "tools.sandbox", "--dir", str(MINIMAL)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    output = _Output(process.stdout)
    try:
        endpoint = output.wait_for(r"export AWS_ENDPOINT_URL=(\S+) AWS_CA_BUNDLE=(\S+)")
        keys = output.wait_for(r"export AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+)")
        table = re.search(r"table\s+(\S+)", "".join(output.lines)).group(1)
        output.wait_for(r"Watching for events")

        dynamodb = boto3.client(
            "dynamodb",
            region_name="us-east-1",
            endpoint_url=endpoint.group(1),
            verify=endpoint.group(2),
            aws_access_key_id=keys.group(1),
            aws_secret_access_key=keys.group(2),
        )
        dynamodb.put_item(TableName=table, Item={"id": {"S": "poked"}})
        output.wait_for(r"\[invoke\] echo-\S+: 1 record\(s\) #\d+: ok")

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
