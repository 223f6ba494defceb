"""API Gateway (REST, v1) for the sandbox: the API a stack declares, answering requests in process
as API Gateway would before and after its Lambda proxy integration.

moto can store REST APIs but not run a Cognito authorizer, a request validator or a proxy
integration into a function it cannot start; so the sandbox records what the program declares
(resources, methods, authorizers, models, validators, integrations, stages, gateway responses)
and plays the gateway itself:

- a path and method no resource declares: 403 "Missing Authentication Token", as API Gateway;
- COGNITO_USER_POOLS methods: the caller must be a user of one of the authorizer's pools (the
  sandbox signs in as that user: it takes the claims from the emulator's user pool, it does not
  check a JWT's signature), else 401 "Unauthorized";
- the request validator: required path and query parameters, and the body against the method's
  model (JSON Schema draft 4), else 400 with what was wrong;
- the integration: the function's resource policy must let apigateway.amazonaws.com invoke it for
  this method and path (else 500, as API Gateway's "Invalid permissions on Lambda function"); the
  function gets the proxy event (payload 1.0) and its answer must be a proxy response (else 502);
- errors the gateway answers itself carry the headers and body of the API's gateway responses.
Throttling and the stage's access log are not emulated.
"""

import datetime
import json
import re
import threading
import uuid
from dataclasses import dataclass, field

import jsonschema

GATEWAY_TYPES = {
    "aws:apigateway/restApi:RestApi": "rest_api",
    "aws:apigateway/resource:Resource": "resource",
    "aws:apigateway/method:Method": "method",
    "aws:apigateway/integration:Integration": "integration",
    "aws:apigateway/authorizer:Authorizer": "authorizer",
    "aws:apigateway/model:Model": "model",
    "aws:apigateway/requestValidator:RequestValidator": "validator",
    "aws:apigateway/deployment:Deployment": "deployment",
    "aws:apigateway/stage:Stage": "stage",
    "aws:apigateway/response:Response": "response",
}


@dataclass
class RestApi:
    id: str
    execution_arn: str
    root: str
    resources: dict = field(default_factory=dict)  # id -> (parent id, path part)
    methods: dict = field(default_factory=dict)  # (resource id, METHOD) -> inputs
    integrations: dict = field(default_factory=dict)  # (resource id, METHOD) -> function name
    authorizers: dict = field(default_factory=dict)  # id -> inputs
    models: dict = field(default_factory=dict)  # name -> schema
    validators: dict = field(default_factory=dict)  # id -> inputs
    stages: dict = field(default_factory=dict)  # name -> invoke URL
    responses: dict = field(default_factory=dict)  # type -> inputs

    def path_of(self, resource_id: str) -> str:
        if resource_id == self.root:
            return "/"
        parent, part = self.resources[resource_id]
        return f"{self.path_of(parent).rstrip('/')}/{part}"


class Recorder:
    """Records the API Gateway resources a program registers (the sandbox's deployment step)."""

    def __init__(self, deployment):  # tools.sandbox.deployment.Deployment
        self.deployment = deployment
        self.apis: dict = {}  # id -> RestApi
        self._lock = threading.Lock()

    def record(self, kind: str, physical: str, state: dict, inputs: dict) -> None:
        with self._lock:
            getattr(self, f"_{kind}")(physical, state, inputs)

    def _rest_api(self, physical, state, inputs):
        self.apis[physical] = RestApi(physical, state["executionArn"], state["rootResourceId"])

    def _resource(self, physical, state, inputs):
        self.apis[inputs["restApi"]].resources[physical] = (inputs["parentId"], inputs["pathPart"])

    def _method(self, physical, state, inputs):
        key = (inputs["resourceId"], inputs["httpMethod"])
        self.apis[inputs["restApi"]].methods[key] = inputs

    def _integration(self, physical, state, inputs):
        if inputs.get("type") != "AWS_PROXY":
            raise ValueError(f"integration type {inputs.get('type')}: only AWS_PROXY is emulated")
        # arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations
        found = re.search(r"/functions/(.+)/invocations$", inputs["uri"])
        if found is None:
            raise ValueError(f"integration URI {inputs['uri']}: only Lambda functions are emulated")
        function = self.deployment.function_by_arn(found.group(1))
        self.apis[inputs["restApi"]].integrations[(inputs["resourceId"], inputs["httpMethod"])] = (
            function.name
        )

    def _authorizer(self, physical, state, inputs):
        self.apis[inputs["restApi"]].authorizers[physical] = inputs

    def _model(self, physical, state, inputs):
        self.apis[inputs["restApi"]].models[inputs["name"]] = json.loads(inputs["schema"])

    def _validator(self, physical, state, inputs):
        self.apis[inputs["restApi"]].validators[physical] = inputs

    def _deployment(self, physical, state, inputs):
        pass  # a stage serves what was declared; redeployments are not modelled

    def _stage(self, physical, state, inputs):
        self.apis[inputs["restApi"]].stages[inputs["stageName"]] = state["invokeUrl"]

    def _response(self, physical, state, inputs):
        self.apis[inputs["restApiId"]].responses[inputs["responseType"]] = inputs


