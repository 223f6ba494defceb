"""Figure 2: a 100-record DynamoDB stream batch, our handlers against a one-at-a-time baseline.

Against moto's server on loopback (in a process of its own, standing for AWS), with a botocore
`before-send` hook that sleeps 20 ms on every request of the handlers' S3 client, as a round trip
to AWS would take. The batches are read from real DynamoDB streams of the tables the pipelines use
(tests.streams: records as Lambda delivers them, after the mapping's filter): users inserted and
modified for user buckets, users inserted and removed for the stream archive.

The baseline processes the records one at a time, in a plain loop, as the seeds' handlers do, doing
for each the very same work as the handler (its per-record function, the same client and calls);
only the handler's bounded pool (handlers.stream_batch) differs. Both runs of a round start from
the same state (what a run created is read back, then deleted, with a client the hook does not
slow down), and must leave the same buckets with the same settings, or the same objects.
"""

import contextlib
import os
import subprocess
import sys
import threading
import time

import boto3

from bench.timing import Check, Figure, interleaved, median, ratio

RECORDS = 100
LATENCY = 0.020  # seconds added to every AWS request
SPEEDUP_TARGET = 5.0  # handler at least this many times faster than the baseline
REGION = "us-east-1"
PREFIX = "bench-users"
ARCHIVE = "bench-stream-archive"


# moto's server in a process of its own: its work stands for AWS's side of each request, which in
# Lambda runs on AWS's machines, not on the function's CPU. In this process it would take the GIL
# from the handler's threads, and measure moto rather than the handler.
SERVER = """
import sys
from moto.server import ThreadedMotoServer
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
print("%s:%s" % server.get_host_and_port(), flush=True)
sys.stdin.read()  # until the benchmark closes our stdin
server.stop()
"""


@contextlib.contextmanager
def moto_server():
    """(endpoint, pid) of a moto server on loopback, stopped on exit."""
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        address = process.stdout.readline().strip()
        if not address:
            raise RuntimeError("moto's server did not start")
        yield f"http://{address}", process.pid
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def aws_environment():
    """moto's server (as the tests use it: moto's in-process mock does not serve DynamoDB
    Streams), and only the standard AWS variables, pointing boto3 at it."""
    from handlers import aws_clients

    names = (
        "AWS_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "BUCKET_PREFIX",
        "BUCKET_NAME",
    )
    saved = {name: os.environ.get(name) for name in names}
    with moto_server() as (endpoint, pid):
        for name in names:
            os.environ.pop(name, None)
        os.environ.update(
            AWS_ENDPOINT_URL=endpoint,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_REGION=REGION,
            AWS_DEFAULT_REGION=REGION,
            BUCKET_PREFIX=PREFIX,
            BUCKET_NAME=ARCHIVE,
        )
        aws_clients.reset()
        try:
            yield pid
        finally:
            aws_clients.reset()
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far; 0 where /proc cannot tell."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


class Latency:
    """Sleeps `seconds` before each request a client sends, and counts the requests."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.requests = 0
        self._lock = threading.Lock()

    def __call__(self, **_):
        with self._lock:
            self.requests += 1
        time.sleep(self.seconds)

    def attach(self, client) -> None:
        client.meta.events.register("before-send", self)


def split(records: int, share: float) -> tuple:
    changed = int(records * share)
    return records - changed, changed


def user_records(records: int) -> list:
    """INSERT and MODIFY records of the users table (3 in 4 inserts, then modifications)."""
    from components.user_buckets import HANDLED_EVENTS
    from tests.streams import create_stream_table, lambda_batch, stream_records

    inserts, modifies = split(records, 0.25)
    stream = create_stream_table("USER-DB", "id", "NEW_IMAGE", REGION)
    table = boto3.resource("dynamodb", region_name=REGION).Table("USER-DB")
    for n in range(inserts):
        table.put_item(Item={"id": f"User.{n:04d}", "email": f"user{n}@example.com"})
    for n in range(modifies):
        table.put_item(Item={"id": f"User.{n:04d}", "email": f"new{n}@example.com"})
    batch = lambda_batch(stream_records(stream, REGION), HANDLED_EVENTS)
    if len(batch["Records"]) != records:
        raise RuntimeError(f"expected {records} user records, read {len(batch['Records'])}")
    return batch["Records"]


def archive_records(records: int) -> list:
    """INSERT and REMOVE records of the seed's UsersIds table (3 in 5 inserts, then removals)."""
    from components.stream_archive import ARCHIVED_EVENTS
    from tests.streams import create_stream_table, lambda_batch, stream_records

    inserts, removes = split(records, 0.4)
    stream = create_stream_table("UsersIds", "UserId", "NEW_AND_OLD_IMAGES", REGION)
    table = boto3.resource("dynamodb", region_name=REGION).Table("UsersIds")
    for n in range(inserts):
        table.put_item(Item={"UserId": f"u-{n:04d}", "age": 20 + n % 50, "tags": {"a", "b"}})
    for n in range(removes):
        table.delete_item(Key={"UserId": f"u-{n:04d}"})
    batch = lambda_batch(stream_records(stream, REGION), ARCHIVED_EVENTS)
    if len(batch["Records"]) != records:
        raise RuntimeError(f"expected {records} archive records, read {len(batch['Records'])}")
    return batch["Records"]


