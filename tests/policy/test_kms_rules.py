"""customer-key-everywhere: once the stack has a customer managed key, its data uses it."""

import pytest

from tests.policy.harness import ACCOUNT, UNKNOWN, Res, check_stack, finding, only

RULE = "customer-key-everywhere"
KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
TABLE = "aws:dynamodb/table:Table"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
QUEUE = "aws:sqs/queue:Queue"
TOPIC = "aws:sns/topic:Topic"
FUNCTION = "aws:lambda/function:Function"
BUCKET = "aws:s3/bucket:Bucket"
ENCRYPTION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
)
LOGGING = "aws:s3/bucketLogging:BucketLogging"
REGION = "eu-west-1"
KEY_ID = "e6600d79-142a-edd8-19d2-9b51cf363540"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{KEY_ID}"
OUTSIDE_KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789"


def key(name="data-key", region=REGION, key_id=KEY_ID, resource_type=KEY, **extra):
    arn = f"arn:aws:kms:{region}:{ACCOUNT}:key/{key_id}"
    outputs = {
        "arn": arn,
        "keyId": key_id,
        "id": key_id,
        "region": region,
        "keyUsage": "ENCRYPT_DECRYPT",
        "customerMasterKeySpec": "SYMMETRIC_DEFAULT",
        **extra,
    }
    return Res(resource_type, name, outputs)


def alias(target: Res, name="alias/data"):
    outputs = {
        "name": name,
        "arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:{name}",
        "targetKeyId": target.outputs["keyId"],
    }
    return Res(ALIAS, "data-key-alias", outputs)


def table(name="notes-table", encryption=None, depends=None):
    outputs = {
        "name": "Notes",
        "region": REGION,
        "arn": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/Notes",
    }
    if encryption is not None:
        outputs["serverSideEncryption"] = encryption
    return Res(TABLE, name, outputs, {"serverSideEncryption": depends} if depends else {})


def with_key(resource_type, logical_name, prop, value, depends=None, **outputs):
    """A resource whose `prop` names its key (value, and what it was computed from)."""
    props = {"region": REGION, **outputs}
    if value is not None:
        props[prop] = value
    return Res(resource_type, logical_name, props, {prop: depends} if depends else {})


def log_group(value=None, depends=None, region=REGION, name="notes-fn-logs"):
    return with_key(
        LOG_GROUP, name, "kmsKeyId", value, depends, name="/aws/lambda/notes-fn", region=region
    )


def queue(value=None, depends=None, **outputs):
    return with_key(QUEUE, "notes-dlq", "kmsMasterKeyId", value, depends, **outputs)


def topic(value=None, depends=None):
    return with_key(TOPIC, "alarms", "kmsMasterKeyId", value, depends)


def function(value=None, depends=None, variables=None):
    environment = {"variables": {"TABLE_NAME": "Notes"} if variables is None else variables}
    return with_key(FUNCTION, "notes-fn", "kmsKeyArn", value, depends, environment=environment)


def bucket(name="notes-audio", **extra):
    outputs = {"id": name, "bucket": name, "arn": f"arn:aws:s3:::{name}", "region": REGION}
    return Res(BUCKET, name, {**outputs, **extra})


def encryption(target: Res, algorithm="aws:kms", key_id=None, depends=None, linked=False):
    default = {"sseAlgorithm": algorithm}
    if key_id is not None:
        default["kmsMasterKeyId"] = key_id
    outputs = {
        "bucket": UNKNOWN if linked else target.outputs["id"],
        "rules": [{"applyServerSideEncryptionByDefault": default, "bucketKeyEnabled": True}],
    }
    depends_on = {"rules": depends} if depends else {}
    if linked:
        depends_on["bucket"] = [target]
    return Res(ENCRYPTION, f"{target.name}-encryption", outputs, depends_on)


def key_findings(pack, resources, config=None):
    return [v for v in check_stack(pack, resources, config) if v.policy == RULE]


# --- when the rule applies ---------------------------------------------------------------------


