"""Run a Pulumi Python program offline, under AwsMocks, and return what it registered.

No Pulumi CLI, engine, provider plugin or credentials: the program's resources go to a mock
monitor that records each registration (type, name, parent, inputs, outputs, dependencies) and
its stack exports are resolved. Used by the tests and by the offline tools.
"""

import asyncio
import json
import runpy
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml
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
    delete_before_replace: bool = False
    id: str = ""


@dataclass
class ProgramRun:
    project: str
    stack: str
    config: dict
    resources: list = field(default_factory=list)
    outputs: dict = field(default_factory=dict)

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

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        registered = self.resources[response.urn]
        dependencies = set(request.dependencies)
        for urns in request.propertyDependencies.values():
            dependencies.update(urns.urns)
        self.registrations.append(
            Registration(
                urn=response.urn,
                type=request.type,
                name=request.name,
                custom=request.custom,
                parent=request.parent,
                inputs=pulumi.runtime.rpc.deserialize_properties(request.object),
                outputs=registered.state,
                dependencies=sorted(dependencies),
                delete_before_replace=request.deleteBeforeReplace,
                id=registered.id,
            )
        )
        return response


def project_name(project_dir: Path) -> str:
    return yaml.safe_load((project_dir / "Pulumi.yaml").read_text())["name"]


def _config_text(value: Any) -> str:
    # The engine hands config to programs as text: structured values as JSON.
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def stack_config(project_dir: Path, stack: str) -> dict:
    """The stack's config as the engine would pass it: `namespace:key` -> text. Project defaults
    from Pulumi.yaml first, then Pulumi.<stack>.yaml (a missing file means no config). Secure
    values cannot be decrypted offline and are left out."""
    project = project_name(project_dir)
    merged: dict = {}
    declared = (yaml.safe_load((project_dir / "Pulumi.yaml").read_text()) or {}).get("config") or {}
    for key, spec in declared.items():
        value = spec.get("default") if isinstance(spec, dict) else spec
        if value is not None:
            merged[key] = value
    stack_file = project_dir / f"Pulumi.{stack}.yaml"
    if stack_file.exists():
        merged.update((yaml.safe_load(stack_file.read_text()) or {}).get("config") or {})
    return {
        (key if ":" in key else f"{project}:{key}"): _config_text(value)
        for key, value in merged.items()
        if not (isinstance(value, dict) and "secure" in value)
    }


def run_program(
    project_dir: Path = REPO_ROOT,
    stack: str = "dev",
    config: dict | None = None,
) -> ProgramRun:
    """Run `project_dir/__main__.py` for `stack` under mocks. `config` (namespace:key -> text)
    replaces the stack file when given. Exceptions from the program propagate."""
    project_dir = Path(project_dir).resolve()
    project = project_name(project_dir)
    config = stack_config(project_dir, stack) if config is None else dict(config)
    mocks = AwsMocks(region=config.get("aws:region", "us-east-1"))
    monitor = RecordingMonitor(mocks)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    sys.path.insert(0, str(project_dir))
    try:
        pulumi.runtime.reset_options(project=project, stack=stack)
        pulumi.runtime.set_all_config(config)
        SETTINGS.rpc_manager.clear()
        SETTINGS.outputs.clear()
        pulumi.runtime.set_mocks(
            mocks, project=project, stack=stack, preview=False, monitor=monitor
        )
        main = str(project_dir / "__main__.py")
        loop.run_until_complete(run_pulumi_func(lambda: runpy.run_path(main, run_name="__main__")))
        exports = get_root_resource().outputs
        resolved = loop.run_until_complete(pulumi.Output.from_input(exports).future())
    finally:
        sys.path.remove(str(project_dir))
        loop.close()
        asyncio.set_event_loop(None)
    return ProgramRun(
        project=project,
        stack=stack,
        config=config,
        resources=monitor.registrations,
        outputs=dict(resolved or {}),
    )
