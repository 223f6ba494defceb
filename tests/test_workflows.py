"""The CI pipeline: .github/workflows (checks, pull-request, deploy) and the AWS trust policies.

Workflows are validated against SchemaStore's GitHub workflow schema (as vendored by
check-jsonschema): actionlint's PyPI wrapper downloads its binary from GitHub at install time,
which these machines cannot reach. The rules of tests/workflow_checks.py then hold the workflows
to what the README promises.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from least_privilege.iam import ROLE, check_trust_policy
from least_privilege.rule import Resource

from tests import workflow_checks as wc

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
COMPOSITE = ROOT / ".github" / "actions" / "pulumi-python-envs" / "action.yml"
CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")
TRUST_DEPLOY = ROOT / "ci" / "aws-oidc-trust-policy-deploy.json"
TRUST_PREVIEW = ROOT / "ci" / "aws-oidc-trust-policy-preview.json"
REPO_PLACEHOLDER = "repo:<OWNER>/<REPO>:"
OIDC_HOST = "token.actions.githubusercontent.com"


def text_of(name: str) -> str:
    return (WORKFLOWS / name).read_text()


def workflow(name: str) -> dict:
    return wc.load(text_of(name))


ALL_FILES = sorted(WORKFLOWS.glob("*.yml")) + [COMPOSITE]
PR, DEPLOY, CHECKS = "pull-request.yml", "deploy.yml", "checks.yml"
NEWEST = "dependencies.yml"
DEPENDABOT = ROOT / ".github" / "dependabot.yml"


def schema_check(schema: str, *paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", schema, *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )


# --- schema -----------------------------------------------------------------------------------


def test_workflows_and_the_composite_action_match_github_schemas():
    workflows = schema_check("vendor.github-workflows", *sorted(WORKFLOWS.glob("*.yml")))
    assert workflows.returncode == 0, workflows.stdout + workflows.stderr
    action = schema_check("vendor.github-actions", COMPOSITE)
    assert action.returncode == 0, action.stdout + action.stderr


def test_the_schema_check_rejects_a_malformed_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  build:\n    runs_on: ubuntu-24.04\n    steps: []\n")
    result = schema_check("vendor.github-workflows", broken)
    assert result.returncode != 0
    assert "broken.yml" in result.stdout + result.stderr


# --- the rules, on our workflows ------------------------------------------------------------------


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_with_its_release(path):
    text = path.read_text()
    assert wc.all_uses(wc.load(text)), "nothing to check"
    assert wc.pin_problems(text) == []


@pytest.mark.parametrize("name", [PR, DEPLOY, CHECKS, NEWEST])
def test_permissions_are_declared_per_job_and_minimal(name):
    assert wc.permission_problems(workflow(name)) == []


@pytest.mark.parametrize(("name", "command"), [(PR, "preview"), (DEPLOY, "up")])
def test_every_pulumi_step_applies_the_policy_pack_with_its_stack_config(name, command):
    flow = workflow(name)
    assert any(wc.pulumi_steps(job, command) for job in wc.jobs(flow).values())
    assert wc.policy_problems(flow) == []


def test_deploy_jobs_run_in_their_environment_and_never_overlap():
    assert wc.deploy_problems(workflow(DEPLOY)) == []


@pytest.mark.parametrize("name", [PR, DEPLOY, CHECKS, NEWEST])
def test_secrets_are_read_only_in_environments_previews_never_the_deploy_token(name):
    assert wc.secret_problems(workflow(name)) == []


def test_previews_and_deploys_run_in_environments_of_their_own():
    preview = wc.job_environments(wc.jobs(workflow(PR))["preview"])
    assert preview == ["preview-dev", "preview-prod"]
    deploy = workflow(DEPLOY)
    deploys = [env for job in wc.jobs(deploy).values() for env in wc.job_environments(job)]
    assert sorted(deploys) == ["dev", "prod"]
    # The deploy token is read by deploys only; the preview token by previews only.
    assert "secrets.PULUMI_ACCESS_TOKEN" not in text_of(PR)
    assert "secrets.PULUMI_PREVIEW_TOKEN" not in text_of(DEPLOY)


def test_a_preview_given_the_deploy_token_or_environment_is_refused():
    flow = workflow(PR)
    job = wc.jobs(flow)["preview"]
    (step,) = wc.pulumi_steps(job, "preview")
    step["env"]["PULUMI_ACCESS_TOKEN"] = "${{ secrets.PULUMI_ACCESS_TOKEN }}"
    job["environment"] = "${{ matrix.stack }}"
    assert wc.secret_problems(flow) == [
        "job preview: a preview runs in ['dev', 'prod'], not ['preview-dev', 'preview-prod']",
        "job preview: a preview reads PULUMI_ACCESS_TOKEN, not a preview secret",
    ]
    del job["environment"]
    read = "PULUMI_ACCESS_TOKEN, PULUMI_CONFIG_PASSPHRASE, PULUMI_PREVIEW_TOKEN"
    assert wc.secret_problems(flow) == [f"job preview: reads {read} outside any environment"]


def test_a_deploy_given_the_preview_token_is_refused():
    flow = workflow(DEPLOY)
    job = wc.jobs(flow)[wc.deploy_jobs(flow)["prod"]]
    (step,) = wc.pulumi_steps(job, "up")
    step["env"]["PULUMI_ACCESS_TOKEN"] = "${{ secrets.PULUMI_PREVIEW_TOKEN }}"
    assert wc.secret_problems(flow) == [
        "job deploy-prod: a deploy reads PULUMI_PREVIEW_TOKEN, not a deploy secret"
    ]


def test_every_stack_file_has_a_policy_config_an_offline_and_real_preview_and_a_deploy():
    stacks = wc.repository_stacks(ROOT)
    assert {"dev", "prod"} <= stacks
    for stack in stacks:
        assert (ROOT / "policy" / "config" / f"{stack}.json").is_file(), stack
    offline = wc.jobs(workflow(CHECKS))["offline-preview"]
    real = wc.jobs(workflow(PR))["preview"]
    # Equality both ways: every stack has its jobs, and no job runs a stack without a file.
    assert set(wc.matrix_stacks(offline)) == stacks
    assert set(wc.matrix_stacks(real)) == stacks
    assert set(wc.deploy_jobs(workflow(DEPLOY))) == stacks


def test_offline_preview_runs_each_stack_with_its_policy_config():
    run = " ".join(s.get("run", "") for s in wc.steps(wc.jobs(workflow(CHECKS))["offline-preview"]))
    assert '-m tools.preview --stack "$STACK" --policy-pack policy' in run
    assert '--policy-config "policy/config/$STACK.json"' in run


def test_prod_deploys_after_dev_and_the_checks():
    flow = workflow(DEPLOY)
    deploy = wc.deploy_jobs(flow)
    assert deploy["dev"] in wc.needs_of(flow, deploy["prod"])
    assert "checks" in wc.needs_of(flow, deploy["dev"])
    assert wc.jobs(flow)["checks"]["uses"] == "$/.github/workflows/checks.yml"
    assert flow["on"]["push"]["branches"] == ["main"]
    for stack in ("dev", "prod"):
        assert wc.jobs(flow)[deploy[stack]]["if"] == "github.ref == 'refs/heads/main'"


def test_real_previews_wait_for_the_checks_which_need_no_secret():
    flow = workflow(PR)
    assert wc.jobs(flow)["checks"]["uses"] == "$/.github/workflows/checks.yml"
    assert "checks" in wc.needs_of(flow, "preview")
    checks = text_of(CHECKS)
    assert "secrets." not in checks and "id-token" not in checks


def test_secrets_reach_only_the_steps_that_use_them_after_every_install():
    for name in (PR, DEPLOY):
        for job_name, job in wc.jobs(workflow(name)).items():
            assert "secrets." not in str(job.get("env", {})), job_name
            users = [i for i, s in enumerate(wc.steps(job)) if "secrets." in str(s.get("env", {}))]
            if not users:
                continue
            kinds = [wc.action_of(s.get("uses", "")) or "run" for s in wc.steps(job)]
            # The configuration check comes first; the token then reaches only pulumi/actions.
            assert [kinds[i] for i in users] == ["run", wc.PULUMI_ACTION], job_name
            # Package installs run before the AWS credentials exist in the job's environment.
            envs = kinds.index("$/.github/actions/pulumi-python-envs")
            assert envs < kinds.index(wc.AWS_CREDENTIALS_ACTION) < users[-1], job_name


def test_one_pulumi_cli_version_the_one_the_sdk_is_pinned_to():
    pin = next(
        line.split("==")[1].strip()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.startswith("pulumi==")
    )
    versions = {
        (step.get("with") or {}).get("pulumi-version")
        for name in (PR, DEPLOY)
        for job in wc.jobs(workflow(name)).values()
        for step in wc.pulumi_steps(job)
    }
    assert versions == {pin}


def test_the_composite_action_creates_the_virtualenvs_the_pulumi_cli_runs():
    program = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["runtime"]["options"]
    pack = yaml.safe_load((ROOT / "policy" / "PulumiPolicy.yaml").read_text())["runtime"]
    run = "\n".join(
        s.get("run", "") for s in wc.steps(yaml.safe_load(COMPOSITE.read_text())["runs"])
    )
    for venv, requirements in (
        (program["virtualenv"], "requirements.txt"),
        (f"policy/{pack['options']['virtualenv']}", "policy/requirements.txt"),
    ):
        assert f"python -m venv {venv}\n" in run
        assert f"{venv}/bin/python -m pip install --quiet -r {requirements}" in run


# --- the configuration checks, run as the runner runs them ---------------------------------------


def run_step(job: dict, step_name: str, env: dict, tmp_path: Path) -> tuple:
    """Run a `run:` step with bash as the runner would; returns (exit code, stdout, outputs)."""
    step = next(s for s in wc.steps(job) if s.get("name") == step_name)
    outputs = tmp_path / "github_output"
    outputs.write_text("")
    result = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        env={"PATH": os.environ["PATH"], "GITHUB_OUTPUT": str(outputs), **env},
        capture_output=True,
        text=True,
        check=False,
    )
    parsed = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    return result.returncode, result.stdout, parsed


PREVIEW_CHECK = "Check that previews are configured"
PREVIEW_ROLE = {"ROLE_ARN": "arn:aws:iam::1:role/p"}


@pytest.mark.parametrize(
    ("env", "ready", "notice"),
    [
        ({}, "false", "set the secret PULUMI_PREVIEW_TOKEN"),
        ({}, "false", "in the preview-dev environment"),
        ({"PULUMI_PREVIEW_TOKEN": "t"}, "false", "the variable AWS_PREVIEW_ROLE_ARN in"),
        ({"FROM_FORK": "true"}, "false", "Pull requests from forks get no secrets"),
        # Variables reach forks: a fork is skipped even where they alone configure previews.
        (
            {"FROM_FORK": "true", "PULUMI_BACKEND_URL": "s3://state", **PREVIEW_ROLE},
            "false",
            "Pull requests from forks get no secrets",
        ),
        ({"PULUMI_PREVIEW_TOKEN": "t", **PREVIEW_ROLE}, "true", None),
        ({"PULUMI_BACKEND_URL": "s3://state", **PREVIEW_ROLE}, "true", None),
        # The deploy token's name configures nothing here.
        (
            {"PULUMI_ACCESS_TOKEN": "t", **PREVIEW_ROLE},
            "false",
            "set the secret PULUMI_PREVIEW_TOKEN",
        ),
    ],
)
def test_previews_are_skipped_with_a_notice_until_configured(env, ready, notice, tmp_path):
    job = wc.jobs(workflow(PR))["preview"]
    code, out, outputs = run_step(job, PREVIEW_CHECK, {"STACK": "dev", **env}, tmp_path)
    assert code == 0
    assert outputs["ready"] == ready
    if notice:
        assert out.startswith("::notice title=pulumi preview of dev skipped::")
        assert notice in out
    else:
        assert out == ""


def test_every_step_after_the_preview_check_depends_on_it():
    later = wc.steps(wc.jobs(workflow(PR))["preview"])[1:]
    assert later and all(s.get("if") == "steps.configured.outputs.ready == 'true'" for s in later)


@pytest.mark.parametrize("stack", ["dev", "prod"])
@pytest.mark.parametrize(
    ("env", "error"),
    [
        ({"ROLE_ARN": "arn:aws:iam::1:role/d"}, "Set the secret PULUMI_ACCESS_TOKEN in the {} "),
        (
            {"PULUMI_ACCESS_TOKEN": "t"},
            "Set the variable AWS_DEPLOY_ROLE_ARN in the {} environment",
        ),
    ],
)
def test_an_unconfigured_deploy_fails_saying_what_to_set(stack, env, error, tmp_path):
    job = wc.jobs(workflow(DEPLOY))[wc.deploy_jobs(workflow(DEPLOY))[stack]]
    check = "Check that deploys are configured"
    code, out, _ = run_step(job, check, {"STACK": stack, **env}, tmp_path)
    assert code == 1
    assert out.startswith(f"::error title=pulumi up of {stack} not configured::")
    assert error.format(stack) in out
    configured = {"PULUMI_ACCESS_TOKEN": "t", "ROLE_ARN": "arn:aws:iam::1:role/d", "STACK": stack}
    assert run_step(job, check, configured, tmp_path)[:2] == (0, "")


# --- the rules, on a workflow that breaks each of them ------------------------------------------

BAD = """\
on: push
jobs:
  deploy:
    runs-on: ubuntu-24.04
    permissions: write-all
    env:
      STACK: prod
    steps:
      - uses: actions/checkout@v4
      - uses: aws-actions/configure-aws-credentials@main
      - uses: pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d
        with:
          command: up
          stack-name: prod
          policyPackConfigs: policy/config/dev.json
  preview:
    runs-on: ubuntu-24.04
    permissions:
      contents: write
      id-token: write
    strategy:
      matrix:
        stack: [dev, prod]
    steps:
      - uses: pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d # v7.0.0
        env:
          PULUMI_ACCESS_TOKEN: ${{ secrets.PULUMI_ACCESS_TOKEN }}
        with:
          command: preview
          stack-name: ${{ matrix.stack }}
          policyPacks: policy
          comment-on-pr: true
