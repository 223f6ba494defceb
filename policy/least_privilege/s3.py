"""S3 rules: buckets are private and reachable over TLS only. Advisory by default."""

import ipaddress
from dataclasses import dataclass
from fnmatch import fnmatchcase

from pulumi_policy import EnforcementLevel, Severity

from .documents import allows_everyone, has_wildcard, is_full_wildcard_action, parse
from .props import as_list, dig, is_unknown
from .rule import Resource, RuleInfo, Targets, of_types, resource_rule, stack_rule

BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ACCOUNT_ACCESS_BLOCK = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
ACLS = ("aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2")
OBJECTS = ("aws:s3/bucketObject:BucketObject", "aws:s3/bucketObjectv2:BucketObjectv2")
LOGGINGS = ("aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2")

BLOCK_SETTINGS = (
    "blockPublicAcls",
    "blockPublicPolicy",
    "ignorePublicAcls",
    "restrictPublicBuckets",
)
PUBLIC_ACLS = ("public-read", "public-read-write", "authenticated-read")
PUBLIC_GRANTEES = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)
# Condition keys that tie a Principal "*" statement to known callers: AWS does not count such a
# policy as public (see "The meaning of public" in the S3 Block Public Access documentation).
NON_PUBLIC_CONDITION_KEYS = {
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:userid",
    "aws:principalservicename",
}


def buckets_of(resources: list) -> Targets:
    """The stack's buckets, found by a `bucket` property naming them (by value or dependency)."""
    return Targets(
        of_types(resources, *BUCKETS),
        lambda bucket: [bucket.props.get(key) for key in ("id", "bucket", "arn")],
    )


def _unlinked_unknown(resources: list) -> bool:
    """True when one of `resources` names its bucket by a value unknown during preview, with no
    dependency saying which: it may be any bucket's."""
    return any(is_unknown(r.props.get("bucket")) and not r.property_dependencies for r in resources)


def _blocks_everything(block: Resource) -> bool | None:
    """True/False, or None when a setting is unknown."""
    values = [block.props.get(name) for name in BLOCK_SETTINGS]
    if any(is_unknown(v) for v in values):
        return None
    return all(v is True for v in values)


def check_public_access_blocks(resources: list, settings: dict):
    if any(_blocks_everything(b) is not False for b in of_types(resources, ACCOUNT_ACCESS_BLOCK)):
        return  # the account-level block covers every bucket
    blocks = of_types(resources, ACCESS_BLOCK)
    buckets = buckets_of(resources)
    blocks_of = buckets.referrers(blocks, "bucket")
    undecided = _unlinked_unknown(blocks)
    for bucket in buckets:
        mine = blocks_of.get(id(bucket), [])
        verdicts = [_blocks_everything(b) for b in mine]
        if any(v is not False for v in verdicts):
            continue
        if not mine and is_unknown(bucket.props.get("id")) and undecided:
            continue  # cannot tell which bucket an unknown, unlinked block is for
        if mine:
            off = sorted({n for b in mine for n in BLOCK_SETTINGS if b.props.get(n) is not True})
            yield (
                bucket,
                (
                    f"{bucket} has a public access block with {', '.join(off)} off: turn "
                    "all four settings on."
                ),
            )
        else:
            yield (
                bucket,
                (
                    f"{bucket} has no public access block: add "
                    "aws.s3.BucketPublicAccessBlock with block_public_acls, "
                    "block_public_policy, ignore_public_acls and restrict_public_buckets "
                    "all true."
                ),
            )


PUBLIC_ACCESS_BLOCK = stack_rule(
    RuleInfo(
        name="s3-public-access-block",
        description="Every S3 bucket has a public access block with all four settings on (or "
        "the stack blocks public access for the whole account).",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Add aws.s3.BucketPublicAccessBlock(bucket=bucket.id, ...all four True).",
    ),
    check_public_access_blocks,
)


def _applies_to(statement, bucket: Resource) -> bool:
    """True when the statement's resources include the bucket (or cannot be known yet)."""
    arn = bucket.props.get("arn")
    if not isinstance(arn, str) or any(is_unknown(r) for r in statement.resources):
        return True
    return any(
        isinstance(r, str) and (fnmatchcase(arn, r) or fnmatchcase(arn + "/x", r))
        for r in statement.resources
    )


