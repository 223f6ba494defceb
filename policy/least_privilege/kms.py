"""KMS rules: once a stack has a customer managed key, its data is encrypted with it. Advisory by
default.

--- customer-key-everywhere ----------------------------------------------------------------------

What: when the stack declares a customer managed key (aws.kms.Key, ReplicaKey, ExternalKey or
ReplicaExternalKey, for symmetric encryption), or the rule's `keyArns` names one, every table,
bucket, log group, queue, topic and function environment of the stack is encrypted with one of
those keys:

    DynamoDB table    server_side_encryption={"enabled": True, "kms_key_arn": key.arn}
    S3 bucket         a BucketServerSideEncryptionConfiguration rule with sse_algorithm "aws:kms"
                      (or "aws:kms:dsse") and kms_master_key_id naming the key
    log group         kms_key_id
    SQS queue         kms_master_key_id (sqs_managed_sse_enabled is a key SQS owns)
    SNS topic         kms_master_key_id
    Lambda function   kms_key_arn, when it has environment variables

A resource names a key by value (its ARN or key id, or the name or ARN of an aws.kms.Alias whose
target is the key) or by being computed from the key or such an alias.

Why: a key the stack owns is one whose policy says who may decrypt, whose use CloudTrail records
per request, and which can be disabled to cut off every copy of the data at once. AWS owned and
AWS managed keys (aws/s3, aws/dynamodb, aws/lambda...) allow none of that; one resource left on
them is where the data escapes those controls.

How to fix: set the property the finding names to the key's ARN (`key.arn`), and let the service
use the key in the key policy (CloudWatch Logs needs logs.<region>.amazonaws.com; S3 event
notifications into an encrypted queue or topic need s3.amazonaws.com...).

Not reported, because the AWS service cannot use the key:
- A bucket that receives S3 server access logs: the target bucket's default encryption may only
  be SSE-S3; "Default server-side encryption with AWS Key Management Service (AWS KMS) keys
  (SSE-KMS) is not supported" (S3 User Guide, "Enabling Amazon S3 server access logging").
- A resource in another region than every key: a KMS key is regional, and services use keys of
  their own region only (a CloudFront web ACL's log group lives in us-east-1). Regions are
  compared when known on both sides (the `region` of pulumi-aws v7 resources, or the one in an
  ARN); when only one side is known, the rule cannot tell and stays silent.

During preview, a key reference unknown during preview is not reported (it counts when computed
from a key, and cannot be judged when computed from nothing in the stack), nor is a bucket whose
id is unknown while an encryption configuration or logging with an unknown, unlinked bucket may be
its.
"""

import re
from dataclasses import dataclass
from typing import TypeGuard

from pulumi_policy import EnforcementLevel, Severity

from . import s3
from .props import UNKNOWN, as_list, dig, is_unknown
from .rule import Resource, RuleInfo, Targets, of_types, stack_rule

KEYS = (
    "aws:kms/key:Key",
    "aws:kms/replicaKey:ReplicaKey",
    "aws:kms/externalKey:ExternalKey",
    "aws:kms/replicaExternalKey:ReplicaExternalKey",
)
ALIAS = "aws:kms/alias:Alias"
TABLE = "aws:dynamodb/table:Table"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
QUEUE = "aws:sqs/queue:Queue"
TOPIC = "aws:sns/topic:Topic"
FUNCTION = "aws:lambda/function:Function"
ENCRYPTION_CONFIGS = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")

# A key ARN, an alias ARN or name, or a key id (multi-Region keys' start with "mrk-").
KEY_REFERENCE = (
    r"^(arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/[A-Za-z0-9/_+=,.@:-]+"
    r"|alias/[A-Za-z0-9/_-]+|mrk-[0-9a-f]{32}"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)
ARN_REGION = re.compile(r"^arn:[a-z-]+:[a-z0-9-]+:(?P<region>[a-z0-9-]*):")


def _known(value) -> TypeGuard[str]:
    """A non-empty string (not unknown during preview, not left empty)."""
    return isinstance(value, str) and value != ""


def _region(props: dict):
    """A region name, UNKNOWN, or None when the resource says nothing about its region."""
    region = props.get("region")
    if _known(region):
        return region
    arn = props.get("arn")
    match = ARN_REGION.match(arn) if _known(arn) else None
    if match and match["region"]:
        return match["region"]
    return UNKNOWN if is_unknown(region) or is_unknown(arn) else None


def _same_region(one, other) -> bool:
    """Whether a resource in `one` may use a key in `other`: no information on a side counts as
    the same region; a region unknown on one side only cannot be judged (False)."""
    if one is None or other is None:
        return True
    if is_unknown(one) or is_unknown(other):
        return is_unknown(one) and is_unknown(other)
    return one == other


