"""Lambda rules: permissions for services, runtimes, and where failed events go."""

import pytest

from tests.policy.harness import (
    ACCOUNT,
    UNKNOWN,
    Res,
    check,
    check_stack,
    finding,
    names,
    only,
)

PERMISSION = "aws:lambda/permission:Permission"
FUNCTION = "aws:lambda/function:Function"
MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
NOTIFICATION = "aws:s3/bucketNotification:BucketNotification"
INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
STREAM = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/UsersIds/stream/2024-01-01T00:00:00.000"
CODE_SIGNING_CONFIG = (
    f"arn:aws:lambda:us-east-1:{ACCOUNT}:code-signing-config:csc-0a1b2c3d4e5f67890"
)
# Runtime tests judge signed functions: lambda-code-signing has tests of its own.
SIGNED = {"codeSigningConfigArn": CODE_SIGNING_CONFIG}


def function(name="fn", runtime="python3.13", **extra):
    arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"
    return Res(FUNCTION, name, {"name": name, "arn": arn, "runtime": runtime, **extra})


def log_group(group_name, retention=14, depends=None):
    outputs = {"name": group_name}
    if retention is not None:
        outputs["retentionInDays"] = retention
    return Res(LOG_GROUP, f"{group_name.rsplit('/', 1)[-1]}-logs", outputs, depends or {})


# --- permissions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "props, missing",
    [
        ({"principal": "s3.amazonaws.com"}, ["source_arn", "source_account"]),
        (
            {"principal": "s3.amazonaws.com", "sourceArn": "arn:aws:s3:::uploads"},
            ["source_account"],
        ),
        ({"principal": "events.amazonaws.com"}, ["source_arn"]),
    ],
)
def test_service_permissions_without_a_source_are_flagged(pack, props, missing):
    violation = only(
        check(pack, PERMISSION, {"action": "lambda:InvokeFunction", "function": "fn", **props}),
        "lambda-permission-source-restricted",
    )
    assert violation.enforcement == "advisory"
    for key in missing:
        assert key in finding(violation)
    assert ("source_account" in finding(violation)) == ("source_account" in missing)


@pytest.mark.parametrize(
    "props",
    [
        {
            "principal": "s3.amazonaws.com",
            "sourceArn": "arn:aws:s3:::uploads",
            "sourceAccount": ACCOUNT,
        },
        {"principal": "s3.amazonaws.com", "sourceArn": UNKNOWN, "sourceAccount": ACCOUNT},
        {"principal": "events.amazonaws.com", "sourceArn": "arn:aws:events:us-east-1:1:rule/r"},
        {"principal": ACCOUNT},
        {"principal": UNKNOWN},
    ],
)
def test_permissions_naming_their_source_pass(pack, props):
    assert (
        check(pack, PERMISSION, {"action": "lambda:InvokeFunction", "function": "fn", **props})
        == []
    )


# --- runtimes ------------------------------------------------------------------------------------


def test_seed_002_python38_is_flagged_as_deprecated(pack):
    violation = only(
        check(pack, FUNCTION, {"runtime": "python3.8", "name": "my-function"}),
        "lambda-supported-runtime",
    )
    assert "deprecated since 2024-10-14" in violation.message and "python3.14" in violation.message


def test_a_runtime_deprecated_within_the_warning_period_is_flagged(pack):
    soon = {"lambda-supported-runtime": {"asOf": "2027-05-01"}}
    violation = only(
        check(pack, FUNCTION, {"runtime": "python3.11", **SIGNED}, soon), "lambda-supported-runtime"
    )
    assert "deprecated on 2027-06-30 (60 days from now)" in violation.message
    later = {"lambda-supported-runtime": {"asOf": "2027-01-01"}}
    assert check(pack, FUNCTION, {"runtime": "python3.11", **SIGNED}, later) == []


@pytest.mark.parametrize(
    "props",
    [
        {"runtime": "python3.13"},
        {"runtime": "nodejs24.x"},
        {"packageType": "Image"},
        {"runtime": UNKNOWN},
        {"runtime": "python3.15"},
    ],
)
def test_supported_unknown_and_image_functions_pass(pack, props):
    config = {"lambda-supported-runtime": {"asOf": "2026-11-21"}}
    assert check(pack, FUNCTION, {**props, **SIGNED}, config) == []


def test_the_dated_table_can_be_extended_per_stack(pack):
    config = {
        "lambda-supported-runtime": {
            "asOf": "2026-11-21",
            "deprecations": {"python3.13": "2026-12-01"},
        }
    }
    assert names(check(pack, FUNCTION, {"runtime": "python3.13", **SIGNED}, config)) == [
        "lambda-supported-runtime"
    ]


