"""handlers/object_copy.py against the emulator, with the S3 events it emits."""

import logging

import boto3
import pytest
from botocore.exceptions import ClientError

from handlers import aws_clients, object_copy
from tests.s3_events import S3EventTap, removal_event

SOURCE = "copy-source-bucket"
DESTINATION = "copy-destination-bucket"
MiB = 1024**2
KEYS = [
    "reports/2026/q4 summary+final.csv",
    "사진/웃는 얼굴.png",
    "empty.txt",
    "a/b/c/d/deeply nested.json",
]


@pytest.fixture(params=["us-east-1", "ap-southeast-2"])
def s3(request, aws, monkeypatch):
    region = request.param
    monkeypatch.setenv("AWS_REGION", region)
    monkeypatch.setenv("AWS_DEFAULT_REGION", region)
    monkeypatch.setenv("DESTINATION_BUCKET", DESTINATION)
    monkeypatch.setenv("DESTINATION_PREFIX", "")
    monkeypatch.setenv("MIRROR_DELETES", "false")
    monkeypatch.delenv("MULTIPART_THRESHOLD_BYTES", raising=False)
    client = boto3.client("s3", region_name=region)
    location = (
        {}
        if region == "us-east-1"
        else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    )
    for bucket in (SOURCE, DESTINATION):
        client.create_bucket(Bucket=bucket, **location)
    return client


@pytest.fixture
def tap(s3):
    return S3EventTap(SOURCE, s3.meta.region_name)


def deliver(events):
    for event in events:
        object_copy.handler(event, None)


def copy_of(s3, key, bucket=DESTINATION):
    head = s3.head_object(Bucket=bucket, Key=key)
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    tags = s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]
    return (
        body,
        head.get("ContentType"),
        head.get("Metadata"),
        sorted((t["Key"], t["Value"]) for t in tags),
    )


HEADERS = {
    "CacheControl": "max-age=60",
    "ContentDisposition": "attachment",
    "ContentEncoding": "gzip",
    "ContentLanguage": "ko",
}


def headers_of(s3, key):
    head = s3.head_object(Bucket=DESTINATION, Key=key)
    return {name: head.get(name) for name in HEADERS}


@pytest.mark.parametrize("multipart", [False, True], ids=["one-copy-call", "multipart-path"])
def test_new_objects_are_copied_with_headers_metadata_and_tags(s3, tap, monkeypatch, multipart):
    if multipart:  # every non-empty object takes the multipart path: tags are written apart
        monkeypatch.setenv("MULTIPART_THRESHOLD_BYTES", "1")
    calls = []
    aws_clients.client("s3").meta.events.register(
        "before-call.s3.*", lambda model, **_: calls.append(model.name)
    )
    for index, key in enumerate(KEYS):
        body = b"" if key == "empty.txt" else f"content {index}".encode()
        tap.put(
            key,
            body,
            ContentType="text/csv",
            Metadata={"owner": "finance", "n": str(index)},
            Tagging="team=data&classification=internal%20only",
            **HEADERS,
        )

    deliver(tap.events())

    for index, key in enumerate(KEYS):
        body = b"" if key == "empty.txt" else f"content {index}".encode()
        assert copy_of(s3, key) == (
            body,
            "text/csv",
            {"owner": "finance", "n": str(index)},
            [("classification", "internal only"), ("team", "data")],
        )
        assert headers_of(s3, key) == HEADERS
    assert ("UploadPartCopy" in calls) is multipart


def test_copies_go_under_the_destination_prefix(s3, tap, monkeypatch):
    monkeypatch.setenv("DESTINATION_PREFIX", "copies/")
    tap.put("in/file.txt", b"x")
    deliver(tap.events())
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=DESTINATION)["Contents"]]
    assert keys == ["copies/in/file.txt"]


def test_duplicate_delivery_leaves_the_same_copy(s3, tap):
    tap.put("a.txt", b"one", Tagging="k=v")
    events = tap.events()
    deliver(events)
    deliver(events)
    assert copy_of(s3, "a.txt") == (b"one", "binary/octet-stream", {}, [("k", "v")])


def test_the_exact_version_that_triggered_is_copied_and_older_events_do_not_win(s3):
    s3.put_bucket_versioning(Bucket=SOURCE, VersioningConfiguration={"Status": "Enabled"})
    tap = S3EventTap(SOURCE, s3.meta.region_name)
    tap.put("doc.txt", b"version one", Metadata={"v": "1"})
    first = tap.events()
    deliver(first)
    assert copy_of(s3, "doc.txt")[:3] == (b"version one", "binary/octet-stream", {"v": "1"})

    tap.put("doc.txt", b"version two", Metadata={"v": "2"})
    second = tap.events()
    deliver(second + first)  # the old event again, late

    assert copy_of(s3, "doc.txt")[0] == b"version two"
    assert first[0]["Records"][0]["s3"]["object"]["versionId"]


