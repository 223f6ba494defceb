"""Stack configuration under `event-pipelines:`, checked as a whole before any resource exists.

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
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

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

NAMESPACE = "event-pipelines"

# The only values CloudWatch Logs accepts for retentionInDays ("never expire" is not offered).
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)  # fmt: skip
PIPELINE_KEYS = ("userBuckets", "streamArchive", "imageMetadata", "objectCopy", "notesApi")
TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class ConfigError(pulumi.RunError):
    """Bad stack configuration: reported by the engine as a message, without a traceback."""


@dataclass(frozen=True)
class WafSettings:
    """AWS WAF in front of every public endpoint the stack creates (API stages, distributions)."""

    enabled: bool = False
    rate_limit: int = 1000  # requests from one IP address within 5 minutes, then blocked


@dataclass(frozen=True)
class AlarmSettings:
    """CloudWatch alarms on dead-letter queues and function errors, sent to one SNS topic."""

    enabled: bool = False
    topic_arn: str | None = None  # an existing topic; default: one created for the stack
    email: str | None = None  # subscribed to the created topic (confirmed by its owner)


@dataclass(frozen=True)
class StackSettings:
    log_retention_days: int = 30
    force_destroy: bool = False
    deletion_protection: bool = False
    # S3 server access logs of every bucket, and CloudFront's logs, into one log bucket.
    access_logs: bool = True
    access_log_retention_days: int = 365
    # One customer managed key (rotated yearly) for tables, buckets, logs, queues, topics and
    # function environments, instead of AWS managed keys.
    customer_key: bool = False
    # Functions deploy only code signed by the stack's AWS Signer profile.
    code_signing: bool = False
    # X-Ray active tracing of functions and API stages.
    tracing: bool = False
    waf: WafSettings = WafSettings()
    alarms: AlarmSettings = AlarmSettings()


@dataclass(frozen=True)
class FunctionSettings:
    function_name: str | None = None
    memory_size: int = 256
    timeout: int = 60
    # Concurrency kept for this function and never exceeded: a cap on the cost of a flood. None:
    # the account's unreserved pool (a new account, whose quota is 10, cannot reserve any).
    reserved_concurrency: int | None = None


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
class AsyncSettings:
    """How Lambda retries an asynchronous invocation (an S3 notification) before the DLQ."""

    maximum_retry_attempts: int = 2
    maximum_event_age_in_seconds: int = 6 * 3600


DEFAULT_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")
MAX_COPY_BYTES = 5 * 1024**3  # CopyObject's limit; larger objects need a multipart copy
MIN_PART_BYTES = 5 * 1024**2  # the smallest part S3 accepts


@dataclass(frozen=True)
class ImageMetadataSettings:
    enabled: bool = False
    bucket_name: str | None = None
    table_name: str | None = None
    suffixes: tuple = DEFAULT_IMAGE_SUFFIXES
    # Off: deleting one version of an object would not say whether the object still exists.
    versioning: bool = False
    function: FunctionSettings = FunctionSettings()
    invoke: AsyncSettings = AsyncSettings()


@dataclass(frozen=True)
class ObjectCopySettings:
    enabled: bool = False
    source_bucket_name: str | None = None
    destination_bucket_name: str | None = None
    destination_prefix: str = ""
    filter_prefix: str = ""
    filter_suffix: str = ""
    mirror_deletes: bool = False
    versioning: bool = True  # both buckets; a versioned source lets the exact version be copied
    multipart_threshold_bytes: int = MAX_COPY_BYTES
    function: FunctionSettings = FunctionSettings(timeout=300)
    invoke: AsyncSettings = AsyncSettings()


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


@dataclass(frozen=True)
class DomainSettings:
    """Custom domains of the site and the API: TLS 1.2 or later, instead of the default
    *.cloudfront.net certificate (whose minimum is TLSv1) and execute-api host."""

    site_domain: str | None = None  # e.g. notes.example.com
    api_domain: str | None = None  # e.g. api.notes.example.com
    # A Route 53 public hosted zone of those names: certificates are created and validated in it,
    # and alias records point the names at the distribution and the API.
    hosted_zone_id: str | None = None
    # Or certificates that already exist (then DNS records are yours to create).
    site_certificate_arn: str | None = None  # in us-east-1
    api_certificate_arn: str | None = None  # in the stack's region


@dataclass(frozen=True)
class NotesApiSettings:
    enabled: bool = False
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
    set_account_cloudwatch_role: bool = False
    function: FunctionSettings = FunctionSettings(timeout=30)
    domain: DomainSettings = DomainSettings()


@dataclass(frozen=True)
class Settings:
    stack: StackSettings
    user_buckets: UserBucketsSettings = UserBucketsSettings()
    stream_archive: StreamArchiveSettings = StreamArchiveSettings()
    image_metadata: ImageMetadataSettings = ImageMetadataSettings()
    object_copy: ObjectCopySettings = ObjectCopySettings()
    notes_api: NotesApiSettings = NotesApiSettings()


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

    def texts(self, key, default, accepted, check):
        """A non-empty list of strings, returned as a tuple."""
        value = self._take(
            key,
            accepted,
            lambda v: isinstance(v, list) and bool(v) and all(isinstance(i, str) for i in v),
            default,
            check,
        )
        return tuple(value)

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


def _function_settings(section: _Section, defaults=FunctionSettings()) -> FunctionSettings:
    return FunctionSettings(
        function_name=section.text(
            "functionName",
            None,
            "1-64 characters of A-Z, a-z, 0-9, '-' and '_'",
            FUNCTION_NAME.match,
        ),
        memory_size=section.integer("memorySize", defaults.memory_size, 128, 10240),
        timeout=section.integer("timeout", defaults.timeout, 1, 900),
        reserved_concurrency=section.integer(
            "reservedConcurrency", defaults.reserved_concurrency, 1, 10000
        ),
    )


def _async_settings(section: _Section) -> AsyncSettings:
    defaults = AsyncSettings()
    return AsyncSettings(
        maximum_retry_attempts=section.integer(
            "maximumRetryAttempts", defaults.maximum_retry_attempts, 0, 2
        ),
        maximum_event_age_in_seconds=section.integer(
            "maximumEventAgeInSeconds", defaults.maximum_event_age_in_seconds, 60, 21600
        ),
    )


def _bucket_name(section: _Section, key: str):
    # Dots are valid but break HTTPS to virtual-hosted buckets (the certificate is *.s3...).
    return section.text(
        key,
        None,
        NAME_RULE + ", and no '.'",
        lambda name: is_valid_bucket_name(name) and "." not in name,
    )


def _key_part(section: _Section, key: str) -> str:
    return section.text(
        key,
        "",
        "an S3 key prefix or suffix: at most 1024 characters, not starting with '/'",
        lambda v: len(v) <= 1024 and not v.startswith("/"),
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
        bucket_name=_bucket_name(section, "bucketName"),
        versioning=section.boolean("versioning", True),
        function=_function_settings(section),
        stream=_stream_settings(section),
    )
    section.finish()
    return settings


def _suffixes_do_not_overlap(suffixes) -> bool:
    # S3 refuses two rules for the same events whose suffixes overlap (".jpg" and "a.jpg").
    distinct = len(set(suffixes)) == len(suffixes) and all(suffixes)
    return distinct and not any(a != b and b.endswith(a) for a in suffixes for b in suffixes)


def _image_metadata(values, problems) -> ImageMetadataSettings:
    section = _Section(f"{NAMESPACE}:imageMetadata", values, problems)
    defaults = ImageMetadataSettings()
    settings = ImageMetadataSettings(
        enabled=section.boolean("enabled", False),
        bucket_name=_bucket_name(section, "bucketName"),
        table_name=_table_name(section),
        suffixes=section.texts(
            "suffixes",
            defaults.suffixes,
            'a list of distinct, non-overlapping key suffixes such as [".jpg", ".png"] '
            "(S3 matches them case-sensitively)",
            _suffixes_do_not_overlap,
        ),
        versioning=section.boolean("versioning", defaults.versioning),
        function=_function_settings(section),
        invoke=_async_settings(section),
    )
    section.finish()
    return settings


def _object_copy(values, problems) -> ObjectCopySettings:
    section = _Section(f"{NAMESPACE}:objectCopy", values, problems)
    defaults = ObjectCopySettings()
    settings = ObjectCopySettings(
        enabled=section.boolean("enabled", False),
        source_bucket_name=_bucket_name(section, "sourceBucketName"),
        destination_bucket_name=_bucket_name(section, "destinationBucketName"),
        destination_prefix=_key_part(section, "destinationPrefix"),
        filter_prefix=_key_part(section, "filterPrefix"),
        filter_suffix=_key_part(section, "filterSuffix"),
        mirror_deletes=section.boolean("mirrorDeletes", defaults.mirror_deletes),
        versioning=section.boolean("versioning", defaults.versioning),
        multipart_threshold_bytes=section.integer(
            "multipartThresholdBytes",
            defaults.multipart_threshold_bytes,
            MIN_PART_BYTES,
            MAX_COPY_BYTES,
        ),
        function=_function_settings(section, defaults.function),
        invoke=_async_settings(section),
    )
    if settings.source_bucket_name and settings.source_bucket_name == (
        settings.destination_bucket_name
    ):
        problems.append(
            f"{section.name('destinationBucketName')}: must differ from sourceBucketName: "
            "copying a bucket into itself would trigger the copy again, forever"
        )
    section.finish()
    return settings


def _auth_domain_prefix_ok(prefix: str) -> bool:
    reserved = ("aws", "amazon", "cognito")
    return bool(AUTH_DOMAIN_PREFIX.match(prefix)) and not any(word in prefix for word in reserved)


def _notes_api(values, problems, region: str | None = None) -> NotesApiSettings:
    section = _Section(f"{NAMESPACE}:notesApi", values, problems)
    defaults = NotesApiSettings()
    settings = NotesApiSettings(
        enabled=section.boolean("enabled", False),
        table_name=_table_name(section),
        allowed_origins=section.texts(
            "allowedOrigins",
            defaults.allowed_origins,
            "a list of distinct " + ORIGIN_RULE,
            lambda origins: len(set(origins)) == len(origins) and all(map(ORIGIN.match, origins)),
        ),
        mfa=section.text(
            "mfa", defaults.mfa, "one of " + ", ".join(MFA_MODES), MFA_MODES.__contains__
        ),
        auth_domain_prefix=section.text(
            "authDomainPrefix",
            None,
            "1-63 characters of a-z, 0-9 and '-', not starting or ending with '-', without "
            "'aws', 'amazon' or 'cognito'",
            _auth_domain_prefix_ok,
        ),
        speech_url_expiry_seconds=section.integer(
            "speechUrlExpirySeconds", defaults.speech_url_expiry_seconds, 1, 3600
        ),
        voice_id=section.text(
            "voiceId",
            defaults.voice_id,
            "a Polly voice id such as Joanna or Matthew",
            POLLY_VOICE.match,
        ),
        throttling_rate_limit=section.integer(
            "throttlingRateLimit", defaults.throttling_rate_limit, 1, 10000
        ),
        throttling_burst_limit=section.integer(
            "throttlingBurstLimit", defaults.throttling_burst_limit, 1, 5000
        ),
        set_account_cloudwatch_role=section.boolean(
            "setAccountCloudWatchRole", defaults.set_account_cloudwatch_role
        ),
        function=_function_settings(section, defaults.function),
        domain=_domain_settings(section, problems, region),
    )
    section.finish()
    return settings


def _certificate_arn(section: _Section, key: str, region: str | None):
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


def _domain_settings(section: _Section, problems: list, region: str | None) -> DomainSettings:
    names = "a lowercase DNS name such as notes.example.com"
    site = section.text("siteDomain", None, names, DOMAIN_NAME.match)
    api = section.text("apiDomain", None, names, DOMAIN_NAME.match)
    zone = section.text(
        "hostedZoneId",
        None,
        "a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ",
        HOSTED_ZONE_ID.match,
    )
    domain = DomainSettings(
        site_domain=site,
        api_domain=api,
        hosted_zone_id=zone,
        site_certificate_arn=_certificate_arn(
            section, "siteCertificateArn", CLOUDFRONT_CERTIFICATE_REGION
        ),
        api_certificate_arn=_certificate_arn(section, "apiCertificateArn", region),
    )
    for name, certificate, domain_key, certificate_key in (
        (site, domain.site_certificate_arn, "siteDomain", "siteCertificateArn"),
        (api, domain.api_certificate_arn, "apiDomain", "apiCertificateArn"),
    ):
        if name and not (zone or certificate):
            problems.append(
                f"{section.name(domain_key)}: needs hostedZoneId (a certificate is created and "
                f"validated in that zone) or {certificate_key} (an existing certificate)"
            )
        if certificate and not name:
            problems.append(
                f"{section.name(certificate_key)}: given without {domain_key}; expected both"
            )
    if zone and not (site or api):
        problems.append(f"{section.name('hostedZoneId')}: given without siteDomain or apiDomain")
    if site and api and site == api:
        problems.append(f"{section.name('apiDomain')}: must differ from siteDomain")
    return domain


def _waf_settings(values, problems) -> WafSettings:
    section = _Section(f"{NAMESPACE}:waf", values, problems)
    defaults = WafSettings()
    settings = WafSettings(
        enabled=section.boolean("enabled", defaults.enabled),
        # WAF's bounds for a rate-based rule over its default 5-minute window.
        rate_limit=section.integer("rateLimit", defaults.rate_limit, 10, 2_000_000_000),
    )
    section.finish()
    return settings


TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _alarm_settings(values, problems) -> AlarmSettings:
    section = _Section(f"{NAMESPACE}:alarms", values, problems)
    settings = AlarmSettings(
        enabled=section.boolean("enabled", False),
        topic_arn=section.text(
            "topicArn",
            None,
            "an SNS topic ARN: arn:aws:sns:<region>:<account>:<name>",
            TOPIC_ARN.match,
        ),
        email=section.text("email", None, "an email address", EMAIL.match),
    )
    if settings.topic_arn and settings.email:
        problems.append(
            f"{section.name('email')}: only for the topic the stack creates; subscribe it to "
            "topicArn yourself, or leave topicArn unset"
        )
    section.finish()
    return settings


def parse(values: Mapping[str, Any], region: str | None = None) -> Settings:
    """Settings from the namespace's values (keys without `event-pipelines:`), or ConfigError.
    `region` (aws:region), when known, is where regional certificates must be."""
    problems: list = []
    top = _Section(NAMESPACE, values, problems, separator=":")
    defaults = StackSettings()
    stack = StackSettings(
        log_retention_days=top.integer(
            "logRetentionDays", defaults.log_retention_days, 1, 3653, choices=RETENTION_DAYS
        ),
        force_destroy=top.boolean("forceDestroy", defaults.force_destroy),
        deletion_protection=top.boolean("deletionProtection", defaults.deletion_protection),
        access_logs=top.boolean("accessLogs", defaults.access_logs),
        access_log_retention_days=top.integer(
            "accessLogRetentionDays", defaults.access_log_retention_days, 1, 3653
        ),
        customer_key=top.boolean("customerKey", defaults.customer_key),
        code_signing=top.boolean("codeSigning", defaults.code_signing),
        tracing=top.boolean("tracing", defaults.tracing),
        waf=_waf_settings(values.get("waf", {}), problems),
        alarms=_alarm_settings(values.get("alarms", {}), problems),
    )
    if stack.alarms.enabled and not stack.alarms.topic_arn and not stack.customer_key:
        problems.append(
            f"{NAMESPACE}:alarms.enabled: the topic the stack creates is encrypted with the "
            "stack's customer key, and CloudWatch cannot publish to one encrypted with aws/sns: "
            f"set {NAMESPACE}:customerKey to true, or name a topic of yours in alarms.topicArn"
        )
    top.read.update(PIPELINE_KEYS + ("waf", "alarms"))
    settings = Settings(
        stack=stack,
        user_buckets=_user_buckets(values.get("userBuckets", {}), problems),
        stream_archive=_stream_archive(values.get("streamArchive", {}), problems),
        image_metadata=_image_metadata(values.get("imageMetadata", {}), problems),
        object_copy=_object_copy(values.get("objectCopy", {}), problems),
        notes_api=_notes_api(values.get("notesApi", {}), problems, region),
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
    region = _decode(raw.get("aws:region")) or None
    return parse(namespace_values(raw), region if isinstance(region, str) else None)
