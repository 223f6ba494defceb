"""Side-by-side timing: interleaved rounds, medians, ratios with their spread, and the tables."""

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field


def interleaved(rounds: int, contenders: dict, warmup: int = 0) -> dict:
    """Run every contender once per round, alternating the order (A B, B A, ...) so a drift of the
    machine's speed during the run weighs on all of them alike.

    `contenders` maps a name to a callable that either returns the seconds it measured itself (a
    child process timing its own import) or None, then its wall time is taken. Returns name ->
    list of seconds, one per round, in round order (so per-round ratios pair up).
    """
    names = list(contenders)
    samples: dict = {name: [] for name in names}
    for round_number in range(warmup + rounds):
        order = names if round_number % 2 == 0 else names[::-1]
        for name in order:
            seconds = timed(contenders[name])
            if round_number >= warmup:
                samples[name].append(seconds)
    return samples


def python_child(args: list, what: str, cwd, env: dict | None = None, ok=(0,)) -> str:
    """Run this interpreter with `args` in a fresh process; its standard output. A child that
    exits otherwise than `ok` fails the benchmark, with its standard error."""
    done = subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=os.environ if env is None else env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode not in ok:
        raise RuntimeError(f"{what} failed:\n{done.stderr}")
    return done.stdout


def last_json_line(output: str):
    """What a benchmark child printed last, as JSON (earlier lines may be warnings)."""
    return json.loads(output.strip().splitlines()[-1])


def timed(call: Callable) -> float:
    start = time.perf_counter()
    measured = call()
    elapsed = time.perf_counter() - start
    return float(measured) if measured is not None else elapsed


@dataclass(frozen=True)
class Ratio:
    """A / B: the ratio of the medians, and the lowest and highest ratio of one round's pair."""

    value: float
    low: float
    high: float
    rounds: int

    def __str__(self) -> str:
        return f"{self.value:.2f}x ({self.low:.2f}-{self.high:.2f})"


def ratio(a: list, b: list) -> Ratio:
    if len(a) != len(b) or not a:
        raise ValueError("ratio needs the same non-zero number of samples on both sides")
    per_round = [x / y for x, y in zip(a, b, strict=True)]
    return Ratio(
        statistics.median(a) / statistics.median(b), min(per_round), max(per_round), len(a)
    )


def median(samples: list) -> float:
    return statistics.median(samples)


@dataclass
class Check:
    """One target: what was measured against what was asked."""

    name: str
    measured: str
    target: str
    passed: bool
    sanity: bool = False  # a correctness check (same outcome...), not a performance target

    @property
    def verdict(self) -> str:
        if self.sanity:
            return "ok" if self.passed else "FAILED"
        return "PASS" if self.passed else "MISS"


@dataclass
class Figure:
    """One benchmark's result: a table of measurements and the targets it was held to."""

    title: str
    columns: list
    rows: list = field(default_factory=list)
    checks: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    seconds: float = 0.0  # what the benchmark itself took

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def sound(self) -> bool:
        """No correctness check failed (performance targets aside)."""
        return all(check.passed for check in self.checks if check.sanity)

    def render(self) -> str:
        lines = [f"== {self.title}  ({self.seconds:.1f} s)"]
        lines += table(self.columns, self.rows)
        if self.checks:
            lines.append("")
            lines += table(
                ["target", "measured", "asked", "verdict"],
                [[c.name, c.measured, c.target, c.verdict] for c in self.checks],
            )
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)


def table(columns: list, rows: list) -> list:
    """Plain-text columns: text left-aligned, numbers right-aligned."""
    cells = [[str(c) for c in columns]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    numeric = [
        all(_looks_numeric(row[i]) for row in cells[1:]) and len(cells) > 1
        for i in range(len(columns))
    ]

    def line(row: list) -> str:
        return (
            "  "
            + "  ".join(
                cell.rjust(width) if is_number else cell.ljust(width)
                for cell, width, is_number in zip(row, widths, numeric, strict=True)
            ).rstrip()
        )

    rule = "  " + "  ".join("-" * width for width in widths)
    return [line(cells[0]), rule] + [line(row) for row in cells[1:]]


def _looks_numeric(text: str) -> bool:
    stripped = text.replace(",", "").replace("x", "").replace("%", "").split(" ")[0]
    try:
        float(stripped)
    except ValueError:
        return False
    return True
