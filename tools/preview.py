"""Offline preview: run a Pulumi program under AWS-shaped mocks and check it with a policy pack.

    python -m tools.preview [--dir PROJECT_DIR] [--stack NAME] [-c KEY=VALUE ...]
                            [--policy-pack DIR] [--policy-config FILE] [--json REPORT]
                            [--unknown-outputs] [--allow-unanswered] [--time-limit SECONDS]

No Pulumi CLI, no credentials, no network. The program runs as `pulumi preview` would run it (its
Pulumi.yaml, the stack's Pulumi.<stack>.yaml config, its working directory); the pack is loaded from
its own __main__.py and sees each resource's inputs, then the whole stack's outputs, as the engine
passes them (see tools.policy_pack). With --unknown-outputs, values the provider computes (ids,
ARNs, URLs) are unknown, as in a first `pulumi preview` of a new stack. Exit 0: no mandatory
violation; 1: at least one; 2: the program, the pack or its config failed, the program called a
lookup the preview cannot answer, or it did not finish in time (the message says which).
"""

import argparse
import gc
import json
import math
import os
import sys
import traceback
from pathlib import Path

import pulumi

from tools import policy_pack
from tools.program import (
    REPO_ROOT,
    ProgramRun,
    Progress,
    add_program_options,
    command_line_config,
    run_program,
)
from tools.time_limit import TimeLimitExceeded, time_limit

DEFAULT_PACK = REPO_ROOT / "policy"
# Our own stacks preview in a few seconds; a program still running after this waits for good.
DEFAULT_TIME_LIMIT = 120.0


def analyzed_resources(run: ProgramRun) -> list:
    """The program's resources as the engine sends them to analyzers, root stack first."""
    root = policy_pack.AnalyzedResource(
        urn=run.root_urn,
        type="pulumi:pulumi:Stack",
        name=f"{run.project}-{run.stack}",
        inputs=policy_pack.to_struct({}),
        outputs=policy_pack.to_struct({}),
    )
    resources = [root]
    for r in run.resources:
        resources.append(
            policy_pack.AnalyzedResource(
                urn=r.urn,
                type=r.type,
                name=r.name,
                inputs=r.wire_inputs,
                outputs=r.wire_outputs if r.wire_outputs is not None else policy_pack.to_struct({}),
                parent=r.parent,
                dependencies=tuple(r.dependencies),
                property_dependencies=r.property_dependencies,
                protect=r.protect,
                delete_before_replace=r.delete_before_replace,
            )
        )
    return resources


def evaluate(run: ProgramRun, pack: policy_pack.PolicyPackRunner) -> list:
    resources = analyzed_resources(run)
    violations = []
    collecting = gc.isenabled()
    gc.disable()  # as for the program (tools.program): many small objects, no cycles worth it
    try:
        for resource in resources[1:]:
            violations.extend(pack.analyze(resource))
        violations.extend(pack.analyze_stack(resources))
    finally:
        if collecting:
            gc.enable()
    return violations


def tree_lines(run: ProgramRun) -> list:
    children: dict = {}
    for r in run.resources:
        children.setdefault(r.parent or run.root_urn, []).append(r)
    lines = [f"{run.project}-{run.stack}  (pulumi:pulumi:Stack)"]

    def walk(urn: str, indent: str) -> None:
        kids = children.get(urn, [])
        for position, child in enumerate(kids):
            last = position == len(kids) - 1
            lines.append(f"{indent}{'└─ ' if last else '├─ '}{child.name}  ({child.type})")
            walk(child.urn, indent + ("   " if last else "│  "))

    walk(run.root_urn, "")
    return lines


def report(run: ProgramRun, violations: list, pack) -> dict:
    return {
        "project": run.project,
        "stack": run.stack,
        "policyPack": {"name": pack.name, "version": pack.version},
        "resources": [
            {
                "urn": run.root_urn,
                "type": "pulumi:pulumi:Stack",
                "name": f"{run.project}-{run.stack}",
                "parent": "",
            }
        ]
        + [
            {"urn": r.urn, "type": r.type, "name": r.name, "parent": r.parent}
            for r in run.resources
        ],
        "violations": [
            {
                "policy": v.policy,
                "enforcement": v.enforcement,
                "urn": v.urn,
                "message": v.message,
                "severity": v.severity,
            }
            for v in violations
        ],
        "unansweredFunctions": run.unanswered,
    }


def print_report(run: ProgramRun, violations: list, pack, config_file, out=None) -> None:
    out = out or sys.stdout
    config = f" with {config_file}" if config_file else ""
    unknowns = ", computed values unknown" if run.unknowns else ""
    print(
        f"Offline preview of stack '{run.stack}' of project '{run.project}' "
        f"(AWS mocked{unknowns}; policy pack {pack.name} v{pack.version}{config})\n",
        file=out,
    )
    for line in tree_lines(run):
        print(f"  {line}", file=out)
    if run.unanswered:
        print(f"\nNot answered offline (returned nothing): {', '.join(run.unanswered)}", file=out)
    mandatory = [v for v in violations if v.mandatory]
    print(f"\nPolicy violations: {len(violations)} ({len(mandatory)} mandatory)", file=out)
    by_urn = {r.urn: r for r in run.resources}
    for v in sorted(violations, key=lambda v: (not v.mandatory, v.policy, v.urn)):
        where = by_urn.get(v.urn)
        target = f"{where.type} {where.name}" if where else (v.urn or "stack")
        print(f"  [{v.enforcement}] {v.policy}  {target}", file=out)
        for line in v.message.splitlines():
            print(f"      {line}", file=out)
    verdict = (
        "no mandatory violation"
        if not mandatory
        else f"{len(mandatory)} mandatory violation(s): `pulumi preview` with this pack fails"
    )
    print(f"\nResult: {verdict}.", file=out)