def test_a_runtime_name_of_its_own_in_the_table_does_not_break_the_rule(pack):
    # The pack config accepts any name; one that names no language is its own family.
    config = {
        "lambda-supported-runtime": {
            "asOf": "2026-11-21",
            "deprecations": {"Custom-1": "2026-01-01", "python3.13": "2026-12-01"},
        }
    }
    findings = check(pack, FUNCTION, {"runtime": "python3.13", **SIGNED}, config)
    assert names(findings) == ["lambda-supported-runtime"]
    assert names(check(pack, FUNCTION, {"runtime": "Custom-1", **SIGNED}, config)) == [
        "lambda-supported-runtime"
    ]


# --- code signing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "props",
    [{"runtime": "python3.13"}, {"packageType": "Zip"}, {"codeSigningConfigArn": ""}],
    ids=["default-zip", "zip", "empty"],
)
def test_a_zip_function_without_code_signing_is_flagged(pack, props):
    violation = only(check(pack, FUNCTION, props, name="notes-fn"), "lambda-code-signing")
    assert violation.enforcement == "advisory"
    assert finding(violation) == (
        "Function 'notes-fn' has no code signing config: Lambda runs any package the deploying "
        'credentials upload. Create an aws.signer.SigningProfile(platform_id="AWSLambda-SHA384-'
        'ECDSA") and an aws.lambda_.CodeSigningConfig(allowed_publishers='
        "{'signing_profile_version_arns': [profile.version_arn]}, policies="
        "{'untrusted_artifact_on_deployment': 'Enforce'}), deploy the package signed by an "
        "aws.signer.SigningJob, and set code_signing_config_arn=config.arn."
    )


@pytest.mark.parametrize(
    "props",
    [
        SIGNED,
        {"codeSigningConfigArn": UNKNOWN},  # created in the same stack, first preview
        # Container images do not support code signing (Lambda Developer Guide, "Creating code
        # signing configurations for Lambda").
        {"packageType": "Image", "imageUri": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/fn:1"},
        {"packageType": UNKNOWN},
    ],
    ids=["signed", "config-unknown", "container-image", "package-type-unknown"],
)
def test_signed_image_and_unknown_functions_pass(pack, props):
    assert "lambda-code-signing" not in names(check(pack, FUNCTION, props))


def test_a_function_can_be_exempted_from_code_signing(pack):
    config = {"lambda-code-signing": {"exemptResources": ["legacy-*"]}}
    assert check(pack, FUNCTION, {"runtime": "python3.13"}, config, name="legacy-fn") == []


# --- stream mappings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "props",
    [
        {"eventSourceArn": STREAM, "startingPosition": "LATEST"},
        {
            "eventSourceArn": f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/clicks",
            "startingPosition": "TRIM_HORIZON",
            "destinationConfig": {},
        },
        {"eventSourceArn": UNKNOWN, "startingPosition": "TRIM_HORIZON"},
    ],
)
def test_stream_mappings_without_failure_destination_are_flagged(pack, props):
    assert names(check(pack, MAPPING, {"functionName": "fn", **props})) == [
        "lambda-stream-failure-destination"
    ]


@pytest.mark.parametrize(
    "props",
    [
        {
            "eventSourceArn": STREAM,
            "startingPosition": "TRIM_HORIZON",
            "destinationConfig": {"onFailure": {"destinationArn": "arn:aws:sqs:us-east-1:1:dlq"}},
        },
        {
            "eventSourceArn": STREAM,
            "startingPosition": "TRIM_HORIZON",
            "destinationConfig": {"onFailure": {"destinationArn": UNKNOWN}},
        },
        {"eventSourceArn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs"},  # SQS has its own redrive
    ],
)
def test_mappings_with_a_destination_or_from_queues_pass(pack, props):
    assert check(pack, MAPPING, {"functionName": "fn", **props}) == []


# --- log groups (stack) --------------------------------------------------------------------------


def test_a_function_without_a_log_group_is_flagged(pack):
    violation = only(check_stack(pack, [function("bucket-creation")]), "lambda-log-group-retention")
    assert violation.urn.endswith("::bucket-creation")
    assert "/aws/lambda/bucket-creation" in violation.message


def test_a_log_group_without_retention_is_flagged(pack):
    resources = [function("fn"), log_group("/aws/lambda/fn", retention=None)]
    violation = only(check_stack(pack, resources), "lambda-log-group-retention")
    assert "without retention_in_days" in violation.message


