"""Least-privilege policies written in the shapes AWS documents (bench/iam_corpus_examples.py,
each naming the page it follows) pass every rule: the pack's false positives, measured."""

import json

import pytest

from bench.iam_corpus_examples import LEAST_PRIVILEGE
from tests.policy.harness import check, finding


@pytest.mark.parametrize("example", LEAST_PRIVILEGE, ids=[e["name"] for e in LEAST_PRIVILEGE])
def test_a_documented_least_privilege_policy_passes(pack, example):
    assert example["source"]  # the AWS page whose shape it follows
    policy = json.dumps(example["document"])
    violations = check(pack, "aws:iam/rolePolicy:RolePolicy", {"role": "app", "policy": policy})
    assert [(v.policy, finding(v)) for v in violations] == []


def test_the_examples_are_many_and_varied():
    services = {
        action.split(":")[0]
        for example in LEAST_PRIVILEGE
        for statement in example["document"]["Statement"]
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
    }
    assert len(LEAST_PRIVILEGE) >= 60 and len(services) >= 25
