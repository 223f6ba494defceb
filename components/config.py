"""Stack configuration under `event-pipelines:`, checked as a whole before any resource exists.

Every problem (unknown key, wrong type, value AWS would reject) is collected and reported at once,
each naming the key and what it accepts, through pulumi.RunError so `pulumi preview` prints the
message without a stack trace.

    event-pipelines:logRetentionDays: 14        # stack-wide
    event-pipelines:forceDestroy: true
    event-pipelines:deletionProtection: false
    event-pipelines:userBuckets: {enabled: true, bucketPrefix: acme-dev-users, tableName: USER-DB}
    event-pipelines:streamArchive: {enabled: true, tableName: UsersIds, functionName: my-function,
                                    bucketName: s3-files-dynamo-stream}
"""

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from handlers.bucket_names import NAME_RULE, PREFIX_RULE, is_valid_bucket_name, is_valid_prefix

NAMESPACE = "event-pipelines"

# The only values CloudWatch Logs accepts for retentionInDays ("never expire" is not offered).
RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class ConfigError(pulumi.RunError):
    """Bad stack configuration: reported by the engine as a message, without a traceback."""


@dataclass(frozen=True)
class StackSettings:
    log_retention_days: int = 30
    force_destroy: bool = False
    deletion_protection: bool = False


@dataclass(frozen=True)
class FunctionSettings:
    function_name: str | None = None
    memory_size: int = 256
    timeout: int = 60


@dataclass(frozen=True)
class StreamSettings:
    """The event source mapping: how Lambda reads, batches and retries one stream."""

    batch_size: int = 100
    maximum_batching_window_in_seconds: int = 1
    maximum_retry_attempts: int = 5
    maximum_record_age_in_seconds: int = 86400
    parallelization_factor: int = 1


@dataclass(frozen=True)
class UserBucketsSettings:
    enabled: bool = False
    bucket_prefix: str = ""
    table_name: str | None = None
    function: FunctionSettings = FunctionSettings()
    stream: StreamSettings = StreamSettings()


@dataclass(frozen=True)
class StreamArchiveSettings:
    enabled: bool = False
    table_name: str | None = None
    bucket_name: str | None = None
    versioning: bool = True
    function: FunctionSettings = FunctionSettings()
    stream: StreamSettings = StreamSettings()


@dataclass(frozen=True)
class Settings:
    stack: StackSettings
    user_buckets: UserBucketsSettings
    stream_archive: StreamArchiveSettings


class _Section:
    """Reads one mapping of config values, recording a problem for each bad or unknown key."""

    def __init__(self, where: str, values: Any, problems: list, separator: str = "."):
        self.where, self.separator, self.problems, self.read = where, separator, problems, set()
        if not isinstance(values, Mapping):
            problems.append(f"{where}: expected an object of settings, got {values!r}")
            values = {}
        self.values = values

    def _take(self, key: str, accepted: str, is_type: Callable[[Any], bool], default, check):
        self.read.add(key)
        if key not in self.values:
            return default
        value = self.values[key]
        if not is_type(value) or (check is not None and not check(value)):
            self.problems.append(
                f"{self.name(key)}: {json.dumps(value)} is not accepted; expected {accepted}"
            )
            return default
        return value

    def integer(self, key, default, low, high, choices=None):
        accepted = (
            "one of " + ", ".join(map(str, choices))
            if choices
            else f"an integer from {low} to {high}"
        )
        return self._take(
            key,
            accepted,
            lambda v: isinstance(v, int) and not isinstance(v, bool),
            default,
            (lambda v: v in choices) if choices else (lambda v: low <= v <= high),
        )

    def boolean(self, key, default):
        return self._take(key, "true or false", lambda v: isinstance(v, bool), default, None)

    def text(self, key, default, accepted, check):
        return self._take(key, accepted, lambda v: isinstance(v, str), default, check)

    def require(self, key, accepted):
        if key not in self.values:
            self.problems.append(f"{self.name(key)}: required when enabled; expected {accepted}")

    def name(self, key: str) -> str:
        return f"{self.where}{self.separator}{key}"

    def finish(self):
        for key in sorted(set(self.values) - self.read):
            self.problems.append(
                f"{self.name(key)}: unknown key; accepted keys: {', '.join(sorted(self.read))}"
            )