def _denies_insecure_transport(document, bucket: Resource) -> bool | None:
    """True when a statement denies everyone every S3 action on the bucket without TLS."""
    if is_unknown(document):
        return None
    for statement in parse(document):
        if not isinstance(statement.effect, str) or statement.effect.lower() != "deny":
            continue
        covers_s3 = any(
            is_full_wildcard_action(a) and a.split(":")[0].lower() in ("*", "s3")
            for a in statement.known_actions
        )
        if not (
            allows_everyone(statement.principal) and covers_s3 and _applies_to(statement, bucket)
        ):
            continue
        condition = statement.condition if isinstance(statement.condition, dict) else {}
        for operator, pairs in condition.items():
            if operator.lower() not in ("bool", "boolifexists") or not isinstance(pairs, dict):
                continue
            for key, value in pairs.items():
                values = [str(v).lower() for v in as_list(value)]
                if key.lower() == "aws:securetransport" and "false" in values:
                    return True
    return False


def check_tls_only(resources: list, settings: dict):
    policies = of_types(resources, BUCKET_POLICY)
    buckets = buckets_of(resources)
    policies_of = buckets.referrers(policies, "bucket")
    undecided = _unlinked_unknown(policies)
    for bucket in buckets:
        documents = [p.props.get("policy") for p in policies_of.get(id(bucket), [])]
        if bucket.props.get("policy") is not None:
            documents.append(bucket.props.get("policy"))
        verdicts = [_denies_insecure_transport(d, bucket) for d in documents]
        if any(v is not False for v in verdicts):
            continue
        if not documents and undecided:
            continue
        yield (
            bucket,
            (
                f"{bucket} accepts requests over plain HTTP: add a bucket policy statement "
                '{"Effect": "Deny", "Principal": "*", "Action": "s3:*", '
                '"Resource": [bucket ARN, bucket ARN + "/*"], "Condition": {"Bool": '
                '{"aws:SecureTransport": "false"}}}.'
            ),
        )


TLS_ONLY = stack_rule(
    RuleInfo(
        name="s3-tls-only",
        description="Every S3 bucket's policy denies requests that do not use TLS "
        "(aws:SecureTransport false).",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Add a Deny statement on s3:* for the bucket and its objects with Condition "
        "Bool aws:SecureTransport = false.",
    ),
    check_tls_only,
)


def check_public_acl(resource: Resource, settings: dict):
    acl = resource.props.get("acl")
    if isinstance(acl, str) and acl in PUBLIC_ACLS:
        yield (
            f"{resource} sets the canned ACL {acl!r}: everyone (or every AWS user) can read "
            "it. Keep it private, disable ACLs (BucketOwnerEnforced) and grant access with "
            "IAM, or serve it through CloudFront with origin access control."
        )
    grants = as_list(dig(resource.props, "accessControlPolicy", "grants", default=[]))
    grants += as_list(resource.props.get("grants"))  # the inline grants of aws.s3.Bucket
    for grant in grants:
        uri = dig(grant, "grantee", "uri") or dig(grant, "uri")
        if isinstance(uri, str) and uri in PUBLIC_GRANTEES:
            yield (
                f"{resource} grants {dig(grant, 'permission') or 'access'} to {uri}: remove "
                "the grant and use IAM or CloudFront instead."
            )


PUBLIC_ACL = resource_rule(
    RuleInfo(
        name="s3-no-public-acl",
        description="No S3 bucket or object ACL grants access to everyone or to all AWS users.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Use acl 'private' (or none, with BucketOwnerEnforced) and grant access with "
        "IAM or a CloudFront origin access control.",
    ),
    [*BUCKETS, *ACLS, *OBJECTS],
    check_public_acl,
)


POSITIVE_OPERATORS = (
    "StringEquals",
    "StringEqualsIgnoreCase",
    "StringLike",
    "ArnEquals",
    "ArnLike",
    "IpAddress",
)


def _narrow_network(value: str) -> bool:
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return network.prefixlen >= (8 if network.version == 4 else 32)