def unencrypted():
    audio = bucket()
    return [
        table(),
        log_group(),
        queue(sqsManagedSseEnabled=True),
        topic(),
        function(),
        audio,
        encryption(audio, "AES256"),
    ]


def test_without_a_customer_key_the_rule_is_silent(pack):
    assert key_findings(pack, unencrypted()) == []


@pytest.mark.parametrize(
    "spec",
    [
        {"keyUsage": "SIGN_VERIFY", "customerMasterKeySpec": "ECC_NIST_P256"},
        {"keySpec": "HMAC_256"},
    ],
    ids=["signing-key", "hmac-key"],
)
def test_a_key_that_cannot_encrypt_does_not_make_the_rule_apply(pack, spec):
    assert key_findings(pack, [key(**spec), *unencrypted()]) == []


def test_with_a_customer_key_every_kind_of_resource_is_flagged_with_its_property(pack):
    resources = unencrypted()
    violations = key_findings(pack, [key(), *resources])
    by_name = {v.urn.rsplit("::", 1)[1]: finding(v) for v in violations}
    assert all(v.enforcement == "advisory" for v in violations)
    assert by_name == {
        "notes-table": "Table 'notes-table' is not encrypted with the stack's customer key Key "
        "'data-key' (it uses a key AWS owns): set server_side_encryption={'enabled': True, "
        "'kms_key_arn': key.arn}.",
        "notes-fn-logs": "LogGroup 'notes-fn-logs' is not encrypted with the stack's customer key "
        "Key 'data-key' (CloudWatch Logs encrypts it with a key the service owns): set "
        "kms_key_id=key.arn (the key policy must let logs.<region>.amazonaws.com use it).",
        "notes-dlq": "Queue 'notes-dlq' is not encrypted with the stack's customer key Key "
        "'data-key' (sqs_managed_sse_enabled encrypts with a key SQS owns): set "
        "kms_master_key_id=key.arn.",
        "alarms": "Topic 'alarms' is not encrypted with the stack's customer key Key 'data-key' "
        "(it uses no KMS key): set kms_master_key_id=key.arn.",
        "notes-fn": "Function 'notes-fn' is not encrypted with the stack's customer key Key "
        "'data-key' (its environment variables use the AWS managed key aws/lambda): set "
        "kms_key_arn=key.arn.",
        "notes-audio": "Bucket 'notes-audio' is not encrypted with the stack's customer key Key "
        "'data-key': give BucketServerSideEncryptionConfiguration 'notes-audio-encryption' the "
        "rules [{'apply_server_side_encryption_by_default': {'sse_algorithm': 'aws:kms', "
        "'kms_master_key_id': key.arn}, 'bucket_key_enabled': True}].",
    }


@pytest.mark.parametrize(
    "resource, expected",
    [
        (table(encryption={"enabled": True}), "(it uses the AWS managed key aws/dynamodb)"),
        (queue("alias/aws/sqs"), "(it names 'alias/aws/sqs')"),
        (log_group(OUTSIDE_KEY_ARN), f"(it names '{OUTSIDE_KEY_ARN}')"),
        (bucket(), "add aws.s3.BucketServerSideEncryptionConfiguration(bucket=bucket.id, rules="),
    ],
    ids=[
        "table-aws-managed-key",
        "queue-aws-managed-alias",
        "another-key",
        "bucket-sse-s3-default",
    ],
)
def test_aws_managed_and_other_keys_do_not_count(pack, resource, expected):
    assert expected in finding(only(key_findings(pack, [key(), resource]), RULE))


def test_a_bucket_with_sse_kms_and_no_key_uses_the_aws_managed_key(pack):
    audio = bucket()
    assert only(key_findings(pack, [key(), audio, encryption(audio, "aws:kms")]), RULE)


# --- how a resource names the key --------------------------------------------------------------


def encrypted_with(reference, depends=None):
    """Every kind of resource, encrypted with `reference` (computed from `depends`)."""
    audio = bucket()
    return [
        table(encryption={"enabled": True, "kmsKeyArn": reference}, depends=depends),
        log_group(reference, depends),
        queue(reference, depends),
        topic(reference, depends),
        function(reference, depends),
        audio,
        encryption(audio, "aws:kms", reference, depends),
    ]


