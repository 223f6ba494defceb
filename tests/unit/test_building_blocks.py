"""Each building block built directly from its args, as a library user builds one: the secure
defaults really applied when nothing is given, and every bad argument named XArgs.field with what
it accepts (and the good value next to it passing)."""

import textwrap

import pytest

from components.args import AsyncSettings, FunctionSettings
from components.checks import ArgsError
from components.code_signing import CodeSigningArgs
from components.customer_key import CustomerKeyArgs
from components.function import FunctionArgs
from components.handler_code import handler_modules
from components.log_bucket import LogBucketArgs
from components.rest_api import RestApiArgs
from components.secure_bucket import SecureBucketArgs
from components.static_site import StaticSiteArgs
from components.user_pool import UserPoolArgs
from components.web_acl import MANAGED_RULE_GROUPS, WebAclArgs
from tests.graph import component, only, policy, within
from tools.program import REPO_ROOT, run_program

SITE_DIR = REPO_ROOT / "site"
CERTIFICATE = "arn:aws:acm:{}:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("www")
    (directory / "index.html").write_text("<p>notes</p>")
    return directory


@pytest.fixture(scope="module")
def run(tmp_path_factory, site_dir):
    """One program building every block from its args with nothing but what each needs."""
    project = tmp_path_factory.mktemp("library-user")
    (project / "Pulumi.yaml").write_text("name: library-user\nruntime: python\n")
    (project / "__main__.py").write_text(
        textwrap.dedent(
            f"""
            import pulumi
            from components.checks import ArgsError
            from components.code_signing import CodeSigning, CodeSigningArgs
            from components.customer_key import CustomerKey, CustomerKeyArgs
            from components.log_bucket import LogBucket, LogBucketArgs
            from components.secure_bucket import SecureBucket, SecureBucketArgs
            from components.static_site import StaticSite, StaticSiteArgs
            from components.user_pool import UserPool, UserPoolArgs
            from components.web_acl import WebAcl, WebAclArgs

            SecureBucket("bucket", SecureBucketArgs())
            LogBucket("logs", LogBucketArgs())
            key = CustomerKey("key", CustomerKeyArgs())
            # An Output where the args take an Input: left for the deployment to check.
            WebAcl("api-acl", WebAclArgs(scope="REGIONAL", kms_key_arn=key.arn))
            WebAcl("cdn-acl", WebAclArgs(scope="CLOUDFRONT"))
            UserPool("users", UserPoolArgs())
            CodeSigning("signing", CodeSigningArgs())
            StaticSite(
                "site",
                StaticSiteArgs(
                    directory={str(site_dir)!r},
                    content_security_policy=pulumi.Output.concat("default-src ", "'self'"),
                ),
            )
            try:  # an Output where the block needs the value now
                WebAclArgs(scope=pulumi.Output.from_input("REGIONAL"))
            except ArgsError as error:
                pulumi.export("outputScope", str(error))
            """
        )
    )
    return run_program(project, config={})


