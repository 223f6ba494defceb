"""The rules our GitHub Actions workflows follow, each a function that lists what breaks it.

The tests assert the real workflows break none, and that a deliberately bad workflow breaks each,
so a rule that stopped finding anything would show. Workflows are read with PyYAML; pins are also
read from the text, since a version comment is not part of the YAML data.
"""

import re
from pathlib import Path

import yaml

PULUMI_ACTION = "pulumi/actions"
AWS_CREDENTIALS_ACTION = "aws-actions/configure-aws-credentials"
POLICY_PACK = "policy"
# A step names its stack through the job's STACK variable (a literal, or the matrix's stack), so
# one expression gives both the stack a step runs on and the policy config it must apply.
STACK_REF = "${{ env.STACK }}"
MATRIX_STACK = "${{ matrix.stack }}"
# An action or reusable workflow of this repository: GitHub's self-repository form (`$/path`, this
# repository at the running commit), or the older workspace-relative one (`./path`).
LOCAL_PREFIXES = ("$/", "./")

# What a job may read, by what it runs: a preview's read-only Pulumi token (and a passphrase, which
# cannot be made read-only), or a deploy's token. The passphrase is the same for both.
PREVIEW_SECRETS = frozenset({"PULUMI_PREVIEW_TOKEN", "PULUMI_CONFIG_PASSPHRASE"})
DEPLOY_SECRETS = frozenset({"PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE"})
PREVIEW_ENVIRONMENT = "preview-{}"
SECRET_REF = re.compile(r"\bsecrets\.([A-Za-z_][A-Za-z0-9_]*)")

