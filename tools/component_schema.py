"""Writes (or checks) provider/schema.json, the schema the component provider serves.

python -m tools.component_schema          # exit 1 when the checked-in schema is out of date
python -m tools.component_schema --write  # after changing an argument or an output
"""

import argparse
import json
import sys

from components import provider
from tools.program import REPO_ROOT

SCHEMA = REPO_ROOT / "provider" / "schema.json"


def rendered() -> str:
    return json.dumps(provider.schema(), indent=2, sort_keys=True) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Writes or checks provider/schema.json.")
    parser.add_argument("--write", action="store_true", help="rewrite provider/schema.json")
    options = parser.parse_args(argv)
    text = rendered()
    if options.write:
        SCHEMA.write_text(text, encoding="utf-8")
        print(f"wrote {SCHEMA.relative_to(REPO_ROOT)}")
        return 0
    if SCHEMA.read_text(encoding="utf-8") != text:
        print(
            f"{SCHEMA.relative_to(REPO_ROOT)} is out of date: python -m tools.component_schema --write"
        )
        return 1
    print(f"{SCHEMA.relative_to(REPO_ROOT)} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
