"""Stack configuration under `event-pipelines:`: a thin mapping onto the components' arguments
(components.args), checked as a whole before any resource exists.

Every problem (unknown key, wrong type, value AWS would reject) is collected and reported at once,
each naming the key and what it accepts, through pulumi.RunError so `pulumi preview` prints the
message without a stack trace.

    event-pipelines:logRetentionDays: 14        # stack-wide
    event-pipelines:forceDestroy: true
    event-pipelines:deletionProtection: false
    event-pipelines:accessLogs: true            # server access logs of every bucket, CDN logs
    event-pipelines:customerKey: true           # one customer managed KMS key for everything
    event-pipelines:codeSigning: true           # functions run only code the stack signed
    event-pipelines:tracing: true               # X-Ray
    event-pipelines:waf: {enabled: true, rateLimit: 1000}
    event-pipelines:alarms: {enabled: true, email: ops@example.com}
    event-pipelines:userBuckets: {enabled: true, bucketPrefix: acme-dev-users, tableName: USER-DB}
    event-pipelines:streamArchive: {enabled: true, tableName: UsersIds, functionName: my-function,
                                    bucketName: s3-files-dynamo-stream}
    event-pipelines:imageMetadata: {enabled: true, tableName: ImageMetadataTable,
                                    suffixes: [.jpg, .png]}
    event-pipelines:objectCopy: {enabled: true, destinationPrefix: copies/, mirrorDeletes: false}
    event-pipelines:notesApi: {enabled: true, allowedOrigins: [http://localhost:8000], mfa: OPTIONAL}
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, get_type_hints

import pulumi

from . import args
from .checks import Missing, Namer, Section, camel, snake

NAMESPACE = "event-pipelines"

# Config key of each pipeline: its arguments and their check.
PIPELINES = {
    "userBuckets": (args.UserBucketsArgs, args.resolve_user_buckets),
    "streamArchive": (args.StreamArchiveArgs, args.resolve_stream_archive),
    "imageMetadata": (args.ImageMetadataArgs, args.resolve_image_metadata),
    "objectCopy": (args.ObjectCopyArgs, args.resolve_object_copy),
    "notesApi": (args.NotesApiArgs, args.resolve_notes_api),
}
PIPELINE_KEYS = tuple(PIPELINES)
# Options nested in the arguments but flat in a pipeline's config section:
# userBuckets.memorySize is UserBucketsArgs["function"]["memory_size"].
FLAT = ("function", "stream", "invoke", "domain")
# Set once at the top of the config and given to every pipeline that takes them.
STACK_WIDE = ("log_retention_days", "deletion_protection", "force_destroy")
# Arguments of Shared the config derives instead of reading (from notesApi.enabled).
DERIVED = ("web_endpoints",)


class ConfigError(pulumi.RunError):
    """Bad stack configuration: reported by the engine as a message, without a traceback."""


@dataclass(frozen=True)
class StackConfig:
    """A stack's configuration as arguments: Shared's, then each enabled pipeline's by key."""

    shared: args.SharedArgs
    pipelines: dict = field(default_factory=dict)
    region: str | None = None

    def shared_settings(self) -> args.SharedSettings:
        return args.resolve_shared(self.shared)

    def settings(self, key: str):
        """An enabled pipeline's settings, its defaults filled in."""
        resolve = PIPELINES[key][1]
        extra = {"region": self.region} if key == "notesApi" else {}
        return resolve(self.pipelines[key], **extra)

    def event_pipelines_args(self) -> args.EventPipelinesArgs:
        """The same stack as the EventPipelines component takes it."""
        parts = {snake(key): pipeline for key, pipeline in self.pipelines.items()}
        # EventPipelines derives web_endpoints itself, as the config does.
        shared: Any = {k: v for k, v in self.shared.items() if k not in DERIVED}
        return args.EventPipelinesArgs(shared=shared, **parts)


def _keys(args_type: type, flat: tuple = FLAT, skip: tuple = ()) -> dict[str, tuple[str, ...]]:
    """Config key -> where its value goes in `args_type` (the nested options in `flat` spread out)."""
    keys = {}
    for key, hint in get_type_hints(args_type).items():
        if key in skip:
            continue
        inner = get_type_hints(hint) if key in flat else {key: None}
        for name in inner:
            path = (key, name) if key in flat else (key,)
            # Spread out, two options must not share a config key (userBuckets.timeout).
            assert camel(name) not in keys, f"{args_type.__name__}: {camel(name)} twice"
            keys[camel(name)] = path
    return keys


def _namer(section: str | None) -> Namer:
    """Names problems by config key: event-pipelines:userBuckets.memorySize."""
    where = NAMESPACE + (f":{section}" if section else "")

    def name(path: tuple[str, ...]) -> str:
        if section and path and path[0] in FLAT:
            path = path[1:]
        if not path:
            return where
        return where + ("." if section else ":") + ".".join(map(camel, path))

    return name


