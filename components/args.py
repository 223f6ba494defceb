"""The arguments of each component, as Pulumi components take them, and the checks they pass.

    UserBuckets("users", UserBucketsArgs(bucket_prefix="acme-prod-users"), opts)

Each `*Args` is a TypedDict (the shape Pulumi's component provider hands a component, and from
which it infers the schema other languages see): its keys are the Python names of the schema's
properties (`bucket_prefix` is `bucketPrefix` there, and in the stack config); every key but a
component's required ones may be left out, and its default is the secure one. Nested options
(`function`, `stream`, `invoke`, `domain`, `waf`, `alarms`) are TypedDicts of their own.

`resolve_*` checks every value at once and returns the component's settings (frozen dataclasses,
defaults filled in), or raises ArgsError listing each problem by its name (UserBucketsArgs.function
.memory_size) and what it accepts. components.config reads the stack config into these same
arguments and reports the same problems under the config keys instead.
"""

import dataclasses
import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Required, TypedDict

import pulumi

from .checks import SCHEMA_SPELLING, ArgsError, Namer, Section, args_namer, camel, inner_value

# Installed, handlers/ is a sibling package (event_pipelines.handlers); in this repository it is a
# top-level one, as Lambda and the tests import it.
try:
    from ..handlers.bucket_names import (
        NAME_RULE,
        PREFIX_RULE,
        is_valid_bucket_name,
        is_valid_prefix,
    )
except ImportError:
    from handlers.bucket_names import NAME_RULE, PREFIX_RULE, is_valid_bucket_name, is_valid_prefix

# The only values CloudWatch Logs accepts for retentionInDays ("never expire" is not offered).
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)  # fmt: skip
TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
DEFAULT_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")
MAX_COPY_BYTES = 5 * 1024**3  # CopyObject's limit; larger objects need a multipart copy
MIN_PART_BYTES = 5 * 1024**2  # the smallest part S3 accepts
MFA_MODES = ("OFF", "OPTIONAL", "ON")
# An origin a browser sends: https with a host, or plain http only on this machine (Cognito accepts
# http callback URLs for localhost alone).
ORIGIN = re.compile(
    r"^(https://[a-z0-9]([a-z0-9.-]*[a-z0-9])?|http://(localhost|127\.0\.0\.1))(:[0-9]{1,5})?$"
)
ORIGIN_RULE = "origins such as https://notes.example.com or http://localhost:8000 (no path)"
# Cognito's rule for a managed login domain prefix.
AUTH_DOMAIN_PREFIX = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
POLLY_VOICE = re.compile(r"^[A-Z][A-Za-z-]{1,30}$")
DOMAIN_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
HOSTED_ZONE_ID = re.compile(r"^Z[A-Z0-9]{1,31}$")
CERTIFICATE_ARN = re.compile(
    r"^arn:aws[a-z-]*:acm:(?P<region>[a-z0-9-]+):[0-9]{12}:certificate/[0-9a-f-]{36}$"
)
CLOUDFRONT_CERTIFICATE_REGION = "us-east-1"  # CloudFront takes certificates from there only
# Bounds shared by a pipeline's arguments and the building block they reach.
THROTTLING_RATE_LIMITS = (1, 10000)  # API Gateway: steady requests per second
THROTTLING_BURST_LIMITS = (1, 5000)
WAF_RATE_LIMITS = (10, 2_000_000_000)  # WAF's bounds for a rate-based rule over its 5-minute window
ACCESS_LOG_RETENTION_DAYS = (1, 3653)  # days S3 keeps access logs before they expire
TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# --- the arguments -------------------------------------------------------------------------------


class FunctionOptions(TypedDict, total=False):
    """The pipeline's Lambda function."""

    function_name: str
    """A fixed function name (1-64 of A-Z, a-z, 0-9, - and _); default: derived from the project,
    stack and component name."""
    memory_size: int
    """Memory in MB, 128 to 10240."""
    timeout: int
    """Seconds one invocation may run, 1 to 900."""
    reserved_concurrency: int
    """Concurrency reserved for the function and never exceeded (caps the cost of a flood), 1 to
    10000; default: the account's unreserved pool."""


class StreamOptions(TypedDict, total=False):
    """How Lambda reads, batches and retries the table's stream."""

    batch_size: int
    """Records per invocation, 1 to 10000 (default 100)."""
    maximum_batching_window_in_seconds: int
    """Seconds Lambda may wait to fill a batch, 0 to 300 (default 1)."""
    maximum_retry_attempts: int
    """Retries of a failing record before it goes to the dead-letter queue, 0 to 10000 (default
    5; never unbounded: that would hold the shard for a day)."""
    maximum_record_age_in_seconds: int
    """Records older than this go to the dead-letter queue, 60 to 604800 (default 86400)."""
    parallelization_factor: int
    """Concurrent batches per shard, 1 to 10 (default 1: records of one key stay in order)."""


