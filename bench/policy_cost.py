"""Figure 4: the policy pack's cost per resource, at the dev stack's size and over 5,000 resources.

The resources are the dev stack's own registrations (roles, inline policies, buckets and their
side resources, functions, mappings, permissions, tables, an API...), as tools.preview hands them
to the pack, with one log group's retention removed (one finding per copy), repeated with fresh
URNs (parents and dependencies renamed alike) up to the count.
Each round evaluates the stack as it is and the 5,000, in alternating order, in one fresh
interpreter (`python -m bench.policy_cost`), through the pack's own analyzer (tools.policy_pack):
Analyze per resource (resource rules) and AnalyzeStack once (stack rules).
"""

import argparse
import dataclasses
import gc
import hashlib
import json
import re
import sys
import time

from google.protobuf import json_format, struct_pb2

from bench.timing import Check, Figure, interleaved, last_json_line, median, python_child, ratio
from tools.program import REPO_ROOT

RESOURCES = 5000
TARGET_MS = 1.0  # per resource, below


# Physical names the mocks derive from logical names end in "-" and 7 hex digits (a bucket
# "notes-audio-70643ec", its ARN, the policies naming it): each copy gets its own digits, so its
# resources refer to one another and never to another copy's, as in a stack with N pipelines.
PHYSICAL_SUFFIX = re.compile(r"-([0-9a-f]{7})\b")


def _renamed(struct, copy: int):
    if copy == 0 or struct is None:
        return struct
    text = PHYSICAL_SUFFIX.sub(
        lambda m: "-" + hashlib.sha1(f"{m.group(1)}:{copy}".encode()).hexdigest()[:7],
        json_format.MessageToJson(struct),
    )
    return json_format.Parse(text, struct_pb2.Struct())


def scaled(resources: list, count: int) -> list:
    """`resources` (root stack first) repeated in whole copies up to at least `count`, each copy
    with its own URNs, logical and physical names (a copy cut short would lack, say, a bucket's
    policy, and be found wanting)."""
    root, rest = resources[0], resources[1:]
    out = [root]
    copy = 0
    while len(out) < count:
        suffix = "" if copy == 0 else f"-c{copy}"
        urns = {r.urn: r.urn + suffix for r in rest}

        def rename(urn: str, urns=urns) -> str:
            return urns.get(urn, urn)

        for r in rest:
            out.append(
                dataclasses.replace(
                    r,
                    urn=rename(r.urn),
                    name=r.name + suffix,
                    inputs=_renamed(r.inputs, copy),
                    outputs=_renamed(r.outputs, copy),
                    parent=rename(r.parent),
                    dependencies=tuple(rename(d) for d in r.dependencies),
                    property_dependencies={
                        key: [rename(d) for d in deps]
                        for key, deps in (r.property_dependencies or {}).items()
                    },
                )
            )
        copy += 1
    return out


LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def with_a_flaw(resources: list) -> list:
    """The stack with its first log group's retention removed: one finding per copy, so the rules
    walk their reporting path too, and the counts show each copy judged on its own."""
    flawed = list(resources)
    index = next(n for n, r in enumerate(flawed) if r.type == LOG_GROUP)
    group = flawed[index]

    def without_retention(struct):
        props = json_format.MessageToDict(struct)
        props.pop("retentionInDays", None)
        return json_format.ParseDict(props, struct_pb2.Struct())

    flawed[index] = dataclasses.replace(
        group, inputs=without_retention(group.inputs), outputs=without_retention(group.outputs)
    )
    return flawed


def evaluate(pack, resources: list) -> tuple:
    """(seconds of the resource rules, seconds of the stack rules, violations)."""
    start = time.perf_counter()
    violations = []
    for resource in resources[1:]:
        violations.extend(pack.analyze(resource))
    middle = time.perf_counter()
    violations.extend(pack.analyze_stack(resources))
    return middle - start, time.perf_counter() - middle, violations


