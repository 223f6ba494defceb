"""Least privilege, proven per pipeline: the role's policy as deployed is sufficient for its story,
and every statement is necessary — with any single one removed the story fails, and it fails
because a call that statement allowed is now denied (for logs and the dead-letter queue: because
Lambda could not deliver, with the role, what it had to)."""

import pytest

from tests.sandbox.roles import put_role_policy, role_policy, unnecessary_statements
from tools.sandbox import scenarios


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
    put_role_policy(sandbox, function, name, dict(policy, Statement=[*policy["Statement"], extra]))
    try:
        found = unnecessary_statements(sandbox, scenario, run_id)
    finally:
        put_role_policy(sandbox, function, name, policy)

    assert found == [("ReadBucketTags", [])]
