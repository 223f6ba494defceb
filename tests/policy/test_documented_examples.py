"""docs/policy-pack.md's examples, run: each rule's "Fails:" program gets a finding of that rule,
its "Passes:" program none. The programs run under the offline preview's mocks, with the page's
preamble, and are judged by the pack under policy/config/prod.json (every rule on, mandatory)."""

import json
import re
import textwrap

import pytest

from tools import preview
from tools.program import REPO_ROOT, run_program

PAGE = (REPO_ROOT / "docs" / "policy-pack.md").read_text(encoding="utf-8")
PROD = json.loads((REPO_ROOT / "policy" / "config" / "prod.json").read_text())
PREAMBLE = re.search(
    r"They assume this\npreamble:\n\n```python\n(.*?)^```", PAGE, re.MULTILINE | re.DOTALL
)


def examples() -> list:
    found = []
    for part in re.split(r"^### ", PAGE, flags=re.MULTILINE)[1:]:
        rule, body = part.split("\n", 1)
        body = re.split(r"^#{1,3} ", body, flags=re.MULTILINE)[0]
        for side in ("Fails", "Passes"):
            block = re.search(rf"^{side}:\n\n```python\n(.+?)^```", body, re.MULTILINE | re.DOTALL)
            if block:
                found.append((rule.strip(), side, block.group(1)))
    return found


EXAMPLES = examples()


def test_every_documented_rule_has_both_examples():
    assert PREAMBLE, "the page's preamble block"
    rules = {rule for rule, _, _ in EXAMPLES}
    sides = {(rule, side) for rule, side, _ in EXAMPLES}
    assert len(rules) >= 20 and sides == {(r, s) for r in rules for s in ("Fails", "Passes")}


@pytest.mark.parametrize("rule, side, program", EXAMPLES, ids=[f"{r}-{s}" for r, s, _ in EXAMPLES])
def test_the_example_fails_or_passes_its_rule(pack, tmp_path, rule, side, program):
    assert PREAMBLE
    (tmp_path / "Pulumi.yaml").write_text("name: policy-example\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(PREAMBLE.group(1) + "\n\n" + textwrap.dedent(program))
    pack.configure(PROD)
    found = [
        v for v in preview.evaluate(run_program(tmp_path, config={}), pack) if v.policy == rule
    ]
    if side == "Fails":
        assert found, f"{rule}: its Fails example gets no finding"
    else:
        assert found == [], f"{rule}: its Passes example gets {[v.message for v in found]}"
