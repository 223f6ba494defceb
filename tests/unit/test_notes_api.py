"""The notes API pipeline as the program declares it (run under mocks): who may call what, what
the role may do, and how the page is served."""

import json
from pathlib import Path

import pytest

from components.config import ConfigError
from components.notes_api import NEW_NOTE, NOTE_UPDATE, SITE_DIR
from tests.graph import (
    BUCKET,
    FUNCTION,
    LOG_GROUP,
    QUEUE,
    ROLE_POLICY,
    TABLE,
    component,
    only,
    policy,
    run_with,
    within,
)
from tools.program import run_program

ACCOUNT = "123456789012"
METHOD = "aws:apigateway/method:Method"
INTEGRATION = "aws:apigateway/integration:Integration"
RESOURCE = "aws:apigateway/resource:Resource"
AUTHORIZER = "aws:apigateway/authorizer:Authorizer"
VALIDATOR = "aws:apigateway/requestValidator:RequestValidator"
MODEL = "aws:apigateway/model:Model"
DEPLOYMENT = "aws:apigateway/deployment:Deployment"
STAGE = "aws:apigateway/stage:Stage"
METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"
GATEWAY_RESPONSE = "aws:apigateway/response:Response"
ACCOUNT_SETTINGS = "aws:apigateway/account:Account"
PERMISSION = "aws:lambda/permission:Permission"
INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
USER_POOL = "aws:cognito/userPool:UserPool"
CLIENT = "aws:cognito/userPoolClient:UserPoolClient"
DOMAIN = "aws:cognito/userPoolDomain:UserPoolDomain"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
OAC = "aws:cloudfront/originAccessControl:OriginAccessControl"
HEADERS = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"

ROUTES = {
    ("GET", "/notes"),
    ("POST", "/notes"),
    ("PUT", "/notes/{noteId}"),
    ("DELETE", "/notes/{noteId}"),
    ("POST", "/notes/{noteId}/speech"),
}
PATHS = {path for _, path in ROUTES}


@pytest.fixture(scope="module")
def dev():
    return run_program(stack="dev")


@pytest.fixture(scope="module")
def notes(dev):
    return component(dev, "notes")


def of(run, root, resource_type):
    return within(run, root, resource_type)


def paths_by_id(run, root) -> dict:
    """API Gateway resource id -> its full path."""
    resources = {r.id: r for r in of(run, root, RESOURCE)}
    api = only(of(run, root, "aws:apigateway/restApi:RestApi"))

    def path(resource_id):
        if resource_id == api.outputs["rootResourceId"]:
            return ""
        resource = resources[resource_id]
        return f"{path(resource.inputs['parentId'])}/{resource.inputs['pathPart']}"

    return {resource_id: path(resource_id) for resource_id in resources}


def methods(run, root) -> dict:
    """(HTTP method, path) -> the Method registration."""
    paths = paths_by_id(run, root)
    return {
        (m.inputs["httpMethod"], paths[m.inputs["resourceId"]]): m for m in of(run, root, METHOD)
    }


def test_the_notes_table_is_keyed_by_user_then_note(dev, notes):
    table = only(of(dev, notes, TABLE))
    assert table.inputs["hashKey"] == "UserId"
    assert table.inputs["rangeKey"] == "NoteId"
    assert table.inputs["attributes"] == [
        {"name": "UserId", "type": "S"},
        {"name": "NoteId", "type": "N"},
    ]
    assert table.inputs["billingMode"] == "PAY_PER_REQUEST"
    assert table.inputs["pointInTimeRecovery"] == {"enabled": True}
    assert "streamEnabled" not in table.inputs or table.inputs["streamEnabled"] is False


def test_every_method_but_preflight_needs_a_user_pool_token(dev, notes):
    authorizer = only(of(dev, notes, AUTHORIZER))
    pool = only(of(dev, notes, USER_POOL))
    assert authorizer.inputs["type"] == "COGNITO_USER_POOLS"
    assert authorizer.inputs["providerArns"] == [pool.outputs["arn"]]
    assert authorizer.inputs["identitySource"] == "method.request.header.Authorization"

    declared = methods(dev, notes)
    assert set(declared) == ROUTES | {("OPTIONS", path) for path in PATHS}
    for (http_method, path), method in declared.items():
        if http_method == "OPTIONS":
            assert method.inputs["authorization"] == "NONE", path
            assert "authorizerId" not in method.inputs
        else:
            assert method.inputs["authorization"] == "COGNITO_USER_POOLS", (http_method, path)
            assert method.inputs["authorizerId"] == authorizer.id


