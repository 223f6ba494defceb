"""components/config.py: what stacks may configure, and the messages for what they may not."""

import json

import pulumi
import pytest

from components import args, config
from components.config import ConfigError, parse
from tools.program import REPO_ROOT, run_program, stack_config


def problems_of(values) -> str:
    with pytest.raises(ConfigError) as raised:
        parse(values)
    return str(raised.value)


def test_an_empty_stack_enables_nothing_and_uses_safe_defaults():
    stack = parse({})
    assert stack.pipelines == {}
    assert stack.shared_settings() == args.SharedSettings(
        log_retention_days=30, force_destroy=False
    )
    assert parse({"streamArchive": {"enabled": True}}).settings("streamArchive").versioning is True


def stack_settings(stack):
    values, _secrets = stack_config(REPO_ROOT, stack)
    return parse(config.namespace_values(values))


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_shipped_stacks_are_valid_and_enable_both_pipelines(stack):
    settings = stack_settings(stack)
    assert {"userBuckets", "streamArchive"} <= set(settings.pipelines)


def test_dev_and_prod_differ_where_they_should():
    dev, prod = stack_settings("dev"), stack_settings("prod")
    dev_archive, prod_archive = dev.settings("streamArchive"), prod.settings("streamArchive")
    assert dev_archive.force_destroy and not prod_archive.force_destroy
    assert prod_archive.deletion_protection and not dev_archive.deletion_protection
    assert dev_archive.log_retention_days < prod_archive.log_retention_days
    assert dev.shared_settings().force_destroy and not prod.shared_settings().force_destroy


@pytest.mark.parametrize(
    "values, key, accepted",
    [
        ({"logRetentionDays": 10}, "event-pipelines:logRetentionDays", "one of 1, 3, 5, 7, 14"),
        ({"logRetentionDays": 0}, "event-pipelines:logRetentionDays", "3288, 3653"),
        ({"forceDestroy": "yes"}, "event-pipelines:forceDestroy", "true or false"),
        (
            {"userBuckets": {"enabled": True, "bucketPrefix": "Acme_Users"}},
            "event-pipelines:userBuckets.bucketPrefix",
            "3-40 characters of a-z, 0-9 and '-'",
        ),
        (
            {"userBuckets": {"enabled": True, "bucketPrefix": "xn--users"}},
            "event-pipelines:userBuckets.bucketPrefix",
            "not starting with xn--",
        ),
        (
            {"userBuckets": {"enabled": True}},
            "event-pipelines:userBuckets.bucketPrefix",
            "required when enabled; expected a prefix unique to you",
        ),
        (
            {"userBuckets": {"memorySize": 64}},
            "event-pipelines:userBuckets.memorySize",
            "an integer from 128 to 10240",
        ),
        (
            {"userBuckets": {"timeout": 901}},
            "event-pipelines:userBuckets.timeout",
            "an integer from 1 to 900",
        ),
        (
            {"userBuckets": {"batchSize": True}},
            "event-pipelines:userBuckets.batchSize",
            "an integer from 1 to 10000",
        ),
        (
            {"userBuckets": {"maximumRetryAttempts": -1}},
            "event-pipelines:userBuckets.maximumRetryAttempts",
            "an integer from 0 to 10000",
        ),
        (
            {"userBuckets": {"maximumRecordAgeInSeconds": 30}},
            "event-pipelines:userBuckets.maximumRecordAgeInSeconds",
            "an integer from 60 to 604800",
        ),
        (
            {"streamArchive": {"bucketName": "My_Bucket"}},
            "event-pipelines:streamArchive.bucketName",
            "3-63 characters of a-z, 0-9",
        ),
        (
            {"streamArchive": {"bucketName": "archive.example.com"}},
            "event-pipelines:streamArchive.bucketName",
            "and no '.'",
        ),
        (
            {"streamArchive": {"tableName": "ab"}},
            "event-pipelines:streamArchive.tableName",
            "3-255 characters",
        ),
        (
            {"streamArchive": {"functionName": "my function"}},
            "event-pipelines:streamArchive.functionName",
            "1-64 characters",
        ),
        ({"streamArchive": "yes"}, "event-pipelines:streamArchive", "expected an object"),
    ],
)
def test_bad_values_name_the_key_and_what_it_accepts(values, key, accepted):
    message = problems_of(values)
    assert f"{key}:" in message and accepted in message


