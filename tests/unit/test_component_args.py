"""Each pipeline built directly from its typed arguments, as a library user builds it: secure
defaults when nothing is given, every bad argument named by its own name with what it accepts."""

import textwrap

import pytest

from components import args
from tools import policy_pack, preview
from tools.program import REPO_ROOT, run_program

LOGGING = "aws:s3/bucketLogging:BucketLogging"

# (component module, class, the arguments it needs at least)
PIPELINES = [
    ("user_buckets", "UserBuckets", {"bucket_prefix": "acme-dev-users"}),
    ("stream_archive", "StreamArchive", {}),
    ("image_metadata", "ImageMetadata", {}),
    ("object_copy", "ObjectCopy", {}),
    ("notes_api", "NotesApi", {}),
]
OUTPUTS = {
    "UserBuckets": {"tableName", "tableArn", "functionArn", "bucketPrefix", "deadLetterQueueUrl"},
    "StreamArchive": {"tableName", "tableArn", "functionArn", "bucketName", "deadLetterQueueUrl"},
    "ImageMetadata": {"bucketName", "tableName", "tableArn", "functionArn", "deadLetterQueueUrl"},
    "ObjectCopy": {
        "sourceBucketName",
        "destinationBucketName",
        "functionArn",
        "deadLetterQueueUrl",
    },
    "NotesApi": {
        "apiUrl",
        "siteUrl",
        "userPoolId",
        "userPoolClientId",
        "signInUrl",
        "tableName",
        "audioBucketName",
        "functionName",
        "functionArn",
    },
}