def _function_settings(section: _Section) -> FunctionSettings:
    return FunctionSettings(
        function_name=section.text(
            "functionName",
            None,
            "1-64 characters of A-Z, a-z, 0-9, '-' and '_'",
            FUNCTION_NAME.match,
        ),
        memory_size=section.integer("memorySize", FunctionSettings.memory_size, 128, 10240),
        timeout=section.integer("timeout", FunctionSettings.timeout, 1, 900),
    )


def _stream_settings(section: _Section) -> StreamSettings:
    defaults = StreamSettings()
    return StreamSettings(
        batch_size=section.integer("batchSize", defaults.batch_size, 1, 10000),
        maximum_batching_window_in_seconds=section.integer(
            "maximumBatchingWindowInSeconds", defaults.maximum_batching_window_in_seconds, 0, 300
        ),
        # Bounded on purpose: -1 (retry until the record expires) would block the shard for a day.
        maximum_retry_attempts=section.integer(
            "maximumRetryAttempts", defaults.maximum_retry_attempts, 0, 10000
        ),
        maximum_record_age_in_seconds=section.integer(
            "maximumRecordAgeInSeconds", defaults.maximum_record_age_in_seconds, 60, 604800
        ),
        parallelization_factor=section.integer(
            "parallelizationFactor", defaults.parallelization_factor, 1, 10
        ),
    )


def _table_name(section: _Section):
    return section.text(
        "tableName", None, "3-255 characters of A-Z, a-z, 0-9, '_', '-' and '.'", TABLE_NAME.match
    )


def _user_buckets(values, problems) -> UserBucketsSettings:
    section = _Section(f"{NAMESPACE}:userBuckets", values, problems)
    enabled = section.boolean("enabled", False)
    prefix = section.text("bucketPrefix", "", PREFIX_RULE, is_valid_prefix)
    settings = UserBucketsSettings(
        enabled=enabled,
        bucket_prefix=prefix,
        table_name=_table_name(section),
        function=_function_settings(section),
        stream=_stream_settings(section),
    )
    if enabled:
        # Bucket names are global: a default prefix would collide with every other deployment.
        section.require(
            "bucketPrefix", f"a prefix unique to you, such as acme-prod-users: {PREFIX_RULE}"
        )
    section.finish()
    return settings


def _stream_archive(values, problems) -> StreamArchiveSettings:
    section = _Section(f"{NAMESPACE}:streamArchive", values, problems)
    settings = StreamArchiveSettings(
        enabled=section.boolean("enabled", False),
        table_name=_table_name(section),
        # Dots are valid but break HTTPS to virtual-hosted buckets (the certificate is *.s3...).
        bucket_name=section.text(
            "bucketName",
            None,
            NAME_RULE + ", and no '.'",
            lambda name: is_valid_bucket_name(name) and "." not in name,
        ),
        versioning=section.boolean("versioning", True),
        function=_function_settings(section),
        stream=_stream_settings(section),
    )
    section.finish()
    return settings


def parse(values: Mapping[str, Any]) -> Settings:
    """Settings from the namespace's values (keys without `event-pipelines:`), or ConfigError."""
    problems: list = []
    top = _Section(NAMESPACE, values, problems, separator=":")
    defaults = StackSettings()
    stack = StackSettings(
        log_retention_days=top.integer(
            "logRetentionDays", defaults.log_retention_days, 1, 3653, choices=RETENTION_DAYS
        ),
        force_destroy=top.boolean("forceDestroy", defaults.force_destroy),
        deletion_protection=top.boolean("deletionProtection", defaults.deletion_protection),
    )
    top.read.update({"userBuckets", "streamArchive"})
    settings = Settings(
        stack=stack,
        user_buckets=_user_buckets(values.get("userBuckets", {}), problems),
        stream_archive=_stream_archive(values.get("streamArchive", {}), problems),
    )
    top.finish()
    if problems:
        raise ConfigError(
            "invalid stack configuration:\n" + "\n".join(f"  - {problem}" for problem in problems)
        )
    return settings


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


def load() -> Settings:
    """Settings of the running stack."""
    # The SDK's public API reads one key at a time; finding unknown keys needs the whole map, which
    # the engine passes either through PULUMI_CONFIG or through set_all_config.
    raw = {**pulumi.runtime.get_config_env(), **pulumi.runtime.config.CONFIG.get()}
    return parse(namespace_values(raw))