"""


def test_a_bad_workflow_breaks_every_rule():
    bad = wc.load(BAD)
    assert wc.pin_problems(BAD) == [
        "actions/checkout@v4: not pinned to a full commit SHA",
        "aws-actions/configure-aws-credentials@main: not pinned to a full commit SHA",
        (
            "pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d: no `# vX.Y.Z` comment naming "
            "the pinned release"
        ),
    ]
    assert wc.permission_problems(bad) == [
        "the workflow must set `permissions: {}` (each job declares its own)",
        "job deploy: no explicit permissions map",
        "job preview: `contents: write` is not used by any step",
        "job preview: `id-token: write` is not used by any step",
        "job preview: a step needs `pull-requests: write`",
    ]
    assert wc.policy_problems(bad) == [
        "job deploy: stack-name does not use env.STACK",
        "job deploy: policyPacks is not `policy`",
        (
            "job deploy: stack prod runs with policyPackConfigs 'policy/config/dev.json', "
            "not policy/config/prod.json"
        ),
        "job preview: runs pulumi/actions without a STACK variable",
        "job preview: stack-name does not use env.STACK",
    ]
    assert wc.deploy_problems(bad) == [
        "job deploy: deploys prod outside the `prod` environment",
        "job deploy: no concurrency group for stack prod",
    ]
    assert wc.secret_problems(bad) == [
        "job preview: reads PULUMI_ACCESS_TOKEN outside any environment"
    ]


def test_a_deploy_that_may_be_cancelled_halfway_is_refused():
    flow = wc.load(text_of(DEPLOY))
    job = wc.jobs(flow)[wc.deploy_jobs(flow)["dev"]]
    job["concurrency"]["cancel-in-progress"] = True
    assert wc.deploy_problems(flow) == [
        f"job {wc.deploy_jobs(flow)['dev']}: concurrency must set `cancel-in-progress: false`"
    ]


def test_stacks_are_read_from_stack_files_only(tmp_path):
    for name in ("Pulumi.yaml", "Pulumi.staging.yaml", "Pulumi.qa.yml", "Pulumi.dev.yaml.bak"):
        (tmp_path / name).write_text("config: {}\n")
    assert wc.repository_stacks(tmp_path) == {"staging"}


# --- AWS trust policies -------------------------------------------------------------------------


def trust_findings(document: dict) -> list:
    """What the policy pack's trust rule says of this trust policy on an aws.iam.Role."""
    role = Resource(
        type=ROLE, name="ci", urn="urn:ci", props={"assumeRolePolicy": json.dumps(document)}
    )
    return list(check_trust_policy(role, {}))