def test_secure_bucket_is_private_encrypted_tls_only_and_versioned(run):
    bucket = component(run, "bucket")
    block = only(within(run, bucket, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"))
    assert all(
        block.inputs[setting] is True
        for setting in (
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        )
    )
    encryption = only(
        within(
            run,
            bucket,
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        )
    )
    assert encryption.inputs["rules"][0]["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "AES256"
    }
    ownership = only(within(run, bucket, "aws:s3/bucketOwnershipControls:BucketOwnershipControls"))
    assert ownership.inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    versioning = only(within(run, bucket, "aws:s3/bucketVersioning:BucketVersioning"))
    assert versioning.inputs["versioningConfiguration"] == {"status": "Enabled"}
    (deny,) = policy(only(within(run, bucket, "aws:s3/bucketPolicy:BucketPolicy")))["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {
        "Bool": {"aws:SecureTransport": "false"}
    }
    assert only(within(run, bucket, "aws:s3/bucket:Bucket")).inputs["forceDestroy"] is False
    lifecycle = only(
        within(run, bucket, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    )
    assert [rule["id"] for rule in lifecycle.inputs["rules"]] == [
        "abort-incomplete-multipart-uploads"
    ]


def test_log_bucket_expires_its_logs_and_admits_only_the_logging_service(run):
    logs = run.one("event-pipelines:index:LogBucket", "logs")
    lifecycle = only(
        within(run, logs, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    )
    expire = next(rule for rule in lifecycle.inputs["rules"] if rule["id"] == "expire-objects")
    assert expire["expiration"] == {"days": 365}
    assert not within(run, logs, "aws:s3/bucketVersioning:BucketVersioning")
    statements = policy(only(within(run, logs, "aws:s3/bucketPolicy:BucketPolicy")))["Statement"]
    assert [s["Sid"] for s in statements] == ["DenyInsecureTransport", "S3ServerAccessLogs"]


def test_web_acl_has_the_managed_rule_groups_a_rate_limit_and_logs(run):
    for name, region in (("api-acl", None), ("cdn-acl", "us-east-1")):
        acl = component(run, name)
        web_acl = only(within(run, acl, "aws:wafv2/webAcl:WebAcl"))
        rules = web_acl.inputs["rules"]
        assert rules[0]["statement"]["rateBasedStatement"]["limit"] == 1000
        groups = [r["statement"]["managedRuleGroupStatement"]["name"] for r in rules[1:]]
        assert groups == list(MANAGED_RULE_GROUPS)
        assert web_acl.inputs.get("region") == region
        log_group = only(within(run, acl, "aws:cloudwatch/logGroup:LogGroup"))
        assert log_group.inputs["retentionInDays"] == 30
    regional_logs = only(within(run, component(run, "api-acl"), "aws:cloudwatch/logGroup:LogGroup"))
    assert regional_logs.inputs["kmsKeyId"].startswith("arn:aws:kms:")


def test_user_pool_signs_in_with_strong_passwords_and_offers_totp(run):
    pool = only(within(run, component(run, "users"), "aws:cognito/userPool:UserPool"))
    assert pool.inputs["mfaConfiguration"] == "OPTIONAL"
    assert pool.inputs["softwareTokenMfaConfiguration"] == {"enabled": True}
    assert pool.inputs["passwordPolicy"]["minimumLength"] == 12
    assert pool.inputs["deletionProtection"] == "INACTIVE"
    domain = only(within(run, component(run, "users"), "aws:cognito/userPoolDomain:UserPoolDomain"))
    assert domain.inputs["domain"].startswith("library-user-dev-users-")


def test_customer_key_rotates_yearly_and_keeps_the_longest_deletion_window(run):
    key = only(within(run, component(run, "key"), "aws:kms/key:Key"))
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["rotationPeriodInDays"] == 365
    assert key.inputs["deletionWindowInDays"] == 30


def test_code_signing_enforces_signatures_and_versions_its_artifacts(run):
    signing = component(run, "signing")
    config = only(within(run, signing, "aws:lambda/codeSigningConfig:CodeSigningConfig"))
    assert config.inputs["policies"] == {"untrustedArtifactOnDeployment": "Enforce"}
    assert within(run, signing, "aws:s3/bucketVersioning:BucketVersioning")


def test_static_site_serves_its_files_over_https_from_a_bucket_only_it_reads(run):
    site = component(run, "site")
    distribution = only(within(run, site, "aws:cloudfront/distribution:Distribution"))
    behavior = distribution.inputs["defaultCacheBehavior"]
    assert behavior["viewerProtocolPolicy"] == "redirect-to-https"
    headers = only(
        within(run, site, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy")
    ).inputs["securityHeadersConfig"]
    assert headers["contentSecurityPolicy"]["contentSecurityPolicy"] == "default-src 'self'"
    objects = within(run, site, "aws:s3/bucketObjectv2:BucketObjectv2")
    assert [o.inputs["key"] for o in objects] == ["index.html"]
    statements = policy(only(within(run, site, "aws:s3/bucketPolicy:BucketPolicy")))["Statement"]
    read = next(s for s in statements if s["Sid"] == "AllowCloudFrontRead")
    assert read["Condition"]["StringEquals"]["AWS:SourceArn"].startswith("arn:aws:cloudfront:")


def test_an_output_where_a_block_needs_a_plain_value_is_refused(run):
    assert "WebAclArgs.scope:" in run.outputs["outputScope"]
    assert "an Output (a plain value is needed here" in run.outputs["outputScope"]


def test_a_whole_float_is_kept_as_an_integer():
    # As the engine sends numbers; a float would otherwise reach names and f-strings as "365.0".
    args = LogBucketArgs(retention_days=365.0)
    assert args.retention_days == 365 and isinstance(args.retention_days, int)


def _function(**values):
    return FunctionArgs(**{"handler_module": "stream_archive", "log_retention_days": 30, **values})


def _rest_api(**values):
    return RestApiArgs(
        **{
            "user_pool_arn": "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_abc",
            "stage_name": "prod",
            "throttling_rate_limit": 50,
            "throttling_burst_limit": 100,
            "log_retention_days": 30,
            **values,
        }
    )


def _site(**values):
    return StaticSiteArgs(
        **{"directory": SITE_DIR, "content_security_policy": "default-src 'self'", **values}
    )


def _site_in_zone(**values):
    return _site(zone_id="Z0123456789ABCDEFGHIJ", **values)


def _site_at_domain(**values):
    return _site(domain="notes.example.com", **values)


def _web_acl(**values):
    return WebAclArgs(**{"scope": "REGIONAL", **values})


# (args class, make them from one field, the field as named, bad value, good value, accepted)
CASES = [
    ("SecureBucketArgs", SecureBucketArgs, "bucket_name", "a.b.c", "a-b-c", "and no '.'"),
    ("SecureBucketArgs", SecureBucketArgs, "bucket_name", "Media", "media", "3-63 characters"),
    ("SecureBucketArgs", SecureBucketArgs, "expire_after_days", 0, 1, "a whole number of days"),
    ("SecureBucketArgs", SecureBucketArgs, "force_destroy", "false", False, "true or false"),
    ("SecureBucketArgs", SecureBucketArgs, "versioning", "no", False, "true or false"),
    ("SecureBucketArgs", SecureBucketArgs, "defer_policy", 1, True, "true or false"),
    ("SecureBucketArgs", SecureBucketArgs, "versioning", None, True, "None is not accepted"),
    ("LogBucketArgs", LogBucketArgs, "force_destroy", "yes", True, "true or false"),
    ("LogBucketArgs", LogBucketArgs, "retention_days", None, 30, "None is not accepted"),
    ("StaticSiteArgs", _site, "force_destroy", "yes", True, "true or false"),
    ("StaticSiteArgs", _site, "zone_id", "Z0123456789ABCDEFGHIJ", None, "given without domain"),
    ("UserPoolArgs", UserPoolArgs, "mfa", None, "OPTIONAL", "None is not accepted"),
    ("FunctionArgs", _function, "reads_object_data", "no", False, "true or false"),
    ("FunctionArgs", _function, "handler_module", None, "user_buckets", "required"),
    (
        "FunctionArgs",
        _function,
        "settings",
        {"memory_size": 512},
        FunctionSettings(),
        "expected a FunctionSettings",
    ),
    ("RestApiArgs", _rest_api, "set_account_cloudwatch_role", "yes", True, "true or false"),
    ("RestApiArgs", _rest_api, "user_pool_arn", 5, "arn:aws:cognito-idp:x", "expected a string"),
    ("WebAclArgs", _web_acl, "kms_key_arn", ["arn"], None, "expected a string or an Output"),
    ("StaticSiteArgs", _site, "directory", SITE_DIR / "absent", SITE_DIR, "an existing directory"),
    (
        "StaticSiteArgs",
        _site_in_zone,
        "domain",
        "Notes",
        "notes.example.com",
        "a lowercase DNS name",
    ),
    (
        "StaticSiteArgs",
        _site_at_domain,
        "zone_id",
        "zone",
        "Z0123456789ABCDEFGHIJ",
        "hosted zone id",
    ),
    (
        "StaticSiteArgs",
        _site_at_domain,
        "certificate_arn",
        CERTIFICATE.format("eu-west-1"),
        CERTIFICATE.format("us-east-1"),
        "an ACM certificate in us-east-1",
    ),
    ("UserPoolArgs", UserPoolArgs, "mfa", "SMS", "ON", "one of OFF, OPTIONAL, ON"),
    ("UserPoolArgs", UserPoolArgs, "domain_prefix", "my-cognito", "my-notes", "without 'aws'"),
    ("UserPoolArgs", UserPoolArgs, "deletion_protection", "yes", True, "true or false"),
    ("WebAclArgs", _web_acl, "scope", "GLOBAL", "CLOUDFRONT", "one of REGIONAL, CLOUDFRONT"),
    ("WebAclArgs", _web_acl, "rate_limit", 5, 10, "an integer from 10 to 2000000000"),
    ("WebAclArgs", _web_acl, "log_retention_days", 10, 14, "one of 1, 3, 5, 7, 14, 30"),
    ("LogBucketArgs", LogBucketArgs, "retention_days", 0, 3653, "an integer from 1 to 3653"),
    ("LogBucketArgs", LogBucketArgs, "cloudfront_logs", "no", True, "true or false"),
    ("CustomerKeyArgs", CustomerKeyArgs, "deletion_window_days", 31, 7, "an integer from 7 to 30"),
    ("CodeSigningArgs", CodeSigningArgs, "force_destroy", 1, True, "true or false"),
    ("FunctionArgs", _function, "handler_module", "bucket_names", "user_buckets", "handler(event"),
    ("FunctionArgs", _function, "log_retention_days", 0, 1, "one of 1, 3, 5"),
    ("FunctionArgs", _function, "asynchronous", "yes", False, "true or false"),
    ("RestApiArgs", _rest_api, "stage_name", "prod.eu", "prod_eu", "1-128 characters of A-Z"),
    ("RestApiArgs", _rest_api, "throttling_rate_limit", 0, 10000, "an integer from 1 to 10000"),
    ("RestApiArgs", _rest_api, "throttling_burst_limit", 5001, 5000, "an integer from 1 to 5000"),
    ("RestApiArgs", _rest_api, "log_retention_days", 2, 3, "one of 1, 3, 5"),
]


@pytest.mark.parametrize(
    "args_name, make, key, bad, good, accepted",
    CASES,
    ids=[f"{case[0]}.{case[2]}={case[3]!r}"[:60] for case in CASES],
)
def test_a_bad_argument_is_named_with_what_it_accepts(args_name, make, key, bad, good, accepted):
    with pytest.raises(ArgsError) as raised:
        make(**{key: bad})
    (problem,) = raised.value.problems
    assert problem.startswith(f"{args_name}.{key}: ") and accepted in problem, problem
    assert str(raised.value).startswith(f"invalid {args_name}:")
    make(**{key: good})


def test_a_settings_dataclass_is_checked_field_by_field():
    with pytest.raises(ArgsError) as raised:
        _function(
            settings=FunctionSettings(memory_size=64),
            invoke=AsyncSettings(maximum_retry_attempts=3),
        )
    assert raised.value.problems == [
        "FunctionArgs.settings.memory_size: 64 is not accepted; expected an integer from 128 "
        + "to 10240",
        "FunctionArgs.invoke.maximum_retry_attempts: 3 is not accepted; expected an integer "
        + "from 0 to 2",
    ]
    _function(settings=FunctionSettings(memory_size=128), invoke=AsyncSettings(0))


def test_every_handler_module_is_accepted_and_named_when_one_is_not():
    assert handler_modules() == (
        "image_metadata",
        "notes_api",
        "object_copy",
        "stream_archive",
        "user_buckets",
    )
    for module in handler_modules():
        _function(handler_module=module)
    with pytest.raises(ArgsError, match="handler_module: .* " + ", ".join(handler_modules())):
        _function(handler_module="../user_buckets")


def test_a_domain_needs_a_zone_or_a_certificate():
    for make, args_name in ((_site, "StaticSiteArgs"), (_rest_api, "RestApiArgs")):
        with pytest.raises(ArgsError) as raised:
            make(domain="notes.example.com")
        assert raised.value.problems == [
            f"{args_name}.domain: needs zone_id (a certificate is created and validated in that "
            + "zone) or certificate_arn (an existing certificate)"
        ]
        make(domain="notes.example.com", zone_id="Z0123456789ABCDEFGHIJ")
    _site(domain="notes.example.com", certificate_arn=CERTIFICATE.format("us-east-1"))
    _rest_api(domain="api.example.com", certificate_arn=CERTIFICATE.format("eu-west-1"))


def test_every_problem_is_reported_at_once():
    with pytest.raises(ArgsError) as raised:
        WebAclArgs(scope="GLOBAL", rate_limit=5, log_retention_days=10)
    assert [problem.split(":")[0] for problem in raised.value.problems] == [
        "WebAclArgs.scope",
        "WebAclArgs.rate_limit",
        "WebAclArgs.log_retention_days",
    ]
    with pytest.raises(ArgsError, match="WebAclArgs.scope: required; expected one of REGIONAL"):
        WebAclArgs(scope=None)  # type: ignore[arg-type]


def test_the_defaults_are_the_secure_ones():
    bucket = SecureBucketArgs()
    assert (bucket.versioning, bucket.force_destroy, bucket.expire_after_days) == (
        True,
        False,
        None,
    )
    assert UserPoolArgs().mfa == "OPTIONAL"
    assert (LogBucketArgs().retention_days, LogBucketArgs().force_destroy) == (365, False)
    assert (WebAclArgs("REGIONAL").rate_limit, WebAclArgs("REGIONAL").log_retention_days) == (
        1000,
        30,
    )
    assert CustomerKeyArgs().deletion_window_days == 30
    assert CodeSigningArgs().force_destroy is False
