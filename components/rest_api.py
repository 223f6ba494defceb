"""LambdaRestApi: a REST API (API Gateway v1) whose routes all reach one Lambda function, each
behind a Cognito user-pool authorizer, with safe defaults:

    client ──HTTPS──> stage <stack> (throttled, JSON access log with retention)
        ── method (Cognito authorizer; body checked against its model by a request validator)
        ── AWS_PROXY integration ──> function (invocable by this API, for this method and path only)

- Every method needs a valid user-pool token, except OPTIONS: a CORS preflight carries no token.
  Preflights reach the function too, so that it can answer for any of several allowed origins.
- Errors API Gateway answers itself (401 without a token, 429 when throttled, a body failing its
  model) carry the CORS headers of the site's origin, so the page can read them.
- Execution logging (which can log request bodies) stays off; access logs say who called what.
"""

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .args import (
    THROTTLING_BURST_LIMITS,
    THROTTLING_RATE_LIMITS,
    read_custom_domain,
    read_retention,
)
from .checks import Section, check_args
from .custom_domain import alias_records, validated_certificate
from .policies import allow, document, service_trust_policy
from .protection import Protection

ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "requestTime": "$context.requestTime",
        "ip": "$context.identity.sourceIp",
        "user": "$context.authorizer.claims.sub",
        "method": "$context.httpMethod",
        "path": "$context.resourcePath",
        "status": "$context.status",
        "responseLength": "$context.responseLength",
        "latencyMs": "$context.responseLatency",
        "integrationStatus": "$context.integration.status",
        "error": "$context.error.message",
    },
    separators=(",", ":"),
)
# Gateway responses that reach the page (and so need CORS headers to be readable there), with
# the body of those that can say what was wrong with the request.
GATEWAY_RESPONSES = {
    "DEFAULT_4XX": None,
    "DEFAULT_5XX": None,
    "BAD_REQUEST_BODY": '{"message": "$context.error.validationErrorString"}',
    "BAD_REQUEST_PARAMETERS": '{"message": "$context.error.validationErrorString"}',
}
CORS_HEADERS = "Authorization,Content-Type"
STAGE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,128}$")  # API Gateway's rule


@dataclass(frozen=True)
class Route:
    method: str  # GET, POST, PUT, DELETE
    path: str  # /notes/{noteId}
    body_schema: dict | None = None  # JSON schema (draft 4) the request body must match
    query_parameters: tuple = ()  # optional query string parameters


@dataclass
class RestApiArgs:
    user_pool_arn: pulumi.Input[str]
    stage_name: str
    throttling_rate_limit: int
    throttling_burst_limit: int
    log_retention_days: int
    set_account_cloudwatch_role: bool = False
    description: str = ""
    tags: dict = field(default_factory=dict)
    # The stack's key (access log group), tracing, and web ACL (associated with the stage).
    protection: Protection = field(default_factory=Protection)
    # A domain of yours (TLS 1.2), with its regional certificate given or created and validated
    # in `zone_id`, which then also gets the alias records; the execute-api endpoint is then off.
    domain: str | None = None
    certificate_arn: pulumi.Input[str] | None = None
    zone_id: str | None = None

    def __post_init__(self):
        check_args(self, self._check, inputs=("user_pool_arn", "certificate_arn"))

    def _check(self, section: Section) -> None:
        section.text(
            "stage_name", None, "1-128 characters of A-Z, a-z, 0-9, '-' and '_'", STAGE_NAME.match
        )
        section.integer("throttling_rate_limit", None, *THROTTLING_RATE_LIMITS)
        section.integer("throttling_burst_limit", None, *THROTTLING_BURST_LIMITS)
        read_retention(section)
        section.boolean("set_account_cloudwatch_role", False)
        # The certificate's region is its provider's, which a building block does not know:
        # NotesApi checks it against the stack's.
        read_custom_domain(section, None, self.certificate_arn is not None)


def _logical(path: str) -> str:
    return path.strip("/").replace("/", "-").replace("{", "").replace("}", "") or "root"