def subjects(document: dict) -> set:
    (statement,) = document["Statement"]
    sub = statement["Condition"]["StringEquals"][f"{OIDC_HOST}:sub"]
    return {sub} if isinstance(sub, str) else set(sub)


@pytest.mark.parametrize("path", [TRUST_DEPLOY, TRUST_PREVIEW], ids=lambda p: p.name)
def test_trust_policies_admit_only_this_repository_through_github_oidc(path):
    document = json.loads(path.read_text())
    (statement,) = document["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"] == {
        "Federated": f"arn:aws:iam::<AWS_ACCOUNT_ID>:oidc-provider/{OIDC_HOST}"
    }
    assert list(statement["Condition"]) == ["StringEquals"]  # exact values, no pattern
    assert statement["Condition"]["StringEquals"][f"{OIDC_HOST}:aud"] == "sts.amazonaws.com"
    for sub in subjects(document):
        assert sub.startswith(REPO_PLACEHOLDER) and "*" not in sub and "?" not in sub
    assert trust_findings(document) == []


def test_the_policy_pack_refuses_a_trust_policy_without_its_subject():
    document = json.loads(TRUST_DEPLOY.read_text())
    del document["Statement"][0]["Condition"]["StringEquals"][f"{OIDC_HOST}:sub"]
    (finding,) = trust_findings(document)
    assert "pin the token's sub" in finding