def test_request_bodies_are_checked_against_the_seed_model_without_user_id(dev, notes):
    validator = only(of(dev, notes, VALIDATOR))
    assert validator.inputs["validateRequestBody"] is True
    assert validator.inputs["validateRequestParameters"] is True
    models = {m.inputs["name"]: m for m in of(dev, notes, MODEL)}
    assert json.loads(models["NewNote"].inputs["schema"]) == NEW_NOTE
    assert json.loads(models["NoteUpdate"].inputs["schema"]) == NOTE_UPDATE
    # The caller is the token's subject: a body naming a UserId is refused.
    assert "UserId" not in NEW_NOTE["properties"] and NEW_NOTE["additionalProperties"] is False

    declared = methods(dev, notes)
    for route, model in (
        (("POST", "/notes"), "NewNote"),
        (("PUT", "/notes/{noteId}"), "NoteUpdate"),
    ):
        method = declared[route]
        assert method.inputs["requestModels"] == {"application/json": model}
        assert method.inputs["requestValidatorId"] == validator.id
    assert declared[("PUT", "/notes/{noteId}")].inputs["requestParameters"] == {
        "method.request.path.noteId": True
    }
    assert declared[("GET", "/notes")].inputs["requestParameters"] == {
        "method.request.querystring.limit": False,
        "method.request.querystring.nextToken": False,
    }


def test_every_method_reaches_the_function_and_only_its_own_arn_may_invoke_it(dev, notes):
    function = only(of(dev, notes, FUNCTION))
    api = only(of(dev, notes, "aws:apigateway/restApi:RestApi"))
    integrations = of(dev, notes, INTEGRATION)
    assert len(integrations) == len(ROUTES) + len(PATHS)
    for integration in integrations:
        assert integration.inputs["type"] == "AWS_PROXY"
        assert integration.inputs["integrationHttpMethod"] == "POST"
        assert integration.inputs["uri"] == function.outputs["invokeArn"]

    execution = api.outputs["executionArn"]
    expected = {
        f"{execution}/dev/{method}{path.replace('{noteId}', '*')}"
        for method, path in ROUTES | {("OPTIONS", p) for p in PATHS}
    }
    permissions = of(dev, notes, PERMISSION)
    assert {p.inputs["sourceArn"] for p in permissions} == expected
    for permission in permissions:
        assert permission.inputs["principal"] == "apigateway.amazonaws.com"
        assert permission.inputs["function"] == function.outputs["name"]