def _arguments(values: Any, keys: dict, where: str, problems: list, extra=()) -> dict:
    """`values` (config keys) as nested arguments; unknown keys are problems."""
    if not isinstance(values, Mapping):
        problems.append(f"{where}: expected an object of settings, got {values!r}")
        return {}
    result: dict = {}
    accepted = ", ".join(sorted((*keys, *extra)))
    separator = "." if ":" in where else ":"
    for key, value in values.items():
        if key not in keys and key not in extra:
            problems.append(f"{where}{separator}{key}: unknown key; accepted keys: {accepted}")
            continue
        if value is None:  # in the arguments None means "the default": say so here
            problems.append(
                f"{where}{separator}{key}: null is not accepted; leave the key out for its default"
            )
            continue
        if key in extra:  # read by the caller
            continue
        *outer, last = keys[key]
        target = result
        for part in outer:
            target = target.setdefault(part, {})
        target[last] = value
    return result


def _nested(shared: dict, key: str, options: type, problems: list) -> None:
    """waf and alarms are objects in the config too: their keys mapped one level down."""
    if key in shared:
        shared[key] = _arguments(
            shared[key], _keys(options, flat=()), f"{NAMESPACE}:{key}", problems
        )


def parse(values: Mapping[str, Any], region: str | None = None) -> StackConfig:
    """The stack's arguments from the namespace's values (keys without `event-pipelines:`), or
    ConfigError listing every problem. `region` (aws:region), when known, is where regional
    certificates must be."""
    problems: list = []
    top_keys = _keys(args.SharedArgs, flat=(), skip=DERIVED)
    top_keys["deletionProtection"] = ("deletion_protection",)
    top = _arguments(values, top_keys, NAMESPACE, problems, extra=PIPELINE_KEYS)
    _nested(top, "waf", args.WafOptions, problems)
    _nested(top, "alarms", args.AlarmOptions, problems)
    deletion_protection = Section(top, problems, _namer(None)).boolean("deletion_protection", False)
    shared_args: Any = {k: v for k, v in top.items() if k != "deletion_protection"}

    pipelines: dict = {}
    for key, (args_type, resolve) in PIPELINES.items():
        section_values = values.get(key, {}) if isinstance(values, Mapping) else {}
        where = f"{NAMESPACE}:{key}"
        enabled = isinstance(section_values, Mapping) and Section(
            section_values, problems, _namer(key)
        ).boolean("enabled", False)
        pipeline = _arguments(
            section_values, _keys(args_type, skip=STACK_WIDE), where, problems, extra=("enabled",)
        )
        # A section left off is still checked; only what it would need when enabled is not.
        found: list = []
        extra = {"region": region} if key == "notesApi" else {}
        resolve(pipeline, found, _namer(key), **extra)
        for problem in found:
            if isinstance(problem, Missing):
                if not enabled:
                    continue
                problem = problem.replace(": required;", ": required when enabled;", 1)
            problems.append(problem)
        if enabled:
            pipelines[key] = pipeline
    shared_args["web_endpoints"] = "notesApi" in pipelines
    shared = args.resolve_shared(shared_args, problems, _namer(None))
    stack_wide = {
        "log_retention_days": shared.log_retention_days,
        "deletion_protection": deletion_protection,
        "force_destroy": shared.force_destroy,
    }
    for key, pipeline in pipelines.items():
        accepted = get_type_hints(PIPELINES[key][0])
        pipeline.update({k: v for k, v in stack_wide.items() if k in accepted})
    if problems:
        raise ConfigError(
            "invalid stack configuration:\n" + "\n".join(f"  - {problem}" for problem in problems)
        )
    return StackConfig(args.SharedArgs(**shared_args), pipelines, region)


def _decode(raw: Any) -> Any:
    # The engine hands every value over as text: objects as JSON, numbers and booleans as literals.
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def namespace_values(raw: Mapping[str, Any]) -> dict:
    """The `event-pipelines:` entries of the engine's config (key -> text), decoded."""
    prefix = NAMESPACE + ":"
    return {
        key[len(prefix) :]: _decode(value) for key, value in raw.items() if key.startswith(prefix)
    }


def load() -> StackConfig:
    """The arguments of the running stack."""
    # The SDK's public API reads one key at a time; finding unknown keys needs the whole map, which
    # the engine passes either through PULUMI_CONFIG or through set_all_config.
    raw = {**pulumi.runtime.get_config_env(), **pulumi.runtime.config.CONFIG.get()}
    region = _decode(raw.get("aws:region")) or None
    return parse(namespace_values(raw), region if isinstance(region, str) else None)
