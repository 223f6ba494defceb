"""`python -m tools.preview` end to end, on this project and on small programs written by others."""

import json
from pathlib import Path

import pytest

from tools import policy_pack, preview
from tools.program import REPO_ROOT

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def run(capsys, *args, tmp_path=None):
    report_path = tmp_path / "report.json" if tmp_path else None
    argv = [*args] + (["--json", str(report_path)] if report_path else [])
    code = preview.main(argv)
    out, err = capsys.readouterr()
    report = json.loads(report_path.read_text()) if report_path and report_path.exists() else None
    return code, out, err, report


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_this_projects_stacks_have_no_mandatory_violation(capsys, tmp_path, stack):
    code, out, _, report = run(capsys, "--stack", stack, tmp_path=tmp_path)
    assert code == 0, out
    assert not [v for v in report["violations"] if v["enforcement"] == "mandatory"]
    assert f"policy/config/{stack}.json" in out  # the stack's own pack config was used
    types = {r["type"] for r in report["resources"]}
    assert {
        "aws:lambda/function:Function",
        "aws:iam/rolePolicy:RolePolicy",
        "event-pipelines:index:StreamArchive",
    } <= types


def test_seed_000_is_stopped_with_the_replacements_named(capsys, tmp_path):
    code, out, _, report = run(capsys, "--dir", str(SAMPLES / "seed_000_admin"), tmp_path=tmp_path)
    assert code == 1
    mandatory = [v for v in report["violations"] if v["enforcement"] == "mandatory"]
    assert sorted(v["policy"] for v in mandatory) == ["iam-no-broad-managed-policies"] * 2
    messages = " ".join(v["message"] for v in mandatory)
    assert "AdministratorAccess" in messages and "AmazonS3FullAccess" in messages
    assert all(v["urn"].startswith("urn:pulumi:dev::seed-000-admin::aws:iam/") for v in mandatory)
    assert "[mandatory] iam-no-broad-managed-policies" in out
    assert "Result: 2 mandatory violation(s)" in out


def test_seed_001_wildcard_read_rendered_by_get_policy_document_is_stopped(capsys, tmp_path):
    code, _, _, report = run(capsys, "--dir", str(SAMPLES / "seed_001_metadata"), tmp_path=tmp_path)
    assert code == 1
    by_policy = {v["policy"]: v for v in report["violations"]}
    assert by_policy["iam-no-wildcard-resources"]["enforcement"] == "mandatory"
    assert "'s3:GetObject' on Resource \"*\"" in by_policy["iam-no-wildcard-resources"]["message"]
    assert by_policy["iam-no-broad-managed-policies"]["enforcement"] == "mandatory"
    assert {
        "lambda-async-failure-destination",
        "lambda-permission-source-restricted",
        "s3-public-access-block",
        "s3-tls-only",
        "lambda-log-group-retention",
        "dynamodb-point-in-time-recovery",
    } <= set(by_policy)


def test_a_least_privilege_program_written_by_others_passes_clean(capsys, tmp_path):
    code, out, _, report = run(
        capsys, "--dir", str(SAMPLES / "least_privilege_ok"), tmp_path=tmp_path
    )
    # Its IAM is least privilege: no IAM rule speaks. What it leaves out of a reviewer's
    # checklist is reported as an advisory: access logs (dev.json leaves code signing and WAF
    # off, as the dev stack does).
    assert code == 0, out
    assert sorted(
        (v["policy"], v["enforcement"], v["urn"].rsplit("::", 1)[1]) for v in report["violations"]
    ) == [
        ("s3-access-logging", "advisory", "uploads"),
    ], out
    assert report["stack"] == "dev" and report["policyPack"]["name"] == (
        "event-pipelines-least-privilege"
    )


