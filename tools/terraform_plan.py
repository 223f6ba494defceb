"""A stack's AWS resources written out as a Terraform plan, for scanners that read one.

    python -m tools.terraform_plan [--dir PROJECT_DIR] [--stack NAME] [-c KEY=VALUE ...]
                                   [--unknown-outputs] [--out plan.json]

Security reviewers run checkov, Trivy or KICS on Terraform plans (`terraform show -json`). This
runs the program offline under the project's mocks, as `python -m tools.preview` does
(tools.program.run_program), and writes every registered `aws:` resource as a plan of its
creation: format_version 1.2, planned_values.root_module.resources[] (address, mode "managed",
type, name, provider_name, values), resource_changes[] (actions ["create"], after = values) and
configuration.root_module.resources[] (expressions, with the references between resources).

The conversion:
- Pulumi type tokens become Terraform types: module and resource name in snake_case
  (aws:cloudwatch/logGroup:LogGroup -> aws_cloudwatch_log_group), with TYPE_EXCEPTIONS for the
  tokens that say otherwise (aws:s3/bucketObjectv2:BucketObjectv2 -> aws_s3_object), MODULE_PREFIX
  for modules whose Terraform prefix differs (apigateway -> api_gateway, ec2 -> none) and a V2
  suffix dropped (aws:s3/bucketV2:BucketV2 -> aws_s3_bucket).
- Property names go to snake_case, recursively; the pulumi_aws class of each type says what each
  property holds. An object (a Terraform block of at most one) is written as a list of one object,
  as plans write blocks (`viewer_certificate: [{...}]`); a list of objects is a repeated block,
  under its Terraform name, which Pulumi pluralized (origins -> origin, rules -> rule); a map (tags,
  environment variables) keeps its keys. PROPERTY_RENAMES holds the names Pulumi changed otherwise
  (restApi -> rest_api_id, a permission's function -> function_name, a function's code ->
  filename). Assets and archives become their path, secrets their value (marked sensitive).
- A value unknown in the preview (Pulumi's unknown sentinel, with --unknown-outputs) is absent
  from the values and true in after_unknown, as Terraform writes what it learns only on apply.
- References: where an input holds another resource's id, ARN or other computed output (found by
  value among the resources Pulumi records it depends on), the configuration's expression names
  that resource (`references: ["aws_s3_bucket.b.id", "aws_s3_bucket.b"]`) and the value is left
  unknown, as it is in a plan of new resources. checkov links resources only that way: it reads
  the references of an attribute the plan leaves unknown (checkov.terraform.plan_parser
  _add_references), never a known value, so this is what connects a bucket to its public access
  block, a stage to its web ACL association. A known value that matches (a name given as input)
  stays, with its references in the expression, as Terraform writes it.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import re
import sys
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.runtime import rpc

from tools.program import (
    REPO_ROOT,
    ProgramRun,
    Registration,
    add_program_options,
    command_line_config,
    run_program,
)

TERRAFORM_VERSION = "1.9.0"
PROVIDER_NAME = "registry.terraform.io/hashicorp/aws"
# How the SDK marks unknowns, secrets, assets and archives on the wire.
UNKNOWN = rpc.UNKNOWN
_SIGNATURE_KEY = rpc._special_sig_key
_SECRET = rpc._special_secret_sig
_ASSET = rpc._special_asset_sig
_ARCHIVE = rpc._special_archive_sig

# Pulumi tokens whose Terraform type the general rule does not give (pulumi-aws's
# provider/resources.go and bridge-metadata.json name them).
TYPE_EXCEPTIONS = {
    "aws:s3/bucketObjectv2:BucketObjectv2": "aws_s3_object",
    "aws:s3/bucketObject:BucketObject": "aws_s3_bucket_object",
    "aws:s3/analyticsConfiguration:AnalyticsConfiguration": "aws_s3_bucket_analytics_configuration",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": (
        "aws_s3_bucket_replication_configuration"
    ),
    "aws:s3/inventory:Inventory": "aws_s3_bucket_inventory",
    "aws:s3/objectCopy:ObjectCopy": "aws_s3_object_copy",
    "aws:apigateway/response:Response": "aws_api_gateway_gateway_response",
    "aws:cloudtrail/trail:Trail": "aws_cloudtrail",
    "aws:codepipeline/pipeline:Pipeline": "aws_codepipeline",
    "aws:codedeploy/application:Application": "aws_codedeploy_app",
    "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment": (
        "aws_cognito_identity_pool_roles_attachment"
    ),
    "aws:cfg/rule:Rule": "aws_config_config_rule",
    "aws:cfg/recorder:Recorder": "aws_config_configuration_recorder",
    "aws:cfg/recorderStatus:RecorderStatus": "aws_config_configuration_recorder_status",
    "aws:alb/loadBalancer:LoadBalancer": "aws_alb",
    "aws:lb/loadBalancer:LoadBalancer": "aws_lb",
    "aws:rds/instance:Instance": "aws_db_instance",
    "aws:rds/subnetGroup:SubnetGroup": "aws_db_subnet_group",
    "aws:rds/parameterGroup:ParameterGroup": "aws_db_parameter_group",
    "aws:rds/optionGroup:OptionGroup": "aws_db_option_group",
    "aws:rds/snapshot:Snapshot": "aws_db_snapshot",
    "aws:ec2/dedicatedHost:DedicatedHost": "aws_ec2_host",
    "aws:ec2/fleet:Fleet": "aws_ec2_fleet",
    "aws:ec2/tag:Tag": "aws_ec2_tag",
    "aws:ec2/managedPrefixList:ManagedPrefixList": "aws_ec2_managed_prefix_list",
    "aws:ec2/serialConsoleAccess:SerialConsoleAccess": "aws_ec2_serial_console_access",
    "aws:ec2/capacityReservation:CapacityReservation": "aws_ec2_capacity_reservation",
    "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults": (
        "aws_ec2_instance_metadata_defaults"
    ),
    "aws:ec2/imageBlockPublicAccess:ImageBlockPublicAccess": "aws_ec2_image_block_public_access",
    "aws:sns/dataProtectionPolicy:DataProtectionPolicy": "aws_sns_topic_data_protection_policy",
    "aws:cloudhsmv2/cluster:Cluster": "aws_cloudhsm_v2_cluster",
    "aws:elasticsearch/domain:Domain": "aws_elasticsearch_domain",
}

# Modules whose Terraform prefix is not their name.
MODULE_PREFIX = {
    "apigateway": "api_gateway",
    "cfg": "config",
    "ec2": "",  # aws_instance, aws_security_group, aws_vpc, ...
    "costexplorer": "ce",
    "directconnect": "dx",
    "servicediscovery": "service_discovery",
    "elasticbeanstalk": "elastic_beanstalk",
    "directoryservice": "directory_service",
    "amp": "prometheus",
    "cloudcontrol": "cloudcontrolapi",
    "ec2transitgateway": "ec2_transit_gateway",
    "ec2clientvpn": "ec2_client_vpn",
}

# Pulumi property names (of a type, or of a module's types under "<module>/*") that are not the
# Terraform name in camelCase; everything else is derived by name_to_terraform.
_API_GATEWAY_REST_API = {"restApi": "rest_api_id"}
PROPERTY_RENAMES: dict[str, dict[str, str]] = {
    "aws:apigateway/*": _API_GATEWAY_REST_API,
    "aws:apigateway/stage:Stage": {**_API_GATEWAY_REST_API, "deployment": "deployment_id"},
    "aws:apigateway/basePathMapping:BasePathMapping": {"restApi": "api_id"},
    "aws:lambda/permission:Permission": {"function": "function_name"},
    "aws:lambda/function:Function": {"code": "filename", "name": "function_name"},
    "aws:lambda/layerVersion:LayerVersion": {"code": "filename"},
    "aws:sns/topicSubscription:TopicSubscription": {"topic": "topic_arn"},
    "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": {"logGroup": "log_group_name"},
}

# Terraform lists of at most one string that Pulumi flattened to the string: type -> paths.
LISTS_OF_ONE = {"aws_api_gateway_rest_api": ("endpoint_configuration.types",)}

# Lists of objects whose Terraform name is itself plural (not a block Pulumi pluralized).
PLURAL_IN_TERRAFORM = {
    "trustedKeyGroups",
    "trustedSigners",
    "cacheNodes",
    "redactedFields",
}
_IRREGULAR_SINGULAR = {"caches": "cache", "indices": "index", "aliases": "alias"}

# Outputs never taken for a reference: shared by every resource of a region or an account.
_NOT_REFERENCES = {"region", "tags", "tagsAll"}


def snake_case(name: str) -> str:
    """camelCase -> snake_case as Pulumi's names come from Terraform's: isIpv6Enabled ->
    is_ipv6_enabled, s3BucketArn -> s3_bucket_arn, bucketObjectv2 -> bucket_objectv2."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def singular(name: str) -> str:
    """The Terraform block name of a Pulumi list property (Pulumi pluralizes repeated blocks)."""
    for plural, one in _IRREGULAR_SINGULAR.items():
        if name.endswith(plural):
            return name[: -len(plural)] + one
    if name.endswith("ies") and len(name) > 4:
        return name[:-3] + "y"
    for ending in ("sses", "xes", "ches", "shes", "uses", "zes"):
        if name.endswith(ending):
            return name[:-2]
    if name.endswith("s") and not name.endswith(("ss", "us", "is")):
        return name[:-1]
    return name


