"""zizmor, a static security audit of GitHub Actions, on everything under .github: the workflows,
the composite action and dependabot.yml.

The issue's promise is no finding at any severity under the `auditor` persona, the most
thorough. So zizmor runs with no configuration file and no ignore comment honoured
(`--no-config --no-ignores`): a finding is fixed, not silenced. It runs offline, with no GitHub
token, so only the offline audits run and nothing is fetched. zizmor is a pinned dev dependency
(requirements-dev.txt): a missing one fails here, it does not skip.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GITHUB = ROOT / ".github"
ZIZMOR = Path(sys.executable).with_name("zizmor")
# Any of these would let zizmor reach GitHub's API, were --offline ever dropped.
TOKEN_VARIABLES = ("GH_TOKEN", "GITHUB_TOKEN", "ZIZMOR_GITHUB_TOKEN", "GH_HOST")
COMPLETED = re.compile(r"completed (\S+)$")


def run_zizmor(directory: Path) -> tuple[list, set]:
    """Audit `directory`; returns zizmor's findings (JSON) and the files it audited."""
    assert ZIZMOR.is_file(), f"{ZIZMOR} is missing: pip install -r requirements-dev.txt"
    env = {name: value for name, value in os.environ.items() if name not in TOKEN_VARIABLES}
    result = subprocess.run(
        [
            str(ZIZMOR),
            "--offline",
            "--persona",
            "auditor",
            "--format",
            "json",
            "--no-config",
            "--no-ignores",
            "--strict-collection",
            "--no-progress",
            "--color",
            "never",
            str(directory),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    # 0: no finding; 10 to 14: findings, by highest severity; anything else: zizmor failed.
    assert result.returncode == 0 or 10 <= result.returncode <= 14, result.stderr
    audited = {
        Path(m.group(1)).resolve().relative_to(directory.resolve().parent).as_posix()
        for m in map(COMPLETED.search, result.stderr.splitlines())
        if m
    }
    return json.loads(result.stdout), audited


def described(finding: dict) -> str:
    """`audit-id severity file:line`, from the finding's primary location."""
    primary = next(
        (loc for loc in finding["locations"] if loc["symbolic"]["kind"] == "Primary"),
        finding["locations"][0],
    )
    path = primary["symbolic"]["key"]["Local"]["verbatim_path"]
    line = primary["concrete"]["location"]["start_point"]["row"] + 1
    severity = finding["determinations"]["severity"]
    resolved = Path(path).resolve()
    shown = resolved.relative_to(ROOT) if resolved.is_relative_to(ROOT) else resolved
    return f"{finding['ident']} {severity} {shown}:{line}"


def inputs(github: Path) -> set:
    """What zizmor must have audited: every workflow, composite action and Dependabot file."""
    found = [
        *github.glob("workflows/*.y*ml"),
        *github.glob("actions/*/action.y*ml"),
        *github.glob("dependabot.y*ml"),
    ]
    return {path.relative_to(github.parent).as_posix() for path in found}


def test_zizmor_finds_nothing_under_the_auditor_persona():
    findings, audited = run_zizmor(GITHUB)
    assert not findings, "zizmor findings:\n" + "\n".join(map(described, findings))
    assert inputs(GITHUB) <= audited, f"not audited: {sorted(inputs(GITHUB) - audited)}"


# --- the audit would catch each of the fixed findings coming back -----------------------------


def without(text: str, line: str) -> str:
    assert line in text, line
    return text.replace(line, "", 1)


REGRESSIONS = {
    # The preview job back outside an environment: its token is a repository secret again.
    "secrets-outside-env": (
        "workflows/pull-request.yml",
        lambda text: without(text, "    environment: preview-${{ matrix.stack }}\n"),
    ),
    # A local action referred to by the workspace path, not the self-repository form.
    "self-repository": (
        "workflows/deploy.yml",
        lambda text: text.replace("uses: $/.github/", "uses: ./.github/"),
    ),
    # Dependabot proposing a release the day it is published.
    "dependabot-cooldown": (
        "dependabot.yml",
        lambda text: text.replace("    cooldown:\n      default-days: 7\n", ""),
    ),
}


@pytest.mark.parametrize("audit", REGRESSIONS)
def test_zizmor_reports_a_fixed_finding_put_back(audit, tmp_path):
    github = tmp_path / ".github"
    shutil.copytree(GITHUB, github)
    name, regress = REGRESSIONS[audit]
    path = github / name
    before = path.read_text()
    path.write_text(regress(before))
    assert path.read_text() != before
    findings, _ = run_zizmor(github)
    assert findings and {f["ident"] for f in findings} == {audit}
    assert all(f"/.github/{name}" in json.dumps(f["locations"]) for f in findings)
