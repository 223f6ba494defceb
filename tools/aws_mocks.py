"""Pulumi mocks that answer like AWS: physical names, ARNs in AWS's formats for one account and
region, stream ARNs for streamed tables, and the provider functions programs commonly call
(get_policy_document rendered as the provider renders it, caller identity, region, partition,
availability zones).

Any other AWS resource type keeps its inputs as outputs and gets an id and an ARN of the usual
shape, so programs written by others run too. A provider function without an answer raises when
`strict` (tests: a typo must not pass silently); otherwise it returns nothing and is listed in
`unanswered`, for the offline preview to report.
"""

import hashlib
import importlib
from collections.abc import Callable

import pulumi
from pulumi.output import Unknown
from pulumi.runtime import rpc

from tools.policy_document import render as render_policy_document

ACCOUNT_ID = "123456789012"
STREAM_LABEL = "2026-01-01T00:00:00.000"


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def dns_suffix(partition: str) -> str:
    return {"aws-cn": "amazonaws.com.cn"}.get(partition, "amazonaws.com")


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
        info = module.mod_info
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


# The property holding each type's physical name, which the provider's Check fills in when the
# program leaves it out (Pulumi auto-naming).
NAME_PROPERTY = {"aws:s3/bucket:Bucket": "bucket", "aws:s3/bucketV2:BucketV2": "bucket"}


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
        self.region = region
        self.account_id = account_id
        self.partition = partition_of(region)
        self.strict = strict
        self.unknown_computed = unknown_computed
        self.unanswered: list = []
        self._resources: dict = {
            "aws:s3/bucket:Bucket": self._bucket,
            "aws:dynamodb/table:Table": self._table,
            "aws:sqs/queue:Queue": self._queue,
            "aws:iam/role:Role": self._role,
            "aws:iam/rolePolicy:RolePolicy": self._role_policy,
            "aws:cloudwatch/logGroup:LogGroup": self._log_group,
            "aws:lambda/function:Function": self._function,
            "aws:lambda/eventSourceMapping:EventSourceMapping": self._event_source_mapping,
        }
        self._calls: dict = {
            "aws:index/getPartition:getPartition": self._get_partition,
            "aws:index/getRegion:getRegion": self._get_region,
            "aws:index/getCallerIdentity:getCallerIdentity": self._get_caller_identity,
            "aws:iam/getPolicyDocument:getPolicyDocument": render_policy_document,
            "aws:index/getAvailabilityZones:getAvailabilityZones": self._get_availability_zones,
        }

    # --- pulumi.runtime.Mocks -------------------------------------------------------------
    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        if not self.unknown_computed:
            return self._new_resource(args.typ, args.name, dict(args.inputs))
        # Compute as usual from stand-ins, then keep only what a preview knows: the inputs
        # (unknown ones stay unknown) and the auto-name; the id and all computed outputs are not.
        _, state = self._new_resource(args.typ, args.name, _with_stand_ins(args.inputs))
        name = self.checked_inputs(args.typ, state)
        return "", {
            key: _unknown_marked(args.inputs[key])
            if key in args.inputs
            else name.get(key, rpc.UNKNOWN)
            for key in state
        }

    def _new_resource(self, typ: str, name: str, state: dict):
        rule: Callable | None = self._resources.get(typ)
        if rule is not None:
            physical, state = rule(name, state)
            return physical, self._fill_declared_outputs(typ, physical, state)
        if typ == "pulumi:pulumi:StackReference":
            return name, {**state, "outputs": {}, "secretOutputNames": []}
        if not typ.startswith("aws:"):
            return f"{name}-id", state
        if isinstance(state.get("bucket"), str) and typ.startswith("aws:s3/"):
            return state["bucket"], state  # bucket side resources (policy, ...) use its name
        # Any other AWS resource: its inputs, an id, and plausible declared outputs.
        physical = state["name"] if isinstance(state.get("name"), str) else auto_name(name)
        return physical, self._fill_declared_outputs(typ, physical, state)

    def call(self, args: pulumi.runtime.MockCallArgs):
        rule = self._calls.get(args.token)
        if rule is None:
            if self.strict:
                raise NotImplementedError(f"no offline answer for provider function {args.token}")
            self.unanswered.append(args.token)
            return {}
        return rule(args.args)

    def _fill_declared_outputs(self, resource_type: str, physical: str, state: dict) -> dict:
        """Plausible values for the string outputs the type always has and the rules above did
        not set (programs do string work on them: `api.execution_arn.apply(...)`)."""
        if not resource_type.startswith("aws:"):
            return state
        module, kind = resource_type.split(":")[1].split("/")
        host = f"{physical}.{module}.{self.region}.{dns_suffix(self.partition)}"
        for output in declared_string_outputs(resource_type):
            if output in state:
                continue
            if output == "name":
                state[output] = physical
            elif output == "region":
                state[output] = self.region
            elif output.lower().endswith("arn"):
                # Most ARNs end in type/name; SNS topics end in the bare name.
                sns = module == "sns" and kind == "topic"
                state[output] = self.arn(module, physical if sns else f"{kind.lower()}/{physical}")
            elif output == "id" or output.endswith("Id"):
                state[output] = hashlib.sha256(f"{physical}/{output}".encode()).hexdigest()[:10]
            elif output.endswith("Url"):
                state[output] = f"https://{host}/"
            elif output.endswith(("Endpoint", "DomainName", "Hostname")):
                state[output] = host
            # Anything else (a policy, a description, a date) is left out: a made-up value
            # would be checked as if the program had set it.
        return state

    def checked_inputs(self, resource_type: str, state: dict) -> dict:
        """What the provider's Check adds to the inputs: the auto-assigned physical name."""
        if resource_type not in self._resources:
            return {}
        key = NAME_PROPERTY.get(resource_type, "name")
        return {key: state[key]} if key in state else {}

    # --- helpers --------------------------------------------------------------------------
    def arn(self, service: str, resource: str, region: bool = True, account: bool = True) -> str:
        return ":".join(
            [
                "arn",
                self.partition,
                service,
                self.region if region else "",
                self.account_id if account else "",
                resource,
            ]
        )

    # --- resources ------------------------------------------------------------------------
    def _bucket(self, name, state):
        bucket = state.get("bucket") or auto_name(name, lower=True)
        suffix = dns_suffix(self.partition)
        state.update(
            bucket=bucket,
            arn=self.arn("s3", bucket, region=False, account=False),
            bucketDomainName=f"{bucket}.s3.{suffix}",
            bucketRegionalDomainName=f"{bucket}.s3.{self.region}.{suffix}",
            region=self.region,
            hostedZoneId="Z3AQBSTGFYJSTF",
        )
        return bucket, state

    def _table(self, name, state):
        table = state.get("name") or auto_name(name)
        arn = self.arn("dynamodb", f"table/{table}")
        state.update(name=table, arn=arn)
        if state.get("streamEnabled"):
            state.update(streamArn=f"{arn}/stream/{STREAM_LABEL}", streamLabel=STREAM_LABEL)
        return table, state

    def _queue(self, name, state):
        queue = state.get("name") or auto_name(name) + (".fifo" if state.get("fifoQueue") else "")
        url = f"https://sqs.{self.region}.{dns_suffix(self.partition)}/{self.account_id}/{queue}"
        state.update(name=queue, arn=self.arn("sqs", queue), url=url)
        return url, state

    def _role(self, name, state):
        role = state.get("name") or auto_name(name)
        path = state.get("path") or "/"
        state.update(
            name=role,
            path=path,
            arn=self.arn("iam", f"role{path}{role}", region=False),
            uniqueId="AROA" + hashlib.sha256(role.encode()).hexdigest()[:17].upper(),
        )
        return role, state

    def _role_policy(self, name, state):
        policy = state.get("name") or auto_name(name)
        state.update(name=policy)
        return f"{state.get('role')}:{policy}", state

    def _log_group(self, name, state):
        group = state.get("name") or auto_name(name)
        state.update(name=group, arn=self.arn("logs", f"log-group:{group}"))
        return group, state

    def _function(self, name, state):
        function = state.get("name") or auto_name(name)
        arn = self.arn("lambda", f"function:{function}")
        state.update(
            name=function,
            arn=arn,
            qualifiedArn=f"{arn}:$LATEST",
            version="$LATEST",
            invokeArn=(
                f"arn:{self.partition}:apigateway:{self.region}:lambda:path/2015-03-31/functions/"
                f"{arn}/invocations"
            ),
        )
        return function, state

    def _event_source_mapping(self, name, state):
        digest = hashlib.sha256(name.encode()).hexdigest()
        uuid = f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
        function = state.get("functionName", "")
        state.update(
            uuid=uuid,
            arn=self.arn("lambda", f"event-source-mapping:{uuid}"),
            functionArn=function
            if function.startswith("arn:")
            else self.arn("lambda", f"function:{function}"),
            state="Enabled",
        )
        return uuid, state

    # --- provider functions ---------------------------------------------------------------
    def _get_partition(self, _args):
        suffix = dns_suffix(self.partition)
        return {
            "id": self.partition,
            "partition": self.partition,
            "dnsSuffix": suffix,
            "reverseDnsPrefix": ".".join(reversed(suffix.split("."))),
        }

    def _get_region(self, _args):
        return {
            "id": self.region,
            "region": self.region,
            "name": self.region,
            "endpoint": f"ec2.{self.region}.{dns_suffix(self.partition)}",
            "description": self.region,
        }

    def _get_availability_zones(self, _args):
        names = [f"{self.region}{letter}" for letter in "abc"]
        return {
            "id": self.region,
            "names": names,
            "zoneIds": [f"use1-az{i}" for i in (1, 2, 3)],
            "groupNames": [self.region],
        }

    def _get_caller_identity(self, _args):
        return {
            "id": self.account_id,
            "accountId": self.account_id,
            "arn": self.arn("iam", "user/offline-preview", region=False),
            "userId": "AIDAOFFLINEPREVIEW0000",
        }