class UserBuckets:
    """The user-buckets pipeline: run, read back what it made, and clean up."""

    name = "user_buckets"

    def __init__(self, records: list):
        from handlers import user_buckets

        self.module = user_buckets
        self.records = records
        self.observer = boto3.client("s3", region_name=REGION)  # not slowed down

    def handler(self) -> dict:
        return self.module.handler({"Records": self.records}, None)

    def baseline(self) -> dict:
        # The seed: `for record in event['Records']:` one after another, nothing in parallel.
        for record in self.records:
            self.module.ensure_user_bucket(record, PREFIX)
        return {"batchItemFailures": []}

    def outcome(self) -> dict:
        s3 = self.observer
        made = {}
        for bucket in s3.list_buckets()["Buckets"]:
            name = bucket["Name"]
            if not name.startswith(PREFIX + "-"):
                continue
            made[name] = (
                s3.get_bucket_location(Bucket=name)["LocationConstraint"],
                s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"],
                s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"],
                s3.get_bucket_tagging(Bucket=name)["TagSet"],
            )
        return made

    def expected(self) -> set:
        from handlers.bucket_names import bucket_name

        return {bucket_name(PREFIX, r["dynamodb"]["Keys"]["id"]["S"]) for r in self.records}

    def clean(self, outcome: dict) -> None:
        for name in outcome:
            self.observer.delete_bucket(Bucket=name)


class StreamArchive:
    """The stream-archive pipeline: run, read back what it wrote, and clean up."""

    name = "stream_archive"

    def __init__(self, records: list):
        from handlers import stream_archive

        self.module = stream_archive
        self.records = records
        self.observer = boto3.client("s3", region_name=REGION)
        self.observer.create_bucket(Bucket=ARCHIVE)

    def handler(self) -> dict:
        return self.module.handler({"Records": self.records}, None)

    def baseline(self) -> dict:
        for record in self.records:
            self.module.archive(record, ARCHIVE)
        return {"batchItemFailures": []}

    def outcome(self) -> dict:
        s3 = self.observer
        written = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=ARCHIVE):
            for item in page.get("Contents", []):
                got = s3.get_object(Bucket=ARCHIVE, Key=item["Key"])
                written[item["Key"]] = (got["ContentType"], got["Body"].read())
        return written

    def expected(self) -> set:
        return {self.module.archive_object(r)[0] for r in self.records}

    def clean(self, outcome: dict) -> None:
        for key in outcome:
            self.observer.delete_object(Bucket=ARCHIVE, Key=key)


def run(records: int = RECORDS, latency: float = LATENCY, rounds: int = 2) -> Figure:
    started = time.perf_counter()
    from handlers import aws_clients

    figure = Figure(
        title=(
            f"Batch throughput: {records}-record stream batch, moto + {latency * 1e3:.0f} ms per "
            f"AWS request, {rounds} rounds"
        ),
        columns=[
            "pipeline",
            "requests",
            "handler s",
            "one-at-a-time s",
            "speedup (min-max)",
            "handler CPU s",
            "moto CPU s",
            "same outcome",
        ],
    )
    with aws_environment() as server:
        delay = Latency(latency)
        delay.attach(aws_clients.client("s3"))  # the cached client the handlers use
        pipelines = [UserBuckets(user_records(records)), StreamArchive(archive_records(records))]
        outcomes: dict = {}
        requests: dict = {}
        cpu: dict = {}

        def contender(pipeline, way: str):
            def call() -> float:
                before, ours, theirs = delay.requests, time.process_time(), cpu_seconds(server)
                start = time.perf_counter()
                answer = getattr(pipeline, way)()
                seconds = time.perf_counter() - start
                cpu.setdefault((pipeline.name, way), []).append(
                    (time.process_time() - ours, cpu_seconds(server) - theirs)
                )
                if answer != {"batchItemFailures": []}:
                    raise RuntimeError(f"{pipeline.name} {way} failed records: {answer}")
                requests[(pipeline.name, way)] = delay.requests - before
                made = pipeline.outcome()
                outcomes.setdefault((pipeline.name, way), []).append(made)
                pipeline.clean(made)
                return seconds

            return call

        contenders = {
            (pipeline.name, way): contender(pipeline, way)
            for pipeline in pipelines
            for way in ("handler", "baseline")
        }
        samples = interleaved(rounds, contenders)

    for pipeline in pipelines:
        name = pipeline.name
        ours, theirs = samples[(name, "handler")], samples[(name, "baseline")]
        speedup = ratio(theirs, ours)
        runs = outcomes[(name, "handler")] + outcomes[(name, "baseline")]
        same = all(made == runs[0] for made in runs) and set(runs[0]) == pipeline.expected()
        what = "buckets" if name == "user_buckets" else "objects"
        figure.rows.append(
            [
                name,
                requests[(name, "handler")],
                f"{median(ours):.2f}",
                f"{median(theirs):.2f}",
                str(speedup),
                f"{median([c[0] for c in cpu[(name, 'handler')]]):.2f}",
                f"{median([c[1] for c in cpu[(name, 'handler')]]):.2f}",
                f"{'yes' if same else 'NO'} ({len(runs[0])} {what})",
            ]
        )
        figure.checks.append(
            Check(
                f"{name} speedup",
                f"{speedup.value:.2f}x",
                f">= {SPEEDUP_TARGET:.0f}x",
                speedup.value >= SPEEDUP_TARGET,
            )
        )
        figure.checks.append(
            Check(
                f"{name} same outcome",
                "same" if same else "DIFFERENT",
                f"same {what}",
                same,
                sanity=True,
            )
        )
        # Both ways pay the latency on every request, and send as many.
        sent = (requests[(name, "handler")], requests[(name, "baseline")])
        figure.checks.append(
            Check(
                f"{name} same requests",
                f"{sent[0]} vs {sent[1]}",
                "equal, > 0",
                sent[0] == sent[1] > 0,
                sanity=True,
            )
        )
    figure.notes.append(
        "speedup = median one-at-a-time s / median handler s, (min-max) over rounds; CPU s = "
        "what the handler's run cost this process (all threads) and moto's server"
    )
    figure.seconds = time.perf_counter() - started
    return figure