def test_the_role_may_touch_only_the_notes_table_speech_and_its_audio(dev, notes):
    function = only(of(dev, notes, FUNCTION))
    table = only(of(dev, notes, TABLE))
    buckets = {b.name: b for b in of(dev, notes, BUCKET)}
    audio = buckets["notes-audio"]
    group = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/{function.outputs['name']}"
    role_policy = only([p for p in of(dev, notes, ROLE_POLICY) if p.name == "notes-fn-policy"])
    assert policy(role_policy)["Statement"] == [
        {
            "Sid": "ReadWriteNotes",
            "Effect": "Allow",
            "Action": [
                "dynamodb:DeleteItem",
                "dynamodb:PutItem",
                "dynamodb:Query",
                "dynamodb:UpdateItem",
            ],
            "Resource": [table.outputs["arn"]],
        },
        {
            "Sid": "SynthesizeSpeech",
            "Effect": "Allow",
            "Action": ["polly:SynthesizeSpeech"],
            "Resource": ["*"],
        },
        {
            "Sid": "ReadWriteSpeechAudio",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": [f"{audio.outputs['arn']}/audio/*"],
        },
        {
            "Sid": "WriteOwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [f"{group}:log-stream:*"],
        },
    ]
    # Invoked only synchronously: no dead-letter queue nobody could reach, no async settings.
    assert of(dev, notes, QUEUE) == [] and of(dev, notes, INVOKE_CONFIG) == []


def test_the_function_knows_its_table_bucket_and_the_origins_it_answers(dev, notes):
    function = only(of(dev, notes, FUNCTION))
    site = only(of(dev, notes, DISTRIBUTION))
    variables = function.inputs["environment"]["variables"]
    assert variables == {
        "TABLE_NAME": only(of(dev, notes, TABLE)).outputs["name"],
        "AUDIO_BUCKET": {b.name: b for b in of(dev, notes, BUCKET)}["notes-audio"].outputs[
            "bucket"
        ],
        "AUDIO_PREFIX": "audio/",
        "SPEECH_URL_EXPIRY_SECONDS": "300",
        "VOICE_ID": "Joanna",
        "ALLOWED_ORIGINS": f"https://{site.outputs['domainName']},http://localhost:8000",
    }
    assert function.inputs["handler"] == "handlers.notes_api.handler"
    assert function.inputs["runtime"] == "python3.13"


def test_sign_in_is_code_with_pkce_and_returns_only_to_the_app(dev, notes):
    pool = only(of(dev, notes, USER_POOL))
    assert pool.inputs["usernameAttributes"] == ["email"]
    assert pool.inputs["mfaConfiguration"] == "OPTIONAL"
    assert pool.inputs["softwareTokenMfaConfiguration"] == {"enabled": True}
    password = pool.inputs["passwordPolicy"]
    assert password["minimumLength"] >= 12
    assert all(
        password[k]
        for k in ("requireLowercase", "requireUppercase", "requireNumbers", "requireSymbols")
    )

    client = only(of(dev, notes, CLIENT))
    site = f"https://{only(of(dev, notes, DISTRIBUTION)).outputs['domainName']}/"
    assert client.inputs["generateSecret"] is False
    assert client.inputs["allowedOauthFlows"] == ["code"]
    assert client.inputs["explicitAuthFlows"] == ["ALLOW_REFRESH_TOKEN_AUTH"]
    assert client.inputs["callbackUrls"] == [site, "http://localhost:8000/"]
    assert client.inputs["logoutUrls"] == [site, "http://localhost:8000/"]
    assert client.inputs["preventUserExistenceErrors"] == "ENABLED"
    domain = only(of(dev, notes, DOMAIN))
    assert not any(word in domain.inputs["domain"] for word in ("aws", "amazon", "cognito"))


def test_stage_per_stack_throttled_with_access_logs_and_no_body_logging(dev, notes):
    stage = only(of(dev, notes, STAGE))
    assert stage.inputs["stageName"] == "dev"
    access_logs = [g for g in of(dev, notes, LOG_GROUP) if g.name == "notes-api-access-logs"]
    assert stage.inputs["accessLogSettings"]["destinationArn"] == only(access_logs).outputs["arn"]
    assert "$context.authorizer.claims.sub" in stage.inputs["accessLogSettings"]["format"]
    assert only(access_logs).inputs["retentionInDays"] == 7
    settings = only(of(dev, notes, METHOD_SETTINGS)).inputs
    assert settings["methodPath"] == "*/*"
    assert settings["settings"] == {
        "throttlingRateLimit": 50,
        "throttlingBurstLimit": 100,
        "metricsEnabled": True,
        "loggingLevel": "OFF",
        "dataTraceEnabled": False,
    }
    deployment = only(of(dev, notes, DEPLOYMENT))
    for item in [*of(dev, notes, METHOD), *of(dev, notes, INTEGRATION)]:
        assert item.urn in deployment.dependencies  # deployed only once every route exists
    # dev sets the account's CloudWatch role (a fresh account); prod leaves it to its owner.
    account = only(of(dev, notes, ACCOUNT_SETTINGS))
    (role,) = [r for r in of(dev, notes, "aws:iam/role:Role") if r.name == "notes-api-cloudwatch"]
    assert account.inputs["cloudwatchRoleArn"] == role.outputs["arn"]
    assert json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]["Principal"] == {
        "Service": "apigateway.amazonaws.com"
    }
    statements = policy(
        only([p for p in of(dev, notes, ROLE_POLICY) if p.name == "notes-api-cloudwatch-policy"])
    )["Statement"]
    groups = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:API-Gateway-*"
    assert [(s["Action"], s["Resource"]) for s in statements] == [
        (["logs:CreateLogGroup", "logs:DescribeLogStreams"], [groups]),
        (["logs:CreateLogStream", "logs:PutLogEvents"], [f"{groups}:log-stream:*"]),
        (["logs:DescribeLogGroups"], ["*"]),
    ]
    assert only(access_logs).inputs["name"].startswith("API-Gateway-Access-Logs_")


def test_gateway_errors_are_readable_by_the_site_and_say_what_was_wrong(dev, notes):
    site = f"https://{only(of(dev, notes, DISTRIBUTION)).outputs['domainName']}"
    responses = {r.inputs["responseType"]: r.inputs for r in of(dev, notes, GATEWAY_RESPONSE)}
    assert set(responses) == {
        "DEFAULT_4XX",
        "DEFAULT_5XX",
        "BAD_REQUEST_BODY",
        "BAD_REQUEST_PARAMETERS",
    }
    for response in responses.values():
        headers = response["responseParameters"]
        assert headers["gatewayresponse.header.Access-Control-Allow-Origin"] == f"'{site}'"
    template = responses["BAD_REQUEST_BODY"]["responseTemplates"]["application/json"]
    assert "$context.error.validationErrorString" in template


def test_the_site_is_a_private_bucket_read_only_by_its_distribution(dev, notes):
    distribution = only(of(dev, notes, DISTRIBUTION))
    buckets = {b.name: b for b in of(dev, notes, BUCKET)}
    content = buckets["notes-site-content"]
    (origin,) = distribution.inputs["origins"]
    assert origin["domainName"] == content.outputs["bucketRegionalDomainName"]
    assert origin["originAccessControlId"] == only(of(dev, notes, OAC)).id
    behavior = distribution.inputs["defaultCacheBehavior"]
    assert behavior["viewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["allowedMethods"] == ["GET", "HEAD"]

    site_policy = [
        p for p in of(dev, notes, BUCKET_POLICY) if p.inputs["bucket"] == content.outputs["bucket"]
    ]
    statements = json.loads(only(site_policy).inputs["policy"])["Statement"]
    assert [s["Sid"] for s in statements] == ["DenyInsecureTransport", "AllowCloudFrontRead"]
    assert statements[1]["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert statements[1]["Condition"] == {
        "StringEquals": {"AWS:SourceArn": distribution.outputs["arn"]}
    }
    assert not any(b.inputs.get("website") for b in buckets.values())


def test_the_page_is_uploaded_with_a_config_naming_the_api_and_sign_in(dev, notes):
    objects = {o.inputs["key"]: o for o in of(dev, notes, OBJECT)}
    files = {p.relative_to(SITE_DIR).as_posix() for p in Path(SITE_DIR).rglob("*") if p.is_file()}
    assert set(objects) == files | {"config.js"}
    assert objects["index.html"].inputs["contentType"].startswith("text/html")
    config_js = objects["config.js"].inputs["content"]
    assert config_js.startswith("window.NOTES_CONFIG = ")
    config = json.loads(config_js.removeprefix("window.NOTES_CONFIG = ").rstrip().rstrip(";"))
    stage = only(of(dev, notes, STAGE))
    client = only(of(dev, notes, CLIENT))
    assert config["apiUrl"] == stage.outputs["invokeUrl"]
    assert config["clientId"] == client.id
    assert config["redirectUri"] == client.inputs["callbackUrls"][0]
    assert config["cognitoDomain"].endswith(".auth.us-east-1.amazoncognito.com")


def test_the_pages_content_security_policy_names_exactly_what_it_calls(dev, notes):
    headers = only(of(dev, notes, HEADERS)).inputs["securityHeadersConfig"]
    csp = headers["contentSecurityPolicy"]["contentSecurityPolicy"]
    api = only(of(dev, notes, "aws:apigateway/restApi:RestApi"))
    directives = dict(d.split(" ", 1) for d in csp.split("; "))
    assert directives["script-src"] == "'self'"
    assert (
        f"https://{api.outputs['id']}.execute-api.us-east-1.amazonaws.com"
        in directives["connect-src"]
    )
    assert ".auth.us-east-1.amazoncognito.com" in directives["connect-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert headers["strictTransportSecurity"]["accessControlMaxAgeSec"] >= 31536000


def test_prod_requires_mfa_and_keeps_the_account_settings_alone():
    run = run_program(stack="prod")
    notes = component(run, "notes")
    assert only(of(run, notes, USER_POOL)).inputs["mfaConfiguration"] == "ON"
    assert only(of(run, notes, TABLE)).inputs["name"] == "Notes"
    assert of(run, notes, ACCOUNT_SETTINGS) == []


@pytest.mark.parametrize(
    "values, message",
    [
        ({"mfa": "SMS"}, 'notesApi.mfa: "SMS" is not accepted; expected one of OFF, OPTIONAL, ON'),
        ({"allowedOrigins": ["https://example.com/app"]}, "notesApi.allowedOrigins"),
        ({"allowedOrigins": ["http://example.com"]}, "notesApi.allowedOrigins"),
        ({"authDomainPrefix": "my-aws-notes"}, "notesApi.authDomainPrefix"),
        ({"speechUrlExpirySeconds": 0}, "notesApi.speechUrlExpirySeconds: 0 is not accepted"),
        ({"voiceId": "joanna; rm"}, "notesApi.voiceId"),
        ({"throttle": 5}, "notesApi.throttle: unknown key"),
    ],
)
def test_bad_notes_settings_fail_naming_the_key(values, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run_with(notesApi={"enabled": True, **values})
