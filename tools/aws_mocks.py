"""Pulumi mocks that answer like AWS: physical names, ARNs in AWS's formats for one account and
the region of the resource's provider, stream ARNs for streamed tables, and the provider functions
programs commonly call (see tools.aws_functions).

Any other AWS resource type keeps its inputs as outputs and gets an id and plausible values for
the string outputs its class declares (ARNs, ids, URLs), so programs written by others run too.
A provider function without an answer raises when `strict` (tests: a typo must not pass
silently); otherwise it returns nothing and is listed in `unanswered`, for the offline preview to
report. StackReference outputs are unknown: the preview cannot read another stack.
"""

import hashlib
import importlib
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

import pulumi
from pulumi.output import Unknown
from pulumi.runtime import rpc

from tools import aws_functions
from tools.aws_functions import ACCOUNT_ID, Aws, dns_suffix, stable_hex

STREAM_LABEL = "2026-01-01T00:00:00.000"

# The property holding each type's physical name, which the provider's Check fills in when the
# program leaves it out (Pulumi auto-naming).
NAME_PROPERTY = {"aws:s3/bucket:Bucket": "bucket", "aws:s3/bucketV2:BucketV2": "bucket"}
PROVIDER = "pulumi:providers:aws"

_declared: dict = {}


def declared_string_outputs(resource_type: str) -> tuple:
    """Outputs a pulumi_aws resource class declares as always-present strings (Output[str]).

    Read from the class registered for the type token (pulumi_aws registers them on import);
    empty when it cannot be found.
    """
    if resource_type not in _declared:
        found = _string_outputs(resource_type)
        if not found:
            return ()
        _declared[resource_type] = found
    return _declared[resource_type]


def _string_outputs(resource_type: str) -> tuple:
    try:
        (module,) = rpc._RESOURCE_MODULES[resource_type.rsplit(":", 1)[0]][:1]
        info = module.mod_info  # pyright: ignore[reportAttributeAccessIssue] - pulumi_aws's Module
        cls = getattr(importlib.import_module(info["fqn"]), info["classes"][resource_type])
    except Exception:  # noqa: BLE001 - not a pulumi_aws type, or a different SDK layout
        return ()
    names = []
    for attribute in vars(cls).values():
        getter = attribute.fget if isinstance(attribute, property) else None
        if getter is not None and getter.__annotations__.get("return") == pulumi.Output[str]:
            names.append(getattr(getter, "_pulumi_name", None))
    return tuple(n for n in names if n)