def library_program(tmp_path, body: str, stack: str | None = None):
    (tmp_path / "Pulumi.yaml").write_text("name: library-user\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(textwrap.dedent(body))
    if stack is None:
        return run_program(tmp_path, config={})
    return run_program(tmp_path, stack)


@pytest.mark.parametrize("module, name, needed", PIPELINES)
def test_each_pipeline_builds_from_its_arguments_and_registers_typed_outputs(
    tmp_path, module, name, needed
):
    run = library_program(
        tmp_path,
        f"""
        import pulumi
        from components.{module} import {name}, {name}Args

        pipeline = {name}("p", {name}Args(**{needed!r}))
        pulumi.export("table_or_function", pipeline.function_arn)
        """,
    )
    component = run.one(f"event-pipelines:index:{name}", "p")
    assert set(component.outputs) == OUTPUTS[name]
    assert run.outputs["table_or_function"].startswith("arn:aws:lambda:")


def test_defaults_are_the_secure_ones():
    assert args.resolve_stream_archive({}) == args.StreamArchiveSettings(
        versioning=True, deletion_protection=False, log_retention_days=30
    )
    assert args.resolve_shared({}).access_logs is True
    assert args.resolve_object_copy({}).mirror_deletes is False


@pytest.mark.parametrize(
    "resolve, values, named, accepted",
    [
        (args.resolve_user_buckets, {}, "UserBucketsArgs.bucket_prefix", "required; expected"),
        (
            args.resolve_user_buckets,
            {"bucket_prefix": "Acme_Users"},
            "UserBucketsArgs.bucket_prefix",
            "3-40 characters of a-z, 0-9 and '-'",
        ),
        (
            args.resolve_stream_archive,
            {"function": {"memory_size": 64}},
            "StreamArchiveArgs.function.memory_size",
            "an integer from 128 to 10240",
        ),
        (
            args.resolve_stream_archive,
            {"stream": {"batch_sise": 10}},
            "StreamArchiveArgs.stream.batch_sise",
            "unknown key; accepted keys: batch_size, maximum_batching_window_in_seconds",
        ),
        (
            args.resolve_image_metadata,
            {"suffixes": [".jpg", "a.jpg"]},
            "ImageMetadataArgs.suffixes",
            "distinct, non-overlapping key suffixes",
        ),
        (
            args.resolve_object_copy,
            {"source_bucket_name": "media", "destination_bucket_name": "media"},
            "ObjectCopyArgs.destination_bucket_name",
            "must differ from source_bucket_name",
        ),
        (
            args.resolve_notes_api,
            {"domain": {"site_domain": "notes.example.com"}},
            "NotesApiArgs.domain.site_domain",
            "needs hosted_zone_id",
        ),
        (
            args.resolve_notes_api,
            {"log_retention_days": 10},
            "NotesApiArgs.log_retention_days",
            "one of 1, 3, 5, 7, 14",
        ),
        (
            args.resolve_shared,
            {"alarms": {"enabled": True}},
            "SharedArgs.alarms.enabled",
            "set SharedArgs.customer_key to true",
        ),
    ],
)
def test_a_bad_argument_is_named_with_what_it_accepts(resolve, values, named, accepted):
    with pytest.raises(args.ArgsError) as raised:
        resolve(values)
    assert f"{named}:" in str(raised.value) and accepted in str(raised.value)


def test_every_problem_is_reported_at_once():
    with pytest.raises(args.ArgsError) as raised:
        args.resolve_user_buckets({"bucket_prefix": "x", "function": {"timeout": 0}, "tabel": 1})
    assert len(raised.value.problems) == 3, raised.value.problems


def test_an_output_where_a_plain_value_belongs_is_named_too(tmp_path):
    with pytest.raises(args.ArgsError, match="an Output \\(a plain value is needed here"):
        library_program(
            tmp_path,
            """
            import pulumi
            from components import StreamArchive
            StreamArchive("a", {"bucket_name": pulumi.Output.from_input("archive")})
            """,
        )


def test_numbers_from_other_languages_arrive_as_floats_and_are_read_as_integers():
    # The engine's wire format has one number type: a TypeScript 512 reaches us as 512.0.
    settings = args.resolve_stream_archive({"function": {"memory_size": 512.0}})
    assert settings.function.memory_size == 512 and isinstance(settings.function.memory_size, int)
    with pytest.raises(args.ArgsError, match="512.5 is not accepted"):
        args.resolve_stream_archive({"function": {"memory_size": 512.5}})
    with pytest.raises(args.ArgsError, match="true is not accepted"):
        args.resolve_stream_archive({"function": {"memory_size": True}})


def test_the_notes_api_refuses_a_shared_protection_made_without_web_endpoints(tmp_path):
    with pytest.raises(args.ArgsError) as raised:
        library_program(
            tmp_path,
            """
            from components import NotesApi, Shared
            shared = Shared("s", {"access_logs": True, "waf": {"enabled": True}})
            NotesApi("n", {}, protection=shared.protection)
            """,
        )
    assert [problem.split(":")[0] for problem in raised.value.problems] == [
        "protection.log_bucket",
        "protection.waf",
    ]
    assert "web_endpoints=True" in str(raised.value)


def test_the_notes_api_takes_a_shared_protection_made_for_it(tmp_path):
    run = library_program(
        tmp_path,
        """
        from components import NotesApi, Shared
        shared = Shared("s", {"web_endpoints": True, "waf": {"enabled": True}})
        NotesApi("n", {}, protection=shared.protection)
        """,
    )
    assert len(run.of_type("aws:wafv2/webAclAssociation:WebAclAssociation")) == 1


CERTIFICATE = "arn:aws:acm:{}:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"


def test_the_api_certificate_must_be_in_the_stack_s_region(tmp_path):
    body = f"""
        import pulumi_aws as aws
        import pulumi
        from components import NotesApi
        opts = {{opts}}
        NotesApi("n", {{{{"domain": {{{{"api_domain": "api.example.com",
                 "api_certificate_arn": "{CERTIFICATE.format("us-east-1")}"}}}}}}}}, opts)
        """
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    with pytest.raises(args.ArgsError, match="api_certificate_arn: .* in eu-west-1"):
        library_program(tmp_path, body.format(opts="None"), stack="dev")
    # With a provider of its own, the region is the provider's: not refused by the stack's.
    own = "pulumi.ResourceOptions(provider=aws.Provider('east', region='us-east-1'))"
    library_program(tmp_path, body.format(opts=own), stack="dev")


def test_a_stack_of_pipelines_derives_web_endpoints_itself():
    with pytest.raises(args.ArgsError, match="shared.web_endpoints: follows whether notes_api"):
        args.resolve_event_pipelines({"shared": {"web_endpoints": True}})
    args.resolve_event_pipelines({"shared": {"web_endpoints": True}, "notes_api": {}})


def test_the_component_refuses_bad_arguments_before_it_registers_anything(tmp_path):
    with pytest.raises(args.ArgsError, match="UserBucketsArgs.bucket_prefix: required"):
        library_program(
            tmp_path,
            """
            from components.user_buckets import UserBuckets
            UserBuckets("p", {})
            """,
        )


def test_a_stack_of_pipelines_names_a_problem_by_its_place(tmp_path):
    with pytest.raises(args.ArgsError) as raised:
        args.resolve_event_pipelines(
            {"user_buckets": {}, "shared": {"waf": {"rate_limit": 1}}, "notes": {}}
        )
    message = str(raised.value)
    assert "EventPipelinesArgs.user_buckets.bucket_prefix: required" in message
    assert "EventPipelinesArgs.shared.waf.rate_limit: 1 is not accepted" in message
    assert "EventPipelinesArgs.notes: unknown key; accepted keys: image_metadata" in message


def test_a_stack_of_pipelines_deploys_what_it_is_given_behind_shared(tmp_path):
    run = library_program(
        tmp_path,
        """
        import pulumi
        from components import EventPipelines

        stack = EventPipelines("acme", {"shared": {"customer_key": True}, "stream_archive": {}})
        pulumi.export("exports", stack.exports)
        """,
    )
    assert run.of_type("event-pipelines:index:StreamArchive")
    assert not run.of_type("event-pipelines:index:UserBuckets")
    assert set(run.outputs["exports"]) >= {"customerKeyArn", "streamArchiveTableArn"}


@pytest.fixture(scope="module")
def pack():
    return policy_pack.load(REPO_ROOT / "policy")


@pytest.mark.parametrize("module, name, needed", PIPELINES)
def test_a_pipeline_on_its_own_logs_its_buckets_access_as_a_stack_does(
    tmp_path, pack, module, name, needed
):
    """Shared's default (accessLogs on) holds without Shared: the pipeline makes a log bucket of
    its own, and the pack's s3-access-logging rule (mandatory in prod.json) finds nothing."""
    run = library_program(
        tmp_path,
        f"""
        from components.{module} import {name}, {name}Args
        {name}("p", {name}Args(**{needed!r}))
        """,
    )
    buckets = {b.name: b.outputs["bucket"] for b in run.of_type("aws:s3/bucket:Bucket")}
    log_bucket = buckets.pop("p-access-logs", None)  # UserBuckets deploys no bucket at all
    logged = {item.inputs["bucket"]: item.inputs["targetBucket"] for item in run.of_type(LOGGING)}
    assert logged == dict.fromkeys(buckets.values(), log_bucket)
    pack.configure({"all": "mandatory"})
    findings = [v for v in preview.evaluate(run, pack) if v.policy == "s3-access-logging"]
    assert findings == []


def test_a_pipeline_given_no_protection_explicitly_adds_nothing(tmp_path):
    run = library_program(
        tmp_path,
        """
        from components.protection import NO_PROTECTION
        from components.stream_archive import StreamArchive
        StreamArchive("p", {}, protection=NO_PROTECTION)
        """,
    )
    assert len(run.of_type("aws:s3/bucket:Bucket")) == 1 and run.of_type(LOGGING) == []