def _encrypts(key: Resource) -> bool:
    """A key for symmetric encryption (the only kind these services take); unknown counts."""
    usage = key.props.get("keyUsage")
    spec = key.props.get("keySpec") or key.props.get("customerMasterKeySpec")
    return usage in (None, "", UNKNOWN, "ENCRYPT_DECRYPT") and spec in (
        None,
        "",
        UNKNOWN,
        "SYMMETRIC_DEFAULT",
    )


def _forms(reference: str) -> list:
    """A configured key reference and the shorter forms that name the same key."""
    forms = [reference]
    if reference.startswith("arn:") and ":key/" in reference:
        forms.append(reference.split(":key/", 1)[1])
    if reference.startswith("arn:") and ":alias/" in reference:
        forms.append("alias/" + reference.split(":alias/", 1)[1])
    return forms


@dataclass
class CustomerKeys:
    keys: list  # the stack's keys for encryption
    configured: list  # the rule's keyArns
    names: set  # strings that name one of them
    namers: Targets  # the keys, and the aliases of them, found by value or dependency

    def __bool__(self) -> bool:
        return bool(self.keys or self.configured)

    def regions(self) -> list:
        """(region, the expression findings propose, how they name the key), per key."""
        found = [(_region(k.props), "key.arn", str(k)) for k in self.keys]
        for reference in self.configured:
            match = ARN_REGION.match(reference)
            found.append((match["region"] if match else None, repr(reference), reference))
        return found

    def used_by(self, resource: Resource, prop: str, value) -> bool | None:
        """True/False whether `value` (of `resource`'s `prop`) names a customer key; None when
        it is unknown during preview and computed from none."""
        if is_unknown(value):
            return True if self.namers.named_by(resource, prop, ()) else None
        if not _known(value):
            return False
        return value in self.names or bool(self.namers.named_by(resource, prop, [value]))


def customer_keys(resources: list, settings: dict) -> CustomerKeys:
    keys = [k for k in of_types(resources, *KEYS) if _encrypts(k)]
    configured = list(settings["keyArns"])
    names = {form for reference in configured for form in _forms(reference)}

    def key_ids(key: Resource) -> list:
        return [key.props.get(p) for p in ("arn", "keyId", "id")]

    by_key = Targets(keys, key_ids)
    aliases = []
    for alias in of_types(resources, ALIAS):
        target = alias.props.get("targetKeyId")
        if (
            by_key.named_by(alias, "targetKeyId")
            or (_known(target) and target in names)
            or (is_unknown(target) and not alias.property_dependencies.get("targetKeyId"))
        ):
            aliases.append(alias)  # of a customer key, or maybe (then what names it is silent)
    namers = Targets(
        [*keys, *aliases],
        lambda r: key_ids(r) if r.type in KEYS else [r.props.get("name"), r.props.get("arn")],
    )
    return CustomerKeys(keys, configured, names, namers)


# --- what each kind of resource uses ---------------------------------------------------------------


def _table(keys: CustomerKeys, table: Resource):
    encryption = table.props.get("serverSideEncryption")
    enabled = dig(encryption, "enabled")
    if is_unknown(encryption) or is_unknown(enabled):
        return None, ""
    if enabled is not True:
        return False, "it uses a key AWS owns"
    arn = dig(encryption, "kmsKeyArn")
    verdict = keys.used_by(table, "serverSideEncryption", arn)
    why = f"it names {arn!r}" if _known(arn) else "it uses the AWS managed key aws/dynamodb"
    return verdict, why


def _simple(prop: str, default: str):
    def verdict(keys: CustomerKeys, resource: Resource):
        value = resource.props.get(prop)
        used = keys.used_by(resource, prop, value)
        return used, (f"it names {value!r}" if _known(value) else default)

    return verdict


def _queue(keys: CustomerKeys, queue: Resource):
    used, why = _simple("kmsMasterKeyId", "it uses no KMS key")(keys, queue)
    if not _known(queue.props.get("kmsMasterKeyId")) and queue.props.get("sqsManagedSseEnabled"):
        why = "sqs_managed_sse_enabled encrypts with a key SQS owns"
    return used, why


def _function(keys: CustomerKeys, function: Resource):
    variables = dig(function.props, "environment", "variables")
    if is_unknown(variables) or not variables:
        return None, ""  # no variables to encrypt, or not known yet
    return _simple("kmsKeyArn", "its environment variables use the AWS managed key aws/lambda")(
        keys, function
    )


CHECKS = {
    TABLE: (
        _table,
        "set server_side_encryption={{'enabled': True, 'kms_key_arn': {key}}}",
    ),
    LOG_GROUP: (
        _simple("kmsKeyId", "CloudWatch Logs encrypts it with a key the service owns"),
        "set kms_key_id={key} (the key policy must let logs.<region>.amazonaws.com use it)",
    ),
    QUEUE: (_queue, "set kms_master_key_id={key}"),
    TOPIC: (
        _simple("kmsMasterKeyId", "it uses no KMS key"),
        "set kms_master_key_id={key}",
    ),
    FUNCTION: (_function, "set kms_key_arn={key}"),
}