def test_unknown_keys_are_refused_with_the_accepted_ones():
    message = problems_of({"logRetention": 7, "streamArchive": {"tablename": "x"}})
    assert (
        "event-pipelines:logRetention: unknown key; accepted keys: accessLogRetentionDays"
        in message
    )
    assert "event-pipelines:streamArchive.tablename: unknown key; accepted keys:" in message
    assert "tableName" in message


def test_every_problem_is_reported_at_once():
    message = problems_of({"logRetentionDays": 2, "userBuckets": {"enabled": True, "timeout": 0}})
    assert message.count("\n  - ") == 3


def test_values_arrive_as_text_from_the_engine():
    raw = {
        "event-pipelines:logRetentionDays": "14",
        "event-pipelines:forceDestroy": "true",
        "event-pipelines:streamArchive": '{"enabled": true, "tableName": "UsersIds"}',
        "aws:region": "eu-west-1",
    }
    assert config.namespace_values(raw) == {
        "logRetentionDays": 14,
        "forceDestroy": True,
        "streamArchive": {"enabled": True, "tableName": "UsersIds"},
    }


def test_bad_configuration_stops_the_program_with_a_message_not_a_resource():
    bad = {
        "aws:region": "us-east-1",
        "event-pipelines:userBuckets": json.dumps({"enabled": True, "bucketPrefix": "Bad!"}),
    }
    with pytest.raises(ConfigError, match=r"userBuckets\.bucketPrefix: \"Bad!\" is not accepted"):
        run_program(config=bad)
    assert issubclass(ConfigError, pulumi.RunError)  # the engine prints it without a traceback


def test_config_passed_through_the_environment_is_read_too(monkeypatch):
    # Older engines hand config to Python programs as PULUMI_CONFIG rather than set_all_config.
    pulumi.runtime.set_all_config({})
    monkeypatch.setenv(
        "PULUMI_CONFIG",
        json.dumps({"event-pipelines:logRetentionDays": "14", "event-pipelines:bogus": "1"}),
    )
    with pytest.raises(ConfigError, match="event-pipelines:bogus: unknown key"):
        config.load()
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({"event-pipelines:logRetentionDays": "14"}))
    assert config.load().shared_settings().log_retention_days == 14


# --- the stack-wide security settings (issue 15) ----------------------------------------------
CERT = "arn:aws:acm:{}:123456789012:certificate/12345678-1234-1234-1234-123456789012"