def terraform_type(pulumi_type: str) -> str | None:
    """aws:s3/bucket:Bucket -> aws_s3_bucket; None for what is not an AWS resource."""
    if pulumi_type in TYPE_EXCEPTIONS:
        return TYPE_EXCEPTIONS[pulumi_type]
    parts = pulumi_type.split(":")
    if len(parts) != 3 or parts[0] != "aws" or "/" not in parts[1]:
        return None
    module, resource = parts[1].split("/", 1)
    resource = re.sub(r"[Vv]2$", "", resource) if module == "s3" else resource
    prefix = MODULE_PREFIX.get(module, module)
    return "_".join(p for p in ("aws", prefix, snake_case(resource)) if p)


def name_to_terraform(pulumi_type: str, name: str, is_block_list: bool = False) -> str:
    """A property's Terraform name: renamed, singular when a repeated block, else snake_case."""
    module = pulumi_type.split(":")[1].split("/")[0] if ":" in pulumi_type else ""
    for key in (pulumi_type, f"aws:{module}/*"):
        if name in PROPERTY_RENAMES.get(key, {}):
            return PROPERTY_RENAMES[key][name]
    snake = snake_case(name)
    if is_block_list and name not in PLURAL_IN_TERRAFORM:
        return singular(snake)
    return snake