SHA = re.compile(r"^[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"#\s*v\d+\.\d+\.\d+")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$")


def load(text: str) -> dict:
    data = yaml.safe_load(text) or {}
    # YAML 1.1 (PyYAML) reads the key `on` as the boolean True.
    if True in data:
        data["on"] = data.pop(True)
    return data


def jobs(workflow: dict) -> dict:
    return workflow.get("jobs") or {}


def steps(job: dict) -> list:
    return job.get("steps") or []


def is_local(uses: str) -> bool:
    return uses.startswith(LOCAL_PREFIXES)


def action_of(uses: str) -> str:
    """`owner/repo[/path]@ref` -> `owner/repo`; a local action (`$/path`, `./path`) is itself."""
    if is_local(uses):
        return uses
    return "/".join(uses.split("@", 1)[0].split("/")[:2])


def all_uses(workflow: dict) -> list:
    """Every `uses:` of a workflow (reusable workflows and steps) or of a composite action."""
    found = [job["uses"] for job in jobs(workflow).values() if "uses" in job]
    containers = [*jobs(workflow).values(), workflow.get("runs") or {}]
    for container in containers:
        found += [step["uses"] for step in steps(container) if "uses" in step]
    return found


def pin_problems(text: str) -> list:
    """Actions must be pinned to a full commit SHA with the exact version as a comment
    (`owner/repo@<40 hex> # v1.2.3`): a tag can be moved, a SHA cannot, and the comment says
    which release it is. Local actions and workflows (`$/...`) are part of this repository."""
    problems = []
    found = [m.groups() for m in map(USES_LINE.match, text.splitlines()) if m]
    if sorted(uses for uses, _ in found) != sorted(all_uses(load(text))):
        problems.append("a `uses:` is not on a line of its own (`uses: owner/repo@sha # vX.Y.Z`)")
    for uses, comment in found:
        if is_local(uses):
            continue
        ref = uses.split("@", 1)[1] if "@" in uses else ""
        if not SHA.match(ref):
            problems.append(f"{uses}: not pinned to a full commit SHA")
        elif not VERSION_COMMENT.fullmatch(comment.strip()):
            problems.append(f"{uses}: no `# vX.Y.Z` comment naming the pinned release")
    return problems


def _is_on(value) -> bool:
    return value is True or str(value).lower() == "true"


def _uses_action(job: dict, action: str) -> list:
    return [s for s in steps(job) if action_of(s.get("uses", "")) == action]


def permission_problems(workflow: dict) -> list:
    """No permission unless a job declares it: the workflow grants none (`permissions: {}`), each
    job lists what it needs, and write access only where a step uses it (id-token for the AWS
    role, pull-requests for the preview comment)."""
    problems = []
    if workflow.get("permissions") != {}:
        problems.append("the workflow must set `permissions: {}` (each job declares its own)")
    for name, job in jobs(workflow).items():
        granted = job.get("permissions")
        if not isinstance(granted, dict):
            problems.append(f"job {name}: no explicit permissions map")
            continue
        needs_write = {
            "id-token": bool(_uses_action(job, AWS_CREDENTIALS_ACTION)),
            "pull-requests": any(
                _is_on((s.get("with") or {}).get("comment-on-pr"))
                for s in _uses_action(job, PULUMI_ACTION)
            ),
        }
        for scope, level in granted.items():
            if level == "write" and not needs_write.get(scope, False):
                problems.append(f"job {name}: `{scope}: write` is not used by any step")
        for scope, needed in needs_write.items():
            if needed and granted.get(scope) != "write":
                problems.append(f"job {name}: a step needs `{scope}: write`")
    return problems


def matrix_stacks(job: dict) -> list:
    matrix = (job.get("strategy") or {}).get("matrix") or {}
    stacks = list(matrix.get("stack") or [])
    return stacks + [entry["stack"] for entry in matrix.get("include") or [] if "stack" in entry]


def job_stacks(job: dict) -> list:
    """The stacks a job runs on, from its STACK variable."""
    stack = (job.get("env") or {}).get("STACK")
    if stack is None:
        return []
    if stack == MATRIX_STACK:
        return matrix_stacks(job)
    return [stack]


def job_environments(job: dict) -> list:
    """The GitHub environments a job runs in: its `environment` (a name, or a map with one), once
    per matrix stack when the name uses the matrix's stack. Empty for a job without one."""
    environment = job.get("environment")
    if isinstance(environment, dict):
        environment = environment.get("name")
    if not environment:
        return []
    if MATRIX_STACK in environment:
        return [environment.replace(MATRIX_STACK, stack) for stack in matrix_stacks(job)]
    return [environment]


def pulumi_steps(job: dict, command: str | None = None) -> list:
    found = _uses_action(job, PULUMI_ACTION)
    return [s for s in found if command is None or (s.get("with") or {}).get("command") == command]


def policy_problems(workflow: dict) -> list:
    """Every pulumi/actions step runs the policy pack with the config of the stack it runs on."""
    problems = []
    for name, job in jobs(workflow).items():
        for step in pulumi_steps(job):
            given = step.get("with") or {}
            stacks = job_stacks(job)
            if not stacks:
                problems.append(f"job {name}: runs pulumi/actions without a STACK variable")
            if "env.STACK" not in str(given.get("stack-name", "")):
                problems.append(f"job {name}: stack-name does not use env.STACK")
            if given.get("policyPacks") != POLICY_PACK:
                problems.append(f"job {name}: policyPacks is not `{POLICY_PACK}`")
            for stack in stacks:
                config = str(given.get("policyPackConfigs", "")).replace(STACK_REF, stack)
                if config != f"policy/config/{stack}.json":
                    problems.append(
                        f"job {name}: stack {stack} runs with policyPackConfigs {config!r}, "
                        f"not policy/config/{stack}.json"
                    )
    return problems


def deploy_problems(workflow: dict) -> list:
    """A job that runs `pulumi up` deploys one stack, inside the GitHub environment of that name
    (its reviewers, its variables, its OIDC subject), and never alongside another update of it."""
    problems = []
    for name, job in jobs(workflow).items():
        if not pulumi_steps(job, "up"):
            continue
        stacks = job_stacks(job)
        if len(stacks) != 1:
            problems.append(f"job {name}: a deploy job must run exactly one stack, not {stacks}")
            continue
        stack = stacks[0]
        if job_environments(job) != [stack]:
            problems.append(f"job {name}: deploys {stack} outside the `{stack}` environment")
        concurrency = job.get("concurrency")
        if not isinstance(concurrency, dict) or stack not in str(concurrency.get("group", "")):
            problems.append(f"job {name}: no concurrency group for stack {stack}")
        elif concurrency.get("cancel-in-progress") is not False:
            problems.append(f"job {name}: concurrency must set `cancel-in-progress: false`")
    return problems


def secrets_of(job: dict) -> set:
    """The secrets a job reads (`secrets.NAME` anywhere in it), GITHUB_TOKEN aside."""
    return set(SECRET_REF.findall(str(job))) - {"GITHUB_TOKEN"}


def secret_problems(workflow: dict) -> list:
    """Secrets live in GitHub environments, never at repository level where any job of any branch
    reads them: a job that reads one runs in an environment. A preview runs in `preview-<stack>`
    and reads only preview secrets; a deploy runs in its stack's environment and reads only
    deploy secrets, so the token that writes state never reaches a pull request."""
    problems = []
    for name, job in jobs(workflow).items():
        used = secrets_of(job)
        if not used:
            continue
        environments = job_environments(job)
        if not environments:
            problems.append(f"job {name}: reads {', '.join(sorted(used))} outside any environment")
            continue
        if pulumi_steps(job, "up"):
            kind, allowed, expected = "deploy", DEPLOY_SECRETS, job_stacks(job)
        elif pulumi_steps(job, "preview"):
            kind, allowed = "preview", PREVIEW_SECRETS
            expected = [PREVIEW_ENVIRONMENT.format(stack) for stack in job_stacks(job)]
        else:
            continue
        if environments != expected:
            problems.append(f"job {name}: a {kind} runs in {environments}, not {expected}")
        for secret in sorted(used - allowed):
            problems.append(f"job {name}: a {kind} reads {secret}, not a {kind} secret")
    return problems


def deploy_jobs(workflow: dict) -> dict:
    """stack -> the id of the job that runs `pulumi up` on it."""
    found = {}
    for name, job in jobs(workflow).items():
        if pulumi_steps(job, "up"):
            for stack in job_stacks(job):
                found[stack] = name
    return found


def needs_of(workflow: dict, name: str) -> set:
    """Every job that `name` waits for, directly or through other jobs."""
    direct = jobs(workflow)[name].get("needs") or []
    direct = [direct] if isinstance(direct, str) else direct
    found = set(direct)
    for other in direct:
        found |= needs_of(workflow, other)
    return found


def repository_stacks(root: Path) -> set:
    return {path.name[len("Pulumi.") : -len(".yaml")] for path in root.glob("Pulumi.*.yaml")}