@pytest.mark.parametrize("form", ["arn", "key-id", "alias-name", "alias-arn"])
def test_naming_the_key_by_value_passes(pack, form):
    data_key = key()
    data_alias = alias(data_key)
    reference = {
        "arn": KEY_ARN,
        "key-id": KEY_ID,
        "alias-name": data_alias.outputs["name"],
        "alias-arn": data_alias.outputs["arn"],
    }[form]
    assert key_findings(pack, [data_key, data_alias, *encrypted_with(reference)]) == []


@pytest.mark.parametrize("through", ["key", "alias"])
def test_a_reference_computed_from_the_key_passes_during_preview(pack, through):
    data_key = key(arn=UNKNOWN, keyId=UNKNOWN, id=UNKNOWN)
    data_alias = Res(
        ALIAS,
        "data-key-alias",
        {"name": "alias/data", "arn": UNKNOWN, "targetKeyId": UNKNOWN},
        {"targetKeyId": [data_key]},
    )
    source = data_key if through == "key" else data_alias
    resources = [data_key, data_alias, *encrypted_with(UNKNOWN, [source])]
    assert key_findings(pack, resources) == []


def test_a_reference_unknown_during_preview_and_computed_from_nothing_known_is_not_flagged(pack):
    elsewhere = Res("aws:ssm/parameter:Parameter", "key-parameter", {"value": UNKNOWN})
    resources = [key(), *encrypted_with(UNKNOWN), *encrypted_with(UNKNOWN, [elsewhere])]
    assert key_findings(pack, resources) == []


def test_unknown_settings_are_not_flagged(pack):
    resources = [
        key(),
        table(encryption=UNKNOWN),
        table("other-table", encryption={"enabled": UNKNOWN}),
        function(variables=UNKNOWN),
    ]
    audio = bucket()
    resources += [audio, encryption(audio, UNKNOWN)]
    assert key_findings(pack, resources) == []


def test_functions_without_environment_variables_need_no_key(pack):
    assert key_findings(pack, [key(), function(variables={})]) == []


@pytest.mark.parametrize("algorithm", ["aws:kms", "aws:kms:dsse"])
def test_both_kms_algorithms_count_for_buckets(pack, algorithm):
    audio = bucket()
    assert key_findings(pack, [key(), audio, encryption(audio, algorithm, KEY_ARN)]) == []


def test_a_bucket_encryption_configuration_linked_by_dependency_counts(pack):
    audio = bucket(id=UNKNOWN, bucket=UNKNOWN, arn=UNKNOWN)
    data_key = key()
    config = encryption(audio, "aws:kms", UNKNOWN, [data_key], linked=True)
    assert key_findings(pack, [data_key, audio, config]) == []


def test_an_inline_bucket_encryption_block_counts(pack):
    inline = {
        "rule": {
            "applyServerSideEncryptionByDefault": {
                "sseAlgorithm": "aws:kms",
                "kmsMasterKeyId": KEY_ARN,
            }
        }
    }
    assert key_findings(pack, [key(), bucket(serverSideEncryptionConfiguration=inline)]) == []


def test_an_unlinked_unknown_configuration_leaves_buckets_of_unknown_id_open(pack):
    pending = bucket("pending", id=UNKNOWN, bucket=UNKNOWN, arn=UNKNOWN)
    unlinked = Res(ENCRYPTION, "some-encryption", {"bucket": UNKNOWN, "rules": UNKNOWN})
    assert key_findings(pack, [key(), pending, unlinked]) == []


# --- keys from the configuration ---------------------------------------------------------------


def test_keys_named_in_the_config_make_the_rule_apply_and_count(pack):
    config = {RULE: {"keyArns": [OUTSIDE_KEY_ARN]}}
    violation = only(key_findings(pack, [log_group()], config), RULE)
    assert f"customer key {OUTSIDE_KEY_ARN}" in finding(violation)
    assert f"set kms_key_id='{OUTSIDE_KEY_ARN}'" in finding(violation)
    assert key_findings(pack, [log_group(OUTSIDE_KEY_ARN)], config) == []
    by_id = OUTSIDE_KEY_ARN.rsplit("/", 1)[1]  # the key id of a configured key ARN
    assert key_findings(pack, [queue(by_id)], config) == []