def test_trust_subjects_are_the_ones_the_jobs_present():
    # A job with an environment presents `environment:<name>` as its OIDC subject, whatever the
    # event: the deploy role trusts the deploy environments, the preview role the preview ones.
    deploy = workflow(DEPLOY)
    environments = {
        env
        for job in wc.deploy_jobs(deploy).values()
        for env in wc.job_environments(wc.jobs(deploy)[job])
    }
    assert subjects(json.loads(TRUST_DEPLOY.read_text())) == {
        f"{REPO_PLACEHOLDER}environment:{env}" for env in environments
    }
    previews = wc.job_environments(wc.jobs(workflow(PR))["preview"])
    assert subjects(json.loads(TRUST_PREVIEW.read_text())) == {
        f"{REPO_PLACEHOLDER}environment:{env}" for env in previews
    }
    # Neither role admits the other's jobs.
    assert not environments & set(previews)


# --- dependencies ------------------------------------------------------------------------------


def test_the_suite_runs_against_the_newest_release_of_each_pin_and_names_the_one_that_broke():
    flow = workflow(NEWEST)
    triggers = flow["on"]
    assert {"schedule", "workflow_dispatch", "pull_request"} <= set(triggers)
    # Every file that pins a dependency the suite installs (not the oldest SDK: it moves by hand).
    paths = triggers["pull_request"]["paths"]
    assert {"requirements*.txt", "policy/requirements.txt", "provider/requirements.txt"} <= set(
        paths
    )
    (job,) = wc.jobs(flow).values()
    upgrades = job["strategy"]["matrix"]["upgrade"]
    named = {package for entry in upgrades for package in entry.split()}
    # The list: each alone, then all together.
    assert {"moto[server]", "boto3", "botocore", "pulumi", "pulumi-aws", "pulumi-policy"} <= named
    assert "all" in upgrades and job["strategy"]["fail-fast"] is False
    assert "${{ matrix.upgrade }}" in job["name"]  # the failing leg names the package
    text = text_of(NEWEST)
    assert "pip install --quiet --upgrade" in text and "GITHUB_STEP_SUMMARY" in text


