"""Lambda rules: who may invoke a function, what it runs on, and where its failures go.
Advisory by default.
"""

from datetime import date, timedelta

from pulumi_policy import EnforcementLevel, Severity

from .documents import has_wildcard
from .props import UNKNOWN, as_list, dig, is_unknown
from .rule import Resource, RuleInfo, Targets, of_types, resource_rule, stack_rule
from .runtimes import DEPRECATION_DATES, successor

FUNCTION = "aws:lambda/function:Function"
DATE = r"^\d{4}-\d{2}-\d{2}$"
PERMISSION = "aws:lambda/permission:Permission"
MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping"
INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
BUCKET_NOTIFICATION = "aws:s3/bucketNotification:BucketNotification"

# --- permissions for AWS services -------------------------------------------------------------------


def check_permission(resource: Resource, settings: dict):
    principal = resource.props.get("principal")
    if not isinstance(principal, str) or not principal.endswith(".amazonaws.com"):
        return  # an account, a role, "*" (lambda-no-public-invoke), or unknown during preview
    missing = []
    if resource.props.get("sourceArn") is None:
        missing.append("source_arn (the ARN of the bucket, rule or API that may invoke it)")
    if principal == "s3.amazonaws.com" and resource.props.get("sourceAccount") is None:
        # Bucket names can be reused by another account after deletion: pin the owner too.
        missing.append("source_account (the account that owns the bucket)")
    if missing:
        yield (
            f"{resource} lets {principal} invoke the function without {' and '.join(missing)}: "
            "any resource of that service, in any account, could invoke it."
        )


PERMISSION_SOURCE = resource_rule(
    RuleInfo(
        name="lambda-permission-source-restricted",
        description="A Lambda permission for an AWS service principal names the source "
        "(source_arn, and source_account for s3.amazonaws.com).",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Set source_arn to the bucket/rule/API ARN and, for S3, source_account to "
        "the bucket owner's account id.",
    ),
    [PERMISSION],
    check_permission,
)

FUNCTION_URL = "aws:lambda/functionUrl:FunctionUrl"


def check_public_invoke(resource: Resource, settings: dict):
    props = resource.props
    if resource.type == FUNCTION_URL:
        if props.get("authorizationType") == "NONE":
            yield (
                f"{resource} has authorization_type NONE: anyone on the internet can invoke the "
                "function. Use AWS_IAM and sign requests, or put API Gateway with an authorizer "
                "in front of it."
            )
        return
    principal = props.get("principal")
    if not has_wildcard(principal) or props.get("principalOrgId") is not None:
        return
    if props.get("action") == "lambda:InvokeFunctionUrl" and props.get("functionUrlAuthType") in (
        "AWS_IAM",
        UNKNOWN,
    ):
        return  # any account, but only with signed IAM requests its policies allow
    yield (
        f"{resource} lets principal {principal!r} invoke the function: anyone, in any account, "
        "can call it. Name the service or account principal (with source_arn), or limit it to "
        "your organization with principal_org_id."
    )


PUBLIC_INVOKE = resource_rule(
    RuleInfo(
        name="lambda-no-public-invoke",
        description="No Lambda function can be invoked by anyone: no permission for principal "
        '"*" (outside an organization) and no function URL without authorization.',
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Give the permission to the calling service or account, or use "
        "principal_org_id; set function URLs to authorization_type AWS_IAM.",
    ),
    [PERMISSION, FUNCTION_URL],
    check_public_invoke,
)

# --- runtimes --------------------------------------------------------------------------------------


def check_runtime(resource: Resource, settings: dict):
    runtime = resource.props.get("runtime")
    if not isinstance(runtime, str):
        return
    table = {
        **DEPRECATION_DATES,
        **{name: date.fromisoformat(day) for name, day in settings["deprecations"].items()},
    }
    deprecated_on = table.get(runtime)
    if deprecated_on is None:
        return
    today = date.fromisoformat(settings["asOf"]) if settings["asOf"] else date.today()
    newest = successor(runtime, table)
    instead = (
        f"Use {newest}."
        if newest != runtime
        else "No newer runtime is listed yet: see "
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html."
    )
    if deprecated_on <= today:
        yield (
            f"{resource} runs on {runtime}, deprecated since {deprecated_on}: no more security "
            f"patches, and AWS blocks creating and then updating such functions. {instead}"
        )
    elif deprecated_on <= today + timedelta(days=settings["warningDays"]):
        yield (
            f"{resource} runs on {runtime}, deprecated on {deprecated_on} "
            f"({(deprecated_on - today).days} days from now). {instead}"
        )


