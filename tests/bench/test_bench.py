"""The benchmarks at tiny sizes: each produces a well-formed figure, and the checks that guard the
comparisons (same outcome, same resources) do fail when they should. Timing targets are not
asserted here: on a shared machine they are noise at these sizes."""

import json
import re

import pytest

from bench import batch_throughput, cold_start, policy_cost, preview_cost
from bench.timing import Check, Figure, interleaved, ratio, table


def well_formed(figure: Figure) -> None:
    assert figure.rows and figure.checks
    assert all(len(row) == len(figure.columns) for row in figure.rows)
    assert all(check.verdict in ("PASS", "MISS", "ok", "FAILED") for check in figure.checks)
    text = figure.render()
    assert figure.title in text
    assert all(check.name in text for check in figure.checks)


@pytest.fixture(scope="module")
def dev_stack() -> list:
    """The dev stack's resources as tools.preview hands them to the pack."""
    from tools import preview
    from tools.program import REPO_ROOT, run_program

    return preview.analyzed_resources(run_program(REPO_ROOT, "dev", strict=False, preview=True))


def test_rounds_alternate_their_order_and_ratios_pair_rounds():
    calls = []
    samples = interleaved(
        3,
        {"a": lambda: calls.append("a") or 2.0, "b": lambda: calls.append("b") or 1.0},
        warmup=1,
    )
    assert calls == ["a", "b", "b", "a", "a", "b", "b", "a"]
    assert samples == {"a": [2.0, 2.0, 2.0], "b": [1.0, 1.0, 1.0]}
    r = ratio([2.0, 3.0, 4.0], [1.0, 1.0, 2.0])
    assert (r.value, r.low, r.high, r.rounds) == (3.0, 2.0, 3.0, 3)
    assert str(r) == "3.00x (2.00-3.00)"
    with pytest.raises(ValueError):
        ratio([1.0], [1.0, 2.0])


def test_tables_align_numbers_right_and_text_left():
    lines = table(["name", "ms"], [["a", "1.5"], ["longer", "12.25"]])
    assert lines[0] == "  name       ms"
    assert lines[2] == "  a         1.5"
    assert lines[3] == "  longer  12.25"


def test_cold_start_imports_each_handler_from_its_own_archive(tmp_path):
    figure = cold_start.run(rounds=1, handlers=("user_buckets",))
    well_formed(figure)
    (row,) = figure.rows
    assert float(row[3]) > 0  # compiling and importing the handler's modules takes time
    for module in cold_start.HANDLERS:  # deterministic, so held to the target here too
        assert cold_start.archive_bytes(module) <= cold_start.ARCHIVE_TARGET
    # Only the archive is importable: a module it lacked would fail the measurement.
    root = cold_start.unpack("notes_api", tmp_path / "notes_api")
    cold_start.import_seconds("notes_api", root)
    (root / "handlers" / "notes_http.py").unlink()
    with pytest.raises(RuntimeError, match="notes_http"):
        cold_start.import_seconds("notes_api", root)
    assert not list(root.rglob("*.pyc"))  # compiled on every import, as on Lambda


def test_batch_throughput_runs_both_ways_to_the_same_outcome():
    figure = batch_throughput.run(records=8, latency=0.001, rounds=1)
    well_formed(figure)
    assert [row[0] for row in figure.rows] == ["user_buckets", "stream_archive"]
    assert figure.rows[0][1] == 4 * 8  # CreateBucket, access block, encryption, tags per record
    assert figure.rows[1][1] == 8  # one PutObject per record
    verdicts = {check.name: check.verdict for check in figure.checks}
    assert (
        verdicts["user_buckets same requests"] == verdicts["stream_archive same requests"] == "ok"
    )
    assert figure.sound, figure.render()


def test_a_baseline_that_does_less_is_caught(monkeypatch):
    def lazy_baseline(self):
        for record in self.records[1:]:  # forgets the first record
            self.module.archive(record, batch_throughput.ARCHIVE)
        return {"batchItemFailures": []}

    monkeypatch.setattr(batch_throughput.StreamArchive, "baseline", lazy_baseline)
    figure = batch_throughput.run(records=2, latency=0.0, rounds=1)
    verdicts = {check.name: check.verdict for check in figure.checks}
    assert verdicts["stream_archive same outcome"] == "FAILED"
    assert verdicts["stream_archive same requests"] == "FAILED"  # 1 PutObject instead of 2
    assert verdicts["user_buckets same outcome"] == "ok"
    assert not figure.sound


def test_the_generated_program_registers_n_copies_of_the_dev_stack(dev_stack):
    one = preview_cost.preview_copies(1, warm_up=False)
    two = preview_cost.preview_copies(2, warm_up=False)
    assert one["resources"] == len(dev_stack)  # the root stack and every resource of dev
    assert two["resources"] == 2 * (len(dev_stack) - 1) + 1
    assert one["mandatory"] == two["mandatory"] == 0
    assert one["program"] > 0 and one["policy"] > 0