def test_large_objects_are_copied_part_by_part(s3, tap, monkeypatch):
    monkeypatch.setenv("MULTIPART_THRESHOLD_BYTES", str(5 * MiB))
    body = bytes(range(256)) * (12 * MiB // 256)  # 12 MiB: above the lowered threshold
    tap.put(
        "big.bin",
        body,
        ContentType="application/x-big",
        Metadata={"origin": "camera"},
        Tagging="size=large",
    )
    calls = []
    aws_clients.client("s3").meta.events.register(
        "before-call.s3.*", lambda model, **_: calls.append(model.name)
    )

    deliver(tap.events())

    assert "UploadPartCopy" in calls and "CopyObject" not in calls
    assert copy_of(s3, "big.bin") == (
        body,
        "application/x-big",
        {"origin": "camera"},
        [("size", "large")],
    )


def test_small_objects_use_one_copy_call(s3, tap):
    tap.put("small.bin", b"x" * 1024)
    calls = []
    aws_clients.client("s3").meta.events.register(
        "before-call.s3.*", lambda model, **_: calls.append(model.name)
    )
    deliver(tap.events())
    assert "CopyObject" in calls and "UploadPartCopy" not in calls


def test_events_from_the_destination_are_skipped(s3, tap, monkeypatch):
    monkeypatch.setenv("DESTINATION_PREFIX", "copies/")
    dest_tap = S3EventTap(DESTINATION, s3.meta.region_name)
    tap.put("a.txt", b"one")
    deliver(tap.events())
    copies = dest_tap.events()  # the copy's own event, were the destination wired to notify
    assert copies and copies[0]["Records"][0]["s3"]["bucket"]["name"] == DESTINATION

    deliver(copies)

    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=DESTINATION)["Contents"]]
    assert keys == ["copies/a.txt"]  # no copies/copies/a.txt: no loop


def test_deletes_are_mirrored_only_when_asked(s3, tap, monkeypatch):
    monkeypatch.setenv("DESTINATION_PREFIX", "copies/")
    tap.put("a.txt", b"one")
    tap.put("b.txt", b"two")
    deliver(tap.events())
    tap.delete("a.txt")
    deliver(tap.events())
    assert destination_keys(s3) == ["copies/a.txt", "copies/b.txt"]

    monkeypatch.setenv("MIRROR_DELETES", "true")
    tap.delete("b.txt")
    deliver(tap.events())
    assert destination_keys(s3) == ["copies/a.txt"]


def destination_keys(s3):
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=DESTINATION).get("Contents", []))


def removal(event_name, key, version_id=None):
    return removal_event(SOURCE, event_name, key, version_id)


def test_a_delete_marker_is_mirrored_and_a_single_version_delete_is_not(s3, monkeypatch):
    monkeypatch.setenv("MIRROR_DELETES", "true")
    s3.put_bucket_versioning(Bucket=SOURCE, VersioningConfiguration={"Status": "Enabled"})
    tap = S3EventTap(SOURCE, s3.meta.region_name)
    written = tap.put("a.txt", b"one")
    deliver(tap.events())

    deliver([removal("ObjectRemoved:Delete", "a.txt", "an-older-version")])
    assert destination_keys(s3) == ["a.txt"]

    s3.delete_object(Bucket=SOURCE, Key="a.txt")  # a delete marker; moto sends no event
    deliver([removal("ObjectRemoved:DeleteMarkerCreated", "a.txt", "marker-version")])
    assert destination_keys(s3) == []
    assert written["VersionId"]


def test_a_late_delete_does_not_remove_the_copy_of_a_recreated_object(s3, tap, monkeypatch):
    monkeypatch.setenv("MIRROR_DELETES", "true")
    tap.put("a.txt", b"one")
    tap.delete("a.txt")
    tap.put("a.txt", b"again")
    first, delete, again = tap.events()

    deliver([first, again, delete])

    assert copy_of(s3, "a.txt")[0] == b"again"


def test_the_copy_source_names_the_exact_version(s3, monkeypatch):
    s3.put_bucket_versioning(Bucket=SOURCE, VersioningConfiguration={"Status": "Enabled"})
    tap = S3EventTap(SOURCE, s3.meta.region_name)
    written = tap.put("doc.txt", b"version one")
    sources = []
    aws_clients.client("s3").meta.events.register(
        "before-call.s3.CopyObject",
        lambda params, **_: sources.append(params["headers"]["x-amz-copy-source"]),
    )
    deliver(tap.events())
    assert sources == [f"{SOURCE}/doc.txt?versionId={written['VersionId']}"]


def test_a_source_changed_during_the_copy_is_copied_again(s3, tap, monkeypatch):
    tap.put("a.txt", b"first")
    [event] = tap.events()
    client = aws_clients.client("s3")
    real_copy = client.copy_object

    def copy_while_someone_writes(**request):
        monkeypatch.setattr(client, "copy_object", real_copy)
        response = real_copy(**request)
        s3.put_object(Bucket=SOURCE, Key="a.txt", Body=b"second, written during the copy")
        return response

    monkeypatch.setattr(client, "copy_object", copy_while_someone_writes)
    deliver([event])

    assert copy_of(s3, "a.txt")[0] == b"second, written during the copy"