def test_the_report_lists_the_resource_tree(capsys, tmp_path):
    _, out, _, report = run(capsys, "--dir", str(SAMPLES / "least_privilege_ok"), tmp_path=tmp_path)
    root = report["resources"][0]
    assert (root["type"], root["parent"]) == ("pulumi:pulumi:Stack", "")
    assert all(r["parent"] == root["urn"] for r in report["resources"][1:])
    assert set(report["resources"][1]) == {"urn", "type", "name", "parent"}
    assert "└─ uploads-notification  (aws:s3/bucketNotification:BucketNotification)" in out


def test_get_policy_document_is_rendered_as_aws_renders_it(capsys, tmp_path):
    from tools.program import run_program

    program = run_program(SAMPLES / "least_privilege_ok", "dev")
    rendered = json.loads(program.outputs["policy"])
    assert rendered["Version"] == "2012-10-17"
    by_sid = {s["Sid"]: s for s in rendered["Statement"]}
    assert by_sid["ReadUploads"] == {
        "Sid": "ReadUploads",
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": f"{program.one('aws:s3/bucket:Bucket').outputs['arn']}/*",
    }
    assert by_sid["WriteMetadata"]["Action"] == ["dynamodb:PutItem", "dynamodb:DeleteItem"]
    assert by_sid["Traces"]["Action"] == ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]


def test_other_layouts_and_their_lookups_preview(capsys, tmp_path):
    code, out, _, report = run(capsys, "--dir", str(SAMPLES / "other_layout"), tmp_path=tmp_path)
    assert code == 0, out
    assert report["unansweredFunctions"] == []
    queue = next(r for r in report["resources"] if r["type"] == "aws:sqs/queue:Queue")
    assert queue["name"] == "other-jobs"


def test_outputs_without_a_specific_mock_still_support_string_work():
    from tools.program import run_program

    program = run_program(SAMPLES / "other_layout", "dev", strict=False)
    assert program.outputs["invokeScope"].startswith("arn:aws:execute-api:us-east-1:123456789012:")
    assert program.outputs["invokeScope"].endswith("/*/*")
    assert program.outputs["topicArn"].startswith("arn:aws:sns:us-east-1:123456789012:other-events")
    assert program.outputs["rootResource"].isupper()


@pytest.mark.parametrize(
    "sample, message",
    [
        ("broken_program", "the program failed at "),
        ("needs_config", "Missing required configuration variable 'needs-config:bucketName'"),
        ("does_not_exist", "Pulumi.yaml not found"),
    ],
)
def test_a_failing_program_exits_2_with_a_clear_message(capsys, tmp_path, sample, message):
    code, out, err, report = run(capsys, "--dir", str(SAMPLES / sample), tmp_path=tmp_path)
    assert code == 2 and message in err
    assert report is None and "Policy violations" not in out


def test_a_bad_policy_config_exits_2(capsys, tmp_path):
    config = tmp_path / "bad.json"
    config.write_text(json.dumps({"iam-no-wildcard-actions": {"allowedActions": "*"}}))
    code, _, err, _ = run(capsys, "--policy-config", str(config))
    assert code == 2 and "allowedActions: '*' is not of type 'array'" in err


def test_a_stack_config_can_turn_a_violation_advisory(capsys, tmp_path):
    config = tmp_path / "relaxed.json"
    config.write_text(json.dumps({"iam-no-broad-managed-policies": "advisory"}))
    code, _, _, report = run(
        capsys,
        "--dir",
        str(SAMPLES / "seed_000_admin"),
        "--policy-config",
        str(config),
        tmp_path=tmp_path,
    )
    assert code == 0
    assert {v["enforcement"] for v in report["violations"]} == {"advisory"}


def test_a_directory_that_is_not_a_pack_exits_2(capsys, tmp_path):
    code, _, err, _ = run(capsys, "--policy-pack", str(tmp_path))
    assert code == 2 and "not a Python policy pack" in err


def test_another_pack_is_loaded_from_its_own_entry_point(capsys, tmp_path):
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 2.0.0\n")
    (pack / "__main__.py").write_text(
        "from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy\n"
        "def no_queues(args, report):\n"
        "    if args.resource_type == 'aws:sqs/queue:Queue':\n"
        "        report('queues are not allowed here')\n"
        "PolicyPack('no-queues', enforcement_level=EnforcementLevel.MANDATORY, policies=[\n"
        "    ResourceValidationPolicy(name='no-queues', description='No SQS queues.',\n"
        "                             validate=no_queues)])\n"
    )
    code, out, _, report = run(
        capsys,
        "--dir",
        str(SAMPLES / "other_layout"),
        "--policy-pack",
        str(pack),
        tmp_path=tmp_path,
    )
    assert code == 1 and "policy pack no-queues v2.0.0" in out
    assert [v["policy"] for v in report["violations"]] == ["no-queues"]


def test_loading_a_pack_that_builds_no_policy_pack_fails_clearly(tmp_path):
    (tmp_path / "__main__.py").write_text("print('hello')\n")
    with pytest.raises(policy_pack.PolicyPackError, match="did not construct a PolicyPack"):
        policy_pack.load(tmp_path)


def test_the_default_pack_is_this_projects(capsys):
    assert preview.DEFAULT_PACK == REPO_ROOT / "policy"


@pytest.mark.parametrize(
    "project, stack, mandatory",
    [
        (REPO_ROOT, "dev", []),
        (REPO_ROOT, "prod", []),
        (SAMPLES / "least_privilege_ok", "dev", []),
        (SAMPLES / "seed_000_admin", "dev", ["iam-no-broad-managed-policies"] * 2),
        (
            SAMPLES / "seed_001_metadata",
            "dev",
            ["iam-no-broad-managed-policies", "iam-no-wildcard-resources"],
        ),
    ],
)
def test_a_first_preview_with_unknown_outputs_checks_what_is_known(
    capsys, tmp_path, project, stack, mandatory
):
    # As in a real first `pulumi preview`: ARNs, ids and policies built from them are unknown.
    code, out, _, report = run(
        capsys, "--dir", str(project), "--stack", stack, "--unknown-outputs", tmp_path=tmp_path
    )
    assert "computed values unknown" in out
    found = sorted(v["policy"] for v in report["violations"] if v["enforcement"] == "mandatory")
    assert (code, found) == (1 if mandatory else 0, mandatory)
    assert not [v for v in report["violations"] if "can't run" in v["message"]]


def test_unknown_outputs_reach_the_pack_as_the_engines_unknown_values():
    from tools.program import run_program

    program = run_program(stack="dev", unknowns=True)
    role_policy = program.one("aws:iam/rolePolicy:RolePolicy", "user-buckets-fn-policy")
    assert role_policy.wire_inputs["policy"] == "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    function = program.one("aws:lambda/function:Function", "user-buckets-fn")
    assert function.wire_inputs["runtime"] == "python3.13"  # inputs stay known


# --- programs written by others -------------------------------------------------------------------


def program(sample: str, **options):
    from tools.program import run_program

    return run_program(SAMPLES / sample, "dev", strict=False, preview=True, **options)


def test_explicit_providers_secrets_and_components_run(capsys, tmp_path):
    code, out, err, _report = run(
        capsys, "--dir", str(SAMPLES / "api_component"), tmp_path=tmp_path
    )
    assert code == 0, out + err
    run_ = program("api_component")
    table = next(r for r in run_.resources if r.type == "aws:dynamodb/table:Table")
    assert ":eu-west-1:" in table.outputs["arn"]  # the component's provider, not the stack's region
    function = next(r for r in run_.resources if r.type == "aws:lambda/function:Function")
    environment = function.inputs["environment"]
    environment = environment.get("value", environment)  # sent to the engine as a secret
    assert environment["variables"]["DB_PASSWORD"] == "offline-preview-secret"
    permission = next(r for r in run_.resources if r.type == "aws:lambda/permission:Permission")
    assert permission.inputs["sourceArn"].startswith("arn:aws:execute-api:eu-west-1:123456789012:")


def test_stack_references_and_lookups_do_not_stop_the_preview(capsys, tmp_path):
    for sample in ("ecs_service", "vpc_lookups"):
        code, out, err, report = run(capsys, "--dir", str(SAMPLES / sample), tmp_path=tmp_path)
        assert code == 0, out + err
        assert report["unansweredFunctions"] == []
    repository = next(
        r for r in program("ecs_service").resources if r.type == "aws:ecr/repository:Repository"
    )
    assert repository.outputs["repositoryUrl"].startswith("123456789012.dkr.ecr.us-west-2.")


def test_a_program_with_its_own_tools_package_uses_it(capsys, tmp_path):
    code, out, err, _report = run(
        capsys, "--dir", str(SAMPLES / "own_tools_package"), tmp_path=tmp_path
    )
    assert code == 0, out + err
    bucket = next(
        r for r in program("own_tools_package").resources if r.type == "aws:s3/bucketV2:BucketV2"
    )
    assert bucket.inputs["bucket"] == "site-assets"
    import tools  # ours is back afterwards

    assert Path(tools.__file__).parent == REPO_ROOT / "tools"


def test_public_functions_and_escalating_wildcards_are_reported(capsys, tmp_path):
    code, _, _, report = run(capsys, "--dir", str(SAMPLES / "public_function"), tmp_path=tmp_path)
    assert code == 1
    found = {(v["policy"], v["enforcement"]) for v in report["violations"]}
    assert {
        ("iam-no-privilege-escalation", "mandatory"),
        ("iam-no-wildcard-resources", "mandatory"),
        ("lambda-no-public-invoke", "advisory"),
    } <= found


def test_secret_policy_documents_are_checked_too(capsys, tmp_path):
    code, _, _, report = run(capsys, "--dir", str(SAMPLES / "secret_policy"), tmp_path=tmp_path)
    assert code == 1
    assert "iam-no-wildcard-actions" in {v["policy"] for v in report["violations"]}


def test_numbers_given_as_text_do_not_break_the_rules(capsys, tmp_path):
    code, out, err, _ = run(
        capsys, "--dir", str(SAMPLES / "config_typed_as_text"), tmp_path=tmp_path
    )
    assert code == 0, out + err


def test_a_failure_caused_by_an_unanswered_function_says_so(capsys, tmp_path):
    project = tmp_path / "needs_lookup"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: needs-lookup\nruntime: python\n")
    (project / "__main__.py").write_text(
        "import pulumi_aws as aws\n"
        "outpost = aws.outposts.get_outpost(name='rack-1')\n"
        "aws.ec2.Subnet('edge', vpc_id='vpc-1', cidr_block='10.0.9.0/24',\n"
        "               outpost_arn=outpost.arn.upper())\n"
    )
    code, _, err, _ = run(capsys, "--dir", str(project))
    assert code == 2
    assert "AttributeError" in err
    assert (
        "note: provider functions answered with nothing offline (a likely cause): "
        "aws:outposts/getOutpost:getOutpost" in err
    )


def test_a_rule_that_fails_exits_2_not_1(capsys, tmp_path):
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "__main__.py").write_text(
        "from pulumi_policy import PolicyPack, ResourceValidationPolicy\n"
        "def broken(args, report):\n"
        "    raise ValueError('bug in the rule')\n"
        "PolicyPack('broken', policies=[ResourceValidationPolicy(\n"
        "    name='broken', description='Always fails.', validate=broken)])\n"
    )
    code, _, err, _ = run(
        capsys, "--dir", str(SAMPLES / "least_privilege_ok"), "--policy-pack", str(pack)
    )
    assert code == 2 and "the policy pack failed: ValueError: bug in the rule" in err