def address_name(name: str) -> str:
    """A Pulumi resource name as a Terraform resource name: letters, digits and underscores,
    not starting with a digit (notes-site-app.js -> notes_site_app_js)."""
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return cleaned if re.match(r"[A-Za-z_]", cleaned) else f"_{cleaned}"


# --- what pulumi_aws's classes say each property holds ---------------------------------------


@dataclass(frozen=True)
class Shape:
    """What a property holds: "object" (a block of one), "list" (of `item`), "map" or "scalar"."""

    kind: str
    item: Any = None  # the element's Shape of a list or map, or the output class of an object


SCALAR = Shape("scalar")


@functools.cache
def resource_class(pulumi_type: str) -> type | None:
    """The pulumi_aws class registered for the token (pulumi_aws registers them on import)."""
    import pulumi_aws  # noqa: F401 - registers the resource modules

    try:
        module = rpc.get_resource_module("aws", pulumi_type.split(":")[1], "")
        info = module.mod_info  # pyright: ignore[reportAttributeAccessIssue, reportOptionalMemberAccess]
        return getattr(importlib.import_module(info["fqn"]), info["classes"][pulumi_type])
    except Exception:  # noqa: BLE001 - not a pulumi_aws type, or another SDK layout
        return None


@functools.cache
def property_shapes(cls: type) -> dict[str, Shape]:
    """Pulumi property name -> Shape, for a resource class or an output type."""
    from pulumi import _types

    try:
        types = (
            _types.output_type_types(cls)
            if _types.is_output_type(cls)
            else _types.resource_types(cls)
        )
    except Exception:  # noqa: BLE001 - annotations this SDK cannot resolve: guess from values
        return {}
    return {name: _shape(hint) for name, hint in types.items()}