class InvokeOptions(TypedDict, total=False):
    """How Lambda retries an S3 notification before it goes to the dead-letter queue."""

    maximum_retry_attempts: int
    """Retries, 0 to 2 (default 2)."""
    maximum_event_age_in_seconds: int
    """Events older than this go to the dead-letter queue, 60 to 21600 (default 21600)."""


class UserBucketsArgs(TypedDict, total=False):
    """Pipeline "user buckets": a new user in the users table gets a private bucket of their own."""

    bucket_prefix: Required[str]
    """Prefix of every bucket the function creates (bucket names are global: choose one unique to
    you, such as acme-prod-users)."""
    table_name: str
    """A fixed name for the users table (3-255 of A-Z, a-z, 0-9, _, - and .); default: auto-named."""
    log_retention_days: int
    """Days the function's logs are kept: a value CloudWatch Logs accepts (default 30)."""
    deletion_protection: bool
    """Protect the table from deletion (default false)."""
    function: FunctionOptions
    stream: StreamOptions


class StreamArchiveArgs(TypedDict, total=False):
    """Pipeline "stream archive": every change of a table, archived as JSON in a bucket."""

    table_name: str
    """A fixed name for the table (3-255 of A-Z, a-z, 0-9, _, - and .); default: auto-named."""
    bucket_name: str
    """A fixed name for the archive bucket (no dots); default: auto-named."""
    versioning: bool
    """Version the archive bucket (default true)."""
    log_retention_days: int
    """Days the function's logs are kept: a value CloudWatch Logs accepts (default 30)."""
    deletion_protection: bool
    """Protect the table from deletion (default false)."""
    force_destroy: bool
    """Let the bucket be deleted with its objects (default false)."""
    function: FunctionOptions
    stream: StreamOptions


class ImageMetadataArgs(TypedDict, total=False):
    """Pipeline "image metadata": an uploaded image gets a row in a table; deleting it removes it."""

    bucket_name: str
    """A fixed name for the upload bucket (no dots); default: auto-named."""
    table_name: str
    """A fixed name for the metadata table; default: auto-named."""
    suffixes: list[str]
    """Key suffixes that are images: distinct, not overlapping, case-sensitive (default .jpg,
    .jpeg, .png, .gif, .webp)."""
    versioning: bool
    """Version the upload bucket (default false)."""
    log_retention_days: int
    """Days the function's logs are kept: a value CloudWatch Logs accepts (default 30)."""
    deletion_protection: bool
    """Protect the table from deletion (default false)."""
    force_destroy: bool
    """Let the bucket be deleted with its objects (default false)."""
    function: FunctionOptions
    invoke: InvokeOptions


class ObjectCopyArgs(TypedDict, total=False):
    """Pipeline "object copy": objects created in a source bucket are copied to a destination."""

    source_bucket_name: str
    """A fixed name for the source bucket (no dots); default: auto-named."""
    destination_bucket_name: str
    """A fixed name for the destination bucket, not the source's; default: auto-named."""
    destination_prefix: str
    """Key prefix of the copies (default none)."""
    filter_prefix: str
    """Copy only keys starting with this (default all)."""
    filter_suffix: str
    """Copy only keys ending with this (default all)."""
    mirror_deletes: bool
    """Delete a copy when its source is deleted or expires (default false)."""
    versioning: bool
    """Version both buckets, so the exact version written is copied (default true)."""
    multipart_threshold_bytes: int
    """Objects from this size on are copied part by part, 5 MiB to 5 GiB (default 5 GiB)."""
    log_retention_days: int
    """Days the function's logs are kept: a value CloudWatch Logs accepts (default 30)."""
    force_destroy: bool
    """Let the buckets be deleted with their objects (default false)."""
    function: FunctionOptions
    invoke: InvokeOptions


class DomainOptions(TypedDict, total=False):
    """Custom domains of the notes site and API: TLS 1.2 or later instead of the default
    *.cloudfront.net certificate (minimum TLSv1) and execute-api host."""

    site_domain: str
    """The site's name, such as notes.example.com."""
    api_domain: str
    """The API's name, such as api.notes.example.com."""
    hosted_zone_id: str
    """A Route 53 public hosted zone of those names: certificates are created and validated in it
    and alias records point the names at the distribution and the API."""
    site_certificate_arn: str
    """An existing ACM certificate for site_domain, in us-east-1 (instead of hosted_zone_id)."""
    api_certificate_arn: str
    """An existing ACM certificate for api_domain, in the stack's region."""