def test_pins_move_through_pull_requests():
    assert schema_check("vendor.dependabot", DEPENDABOT).returncode == 0
    updates = yaml.safe_load(DEPENDABOT.read_text())["updates"]
    covered = {
        (u["package-ecosystem"], directory)
        for u in updates
        for directory in u.get("directories", [u.get("directory")])
    }
    assert {("pip", "/"), ("pip", "/policy"), ("pip", "/provider"), ("github-actions", "/")} <= (
        covered
    )
    # The provider's pins must equal the root's (tests/test_component_package.py): one entry for
    # both directories, so one pull request moves them together.
    (both,) = [u for u in updates if "/provider" in u.get("directories", [])]
    assert "/" in both["directories"]
    # The oldest SDK the handlers are tested on stays where no update reaches it.
    assert not list(ROOT.glob("requirements*oldest*"))
    assert (ROOT / "ci" / "lambda-oldest-sdk.txt").is_file()


def test_the_checks_give_make_test_both_pythons():
    (setup,) = [
        step
        for step in wc.steps(wc.jobs(workflow(CHECKS))["test"])
        if str(step.get("uses", "")).startswith("actions/setup-python")
    ]
    versions = str(setup["with"]["python-version"]).split()
    assert versions[-1] == "3.11" and "3.13" in versions  # the last one is `python3`


