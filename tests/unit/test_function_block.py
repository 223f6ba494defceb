"""The Function building block, as every pipeline of the dev stack gets it."""

import json

import pytest

from tests.graph import (
    FUNCTION,
    LOG_GROUP,
    QUEUE,
    QUEUE_POLICY,
    ROLE,
    ROLE_POLICY,
    component,
    only,
    policy,
    run_with,
    unpack_and_import,
    within,
)
from tools.program import run_program

FUNCTIONS = {
    "user-buckets-fn": "user_buckets",
    "stream-archive-fn": "stream_archive",
    "image-metadata-fn": "image_metadata",
    "object-copy-fn": "object_copy",
}
# Invoked only synchronously (by API Gateway): the same block, without a dead-letter queue.
SYNCHRONOUS_FUNCTIONS = {"notes-fn": "notes_api"}
ATTACHMENT_TYPES = {
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
    "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
    "aws:iam/policy:Policy",
}


@pytest.fixture(scope="module")
def dev():
    return run_program(stack="dev")


@pytest.fixture(params=sorted(FUNCTIONS))
def block(request, dev):
    return component(dev, request.param)


def test_no_managed_policy_anywhere_and_one_inline_policy_per_role(dev):
    assert not ATTACHMENT_TYPES & {r.type for r in dev.resources}
    roles = dev.of_type(ROLE)
    # One per function, and API Gateway's account role for its logs (dev sets it).
    assert len(roles) == len(FUNCTIONS) + len(SYNCHRONOUS_FUNCTIONS) + 1
    for role in roles:
        assert not role.inputs.get("managedPolicyArns")
        assert not role.inputs.get("inlinePolicies")
    assert sorted(p.inputs["role"] for p in dev.of_type(ROLE_POLICY)) == sorted(r.id for r in roles)


def test_the_role_trusts_lambda_alone(dev, block):
    role = only(within(dev, block, ROLE))
    assert json.loads(role.inputs["assumeRolePolicy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }


def test_the_policy_ends_with_its_own_log_group_and_dead_letter_queue(dev, block):
    function = only(within(dev, block, FUNCTION))
    log_group = only(within(dev, block, LOG_GROUP))
    queue = only(within(dev, block, QUEUE))
    statements = policy(only(within(dev, block, ROLE_POLICY)))["Statement"]
    assert statements[-2:] == [
        {
            "Sid": "WriteOwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [log_group.outputs["arn"] + ":log-stream:*"],
        },
        {
            "Sid": "SendToDeadLetterQueue",
            "Effect": "Allow",
            "Action": ["sqs:SendMessage"],
            "Resource": [queue.outputs["arn"]],
        },
    ]
    assert log_group.outputs["arn"].endswith(f":log-group:/aws/lambda/{function.outputs['name']}")


def test_the_log_group_exists_with_retention_before_the_function(dev, block):
    function = only(within(dev, block, FUNCTION))
    log_group = only(within(dev, block, LOG_GROUP))
    role_policy = only(within(dev, block, ROLE_POLICY))
    assert log_group.inputs["name"] == f"/aws/lambda/{function.inputs['name']}"
    assert log_group.inputs["retentionInDays"] == 7  # Pulumi.dev.yaml
    assert log_group.urn in function.dependencies
    assert role_policy.urn in function.dependencies  # mappings need the grants in place
    assert function.inputs["loggingConfig"] == {
        "logFormat": "JSON",
        "logGroup": log_group.inputs["name"],
        "applicationLogLevel": "INFO",
        "systemLogLevel": "WARN",
    }


def test_runtime_architecture_and_entry_point(dev, block):
    function = only(within(dev, block, FUNCTION))
    assert function.delete_before_replace  # its name is fixed: the old one must go first
    assert function.inputs["runtime"] == "python3.13"
    assert function.inputs["architectures"] == ["arm64"]
    assert function.inputs["handler"] == f"handlers.{FUNCTIONS[block.name]}.handler"
    # Copies of large objects take longer: that pipeline defaults to five minutes.
    timeout = 300 if block.name == "object-copy-fn" else 60
    assert (function.inputs["memorySize"], function.inputs["timeout"]) == (256, timeout)
    assert not function.inputs.get("layers")


def test_asynchronous_invocations_retry_twice_then_go_to_the_dead_letter_queue(dev, block):
    function = only(within(dev, block, FUNCTION))
    config = only(
        within(dev, block, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig")
    )
    assert config.inputs == {
        "functionName": function.outputs["name"],
        "maximumRetryAttempts": 2,
        "maximumEventAgeInSeconds": 6 * 3600,
        "destinationConfig": {
            "onFailure": {"destination": only(within(dev, block, QUEUE)).outputs["arn"]}
        },
    }


def test_the_dead_letter_queue_is_encrypted_and_tls_only(dev, block):
    queue = only(within(dev, block, QUEUE))
    assert queue.inputs["sqsManagedSseEnabled"] is True
    assert queue.inputs["messageRetentionSeconds"] == 14 * 24 * 3600
    queue_policy = only(within(dev, block, QUEUE_POLICY))
    assert queue_policy.inputs["queueUrl"] == queue.outputs["url"]
    assert policy(queue_policy)["Statement"] == [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sqs:*",
            "Resource": [queue.outputs["arn"]],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ]


@pytest.mark.parametrize(
    "name, modules",
    [
        (
            "user-buckets-fn",
            ["__init__", "aws_clients", "bucket_names", "stream_batch", "user_buckets"],
        ),
        ("stream-archive-fn", ["__init__", "aws_clients", "stream_archive", "stream_batch"]),
        ("image-metadata-fn", ["__init__", "aws_clients", "image_metadata", "s3_events"]),
        ("object-copy-fn", ["__init__", "aws_clients", "object_copy", "s3_events"]),
    ],
)
def test_the_archive_holds_exactly_the_modules_the_handler_needs(dev, name, modules, tmp_path):
    archive = only(within(dev, component(dev, name), FUNCTION)).inputs["code"]
    assert sorted(archive.assets) == [f"handlers/{m}.py" for m in modules]
    handler_module = f"handlers.{FUNCTIONS[name]}"
    imported = unpack_and_import(archive, handler_module, tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == handler_module


def test_function_names_are_stable_and_differ_between_stacks(dev):
    again = run_program(stack="dev")
    names = sorted(r.inputs["name"] for r in dev.of_type(FUNCTION))
    assert names == sorted(r.inputs["name"] for r in again.of_type(FUNCTION))
    other = run_program(stack="staging", config=dev.config)
    assert not set(names) & {r.inputs["name"] for r in other.of_type(FUNCTION)}


def test_memory_and_timeout_come_from_the_stack():
    run = run_with(streamArchive={"enabled": True, "memorySize": 1024, "timeout": 300})
    function = only(run.of_type(FUNCTION))
    assert (function.inputs["memorySize"], function.inputs["timeout"]) == (1024, 300)
