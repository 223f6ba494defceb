"""When AWS Lambda deprecates each managed runtime (end of security patches).

Source: the "Supported runtimes" and "Deprecated runtimes" tables of
https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html, cross-checked against
cfn-lint's LmbdRuntimeLifecycle.json, tflint-ruleset-aws and endoflife.date; reviewed 2026-11-21.
AWS moves these dates: stacks can add or override entries with the rule's `deprecations` setting.
Runtimes not listed here (a new one, or an image function without a runtime) are not flagged.
"""

import re
from datetime import date

DEPRECATION_DATES = {
    # Python
    "python2.7": date(2021, 7, 15),
    "python3.6": date(2022, 7, 18),
    "python3.7": date(2023, 12, 4),
    "python3.8": date(2024, 10, 14),
    "python3.9": date(2025, 12, 15),
    "python3.10": date(2026, 10, 31),
    "python3.11": date(2027, 6, 30),
    "python3.12": date(2028, 10, 31),
    "python3.13": date(2029, 6, 30),
    "python3.14": date(2029, 6, 30),
    # Node.js
    "nodejs": date(2016, 10, 31),
    "nodejs4.3": date(2020, 3, 5),
    "nodejs4.3-edge": date(2020, 3, 5),
    "nodejs6.10": date(2019, 8, 12),
    "nodejs8.10": date(2020, 3, 6),
    "nodejs10.x": date(2021, 7, 30),
    "nodejs12.x": date(2023, 3, 31),
    "nodejs14.x": date(2023, 12, 4),
    "nodejs16.x": date(2024, 6, 12),
    "nodejs18.x": date(2025, 9, 1),
    "nodejs20.x": date(2026, 4, 30),
    "nodejs22.x": date(2027, 4, 30),
    "nodejs24.x": date(2028, 4, 30),
    # Java
    "java8": date(2024, 1, 8),
    "java8.al2": date(2027, 6, 30),
    "java11": date(2027, 6, 30),
    "java17": date(2027, 6, 30),
    "java21": date(2029, 6, 30),
    "java25": date(2029, 6, 30),
    # .NET
    "dotnetcore1.0": date(2019, 6, 27),
    "dotnetcore2.0": date(2019, 5, 30),
    "dotnetcore2.1": date(2022, 1, 5),
    "dotnetcore3.1": date(2023, 4, 3),
    "dotnet5.0": date(2022, 5, 10),
    "dotnet6": date(2024, 12, 20),
    "dotnet7": date(2024, 5, 14),
    "dotnet8": date(2026, 11, 10),
    "dotnet9": date(2026, 11, 10),
    "dotnet10": date(2028, 11, 14),
    # Ruby
    "ruby2.5": date(2021, 7, 30),
    "ruby2.7": date(2023, 12, 7),
    "ruby3.2": date(2026, 3, 31),
    "ruby3.3": date(2027, 3, 31),
    "ruby3.4": date(2028, 3, 31),
    "ruby4.0": date(2029, 3, 31),
    # OS-only
    "go1.x": date(2024, 1, 8),
    "provided": date(2024, 1, 8),
    "provided.al2": date(2026, 7, 31),
    "provided.al2023": date(2029, 6, 30),
}


def _family(runtime: str) -> str:
    # A name from the pack config need not start with a language ("Custom-1"): its own family.
    match = re.match(r"[a-z]+", runtime)
    name = match.group() if match else runtime
    return {"dotnetcore": "dotnet", "go": "provided"}.get(name, name)


def _version(runtime: str) -> tuple:
    return tuple(int(n) for n in re.findall(r"\d+", runtime))


def successor(runtime: str, table: dict = DEPRECATION_DATES) -> str:
    """The runtime of the same language supported longest (the newest on a tie)."""
    family = _family(runtime)
    candidates = [name for name in table if _family(name) == family]
    if not candidates:
        return "a supported runtime"
    return max(candidates, key=lambda name: (table[name], _version(name)))