def test_a_source_deleted_before_its_event_is_handled_is_not_copied(s3, tap):
    tap.put("gone.txt", b"one")
    create = tap.events()
    s3.delete_object(Bucket=SOURCE, Key="gone.txt")
    deliver(create)
    assert "Contents" not in s3.list_objects_v2(Bucket=DESTINATION)


def test_a_failing_head_object_raises_so_lambda_retries(s3, tap, monkeypatch):
    tap.put("a.txt", b"one")
    [event] = tap.events()

    def denied(**_):
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "denied"}}, "HeadObject")

    monkeypatch.setattr(aws_clients.client("s3"), "head_object", denied)
    with pytest.raises(ClientError, match="AccessDenied"):
        object_copy.handler(event, None)


def test_a_missing_destination_raises(s3, tap, monkeypatch):
    tap.put("a.txt", b"one")
    [event] = tap.events()
    monkeypatch.setenv("DESTINATION_BUCKET", "no-such-destination")
    with pytest.raises(ClientError, match="NoSuchBucket"):
        object_copy.handler(event, None)


# --- lifecycle expirations, events not acted on, the test event -----------------------------------


def test_lifecycle_expirations_are_mirrored_like_deletes(s3, tap, monkeypatch):
    monkeypatch.setenv("MIRROR_DELETES", "true")
    for key in ("a.txt", "b.txt", "c.txt"):
        tap.put(key, b"one")
    deliver(tap.events())
    s3.delete_objects(  # what the lifecycle rule did; its events are written by hand
        Bucket=SOURCE, Delete={"Objects": [{"Key": "a.txt"}, {"Key": "b.txt"}]}
    )

    deliver([removal("LifecycleExpiration:Delete", "a.txt")])
    deliver([removal("LifecycleExpiration:DeleteMarkerCreated", "b.txt", "marker-version")])
    deliver([removal("LifecycleExpiration:Delete", "c.txt", "a-noncurrent-version")])

    assert destination_keys(s3) == ["c.txt"]  # one version expired: c.txt is still there


def test_lifecycle_expirations_leave_copies_unless_deletes_are_mirrored(s3, tap, caplog):
    tap.put("a.txt", b"one")
    deliver(tap.events())
    s3.delete_object(Bucket=SOURCE, Key="a.txt")
    caplog.set_level(logging.INFO, logger="handlers.s3_events")

    deliver([removal("LifecycleExpiration:Delete", "a.txt")])

    assert destination_keys(s3) == ["a.txt"]
    assert f"ignoring LifecycleExpiration:Delete s3://{SOURCE}/a.txt" in caplog.text


@pytest.mark.parametrize("mirror", ["false", "true"])
@pytest.mark.parametrize(
    "event_name",
    [
        "LifecycleTransition",
        "ObjectRestore:Completed",
        "IntelligentTiering",
        "Replication:OperationMissedThreshold",
    ],
)
def test_events_it_does_not_act_on_are_logged_and_left(
    s3, tap, monkeypatch, caplog, event_name, mirror
):
    monkeypatch.setenv("MIRROR_DELETES", mirror)
    tap.put("a.txt", b"one")
    deliver(tap.events())
    caplog.set_level(logging.INFO, logger="handlers.s3_events")

    object_copy.handler(removal_event(SOURCE, event_name, "a.txt", sequencer="not hex"), None)

    assert destination_keys(s3) == ["a.txt"]
    assert f"ignoring {event_name} s3://{SOURCE}/a.txt" in caplog.text


def test_a_sequencer_the_copy_does_not_use_does_not_stop_it(s3, tap):
    tap.put("a.txt", b"one")
    [event] = tap.events()
    event["Records"][0]["s3"]["object"]["sequencer"] = "not hex"
    deliver([event])
    assert copy_of(s3, "a.txt")[0] == b"one"


def test_the_test_event_s3_sends_on_configuration_is_logged_and_left(s3, caplog):
    caplog.set_level(logging.INFO, logger="handlers.s3_events")
    event = {
        "Service": "Amazon S3",
        "Event": "s3:TestEvent",
        "Time": "2026-03-01T17:45:09.213Z",
        "Bucket": SOURCE,
        "RequestId": "5C0A7E3B9D1F2468",
        "HostId": "Zx7cV5bN3mL1kJ9hG7fD5sA3pO1iU9yT7rE5wQ3zX1cV9bN7mL5kJ3hG1fD9s=",
    }
    assert object_copy.handler(event, None) is None
    assert f"ignoring s3:TestEvent for bucket {SOURCE}" in caplog.text
    assert destination_keys(s3) == []
