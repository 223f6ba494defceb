"""What a security reviewer's scanner says of the stacks: checkov on their Terraform plans.

Issue 15: reviewers run checkov, Trivy or KICS on whatever a platform team adopts. Each stack's
resources are written out as a Terraform plan (tools.terraform_plan: the program run offline under
the mocks, as `python -m tools.preview` runs it) and scanned with
`checkov -f plan.json --framework terraform_plan -o json --quiet`, offline (the checkov of
`make bench`, in .venv-checkov; never a dependency of the project or its tests). The table: each
check failed on some stack, the resource types failing it, and how many resources fail it on each
stack; then the number of distinct checks failed per stack.

    python -m bench.security_scan [--stacks dev,prod] [--dir PROJECT_DIR] [--checkov PATH]
                                  [--unknown-outputs] [--json REPORT]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.iam_corpus import find_checkov
from bench.timing import Check, Figure
from tools.program import REPO_ROOT, stack_config
from tools.terraform_plan import stack_plan

STACKS = ("dev", "prod")
# As bench.iam_corpus runs it: no Prisma Cloud mapping download, no package scan, so offline.
CHECKOV_ENV = {
    "BC_SKIP_MAPPING": "TRUE",
    "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
    "BC_SKIP_DOWNLOAD_EXTERNAL_CHECKS": "true",
    "CHECKOV_NO_OUTPUT_COLOR": "1",
}


def scan(executable: str, plan_file: Path) -> dict:
    """checkov's verdict on one plan: {"failed": [{check_id, check_name, resource, type}],
    "passed": n, "resources": n, "version": "...", "seconds": s}."""
    start = time.perf_counter()
    done = subprocess.run(
        [executable, "-f", str(plan_file), "--framework", "terraform_plan", "-o", "json"]
        + ["--quiet"],
        cwd=plan_file.parent,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **CHECKOV_ENV},
    )
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise RuntimeError(f"checkov failed ({done.returncode}):\n{done.stderr[-2000:]}")
    report = json.loads(done.stdout or "{}")
    reports = report if isinstance(report, list) else [report]
    failed = []
    for part in reports:
        for item in (part.get("results") or {}).get("failed_checks") or []:
            failed.append(
                {
                    "check_id": item["check_id"],
                    "check_name": item.get("check_name", ""),
                    "resource": item["resource"],
                    "type": item["resource"].split(".")[0],
                }
            )
    summary = reports[0].get("summary", {}) if reports else {}
    return {
        "failed": failed,
        "passed": summary.get("passed", 0),
        "resources": summary.get("resource_count", 0),
        "version": summary.get("checkov_version", ""),
        "seconds": seconds,
    }


def by_check(results: dict) -> dict:
    """check id -> {"name", "types": {type}, stack: number of failing resources}."""
    checks: dict = {}
    for stack, result in results.items():
        for item in result["failed"]:
            entry = checks.setdefault(
                item["check_id"], {"name": item["check_name"], "types": set(), "resources": {}}
            )
            entry["types"].add(item["type"])
            entry["resources"].setdefault(stack, set()).add(item["resource"])
    return checks


def _check_order(check_id: str) -> tuple:
    prefix, _, number = check_id.rpartition("_")
    return (prefix, int(number) if number.isdigit() else 0, check_id)


# The checks prod still fails, each a choice docs/security-posture.md explains (with the
# setting that changes it, where one does). A prod failure outside this set is a regression.
EXPLAINED_IN_PROD = frozenset(
    {
        "CKV2_AWS_4",  # execution logging off: it can log request bodies; access logs are on
        "CKV2_AWS_42",  # custom certificate: needs a domain of yours (notesApi.siteDomain)
        "CKV_AWS_174",  # TLS 1.2 minimum: likewise; the default certificate allows TLSv1
        "CKV2_AWS_47",  # WAF with AnonymousIpList too: it would block VPN users
        "CKV2_AWS_77",  # likewise for the API stage
        "CKV2_AWS_51",  # client certificates: browsers of the public are the clients
        "CKV2_AWS_53",  # request validation on OPTIONS: preflights carry no body
        "CKV2_AWS_62",  # event notifications on every bucket: only pipelines' sources need them
        "CKV_AWS_18",  # access logging of the log bucket itself: it would log its own writes
        # versioning: logs, audio, site files and image uploads (docs/security-posture.md: why)
        "CKV_AWS_21",
        "CKV_AWS_86",  # CloudFront logging: on, through standard logging v2 (checkov reads v1)
        "CKV_AWS_115",  # reserved concurrency: notes API only; pipelines per config
        "CKV_AWS_116",  # dead_letter_config: on-failure destinations are used instead
        "CKV_AWS_117",  # VPC: the functions reach only AWS APIs
        "CKV_AWS_120",  # API caching: every answer is one user's
        "CKV_AWS_225",  # likewise
        "CKV_AWS_144",  # cross-region replication: not a requirement here; doubles storage
        "CKV_AWS_145",  # KMS on every bucket: the log bucket must be SSE-S3
        "CKV_AWS_158",  # KMS on every log group: the CloudFront ACL's group is in us-east-1
        "CKV_AWS_259",  # HSTS preload: commits a domain to browsers' lists; not for *.cloudfront.net
        "CKV_AWS_310",  # origin failover: one bucket, one region
        "CKV_AWS_355",  # "*" resource: polly:SynthesizeSpeech, which Polly documents on "*"
        "CKV_AWS_374",  # geo restriction: the notes site is for anyone
    }
)


def run(
    stacks: tuple = STACKS,
    project_dir: Path = REPO_ROOT,
    checkov_path: str | None = None,
    unknowns: bool = False,
    keep: dict | None = None,
) -> Figure:
    """The figure; `keep`, when given, receives the plans and checkov's results by stack."""
    started = time.perf_counter()
    executable = find_checkov(checkov_path)
    figure = Figure(
        title="Security scan: checkov on each stack written out as a Terraform plan",
        columns=["check", "name", "resource types failing", *stacks],
    )
    if executable is None:
        figure.notes.append("checkov not installed: `make bench` installs it in .venv-checkov")
        figure.seconds = time.perf_counter() - started
        return figure
    results, plans = {}, {}
    with tempfile.TemporaryDirectory(prefix="bench-security-scan-") as scratch:
        for stack in stacks:
            config, secret_keys = stack_config(Path(project_dir).resolve(), stack)
            plan = stack_plan(project_dir, stack, config, secret_keys, unknowns=unknowns)
            plan_file = Path(scratch) / stack / "plan.json"
            plan_file.parent.mkdir()
            plan_file.write_text(json.dumps(plan))
            plans[stack] = plan
            results[stack] = scan(executable, plan_file)
    checks = by_check(results)
    for check_id in sorted(checks, key=_check_order):
        entry = checks[check_id]
        figure.rows.append(
            [
                check_id,
                entry["name"],
                ", ".join(sorted(entry["types"])),
                *[len(entry["resources"].get(stack, ())) for stack in stacks],
            ]
        )
    for stack in stacks:
        planned = len(plans[stack]["planned_values"]["root_module"]["resources"])
        distinct = len({item["check_id"] for item in results[stack]["failed"]})
        figure.checks.append(
            Check(
                f"{stack}: checkov read every resource of the plan",
                f"{results[stack]['resources']} of {planned}",
                f"{planned}",
                results[stack]["resources"] == planned,
                sanity=True,
            )
        )
        figure.notes.append(
            f"{stack}: {distinct} distinct checks failed ({len(results[stack]['failed'])} "
            f"failures, {results[stack]['passed']} passed) on {planned} resources; checkov "
            f"{results[stack]['version']}, {results[stack]['seconds']:.1f} s"
        )
    if "prod" in results:
        unexplained = sorted(
            {item["check_id"] for item in results["prod"]["failed"]} - EXPLAINED_IN_PROD
        )
        figure.checks.append(
            Check(
                "prod: every failed check is one docs/security-posture.md explains",
                ", ".join(unexplained) or "none unexplained",
                "none unexplained",
                not unexplained,
                sanity=True,
            )
        )
    union = len(checks)
    figure.notes.append(f"distinct checks failed on any stack: {union}")
    figure.notes.append(
        "counts: resources failing the check on the stack; values known as the mocks answer"
        + (", computed outputs unknown (--unknown-outputs)" if unknowns else "")
    )
    if keep is not None:
        keep.update({"plans": plans, "results": results})
    figure.seconds = time.perf_counter() - started
    return figure


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.security_scan", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--stacks", default=",".join(STACKS), help="comma-separated stacks")
    parser.add_argument("--dir", type=Path, default=REPO_ROOT, help="Pulumi project directory")
    parser.add_argument("--checkov", help="checkov executable (default: .venv-checkov, PATH)")
    parser.add_argument(
        "--unknown-outputs",
        action="store_true",
        help="provider-computed values unknown, as in a first preview",
    )
    parser.add_argument("--json", type=Path, help="also write the failed checks as JSON here")
    args = parser.parse_args(argv)
    stacks = tuple(s for s in args.stacks.split(",") if s)
    kept: dict = {}
    figure = run(stacks, args.dir, args.checkov, args.unknown_outputs, keep=kept)
    print(figure.render())
    if args.json and kept:
        report = {
            stack: sorted(
                result["failed"], key=lambda i: (_check_order(i["check_id"]), i["resource"])
            )
            for stack, result in kept["results"].items()
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if figure.sound else 1


if __name__ == "__main__":
    sys.exit(main())