RUNTIME = resource_rule(
    RuleInfo(
        name="lambda-supported-runtime",
        description="A Lambda function runs on a runtime AWS still supports, and not one "
        "deprecated within the warning period.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Change `runtime` to the newest runtime of the language (e.g. python3.13) "
        "and run the tests on it.",
        config={
            "warningDays": {
                "type": "integer",
                "minimum": 0,
                "default": 90,
                "description": "Warn this many days before deprecation.",
            },
            "deprecations": {
                "type": "object",
                "additionalProperties": {"type": "string", "format": "date", "pattern": DATE},
                "default": {},
                "description": "runtime -> YYYY-MM-DD, added to the built-in table.",
            },
            "asOf": {
                "type": "string",
                "pattern": f"^$|{DATE}",
                "default": "",
                "description": "Evaluate as of this date (YYYY-MM-DD); empty: today.",
            },
        },
    ),
    [FUNCTION],
    check_runtime,
)

# --- lambda-code-signing ---------------------------------------------------------------------------
#
# What: every function deployed from a .zip package has a code signing configuration
# (code_signing_config_arn). Why: without one, Lambda runs whatever package the deploying
# credentials upload; with one whose policy is Enforce, it refuses a package not signed by one of
# the allowed AWS Signer profiles, so stolen deploy credentials or a tampered build artifact
# cannot change the code. How to fix: an aws.signer.SigningProfile (platform
# AWSLambda-SHA384-ECDSA), an aws.lambda_.CodeSigningConfig allowing its version ARN with
# untrusted_artifact_on_deployment "Enforce", the package signed (aws.signer.SigningJob, from a
# versioned S3 bucket) and deployed from the signed object, and code_signing_config_arn set.
#
# Container images (package_type "Image") are out of scope: Lambda code signing applies to .zip
# packages only ("Functions defined as container images do not support code signing", Lambda
# Developer Guide, "Creating code signing configurations for Lambda"); sign images with ECR and
# Signer instead. A code_signing_config_arn, or a package type, unknown during preview is not
# reported.


def check_code_signing(resource: Resource, settings: dict):
    package_type = resource.props.get("packageType")
    if is_unknown(package_type) or package_type == "Image":
        return
    config = resource.props.get("codeSigningConfigArn")
    if is_unknown(config) or (isinstance(config, str) and config):
        return
    yield (
        f"{resource} has no code signing config: Lambda runs any package the deploying "
        "credentials upload. Create an aws.signer.SigningProfile(platform_id="
        '"AWSLambda-SHA384-ECDSA") and an aws.lambda_.CodeSigningConfig(allowed_publishers='
        "{'signing_profile_version_arns': [profile.version_arn]}, policies="
        "{'untrusted_artifact_on_deployment': 'Enforce'}), deploy the package signed by an "
        "aws.signer.SigningJob, and set code_signing_config_arn=config.arn."
    )


CODE_SIGNING = resource_rule(
    RuleInfo(
        name="lambda-code-signing",
        description="Every Lambda function deployed from a .zip package has a code signing "
        "config, so that Lambda refuses code not signed by the stack's AWS Signer profile.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Create aws.signer.SigningProfile(platform_id='AWSLambda-SHA384-ECDSA') and "
        "aws.lambda_.CodeSigningConfig(allowed_publishers={'signing_profile_version_arns': "
        "[profile.version_arn]}, policies={'untrusted_artifact_on_deployment': 'Enforce'}); "
        "deploy signed packages and set code_signing_config_arn=config.arn on the function.",
    ),
    [FUNCTION],
    check_code_signing,
)

# --- stream mappings -------------------------------------------------------------------------------


def _is_stream(mapping: Resource) -> bool:
    arn = mapping.props.get("eventSourceArn")
    if isinstance(arn, str):
        return (":dynamodb:" in arn and "/stream/" in arn) or ":kinesis:" in arn
    # Unknown during preview: only stream sources (and Kafka) take a starting position.
    return is_unknown(arn) and mapping.props.get("startingPosition") is not None


def check_mapping_destination(resource: Resource, settings: dict):
    if not _is_stream(resource):
        return
    if dig(resource.props, "destinationConfig", "onFailure", "destinationArn") is None:
        yield (
            f"{resource} reads a stream without an on-failure destination: a record that "
            "keeps failing is dropped when its retries or age run out. Set "
            "destination_config.on_failure.destination_arn to an SQS queue or SNS topic."
        )


MAPPING_DESTINATION = resource_rule(
    RuleInfo(
        name="lambda-stream-failure-destination",
        description="An event source mapping from a DynamoDB or Kinesis stream sends records "
        "that exhaust their retries to an on-failure destination.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Add destination_config={'on_failure': {'destination_arn': queue.arn}}, with "
        "bounded maximum_retry_attempts and bisect_batch_on_function_error.",
    ),
    [MAPPING],
    check_mapping_destination,
)

# --- stack rules: how resources refer to functions ------------------------------------------------


def function_ids(function: Resource) -> set:
    """The strings other resources use to name a function: name, ARNs."""
    props = function.props
    return {
        v
        for v in (props.get("name"), props.get("arn"), props.get("qualifiedArn"), props.get("id"))
        if isinstance(v, str)
    }


