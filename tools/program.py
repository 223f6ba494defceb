"""Run a Pulumi Python program offline, under AwsMocks, and return what it registered.

No Pulumi CLI, engine, provider plugin or credentials: the program's resources go to a mock
monitor that records each registration (type, name, parent, inputs, outputs, dependencies, and
the wire form of inputs and outputs that the engine would hand a policy pack) and its stack
exports are resolved. Used by the tests and by the offline tools.
"""

import asyncio
import contextlib
import json
import os
import runpy
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml
from google.protobuf import struct_pb2
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.settings import SETTINGS, get_root_resource
from pulumi.runtime.stack import run_pulumi_func

from tools.aws_mocks import AwsMocks

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Registration:
    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    inputs: dict
    outputs: dict
    dependencies: list  # URNs from depends_on and from Outputs passed as inputs
    property_dependencies: dict = field(default_factory=dict)  # input name -> [URN]
    delete_before_replace: bool = False
    protect: bool = False
    id: str = ""
    wire_inputs: Any = None  # protobuf Struct, as sent to the engine (camelCase, floats)
    wire_outputs: Any = None  # protobuf Struct of the outputs the (mock) provider returned


@dataclass
class ProgramRun:
    project: str
    stack: str
    config: dict
    resources: list = field(default_factory=list)
    outputs: dict = field(default_factory=dict)
    unanswered: list = field(default_factory=list)  # provider functions the mocks could not answer
    unknowns: bool = False  # run as a first preview: computed outputs unknown

    @property
    def root_urn(self) -> str:
        return f"urn:pulumi:{self.stack}::{self.project}::pulumi:pulumi:Stack::{self.project}-{self.stack}"

    def of_type(self, resource_type: str) -> list:
        return [r for r in self.resources if r.type == resource_type]

    def one(self, resource_type: str, name: str | None = None) -> Registration:
        found = [r for r in self.of_type(resource_type) if name is None or r.name == name]
        if len(found) != 1:
            raise LookupError(f"expected one {resource_type} {name or ''}, found {len(found)}")
        return found[0]

    def by_urn(self, urn: str) -> Registration:
        return next(r for r in self.resources if r.urn == urn)

    def children(self, parent: Registration) -> list:
        return [r for r in self.resources if r.parent == parent.urn]


class RecordingMonitor(MockMonitor):
    """MockMonitor that also keeps each registration's parent and dependencies."""

    def __init__(self, mocks):
        super().__init__(mocks)
        self.registrations: list = []
        self._by_urn: dict = {}  # every component registers its outputs: a scan would be O(n^2)

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # As the engine does: the type chain of every ancestor but the root stack.
        if parent:
            qualified = parent.split("::")[2]
            if qualified != "pulumi:pulumi:Stack":
                type_ = f"{qualified}${type_}"
        return f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::{type_}::{name}"

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        registered = self.resources[response.urn]
        dependencies = set(request.dependencies)
        property_dependencies = {}
        for key, urns in request.propertyDependencies.items():
            dependencies.update(urns.urns)
            property_dependencies[key] = list(urns.urns)
        wire_inputs = struct_pb2.Struct()
        wire_inputs.CopyFrom(request.object)
        for key, value in self.mocks.checked_inputs(request.type, registered.state).items():
            if key not in wire_inputs.fields:  # what the provider's Check adds, e.g. auto-names
                wire_inputs[key] = value
        registration = Registration(
            urn=response.urn,
            type=request.type,
            name=request.name,
            custom=request.custom,
            parent=request.parent,
            inputs=pulumi.runtime.rpc.deserialize_properties(request.object),
            outputs=registered.state,
            dependencies=sorted(dependencies),
            property_dependencies=property_dependencies,
            delete_before_replace=request.deleteBeforeReplace,
            protect=request.protect,
            id=registered.id,
            wire_inputs=wire_inputs,
            wire_outputs=response.object,
        )
        self.registrations.append(registration)
        self._by_urn[registration.urn] = registration
        return response

    def RegisterResourceOutputs(self, request):
        # A component's outputs, as the engine would store them (stack policies see them).
        registration = self._by_urn.get(request.urn)
        if registration is not None:
            registration.wire_outputs = request.outputs
            registration.outputs = pulumi.runtime.rpc.deserialize_properties(request.outputs)
        return super().RegisterResourceOutputs(request)


def project_settings(project_dir: Path) -> dict:
    path = Path(project_dir) / "Pulumi.yaml"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: not a Pulumi project directory")
    return yaml.safe_load(path.read_text()) or {}


def project_name(project_dir: Path) -> str:
    return project_settings(project_dir)["name"]


def program_entry(project_dir: Path) -> Path:
    """The file the Python language host runs: `main` from Pulumi.yaml, else __main__.py."""
    main = Path(project_dir) / (project_settings(project_dir).get("main") or "")
    entry = main / "__main__.py" if main.is_dir() else main
    if not entry.is_file():
        raise FileNotFoundError(f"{entry} not found: the project has no Python program there")
    return entry