def test_ci_runs_the_lambda_side_tests_on_both_pythons_and_never_skips_3_13():
    steps = {step.get("name"): step for step in wc.steps(wc.jobs(workflow(CHECKS))["test"])}
    assert steps["Tests"]["env"]["REQUIRE_LAMBDA_PYTHON"] == "1"
    on_3_11 = steps["Handler tests and sandbox stories on 3.11"]["run"]
    assert "tests/handlers" in on_3_11 and "tests/sandbox/test_end_to_end.py" in on_3_11


@pytest.mark.parametrize("required", [False, True])
def test_without_lambda_python_the_script_skips_with_a_notice_unless_required(tmp_path, required):
    env = {
        "PATH": os.environ["PATH"],
        "PYENV_ROOT": str(tmp_path),  # no versions there
        "LAMBDA_PYTHON_VERSION": "3.99",  # on no PATH either
        **({"REQUIRE_LAMBDA_PYTHON": "1"} if required else {}),
    }
    run = subprocess.run(
        ["bash", str(ROOT / "ci" / "lambda-python-tests.sh")],
        check=False,
        env=env,
        capture_output=True,
        text=True,
    )
    if required:
        assert run.returncode == 1 and "error: no python3.99 found" in run.stderr
    else:
        assert run.returncode == 0 and "notice: no python3.99 found" in run.stdout
