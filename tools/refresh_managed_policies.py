"""Refresh the policy pack's snapshot of AWS managed policy documents.

    python -m tools.refresh_managed_policies

The pack judges an attached AWS managed policy by its document (policy/least_privilege/
managed_policies.py). The documents come from moto, which keeps a copy of every AWS managed
policy up to date from AWS (`make aws_managed_policies` in its repository) and ships it with each
release: a maintained package we already pin for the tests. Updating moto and running this
command refreshes the snapshot; the file records the moto version and the date it was taken.
"""

import datetime
import gzip
import json
import sys
from importlib.metadata import version
from pathlib import Path

from moto.iam.aws_managed_policies import aws_managed_policies_data

SNAPSHOT = (
    Path(__file__).resolve().parent.parent
    / "policy"
    / "least_privilege"
    / "data"
    / "aws_managed_policies.json.gz"
)


def snapshot(taken: str) -> dict:
    policies = json.loads(aws_managed_policies_data)
    return {
        "source": f"moto {version('moto')} (moto/iam/aws_managed_policies.py)",
        "taken": taken,
        "policies": {
            name: {
                "path": entry.get("Path") or "/",
                "version": entry.get("DefaultVersionId"),
                "updated": entry.get("UpdateDate"),
                "document": entry["Document"],
            }
            for name, entry in sorted(policies.items())
        },
    }


def write(data: dict, path: Path = SNAPSHOT) -> None:
    text = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same documents give the same bytes, so a refresh that changes nothing is no diff.
    path.write_bytes(gzip.compress(text, compresslevel=9, mtime=0))


def main() -> int:
    data = snapshot(datetime.date.today().isoformat())
    write(data)
    print(f"{len(data['policies'])} AWS managed policies from {data['source']} -> {SNAPSHOT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