def _shape(hint: Any) -> Shape:
    from pulumi import _types

    try:
        hint = _types.unwrap_type(hint)
    except Exception:  # noqa: BLE001 - an annotation unwrap_type does not know
        return SCALAR
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    sequence = origin in (list, Sequence) or (
        isinstance(origin, type) and issubclass(origin, Sequence)
    )
    if sequence and origin is not str:
        return Shape("list", _shape(args[0]) if args else SCALAR)
    if origin in (dict, Mapping) or (isinstance(origin, type) and issubclass(origin, Mapping)):
        return Shape("map", _shape(args[1]) if len(args) == 2 else SCALAR)
    if isinstance(hint, type) and _types.is_output_type(hint):
        return Shape("object", hint)
    return SCALAR


# --- values ---------------------------------------------------------------------------------


class _Unknown:
    """A value the preview does not know (after_unknown true)."""

    def __repr__(self) -> str:
        return "unknown"


UNKNOWN_VALUE = _Unknown()


def plain(value: Any) -> Any:
    """A wire value (protobuf Struct as JSON) as Terraform data: numbers that are integers as
    integers, secrets as their value, assets and archives as their path or URI, unknowns as
    UNKNOWN_VALUE, resource references as the id they were sent as."""
    if isinstance(value, str):
        return UNKNOWN_VALUE if value == UNKNOWN else value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        signature = value.get(_SIGNATURE_KEY)
        if signature == _SECRET:
            return plain(value.get("value"))
        if signature in (_ASSET, _ARCHIVE):
            for attribute in ("path", "uri"):
                if isinstance(value.get(attribute), str):
                    return value[attribute]
            return None  # an archive of assets in memory: nothing a plan would name
        return {k: plain(v) for k, v in value.items() if not k.startswith("__")}
    return value


def _secret_keys(struct_dict: dict) -> set:
    return {
        key
        for key, value in struct_dict.items()
        if isinstance(value, dict) and value.get(_SIGNATURE_KEY) == _SECRET
    }


def _looks_like_block(value: dict) -> bool:
    return all(isinstance(k, str) and re.fullmatch(r"[a-z][A-Za-z0-9]*", k) for k in value)


def to_terraform(pulumi_type: str, values: dict, cls: type | None = None) -> dict:
    """Pulumi properties (camelCase, plain) as Terraform attributes and blocks (see module doc).

    `cls` is the class whose properties `values` are (the type's resource class by default, an
    output type for a nested object); without one, an object whose keys look like property
    names is taken for a block, any other for a map."""
    result = {}
    for name, value in values.items():
        if value is not None:
            attribute, converted = convert_property(pulumi_type, name, value, cls)
            result[attribute] = converted
    return result


def convert_property(
    pulumi_type: str, name: str, value: Any, cls: type | None = None
) -> tuple[str, Any]:
    """(Terraform name, Terraform value) of one property of `cls` (default: the type's class)."""
    if cls is None:
        cls = resource_class(pulumi_type)
    shapes = property_shapes(cls) if cls is not None else {}
    shape = shapes.get(name) or _guess_shape(value)
    is_block_list = shape.kind == "list" and shape.item.kind == "object"
    return name_to_terraform(pulumi_type, name, is_block_list), _convert(pulumi_type, value, shape)


def _guess_shape(value: Any) -> Shape:
    if isinstance(value, dict):
        return Shape("object") if _looks_like_block(value) else Shape("map", SCALAR)
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return Shape("list", _guess_shape(value[0]))
    if isinstance(value, list):
        return Shape("list", SCALAR)
    return SCALAR