def test_an_alias_of_a_configured_key_counts(pack):
    config = {RULE: {"keyArns": [OUTSIDE_KEY_ARN]}}
    shared = Res(ALIAS, "shared", {"name": "alias/shared", "targetKeyId": OUTSIDE_KEY_ARN})
    assert key_findings(pack, [shared, topic("alias/shared")], config) == []


@pytest.mark.parametrize(
    "value", ["my-key", f"arn:aws:s3:::{ACCOUNT}", "arn:aws:kms:eu-west-1:1:key/x"]
)
def test_a_malformed_key_reference_in_the_config_is_refused(pack, value):
    from tools.policy_pack import PolicyPackError

    with pytest.raises(PolicyPackError, match=f"{RULE}: keyArns/0: .* does not match"):
        pack.configure({RULE: {"keyArns": [value]}})


# --- what cannot use the key -------------------------------------------------------------------


def test_a_server_access_log_bucket_stays_on_sse_s3(pack):
    # S3 User Guide, "Enabling Amazon S3 server access logging": the target bucket's default
    # encryption can only be SSE-S3; "Default server-side encryption with AWS Key Management
    # Service (AWS KMS) keys (SSE-KMS) is not supported".
    audio, logs = bucket(), bucket("access-logs")
    resources = [
        key(),
        audio,
        encryption(audio, "aws:kms", KEY_ARN),
        logs,
        encryption(logs, "AES256"),
        Res(
            LOGGING,
            "notes-audio-access-logs",
            {"bucket": "notes-audio", "targetBucket": "access-logs"},
        ),
    ]
    assert key_findings(pack, resources) == []


def test_a_log_bucket_named_through_its_new_policy_stays_on_sse_s3(pack):
    logs = bucket("access-logs")  # an existing bucket, given a new delivery policy
    policy = Res(
        "aws:s3/bucketPolicy:BucketPolicy",
        "access-logs-policy",
        {"bucket": UNKNOWN, "policy": UNKNOWN},
        {"bucket": [logs]},
    )
    link = Res(
        LOGGING,
        "notes-audio-access-logs",
        {"bucket": "notes-audio", "targetBucket": UNKNOWN},
        {"targetBucket": [policy]},
    )
    resources = [key(), logs, encryption(logs, "AES256"), policy, link]
    assert key_findings(pack, resources) == []


def test_a_resource_in_another_region_than_the_key_is_not_flagged(pack):
    # A KMS key is regional: the log group of a CloudFront web ACL lives in us-east-1.
    cdn_logs = log_group(region="us-east-1", name="cdn-acl-logs")
    assert key_findings(pack, [key(), cdn_logs]) == []
    # A replica of the key in us-east-1 is one it can use.
    replica = key("data-key-us-east-1", "us-east-1", resource_type="aws:kms/replicaKey:ReplicaKey")
    violation = only(key_findings(pack, [key(), replica, cdn_logs]), RULE)
    assert "customer key ReplicaKey 'data-key-us-east-1'" in finding(violation)


@pytest.mark.parametrize(
    "key_region, resource_region, flagged",
    [(UNKNOWN, "us-east-1", False), (REGION, UNKNOWN, False), (UNKNOWN, UNKNOWN, True)],
    ids=["key-region-unknown", "resource-region-unknown", "both-unknown"],
)
def test_regions_unknown_during_preview(pack, key_region, resource_region, flagged):
    data_key = key(region=key_region, arn=UNKNOWN)
    violations = key_findings(pack, [data_key, log_group(region=resource_region)])
    assert bool(violations) == flagged


def test_resources_can_be_exempted(pack):
    config = {RULE: {"exemptResources": ["notes-*"]}}
    assert key_findings(pack, [key(), table(), log_group()], config) == []