@dataclass
class HttpResponse:
    status: int
    headers: dict
    body: str

    def json(self):
        return json.loads(self.body) if self.body else None


class ApiClient:
    """Requests to one stage of a REST API, as a browser or `curl` would send them."""

    def __init__(self, api: RestApi, stage: str, sandbox):
        self.api, self.stage, self.sandbox = api, stage, sandbox

    def request(
        self,
        method: str,
        path: str,
        user: dict | None = None,  # a user of the sandbox's user pools (Sandbox.sign_up)
        body=None,  # a dict/list (sent as JSON) or text
        query: dict | None = None,
        headers: dict | None = None,
    ) -> HttpResponse:
        headers = dict(headers or {})
        if body is not None and not isinstance(body, str):
            body = json.dumps(body)
            headers.setdefault("Content-Type", "application/json")
        if user is not None:
            headers["Authorization"] = user["token"]
        found = self._match(method.upper(), path)
        if found is None:
            return self._gateway_error(
                403, "MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token"
            )
        resource_id, template, parameters, spec = found
        claims = None
        if spec.get("authorization") == "COGNITO_USER_POOLS":
            claims = self._authorize(spec, headers.get("Authorization"))
            if claims is None:
                return self._gateway_error(401, "UNAUTHORIZED", "Unauthorized")
        problem = self._validate(spec, parameters, query or {}, body)
        if problem:
            return self._gateway_error(400, problem[0], problem[1])
        function_name = self.api.integrations.get((resource_id, method.upper()))
        if function_name is None:
            return self._gateway_error(500, "DEFAULT_5XX", "Internal server error")
        source_arn = f"{self.api.execution_arn}/{self.stage}/{method.upper()}{path}"
        function = self.sandbox.deployment.functions[function_name]
        if not function.may_be_invoked_by("apigateway.amazonaws.com", source_arn):
            self.sandbox.journal.add(
                "problem", function_name, f"API Gateway may not invoke it for {source_arn}"
            )
            return self._gateway_error(500, "DEFAULT_5XX", "Internal server error")
        event = self._event(
            method.upper(), path, template, parameters, query, headers, body, claims
        )
        request_id = event["requestContext"]["requestId"]
        invocation = self.sandbox.invoke(function_name, event)
        outcome = "ok" if invocation.ok else "failed"
        self.sandbox.journal.add(
            "invoke",
            function_name,
            f"{method.upper()} {path}: {outcome}",
            request_id=invocation.request_id,
        )
        answer = self._proxy_response(invocation)
        answer.headers["x-amzn-RequestId"] = request_id  # as API Gateway sends it
        return answer

    # --- routing, authorization, validation ---------------------------------------------------
    def _match(self, method: str, path: str):
        parts = [p for p in path.split("?")[0].split("/") if p]
        for resource_id in [self.api.root, *self.api.resources]:
            template = self.api.path_of(resource_id)
            names = [p for p in template.split("/") if p]
            if len(names) != len(parts):
                continue
            parameters = {}
            for name, part in zip(names, parts, strict=True):
                if name.startswith("{"):
                    parameters[name[1:-1]] = part
                elif name != part:
                    break
            else:
                spec = self.api.methods.get((resource_id, method))
                if spec is not None:
                    return resource_id, template, parameters, spec
        return None

    def _authorize(self, spec: dict, token: str | None) -> dict | None:
        authorizer = self.api.authorizers.get(spec.get("authorizerId"), {})
        user = self.sandbox.users.get(token or "")
        if user is None or user["pool_arn"] not in authorizer.get("providerArns", []):
            return None
        return user["claims"]

    def _validate(self, spec: dict, parameters: dict, query: dict, body) -> tuple | None:
        validator = self.api.validators.get(spec.get("requestValidatorId"))
        if not validator:
            return None
        if validator.get("validateRequestParameters"):
            missing = [
                name.rsplit(".", 1)[-1]
                for name, required in (spec.get("requestParameters") or {}).items()
                if required
                and not (parameters if ".path." in name else query).get(name.rsplit(".", 1)[-1])
            ]
            if missing:
                return (
                    "BAD_REQUEST_PARAMETERS",
                    f"Missing required request parameters: [{', '.join(missing)}]",
                )
        model_name = (spec.get("requestModels") or {}).get("application/json")
        if validator.get("validateRequestBody") and model_name:
            try:
                document = json.loads(body) if body else None
            except ValueError:
                return "BAD_REQUEST_BODY", "Invalid request body"
            errors = sorted(
                jsonschema.Draft4Validator(self.api.models[model_name]).iter_errors(document),
                key=lambda e: list(e.path),
            )
            if errors:
                return "BAD_REQUEST_BODY", "[" + ", ".join(e.message for e in errors) + "]"
        return None

    # --- the proxy integration ------------------------------------------------------------------
    def _event(self, method, path, template, parameters, query, headers, body, claims) -> dict:
        now = datetime.datetime.now(datetime.UTC)
        account = self.api.execution_arn.split(":")[4]
        context = {
            "accountId": account,
            "apiId": self.api.id,
            "domainName": f"{self.api.id}.execute-api.sandbox",
            "httpMethod": method,
            "path": f"/{self.stage}{path}",
            "protocol": "HTTP/1.1",
            "requestId": str(uuid.uuid4()),
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "resourceId": template,
            "resourcePath": template,
            "stage": self.stage,
            "identity": {"sourceIp": "127.0.0.1", "userAgent": headers.get("User-Agent")},
        }
        if claims is not None:
            context["authorizer"] = {"claims": claims}
        return {
            "resource": template,
            "path": path,
            "httpMethod": method,
            "headers": headers or None,
            "multiValueHeaders": {k: [v] for k, v in headers.items()} or None,
            "queryStringParameters": query or None,
            "multiValueQueryStringParameters": {k: [v] for k, v in (query or {}).items()} or None,
            "pathParameters": parameters or None,
            "stageVariables": None,
            "requestContext": context,
            "body": body,
            "isBase64Encoded": False,
        }

    def _proxy_response(self, invocation) -> HttpResponse:
        result = invocation.result if invocation.ok else None
        if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
            return self._gateway_error(502, "DEFAULT_5XX", "Internal server error")
        headers = dict(result.get("headers") or {})
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers[name] = ",".join(values)
        return HttpResponse(result["statusCode"], headers, result.get("body") or "")

    def _gateway_error(self, status: int, response_type: str, message: str) -> HttpResponse:
        """API Gateway's own answer, shaped by the API's gateway response of that type (or of
        DEFAULT_4XX/5XX)."""
        default = "DEFAULT_4XX" if status < 500 else "DEFAULT_5XX"
        response = self.api.responses.get(response_type) or self.api.responses.get(default) or {}
        headers = {"Content-Type": "application/json"}
        for name, value in (response.get("responseParameters") or {}).items():
            headers[name.rsplit(".", 1)[-1]] = value.strip("'")
        template = (response.get("responseTemplates") or {}).get("application/json")
        if template:
            body = template.replace(
                "$context.error.validationErrorString", message.replace('"', "'")
            )
            body = body.replace("$context.error.messageString", json.dumps(message))
        else:
            body = json.dumps({"message": message})
        return HttpResponse(status, headers, body)
