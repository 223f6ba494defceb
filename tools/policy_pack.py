"""Run a Python CrossGuard policy pack the way the Pulumi CLI does, without the CLI.

load() executes the pack's own `__main__.py`. Its PolicyPack constructor validates the pack and
builds the SDK's analyzer servicer exactly as under the CLI; only the gRPC server it would then
start is replaced, so the servicer is captured instead of served. Everything after that goes
through the servicer's real methods: GetAnalyzerInfo, Configure (with the config reconciled as the
CLI does: schema defaults, initial config, then the --policy-pack-config file, "all" first, then
validated against each policy's JSON schema), Analyze per resource (its inputs) and AnalyzeStack
(every resource's outputs, parents and dependencies). Props therefore reach the rules as the
engine passes them: protobuf Structs (camelCase names, numbers as floats), deserialized and wrapped
in the SDK's unknown-checking proxy.
"""

import json
import runpy
import sys
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

import jsonschema
import yaml
from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import policy as sdk

LEVELS = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}
LEVEL_NAMES = {number: name for name, number in LEVELS.items()}


class PolicyPackError(Exception):
    """The pack could not be loaded or configured; the message says why."""


@dataclass(frozen=True)
class Violation:
    policy: str
    enforcement: str  # advisory | mandatory | remediate | disabled
    urn: str
    message: str
    severity: str = ""

    @property
    def mandatory(self) -> bool:
        return self.enforcement in ("mandatory", "remediate")


@dataclass
class AnalyzedResource:
    """What the engine sends about one resource."""

    urn: str
    type: str
    name: str
    inputs: struct_pb2.Struct
    outputs: struct_pb2.Struct
    parent: str = ""
    dependencies: tuple = ()
    property_dependencies: Any = None  # {property: [urn, ...]}
    protect: bool = False
    delete_before_replace: bool = False


class _Captured(BaseException):
    """Raised in place of starting the gRPC server (BaseException: packs may catch Exception)."""


def load(pack_dir: Path) -> "PolicyPackRunner":
    pack_dir = Path(pack_dir).resolve()
    if not (pack_dir / "__main__.py").is_file():
        raise PolicyPackError(f"{pack_dir} has no __main__.py: not a Python policy pack")
    captured: dict = {}

    def add_servicer(servicer, _server):
        captured["servicer"] = servicer

    def start():
        raise _Captured

    fake_grpc = SimpleNamespace(
        server=lambda *a, **k: SimpleNamespace(add_insecure_port=lambda address: 0, start=start)
    )
    fake_registry = SimpleNamespace(add_AnalyzerServicer_to_server=add_servicer)
    modules_before = set(sys.modules)
    path_before = list(sys.path)
    try:
        with (
            mock.patch.object(sdk, "grpc", fake_grpc),
            mock.patch.object(sdk, "analyzer_pb2_grpc", fake_registry),
        ):
            runpy.run_path(str(pack_dir), run_name="__main__")
    except _Captured:
        pass
    except Exception as error:
        raise PolicyPackError(f"the policy pack in {pack_dir} failed to load: {error!r}") from error
    finally:
        sys.path[:] = path_before
        for name in set(sys.modules) - modules_before:
            module_file = getattr(sys.modules[name], "__file__", None) or ""
            if module_file.startswith(str(pack_dir)) and name != "__main__":
                del sys.modules[name]  # another pack may use the same module names
    if "servicer" not in captured:
        raise PolicyPackError(f"{pack_dir}/__main__.py did not construct a PolicyPack")
    manifest = pack_dir / "PulumiPolicy.yaml"
    version = ""
    if manifest.is_file():
        version = str((yaml.safe_load(manifest.read_text()) or {}).get("version") or "")
    return PolicyPackRunner(captured["servicer"], version)