def _convert(pulumi_type: str, value: Any, shape: Shape) -> Any:
    if value is UNKNOWN_VALUE:
        return value
    if shape.kind == "object" and isinstance(value, dict):
        return [to_terraform(pulumi_type, value, shape.item)]
    if shape.kind == "list" and isinstance(value, list):
        if shape.item.kind == "object":  # a repeated block: each element one block
            return [
                to_terraform(pulumi_type, v, shape.item.item) if isinstance(v, dict) else v
                for v in value
                if v is not None
            ]
        return [_convert(pulumi_type, v, shape.item) for v in value if v is not None]
    if shape.kind == "map" and isinstance(value, dict):
        return {k: _convert(pulumi_type, v, shape.item) for k, v in value.items()}
    if isinstance(value, dict):  # no class to say: as a block
        return [to_terraform(pulumi_type, value, None)]
    return value


def split_unknowns(value: Any) -> tuple[Any, Any]:
    """(known, after_unknown) of a converted value: unknowns left out of `known` (None where a
    list keeps its place, as Terraform's plans write an unknown element), marked True in
    `after_unknown` (None when nothing is unknown)."""
    if value is UNKNOWN_VALUE:
        return None, True
    if isinstance(value, dict):
        known, unknown = {}, {}
        for key, item in value.items():
            item_known, item_unknown = split_unknowns(item)
            if item_unknown is not True:
                known[key] = item_known
            if item_unknown:
                unknown[key] = item_unknown
        return known, unknown or None
    if isinstance(value, list):
        pairs = [split_unknowns(item) for item in value]
        if not any(u for _, u in pairs):
            return [k for k, _ in pairs], None
        return [k for k, _ in pairs], [u if u else False for _, u in pairs]
    return value, None


# --- references -----------------------------------------------------------------------------


@dataclass
class Target:
    """A resource others may reference: its address and what it is known by."""

    address: str
    id: str
    computed: dict  # Terraform attribute -> value, outputs the provider computes
    given: dict  # Terraform attribute -> value, outputs that are inputs too


@dataclass
class PlanResource:
    registration: Registration
    type: str
    name: str
    values: dict = field(default_factory=dict)
    expressions: dict = field(default_factory=dict)
    after_unknown: dict = field(default_factory=dict)
    sensitive: dict = field(default_factory=dict)

    @property
    def address(self) -> str:
        return f"{self.type}.{self.name}"


def _target(resource: PlanResource) -> Target:
    registration = resource.registration
    outputs = plain(json_format.MessageToDict(registration.wire_outputs or _empty()))
    inputs = plain(json_format.MessageToDict(registration.wire_inputs or _empty()))
    computed, given = {}, {}
    for name, value in outputs.items():
        if name in _NOT_REFERENCES or not isinstance(value, str) or len(value) < 4:
            continue
        attribute = name_to_terraform(registration.type, name)
        (given if inputs.get(name) == value else computed)[attribute] = value
    return Target(resource.address, registration.id or "", computed, given)


def _empty() -> struct_pb2.Struct:
    return struct_pb2.Struct()


def _match(value: str, targets: list) -> tuple[Target, str, bool] | None:
    """The target and attribute `value` is, and whether a plan of new resources knows it: an id
    or a computed output first (unknown until apply), then an output given as input."""
    for target in targets:
        if target.id and value == target.id:
            return target, "id", False
    for target in targets:
        for attribute, known in target.computed.items():
            if value == known:
                return target, attribute, False
    for target in targets:
        for attribute, known in target.given.items():
            if value == known:
                return target, attribute, True
    return None


def _references(target: Target, attribute: str) -> list:
    return [f"{target.address}.{attribute}", target.address]


def _embedded(value: str, targets: list) -> list:
    """References of the targets whose id or ARN appears inside a longer string (a policy, a URI),
    as Terraform lists those of an interpolation."""
    found = []
    for target in targets:
        for attribute, known in [("id", target.id), *target.computed.items()]:
            if known and len(known) >= 8 and known in value and known != value:
                found.extend(r for r in _references(target, attribute) if r not in found)
                break
    return found


