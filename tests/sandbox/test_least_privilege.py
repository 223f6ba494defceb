"""Least privilege, proven per pipeline: the role's policy as deployed is sufficient for its story,
and every statement is necessary — with any single one removed the story fails, and it fails
because a call that statement allowed is now denied (for logs and the dead-letter queue: because
Lambda could not deliver, with the role, what it had to)."""

import pytest

from tests.sandbox.not_emulated import EVERY_STACK_NOT_EMULATED, NOT_EMULATED
from tests.sandbox.roles import put_role_policy, role_policy, unnecessary_statements
from tools.sandbox import scenarios
from tools.sandbox.sandbox import Sandbox


# Both stacks: prod adds the customer key's grants (which S3, SQS and DynamoDB ask KMS for with
# the role) and X-Ray's (which Lambda sends traces with), each of which must be necessary too.
@pytest.fixture(scope="module", params=["dev", "prod"])
def sandbox(request):
    with Sandbox(stack=request.param) as running:
        yield running


@pytest.mark.parametrize("scenario", scenarios.SCENARIOS, ids=lambda s: s.pipeline)
def test_every_statement_is_necessary_and_together_sufficient(sandbox, scenario, run_id):
    sufficient = scenarios.tell(sandbox, scenario, f"{run_id}full")
    assert sufficient.ok, "\n".join(str(c) for c in sufficient.checks)

    assert unnecessary_statements(sandbox, scenario, run_id) == []


def test_a_statement_the_story_does_not_need_is_found(sandbox, run_id):
    (scenario,) = [s for s in scenarios.SCENARIOS if s.pipeline == "objectCopy"]  # quick story
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


# Granted but not exercised by the stories, each for a reason the stories cannot show cheaply.
UNEXERCISED = {
    # The stories' source bucket is versioned, so the version-specific actions are used instead.
    ("objectCopy", "ReadSourceObjects", "s3:GetObjectTagging"),
    # Only a multipart copy that fails half way aborts its upload.
    ("objectCopy", "WriteCopies", "s3:AbortMultipartUpload"),
}


def test_every_granted_action_is_used_by_its_story_or_justified(sandbox, run_id):
    """Statement-level mutation cannot see an action nobody uses inside a needed statement. Each
    action is counted per statement: kms:Decrypt used through DynamoDB does not vouch for the
    kms:Decrypt granted through S3."""
    unused = set()
    for scenario in scenarios.SCENARIOS:
        function = sandbox.function(scenario.pipeline)
        told = scenarios.tell(sandbox, scenario, f"{run_id}{scenario.pipeline}")
        assert told.ok, "\n".join(str(c) for c in told.checks)
        name, policy = role_policy(sandbox, function)
        # Every call since the sandbox started: pollers open their shards at the start.
        used = {
            (ref.sid, need.action.lower())
            for call in sandbox.guard.calls_of(function.name)
            for need, decision in call.needs
            if decision.allowed
            for ref in decision.deciding
            if ref.policy == name and ref.effect == "Allow"
        }
        granted = {
            (statement.get("Sid"), action)
            for statement in policy["Statement"]
            for action in (
                [statement["Action"]]
                if isinstance(statement["Action"], str)
                else statement["Action"]
            )
        }
        # Logs and the dead-letter queue are written by the sandbox's Lambda with the role.
        unused |= {
            (scenario.pipeline, sid, action)
            for sid, action in granted
            if (sid, action.lower()) not in used
        }
    assert {u for u in unused if not u[2].startswith(("logs:", "sqs:"))} == UNEXERCISED


def test_what_the_sandbox_does_not_emulate_is_listed(sandbox):
    kinds = {kind for kind, _ in sandbox.deployment.not_emulated}
    assert EVERY_STACK_NOT_EMULATED | NOT_EMULATED[sandbox.stack] <= kinds
    # Nothing else is skipped silently: the rest of each stack is deployed into moto (dev's
    # API Gateway account settings are the one other kind: tests/sandbox/test_end_to_end.py).
    assert kinds - EVERY_STACK_NOT_EMULATED - NOT_EMULATED[sandbox.stack] <= {
        "aws:apigateway/account:Account"
    }
