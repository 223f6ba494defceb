"""Figure 5: the offline gate on real IAM policies, beside checkov on the same documents.

The corpus: every AWS managed policy (moto's copy of AWS's documents) and our own least-privilege
examples written in the shapes of AWS's documented policies (bench/iam_corpus_examples.py). Each
document becomes a role and its inline policy in one generated Pulumi program (the resource passed
as `role=role`, as real programs write it), previewed by `python -m tools.preview` in a child
process: what CI waits for, interpreter start, program, pack and report included. The same
documents as a Terraform plan (aws_iam_role + aws_iam_role_policy) go to checkov, when a checkov
executable is given (`make bench` installs one in its own environment, .venv-checkov; it is never
a dependency of the project or its tests), in alternating order with the gate.

Sizes 50, 500 and every document show how the cost per resource grows.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.timing import Check, Figure, last_json_line, median, python_child
from tools.program import REPO_ROOT

GATE_TARGET_S = 6.0  # on the whole corpus
CHECKOV_RATIO_TARGET = 1 / 3  # the gate's time over checkov's, at most
LINEAR_TARGET = 1.10  # seconds ~ resources^k, k at most (as bench.preview_cost)
SIZES = (50, 500, None)  # documents; None: all

PROGRAM = '''\
"""Each document of documents.json as a role and its inline policy (bench.iam_corpus)."""

import json
from pathlib import Path

import pulumi_aws as aws

TRUST = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": "lambda.amazonaws.com"}}],
})
for number, item in enumerate(json.loads(Path("documents.json").read_text())):
    role = aws.iam.Role(f"role-{number}", assume_role_policy=TRUST)
    aws.iam.RolePolicy(f"policy-{number}", role=role, policy=json.dumps(item["document"]))
'''


def documents(limit: int | None = None) -> list:
    """[{"name", "source", "document"}]: the managed policies, then our examples."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    managed = [
        {"name": name, "source": "AWS managed policy", "document": entry["Document"]}
        for name, entry in sorted(json.loads(aws_managed_policies_data).items())
    ]
    try:
        from bench.iam_corpus_examples import LEAST_PRIVILEGE
    except ImportError:  # pragma: no cover - the examples ship with the repository
        LEAST_PRIVILEGE = []
    corpus = managed + list(LEAST_PRIVILEGE)
    if limit is None:
        return corpus
    # An even spread, so every size holds managed policies and examples alike.
    step = len(corpus) / limit
    return [corpus[int(i * step)] for i in range(limit)]


def write_program(directory: Path, items: list) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text("name: iam-corpus\nruntime: python\n")
    (directory / "__main__.py").write_text(PROGRAM)
    (directory / "documents.json").write_text(json.dumps(items))
    return directory


def terraform_plan(items: list) -> dict:
    """The same roles and policies as `terraform show -json` prints a plan of them."""
    resources = []
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                }
            ],
        }
    )
    for number, item in enumerate(items):
        resources.append(
            {
                "address": f"aws_iam_role.role_{number}",
                "mode": "managed",
                "type": "aws_iam_role",
                "name": f"role_{number}",
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "values": {"name": f"role-{number}", "assume_role_policy": trust},
            }
        )
        resources.append(
            {
                "address": f"aws_iam_role_policy.policy_{number}",
                "mode": "managed",
                "type": "aws_iam_role_policy",
                "name": f"policy_{number}",
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "values": {
                    "name": f"policy-{number}",
                    "role": f"role-{number}",
                    "policy": json.dumps(item["document"]),
                },
            }
        )
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "planned_values": {"root_module": {"resources": resources}},
        "resource_changes": [
            {
                **{k: r[k] for k in ("address", "mode", "type", "name", "provider_name")},
                "change": {"actions": ["create"], "before": None, "after": r["values"]},
            }
            for r in resources
        ],
        "configuration": {"root_module": {}},
    }


