"""Compare the policy pack's privilege-escalation paths with a checkout of pathfinding.cloud.

    python -m tools.escalation_paths PATH_TO_PATHFINDING_CLOUD

Reads every path of the catalog (data/paths/aws/<service>/<id>.yaml, and the older layout
data/paths/<service>/<id>.yaml), takes each path's id and required permissions, and prints the
paths the pack lacks, those it has but the catalog no longer lists, and those whose permissions
differ, as lines to apply to PATHS in policy/least_privilege/escalation.py (by hand: a new action
may belong in RUN_ONLY). Exit 1 when anything differs. The checkout is read, never copied.
"""

import argparse
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "policy"))
from least_privilege import escalation  # the pack's package, by path


def catalog_paths(root: Path) -> dict:
    found = {}
    for pattern in ("data/paths/aws/*/*.yaml", "data/paths/*/*.yaml"):
        for file in sorted(root.glob(pattern)):
            data = yaml.safe_load(file.read_text()) or {}
            required = (data.get("permissions") or {}).get("required") or []
            actions = tuple(p["permission"] for p in required if isinstance(p, dict))
            if data.get("id") and actions:
                found.setdefault(data["id"], actions)  # the aws/ layout wins
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.escalation_paths")
    parser.add_argument("checkout", type=Path)
    args = parser.parse_args(argv)
    theirs = catalog_paths(args.checkout)
    ours = escalation.PATHS
    differences = 0
    for path_id in sorted(set(theirs) | set(ours)):
        if path_id not in ours:
            print(f"new:      {path_id!r}: {theirs[path_id]!r},")
        elif path_id not in theirs:
            if path_id not in escalation.EARLIER_PATHS:
                print(f"absent:   {path_id!r} (not in this checkout: an older one, or dropped)")
            else:
                continue
        elif theirs[path_id] != ours[path_id]:
            print(f"changed:  {path_id!r}: {theirs[path_id]!r},  # was {ours[path_id]!r}")
        else:
            continue
        differences += 1
    print(f"{len(theirs)} catalog paths, {len(ours)} in the pack, {differences} difference(s)")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