class NotesApiArgs(TypedDict, total=False):
    """Pipeline "notes API": a signed-in user's notes, read aloud: site, user pool, REST API."""

    table_name: str
    """A fixed name for the notes table; default: auto-named."""
    allowed_origins: list[str]
    """Origins allowed besides the site's own, such as http://localhost:8000 (no path)."""
    mfa: str
    """Multi-factor sign-in: OFF, OPTIONAL or ON (default OPTIONAL)."""
    auth_domain_prefix: str
    """Prefix of the managed sign-in domain; default: derived from project, stack and name."""
    speech_url_expiry_seconds: int
    """Lifetime of a presigned speech URL, 1 to 3600 (default 300)."""
    voice_id: str
    """The Polly voice, such as Joanna (default) or Matthew."""
    throttling_rate_limit: int
    """Steady requests per second, 1 to 10000 (default 50)."""
    throttling_burst_limit: int
    """Burst of requests, 1 to 5000 (default 100)."""
    set_account_cloud_watch_role: bool
    """Give API Gateway the account's CloudWatch role, which it needs for access logs (once per
    account and region; default false)."""
    log_retention_days: int
    """Days the function's and the API's logs are kept: a value CloudWatch Logs accepts (default
    30)."""
    deletion_protection: bool
    """Protect the table from deletion (default false)."""
    force_destroy: bool
    """Let the buckets be deleted with their objects (default false)."""
    function: FunctionOptions
    domain: DomainOptions


class WafOptions(TypedDict, total=False):
    """AWS WAF in front of the public endpoints (API stages, distributions)."""

    enabled: bool
    """Default false ($5 per ACL a month and $1 per rule)."""
    rate_limit: int
    """Requests from one IP address within 5 minutes before it is blocked, 10 to 2000000000
    (default 1000)."""


class AlarmOptions(TypedDict, total=False):
    """CloudWatch alarms on every dead-letter queue and function errors, to one SNS topic."""

    enabled: bool
    """Default false."""
    topic_arn: str
    """An existing topic (arn:aws:sns:...); default: one created, which needs customer_key."""
    email: str
    """An address subscribed to the created topic (its owner confirms)."""


class SharedArgs(TypedDict, total=False):
    """What the pipelines of one stack share: the customer key, the log bucket, code signing, the
    alarm topic and web ACLs."""

    log_retention_days: int
    """Days the web ACLs' logs are kept: a value CloudWatch Logs accepts (default 30)."""
    force_destroy: bool
    """Let the log and code artifact buckets be deleted with their objects (default false)."""
    access_logs: bool
    """S3 server access logs of every bucket, and CloudFront's logs, into one log bucket (default
    true)."""
    access_log_retention_days: int
    """Days access logs are kept, 1 to 3653 (default 365)."""
    customer_key: bool
    """One customer managed KMS key, rotated yearly, for tables, buckets, logs, queues, topics and
    environments (default false: AWS managed keys)."""
    code_signing: bool
    """Functions run only code the stack signed with AWS Signer (default false)."""
    tracing: bool
    """X-Ray active tracing of functions and API stages (default false)."""
    web_endpoints: bool
    """The stack serves an API and a distribution (the notes API): make their web ACLs and let
    CloudFront deliver logs (default false)."""
    waf: WafOptions
    alarms: AlarmOptions


class EventPipelinesArgs(TypedDict, total=False):
    """A stack of pipelines, as a stack's config describes one: what they share, and each
    pipeline given (one left out is not deployed)."""

    shared: SharedArgs
    """What the pipelines share; its web_endpoints follows whether notes_api is given."""
    user_buckets: UserBucketsArgs
    """The user buckets pipeline, when given."""
    stream_archive: StreamArchiveArgs
    """The stream archive pipeline, when given."""
    image_metadata: ImageMetadataArgs
    """The image metadata pipeline, when given."""
    object_copy: ObjectCopyArgs
    """The object copy pipeline, when given."""
    notes_api: NotesApiArgs
    """The notes API, when given."""


# --- what the arguments resolve to ---------------------------------------------------------------


@dataclass(frozen=True)
class FunctionSettings:
    function_name: str | None = None
    memory_size: int = 256
    timeout: int = 60
    # None: the account's unreserved pool (a new account, whose quota is 10, cannot reserve any).
    reserved_concurrency: int | None = None


@dataclass(frozen=True)
class StreamSettings:
    batch_size: int = 100
    maximum_batching_window_in_seconds: int = 1
    maximum_retry_attempts: int = 5
    maximum_record_age_in_seconds: int = 86400
    parallelization_factor: int = 1


