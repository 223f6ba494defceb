"""Run the offline preview on every Python program of a checkout of pulumi/examples.

    python -m bench.example_programs PATH_TO_EXAMPLES [--time-limit 60] [--unknown-outputs]
        [--json FILE]

Finds each Pulumi.yaml with a Python runtime, keeps the programs whose packages are installed
here (those needing pulumi_random, pulumi_docker, ... are listed as skipped, with the package),
and runs `python -m tools.preview --dir PROGRAM` in a child process, each with the config its
README asks for (CONFIG below, stand-in values). A program "runs" when the preview exits 0 or 1
(it finished, whatever the pack's verdict); exit 2 is a failure, printed with its first line.
The checkout is never copied into this repository: pass its path.
"""

import argparse
import ast
import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

import yaml

from tools.program import REPO_ROOT, program_entry

# What each README says to `pulumi config set`, with stand-in values.
CONFIG = {
    "aws-py-assume-role/assume-role": {
        "aws:region": "us-east-1",
        "roleToAssumeARN": "arn:aws:iam::123456789012:role/allow-s3-management",
    },
    "aws-py-assume-role/create-role": {
        "aws:region": "us-east-1",
        "unprivilegedUsername": "somebody@example.com",
    },
    "aws-py-ecs-instances-autoapi/py-ecs-instance": {"cfg:autoscalingGroupSize": "2"},
    "aws-py-redshift-glue-etl": {
        "aws:region": "us-west-2",
        "clusterDBName": "dev",
        "clusterDBUsername": "admin",
        "clusterDBPassword": "Offline-preview-1",
        "clusterIdentifier": "etl",
        "clusterNodeType": "ra3.xlplus",
        "glueDBName": "etl",
    },
    "aws-py-stackreference/company": {"companyName": "ACME Widget Company"},
    "aws-py-stackreference/department": {
        "departmentName": "E-Commerce",
        "companyStack": "acme/aws-py-stackreference-company/dev",
    },
    "aws-py-stackreference/team": {
        "teamName": "Frontend Dev",
        "companyStack": "acme/aws-py-stackreference-company/dev",
        "departmentStack": "acme/aws-py-stackreference-department/dev",
    },
    "aws-py-static-website": {
        "aws:region": "us-west-2",
        "targetDomain": "www.example.com",
        "pathToWebsiteContents": "www",
    },
    "aws-ts-vpc-with-ecs-fargate-py/ecs-fargate-python": {
        "mystackpath": "acme/vpc-with-ecs-fargate/dev",
    },
    "misc/benchmarks/py-many-resources": {
        "resource_count": "10",
        "resource_payload_bytes": "100",
    },
}


def python_programs(root: Path) -> list:
    found = []
    for settings in sorted(root.rglob("Pulumi.yaml")):
        if "node_modules" in settings.parts:
            continue
        try:
            project = yaml.safe_load(settings.read_text()) or {}
        except yaml.YAMLError:
            continue
        runtime = project.get("runtime")
        name = runtime.get("name") if isinstance(runtime, dict) else runtime
        if name == "python":
            found.append(settings.parent)
    return found


def _imports(source: Path) -> set:
    try:
        tree = ast.parse(source.read_text())
    except (SyntaxError, UnicodeDecodeError, OSError):
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def missing_packages(program: Path) -> list:
    """Modules the program imports, from its entry point through its own modules, that are
    not installed here. Files it only ships (a Glue job's script, a Lambda's code) are not
    followed: the program never imports them."""
    try:
        entry = program_entry(program)
    except (FileNotFoundError, KeyError):
        return ["(no Python entry point)"]
    base = entry.parent
    seen, missing, todo = set(), set(), [entry]
    while todo:
        source = todo.pop()
        if source in seen:
            continue
        seen.add(source)
        for name in _imports(source):
            local = [base / f"{name}.py", base / name / "__init__.py"]
            found = next((path for path in local if path.is_file()), None)
            if found is not None:
                todo.append(found)
            elif importlib.util.find_spec(name) is None:
                missing.add(name)
    return sorted(missing)


def preview(program: Path, relative: str, time_limit: float, unknown_outputs: bool = False) -> dict:
    argv = [sys.executable, "-m", "tools.preview", "--dir", str(program)]
    argv += ["--time-limit", str(time_limit)]
    if unknown_outputs:  # as a first preview: outputs the provider computes are unknown
        argv.append("--unknown-outputs")
    for key, value in CONFIG.get(relative, {}).items():
        argv += ["-c", f"{key}={value}"]
    started = time.perf_counter()
    try:
        done = subprocess.run(
            argv,
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=time_limit + 30,
            check=False,
        )
        code, out, err = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired:  # the tool's own limit failed: a hang
        code, out, err = None, "", "killed: the preview outlived its time limit"
    seconds = time.perf_counter() - started
    verdict = next((line for line in out.splitlines() if line.startswith("Policy violations")), "")
    return {
        "program": relative,
        "exit": code,
        "seconds": round(seconds, 1),
        "verdict": verdict,
        "error": (err.strip().splitlines() or [""])[0][:300] if code not in (0, 1) else "",
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.example_programs")
    parser.add_argument("examples", type=Path, help="a checkout of pulumi/examples")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument(
        "--unknown-outputs", action="store_true", help="preview as a first preview would"
    )
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    root = args.examples.resolve()
    results, skipped = [], []
    for program in python_programs(root):
        relative = str(program.relative_to(root))
        missing = missing_packages(program)
        if missing:
            skipped.append({"program": relative, "missing": missing})
            continue
        result = preview(program, relative, args.time_limit, args.unknown_outputs)
        results.append(result)
        status = "runs" if result["exit"] in (0, 1) else f"FAILS (exit {result['exit']})"
        print(f"{relative:60} {status:16} {result['seconds']:6.1f} s  {result['verdict']}")
        if result["error"]:
            print(f"    {result['error']}")
    ran = sum(r["exit"] in (0, 1) for r in results)
    print(f"\n{ran} of {len(results)} programs that need no package beyond ours run")
    print(f"{len(skipped)} skipped for packages not installed here:")
    for item in skipped:
        print(f"  {item['program']}: {', '.join(item['missing'])}")
    if args.json:
        args.json.write_text(json.dumps({"results": results, "skipped": skipped}, indent=2))
    return 0 if ran == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