def gate(project: Path) -> dict:
    """`python -m tools.preview` on the program, timed from outside; what it found."""
    report = project / "report.json"
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "tools.preview", "--dir", str(project), "--json", str(report)]
        + ["--time-limit", "600"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise RuntimeError(f"the gate failed on the corpus:\n{done.stderr}")
    found = json.loads(report.read_text())
    return {
        "seconds": seconds,
        "resources": len(found["resources"]) - 1,  # without the root stack
        "violations": len(found["violations"]),
        "refused": len({v["urn"] for v in found["violations"] if v["enforcement"] == "mandatory"}),
    }


def inner(project: Path) -> dict:
    """The program and the pack timed inside one process (python -m bench.iam_corpus --inner),
    after imports, the pack's loading and a two-document warm-up: the cost that grows with the
    corpus, without the fixed start-up that would weigh on small sizes."""
    import gc

    from tools import policy_pack, preview
    from tools.program import run_program

    pack = policy_pack.load(REPO_ROOT / "policy")
    pack.configure({})
    gc.disable()  # as `python -m tools.preview` runs
    with tempfile.TemporaryDirectory(prefix="bench-iam-warm-") as scratch:
        # Two other documents first: pulumi_aws imports its modules on first use.
        warm = write_program(Path(scratch), documents()[-2:])
        preview.evaluate(run_program(warm, "dev", strict=False, preview=True), pack)
    start = time.perf_counter()
    run_ = run_program(project, "dev", strict=False, preview=True)
    ran = time.perf_counter()
    preview.evaluate(run_, pack)
    done = time.perf_counter()
    return {"resources": len(run_.resources), "program": ran - start, "policy": done - ran}


def inner_child(project: Path) -> dict:
    output = python_child(
        ["-m", "bench.iam_corpus", "--inner", str(project)], "timing the corpus", cwd=REPO_ROOT
    )
    return last_json_line(output)


def checkov(executable: str, plan: Path) -> dict:
    start = time.perf_counter()
    done = subprocess.run(
        [executable, "-f", str(plan), "--framework", "terraform_plan", "-o", "json", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"},
    )
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise RuntimeError(f"checkov failed:\n{done.stderr[-2000:]}")
    report = json.loads(done.stdout or "{}")
    reports = report if isinstance(report, list) else [report]
    failed = [c for r in reports for c in (r.get("results") or {}).get("failed_checks", [])]
    return {
        "seconds": seconds,
        "failed": len(failed),
        "resources": len({c["resource"] for c in failed}),
    }


def find_checkov(given: str | None) -> str | None:
    if given:
        return given
    local = REPO_ROOT / ".venv-checkov" / "bin" / "checkov"
    return str(local) if local.exists() else shutil.which("checkov")


def run(sizes: tuple = SIZES, rounds: int = 3, checkov_path: str | None = None) -> Figure:
    started = time.perf_counter()
    executable = find_checkov(checkov_path)
    figure = Figure(
        title="IAM corpus: AWS managed policies + least-privilege examples, gate vs checkov",
        columns=[
            "documents",
            "resources",
            "gate s",
            "in-process ms/resource",
            "refused",
            "checkov s",
            "runs",
        ],
    )
    points, largest = [], None
    with tempfile.TemporaryDirectory(prefix="bench-iam-corpus-") as scratch:
        for size in sizes:
            items = documents(size)
            project = write_program(Path(scratch) / f"corpus-{len(items)}", items)
            plan = Path(scratch) / f"plan-{len(items)}.json"
            plan.write_text(json.dumps(terraform_plan(items)))
            measured: dict = {"gate": [], "checkov": [], "inner": []}
            times = rounds if size == sizes[-1] else 1
            for round_number in range(times):
                order = ["gate", "checkov"] if round_number % 2 == 0 else ["checkov", "gate"]
                for name in order:
                    if name == "gate":
                        measured["gate"].append(gate(project))
                        measured["inner"].append(inner_child(project))
                    elif executable and size == sizes[-1]:
                        measured["checkov"].append(checkov(executable, plan))
            gates, checkovs = measured["gate"], measured["checkov"]
            seconds = median([g["seconds"] for g in gates])
            inside = median([i["program"] + i["policy"] for i in measured["inner"]])
            resources = gates[0]["resources"]
            checkov_s = median([c["seconds"] for c in checkovs]) if checkovs else None
            figure.rows.append(
                [
                    len(items),
                    resources,
                    f"{seconds:.2f}",
                    f"{inside / resources * 1e3:.2f}",
                    gates[0]["refused"],
                    f"{checkov_s:.2f}" if checkov_s is not None else "",
                    len(gates),
                ]
            )
            points.append((resources, inside))
            largest = (seconds, checkov_s, resources, size is None)
    seconds, checkov_s, resources, whole = largest
    if not whole:
        figure.notes.append("not the whole corpus: the 6 s target is meant for all of it")
    figure.checks.append(
        Check(
            f"gate on {'the whole corpus' if whole else 'the corpus'} ({resources} resources)",
            f"{seconds:.2f} s",
            f"< {GATE_TARGET_S:.0f} s",
            seconds < GATE_TARGET_S,
        )
    )
    if checkov_s is not None:
        figure.checks.append(
            Check(
                "gate / checkov, same documents, one run",
                f"{seconds / checkov_s:.2f} ({seconds:.1f} s / {checkov_s:.1f} s)",
                f"<= {CHECKOV_RATIO_TARGET:.2f}",
                seconds / checkov_s <= CHECKOV_RATIO_TARGET,
            )
        )
    else:
        figure.notes.append("checkov not installed: `make bench` installs it in .venv-checkov")
    if len(points) >= 2:
        from bench.preview_cost import growth_exponent

        exponent = growth_exponent(points)
        figure.checks.append(
            Check(
                "flat cost per resource: seconds ~ resources^k",
                f"k = {exponent:.2f}",
                f"k <= {LINEAR_TARGET:.2f}",
                exponent <= LINEAR_TARGET,
            )
        )
    figure.notes.append(
        "gate s: `python -m tools.preview` wall time (interpreter, imports, program, pack, "
        "report), what CI waits for; ms/resource and the growth exponent: program and pack "
        "inside one process, without the fixed start-up; refused: resources with a mandatory "
        "finding"
    )
    figure.seconds = time.perf_counter() - started
    return figure


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.iam_corpus")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--checkov", help="checkov executable (default: .venv-checkov, PATH)")
    parser.add_argument("--inner", type=Path, help=argparse.SUPPRESS)  # one child's sample
    args = parser.parse_args(argv)
    if args.inner:
        print(json.dumps(inner(args.inner)))
        return 0
    print(run(rounds=args.rounds, checkov_path=args.checkov).render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
