"""The offline preview on programs written the way real ones are (pulumi/examples' idioms), and
the guarantees a CI gate needs: it never hangs, and it never judges values it made up."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tools import preview
from tools.program import REPO_ROOT, run_program

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's unknown-value sentinel


def run(capsys, *args, tmp_path=None):
    report_path = tmp_path / "report.json" if tmp_path else None
    code = preview.main([*args] + (["--json", str(report_path)] if report_path else []))
    out, err = capsys.readouterr()
    report = json.loads(report_path.read_text()) if report_path and report_path.exists() else None
    return code, out, err, report


# --- resources as inputs ----------------------------------------------------------------------


def test_a_resource_passed_as_an_input_runs_and_is_judged(capsys, tmp_path):
    # Used to hang, or fail with "attached to a different loop": the SDK's mock monitor rebuilt
    # the reference into a Role on another thread's event loop.
    code, out, err, report = run(
        capsys, "--dir", str(SAMPLES / "resource_inputs"), tmp_path=tmp_path
    )
    assert code == 1, out + err
    mandatory = [v for v in report["violations"] if v["enforcement"] == "mandatory"]
    assert [v["policy"] for v in mandatory] == ["iam-no-broad-managed-policies"]
    assert "AdministratorAccess" in mandatory[0]["message"]
    # The access block names its bucket by reference: the stack rules see them linked.
    assert not [v for v in report["violations"] if v["policy"] == "s3-public-access-block"]


def test_resource_references_reach_the_rules_as_the_engine_marshals_them():
    # pulumi/pulumi pkg/resource/plugin: analyzers get properties marshaled without
    # KeepResources, so a custom resource is its ID and a component its URN.
    program = run_program(SAMPLES / "resource_inputs", "dev", strict=False, preview=True)
    role = program.one("aws:iam/role:Role", "worker")
    policy = program.one("aws:iam/rolePolicy:RolePolicy", "worker-access")
    assert policy.wire_inputs["role"] == role.id == role.outputs["name"]
    assert policy.property_dependencies["role"] == [role.urn]
    block = program.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    bucket = program.one("aws:s3/bucket:Bucket")
    assert block.inputs["bucket"] == bucket.outputs["bucket"]


def test_a_component_registering_its_resources_as_outputs_runs():
    # `self.register_outputs({"bucket": self.bucket})`: the engine stores the references as the
    # bucket's ID; stack rules see that.
    program = run_program(SAMPLES / "resource_inputs", "dev", strict=False, preview=True)
    component = program.one("acme:storage:Uploads")
    bucket = program.one("aws:s3/bucket:Bucket")
    assert component.outputs == {
        "bucket": bucket.id,
        "queue": program.one("aws:sqs/queue:Queue").id,
    }


def test_in_a_first_preview_a_reference_to_a_resource_not_created_is_unknown(capsys, tmp_path):
    program = run_program(SAMPLES / "resource_inputs", "dev", strict=False, unknowns=True)
    policy = program.one("aws:iam/rolePolicy:RolePolicy", "worker-access")
    assert policy.wire_inputs["role"] == UNKNOWN
    code, out, err, report = run(
        capsys,
        "--dir",
        str(SAMPLES / "resource_inputs"),
        "--unknown-outputs",
        tmp_path=tmp_path,
    )
    assert code == 1, out + err
    assert not [v for v in report["violations"] if "can't run" in v["message"]]


def test_config_given_on_the_command_line_is_used(capsys, tmp_path):
    code, out, err, _ = run(
        capsys,
        "--dir",
        str(SAMPLES / "needs_config"),
        "-c",
        "bucketName=reports-2026",
        tmp_path=tmp_path,
    )
    assert code == 0, out + err
    bucket = run_program(
        SAMPLES / "needs_config", "dev", config={"needs-config:bucketName": "x"}, strict=False
    ).one("aws:s3/bucket:Bucket")
    assert bucket.inputs["bucket"] == "x"


def test_a_malformed_config_option_is_an_error(capsys):
    code, _, err, _ = run(capsys, "--dir", str(SAMPLES / "needs_config"), "-c", "bucketName")
    assert code == 2 and "expected KEY=VALUE" in err


# --- lookups the preview cannot answer --------------------------------------------------------


def _program_with_unanswered_lookup(tmp_path: Path) -> Path:
    project = tmp_path / "outposts"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: outposts\nruntime: python\n")
    (project / "__main__.py").write_text(
        "import pulumi\nimport pulumi_aws as aws\n"
        "outposts = aws.outposts.get_outposts()\n"
        "aws.sqs.Queue('jobs', sqs_managed_sse_enabled=True)\n"
        "pulumi.export('outposts', outposts.ids)\n"
    )
    return project


def test_a_lookup_without_an_offline_answer_is_refused_with_its_name(capsys, tmp_path):
    project = _program_with_unanswered_lookup(tmp_path)
    code, _, err, report = run(capsys, "--dir", str(project), tmp_path=tmp_path)
    assert code == 2 and report is None
    assert "cannot answer: aws:outposts/getOutposts:getOutposts" in err
    assert "--allow-unanswered" in err


def test_allow_unanswered_previews_with_empty_results_and_says_so(capsys, tmp_path):
    project = _program_with_unanswered_lookup(tmp_path)
    code, out, _, report = run(
        capsys, "--dir", str(project), "--allow-unanswered", tmp_path=tmp_path
    )
    assert code == 0
    assert report["unansweredFunctions"] == ["aws:outposts/getOutposts:getOutposts"]
    assert "Not answered offline (returned nothing): aws:outposts/getOutposts:getOutposts" in out


# --- never hangs ----------------------------------------------------------------------------------


def _preview_in_a_child(sample: str, limit: float) -> tuple:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "tools.preview", "--dir", str(SAMPLES / sample)]
        + ["--time-limit", str(limit)],
        check=False,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=limit + 60,  # a hang fails the test here instead of blocking the suite
    )
    return done.returncode, done.stderr, time.monotonic() - started


@pytest.mark.parametrize(
    "sample, where",
    [
        # The exports are resolved one by one, so the stuck one is named.
        ("never_finishes", "outputs still waiting for their values: approval"),
        # A resource whose input never resolves, and the program line it is stuck on.
        ("deadlocked_apply", "waiting for the inputs of aws:s3/bucketPolicy:BucketPolicy"),
    ],
)
def test_a_program_that_never_finishes_is_stopped_with_exit_2(sample, where):
    code, err, seconds = _preview_in_a_child(sample, limit=2)
    assert code == 2, err
    assert "did not finish within 2 s (--time-limit)" in err and where in err
    assert seconds < 20
    if sample == "deadlocked_apply":
        assert f"{SAMPLES / sample / '__main__.py'}:13 in policy_for (main thread)" in err


def test_a_program_that_swallows_the_interrupt_is_still_stopped():
    code, err, seconds = _preview_in_a_child("swallows_interrupts", limit=1)
    assert code == 2, err
    assert "did not finish within 1 s (--time-limit)" in err
    assert "__main__.py:11 in <module> (main thread)" in err
    assert seconds < 1 + 5 + 15  # the limit, the grace period, the interpreter's start


def test_the_time_limit_inside_the_process_leaves_it_usable(capsys, tmp_path):
    code, _, err, _ = run(capsys, "--dir", str(SAMPLES / "never_finishes"), "--time-limit", "1")
    assert code == 2 and "outputs still waiting for their values: approval" in err
    code, out, err, _ = run(capsys, "--dir", str(SAMPLES / "least_privilege_ok"))
    assert code == 0, out + err


@pytest.mark.parametrize("value", ["-1", "nan", "soon"])
def test_a_time_limit_that_is_not_a_number_of_seconds_is_refused(capsys, value):
    with pytest.raises(SystemExit) as stopped:
        preview.main(["--dir", str(SAMPLES / "least_privilege_ok"), "--time-limit", value])
    assert stopped.value.code == 2
    assert "is not a number of seconds" in capsys.readouterr().err


def test_off_the_main_thread_the_time_limit_says_it_does_not_apply(capsys):
    import threading

    codes = []
    worker = threading.Thread(
        target=lambda: codes.append(
            preview.main(["--dir", str(SAMPLES / "least_privilege_ok"), "--time-limit", "30"])
        )
    )
    worker.start()
    worker.join(60)
    assert codes == [0]
    assert "--time-limit applies only when the preview runs on the main thread" in (
        capsys.readouterr().err
    )