@dataclass(frozen=True)
class AsyncSettings:
    maximum_retry_attempts: int = 2
    maximum_event_age_in_seconds: int = 6 * 3600


@dataclass(frozen=True)
class UserBucketsSettings:
    bucket_prefix: str = ""
    table_name: str | None = None
    log_retention_days: int = 30
    deletion_protection: bool = False
    function: FunctionSettings = FunctionSettings()
    stream: StreamSettings = StreamSettings()


@dataclass(frozen=True)
class StreamArchiveSettings:
    table_name: str | None = None
    bucket_name: str | None = None
    versioning: bool = True
    log_retention_days: int = 30
    deletion_protection: bool = False
    force_destroy: bool = False
    function: FunctionSettings = FunctionSettings()
    stream: StreamSettings = StreamSettings()


@dataclass(frozen=True)
class ImageMetadataSettings:
    bucket_name: str | None = None
    table_name: str | None = None
    suffixes: tuple = DEFAULT_IMAGE_SUFFIXES
    # Off: deleting one version would not say whether the object is gone, which the index follows.
    versioning: bool = False
    log_retention_days: int = 30
    deletion_protection: bool = False
    force_destroy: bool = False
    function: FunctionSettings = FunctionSettings()
    invoke: AsyncSettings = AsyncSettings()


@dataclass(frozen=True)
class ObjectCopySettings:
    source_bucket_name: str | None = None
    destination_bucket_name: str | None = None
    destination_prefix: str = ""
    filter_prefix: str = ""
    filter_suffix: str = ""
    mirror_deletes: bool = False
    versioning: bool = True  # both buckets; a versioned source lets the exact version be copied
    multipart_threshold_bytes: int = MAX_COPY_BYTES
    log_retention_days: int = 30
    force_destroy: bool = False
    function: FunctionSettings = FunctionSettings(timeout=300)
    invoke: AsyncSettings = AsyncSettings()


@dataclass(frozen=True)
class DomainSettings:
    site_domain: str | None = None
    api_domain: str | None = None
    hosted_zone_id: str | None = None
    site_certificate_arn: str | None = None  # in us-east-1
    api_certificate_arn: str | None = None  # in the stack's region


@dataclass(frozen=True)
class NotesApiSettings:
    table_name: str | None = None
    # Besides the site's own origin (always allowed): e.g. a page served locally while developing.
    allowed_origins: tuple = ()
    mfa: str = "OPTIONAL"
    auth_domain_prefix: str | None = None  # default: derived from project, stack and name
    speech_url_expiry_seconds: int = 300
    voice_id: str = "Joanna"
    throttling_rate_limit: int = 50  # requests per second, steady
    throttling_burst_limit: int = 100
    # API Gateway writes access logs only once the account (per region) has a CloudWatch role.
    set_account_cloud_watch_role: bool = False
    log_retention_days: int = 30
    deletion_protection: bool = False
    force_destroy: bool = False
    function: FunctionSettings = FunctionSettings(timeout=30)
    domain: DomainSettings = DomainSettings()


@dataclass(frozen=True)
class WafSettings:
    enabled: bool = False
    rate_limit: int = 1000  # requests from one IP address within 5 minutes, then blocked


@dataclass(frozen=True)
class AlarmSettings:
    enabled: bool = False
    topic_arn: str | None = None  # an existing topic; default: one created for the stack
    email: str | None = None  # subscribed to the created topic (confirmed by its owner)


@dataclass(frozen=True)
class SharedSettings:
    log_retention_days: int = 30
    force_destroy: bool = False
    access_logs: bool = True
    access_log_retention_days: int = 365
    customer_key: bool = False
    code_signing: bool = False
    tracing: bool = False
    web_endpoints: bool = False
    waf: WafSettings = field(default_factory=WafSettings)
    alarms: AlarmSettings = field(default_factory=AlarmSettings)


# --- checking them -------------------------------------------------------------------------------


def _check(resolve: Callable[[Section], Any], args, args_type: type, problems, namer):
    """Run `resolve` on `args`: its settings, or ArgsError when no `problems` list collects them."""
    own = problems is None
    problems = [] if own else problems
    section = Section(args, problems, namer or args_namer(args_type))
    settings = resolve(section)
    section.finish()
    if own and problems:
        # Through the component package, the component's name: other languages have no XArgs.
        if SCHEMA_SPELLING.get():
            raise ArgsError(
                problems, f"invalid {args_type.__name__.removesuffix('Args')} arguments"
            )
        raise ArgsError(problems, f"invalid {args_type.__name__}")
    return settings