def _program_failure(error: BaseException, project_dir: Path) -> str:
    if isinstance(error, pulumi.RunError):
        message = f"the program stopped: {error}"
    elif isinstance(error, ModuleNotFoundError):
        message = (
            f"the program imports {error.name!r}, which is not installed in this "
            "environment (the offline preview provides pulumi and pulumi_aws)"
        )
    else:
        frames = [
            f
            for f in traceback.extract_tb(error.__traceback__)
            if str(project_dir) in (f.filename or "")
        ]
        where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
        message = f"the program failed{where}: {type(error).__name__}: {error}"
    notes = getattr(error, "__notes__", [])
    return "\n".join([message, *(f"note: {note}" for note in notes)])


def _ignore_event_loop_finalizer_noise() -> None:
    """After a failed program, event loops the Pulumi SDK opened on worker threads are finalized
    at exit and print a traceback about a closed file descriptor: noise, not a failure."""
    default = sys.unraisablehook

    def hook(unraisable):
        if getattr(unraisable.object, "__qualname__", "") != "BaseEventLoop.__del__":
            default(unraisable)

    sys.unraisablehook = hook


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.preview", description=(__doc__ or "").split("\n\n")[0]
    )
    add_program_options(
        parser, "treat provider-computed values as unknown, as a first preview does"
    )
    parser.add_argument("--policy-pack", type=Path, default=DEFAULT_PACK, help="policy pack dir")
    parser.add_argument(
        "--policy-config",
        type=Path,
        help="policy pack config JSON (default: <pack>/config/<stack>.json)",
    )
    parser.add_argument("--json", type=Path, help="write the report as JSON to this file")
    parser.add_argument(
        "--allow-unanswered",
        action="store_true",
        help="go on when the program calls provider functions the preview cannot answer "
        "(their results are then empty; by default that is an error)",
    )
    parser.add_argument(
        "--time-limit",
        type=_seconds,
        default=DEFAULT_TIME_LIMIT,
        metavar="SECONDS",
        help=f"stop with exit 2 when the program or the pack takes longer "
        f"(default {DEFAULT_TIME_LIMIT:g}; 0: no limit)",
    )
    args = parser.parse_args(argv)

    project_dir = args.dir.resolve()
    config_file = args.policy_config
    if config_file is None and (args.policy_pack / "config" / f"{args.stack}.json").is_file():
        config_file = args.policy_pack / "config" / f"{args.stack}.json"
    progress = Progress()
    roots = [project_dir, args.policy_pack.resolve()]
    try:
        with time_limit(args.time_limit, progress.describe, roots):
            return _preview(args, project_dir, config_file, progress)
    except TimeLimitExceeded as error:
        print(f"error: {error.describe()}", file=sys.stderr)
        return 2


def _seconds(text: str) -> float:
    """A --time-limit: a number of seconds, 0 or inf for none."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if math.isnan(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds (0: no limit)")
    return value


def _preview(args, project_dir: Path, config_file, progress: Progress) -> int:
    try:
        config, secret_keys = command_line_config(args, project_dir)
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        run = run_program(
            project_dir,
            args.stack,
            config=config,
            secret_keys=secret_keys,
            strict=False,
            preview=True,
            unknowns=args.unknown_outputs,
            progress=progress,
        )
    except Exception as error:  # noqa: BLE001 - any failure of the program is reported as such
        print(f"error: {_program_failure(error, project_dir)}", file=sys.stderr)
        return 2
    if run.unanswered and not args.allow_unanswered:
        print(
            "error: the program calls provider functions the offline preview cannot answer: "
            f"{', '.join(run.unanswered)}. Their results would be empty, and the rules would "
            "judge values that are not the program's (docs/policy-pack.md, Running it, lists "
            "what is answered). Run with --allow-unanswered to preview with empty results anyway.",
            file=sys.stderr,
        )
        return 2
    progress.step, progress.loop = "the policy pack", None
    try:
        pack = policy_pack.load(args.policy_pack)
        pack.configure(policy_pack.read_config_file(config_file) if config_file else {})
    except (policy_pack.PolicyPackError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        violations = evaluate(run, pack)
    except Exception as error:  # noqa: BLE001 - a rule that raises fails `pulumi preview` too
        print(f"error: the policy pack failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 2
    print_report(run, violations, pack, config_file)
    if args.json:
        args.json.write_text(json.dumps(report(run, violations, pack), indent=2) + "\n")
    return 1 if any(v.mandatory for v in violations) else 0


if __name__ == "__main__":
    _ignore_event_loop_finalizer_noise()
    # A one-shot process: the cyclic collector would only rescan the whole heap of a large
    # program, again and again, to free nothing before the exit (tools.program says more).
    gc.disable()
    code = main()
    # Leave without tearing the heap down object by object (2.5 s for 3,000 resources) nor
    # joining the threads a stopped program may have left blocked for good: the report is out.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