def functions_of(resources: list) -> Targets:
    """The stack's functions, found by name or ARN ("arn:...:function:name:alias", a qualified
    ARN, still means the function) or by dependency."""
    return Targets(of_types(resources, FUNCTION), function_ids, qualified=True)


def _retention(group: Resource):
    """True/False whether the group expires its logs; None when unknown."""
    days = group.props.get("retentionInDays")
    if is_unknown(days):
        return None
    if isinstance(days, str) and days.isdigit():  # a number given as text (read from config)
        days = int(days)
    return isinstance(days, (int, float)) and not isinstance(days, bool) and days > 0


def _log_group_names(function: Resource) -> list:
    """The log group names a function writes to: its own, and a custom logging config's."""
    name = function.props.get("name")
    custom = dig(function.props, "loggingConfig", "logGroup")
    names = [f"/aws/lambda/{name}"] if isinstance(name, str) else []
    return names + ([custom] if isinstance(custom, str) else [])


def _groups_of(functions: list, groups: list) -> dict:
    """id(function) -> its log groups, in stack order: named after it or after its logging
    config (by value or computed from it), or named by its logging config's dependency."""
    mine = Targets(functions, _log_group_names).referrers(groups, "name")
    linked = Targets(groups, lambda group: ())
    order = {id(g): n for n, g in enumerate(groups)}
    found = {}
    for function in functions:
        both = mine.get(id(function), []) + linked.named_by(function, "loggingConfig", ())
        found[id(function)] = sorted({id(g): g for g in both}.values(), key=lambda g: order[id(g)])
    return found


def check_log_groups(resources: list, settings: dict):
    groups = of_types(resources, LOG_GROUP)
    functions = of_types(resources, FUNCTION)
    groups_of = _groups_of(functions, groups)
    unknown_group = any(
        is_unknown(g.props.get("name")) and not g.property_dependencies for g in groups
    )
    for function in functions:
        mine = groups_of[id(function)]
        verdicts = [_retention(g) for g in mine]
        if any(v is not False for v in verdicts):
            continue  # retained, or not known yet
        if mine:
            yield (
                function,
                (
                    f"{function} logs to {', '.join(str(g) for g in mine)} without "
                    "retention_in_days: logs are kept forever. Set a retention."
                ),
            )
            continue
        name = function.props.get("name")
        if not (is_unknown(name) or unknown_group):
            yield (
                function,
                (
                    f"{function} has no log group in this stack: Lambda will create "
                    f"/aws/lambda/{name} itself, keeping logs forever. Declare that log group with "
                    "retention_in_days, and make the function depend on it."
                ),
            )


LOG_GROUP_RETENTION = stack_rule(
    RuleInfo(
        name="lambda-log-group-retention",
        description="Every Lambda function has its log group declared in the stack, with a "
        "retention.",
        severity=Severity.LOW,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Create aws.cloudwatch.LogGroup('/aws/lambda/<name>', retention_in_days=...) "
        "before the function (depends_on), or point logging_config.log_group at one.",
    ),
    check_log_groups,
)


def check_async_destinations(resources: list, settings: dict):
    functions = functions_of(resources)
    configs_of = functions.referrers(of_types(resources, INVOKE_CONFIG), "functionName")
    for notification in of_types(resources, BUCKET_NOTIFICATION):
        arns = [
            dig(target, "lambdaFunctionArn")
            for target in as_list(notification.props.get("lambdaFunctions"))
        ]
        for function in functions.named_by(notification, "lambdaFunctions", arns):
            if dig(function.props, "deadLetterConfig", "targetArn") is not None:
                continue
            destinations = [
                dig(c.props, "destinationConfig", "onFailure", "destination")
                for c in configs_of.get(id(function), [])
            ]
            if any(d is not None for d in destinations):
                continue
            yield (
                function,
                (
                    f"{function} is invoked asynchronously by {notification}, but failed events "
                    "have nowhere to go: after two retries S3's event is dropped. Add an "
                    "aws.lambda_.FunctionEventInvokeConfig with destination_config.on_failure "
                    "pointing at an SQS queue (or a dead_letter_config)."
                ),
            )


ASYNC_DESTINATION = stack_rule(
    RuleInfo(
        name="lambda-async-failure-destination",
        description="A function triggered by S3 notifications has an asynchronous on-failure "
        "destination (or a dead-letter queue).",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Declare FunctionEventInvokeConfig(function_name=fn.name, "
        "maximum_retry_attempts=2, destination_config={'on_failure': {'destination': "
        "queue.arn}}).",
    ),
    check_async_destinations,
)

POLICIES = [
    PERMISSION_SOURCE,
    PUBLIC_INVOKE,
    RUNTIME,
    CODE_SIGNING,
    MAPPING_DESTINATION,
    LOG_GROUP_RETENTION,
    ASYNC_DESTINATION,
]