def test_preview_figure_checks_linear_growth_and_the_resource_count(monkeypatch):
    def child(copies, stack="dev"):
        resources = 153 * copies + 1
        return {
            "copies": copies,
            "resources": resources,
            "pack": 0.1,
            "program": 0.002 * resources * (1.6 if copies == 10 else 1),
            "policy": 0.0,
            "mandatory": 0,
            "violations": 0,
            "peak_rss_mb": 100.0,
        }

    monkeypatch.setattr(preview_cost, "child_preview", child)
    monkeypatch.setattr(
        preview_cost, "cli_preview", lambda stack: {"seconds": 2.0, "resources": 154}
    )
    figure = preview_cost.run(copies=(1, 10), cli_rounds=2)
    well_formed(figure)
    verdicts = {check.name.split(":")[0]: check.verdict for check in figure.checks}
    assert verdicts == {
        "dev stack, `python -m tools.preview`": "PASS",
        "N=1 registers the dev stack's resources": "ok",
        "linear": "MISS",  # 10x the resources for 16x the time: k = 1.2
    }
    assert preview_cost.growth_exponent([(10, 1.0), (100, 10.0), (1000, 100.0)]) == pytest.approx(1)
    assert preview_cost.growth_exponent([(10, 1.0), (100, 100.0)]) == pytest.approx(2)


def test_policy_cost_scales_the_stack_with_its_own_names(dev_stack):
    resources = dev_stack
    scaled = policy_cost.scaled(resources, 400)
    copies = (len(scaled) - 1) // (len(resources) - 1)
    assert len(scaled) >= 400 and (len(scaled) - 1) % (len(resources) - 1) == 0
    assert len({r.urn for r in scaled}) == len(scaled)
    buckets = {r.name: r for r in scaled if r.type == "aws:s3/bucket:Bucket"}
    arn = buckets["notes-audio-c1"].outputs["arn"]
    original = buckets["notes-audio"].outputs["arn"]
    assert re.fullmatch(r"arn:aws:s3:::notes-audio-[0-9a-f]{7}", arn) and arn != original
    assert copies == 3


def test_policy_cost_measures_both_sizes(dev_stack):
    measured = policy_cost.measure(count=300, rounds=1, stack_resources=dev_stack)
    assert measured["stack"]["resources"] < 300 <= measured["scaled"]["resources"]
    copies = (measured["scaled"]["resources"] - 1) // (measured["stack"]["resources"] - 1)
    assert measured["stack"]["violations"] == 1  # the log group without retention
    assert measured["scaled"]["violations"] == copies
    for side in measured.values():
        assert len(side["seconds"]) == 1
        assert side["resource_rules"][0] + side["stack_rules"][0] == pytest.approx(
            side["seconds"][0]
        )


def test_a_check_is_a_miss_or_a_failure_by_kind():
    assert Check("t", "1", "2", False).verdict == "MISS"
    assert Check("t", "1", "2", False, sanity=True).verdict == "FAILED"


def test_the_iam_corpus_is_every_managed_policy_and_every_example():
    from bench import iam_corpus
    from bench.iam_corpus_examples import LEAST_PRIVILEGE

    corpus = iam_corpus.documents()
    assert len(corpus) == len(LEAST_PRIVILEGE) + len(
        [d for d in corpus if d["source"] == "AWS managed policy"]
    )
    assert len(corpus) >= 1600
    spread = iam_corpus.documents(10)
    assert len(spread) == 10 and {d["source"] == "AWS managed policy" for d in spread} == {True}
    assert iam_corpus.documents(len(corpus)) == corpus


def test_the_iam_corpus_gate_and_plan_hold_the_same_documents(tmp_path):
    from bench import iam_corpus

    items = iam_corpus.documents(6)
    found = iam_corpus.gate(iam_corpus.write_program(tmp_path / "corpus", items))
    assert found["resources"] == 12  # a role and its inline policy per document
    plan = iam_corpus.terraform_plan(items)
    resources = plan["planned_values"]["root_module"]["resources"]
    assert [r["type"] for r in resources] == ["aws_iam_role", "aws_iam_role_policy"] * 6
    policies = [json.loads(r["values"]["policy"]) for r in resources[1::2]]
    assert policies == [item["document"] for item in items]
    assert len(plan["resource_changes"]) == 12


def test_the_iam_corpus_figure_checks_the_gate_and_reports_checkov_missing(monkeypatch):
    from bench import iam_corpus

    monkeypatch.setattr(iam_corpus, "find_checkov", lambda given: None)
    figure = iam_corpus.run(sizes=(4, 8), rounds=1)
    well_formed(figure)
    assert any("checkov not installed" in note for note in figure.notes)
    assert [check.name for check in figure.checks][-1].startswith("flat cost per resource")