def measure(
    count: int = RESOURCES, rounds: int = 3, stack: str = "dev", stack_resources=None
) -> dict:
    """In this process: the stack's resources (as tools.preview hands them to the pack; run here
    unless given) and `count` of them, evaluated in turns."""
    from tools import policy_pack, preview
    from tools.program import run_program

    pack = policy_pack.load(REPO_ROOT / "policy")
    pack.configure(policy_pack.read_config_file(REPO_ROOT / "policy" / "config" / f"{stack}.json"))
    if stack_resources is None:
        stack_resources = preview.analyzed_resources(
            run_program(REPO_ROOT, stack, strict=False, preview=True)
        )
    stack_resources = with_a_flaw(stack_resources)
    sizes = {"stack": stack_resources, "scaled": scaled(stack_resources, count)}
    split: dict = {name: [] for name in sizes}
    found: dict = {}

    def contender(name: str):
        def call() -> float:
            resource_rules, stack_rules, violations = evaluate(pack, sizes[name])
            split[name].append((resource_rules, stack_rules))
            found[name] = len(violations)
            return resource_rules + stack_rules

        return call

    gc.collect()
    samples = interleaved(rounds, {name: contender(name) for name in sizes}, warmup=1)
    return {
        name: {
            "resources": len(resources),
            "seconds": samples[name],
            "resource_rules": [s[0] for s in split[name][-rounds:]],
            "stack_rules": [s[1] for s in split[name][-rounds:]],
            "violations": found[name],
        }
        for name, resources in sizes.items()
    }


def run(count: int = RESOURCES, rounds: int = 3, stack: str = "dev") -> Figure:
    started = time.perf_counter()
    output = python_child(
        ["-m", "bench.policy_cost", "--resources", str(count), "--rounds", str(rounds)]
        + ["--stack", stack],
        "the policy benchmark",
        cwd=REPO_ROOT,
    )
    measured = last_json_line(output)

    figure = Figure(
        title=f"Policy evaluation: the pack over {count:,} resources ({rounds} rounds)",
        columns=[
            "resources",
            "resource rules ms/res",
            "stack rules ms/res",
            "total s",
            "ms/resource",
            "violations",
        ],
    )
    per_resource = {}
    for name in ("stack", "scaled"):
        m = measured[name]
        n = m["resources"]
        per_resource[name] = [s / n for s in m["seconds"]]
        figure.rows.append(
            [
                (f"dev stack ({n:,})" if name == "stack" else f"dev stack repeated ({n:,})"),
                f"{median(m['resource_rules']) / n * 1e3:.3f}",
                f"{median(m['stack_rules']) / n * 1e3:.3f}",
                f"{median(m['seconds']):.2f}",
                f"{median(m['seconds']) / n * 1e3:.3f}",
                m["violations"],
            ]
        )
    big = measured["scaled"]
    cost_ms = median(big["seconds"]) / big["resources"] * 1e3
    figure.checks.append(
        Check(
            f"per resource over {big['resources']:,}",
            f"{cost_ms:.3f} ms",
            f"< {TARGET_MS:.0f} ms",
            cost_ms < TARGET_MS,
        )
    )
    small = measured["stack"]
    copies = (big["resources"] - 1) // (small["resources"] - 1)
    figure.checks.append(
        Check(
            "one finding per copy",
            f"{big['violations']} at {copies} copies, {small['violations']} at one",
            "one per copy",
            small["violations"] == 1 and big["violations"] == copies,
            sanity=True,
        )
    )
    growth = ratio(per_resource["scaled"], per_resource["stack"])
    figure.notes.append(
        f"ms/resource at {big['resources']:,} / at {measured['stack']['resources']:,}: {growth}"
        " (median ratio, lowest-highest of one round's pair)"
    )
    figure.seconds = time.perf_counter() - started
    return figure


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate the policy pack over many resources")
    parser.add_argument("--resources", type=int, default=RESOURCES)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--stack", default="dev")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.resources, args.rounds, args.stack)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
