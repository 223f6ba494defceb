"""Each pipeline of the dev stack, deployed into the emulator and driven end to end with IAM on:
the scripted story passes every check, no call of the function is denied, every statement of
its role is used, and what runs is the code of the function's own archive."""

import pytest

from tests.sandbox.not_emulated import EVERY_STACK_NOT_EMULATED
from tests.sandbox.roles import role_policy, statements_that_allowed
from tools.sandbox import scenarios
from tools.sandbox.authorization import validate

PIPELINES = [s.pipeline for s in scenarios.SCENARIOS]


def test_the_dev_stack_enables_every_pipeline(sandbox):
    assert [s.pipeline for s in scenarios.enabled(sandbox)] == PIPELINES


@pytest.mark.parametrize("scenario", scenarios.SCENARIOS, ids=PIPELINES)
def test_pipeline_story_holds_end_to_end(sandbox, scenario, run_id):
    function = sandbox.function(scenario.pipeline)
    calls_before = len(sandbox.guard.calls)

    outcome = scenarios.tell(sandbox, scenario, run_id)

    assert outcome.ok, "\n".join(str(c) for c in outcome.checks)
    calls = [c for c in sandbox.guard.calls[calls_before:] if c.identity.function == function.name]
    assert calls, "the function made no AWS call at all"
    assert not [c.describe() for c in calls if not c.allowed]
    for need in {(n.action, n.resource): n for c in calls for n, _ in c.needs}.values():
        validate(need)  # each was judged as the Service Authorization Reference defines it
    _, policy = role_policy(sandbox, function)
    every_sid = {statement["Sid"] for statement in policy["Statement"]}
    assert statements_that_allowed(sandbox, function, calls_before) == every_sid


# An event each function handles without doing anything: an empty batch of records, or for the
# API's function a CORS preflight.
HARMLESS_EVENTS = {"notesApi": {"httpMethod": "OPTIONS", "resource": "/notes", "headers": {}}}


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_functions_run_the_code_of_their_own_archive(sandbox, pipeline):
    runtime = sandbox.runtimes[sandbox.function(pipeline).name]
    invocation = sandbox.invoke(runtime.spec.name, HARMLESS_EVENTS.get(pipeline, {"Records": []}))
    assert invocation.ok, invocation.error
    module_name = runtime.spec.handler.rpartition(".")[0]
    module = runtime._modules[module_name]  # the handler's module, as that invocation loaded it
    assert module.__file__.startswith(str(runtime.code_dir))
    # Only what the archive holds is importable there: no test helpers, no Pulumi code.
    assert sorted(str(p) for p in runtime._files()) == sorted(runtime.spec.code.assets)


def test_resources_exist_in_the_emulator_as_the_program_declared_them(sandbox):
    outputs = sandbox.outputs
    dynamodb, s3, logs, sqs = (sandbox.client(s) for s in ("dynamodb", "s3", "logs", "sqs"))

    users = dynamodb.describe_table(TableName=outputs["userBucketsTableName"])["Table"]
    assert users["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    backups = dynamodb.describe_continuous_backups(TableName=outputs["userBucketsTableName"])
    pitr = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"

    archive = outputs["streamArchiveBucketName"]
    assert all(
        s3.get_public_access_block(Bucket=archive)["PublicAccessBlockConfiguration"].values()
    )
    assert "aws:SecureTransport" in s3.get_bucket_policy(Bucket=archive)["Policy"]
    assert s3.get_bucket_versioning(Bucket=archive)["Status"] == "Enabled"

    uploads = outputs["imageMetadataBucketName"]
    notification = s3.get_bucket_notification_configuration(Bucket=uploads)
    assert notification["QueueConfigurations"], "events reach the sandbox through a queue"
    assert sandbox.deployment.notifications[uploads], "the function rules are the sandbox's"

    for function in sandbox.deployment.functions.values():
        (group,) = logs.describe_log_groups(logGroupNamePrefix=function.log_group)["logGroups"]
        assert group["retentionInDays"] == 7
        assert role_policy(sandbox, function)[1]["Statement"]
    dlq = outputs["objectCopyDeadLetterQueueUrl"].rsplit("/", 1)[-1]
    url = sqs.get_queue_url(QueueName=dlq)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["SqsManagedSseEnabled"] == "true"
    assert "aws:SecureTransport" in attributes["Policy"]
    # What the sandbox does not run, and says so: the CDN in front of the notes page and its
    # logs' delivery, and API Gateway's throttling and account settings.
    assert {kind for kind, _ in sandbox.deployment.not_emulated} == EVERY_STACK_NOT_EMULATED | {
        "aws:apigateway/account:Account"
    }
    site = outputs["notesApiSiteUrl"]
    assert site.startswith("https://") and "notesApiUserPoolId" in outputs
    content = [b for b in sandbox.deployment.buckets if b.startswith("notes-site-content")]
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=content[0])["Contents"]}
    assert {"index.html", "app.js", "config.js"} <= keys