def read_function(section: Section, defaults: FunctionSettings) -> FunctionSettings:
    settings = FunctionSettings(
        function_name=section.text(
            "function_name",
            None,
            "1-64 characters of A-Z, a-z, 0-9, '-' and '_'",
            FUNCTION_NAME.match,
        ),
        memory_size=section.integer("memory_size", defaults.memory_size, 128, 10240),
        timeout=section.integer("timeout", defaults.timeout, 1, 900),
        reserved_concurrency=section.integer(
            "reserved_concurrency", defaults.reserved_concurrency, 1, 10000
        ),
    )
    section.finish()
    return settings


def _stream(section: Section) -> StreamSettings:
    defaults = StreamSettings()
    settings = StreamSettings(
        batch_size=section.integer("batch_size", defaults.batch_size, 1, 10000),
        maximum_batching_window_in_seconds=section.integer(
            "maximum_batching_window_in_seconds",
            defaults.maximum_batching_window_in_seconds,
            0,
            300,
        ),
        # Bounded on purpose: -1 (retry until the record expires) would block the shard for a day.
        maximum_retry_attempts=section.integer(
            "maximum_retry_attempts", defaults.maximum_retry_attempts, 0, 10000
        ),
        maximum_record_age_in_seconds=section.integer(
            "maximum_record_age_in_seconds", defaults.maximum_record_age_in_seconds, 60, 604800
        ),
        parallelization_factor=section.integer(
            "parallelization_factor", defaults.parallelization_factor, 1, 10
        ),
    )
    section.finish()
    return settings


def read_invoke(section: Section) -> AsyncSettings:
    defaults = AsyncSettings()
    settings = AsyncSettings(
        maximum_retry_attempts=section.integer(
            "maximum_retry_attempts", defaults.maximum_retry_attempts, 0, 2
        ),
        maximum_event_age_in_seconds=section.integer(
            "maximum_event_age_in_seconds", defaults.maximum_event_age_in_seconds, 60, 21600
        ),
    )
    section.finish()
    return settings


def read_retention(section: Section, default: int = 30) -> int:
    return section.integer("log_retention_days", default, 1, 3653, choices=RETENTION_DAYS)


def read_bucket_name(section: Section, key: str):
    # Dots are valid but break HTTPS to virtual-hosted buckets (the certificate is *.s3...).
    return section.text(
        key,
        None,
        NAME_RULE + ", and no '.'",
        lambda name: is_valid_bucket_name(name) and "." not in name,
    )


def _key_part(section: Section, key: str) -> str:
    return section.text(
        key,
        "",
        "an S3 key prefix or suffix: at most 1024 characters, not starting with '/'",
        lambda v: len(v) <= 1024 and not v.startswith("/"),
    )


def _table_name(section: Section):
    return section.text(
        "table_name", None, "3-255 characters of A-Z, a-z, 0-9, '_', '-' and '.'", TABLE_NAME.match
    )


def _stack_wide(section: Section, settings_type: type) -> dict:
    """The stack-wide keys a pipeline's settings have, read with the settings' own defaults."""
    defaults = settings_type()
    readers = {
        "log_retention_days": lambda: read_retention(section, defaults.log_retention_days),
        "deletion_protection": lambda: section.boolean(
            "deletion_protection", defaults.deletion_protection
        ),
        "force_destroy": lambda: section.boolean("force_destroy", defaults.force_destroy),
    }
    names = {f.name for f in dataclasses.fields(settings_type)}
    return {name: read() for name, read in readers.items() if name in names}


def resolve_user_buckets(
    args: UserBucketsArgs, problems: list | None = None, namer: Namer | None = None
) -> UserBucketsSettings:
    def resolve(section: Section) -> UserBucketsSettings:
        # Bucket names are global: a default prefix would collide with every other deployment.
        section.require(
            "bucket_prefix", f"a prefix unique to you, such as acme-prod-users: {PREFIX_RULE}"
        )
        return UserBucketsSettings(
            bucket_prefix=section.text("bucket_prefix", "", PREFIX_RULE, is_valid_prefix),
            table_name=_table_name(section),
            function=read_function(section.sub("function"), FunctionSettings()),
            stream=_stream(section.sub("stream")),
            **_stack_wide(section, UserBucketsSettings),
        )

    return _check(resolve, args, UserBucketsArgs, problems, namer)


def resolve_stream_archive(
    args: StreamArchiveArgs, problems: list | None = None, namer: Namer | None = None
) -> StreamArchiveSettings:
    def resolve(section: Section) -> StreamArchiveSettings:
        return StreamArchiveSettings(
            table_name=_table_name(section),
            bucket_name=read_bucket_name(section, "bucket_name"),
            versioning=section.boolean("versioning", StreamArchiveSettings.versioning),
            function=read_function(section.sub("function"), FunctionSettings()),
            stream=_stream(section.sub("stream")),
            **_stack_wide(section, StreamArchiveSettings),
        )

    return _check(resolve, args, StreamArchiveArgs, problems, namer)