class LambdaRestApi(pulumi.ComponentResource):
    def __init__(self, name: str, args: RestApiArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("event-pipelines:index:LambdaRestApi", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self._name, self._args, self._child = name, args, child

        self.api = aws.apigateway.RestApi(
            name,
            description=args.description,
            endpoint_configuration={"types": "REGIONAL"},
            # The default execute-api endpoint takes TLS 1.2 or later (its default, TLS_1_0, also
            # takes 1.0 and 1.1); with a domain of its own, that endpoint is closed altogether.
            security_policy="TLS_1_2",
            disable_execute_api_endpoint=bool(args.domain),
            opts=child,
        )
        self.authorizer = aws.apigateway.Authorizer(
            f"{name}-cognito",
            rest_api=self.api.id,
            type="COGNITO_USER_POOLS",
            provider_arns=[args.user_pool_arn],
            identity_source="method.request.header.Authorization",
            opts=child,
        )
        self.validator = aws.apigateway.RequestValidator(
            f"{name}-validator",
            rest_api=self.api.id,
            validate_request_body=True,
            validate_request_parameters=True,
            opts=child,
        )
        partition = aws.get_partition_output()
        region = aws.get_region_output().region
        # Where the API answers, known before its routes (a page's CSP names it).
        self.origin = (
            pulumi.Output.from_input(f"https://{args.domain}")
            if args.domain
            else pulumi.Output.concat(
                "https://", self.api.id, ".execute-api.", region, ".", partition.dns_suffix
            )
        )
        self._resources: dict = {"/": self.api.root_resource_id}
        self.methods: dict = {}  # (method, path) -> aws.apigateway.Method
        self.url = None

    def serve(
        self, function, routes: Sequence[Route], site_origin: pulumi.Input[str]
    ) -> pulumi.Output:
        """Route `routes` (and their CORS preflights) to `function`, deploy, and return the URL of
        the stage. Called once, after the function exists. `site_origin` gets the CORS headers
        of the errors API Gateway answers itself."""
        self._function = function
        deployed = []  # what a deployment must include (and be redone for when it changes)
        for route in routes:
            deployed += self._route(route)
        for path in sorted({r.path for r in routes}):
            deployed += self._preflight(path)
        deployed += self._gateway_responses(site_origin)

        fingerprint = hashlib.sha256(
            json.dumps(
                [[r.method, r.path, r.body_schema, r.query_parameters] for r in routes],
                sort_keys=True,
            ).encode()
        ).hexdigest()
        self.deployment = aws.apigateway.Deployment(
            f"{self._name}-deployment",
            rest_api=self.api.id,
            description=f"routes {fingerprint[:12]}",
            triggers={"routes": fingerprint},
            opts=pulumi.ResourceOptions(parent=self, depends_on=deployed),
        )
        self.stage = self._stage()
        self.url = self._custom_domain() if self._args.domain else self.stage.invoke_url
        self.register_outputs({"url": self.url, "restApiId": self.api.id})
        return self.url

    # --- paths and methods ----------------------------------------------------------------------
    def _resource(self, path: str) -> pulumi.Output:
        if path not in self._resources:
            parent, _, part = path.rpartition("/")
            resource = aws.apigateway.Resource(
                f"{self._name}-{_logical(path)}",
                rest_api=self.api.id,
                parent_id=self._resource(parent or "/"),
                path_part=part,
                opts=self._child,
            )
            self._resources[path] = resource.id
        return self._resources[path]

    def _path_parameters(self, path: str) -> dict:
        names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
        return {f"method.request.path.{name}": True for name in names}

    def _route(self, route: Route) -> list:
        name = f"{self._name}-{route.method.lower()}-{_logical(route.path)}"
        parameters = self._path_parameters(route.path)
        parameters.update(
            {f"method.request.querystring.{q}": False for q in route.query_parameters}
        )
        models = None
        created = []
        if route.body_schema is not None:
            model = aws.apigateway.Model(
                f"{name}-model",
                rest_api=self.api.id,
                name=route.body_schema["title"],
                content_type="application/json",
                schema=json.dumps(route.body_schema),
                opts=self._child,
            )
            models = {"application/json": model.name}
            created.append(model)
        method = aws.apigateway.Method(
            name,
            rest_api=self.api.id,
            resource_id=self._resource(route.path),
            http_method=route.method,
            authorization="COGNITO_USER_POOLS",
            authorizer_id=self.authorizer.id,
            request_validator_id=self.validator.id,
            request_models=models,
            request_parameters=parameters or None,
            opts=self._child,
        )
        self.methods[(route.method, route.path)] = method
        return [*created, method, *self._integrate(name, route.method, route.path, method)]

    def _preflight(self, path: str) -> list:
        name = f"{self._name}-options-{_logical(path)}"
        method = aws.apigateway.Method(
            name,
            rest_api=self.api.id,
            resource_id=self._resource(path),
            http_method="OPTIONS",
            authorization="NONE",  # a preflight carries no token
            opts=self._child,
        )
        self.methods[("OPTIONS", path)] = method
        return [method, *self._integrate(name, "OPTIONS", path, method)]

    def _integrate(self, name: str, http_method: str, path: str, method) -> list:
        function = self._function
        integration = aws.apigateway.Integration(
            f"{name}-integration",
            rest_api=self.api.id,
            resource_id=method.resource_id,
            http_method=method.http_method,
            type="AWS_PROXY",
            integration_http_method="POST",
            uri=function.function.invoke_arn,
            opts=self._child,
        )
        # execute-api ARNs: <api>/<stage>/<METHOD>/<path>, path parameters matched by "*".
        resource_path = "/".join("*" if p.startswith("{") else p for p in path.split("/"))
        permission = aws.lambda_.Permission(
            f"{name}-invoke",
            action="lambda:InvokeFunction",
            function=function.function.name,
            principal="apigateway.amazonaws.com",
            source_arn=pulumi.Output.concat(
                self.api.execution_arn, "/", self._args.stage_name, "/", http_method, resource_path
            ),
            opts=self._child,
        )
        return [integration, permission]

    def _gateway_responses(self, site_origin) -> list:
        origin = pulumi.Output.concat("'", site_origin, "'")
        return [
            aws.apigateway.Response(
                f"{self._name}-{response_type.lower().replace('_', '-')}",
                rest_api_id=self.api.id,
                response_type=response_type,
                response_parameters={
                    "gatewayresponse.header.Access-Control-Allow-Origin": origin,
                    "gatewayresponse.header.Access-Control-Allow-Headers": f"'{CORS_HEADERS}'",
                    "gatewayresponse.header.Vary": "'Origin'",
                },
                response_templates={"application/json": template} if template else None,
                opts=self._child,
            )
            for response_type, template in GATEWAY_RESPONSES.items()
        ]

    # --- the stage ------------------------------------------------------------------------------
    def _stage(self) -> aws.apigateway.Stage:
        args = self._args
        log_group = aws.cloudwatch.LogGroup(
            f"{self._name}-access-logs",
            # Within the account role's reach, which is limited to "API-Gateway-*" groups.
            name=pulumi.Output.concat(
                "API-Gateway-Access-Logs_", self.api.id, "/", args.stage_name
            ),
            retention_in_days=args.log_retention_days,
            kms_key_id=args.protection.kms_key_arn,
            opts=self._child,
        )
        depends_on: list[pulumi.Resource] = [log_group]
        if args.set_account_cloudwatch_role:
            depends_on.append(self._account_cloudwatch_role())
        stage = aws.apigateway.Stage(
            f"{self._name}-stage",
            rest_api=self.api.id,
            deployment=self.deployment.id,
            stage_name=args.stage_name,
            access_log_settings={
                "destination_arn": log_group.arn,
                "format": ACCESS_LOG_FORMAT,
            },
            tags=args.tags or None,
            xray_tracing_enabled=args.protection.tracing,
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on),
        )
        if args.protection.regional_web_acl is not None:
            args.protection.regional_web_acl.protect(f"{self._name}-web-acl", stage.arn)
        aws.apigateway.MethodSettings(
            f"{self._name}-throttling",
            rest_api=self.api.id,
            stage_name=stage.stage_name,
            method_path="*/*",
            settings={
                "throttling_rate_limit": args.throttling_rate_limit,
                "throttling_burst_limit": args.throttling_burst_limit,
                "metrics_enabled": True,
                "logging_level": "OFF",
                "data_trace_enabled": False,
            },
            opts=self._child,
        )
        return stage

    def _custom_domain(self) -> pulumi.Output[str]:
        """The API at the root of its own domain, TLS 1.2 or later; its URL."""
        args = self._args
        assert args.domain
        certificate = args.certificate_arn
        if certificate is None:
            assert args.zone_id, "a domain needs a certificate or a zone to make one in"
            certificate = validated_certificate(
                f"{self._name}-certificate", args.domain, args.zone_id, opts=self._child
            )
        domain = aws.apigateway.DomainName(
            f"{self._name}-domain",
            domain_name=args.domain,
            regional_certificate_arn=certificate,
            endpoint_configuration={"types": "REGIONAL"},
            security_policy="TLS_1_2",
            opts=self._child,
        )
        aws.apigateway.BasePathMapping(
            f"{self._name}-mapping",
            rest_api=self.api.id,
            stage_name=self.stage.stage_name,
            domain_name=domain.domain_name,
            opts=self._child,
        )
        if args.zone_id:
            alias_records(
                f"{self._name}-dns",
                args.zone_id,
                args.domain,
                domain.regional_domain_name,
                domain.regional_zone_id,
                self._child,
            )
        return pulumi.Output.from_input(f"https://{args.domain}/")

    def _account_cloudwatch_role(self) -> aws.apigateway.Account:
        """API Gateway's account-wide (per region) role for writing logs, with an inline policy
        limited to the log groups API Gateway names itself (`API-Gateway-...`) rather than AWS's
        managed AmazonAPIGatewayPushToCloudWatchLogs, which allows every log group."""
        role = aws.iam.Role(
            f"{self._name}-cloudwatch",
            assume_role_policy=service_trust_policy("apigateway.amazonaws.com"),
            description="API Gateway writes its access and execution logs with this role",
            opts=self._child,
        )
        partition = aws.get_partition_output().partition
        region = aws.get_region_output().region
        account = aws.get_caller_identity_output().account_id
        groups = pulumi.Output.concat(
            "arn:", partition, ":logs:", region, ":", account, ":log-group:API-Gateway-*"
        )
        policy = aws.iam.RolePolicy(
            f"{self._name}-cloudwatch-policy",
            role=role.id,
            policy=document(
                [
                    allow(
                        "ApiGatewayLogGroups",
                        ["logs:CreateLogGroup", "logs:DescribeLogStreams"],
                        [groups],
                    ),
                    allow(
                        "ApiGatewayLogStreams",
                        ["logs:CreateLogStream", "logs:PutLogEvents"],
                        [pulumi.Output.concat(groups, ":log-stream:*")],
                    ),
                    # DescribeLogGroups only accepts "*".
                    allow("ListLogGroups", ["logs:DescribeLogGroups"], ["*"]),
                ]
            ),
            opts=self._child,
        )
        return aws.apigateway.Account(
            f"{self._name}-account",
            cloudwatch_role_arn=role.arn,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
