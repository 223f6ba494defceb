"""Run a Pulumi Python program offline, under AwsMocks, and return what it registered.

No Pulumi CLI, engine, provider plugin or credentials: the program's resources go to a mock
monitor that records each registration (type, name, parent, inputs, outputs, dependencies, and
the wire form of inputs and outputs that the engine would hand a policy pack) and its stack
exports are resolved. Used by the tests and by the offline tools.
"""

import asyncio
import contextlib
import gc
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
from pulumi.runtime import resource as sdk_resource
from pulumi.runtime import rpc as rpc_sdk
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.proto import resource_pb2, source_pb2
from pulumi.runtime.settings import SETTINGS, get_root_resource
from pulumi.runtime.stack import Stack, run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

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


RESOURCE_SIGNATURE = rpc_sdk._special_resource_sig
SIGNATURE_KEY = rpc_sdk._special_sig_key
_RESOURCE_SIGNATURE_BYTES = RESOURCE_SIGNATURE.encode()


def _downgraded(value: struct_pb2.Value) -> struct_pb2.Value:
    """`value` with every resource reference replaced as the engine marshals it for providers
    that take no references and for analyzers: a custom resource by its ID (unknown while the
    ID is), a component by its URN."""
    kind = value.WhichOneof("kind")
    if kind == "list_value":
        items = [_downgraded(item) for item in value.list_value.values]
        result = struct_pb2.Value()
        result.list_value.values.extend(items)
        return result
    if kind != "struct_value":
        return value
    fields = value.struct_value.fields
    if SIGNATURE_KEY in fields and fields[SIGNATURE_KEY].string_value == RESOURCE_SIGNATURE:
        if "id" in fields:
            known = fields["id"].string_value
            return struct_pb2.Value(string_value=known or rpc_sdk.UNKNOWN)
        return struct_pb2.Value(string_value=fields["urn"].string_value)
    result = struct_pb2.Value()
    result.struct_value.CopyFrom(downgrade_references(value.struct_value))
    return result


class _NotPlain(Exception):
    """A value only the SDK's own (asynchronous) serializer knows how to send."""