def _suffixes_do_not_overlap(suffixes) -> bool:
    # S3 refuses two rules for the same events whose suffixes overlap (".jpg" and "a.jpg").
    distinct = len(set(suffixes)) == len(suffixes) and all(suffixes)
    return distinct and not any(a != b and b.endswith(a) for a in suffixes for b in suffixes)


def resolve_image_metadata(
    args: ImageMetadataArgs, problems: list | None = None, namer: Namer | None = None
) -> ImageMetadataSettings:
    def resolve(section: Section) -> ImageMetadataSettings:
        return ImageMetadataSettings(
            bucket_name=read_bucket_name(section, "bucket_name"),
            table_name=_table_name(section),
            suffixes=section.texts(
                "suffixes",
                DEFAULT_IMAGE_SUFFIXES,
                'a list of distinct, non-overlapping key suffixes such as [".jpg", ".png"] '
                "(S3 matches them case-sensitively)",
                _suffixes_do_not_overlap,
            ),
            versioning=section.boolean("versioning", ImageMetadataSettings.versioning),
            function=read_function(section.sub("function"), FunctionSettings()),
            invoke=read_invoke(section.sub("invoke")),
            **_stack_wide(section, ImageMetadataSettings),
        )

    return _check(resolve, args, ImageMetadataArgs, problems, namer)


def resolve_object_copy(
    args: ObjectCopyArgs, problems: list | None = None, namer: Namer | None = None
) -> ObjectCopySettings:
    defaults = ObjectCopySettings()

    def resolve(section: Section) -> ObjectCopySettings:
        settings = ObjectCopySettings(
            source_bucket_name=read_bucket_name(section, "source_bucket_name"),
            destination_bucket_name=read_bucket_name(section, "destination_bucket_name"),
            destination_prefix=_key_part(section, "destination_prefix"),
            filter_prefix=_key_part(section, "filter_prefix"),
            filter_suffix=_key_part(section, "filter_suffix"),
            mirror_deletes=section.boolean("mirror_deletes", defaults.mirror_deletes),
            versioning=section.boolean("versioning", defaults.versioning),
            multipart_threshold_bytes=section.integer(
                "multipart_threshold_bytes",
                defaults.multipart_threshold_bytes,
                MIN_PART_BYTES,
                MAX_COPY_BYTES,
            ),
            function=read_function(section.sub("function"), defaults.function),
            invoke=read_invoke(section.sub("invoke")),
            **_stack_wide(section, ObjectCopySettings),
        )
        if settings.source_bucket_name and (
            settings.source_bucket_name == settings.destination_bucket_name
        ):
            section.problems.append(
                f"{section.name('destination_bucket_name')}: must differ from "
                f"{section.short('source_bucket_name')}: copying a bucket into itself would "
                "trigger the copy again, forever"
            )
        return settings

    return _check(resolve, args, ObjectCopyArgs, problems, namer)


def _auth_domain_prefix_ok(prefix: str) -> bool:
    reserved = ("aws", "amazon", "cognito")
    return bool(AUTH_DOMAIN_PREFIX.match(prefix)) and not any(word in prefix for word in reserved)


def read_auth_domain_prefix(section: Section, key: str):
    return section.text(
        key,
        None,
        "1-63 characters of a-z, 0-9 and '-', not starting or ending with '-', without "
        "'aws', 'amazon' or 'cognito'",
        _auth_domain_prefix_ok,
    )


def read_mfa(section: Section, key: str, default: str) -> str:
    return section.text(key, default, "one of " + ", ".join(MFA_MODES), MFA_MODES.__contains__)


def resolve_notes_api(
    args: NotesApiArgs,
    problems: list | None = None,
    namer: Namer | None = None,
    region: str | None = None,
) -> NotesApiSettings:
    """`region`, when known, is where the API's certificate must be."""
    defaults = NotesApiSettings()

    def resolve(section: Section) -> NotesApiSettings:
        return NotesApiSettings(
            table_name=_table_name(section),
            allowed_origins=section.texts(
                "allowed_origins",
                defaults.allowed_origins,
                "a list of distinct " + ORIGIN_RULE,
                lambda origins: (
                    len(set(origins)) == len(origins) and all(map(ORIGIN.match, origins))
                ),
            ),
            mfa=read_mfa(section, "mfa", defaults.mfa),
            auth_domain_prefix=read_auth_domain_prefix(section, "auth_domain_prefix"),
            speech_url_expiry_seconds=section.integer(
                "speech_url_expiry_seconds", defaults.speech_url_expiry_seconds, 1, 3600
            ),
            voice_id=section.text(
                "voice_id",
                defaults.voice_id,
                "a Polly voice id such as Joanna or Matthew",
                POLLY_VOICE.match,
            ),
            throttling_rate_limit=section.integer(
                "throttling_rate_limit", defaults.throttling_rate_limit, *THROTTLING_RATE_LIMITS
            ),
            throttling_burst_limit=section.integer(
                "throttling_burst_limit", defaults.throttling_burst_limit, *THROTTLING_BURST_LIMITS
            ),
            set_account_cloud_watch_role=section.boolean(
                "set_account_cloud_watch_role", defaults.set_account_cloud_watch_role
            ),
            function=read_function(section.sub("function"), defaults.function),
            domain=_domain(section.sub("domain"), region),
            **_stack_wide(section, NotesApiSettings),
        )

    return _check(resolve, args, NotesApiArgs, problems, namer)