def _limits_callers(condition) -> bool:
    """True when a condition pins callers to fixed values of a key AWS counts as non-public
    (account, organization, source ARN, VPC endpoint, a fixed IP range), with a positive
    operator (not ...IfExists, not a negation) and no wildcard."""
    if not isinstance(condition, dict):
        return False
    for operator, pairs in condition.items():
        if operator.split(":")[-1] not in POSITIVE_OPERATORS or not isinstance(pairs, dict):
            continue
        for key, value in pairs.items():
            values = as_list(value)
            if not values or not all(isinstance(v, str) and not has_wildcard(v) for v in values):
                continue
            if key.lower() == "aws:sourceip":
                if operator.endswith("IpAddress") and all(_narrow_network(v) for v in values):
                    return True
            elif key.lower() in NON_PUBLIC_CONDITION_KEYS:
                return True
    return False


def check_public_policy(resource: Resource, settings: dict):
    for statement in parse(resource.props.get("policy")):
        everyone = allows_everyone(statement.principal) or statement.not_principal is not None
        if statement.allows and everyone and not _limits_callers(statement.condition):
            yield (
                f'{resource} policy {statement.label} allows Principal "*" '
                f"({', '.join(a for a in statement.known_actions) or 'its actions'}): the "
                "bucket is public. Name the principals, or serve the content through "
                'CloudFront with origin access control (Principal {"Service": '
                '"cloudfront.amazonaws.com"} and an aws:SourceArn condition).'
            )


PUBLIC_POLICY = resource_rule(
    RuleInfo(
        name="s3-no-public-bucket-policy",
        description='No bucket policy allows Principal "*" without a condition that limits it '
        "to known accounts, organizations, networks or sources.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Name the principals, or add a condition such as aws:SourceArn, "
        "aws:PrincipalOrgID or aws:SourceVpce.",
    ),
    [BUCKET_POLICY, *BUCKETS],
    check_public_policy,
)

# --- s3-access-logging -----------------------------------------------------------------------------
#
# What: every bucket has server access logging (an aws.s3.BucketLogging, or the bucket's own
# `logging` block) into another bucket. Why: access logs are the record of who read, wrote or
# deleted which object (CloudTrail data events cost per request and are off by default); without
# them an incident cannot be traced. How to fix: aws.s3.BucketLogging(bucket=bucket.id,
# target_bucket=log_bucket.id, target_prefix="<bucket>/").
#
# Log buckets (a bucket some logging delivers to) are not reported: logging one into itself would
# write a log object for every log object written, and logging it into another log bucket only
# moves the question. AWS: "Your target bucket should not have server access logging enabled ...
# delivering logs to the source bucket will cause an infinite loop of logs and is not recommended"
# (S3 User Guide, "Enabling Amazon S3 server access logging"). A bucket logging into itself is
# therefore reported. During preview, a bucket whose id is unknown is not reported while a logging
# whose bucket (or target bucket) is unknown and linked to no bucket of the stack may be its; a
# value computed from a bucket's side resource (target_bucket=log_policy.bucket) is that bucket's.


def _inline_logging(bucket: Resource):
    """The bucket's own `logging` block (one object in pulumi-aws v7, a list before), if any."""
    value = bucket.props.get("logging")
    if value is None:
        value = bucket.props.get("loggings")
    if is_unknown(value):
        return value
    blocks = [b for b in as_list(value) if is_unknown(b) or (isinstance(b, dict) and b)]
    return blocks or None


def _buckets_named(referrer: Resource, prop: str, values: list, buckets: Targets):
    """The stack's buckets `values` (of `referrer`'s `prop`) name: [] for buckets outside the
    stack, None when a value is unknown during preview and the rule cannot tell which bucket.

    A value computed from a bucket's side resource names that resource's bucket: a logging's
    target_bucket=log_policy.bucket waits for the log bucket's delivery policy."""
    linked = buckets.named_by(referrer, prop, values)
    if not linked:
        hops = [d for d in referrer.property_dependencies.get(prop, ()) if d.type not in BUCKETS]
        found = {id(b): b for d in hops for b in buckets.named_by(d, "bucket")}
        linked = list(found.values())
    if not linked and any(is_unknown(v) for v in values):
        return None
    return linked