@pytest.mark.parametrize(
    "case", ["by-name", "custom-group", "group-named-from-function", "unknown-name-linked"]
)
def test_functions_with_a_retained_log_group_pass(pack, case):
    if case == "by-name":
        resources = [function("fn"), log_group("/aws/lambda/fn")]
    elif case == "custom-group":
        resources = [
            function("fn", loggingConfig={"logFormat": "JSON", "logGroup": "/app/fn"}),
            log_group("/app/fn"),
        ]
    elif case == "group-named-from-function":
        fn = function("fn")
        resources = [fn, log_group(UNKNOWN, depends={"name": [fn]})]
    else:
        group = log_group("/aws/lambda/x")
        fn = function(UNKNOWN, loggingConfig={"logGroup": UNKNOWN})
        fn.depends = {"loggingConfig": [group]}
        resources = [fn, group]
    assert check_stack(pack, resources) == []


# --- S3-triggered functions (stack) --------------------------------------------------------------


def notification(fn: Res, linked=True):
    return Res(
        NOTIFICATION,
        "uploads-notification",
        {
            "bucket": "uploads",
            "lambdaFunctions": [
                {"lambdaFunctionArn": fn.outputs["arn"], "events": ["s3:ObjectCreated:*"]}
            ],
        },
        {"lambdaFunctions": [fn]} if linked else {},
    )


@pytest.mark.parametrize("linked", [True, False], ids=["by-dependency", "by-arn"])
def test_an_s3_triggered_function_without_failure_destination_is_flagged(pack, linked):
    fn = function("metadata")
    violations = check_stack(
        pack, [fn, log_group("/aws/lambda/metadata"), notification(fn, linked)]
    )
    violation = only(violations, "lambda-async-failure-destination")
    assert violation.urn == fn.urn and "FunctionEventInvokeConfig" in violation.message


@pytest.mark.parametrize("how", ["invoke-config", "dead-letter-config"])
def test_an_s3_triggered_function_with_failure_destination_passes(pack, how):
    if how == "invoke-config":
        fn = function("metadata")
        extra = [
            Res(
                INVOKE_CONFIG,
                "metadata-async",
                {
                    "functionName": "metadata",
                    "destinationConfig": {
                        "onFailure": {"destination": "arn:aws:sqs:us-east-1:1:dlq"}
                    },
                },
            )
        ]
    else:
        fn = function("metadata", deadLetterConfig={"targetArn": "arn:aws:sqs:us-east-1:1:dlq"})
        extra = []
    resources = [fn, log_group("/aws/lambda/metadata"), notification(fn), *extra]
    assert check_stack(pack, resources) == []


def test_functions_not_triggered_by_s3_need_no_async_destination(pack):
    assert check_stack(pack, [function("fn"), log_group("/aws/lambda/fn")]) == []


# --- review findings: public invocation, boundaries, robustness ---------------------------------


@pytest.mark.parametrize(
    "resource_type, props",
    [
        (PERMISSION, {"action": "lambda:InvokeFunction", "function": "fn", "principal": "*"}),
        (
            PERMISSION,
            {
                "action": "lambda:InvokeFunctionUrl",
                "function": "fn",
                "principal": "*",
                "functionUrlAuthType": "NONE",
            },
        ),
        ("aws:lambda/functionUrl:FunctionUrl", {"functionName": "fn", "authorizationType": "NONE"}),
    ],
    ids=["any-principal", "public-url-permission", "url-without-auth"],
)
def test_functions_anyone_can_invoke_are_flagged(pack, resource_type, props):
    violation = only(check(pack, resource_type, props), "lambda-no-public-invoke")
    assert violation.severity == "critical"


@pytest.mark.parametrize(
    "resource_type, props",
    [
        (
            PERMISSION,
            {
                "action": "lambda:InvokeFunction",
                "function": "fn",
                "principal": "*",
                "principalOrgId": "o-abc123",
            },
        ),
        (
            PERMISSION,
            {
                "action": "lambda:InvokeFunctionUrl",
                "function": "fn",
                "principal": "*",
                "functionUrlAuthType": "AWS_IAM",
            },
        ),
        (
            "aws:lambda/functionUrl:FunctionUrl",
            {"functionName": "fn", "authorizationType": "AWS_IAM"},
        ),
    ],
    ids=["organization-only", "iam-signed-url", "url-with-iam-auth"],
)
def test_invocation_limited_to_an_organization_or_iam_passes(pack, resource_type, props):
    assert check(pack, resource_type, props) == []


@pytest.mark.parametrize(
    "as_of, expected",
    [
        ("2024-10-14", "deprecated since 2024-10-14"),  # the day itself
        ("2024-07-16", "deprecated on 2024-10-14 (90 days from now)"),  # first warning day
        ("2024-07-15", None),  # one day before the warning period
    ],
)
def test_runtime_dates_at_the_boundaries(pack, as_of, expected):
    violations = check(
        pack,
        FUNCTION,
        {"runtime": "python3.8", **SIGNED},
        {"lambda-supported-runtime": {"asOf": as_of}},
    )
    if expected is None:
        assert violations == []
    else:
        assert expected in finding(only(violations, "lambda-supported-runtime"))


