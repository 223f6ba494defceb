"""S3 and DynamoDB rules: private, TLS-only buckets; recoverable tables."""

import pytest

from tests.policy.harness import UNKNOWN, Res, check, check_stack, document, finding, names, only

BUCKET = "aws:s3/bucket:Bucket"
BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
ALL_ON = {
    "blockPublicAcls": True,
    "blockPublicPolicy": True,
    "ignorePublicAcls": True,
    "restrictPublicBuckets": True,
}
TLS_ONLY = document(
    {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::archive", "arn:aws:s3:::archive/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
)


def bucket(name="archive", **extra):
    return Res(BUCKET, name, {"id": name, "bucket": name, "arn": f"arn:aws:s3:::{name}", **extra})


def block(target: Res, linked=False, **settings):
    outputs = {"bucket": UNKNOWN if linked else target.outputs["id"], **ALL_ON, **settings}
    return Res(BLOCK, f"{target.name}-block", outputs, {"bucket": [target]} if linked else {})


def tls_policy(target: Res, policy=TLS_ONLY, linked=False):
    return Res(
        BUCKET_POLICY,
        f"{target.name}-policy",
        {"bucket": UNKNOWN if linked else target.outputs["id"], "policy": policy},
        {"bucket": [target]} if linked else {},
    )


def s3_findings(pack, resources, config=None):
    """Findings of the access-block, TLS and public rules (access logging is tested on its own)."""
    return [
        v
        for v in check_stack(pack, resources, config)
        if v.policy.startswith("s3-") and v.policy != "s3-access-logging"
    ]


# --- public access block and TLS (stack) --------------------------------------------------------


@pytest.mark.parametrize("linked", [False, True], ids=["by-name", "by-dependency-during-preview"])
def test_a_private_tls_only_bucket_passes(pack, linked):
    archive = bucket()
    assert (
        s3_findings(pack, [archive, block(archive, linked), tls_policy(archive, linked=linked)])
        == []
    )


def test_a_bucket_without_access_block_or_tls_policy_is_flagged_twice(pack):
    archive = bucket()
    violations = s3_findings(pack, [archive])
    assert names(violations) == ["s3-public-access-block", "s3-tls-only"]
    assert all(v.urn == archive.urn for v in violations)


def test_an_access_block_with_a_setting_off_is_flagged_by_name(pack):
    archive = bucket()
    resources = [archive, block(archive, restrictPublicBuckets=False), tls_policy(archive)]
    violation = only(s3_findings(pack, resources), "s3-public-access-block")
    assert "restrictPublicBuckets off" in finding(violation)


def test_an_account_wide_block_covers_every_bucket(pack):
    account = Res("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", "account", ALL_ON)
    archive = bucket()
    assert s3_findings(pack, [archive, account, tls_policy(archive)]) == []


def test_a_block_for_another_bucket_does_not_count(pack):
    archive, other = bucket("archive"), bucket("other")
    resources = [archive, other, block(other), tls_policy(archive), tls_policy(other)]
    violation = only(s3_findings(pack, resources), "s3-public-access-block")
    assert violation.urn == archive.urn


@pytest.mark.parametrize(
    "policy",
    [
        document(
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::archive/*",
            }
        ),
        document(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
            }
        ),
    ],
)
def test_a_policy_without_a_secure_transport_deny_is_flagged(pack, policy):
    archive = bucket()
    resources = [archive, block(archive), tls_policy(archive, policy)]
    assert names(s3_findings(pack, resources)) == ["s3-tls-only"]


def test_an_inline_bucket_policy_counts(pack):
    archive = bucket(policy=TLS_ONLY)
    assert s3_findings(pack, [archive, block(archive)]) == []


# --- public ACLs and policies --------------------------------------------------------------------


@pytest.mark.parametrize(
    "resource_type, props",
    [
        (BUCKET, {"acl": "public-read"}),
        ("aws:s3/bucketAclV2:BucketAclV2", {"bucket": "b", "acl": "public-read-write"}),
        (
            "aws:s3/bucketAcl:BucketAcl",
            {
                "bucket": "b",
                "accessControlPolicy": {
                    "owner": {"id": "x"},
                    "grants": [
                        {
                            "permission": "READ",
                            "grantee": {
                                "type": "Group",
                                "uri": "http://acs.amazonaws.com/groups/global/AllUsers",
                            },
                        }
                    ],
                },
            },
        ),
        (
            "aws:s3/bucketObjectv2:BucketObjectv2",
            {"bucket": "b", "key": "k", "acl": "authenticated-read"},
        ),
    ],
)
def test_public_acls_are_flagged(pack, resource_type, props):
    violation = only(check(pack, resource_type, props), "s3-no-public-acl")
    assert violation.severity == "critical"


@pytest.mark.parametrize("props", [{"acl": "private"}, {}, {"acl": UNKNOWN}])
def test_private_acls_pass(pack, props):
    assert check(pack, BUCKET, props) == []


def test_a_bucket_policy_open_to_everyone_is_flagged(pack):
    # What the notes' public website bucket needs: the pack refuses it.
    policy = document(
        {
            "Sid": "PublicRead",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::site/*",
        }
    )
    violation = only(
        check(pack, BUCKET_POLICY, {"bucket": "site", "policy": policy}),
        "s3-no-public-bucket-policy",
    )
    assert "statement 'PublicRead'" in finding(violation) and "CloudFront" in finding(violation)


@pytest.mark.parametrize(
    "statement",
    [
        {
            "Effect": "Allow",
            "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::site/*",
            "Condition": {
                "StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::1:distribution/D"}
            },
        },
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::site/*",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
        },
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": "arn:aws:s3:::site/*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    ],
)
def test_policies_limited_to_known_callers_pass(pack, statement):
    assert check(pack, BUCKET_POLICY, {"bucket": "site", "policy": document(statement)}) == []


# --- DynamoDB ------------------------------------------------------------------------------------

TABLE = "aws:dynamodb/table:Table"


@pytest.mark.parametrize("props", [{}, {"pointInTimeRecovery": {"enabled": False}}])
def test_tables_without_point_in_time_recovery_are_flagged(pack, props):
    assert names(check(pack, TABLE, {"hashKey": "id", **props})) == [
        "dynamodb-point-in-time-recovery"
    ]


@pytest.mark.parametrize(
    "props",
    [{"pointInTimeRecovery": {"enabled": True}}, {"pointInTimeRecovery": {"enabled": UNKNOWN}}],
)
def test_recoverable_tables_pass(pack, props):
    assert check(pack, TABLE, {"hashKey": "id", **props}) == []


# --- review findings: what counts as TLS-only and as limited ------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": "arn:aws:s3:::archive/*",
            "Condition": {"Bool": {"aws:SecureTransport": "true"}},
        },
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": "arn:aws:s3:::archive/*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::archive/*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": "arn:aws:s3:::other/*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    ],
    ids=["inverted-condition", "allow-not-deny", "one-action-only", "another-bucket"],
)
def test_statements_that_do_not_enforce_tls_on_this_bucket_do_not_count(pack, statement):
    archive = bucket()
    resources = [archive, block(archive), tls_policy(archive, document(statement))]
    assert names(s3_findings(pack, resources)) == ["s3-tls-only"]


def test_an_access_block_with_settings_unknown_during_preview_is_not_flagged(pack):
    archive = bucket()
    settings = {name: UNKNOWN for name in ALL_ON}
    resources = [archive, block(archive, linked=True, **settings), tls_policy(archive)]
    assert s3_findings(pack, resources) == []


def test_an_unlinked_block_for_an_unknown_bucket_leaves_the_verdict_open(pack):
    archive = Res(BUCKET, "archive", {"id": UNKNOWN, "bucket": "archive", "arn": UNKNOWN})
    unlinked = Res(BLOCK, "some-block", {"bucket": UNKNOWN, **ALL_ON})
    assert "s3-public-access-block" not in names(s3_findings(pack, [archive, unlinked]))


def test_a_block_and_policy_naming_their_bucket_by_arn_count(pack):
    archive = bucket()
    by_arn = {"bucket": archive.outputs["arn"]}
    resources = [
        archive,
        Res(BLOCK, "archive-block", {**ALL_ON, **by_arn}),
        Res(BUCKET_POLICY, "archive-policy", {"policy": TLS_ONLY, **by_arn}),
    ]
    assert s3_findings(pack, resources) == []


PUBLIC_READ = {
    "Effect": "Allow",
    "Principal": "*",
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::site/*",
}


@pytest.mark.parametrize(
    "condition",
    [
        {"StringLike": {"aws:SourceArn": "*"}},
        {"StringNotEquals": {"aws:SourceAccount": "123456789012"}},
        {"Null": {"aws:SourceVpce": "false"}},
        {"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c"}},
        {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}},
        {"StringEquals": {"s3:ExistingObjectTag/public": "yes"}},
    ],
)
def test_conditions_that_do_not_limit_callers_leave_the_bucket_public(pack, condition):
    statement = {**PUBLIC_READ, "Condition": condition}
    assert names(check(pack, BUCKET_POLICY, {"bucket": "site", "policy": document(statement)})) == [
        "s3-no-public-bucket-policy"
    ]


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c"}},
        {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/48"]}},
        {"ForAnyValue:StringEquals": {"aws:PrincipalOrgPaths": "o-a1/r-ab12/ou-ab12-11111111/"}},
    ],
)
def test_conditions_pinning_callers_make_the_policy_non_public(pack, condition):
    statement = {**PUBLIC_READ, "Condition": condition}
    assert check(pack, BUCKET_POLICY, {"bucket": "site", "policy": document(statement)}) == []


def test_an_allow_with_not_principal_is_public(pack):
    statement = {
        "Effect": "Allow",
        "NotPrincipal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::site/*",
    }
    assert names(check(pack, BUCKET_POLICY, {"bucket": "site", "policy": document(statement)})) == [
        "s3-no-public-bucket-policy"
    ]


# --- server access logging (stack) ---------------------------------------------------------------

LOGGING = "aws:s3/bucketLogging:BucketLogging"


def logging(source: Res, target: Res | str, linked=False, resource_type=LOGGING):
    """source logs into target (a bucket of the stack, or a name); linked: by dependency, the
    names unknown during preview."""
    target_name = target if isinstance(target, str) else target.outputs["id"]
    outputs = {
        "bucket": UNKNOWN if linked else source.outputs["id"],
        "targetBucket": UNKNOWN if linked else target_name,
        "targetPrefix": f"{source.name}/",
    }
    depends = {}
    if linked:
        depends = {"bucket": [source]}
        if not isinstance(target, str):
            depends["targetBucket"] = [target]
    return Res(resource_type, f"{source.name}-access-logs", outputs, depends)


def logging_findings(pack, resources, config=None):
    return [v for v in check_stack(pack, resources, config) if v.policy == "s3-access-logging"]


def test_a_bucket_without_access_logging_is_flagged_with_the_resource_to_add(pack):
    archive = bucket()
    violation = only(logging_findings(pack, [archive]), "s3-access-logging")
    assert violation.urn == archive.urn and violation.enforcement == "advisory"
    assert finding(violation) == (
        "Bucket 'archive' has no server access logging: nothing records who read, wrote or "
        "deleted its objects. Add aws.s3.BucketLogging(bucket=bucket.id, "
        'target_bucket=log_bucket.id, target_prefix="archive/"), log_bucket being a bucket of '
        "its own for logs (SSE-S3 encryption, no logging of its own)."
    )


@pytest.mark.parametrize(
    "linked, resource_type",
    [
        (False, LOGGING),
        (True, LOGGING),
        (False, "aws:s3/bucketLoggingV2:BucketLoggingV2"),
    ],
    ids=["by-name", "by-dependency-during-preview", "v2-type"],
)
def test_a_bucket_logging_into_a_log_bucket_passes_and_so_does_the_log_bucket(
    pack, linked, resource_type
):
    # The log bucket itself is not logged: S3 User Guide, "Enabling Amazon S3 server access
    # logging": "Your target bucket should not have server access logging enabled".
    archive, logs = bucket(), bucket("access-logs")
    resources = [archive, logs, logging(archive, logs, linked, resource_type)]
    assert logging_findings(pack, resources) == []


def test_findings_name_the_stacks_log_bucket(pack):
    archive, logs, other = bucket(), bucket("access-logs"), bucket("other")
    violation = only(
        logging_findings(pack, [archive, logs, other, logging(archive, logs)]), "s3-access-logging"
    )
    assert violation.urn == other.urn
    assert finding(violation).endswith(
        "log_bucket being Bucket 'access-logs', the stack's log bucket."
    )


@pytest.mark.parametrize("how", ["inline-block", "target-outside-the-stack"])
def test_other_ways_of_logging_count(pack, how):
    if how == "inline-block":
        archive = bucket(logging={"targetBucket": "central-logs", "targetPrefix": "archive/"})
        resources = [archive]
    else:  # an organization's log bucket, named by value
        archive = bucket()
        resources = [archive, logging(archive, "central-logs-123456789012")]
    assert logging_findings(pack, resources) == []


@pytest.mark.parametrize("linked", [False, True], ids=["by-name", "by-dependency"])
def test_a_bucket_logging_into_itself_is_flagged(pack, linked):
    archive = bucket()
    violation = only(
        logging_findings(pack, [archive, logging(archive, archive, linked)]), "s3-access-logging"
    )
    assert violation.urn == archive.urn
    assert finding(violation).startswith(
        "Bucket 'archive' logs into itself (BucketLogging 'archive-access-logs'): each log "
        "object S3 writes is logged in turn, without end. Set target_bucket=log_bucket.id and "
        'target_prefix="archive/"'
    )


def test_an_inline_block_logging_into_the_bucket_itself_is_flagged(pack):
    archive = bucket(logging={"targetBucket": "archive"})
    assert "logs into itself" in finding(
        only(logging_findings(pack, [archive]), "s3-access-logging")
    )


def test_an_unlinked_unknown_logging_leaves_buckets_of_unknown_id_open(pack):
    pending = Res(BUCKET, "pending", {"id": UNKNOWN, "bucket": UNKNOWN, "arn": UNKNOWN})
    known = bucket()
    unlinked = Res(LOGGING, "some-logging", {"bucket": UNKNOWN, "targetBucket": "central-logs"})
    violation = only(logging_findings(pack, [pending, known, unlinked]), "s3-access-logging")
    assert violation.urn == known.urn  # a known name cannot be the unknown value's


def test_an_unknown_target_linked_to_a_bucket_makes_it_a_log_bucket(pack):
    archive, logs = bucket(), bucket("access-logs")
    link = Res(
        LOGGING,
        "archive-access-logs",
        {"bucket": "archive", "targetBucket": UNKNOWN},
        {"targetBucket": [logs]},
    )
    assert logging_findings(pack, [archive, logs, link]) == []


def test_a_target_computed_from_the_log_buckets_policy_names_the_log_bucket(pack):
    # target_bucket=log_policy.bucket, so that logging waits for the delivery policy: while the
    # policy is new, the value is unknown and depends on the policy, not on the (existing) bucket.
    archive, logs = bucket(), bucket("access-logs")
    policy = tls_policy(logs, linked=True)
    link = Res(
        LOGGING,
        "archive-access-logs",
        {"bucket": UNKNOWN, "targetBucket": UNKNOWN},
        {"bucket": [archive], "targetBucket": [policy]},
    )
    assert logging_findings(pack, [archive, logs, policy, link]) == []


def test_a_target_unknown_and_computed_from_something_else_leaves_unknown_buckets_open(pack):
    archive = Res(BUCKET, "archive", {"id": UNKNOWN, "bucket": "archive", "arn": UNKNOWN})
    logs = Res(BUCKET, "access-logs", {"id": UNKNOWN, "bucket": "access-logs", "arn": UNKNOWN})
    parameter = Res("aws:ssm/parameter:Parameter", "log-bucket-name", {"value": UNKNOWN})
    link = Res(
        LOGGING,
        "archive-access-logs",
        {"bucket": UNKNOWN, "targetBucket": UNKNOWN},
        {"bucket": [archive], "targetBucket": [parameter]},
    )
    assert logging_findings(pack, [archive, logs, parameter, link]) == []


def test_a_bucket_can_be_exempted_from_access_logging(pack):
    config = {"s3-access-logging": {"exemptResources": ["arch*"]}}
    assert logging_findings(pack, [bucket()], config) == []