def _config_text(value: Any) -> str:
    # The engine hands config to programs as text: structured values as JSON.
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


SECRET_PLACEHOLDER = "offline-preview-secret"


def stack_config(project_dir: Path, stack: str) -> tuple:
    """The stack's config as the engine would pass it (`namespace:key` -> text) and the keys that
    are secret. Project defaults from Pulumi.yaml first, then Pulumi.<stack>.yaml (a missing file
    means no config). Secure values cannot be decrypted offline: they become a placeholder,
    still marked secret, so programs that require them run."""
    project = project_name(project_dir)
    merged: dict = {}
    declared = project_settings(project_dir).get("config") or {}
    for key, spec in declared.items():
        value = spec.get("default") if isinstance(spec, dict) else spec
        if value is not None:
            merged[key] = value
    stack_file = project_dir / f"Pulumi.{stack}.yaml"
    if stack_file.exists():
        merged.update((yaml.safe_load(stack_file.read_text()) or {}).get("config") or {})
    config, secrets = {}, []
    for key, value in merged.items():
        full_key = key if ":" in key else f"{project}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            value = SECRET_PLACEHOLDER
            secrets.append(full_key)
        config[full_key] = _config_text(value)
    return config, secrets


@contextlib.contextmanager
def _program_modules(program_dir: Path):
    """Let the program import its own modules even where they share a name with ones already
    loaded from elsewhere (its own `tools` package, another project's `components`); put ours
    back afterwards."""
    provided = {p.stem for p in program_dir.glob("*.py")} | {
        p.name for p in program_dir.iterdir() if p.is_dir() and not p.name.startswith(".")
    }

    def provided_here(name: str) -> bool:
        return name.split(".")[0] in provided

    def loaded_from_program(module) -> bool:
        return (getattr(module, "__file__", None) or "").startswith(str(program_dir) + os.sep)

    stashed = {
        name: module
        for name, module in sys.modules.items()
        if provided_here(name) and not loaded_from_program(module)
    }
    for name in stashed:
        del sys.modules[name]
    try:
        yield
    finally:
        roots = {name.split(".")[0] for name in stashed}
        for name in [n for n in sys.modules if n.split(".")[0] in roots]:
            del sys.modules[name]  # the program's own modules of those names
        sys.modules.update(stashed)


def run_program(
    project_dir: Path = REPO_ROOT,
    stack: str = "dev",
    config: dict | None = None,
    strict: bool = True,
    unknowns: bool = False,
    preview: bool = False,
    mocks: AwsMocks | None = None,
) -> ProgramRun:
    """Run the program of `project_dir` for `stack` under mocks.

    `config` (namespace:key -> text) replaces the stack file when given. Exceptions from the
    program propagate, with a note naming any provider function the mocks could not answer.
    `strict` off: such functions return nothing instead of raising. `preview`: run as
    `pulumi preview` does (Output values not known are skipped rather than None). `unknowns`
    (implies `preview`): as a first preview, where computed outputs are unknown and inputs built
    from them reach the engine, and a policy pack, as unknown values. `mocks`: answer with these
    instead (tools.sandbox's create what they answer for; `strict` and `unknowns` are then
    theirs to decide).
    """
    project_dir = Path(project_dir).resolve()
    project = project_name(project_dir)
    if config is None:
        config, secret_keys = stack_config(project_dir, stack)
    else:
        config, secret_keys = dict(config), []
    if mocks is None:
        mocks = AwsMocks(
            region=config.get("aws:region", "us-east-1"), strict=strict, unknown_computed=unknowns
        )
    monitor = RecordingMonitor(mocks)

    main = program_entry(project_dir)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    sys.path.insert(0, str(main.parent))
    try:
        pulumi.runtime.reset_options(project=project, stack=stack)
        pulumi.runtime.set_all_config(config, secret_keys)
        SETTINGS.rpc_manager.clear()
        SETTINGS.outputs.clear()
        pulumi.runtime.set_mocks(
            mocks, project=project, stack=stack, preview=preview or unknowns, monitor=monitor
        )
        # The engine runs programs from their project directory.
        with contextlib.chdir(project_dir), _program_modules(main.parent):
            loop.run_until_complete(
                run_pulumi_func(lambda: runpy.run_path(str(main), run_name="__main__"))
            )
        exports = get_root_resource().outputs
        resolved = loop.run_until_complete(pulumi.Output.from_input(exports).future())
    except BaseException as error:
        if mocks.unanswered:
            error.add_note(
                "provider functions answered with nothing offline (a likely cause): "
                + ", ".join(sorted(set(mocks.unanswered)))
            )
        raise
    finally:
        sys.path.remove(str(main.parent))
        loop.close()
        asyncio.set_event_loop(None)
    return ProgramRun(
        project=project,
        stack=stack,
        config=config,
        resources=monitor.registrations,
        outputs=dict(resolved or {}),
        unanswered=sorted(set(mocks.unanswered)),
        unknowns=unknowns,
    )