@pytest.mark.parametrize(
    ("values", "key", "accepted"),
    [
        ({"accessLogs": "yes"}, "event-pipelines:accessLogs", "true or false"),
        ({"accessLogRetentionDays": 0}, "event-pipelines:accessLogRetentionDays", "1 to 3653"),
        ({"customerKey": 1}, "event-pipelines:customerKey", "true or false"),
        ({"waf": {"rateLimit": 5}}, "event-pipelines:waf.rateLimit", "10 to 2000000000"),
        ({"waf": {"on": True}}, "event-pipelines:waf.on", "unknown key; accepted keys: enabled"),
        ({"alarms": {"topicArn": "ops"}}, "event-pipelines:alarms.topicArn", "an SNS topic ARN"),
        ({"alarms": {"email": "ops"}}, "event-pipelines:alarms.email", "an email address"),
        (
            {"alarms": {"enabled": True}},
            "event-pipelines:alarms.enabled",
            "set event-pipelines:customerKey to true, or name a topic of yours",
        ),
        (
            {"notesApi": {"reservedConcurrency": 0}},
            "event-pipelines:notesApi.reservedConcurrency",
            "an integer from 1 to 10000",
        ),
        (
            {"notesApi": {"siteDomain": "Notes.Example.com", "hostedZoneId": "Z0123456789AB"}},
            "event-pipelines:notesApi.siteDomain",
            "a lowercase DNS name",
        ),
        (
            {"notesApi": {"siteDomain": "notes.example.com"}},
            "event-pipelines:notesApi.siteDomain",
            "needs hostedZoneId",
        ),
        (
            {
                "notesApi": {
                    "siteDomain": "notes.example.com",
                    "siteCertificateArn": CERT.format("eu-west-1"),
                }
            },
            "event-pipelines:notesApi.siteCertificateArn",
            "an ACM certificate in us-east-1",
        ),
        (
            {
                "notesApi": {
                    "apiDomain": "api.example.com",
                    "apiCertificateArn": CERT.format("us-east-1"),
                }
            },
            "event-pipelines:notesApi.apiCertificateArn",
            "an ACM certificate in eu-west-1",
        ),
        (
            {"notesApi": {"siteCertificateArn": CERT.format("us-east-1")}},
            "event-pipelines:notesApi.siteCertificateArn",
            "given without siteDomain",
        ),
        (
            {"notesApi": {"hostedZoneId": "Z0123456789AB"}},
            "event-pipelines:notesApi.hostedZoneId",
            "given without siteDomain or apiDomain",
        ),
    ],
)
def test_security_settings_name_the_key_and_what_it_accepts(values, key, accepted):
    with pytest.raises(config.ConfigError) as raised:
        parse(values, "eu-west-1")
    assert f"{key}:" in str(raised.value) and accepted in str(raised.value)


def test_security_settings_default_to_access_logs_only_and_parse_when_given():
    assert parse({}).shared_settings() == args.SharedSettings(
        access_logs=True, customer_key=False, code_signing=False, tracing=False
    )
    stack = parse(
        {
            "customerKey": True,
            "codeSigning": True,
            "tracing": True,
            "waf": {"enabled": True, "rateLimit": 500},
            "alarms": {"enabled": True, "email": "ops@example.com"},
            "notesApi": {
                "enabled": True,
                "reservedConcurrency": 20,
                "siteDomain": "notes.example.com",
                "apiDomain": "api.notes.example.com",
                "hostedZoneId": "Z0123456789AB",
            },
        },
        "eu-west-1",
    )
    shared = stack.shared_settings()
    assert shared.waf == args.WafSettings(enabled=True, rate_limit=500)
    assert shared.alarms == args.AlarmSettings(enabled=True, email="ops@example.com")
    notes = stack.settings("notesApi")
    assert notes.function.reserved_concurrency == 20
    assert notes.domain == args.DomainSettings(
        site_domain="notes.example.com",
        api_domain="api.notes.example.com",
        hosted_zone_id="Z0123456789AB",
    )


def test_keys_are_the_config_s_camel_case_names_only():
    problems = problems_of({"log_retention_days": 14, "userBuckets": {"bucket_prefix": "acme"}})
    assert "event-pipelines:log_retention_days: unknown key; accepted keys:" in problems
    assert "event-pipelines:userBuckets.bucket_prefix: unknown key; accepted keys:" in problems


def test_a_flat_option_belongs_to_the_pipelines_that_have_it():
    # batchSize reads a stream; image metadata has none.
    problems = problems_of({"imageMetadata": {"batchSize": 10}})
    assert "event-pipelines:imageMetadata.batchSize: unknown key" in problems


def test_null_is_refused_rather_than_read_as_the_default():
    problems = problems_of(
        {
            "logRetentionDays": None,
            "streamArchive": {"memorySize": None},
            "userBuckets": {"enabled": None},
        }
    )
    assert "event-pipelines:logRetentionDays: null is not accepted" in problems
    assert "event-pipelines:streamArchive.memorySize: null is not accepted" in problems
    assert "event-pipelines:userBuckets.enabled: null is not accepted" in problems


def test_a_section_left_off_is_checked_but_needs_nothing():
    assert parse({"userBuckets": {"enabled": False}}).pipelines == {}
    problems = problems_of({"userBuckets": {"enabled": False, "memorySize": 64}})
    assert "event-pipelines:userBuckets.memorySize: 64 is not accepted" in problems
    assert "required" not in problems