@dataclass
class AccessLogging:
    """Who logs where: what the access-logging and customer-key rules need to know."""

    buckets: Targets  # the stack's buckets
    logged: dict  # id(bucket) -> [(what logs it, its targets as _buckets_named gives them)]
    log_buckets: set  # ids of the buckets some other bucket logs into
    unknown_source: bool  # a logging's bucket is unknown during preview, and which one unclear
    unknown_target: bool  # a logging's target bucket is unknown, and which one unclear


def server_access_logging(resources: list) -> AccessLogging:
    buckets = buckets_of(resources)
    logged = {}
    log_buckets = set()
    unknown_source = unknown_target = False
    for logging in of_types(resources, *LOGGINGS):
        targets = _buckets_named(
            logging, "targetBucket", [logging.props.get("targetBucket")], buckets
        )
        sources = _buckets_named(logging, "bucket", [logging.props.get("bucket")], buckets)
        unknown_target = unknown_target or targets is None
        unknown_source = unknown_source or sources is None
        for source in sources or ():
            logged.setdefault(id(source), []).append((logging, targets))
        log_buckets.update(id(t) for t in targets or () if t not in (sources or ()))
    for bucket in buckets:
        inline = _inline_logging(bucket)
        if inline is None:
            continue
        values = [inline] if is_unknown(inline) else [dig(b, "targetBucket") for b in inline]
        targets = _buckets_named(bucket, "logging", values, buckets)
        logged.setdefault(id(bucket), []).append((bucket, targets))
        log_buckets.update(id(t) for t in targets or () if t is not bucket)
    return AccessLogging(buckets, logged, log_buckets, unknown_source, unknown_target)


def _log_bucket(buckets: Targets, log_buckets: set) -> str:
    """What `log_bucket` stands for in findings: the stack's log bucket, or one to create."""
    named = [b for b in buckets if id(b) in log_buckets]
    if named:
        return f"{named[0]}, the stack's log bucket"
    return "a bucket of its own for logs (SSE-S3 encryption, no logging of its own)"


def check_access_logging(resources: list, settings: dict):
    logging = server_access_logging(resources)
    buckets, log_buckets = logging.buckets, logging.log_buckets
    undecided = logging.unknown_source or logging.unknown_target
    for bucket in buckets:
        mine = logging.logged.get(id(bucket), [])
        into_itself = [what for what, targets in mine if targets and bucket in targets]
        name = bucket.props.get("bucket")
        prefix = name if isinstance(name, str) else bucket.name
        if into_itself:
            yield (
                bucket,
                (
                    f"{bucket} logs into itself ({', '.join(str(w) for w in into_itself)}): "
                    "each log object S3 writes is logged in turn, without end. Set "
                    f'target_bucket=log_bucket.id and target_prefix="{prefix}/", log_bucket '
                    f"being {_log_bucket(buckets, log_buckets - {id(bucket)})}."
                ),
            )
            continue
        if mine or id(bucket) in log_buckets:
            continue
        if is_unknown(bucket.props.get("id")) and undecided:
            continue  # cannot tell which bucket an unknown, unlinked logging is for
        yield (
            bucket,
            (
                f"{bucket} has no server access logging: nothing records who read, wrote or "
                "deleted its objects. Add aws.s3.BucketLogging(bucket=bucket.id, "
                f'target_bucket=log_bucket.id, target_prefix="{prefix}/"), log_bucket being '
                f"{_log_bucket(buckets, log_buckets)}."
            ),
        )


ACCESS_LOGGING = stack_rule(
    RuleInfo(
        name="s3-access-logging",
        description="Every S3 bucket, except the log buckets themselves, has server access "
        "logging into another bucket (aws.s3.BucketLogging or the bucket's logging block).",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Add aws.s3.BucketLogging(bucket=bucket.id, target_bucket=log_bucket.id, "
        'target_prefix="<bucket>/") with a log bucket that does not log itself.',
    ),
    check_access_logging,
)

POLICIES = [PUBLIC_ACCESS_BLOCK, TLS_ONLY, PUBLIC_ACL, PUBLIC_POLICY, ACCESS_LOGGING]