def _linked(value: Any, targets: list) -> tuple[Any, Any]:
    """(value, expression) of a converted value: exact matches of an unknown-until-apply output
    become unknown, every match a reference of the expression. An unknown value of a property
    that depends on one resource references it (by id: the attribute cannot be told)."""
    if value is UNKNOWN_VALUE:
        if len(targets) == 1:
            return value, {"references": _references(targets[0], "id")}
        return value, None
    if isinstance(value, str):
        matched = _match(value, targets)
        if matched is not None:
            target, attribute, known = matched
            expression: dict = {"references": _references(target, attribute)}
            if known:
                expression["constant_value"] = value
            return (value if known else UNKNOWN_VALUE), expression
        embedded = _embedded(value, targets)
        if embedded:
            return value, {"references": embedded}
        return value, {"constant_value": value}
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        pairs = [_linked_block(v, targets) for v in value]
        return [v for v, _ in pairs], [e for _, e in pairs]
    if isinstance(value, list):
        pairs = [_linked(v, targets) for v in value]
        references = [r for _, e in pairs if isinstance(e, dict) for r in e.get("references", [])]
        linked = [v for v, _ in pairs]
        if references:
            return linked, {"references": list(dict.fromkeys(references))}
        return linked, {"constant_value": split_unknowns(linked)[0]}
    if isinstance(value, dict):  # a map
        return value, {"constant_value": split_unknowns(value)[0]}
    return value, {"constant_value": value}


def _linked_block(block: dict, targets: list) -> tuple[dict, dict]:
    values, expressions = {}, {}
    for key, item in block.items():
        linked, expression = _linked(item, targets)
        values[key] = linked
        if expression is not None:
            expressions[key] = expression
    return values, expressions


def _dependency_targets(
    registration: Registration, key: str, targets_by_urn: dict, descendants: dict
) -> list:
    """The resources the input `key` was computed from (a component: the resources under it)."""
    found = []
    for urn in registration.property_dependencies.get(key, []):
        for target_urn in descendants.get(urn, [urn]):
            target = targets_by_urn.get(target_urn)
            if target is not None and target not in found and target_urn != registration.urn:
                found.append(target)
    return found


# --- the plan -------------------------------------------------------------------------------


def plan_resources(run: ProgramRun) -> list:
    """The run's AWS resources with their Terraform type, unique name, values and expressions."""
    resources: list = []
    taken: set = set()
    for registration in run.resources:
        if not registration.custom:
            continue
        tf_type = terraform_type(registration.type)
        if tf_type is None:
            continue
        name = base = address_name(registration.name)
        number = 1
        while f"{tf_type}.{name}" in taken:
            number += 1
            name = f"{base}_{number}"
        taken.add(f"{tf_type}.{name}")
        resources.append(PlanResource(registration, tf_type, name))
    targets_by_urn = {r.registration.urn: _target(r) for r in resources}
    descendants = _custom_descendants(run)
    for resource in resources:
        _fill(resource, targets_by_urn, descendants)
    return resources


def _custom_descendants(run: ProgramRun) -> dict:
    """Component URN -> the custom resources under it, for dependencies on a component."""
    children: dict = {}
    for r in run.resources:
        children.setdefault(r.parent, []).append(r)
    result: dict = {}

    def walk(urn: str) -> list:
        found = []
        for child in children.get(urn, []):
            found.extend([child.urn] if child.custom else walk(child.urn))
        return found

    for r in run.resources:
        if not r.custom:
            result[r.urn] = walk(r.urn)
    return result


