"""Events exactly as Lambda delivers them, written for this project in AWS's documented shapes.

`README.md` beside this file lists every file and the AWS page whose shape it follows. The files
hold nothing but the event (no comments, no extra fields): handlers get them as they are.
"""

import json
from pathlib import Path

HERE = Path(__file__).parent
KINDS = ("s3", "dynamodb")


def names(kind: str) -> list:
    """The event files of one kind ("s3" or "dynamodb"), sorted."""
    return sorted(path.name for path in (HERE / kind).glob("*.json"))


def load(kind: str, name: str) -> dict:
    """A fresh copy of one event (handlers may be given it to keep)."""
    return json.loads((HERE / kind / name).read_text(encoding="utf-8"))