def read_certificate_arn(section: Section, key: str, region: str | None):
    where = f"in {region}" if region else "in the certificate's region"
    return section.text(
        key,
        None,
        f"the ARN of an ACM certificate {where}: arn:aws:acm:{region or '<region>'}:"
        "<account>:certificate/<id>",
        lambda arn: bool(
            (match := CERTIFICATE_ARN.match(arn)) and (region is None or match["region"] == region)
        ),
    )


def read_domain_name(section: Section, key: str):
    return section.text(
        key, None, "a lowercase DNS name such as notes.example.com", DOMAIN_NAME.match
    )


def read_hosted_zone_id(section: Section, key: str):
    return section.text(
        key, None, "a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ", HOSTED_ZONE_ID.match
    )


def _domain(section: Section, region: str | None) -> DomainSettings:
    domain = DomainSettings(
        site_domain=read_domain_name(section, "site_domain"),
        api_domain=read_domain_name(section, "api_domain"),
        hosted_zone_id=read_hosted_zone_id(section, "hosted_zone_id"),
        site_certificate_arn=read_certificate_arn(
            section, "site_certificate_arn", CLOUDFRONT_CERTIFICATE_REGION
        ),
        api_certificate_arn=read_certificate_arn(section, "api_certificate_arn", region),
    )
    zone, problems = domain.hosted_zone_id, section.problems
    for name, certificate, domain_key, certificate_key in (
        (domain.site_domain, domain.site_certificate_arn, "site_domain", "site_certificate_arn"),
        (domain.api_domain, domain.api_certificate_arn, "api_domain", "api_certificate_arn"),
    ):
        if name and not (zone or certificate):
            problems.append(
                f"{section.name(domain_key)}: needs {section.short('hosted_zone_id')} (a "
                "certificate is created and validated in that zone) or "
                f"{section.short(certificate_key)} (an existing certificate)"
            )
        if certificate and not name:
            problems.append(
                f"{section.name(certificate_key)}: given without {section.short(domain_key)}; "
                "expected both"
            )
    if zone and not (domain.site_domain or domain.api_domain):
        problems.append(
            f"{section.name('hosted_zone_id')}: given without {section.short('site_domain')} or "
            f"{section.short('api_domain')}"
        )
    if domain.site_domain and domain.site_domain == domain.api_domain:
        problems.append(
            f"{section.name('api_domain')}: must differ from {section.short('site_domain')}"
        )
    section.finish()
    return domain


def _waf(section: Section) -> WafSettings:
    defaults = WafSettings()
    settings = WafSettings(
        enabled=section.boolean("enabled", defaults.enabled),
        rate_limit=section.integer("rate_limit", defaults.rate_limit, *WAF_RATE_LIMITS),
    )
    section.finish()
    return settings


def _alarms(section: Section) -> AlarmSettings:
    settings = AlarmSettings(
        enabled=section.boolean("enabled", False),
        topic_arn=section.text(
            "topic_arn",
            None,
            "an SNS topic ARN: arn:aws:sns:<region>:<account>:<name>",
            TOPIC_ARN.match,
        ),
        email=section.text("email", None, "an email address", EMAIL.match),
    )
    if settings.topic_arn and settings.email:
        section.problems.append(
            f"{section.name('email')}: only for the topic the stack creates; subscribe it to "
            f"{section.short('topic_arn')} yourself, or leave {section.short('topic_arn')} unset"
        )
    section.finish()
    return settings