class PolicyPackRunner:
    def __init__(self, servicer, version: str = ""):
        self.servicer = servicer
        self.info = servicer.GetAnalyzerInfo(None, None)
        self.name = self.info.name
        self.version = version or self.info.version
        self.configure({})

    # --- configuration, as `pulumi preview --policy-pack-config FILE` ----------------------------
    def configure(self, given: dict) -> dict:
        """Reconcile `given` (the config file's content) with the pack's defaults; returns the
        per-policy config sent to the pack. PolicyPackError when the CLI would refuse it."""
        policies = list(self.info.policies)
        result = {}
        for policy in policies:
            schema = json_format.MessageToDict(policy.configSchema.properties)
            defaults = {k: v["default"] for k, v in schema.items() if "default" in v}
            result[policy.name] = {
                "level": LEVEL_NAMES.get(policy.enforcementLevel, "advisory"),
                "properties": defaults,
            }
        initial = {
            name: {
                **(
                    {"enforcementLevel": LEVEL_NAMES[c.enforcementLevel]}
                    if c.enforcementLevel
                    else {}
                ),
                **json_format.MessageToDict(c.properties),
            }
            for name, c in self.info.initialConfig.items()
        }
        for layer in (_parse_config(initial), _parse_config(given)):
            if "all" in layer and layer["all"]["level"]:
                for entry in result.values():
                    entry["level"] = layer["all"]["level"]
            for name, entry in layer.items():
                target = result.setdefault(name, {"level": None, "properties": {}})
                if entry["level"]:
                    target["level"] = entry["level"]
                target["properties"] = {**target["properties"], **entry["properties"]}
        problems = []
        for policy in policies:
            schema = {
                "type": "object",
                "properties": json_format.MessageToDict(policy.configSchema.properties),
            }
            if policy.configSchema.required:
                schema["required"] = list(policy.configSchema.required)
            # Formats ("date") are checked, as the CLI's JSON-schema validator checks them.
            validator = jsonschema.Draft7Validator(
                schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
            )
            for error in validator.iter_errors(result[policy.name]["properties"]):
                where = "/".join(str(p) for p in error.absolute_path)
                problems.append(f"{policy.name}: {where + ': ' if where else ''}{error.message}")
        if problems:
            raise PolicyPackError("invalid policy pack config:\n  " + "\n  ".join(problems))
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, entry in result.items():
            config = request.policyConfig[name]
            if entry["level"]:
                config.enforcementLevel = LEVELS[entry["level"]]
            config.properties.update(entry["properties"])
        self.servicer.Configure(request, None)
        return result

    # --- analysis -------------------------------------------------------------------------------
    def analyze(self, resource: AnalyzedResource) -> list:
        request = analyzer_pb2.AnalyzeRequest(
            type=resource.type,
            properties=resource.inputs,
            urn=resource.urn,
            name=resource.name,
            options=self._options(resource),
        )
        return self._violations(self.servicer.Analyze(request, None), resource.urn)

    def analyze_stack(self, resources: list) -> list:
        request = analyzer_pb2.AnalyzeStackRequest()
        for resource in resources:
            item = request.resources.add(
                type=resource.type,
                properties=resource.outputs,
                urn=resource.urn,
                name=resource.name,
                options=self._options(resource),
                parent=resource.parent,
            )
            item.dependencies.extend(resource.dependencies)
            for key, urns in (resource.property_dependencies or {}).items():
                item.propertyDependencies[key].urns.extend(urns)
        return self._violations(self.servicer.AnalyzeStack(request, None), "")

    @staticmethod
    def _options(resource: AnalyzedResource):
        return analyzer_pb2.AnalyzerResourceOptions(
            parent=resource.parent,
            protect=resource.protect,
            deleteBeforeReplace=resource.delete_before_replace,
            deleteBeforeReplaceDefined=True,
        )

    def _violations(self, response, default_urn: str) -> list:
        return [
            Violation(
                policy=d.policyName,
                enforcement=LEVEL_NAMES.get(d.enforcementLevel, "advisory"),
                urn=d.urn or default_urn,
                message=d.message,
                severity=analyzer_pb2.PolicySeverity.Name(d.severity)
                .replace("POLICY_SEVERITY_", "")
                .lower(),
            )
            for d in response.diagnostics
        ]


def _parse_config(config: dict) -> dict:
    """The CLI's reading of a config file: "name": "level" or {"enforcementLevel": ..., ...}."""
    parsed = {}
    for name, value in (config or {}).items():
        if isinstance(value, str):
            level, properties = value, {}
        elif isinstance(value, dict):
            properties = dict(value)
            level = properties.pop("enforcementLevel", None)
        else:
            raise PolicyPackError(
                f"parsing {name!r}: {value!r} is not a valid value; must be a string or object"
            )
        if level is not None and level not in LEVELS:
            raise PolicyPackError(
                f"parsing enforcement level for {name!r}: {level!r} is not a "
                f"valid enforcement level ({', '.join(LEVELS)})"
            )
        if level or properties:
            parsed[name] = {"level": level, "properties": properties}
    return parsed


def read_config_file(path: Path) -> dict:
    text = Path(path).read_text()
    if not text.strip():
        return {}
    try:
        loaded = json.loads(text)
    except ValueError as error:
        raise PolicyPackError(f"{path} is not valid JSON: {error}") from error
    if not isinstance(loaded, dict):
        raise PolicyPackError(f"{path} must hold a JSON object")
    return loaded


def to_struct(values: dict) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(values)
    return struct