def _plain(value):
    """`value` as the SDK serializes it, for values that need no awaiting; _NotPlain else."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dict):  # a None inside stays a null, as the SDK sends it
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, pulumi.Asset):
        for attribute in ("path", "text", "uri"):
            if hasattr(value, attribute):
                return {
                    SIGNATURE_KEY: rpc_sdk._special_asset_sig,
                    attribute: getattr(value, attribute),
                }
    if isinstance(value, pulumi.Archive):
        if isinstance(value, pulumi.AssetArchive):  # the one archive with assets
            return {SIGNATURE_KEY: rpc_sdk._special_archive_sig, "assets": _plain(value.assets)}
        for attribute in ("path", "uri"):
            if hasattr(value, attribute):
                return {
                    SIGNATURE_KEY: rpc_sdk._special_archive_sig,
                    attribute: getattr(value, attribute),
                }
    raise _NotPlain


def plain_struct(state: dict) -> struct_pb2.Struct | None:
    """The state as a Struct when it is plain data (what mocks return), else None."""
    try:
        converted = {str(k): _plain(v) for k, v in state.items() if v is not None}
    except _NotPlain:
        return None
    struct = struct_pb2.Struct()
    struct.update(converted)
    return struct


def downgrade_references(struct: struct_pb2.Struct) -> struct_pb2.Struct:
    """A copy of `struct` without resource references (see _downgraded)."""
    result = struct_pb2.Struct()
    for key, value in struct.fields.items():
        result.fields[key].CopyFrom(_downgraded(value))
    return result


def _without_references(request, field_name: str):
    """The request with its `field_name` Struct free of resource references.

    The SDK's MockMonitor would rebuild each reference into a Resource object, whose lookup
    task lands on the event loop of the gRPC worker thread; the program's own loop then waits
    for it forever ("attached to a different loop", or a hang). The engine never hands
    references to providers that do not accept them (pulumi-aws) nor to policy packs, so
    neither must we."""
    original = getattr(request, field_name)
    if _RESOURCE_SIGNATURE_BYTES not in original.SerializeToString():
        return request  # the common case, found without walking the Struct in Python
    copy = type(request)()
    copy.CopyFrom(request)
    getattr(copy, field_name).CopyFrom(downgrade_references(original))
    return copy


class RecordingMonitor(MockMonitor):
    """MockMonitor that also keeps each registration's parent and dependencies, and that passes
    resource references on as the engine does (their ID or URN)."""

    def __init__(self, mocks: AwsMocks):
        super().__init__(mocks)
        self.aws_mocks = mocks  # the base types its `mocks` as any Mocks
        self.registrations: list = []
        self._by_urn: dict = {}  # every component registers its outputs: a scan would be O(n^2)

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # As the engine does: the type chain of every ancestor but the root stack.
        if parent:
            qualified = parent.split("::")[2]
            if qualified != "pulumi:pulumi:Stack":
                type_ = f"{qualified}${type_}"
        return f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::{type_}::{name}"

    def Invoke(self, request):
        return super().Invoke(_without_references(request, "args"))

    def ReadResource(self, request):
        return super().ReadResource(_without_references(request, "properties"))

    def RegisterResource(self, request):
        request = _without_references(request, "object")
        if request.type == ROOT_TYPE:
            return super().RegisterResource(request)
        response = self._register(request)
        registered = self.resources[response.urn]
        dependencies = set(request.dependencies)
        property_dependencies = {}
        for key, urns in request.propertyDependencies.items():
            dependencies.update(urns.urns)
            property_dependencies[key] = list(urns.urns)
        wire_inputs = struct_pb2.Struct()
        wire_inputs.CopyFrom(request.object)
        for key, value in self.aws_mocks.checked_inputs(request.type, registered.state).items():
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

    def _register(self, request):
        """MockMonitor.RegisterResource without its `_sync_await` of the state's serialization.

        On a gRPC worker thread that await runs the thread's own event loop, which polls and so
        hands the GIL to the program's thread at every resource: 2 ms a resource, most of a
        large preview. The mocks' state is plain data (no Output, no future): serialized here
        directly, or by the SDK when it is not."""
        urn = self.make_urn(request.parent, request.type, request.name)
        inputs = pulumi.runtime.rpc.deserialize_properties(request.object)
        resource_id, state = self.aws_mocks.new_resource(
            pulumi.runtime.MockResourceArgs(
                typ=request.type,
                name=request.name,
                inputs=inputs,
                provider=request.provider,
                resource_id=request.importId,
                custom=request.custom or False,
            )
        )
        outputs = plain_struct(state)
        if outputs is None:
            outputs = _sync_await(pulumi.runtime.rpc.serialize_properties(state, {}))
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, resource_id, state)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=resource_id, object=outputs)

    def RegisterResourceOutputs(self, request):
        # A component's outputs, as the engine would store them (stack policies see them); a
        # component often registers a resource itself (`{"bucket": self.bucket}`).
        request = _without_references(request, "outputs")
        registration = self._by_urn.get(request.urn)
        if registration is not None:
            registration.wire_outputs = request.outputs
            registration.outputs = pulumi.runtime.rpc.deserialize_properties(request.outputs)
        return super().RegisterResourceOutputs(request)


_REGISTRATION_STEPS = {"do_register": "registering", "do_read": "reading"}
ROOT_TYPE = "pulumi:pulumi:Stack"
_SDK_RESOURCE_MODULE = os.path.join("pulumi", "runtime", "resource.py")


def _unresolved(outputs) -> list:
    """Names of the outputs (name -> Output) whose value has not arrived."""
    names = []
    for name, value in (outputs or {}).items() if isinstance(outputs, dict) else ():
        future = getattr(value, "_data", None)  # the Output's future of its value
        if isinstance(future, asyncio.Future) and not future.done():
            names.append(name)
    return names


def pending_work(loop) -> tuple:
    """What the SDK's pending tasks wait for, read from their frames (only to say where a stuck
    program waits): resources whose registration waits for its inputs ("aws:s3/bucket:Bucket
    'b'"), and outputs registered but not resolved (the stack's exports among them)."""
    registrations, outputs = [], []
    for task in list(asyncio.all_tasks(loop)):
        frame = getattr(task.get_coro(), "cr_frame", None)
        if frame is None or not frame.f_code.co_filename.endswith(_SDK_RESOURCE_MODULE):
            continue
        local = frame.f_locals
        if frame.f_code.co_name in _REGISTRATION_STEPS and local.get("ty") != ROOT_TYPE:
            registrations.append(f"{local.get('ty')} {local.get('name')!r}")
        elif frame.f_code.co_name == "do_register_resource_outputs":
            outputs.extend(_unresolved(local.get("outputs")))
    root = get_root_resource()
    outputs.extend(_unresolved(getattr(root, "outputs", None)))  # the stack's exports
    return sorted(registrations), sorted(set(outputs))


@dataclass
class Progress:
    """What run_program is doing, for a time limit's report."""

    step: str = "the program"
    loop: Any = None
    exports: dict = field(default_factory=dict)  # export name -> its future

    def describe(self) -> str:
        if self.step == "exports":
            waiting = [name for name, future in self.exports.items() if not future.done()]
            return f"the program's stack exports (still waiting for: {', '.join(waiting)})"
        if self.loop is None or self.loop.is_closed():
            return self.step
        try:
            registrations, outputs = pending_work(self.loop)
        except Exception:  # noqa: BLE001 - only a detail of the report; SDK internals may change
            registrations, outputs = [], []
        details = []
        if registrations:
            shown = ", ".join(registrations[:5])
            more = f" and {len(registrations) - 5} more" if len(registrations) > 5 else ""
            details.append(f"waiting for the inputs of {shown}{more}")
        if outputs:
            details.append(f"outputs still waiting for their values: {', '.join(outputs)}")
        return f"{self.step} ({'; '.join(details)})" if details else self.step


async def _resolve_exports(exports: dict, progress: Progress) -> dict:
    """Each export on its own, so a stuck one can be named."""
    progress.exports = {
        name: asyncio.ensure_future(pulumi.Output.from_input(value).future())
        for name, value in (exports or {}).items()
    }
    progress.step = "exports"
    values = await asyncio.gather(*progress.exports.values())
    # An export not known during a preview resolves to None, as does one set to None.
    return {
        name: value
        for name, value in zip(progress.exports, values, strict=True)
        if value is not None
    }


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


def stack_config(project_dir: Path, stack: str) -> tuple[dict[str, str], list[str]]:
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


def add_program_options(parser, unknown_outputs_help: str) -> None:
    """The options naming a program and its stack config, as `pulumi preview` takes them."""
    parser.add_argument("--dir", type=Path, default=REPO_ROOT, help="Pulumi project directory")
    parser.add_argument("--stack", default="dev", help="stack name (Pulumi.<stack>.yaml)")
    parser.add_argument(
        "-c",
        "--config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a config value over the stack's, as `pulumi preview -c`: KEY is namespace:key or "
        "a key of the project's namespace (repeatable)",
    )
    parser.add_argument("--unknown-outputs", action="store_true", help=unknown_outputs_help)


def command_line_config(args, project_dir: Path) -> tuple[dict[str, str], list[str]]:
    """The stack's config with the -c values over it, as the engine would pass it; ValueError
    for a -c that is not KEY=VALUE."""
    config, secret_keys = stack_config(project_dir, args.stack)
    project = project_name(project_dir)
    for item in args.config:
        key, equals, value = item.partition("=")
        if not equals or not key:
            raise ValueError(f"--config {item!r}: expected KEY=VALUE")
        config[key if ":" in key else f"{project}:{key}"] = value
    return config, secret_keys


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


@contextlib.contextmanager
def _fast_registrations():
    """What makes a large program run in a third of the time, undone afterwards:
    - the cyclic garbage collector off: every registration makes futures and tasks by the
      dozen, and collections of the growing heap, over and over, cost more than the program
      (seen: 5.5 s for 3,388 resources with it, 2.4 s without, peak memory +5 %);
    - no source stack trace per resource: the SDK walks the Python stack for each
      registration, for the engine's error messages, which no mock monitor reads
      (pulumi.runtime.resource._get_stack_trace; left as is if the SDK no longer has it)."""
    collecting = gc.isenabled()
    gc.disable()
    traces = getattr(sdk_resource, "_get_stack_trace", None)
    if traces is not None:
        sdk_resource._get_stack_trace = _no_stack_trace
    try:
        yield
    finally:
        if traces is not None:
            sdk_resource._get_stack_trace = traces
        if collecting:
            gc.enable()


def _no_stack_trace() -> source_pb2.StackTrace:
    return source_pb2.StackTrace()


def _abandon(loop) -> None:
    """Cancel what a failed or stopped program left pending, so nothing of it runs later or
    complains when collected. Best effort, bounded: a task stuck in a blocking call stays."""
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending and not loop.is_running():
        with contextlib.suppress(BaseException):
            loop.run_until_complete(asyncio.wait(pending, timeout=1.0))


def run_program(
    project_dir: Path = REPO_ROOT,
    stack: str = "dev",
    config: dict | None = None,
    secret_keys: list | None = None,
    strict: bool = True,
    unknowns: bool = False,
    preview: bool = False,
    mocks: AwsMocks | None = None,
    progress: Progress | None = None,
) -> ProgramRun:
    """Run the program of `project_dir` for `stack` under mocks.

    `config` (namespace:key -> text) replaces the stack file when given, with `secret_keys` the
    keys of it that are secret. Exceptions from the program propagate, with a note naming any
    provider function the mocks could not answer.
    `strict` off: such functions return nothing instead of raising. `preview`: run as
    `pulumi preview` does (Output values not known are skipped rather than None). `unknowns`
    (implies `preview`): as a first preview, where computed outputs are unknown and inputs built
    from them reach the engine, and a policy pack, as unknown values. `mocks`: answer with these
    instead (tools.sandbox's create what they answer for; `strict` and `unknowns` are then
    theirs to decide). `progress` is kept up to date with what the run waits for.
    """
    project_dir = Path(project_dir).resolve()
    project = project_name(project_dir)
    if config is None:
        config, secret_keys = stack_config(project_dir, stack)
    else:
        config, secret_keys = dict(config), list(secret_keys or [])
    if mocks is None:
        mocks = AwsMocks(
            region=config.get("aws:region", "us-east-1"), strict=strict, unknown_computed=unknowns
        )
    monitor = RecordingMonitor(mocks)

    main = program_entry(project_dir)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    progress = progress or Progress()
    progress.loop = loop
    progress.step = f"the program ({main.name})"

    def program():
        runpy.run_path(str(main), run_name="__main__")
        progress.step = "the program's outstanding work"

    sys.path.insert(0, str(main.parent))
    try:
        pulumi.runtime.reset_options(project=project, stack=stack)
        pulumi.runtime.set_all_config(config, secret_keys)
        # pulumi's contextproperty descriptors are opaque to pyright: an RPCManager and a set.
        SETTINGS.rpc_manager.clear()  # pyright: ignore[reportAttributeAccessIssue]
        SETTINGS.outputs.clear()  # pyright: ignore[reportAttributeAccessIssue]
        pulumi.runtime.set_mocks(
            mocks, project=project, stack=stack, preview=preview or unknowns, monitor=monitor
        )
        # The engine runs programs from their project directory.
        with contextlib.chdir(project_dir), _program_modules(main.parent), _fast_registrations():
            loop.run_until_complete(run_pulumi_func(program))
        root = get_root_resource()
        if not isinstance(root, Stack):  # set_mocks creates it
            raise TypeError(f"the root resource is {root!r}, not the Stack set_mocks creates")
        resolved = loop.run_until_complete(_resolve_exports(root.outputs, progress))
    except BaseException as error:
        if mocks.unanswered:
            error.add_note(
                "provider functions answered with nothing offline (a likely cause): "
                + ", ".join(sorted(set(mocks.unanswered)))
            )
        _abandon(loop)
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
