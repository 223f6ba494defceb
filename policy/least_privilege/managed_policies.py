"""AWS managed policies, by their documents.

AWS managed policies change, and their names say little: `job-function/SystemAdministrator` grants
far more than a system administrator's job. The pack therefore judges an attached AWS managed
policy by its document, read from a snapshot of every AWS managed policy shipped as data
(data/aws_managed_policies.json.gz: the documents, where they came from and the date they were
taken; `python -m tools.refresh_managed_policies` refreshes it from moto). A policy missing from
the snapshot (newer than it, or mistyped) can only be judged by its name.
"""

import gzip
import json
import re
from functools import cache
from pathlib import Path

SNAPSHOT = Path(__file__).resolve().parent / "data" / "aws_managed_policies.json.gz"

# Every partition (aws, aws-cn, aws-us-gov, aws-iso*, aws-eusc); the path is optional.
MANAGED_POLICY_ARN = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy(/(?:.*/)?)([^/]+)$")


@cache
def _snapshot() -> dict:
    return json.loads(gzip.decompress(SNAPSHOT.read_bytes()))


def source() -> str:
    """Where the snapshot came from and when, for messages."""
    data = _snapshot()
    return f"{data['source']}, taken {data['taken']}"


def names() -> list:
    return sorted(_snapshot()["policies"])


def parse_arn(arn) -> tuple | None:
    """(path, name) of an AWS managed policy ARN, else None."""
    match = MANAGED_POLICY_ARN.match(arn) if isinstance(arn, str) else None
    return (match.group(1), match.group(2)) if match else None


def document(arn: str) -> dict | None:
    """The document of the AWS managed policy `arn` names, or None when the snapshot lacks it
    (a policy's name is unique among AWS managed policies; its path must match too)."""
    parsed = parse_arn(arn)
    if parsed is None:
        return None
    path, name = parsed
    entry = _snapshot()["policies"].get(name)
    if entry is None or entry["path"] != path:
        return None
    return entry["document"]


def arn_of(name: str, partition: str = "aws") -> str | None:
    entry = _snapshot()["policies"].get(name)
    return f"arn:{partition}:iam::aws:policy{entry['path']}{name}" if entry else None