BUCKET_RULE = (
    "{{'apply_server_side_encryption_by_default': {{'sse_algorithm': 'aws:kms', "
    "'kms_master_key_id': {key}}}, 'bucket_key_enabled': True}}"
)


def _rule_verdict(keys: CustomerKeys, owner: Resource, prop: str, rule) -> bool | None:
    algorithm = dig(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm")
    if is_unknown(algorithm):
        return None
    if algorithm not in KMS_ALGORITHMS:
        return False  # AES256: SSE-S3, keys S3 owns
    key = dig(rule, "applyServerSideEncryptionByDefault", "kmsMasterKeyId")
    return keys.used_by(owner, prop, key)  # none given: the AWS managed key aws/s3


def _rules(value) -> list:
    """The encryption rules of a configuration's `rules`, or of a bucket's inline block."""
    if is_unknown(value):
        return [UNKNOWN]
    if isinstance(value, dict):  # the bucket's serverSideEncryptionConfiguration: one rule
        return as_list(value.get("rule")) + as_list(value.get("rules"))
    return as_list(value)


def _bucket_findings(resources: list, keys: CustomerKeys, applicable):
    configs = of_types(resources, *ENCRYPTION_CONFIGS)
    logging = s3.server_access_logging(resources)
    buckets = logging.buckets
    configs_of = buckets.referrers(configs, "bucket")
    undecided = any(
        is_unknown(c.props.get("bucket")) and not c.property_dependencies for c in configs
    )
    for bucket in buckets:
        unknown_id = is_unknown(bucket.props.get("id"))
        if id(bucket) in logging.log_buckets or (unknown_id and logging.unknown_target):
            continue  # server access logs only reach SSE-S3 buckets
        key = applicable(bucket)
        if key is None:
            continue
        expression, label = key
        mine = configs_of.get(id(bucket), [])
        verdicts = [
            _rule_verdict(keys, c, "rules", r) for c in mine for r in _rules(c.props.get("rules"))
        ]
        inline = bucket.props.get("serverSideEncryptionConfiguration")
        if inline is not None:
            verdicts += [
                _rule_verdict(keys, bucket, "serverSideEncryptionConfiguration", r)
                for r in _rules(inline)
            ]
        if any(v is not False for v in verdicts):
            continue
        if not mine and unknown_id and undecided:
            continue
        rule = BUCKET_RULE.format(key=expression)
        if mine:
            fix = f"give {mine[0]} the rules [{rule}]"
        else:
            fix = (
                "add aws.s3.BucketServerSideEncryptionConfiguration(bucket=bucket.id, "
                f"rules=[{rule}])"
            )
        yield bucket, f"{bucket} is not encrypted with the stack's customer key {label}: {fix}."


def check_customer_key(resources: list, settings: dict):
    keys = customer_keys(resources, settings)
    if not keys:
        return
    regions = keys.regions()

    def applicable(resource: Resource):
        """(expression, name) of a key the resource can use (of its region), None when none."""
        where = _region(resource.props)
        return next(
            ((expr, name) for region, expr, name in regions if _same_region(where, region)), None
        )

    for resource in resources:
        if resource.type not in CHECKS:
            continue
        verdict_of, fix = CHECKS[resource.type]
        used, why = verdict_of(keys, resource)
        if used is not False:
            continue
        key = applicable(resource)
        if key is None:
            continue  # every key is in another region (or the rule cannot tell)
        expression, label = key
        yield (
            resource,
            (
                f"{resource} is not encrypted with the stack's customer key {label} ({why}): "
                f"{fix.format(key=expression)}."
            ),
        )
    yield from _bucket_findings(resources, keys, applicable)


CUSTOMER_KEY = stack_rule(
    RuleInfo(
        name="customer-key-everywhere",
        description="When the stack has a customer managed KMS key (or the rule's keyArns names "
        "one), every table, bucket, log group, queue, topic and function environment is "
        "encrypted with it.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Set the key property the finding names (server_side_encryption.kms_key_arn, "
        "kms_master_key_id, kms_key_id, kms_key_arn, or an aws:kms bucket encryption rule) to "
        "key.arn, and allow the service in the key policy.",
        config={
            "keyArns": {
                "type": "array",
                "items": {"type": "string", "pattern": KEY_REFERENCE},
                "default": [],
                "description": "Customer managed keys made outside the stack (key or alias ARNs, "
                "alias names, key ids) that count as the stack's, and make the rule apply.",
            }
        },
    ),
    check_customer_key,
)

POLICIES = [CUSTOMER_KEY]
