"""Least privilege, proven per pipeline: the role's policy as deployed is sufficient for its story,
and every statement is necessary — with any single one removed the story fails, and it fails
because a call that statement allowed is now denied (for logs and the dead-letter queue: because
Lambda could not deliver, with the role, what it had to)."""

import json

import pytest

from tests.sandbox.roles import role_policy
from tools.sandbox import scenarios


def _actions(statement: dict) -> set:
    actions = statement["Action"]
    return {actions} if isinstance(actions, str) else set(actions)


def _put(sandbox, function, name: str, policy: dict) -> None:
    role = function.role_arn.rsplit("/", 1)[-1]
    sandbox.client("iam").put_role_policy(
        RoleName=role, PolicyName=name, PolicyDocument=json.dumps(policy)
    )


def unnecessary_statements(sandbox, scenario, run_id: str) -> list:
    """(Sid, actions denied meanwhile) of each statement whose removal the story survives, or
    whose removal makes it fail without denying any of the statement's own actions."""
    function = sandbox.function(scenario.pipeline)
    name, policy = role_policy(sandbox, function)
    found = []
    for index, statement in enumerate(policy["Statement"]):
        others = policy["Statement"][:index] + policy["Statement"][index + 1 :]
        _put(sandbox, function, name, dict(policy, Statement=others))
        calls_before = len(sandbox.guard.calls)
        try:
            outcome = scenarios.tell(sandbox, scenario, f"{run_id}x{index}")
        finally:
            _put(sandbox, function, name, policy)
            sandbox.settle()  # what the mutated run left behind is handled before the next
        denied = {
            need.action
            for call in sandbox.guard.calls[calls_before:]
            if call.identity.function == function.name
            for need, decision in call.needs
            if not decision.allowed
        }
        if outcome.ok or not denied & _actions(statement):
            found.append((statement["Sid"], sorted(denied)))
    return found


@pytest.mark.parametrize("scenario", scenarios.SCENARIOS, ids=lambda s: s.pipeline)
def test_every_statement_is_necessary_and_together_sufficient(sandbox, scenario, run_id):
    sufficient = scenarios.tell(sandbox, scenario, f"{run_id}full")
    assert sufficient.ok, "\n".join(str(c) for c in sufficient.checks)

    assert unnecessary_statements(sandbox, scenario, run_id) == []


def test_a_statement_the_story_does_not_need_is_found(sandbox, run_id):
    scenario = scenarios.SCENARIOS[-1]  # object copy: the quickest story
    function = sandbox.function(scenario.pipeline)
    name, policy = role_policy(sandbox, function)
    bucket = sandbox.outputs["objectCopySourceBucketName"]
    extra = {
        "Sid": "ReadBucketTags",
        "Effect": "Allow",
        "Action": ["s3:GetBucketTagging"],
        "Resource": [f"arn:aws:s3:::{bucket}"],
    }
    _put(sandbox, function, name, dict(policy, Statement=[*policy["Statement"], extra]))
    try:
        found = unnecessary_statements(sandbox, scenario, run_id)
    finally:
        _put(sandbox, function, name, policy)

    assert found == [("ReadBucketTags", [])]