def _fill(resource: PlanResource, targets_by_urn: dict, descendants: dict) -> None:
    registration = resource.registration
    wire = json_format.MessageToDict(registration.wire_inputs or _empty())
    secrets = _secret_keys(wire)
    inputs = {k: v for k, v in plain(wire).items() if not k.startswith("__") and v is not None}
    values, expressions = {}, {}
    for name, value in inputs.items():
        attribute, converted = convert_property(registration.type, name, value)
        targets = _dependency_targets(registration, name, targets_by_urn, descendants)
        linked, expression = _linked(converted, targets)
        values[attribute] = linked
        if expression is not None:
            expressions[attribute] = expression
        if name in secrets:
            resource.sensitive[attribute] = True
    for path in LISTS_OF_ONE.get(resource.type, ()):
        _wrap_in_list(values, path.split("."))
        _wrap_in_list(expressions, [*path.split("."), "constant_value"])
    known, unknown = split_unknowns(values)
    resource.values = known
    resource.expressions = expressions
    resource.after_unknown = dict(unknown or {})
    outputs = plain(json_format.MessageToDict(registration.wire_outputs or _empty()))
    for name, value in outputs.items():  # computed on apply: unknown in a plan of its creation
        if name not in inputs and value is not None and name not in _NOT_REFERENCES:
            attribute, _ = convert_property(registration.type, name, value)
            resource.after_unknown.setdefault(attribute, True)
    resource.after_unknown.setdefault("id", True)


def _wrap_in_list(values: Any, path: list) -> None:
    """The string at `path` (through blocks) as a list of it."""
    if isinstance(values, list):
        for item in values:
            _wrap_in_list(item, path)
    elif isinstance(values, dict) and path and path[0] in values:
        if len(path) == 1:
            if isinstance(values[path[0]], str):
                values[path[0]] = [values[path[0]]]
        else:
            _wrap_in_list(values[path[0]], path[1:])


def terraform_plan(run: ProgramRun) -> dict:
    """The run's AWS resources as `terraform show -json` prints a plan creating them."""
    resources = plan_resources(run)
    planned, changes, configured = [], [], []
    for r in resources:
        header = {
            "address": r.address,
            "mode": "managed",
            "type": r.type,
            "name": r.name,
            "provider_name": PROVIDER_NAME,
        }
        planned.append(
            {**header, "schema_version": 0, "values": r.values, "sensitive_values": r.sensitive}
        )
        changes.append(
            {
                **header,
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": r.values,
                    "after_unknown": r.after_unknown,
                    "before_sensitive": False,
                    "after_sensitive": r.sensitive,
                },
            }
        )
        configured.append(
            {
                "address": r.address,
                "mode": "managed",
                "type": r.type,
                "name": r.name,
                "provider_config_key": "aws",
                "expressions": r.expressions,
                "schema_version": 0,
            }
        )
    region = run.config.get("aws:region", "us-east-1")
    return {
        "format_version": "1.2",
        "terraform_version": TERRAFORM_VERSION,
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {
                "aws": {
                    "name": "aws",
                    "full_name": PROVIDER_NAME,
                    "expressions": {"region": {"constant_value": region}},
                }
            },
            "root_module": {"resources": configured},
        },
    }


def stack_plan(
    project_dir: Path = REPO_ROOT,
    stack: str = "dev",
    config: dict | None = None,
    secret_keys: list | None = None,
    unknowns: bool = False,
) -> dict:
    """Run the stack's program as `python -m tools.preview` does and return its plan."""
    run = run_program(
        project_dir,
        stack,
        config=config,
        secret_keys=secret_keys,
        strict=False,
        preview=True,
        unknowns=unknowns,
    )
    return terraform_plan(run)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.terraform_plan", description=(__doc__ or "").split("\n")[0]
    )
    add_program_options(
        parser, "provider-computed values unknown, as in a first preview (and a Terraform plan)"
    )
    parser.add_argument("--out", type=Path, help="write the plan here (default: standard output)")
    args = parser.parse_args(argv)

    project_dir = args.dir.resolve()
    try:
        config, secret_keys = command_line_config(args, project_dir)
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    plan = stack_plan(project_dir, args.stack, config, secret_keys, args.unknown_outputs)
    text = json.dumps(plan, indent=2) + "\n"
    if args.out:
        args.out.write_text(text)
        count = len(plan["planned_values"]["root_module"]["resources"])
        print(f"{args.out}: {count} resources of stack {args.stack}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