def test_successors_are_the_longest_supported_runtime_of_the_language(pack):
    def advice(runtime, as_of):
        config = {"lambda-supported-runtime": {"asOf": as_of}}
        return finding(
            only(check(pack, FUNCTION, {"runtime": runtime}, config), "lambda-supported-runtime")
        )

    assert "No newer runtime is listed yet" in advice("nodejs24.x", "2028-03-01")
    assert "Use nodejs24.x" in advice("nodejs18.x", "2026-11-21")
    assert "Use java25" in advice("java8", "2026-11-21")
    assert "Use provided.al2023" in advice("go1.x", "2026-11-21")


@pytest.mark.parametrize(
    "config", [{"asOf": "tomorrow"}, {"deprecations": {"python3.13": "next year"}}]
)
def test_malformed_dates_in_config_are_refused_before_any_rule_runs(pack, config):
    from tools.policy_pack import PolicyPackError

    with pytest.raises(PolicyPackError, match="lambda-supported-runtime"):
        pack.configure({"lambda-supported-runtime": config})


def test_an_invoke_config_for_another_function_does_not_count(pack):
    fn, other = function("metadata"), function("other")
    config = Res(
        INVOKE_CONFIG,
        "other-async",
        {
            "functionName": "other",
            "destinationConfig": {"onFailure": {"destination": "arn:aws:sqs:us-east-1:1:dlq"}},
        },
    )
    resources = [
        fn,
        other,
        log_group("/aws/lambda/metadata"),
        log_group("/aws/lambda/other"),
        notification(fn),
        config,
    ]
    assert only(check_stack(pack, resources), "lambda-async-failure-destination").urn == fn.urn


@pytest.mark.parametrize("retention", ["14", 14.0])
def test_a_retention_given_as_text_or_float_counts(pack, retention):
    assert check_stack(pack, [function("fn"), log_group("/aws/lambda/fn", retention)]) == []


# --- how stack rules find a function (indexed lookups, not pairs) --------------------------------


def invoke_config(function_name: str):
    return Res(
        INVOKE_CONFIG,
        f"{function_name.rsplit(':', 1)[-1]}-async",
        {
            "functionName": function_name,
            "destinationConfig": {"onFailure": {"destination": "arn:aws:sqs:us-east-1:1:dlq"}},
        },
    )


def test_a_qualified_arn_names_its_function(pack):
    fn = function("metadata")
    live = fn.outputs["arn"] + ":live"  # an alias of the function
    resources = [fn, log_group("/aws/lambda/metadata"), notification(fn), invoke_config(live)]
    assert check_stack(pack, resources) == []


@pytest.mark.parametrize("qualifier", ["", ":live", ":7"])
def test_a_notification_naming_the_function_by_arn_alone_triggers_it(pack, qualifier):
    fn = function("metadata")
    trigger = notification(fn, linked=False)
    trigger.outputs["lambdaFunctions"][0]["lambdaFunctionArn"] += qualifier
    violations = check_stack(pack, [fn, log_group("/aws/lambda/metadata"), trigger])
    assert only(violations, "lambda-async-failure-destination").urn == fn.urn


def test_a_notification_for_a_function_with_a_longer_name_does_not_trigger_this_one(pack):
    fn, longer = function("metadata"), function("metadata-v2")
    resources = [fn, log_group("/aws/lambda/metadata"), notification(longer, linked=False)]
    assert "lambda-async-failure-destination" not in names(check_stack(pack, resources))


@pytest.mark.parametrize("name", ["metadata-v2", "metadata2"])
def test_an_arn_of_a_function_with_a_longer_name_does_not_count(pack, name):
    fn = function("metadata")
    other = function(name).outputs["arn"] + ":live"
    resources = [fn, log_group("/aws/lambda/metadata"), notification(fn), invoke_config(other)]
    assert only(check_stack(pack, resources), "lambda-async-failure-destination").urn == fn.urn


@pytest.mark.parametrize("custom_first", [False, True])
def test_every_group_a_function_logs_to_is_named_in_stack_order(pack, custom_first):
    own = log_group("/aws/lambda/fn", retention=None)
    custom = log_group("/app/functions", retention=None)
    fn = function("fn", loggingConfig={"logGroup": "/app/functions"})
    resources = [custom, fn, own] if custom_first else [own, fn, custom]
    violation = only(check_stack(pack, resources), "lambda-log-group-retention")
    named = ["LogGroup 'functions-logs'", "LogGroup 'fn-logs'"]
    assert ", ".join(named if custom_first else named[::-1]) in violation.message
