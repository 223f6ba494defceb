"""python -m bench [--only NAMES] [--quick] [--strict]: every figure, side by side, with targets.

Prints the machine first, then each figure as it is measured, then every target with PASS or MISS.
Exit 1 when a correctness check fails (handler and baseline disagree, ...), or with --strict when
a target is missed; 0 otherwise.
"""

import argparse
import datetime
import os
import platform
import sys
import time

from bench import batch_throughput, cold_start, iam_corpus, policy_cost, preview_cost, security_scan
from bench.timing import table

FIGURES = {
    "cold_start": (cold_start.run, {}, {"rounds": 3}),
    "batch_throughput": (batch_throughput.run, {}, {"rounds": 1}),
    "preview_cost": (preview_cost.run, {}, {"copies": (1, 3, 10), "cli_rounds": 1}),
    "policy_cost": (policy_cost.run, {}, {"count": 1000, "rounds": 1}),
    "iam_corpus": (iam_corpus.run, {}, {"sizes": (50, None), "rounds": 1}),
    "security_scan": (security_scan.run, {}, {}),
}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(
                (line.split(":", 1)[1].strip() for line in info if line.startswith("model name")),
                cpu,
            )
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as info:
            kib = int(next(line for line in info if line.startswith("MemTotal")).split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = ", load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}{load}"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--only", help=f"comma-separated figures to run (default all): {', '.join(FIGURES)}"
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer rounds")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else list(FIGURES)
    unknown = [name for name in names if name not in FIGURES]
    if unknown:
        parser.error(f"unknown figure(s) {', '.join(unknown)}; choose from {', '.join(FIGURES)}")

    started = time.perf_counter()
    print(f"event-pipelines benchmarks, {datetime.date.today().isoformat()}")
    print(f"machine: {machine()}", flush=True)
    if args.quick:
        print("--quick: smaller sizes and fewer rounds than the figures' targets assume")
    figures = []
    for name in names:
        run, full, quick = FIGURES[name]
        figure = run(**(quick if args.quick else full))
        figures.append(figure)
        print(f"\n{figure.render()}", flush=True)

    checks = [check for figure in figures for check in figure.checks]
    print(f"\n== Summary ({time.perf_counter() - started:.0f} s)")
    print(
        "\n".join(
            table(
                ["check", "measured", "asked", "verdict"],
                [[c.name, c.measured, c.target, c.verdict] for c in checks],
            )
        )
    )
    missed = [c for c in checks if not c.sanity and not c.passed]
    failed = [c for c in checks if c.sanity and not c.passed]
    targets = [c for c in checks if not c.sanity]
    print(
        f"\n{len(targets) - len(missed)} of {len(targets)} targets met"
        + (f"; {len(failed)} correctness check(s) FAILED" if failed else "")
    )
    return 1 if failed or (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