def resolve_shared(
    args: SharedArgs, problems: list | None = None, namer: Namer | None = None
) -> SharedSettings:
    defaults = SharedSettings()

    def resolve(section: Section) -> SharedSettings:
        settings = SharedSettings(
            log_retention_days=read_retention(section, defaults.log_retention_days),
            force_destroy=section.boolean("force_destroy", defaults.force_destroy),
            access_logs=section.boolean("access_logs", defaults.access_logs),
            access_log_retention_days=section.integer(
                "access_log_retention_days",
                defaults.access_log_retention_days,
                *ACCESS_LOG_RETENTION_DAYS,
            ),
            customer_key=section.boolean("customer_key", defaults.customer_key),
            code_signing=section.boolean("code_signing", defaults.code_signing),
            tracing=section.boolean("tracing", defaults.tracing),
            web_endpoints=section.boolean("web_endpoints", defaults.web_endpoints),
            waf=_waf(section.sub("waf")),
            alarms=_alarms(section.sub("alarms")),
        )
        if settings.alarms.enabled and not settings.alarms.topic_arn and not settings.customer_key:
            section.problems.append(
                f"{section.namer(('alarms', 'enabled'))}: the topic the stack creates is encrypted with "
                "the stack's customer key, and CloudWatch cannot publish to one encrypted with "
                f"aws/sns: set {section.name('customer_key')} to true, or name a topic of yours "
                f"in {section.namer(('alarms', 'topic_arn'))}"
            )
        return settings

    return _check(resolve, args, SharedArgs, problems, namer)


def resolve_event_pipelines(
    args: EventPipelinesArgs,
    problems: list | None = None,
    namer: Namer | None = None,
    region: str | None = None,
) -> dict:
    """Each part given, resolved: shared and every pipeline, by their keys. `region`, when
    known, is where the notes API's certificate must be."""
    parts: dict[str, Callable] = {
        "shared": resolve_shared,
        "user_buckets": resolve_user_buckets,
        "stream_archive": resolve_stream_archive,
        "image_metadata": resolve_image_metadata,
        "object_copy": resolve_object_copy,
        "notes_api": resolve_notes_api,
    }

    def resolve(section: Section) -> dict:
        def inner_name(key: str, path: tuple[str, ...]) -> str:
            return section.namer((*section.path, key, *path))

        resolved = {}
        for key, resolve_part in parts.items():
            inner = section.sub(key)  # reports a part that is not an object of arguments
            if key in section.values and isinstance(inner.values, Mapping):
                extra = {"region": region} if key == "notes_api" else {}
                resolved[key] = resolve_part(
                    inner.values,
                    section.problems,
                    lambda path, key=key: inner_name(key, path),
                    **extra,
                )
        web_endpoints = inner_value(section, "shared", "web_endpoints")
        if web_endpoints is not None and web_endpoints != ("notes_api" in section.values):
            section.problems.append(
                f"{inner_name('shared', ('web_endpoints',))}: follows whether notes_api is "
                "given; leave it out"
            )
        return resolved

    return _check(resolve, args, EventPipelinesArgs, problems, namer)


# --- the building blocks' arguments --------------------------------------------------------------
# Building blocks (SecureBucket, WebAcl, ...) are Python-only: each takes a frozen dataclass of its
# own module, which may hold pulumi Inputs, and checks it (components.checks.check_args) with the
# rules above.


def read_custom_domain(section: Section, region: str | None, certificate_given: bool) -> None:
    """`domain`, `certificate_arn` (in `region`, when known) and `zone_id` of a building block
    served at a domain of yours: the certificate is given, or made and validated in the zone."""
    domain = read_domain_name(section, "domain")
    read_hosted_zone_id(section, "zone_id")
    read_certificate_arn(section, "certificate_arn", region)
    for key in ("certificate_arn", "zone_id"):
        if section.values.get(key) is not None and section.values.get("domain") is None:
            section.problems.append(
                f"{section.name(key)}: given without {section.short('domain')}; expected both"
            )
    if domain and not (certificate_given or section.values.get("zone_id")):
        section.problems.append(
            f"{section.name('domain')}: needs {section.short('zone_id')} (a certificate is "
            f"created and validated in that zone) or {section.short('certificate_arn')} (an "
            "existing certificate)"
        )


def stack_region(opts: pulumi.ResourceOptions | None = None) -> str | None:
    """Where a component made with `opts` puts its regional resources, when known: the stack's
    aws:region (the program's, or the one the engine gives a component provider), unless `opts`
    names a provider of its own (then it is that provider's, unknown here)."""
    if opts is not None and (opts.provider or opts.providers):
        return None
    return pulumi.Config("aws").get("region")


def outputs_of(component: pulumi.ComponentResource) -> dict:
    """The component's typed output attributes (its class's annotations, which the schema is
    inferred from) by their schema and export names, camelCase; those left None are left out."""
    outputs = {}
    for name in inspect.get_annotations(type(component)):
        value = getattr(component, name)
        if value is not None:
            outputs[camel(name)] = value
    return outputs
