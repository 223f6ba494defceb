"""Reading a program run's resource graph in tests."""

import json
import subprocess
import sys

from tools.program import ProgramRun, Registration, run_program

FUNCTION = "aws:lambda/function:Function"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
QUEUE = "aws:sqs/queue:Queue"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"
MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping"
TABLE = "aws:dynamodb/table:Table"
BUCKET = "aws:s3/bucket:Bucket"


def descendants(run: ProgramRun, ancestor: Registration) -> list:
    found, frontier = [], [ancestor.urn]
    while frontier:
        children = [r for r in run.resources if r.parent in frontier]
        found.extend(children)
        frontier = [r.urn for r in children]
    return found


def within(run: ProgramRun, ancestor: Registration, resource_type: str) -> list:
    return [r for r in descendants(run, ancestor) if r.type == resource_type]


def only(items: list):
    assert len(items) == 1, f"expected exactly one, found {len(items)}: {[i.name for i in items]}"
    return items[0]


def component(run: ProgramRun, name: str) -> Registration:
    return only([r for r in run.resources if not r.custom and r.name == name])


def policy(registration: Registration) -> dict:
    return json.loads(registration.inputs["policy"])


def run_with(**namespace_values) -> ProgramRun:
    """Run the program with only these `event-pipelines:` values (objects as dicts)."""
    config = {"aws:region": namespace_values.pop("region", "us-east-1")}
    for key, value in namespace_values.items():
        config[f"event-pipelines:{key}"] = json.dumps(value)
    return run_program(config=config)


def unpack_and_import(archive, module: str, tmp_path) -> subprocess.CompletedProcess:
    """Write an AssetArchive to disk and import `module` from it alone in a fresh interpreter."""
    for path, asset in archive.assets.items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(asset.text, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-c", f"import {module}; print({module}.handler.__module__)"],
        check=False,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONNOUSERSITE": "1"},
        capture_output=True,
        text=True,
    )


def own_log_and_dlq_statements(
    function: Registration, queue: Registration, region: str = "us-east-1"
) -> list:
    """The two statements the Function block adds to every role."""
    group = f"arn:aws:logs:{region}:123456789012:log-group:/aws/lambda/{function.outputs['name']}"
    return [
        {
            "Sid": "WriteOwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [f"{group}:log-stream:*"],
        },
        {
            "Sid": "SendToDeadLetterQueue",
            "Effect": "Allow",
            "Action": ["sqs:SendMessage"],
            "Resource": [queue.outputs["arn"]],
        },
    ]