def _with_stand_ins(value):
    """`value` with each unknown replaced by a string, for rules that compute from inputs."""
    if isinstance(value, Unknown):
        return "unknown"
    if isinstance(value, dict):
        return {k: _with_stand_ins(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_stand_ins(v) for v in value]
    return value


def _unknown_marked(value):
    """`value` with each unknown as the engine's unknown sentinel, so it stays unknown."""
    if isinstance(value, Unknown):
        return rpc.UNKNOWN
    if isinstance(value, dict):
        return {k: _unknown_marked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unknown_marked(v) for v in value]
    return value


def auto_name(logical_name: str, lower: bool = False) -> str:
    """Pulumi auto-naming: the logical name plus 7 characters (here stable, from the name)."""
    name = f"{logical_name}-{hashlib.sha256(logical_name.encode()).hexdigest()[:7]}"
    return name.lower() if lower else name


class AwsMocks(pulumi.runtime.Mocks):
    """`unknown_computed`: answer as in a first `pulumi preview`, where every value the provider
    computes (ids, ARNs, URLs) is unknown and only inputs and auto-names are known."""

    def __init__(
        self,
        region: str = "us-east-1",
        account_id: str = ACCOUNT_ID,
        strict: bool = True,
        unknown_computed: bool = False,
    ):
        self.default = Aws(region, account_id)
        self.aws = self.default  # the account and region of the resource being answered
        self.strict = strict
        self.unknown_computed = unknown_computed
        self.unanswered: list = []
        self._provider_regions: dict = {}  # explicit aws.Provider id -> its region
        self._resources: dict = {
            "aws:s3/bucket:Bucket": self._bucket,
            "aws:s3/bucketV2:BucketV2": self._bucket,
            "aws:dynamodb/table:Table": self._table,
            "aws:sqs/queue:Queue": self._queue,
            "aws:iam/role:Role": self._role,
            "aws:iam/rolePolicy:RolePolicy": self._role_policy,
            "aws:cloudwatch/logGroup:LogGroup": self._log_group,
            "aws:lambda/function:Function": self._function,
            "aws:lambda/eventSourceMapping:EventSourceMapping": self._event_source_mapping,
            "aws:apigateway/restApi:RestApi": self._rest_api,
            "aws:apigateway/stage:Stage": self._api_stage,
            "aws:cognito/userPool:UserPool": self._user_pool,
            "aws:cognito/userPoolClient:UserPoolClient": self._user_pool_client,
            "aws:cloudfront/distribution:Distribution": self._distribution,
            "aws:kms/key:Key": self._kms_key,
            "aws:signer/signingProfile:SigningProfile": self._signing_profile,
            "aws:signer/signingJob:SigningJob": self._signing_job,
            "aws:wafv2/webAcl:WebAcl": self._web_acl,
            "aws:acm/certificate:Certificate": self._certificate,
        }

    @property
    def region(self) -> str:
        return self.default.region

    @contextmanager
    def _for_provider(self, provider_reference: str | None, region: Any = None):
        """Answer in the resource's own region (pulumi-aws 7's `region` input), else in the
        region of its explicit provider, if it has one."""
        provider_id = (provider_reference or "").rsplit("::", 1)[-1]
        if not isinstance(region, str) or not region:
            region = self._provider_regions.get(provider_id)
        self.aws = Aws(region, self.default.account_id) if region else self.default
        try:
            yield
        finally:
            self.aws = self.default

    # --- pulumi.runtime.Mocks -------------------------------------------------------------
    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        if args.typ == PROVIDER:
            provider_id = f"{args.name}-provider"
            region = args.inputs.get("region")
            if isinstance(region, str):
                self._provider_regions[provider_id] = region
            return provider_id, dict(args.inputs)
        with self._for_provider(args.provider, args.inputs.get("region")):
            if not self.unknown_computed:
                return self._new_resource(args.typ, args.name, dict(args.inputs))
            # Compute as usual from stand-ins, then keep only what a preview knows: the inputs
            # (unknown ones stay unknown) and the auto-name; the id and computed outputs are not.
            stand_ins = {key: _with_stand_ins(value) for key, value in args.inputs.items()}
            _, state = self._new_resource(args.typ, args.name, stand_ins)
        name = self.checked_inputs(args.typ, state)
        return "", {
            key: _unknown_marked(args.inputs[key])
            if key in args.inputs
            else name.get(key, rpc.UNKNOWN)
            for key in state
        }

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list[tuple[str, str]]]:
        # With no check failures: a list, as MockMonitor iterates it (it cannot take None).
        answer = aws_functions.ANSWERS.get(args.token)
        if answer is None:
            if self.strict:
                raise NotImplementedError(f"no offline answer for provider function {args.token}")
            self.unanswered.append(args.token)
            return {}, []
        with self._for_provider(args.provider):
            return answer(self.aws, args.args), []

    def checked_inputs(self, resource_type: str, state: dict) -> dict:
        """What the provider's Check adds to the inputs: the auto-assigned physical name."""
        if resource_type not in self._resources:
            return {}
        key = NAME_PROPERTY.get(resource_type, "name")
        return {key: state[key]} if key in state else {}

    # --- resources ------------------------------------------------------------------------
    def _new_resource(self, typ: str, name: str, state: dict):
        rule: Callable | None = self._resources.get(typ)
        if rule is not None:
            physical, state = rule(name, state)
            return physical, self._fill_declared_outputs(typ, physical, state)
        if typ == "pulumi:pulumi:StackReference":
            return name, {**state, "outputs": rpc.UNKNOWN, "secretOutputNames": []}
        if not typ.startswith("aws:"):
            return f"{name}-id", state
        if isinstance(state.get("bucket"), str) and typ.startswith("aws:s3/"):
            return state["bucket"], state  # bucket side resources (policy, ...) use its name
        # Any other AWS resource: its inputs, an id, and plausible declared outputs.
        physical = state["name"] if isinstance(state.get("name"), str) else auto_name(name)
        return physical, self._fill_declared_outputs(typ, physical, state)

    def _fill_declared_outputs(self, resource_type: str, physical: str, state: dict) -> dict:
        """Values for the string outputs the type always has and the rules above did not set
        (programs do string work on them: `api.execution_arn.apply(...)`)."""
        if not resource_type.startswith("aws:"):
            return state
        aws = self.aws
        module, kind = resource_type.split(":")[1].split("/")
        for output in declared_string_outputs(resource_type):
            if output in state:
                continue
            value = aws.special_output(module, kind, output, physical)
            if value is None:
                if output == "name":
                    value = physical
                elif output == "region":
                    value = aws.region
                elif output.lower().endswith("arn"):
                    value = aws.resource_arn(module, kind, physical)
                elif output == "id" or output.endswith("Id"):
                    value = hashlib.sha256(f"{physical}/{output}".encode()).hexdigest()[:10]
                elif output.endswith("Url"):
                    value = f"https://{aws.host(physical, module)}/"
                elif output.endswith(("Endpoint", "DomainName", "Hostname")):
                    value = aws.host(physical, module)
            # Anything else (a policy, a description, a date) is left out: a made-up value
            # would be checked as if the program had set it.
            if value is not None:
                state[output] = value
        return state

    def _bucket(self, name, state):
        bucket = state.get("bucket") or auto_name(name, lower=True)
        suffix = dns_suffix(self.aws.partition)
        state.update(
            bucket=bucket,
            arn=self.aws.arn("s3", bucket, region=False, account=False),
            bucketDomainName=f"{bucket}.s3.{suffix}",
            bucketRegionalDomainName=f"{bucket}.s3.{self.aws.region}.{suffix}",
            region=self.aws.region,
            hostedZoneId="Z3AQBSTGFYJSTF",
        )
        return bucket, state

    def _table(self, name, state):
        table = state.get("name") or auto_name(name)
        arn = self.aws.arn("dynamodb", f"table/{table}")
        state.update(name=table, arn=arn)
        if state.get("streamEnabled"):
            state.update(streamArn=f"{arn}/stream/{STREAM_LABEL}", streamLabel=STREAM_LABEL)
        return table, state

    def _queue(self, name, state):
        queue = state.get("name") or auto_name(name) + (".fifo" if state.get("fifoQueue") else "")
        url = f"https://sqs.{self.aws.region}.{dns_suffix(self.aws.partition)}/{self.aws.account_id}/{queue}"
        state.update(name=queue, arn=self.aws.arn("sqs", queue), url=url)
        return url, state

    def _role(self, name, state):
        role = state.get("name") or auto_name(name)
        path = state.get("path") or "/"
        state.update(
            name=role,
            path=path,
            arn=self.aws.arn("iam", f"role{path}{role}", region=False),
            uniqueId="AROA" + hashlib.sha256(role.encode()).hexdigest()[:17].upper(),
        )
        return role, state

    def _role_policy(self, name, state):
        policy = state.get("name") or auto_name(name)
        state.update(name=policy)
        return f"{state.get('role')}:{policy}", state

    def _log_group(self, name, state):
        group = state.get("name") or auto_name(name)
        state.update(name=group, arn=self.aws.arn("logs", f"log-group:{group}"))
        return group, state

    def _function(self, name, state):
        function = state.get("name") or auto_name(name)
        arn = self.aws.arn("lambda", f"function:{function}")
        state.update(
            name=function,
            arn=arn,
            qualifiedArn=f"{arn}:$LATEST",
            version="$LATEST",
            invokeArn=(
                f"arn:{self.aws.partition}:apigateway:{self.aws.region}:lambda:path/2015-03-31/"
                f"functions/{arn}/invocations"
            ),
        )
        return function, state

    def _event_source_mapping(self, name, state):
        uuid = _uuid(name)
        function = state.get("functionName", "")
        state.update(
            uuid=uuid,
            arn=self.aws.arn("lambda", f"event-source-mapping:{uuid}"),
            functionArn=function
            if function.startswith("arn:")
            else self.aws.arn("lambda", f"function:{function}"),
            state="Enabled",
        )
        return uuid, state

    def _rest_api(self, name, state):
        api_id = stable_hex(auto_name(name), length=10)
        state.update(
            id=api_id,
            rootResourceId=stable_hex(api_id, "/", length=10),
            arn=f"arn:{self.aws.partition}:apigateway:{self.aws.region}::/restapis/{api_id}",
            executionArn=self.aws.arn("execute-api", api_id),
        )
        return api_id, state

    def _api_stage(self, name, state):
        api, stage = state.get("restApi", ""), state.get("stageName", "")
        host = f"{api}.execute-api.{self.aws.region}.{dns_suffix(self.aws.partition)}"
        state.update(
            invokeUrl=f"https://{host}/{stage}",
            executionArn=f"{self.aws.arn('execute-api', api)}/{stage}",
            arn=f"arn:{self.aws.partition}:apigateway:{self.aws.region}::/restapis/{api}/stages/{stage}",
        )
        return f"ags-{api}-{stage}", state

    def _user_pool(self, name, state):
        pool_id = f"{self.aws.region}_{stable_hex(name, length=9)}"
        state.update(
            id=pool_id,
            arn=self.aws.arn("cognito-idp", f"userpool/{pool_id}"),
            endpoint=f"cognito-idp.{self.aws.region}.amazonaws.com/{pool_id}",
            name=state.get("name") or auto_name(name),
        )
        return pool_id, state

    def _user_pool_client(self, name, state):
        client_id = stable_hex(name, length=26)
        state.update(id=client_id, name=state.get("name") or auto_name(name))
        return client_id, state

    def _distribution(self, name, state):
        distribution_id = "E" + stable_hex(name, length=13).upper()
        state.update(
            id=distribution_id,
            arn=f"arn:{self.aws.partition}:cloudfront::{self.aws.account_id}:distribution/{distribution_id}",
            domainName=f"d{stable_hex(name, length=13)}.cloudfront.net",
            hostedZoneId="Z2FDTNDATAQYW2",
            status="Deployed",
        )
        return distribution_id, state

    def _kms_key(self, name, state):
        key_id = _uuid(name)
        state.update(keyId=key_id, arn=self.aws.arn("kms", f"key/{key_id}"))
        return key_id, state

    def _signing_profile(self, name, state):
        # Signer names are letters, digits and underscores.
        profile = state.get("name") or (state.get("namePrefix") or "") + stable_hex(name, length=10)
        arn = self.aws.arn("signer", f"/signing-profiles/{profile}")
        version = stable_hex(profile, length=10)
        state.update(name=profile, arn=arn, version=version, versionArn=f"{arn}/{version}")
        return profile, state

    def _signing_job(self, name, state):
        job_id = _uuid(name)
        destination = (state.get("destination") or {}).get("s3") or {}
        key = f"{destination.get('prefix') or ''}{job_id}.zip"
        state.update(
            jobId=job_id,
            status="Succeeded",
            signedObjects=[{"s3s": [{"bucket": destination.get("bucket"), "key": key}]}],
        )
        return job_id, state

    def _web_acl(self, name, state):
        acl = state.get("name") or auto_name(name)
        acl_id = _uuid(acl)
        scope = "global" if state.get("scope") == "CLOUDFRONT" else "regional"
        state.update(
            name=acl, id=acl_id, arn=self.aws.arn("wafv2", f"{scope}/webacl/{acl}/{acl_id}")
        )
        return acl_id, state

    def _certificate(self, name, state):
        certificate_id = _uuid(name)
        domain = state.get("domainName") or "example.com"
        token = stable_hex(certificate_id, length=32)
        state.update(
            arn=self.aws.arn("acm", f"certificate/{certificate_id}"),
            status="PENDING_VALIDATION",
            domainValidationOptions=[
                {
                    "domainName": domain,
                    "resourceRecordName": f"_{token}.{domain}.",
                    "resourceRecordType": "CNAME",
                    "resourceRecordValue": f"_{token[::-1]}.acm-validations.aws.",
                }
            ],
        )
        return state["arn"], state


def _uuid(seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
