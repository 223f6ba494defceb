"""What the stack-wide security settings (accessLogs, customerKey, codeSigning, tracing, waf,
alarms, reservedConcurrency) make of the stacks, under mocks: prod has them all on, dev only
access logs. Expectations on KMS, logging, WAF and Signer shapes come from AWS's documentation
(cited in the components' docstrings)."""

import json

import pytest

from tests.graph import BUCKET, FUNCTION, QUEUE, ROLE_POLICY, TABLE, only, policy, run_with
from tools.program import run_program

KEY = "aws:kms/key:Key"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ENCRYPTION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
)
LOGGING = "aws:s3/bucketLogging:BucketLogging"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


@pytest.fixture(scope="module")
def prod():
    return run_program(stack="prod")


@pytest.fixture(scope="module")
def dev():
    return run_program(stack="dev")


def key_arn(run) -> str:
    return only(run.of_type(KEY)).outputs["arn"]


def log_bucket(run):
    return only([b for b in run.of_type(BUCKET) if b.name == "shared-access-logs"])


def of_bucket(run, resource_type: str, bucket) -> list:
    return [r for r in run.of_type(resource_type) if r.inputs["bucket"] == bucket.outputs["bucket"]]


# --- the customer key -------------------------------------------------------------------------
def test_prod_encrypts_tables_queues_topics_and_environments_with_its_one_key(prod):
    key = key_arn(prod)
    assert only(prod.of_type(KEY)).inputs["enableKeyRotation"] is True
    for table in prod.of_type(TABLE):
        assert table.inputs["serverSideEncryption"] == {"enabled": True, "kmsKeyArn": key}
    for queue in prod.of_type(QUEUE):
        assert queue.inputs["kmsMasterKeyId"] == key and "sqsManagedSseEnabled" not in queue.inputs
    assert only(prod.of_type("aws:sns/topic:Topic")).inputs["kmsMasterKeyId"] == key
    for function in prod.of_type(FUNCTION):
        assert function.inputs["kmsKeyArn"] == key


def test_prod_log_groups_use_the_key_in_its_region_and_only_there(prod):
    key = key_arn(prod)  # eu-west-1: a key serves its own region only
    for group in prod.of_type(LOG_GROUP):
        if group.inputs.get("region") == "us-east-1":  # the CloudFront web ACL's logs
            assert "kmsKeyId" not in group.inputs, group.name
        else:
            assert group.inputs["kmsKeyId"] == key, group.name


def test_a_stack_in_us_east_1_encrypts_the_cloudfront_acl_logs_too():
    run = run_with(
        customerKey=True, waf={"enabled": True}, notesApi={"enabled": True}, region="us-east-1"
    )
    key = key_arn(run)
    assert {g.inputs.get("kmsKeyId") for g in run.of_type(LOG_GROUP)} == {key}


def test_buckets_use_sse_kms_with_a_bucket_key_except_the_log_bucket(prod):
    key = key_arn(prod)
    logs = log_bucket(prod)
    for bucket in prod.of_type(BUCKET):
        (rule,) = only(of_bucket(prod, ENCRYPTION, bucket)).inputs["rules"]
        if bucket is logs:  # S3 server access logging delivers to SSE-S3 buckets only
            assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
        else:
            assert rule == {
                "applyServerSideEncryptionByDefault": {
                    "sseAlgorithm": "aws:kms",
                    "kmsMasterKeyId": key,
                },
                "bucketKeyEnabled": True,
            }, bucket.name


def test_the_key_policy_delegates_to_iam_and_admits_only_the_services_it_must(prod):
    statements = {s["Sid"]: s for s in policy(only(prod.of_type(KEY)))["Statement"]}
    assert statements["AccountDelegatesToIam"]["Principal"] == {
        "AWS": "arn:aws:iam::123456789012:root"
    }
    logs = statements["CloudWatchLogsOfThisAccount"]
    assert logs["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert logs["Condition"] == {
        "ArnLike": {
            "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:123456789012:log-group:*"
        }
    }
    assert statements["CloudWatchAlarmsPublishToEncryptedTopics"]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"}
    }
    assert statements["CloudFrontReadsEncryptedOrigins"]["Action"] == "kms:Decrypt"


def key_statements(run, role_policy_name: str) -> dict:
    document = policy(only([p for p in run.of_type(ROLE_POLICY) if p.name == role_policy_name]))
    return {s["Sid"]: s for s in document["Statement"] if s["Sid"].startswith("UseStackKey")}


def test_each_role_may_use_the_key_only_through_the_services_its_grants_reach(prod):
    key = key_arn(prod)
    archive = key_statements(prod, "stream-archive-fn-policy")
    assert sorted(archive) == [
        "UseStackKeyThroughDynamodb",  # reading the stream
        "UseStackKeyThroughS3",  # writing archive objects
        "UseStackKeyThroughSqs",  # dead-lettering
    ]
    # A single PutObject only makes a data key (the sandbox's least-privilege test proves the
    # archive never needs kms:Decrypt through S3); the object copy, which uploads in parts and
    # reads, decrypts too.
    assert archive["UseStackKeyThroughS3"] == {
        "Sid": "UseStackKeyThroughS3",
        "Effect": "Allow",
        "Action": ["kms:GenerateDataKey"],
        "Resource": [key],
        "Condition": {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}},
    }
    assert archive["UseStackKeyThroughDynamodb"]["Action"] == ["kms:Decrypt"]
    copy = key_statements(prod, "object-copy-fn-policy")["UseStackKeyThroughS3"]
    assert copy["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    # HeadObject decrypts nothing: the metadata function reads no object data.
    assert sorted(key_statements(prod, "image-metadata-fn-policy")) == [
        "UseStackKeyThroughDynamodb",
        "UseStackKeyThroughSqs",
    ]
    # The notes function has no dead-letter queue; Lambda decrypts environments by a grant.
    assert sorted(key_statements(prod, "notes-fn-policy")) == [
        "UseStackKeyThroughDynamodb",
        "UseStackKeyThroughS3",
    ]


def test_without_the_setting_nothing_names_a_customer_key(dev):
    assert dev.of_type(KEY) == []
    assert all("kmsKeyArn" not in f.inputs for f in dev.of_type(FUNCTION))
    assert all(q.inputs.get("sqsManagedSseEnabled") is True for q in dev.of_type(QUEUE))
    assert not any("UseStackKey" in json.dumps(policy(p)) for p in dev.of_type(ROLE_POLICY))


# --- access logs ------------------------------------------------------------------------------
@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_bucket_logs_into_the_log_bucket_which_logs_nowhere(stack, dev, prod):
    run = {"dev": dev, "prod": prod}[stack]
    logs = log_bucket(run)
    target = logs.outputs["bucket"]
    for bucket in run.of_type(BUCKET):
        logging = of_bucket(run, LOGGING, bucket)
        if bucket is logs:
            assert logging == []
        else:
            assert only(logging).inputs["targetBucket"] == target
            assert only(logging).inputs["targetPrefix"] == f"{bucket.name}/"


def test_the_log_bucket_admits_s3_logging_of_this_account_and_expires_logs(prod):
    logs = log_bucket(prod)
    statements = {
        s["Sid"]: s for s in policy(only(of_bucket(prod, BUCKET_POLICY, logs)))["Statement"]
    }
    assert statements["S3ServerAccessLogs"]["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert statements["S3ServerAccessLogs"]["Condition"]["StringEquals"] == {
        "aws:SourceAccount": "123456789012"
    }
    assert "DenyInsecureTransport" in statements
    rules = {r["id"]: r for r in only(of_bucket(prod, LIFECYCLE, logs)).inputs["rules"]}
    assert rules["expire-objects"]["expiration"] == {"days": 365}


def test_logging_waits_for_the_policy_that_admits_it(prod):
    """S3 refuses a target whose policy does not admit its logging service yet."""
    logs = log_bucket(prod)
    log_policy = only(of_bucket(prod, BUCKET_POLICY, logs))
    for logging in prod.of_type(LOGGING):
        assert log_policy.urn in logging.property_dependencies["targetBucket"]


def test_access_logs_can_be_turned_off():
    run = run_with(accessLogs=False, streamArchive={"enabled": True})
    assert run.of_type(LOGGING) == [] and len(run.of_type(BUCKET)) == 1


# --- code signing -----------------------------------------------------------------------------
def test_prod_functions_run_only_code_the_stack_signed(prod):
    config = only(prod.of_type("aws:lambda/codeSigningConfig:CodeSigningConfig"))
    assert config.inputs["policies"] == {"untrustedArtifactOnDeployment": "Enforce"}
    profile = only(prod.of_type("aws:signer/signingProfile:SigningProfile"))
    assert profile.inputs["platformId"] == "AWSLambda-SHA384-ECDSA"
    assert config.inputs["allowedPublishers"]["signingProfileVersionArns"] == [
        profile.outputs["versionArn"]
    ]
    jobs = {j.name: j for j in prod.of_type("aws:signer/signingJob:SigningJob")}
    for function in prod.of_type(FUNCTION):
        assert "code" not in function.inputs
        assert function.inputs["codeSigningConfigArn"] == config.outputs["arn"]
        job = jobs[f"{function.name}-signing"]
        signed = job.outputs["signedObjects"][0]["s3s"][0]
        assert (function.inputs["s3Bucket"], function.inputs["s3Key"]) == (
            signed["bucket"],
            signed["key"],
        )
        assert job.inputs["profileName"] == profile.outputs["name"]


def test_the_artifact_bucket_is_versioned_as_signer_requires(prod):
    artifacts = only([b for b in prod.of_type(BUCKET) if "artifacts" in b.name])
    versioning = only(of_bucket(prod, "aws:s3/bucketVersioning:BucketVersioning", artifacts))
    assert versioning.inputs["versioningConfiguration"] == {"status": "Enabled"}


def test_dev_keeps_inline_code(dev):
    assert all(
        "code" in f.inputs and "codeSigningConfigArn" not in f.inputs for f in dev.of_type(FUNCTION)
    )


# --- WAF --------------------------------------------------------------------------------------
def test_prod_puts_web_acls_in_front_of_the_api_stage_and_the_distribution(prod):
    acls = {a.inputs["scope"]: a for a in prod.of_type(WEB_ACL)}
    assert set(acls) == {"REGIONAL", "CLOUDFRONT"}
    assert acls["CLOUDFRONT"].inputs["region"] == "us-east-1"
    stage = only(prod.of_type("aws:apigateway/stage:Stage"))
    association = only(prod.of_type("aws:wafv2/webAclAssociation:WebAclAssociation"))
    assert association.inputs == {
        "resourceArn": stage.outputs["arn"],
        "webAclArn": acls["REGIONAL"].outputs["arn"],
    }
    distribution = only(prod.of_type("aws:cloudfront/distribution:Distribution"))
    assert distribution.inputs["webAclId"] == acls["CLOUDFRONT"].outputs["arn"]


def test_each_acl_blocks_with_managed_groups_and_a_rate_limit_and_logs(prod):
    for acl in prod.of_type(WEB_ACL):
        rules = {r["name"]: r for r in acl.inputs["rules"]}
        assert set(rules) == {
            "rate-limit-per-ip",
            "AWSManagedRulesCommonRuleSet",
            "AWSManagedRulesKnownBadInputsRuleSet",
            "AWSManagedRulesAmazonIpReputationList",
        }
        assert rules["rate-limit-per-ip"]["priority"] == 0
        assert rules["rate-limit-per-ip"]["statement"]["rateBasedStatement"]["limit"] == 1000
        # Sampled requests and CloudWatch metrics, for the ACL and each rule.
        for visibility in [
            acl.inputs["visibilityConfig"],
            *(r["visibilityConfig"] for r in rules.values()),
        ]:
            assert visibility["sampledRequestsEnabled"] is True
            assert visibility["cloudwatchMetricsEnabled"] is True
    assert len(prod.of_type(WEB_ACL)) == 2  # REGIONAL for the stage, CLOUDFRONT for the site
    for logging in prod.of_type("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"):
        (destination,) = logging.inputs["logDestinationConfigs"]
        assert ":log-group:aws-waf-logs-" in destination


def test_no_acl_without_a_public_endpoint():
    run = run_with(waf={"enabled": True}, streamArchive={"enabled": True})
    assert run.of_type(WEB_ACL) == []


# --- tracing, concurrency, alarms -------------------------------------------------------------
def test_prod_traces_functions_and_the_stage_with_the_grants_that_takes(prod):
    for function in prod.of_type(FUNCTION):
        assert function.inputs["tracingConfig"] == {"mode": "Active"}
    for role_policy in prod.of_type(ROLE_POLICY):
        statements = {s["Sid"]: s for s in policy(role_policy)["Statement"]}
        if role_policy.name.endswith("-fn-policy"):
            assert statements["WriteTraces"]["Resource"] == ["*"]  # X-Ray accepts only "*"
    assert only(prod.of_type("aws:apigateway/stage:Stage")).inputs["xrayTracingEnabled"] is True


def test_reserved_concurrency_caps_the_notes_function_in_prod(prod):
    notes = only([f for f in prod.of_type(FUNCTION) if f.name == "notes-fn"])
    assert notes.inputs["reservedConcurrentExecutions"] == 50
    others = [f for f in prod.of_type(FUNCTION) if f.name != "notes-fn"]
    assert all("reservedConcurrentExecutions" not in f.inputs for f in others)


def test_alarms_watch_every_dead_letter_queue_and_function(prod):
    topic = only(prod.of_type("aws:sns/topic:Topic")).outputs["arn"]
    alarms = prod.of_type(ALARM)
    queues = {q.outputs["name"] for q in prod.of_type(QUEUE)}
    functions = {f.outputs["name"] for f in prod.of_type(FUNCTION)}
    assert {
        a.inputs["dimensions"]["QueueName"] for a in alarms if "QueueName" in a.inputs["dimensions"]
    } == queues
    assert {
        a.inputs["dimensions"]["FunctionName"]
        for a in alarms
        if "FunctionName" in a.inputs["dimensions"]
    } == functions
    assert all(a.inputs["alarmActions"] == [topic] and a.inputs["threshold"] == 0 for a in alarms)
    topic_policy = {
        s["Sid"]: s
        for s in policy(only(prod.of_type("aws:sns/topicPolicy:TopicPolicy")))["Statement"]
    }
    assert topic_policy["DenyInsecureTransport"]["Condition"] == {
        "Bool": {"aws:SecureTransport": "false"}
    }
    assert topic_policy["CloudWatchAlarmsOfThisAccount"]["Principal"] == {
        "Service": "cloudwatch.amazonaws.com"
    }


def test_alarms_can_go_to_a_topic_of_yours_without_a_customer_key():
    topic = "arn:aws:sns:us-east-1:123456789012:ops"
    run = run_with(alarms={"enabled": True, "topicArn": topic}, streamArchive={"enabled": True})
    assert run.of_type("aws:sns/topic:Topic") == []
    assert {a.inputs["alarmActions"][0] for a in run.of_type(ALARM)} == {topic}


def test_an_email_subscribes_to_the_created_topic():
    run = run_with(
        customerKey=True,
        alarms={"enabled": True, "email": "ops@example.com"},
        streamArchive={"enabled": True},
    )
    subscription = only(run.of_type("aws:sns/topicSubscription:TopicSubscription"))
    assert (subscription.inputs["protocol"], subscription.inputs["endpoint"]) == (
        "email",
        "ops@example.com",
    )


# --- custom domains: TLS 1.2 or later ---------------------------------------------------------
DOMAINS = {
    "enabled": True,
    "siteDomain": "notes.example.com",
    "apiDomain": "api.notes.example.com",
    "hostedZoneId": "Z0123456789ABCDEFGHIJ",
}


@pytest.fixture(scope="module")
def with_domains():
    return run_with(notesApi=DOMAINS, region="eu-west-1")


def test_the_distribution_serves_the_site_domain_with_tls_1_2_and_sni(with_domains):
    run = with_domains
    distribution = only(run.of_type("aws:cloudfront/distribution:Distribution"))
    certificates = {c.name: c for c in run.of_type("aws:acm/certificate:Certificate")}
    site = certificates["notes-site-certificate"]
    assert (site.inputs["region"], site.inputs["validationMethod"]) == ("us-east-1", "DNS")
    validated = only(
        [
            v
            for v in run.of_type("aws:acm/certificateValidation:CertificateValidation")
            if v.name == "notes-site-certificate-validated"
        ]
    )
    assert distribution.inputs["aliases"] == ["notes.example.com"]
    assert distribution.inputs["viewerCertificate"] == {
        "acmCertificateArn": validated.outputs["certificateArn"],
        "sslSupportMethod": "sni-only",
        "minimumProtocolVersion": "TLSv1.2_2021",
    }
    records = {
        (r.inputs["name"], r.inputs["type"]) for r in run.of_type("aws:route53/record:Record")
    }
    assert {("notes.example.com", "A"), ("notes.example.com", "AAAA")} <= records


def test_the_api_answers_on_its_domain_only_with_tls_1_2(with_domains):
    run = with_domains
    domain = only(run.of_type("aws:apigateway/domainName:DomainName"))
    assert (domain.inputs["domainName"], domain.inputs["securityPolicy"]) == (
        "api.notes.example.com",
        "TLS_1_2",
    )
    api_certificate = only(
        [
            c
            for c in run.of_type("aws:acm/certificate:Certificate")
            if c.name == "notes-api-certificate"
        ]
    )
    assert "region" not in api_certificate.inputs  # the stack's region, where the API is
    assert (
        only(run.of_type("aws:apigateway/restApi:RestApi")).inputs["disableExecuteApiEndpoint"]
        is True
    )
    mapping = only(run.of_type("aws:apigateway/basePathMapping:BasePathMapping"))
    assert mapping.inputs["domainName"] == "api.notes.example.com"
    assert run.outputs["notesApiApiUrl"] == "https://api.notes.example.com/"
    assert run.outputs["notesApiSiteUrl"] == "https://notes.example.com"


def test_the_page_and_the_function_know_the_custom_origins(with_domains):
    run = with_domains
    function = only(run.of_type(FUNCTION))
    assert (
        function.inputs["environment"]["variables"]["ALLOWED_ORIGINS"]
        == "https://notes.example.com"
    )
    headers = only(run.of_type("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"))
    csp = headers.inputs["securityHeadersConfig"]["contentSecurityPolicy"]["contentSecurityPolicy"]
    assert "connect-src 'self' https://api.notes.example.com " in csp
    config_js = only(
        [
            o
            for o in run.of_type("aws:s3/bucketObjectv2:BucketObjectv2")
            if o.inputs["key"] == "config.js"
        ]
    )
    assert '"apiUrl": "https://api.notes.example.com/"' in config_js.inputs["content"]


def test_given_certificates_are_used_and_no_dns_is_touched():
    site = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-1111-1111-1111-111111111111"
    api = "arn:aws:acm:eu-west-1:123456789012:certificate/22222222-2222-2222-2222-222222222222"
    run = run_with(
        notesApi={
            "enabled": True,
            "siteDomain": "notes.example.com",
            "siteCertificateArn": site,
            "apiDomain": "api.notes.example.com",
            "apiCertificateArn": api,
        },
        region="eu-west-1",
    )
    assert run.of_type("aws:acm/certificate:Certificate") == []
    assert run.of_type("aws:route53/record:Record") == []
    distribution = only(run.of_type("aws:cloudfront/distribution:Distribution"))
    assert distribution.inputs["viewerCertificate"]["acmCertificateArn"] == site
    domain = only(run.of_type("aws:apigateway/domainName:DomainName"))
    assert domain.inputs["regionalCertificateArn"] == api


def test_without_a_domain_the_default_certificate_stays(prod):
    distribution = only(prod.of_type("aws:cloudfront/distribution:Distribution"))
    assert distribution.inputs["viewerCertificate"] == {"cloudfrontDefaultCertificate": True}


def test_the_api_s_default_endpoint_takes_tls_1_2_or_later(dev, prod):
    """API Gateway Developer Guide, "Security policies for REST APIs": TLS_1_2 is the legacy
    policy without TLS 1.0/1.1, and needs no endpoint access mode (only SecurityPolicy_* do)."""
    for run in (dev, prod):
        api = only(run.of_type("aws:apigateway/restApi:RestApi"))
        assert api.inputs["securityPolicy"] == "TLS_1_2" and "endpointAccessMode" not in api.inputs


def test_cloudfront_logs_reach_the_log_bucket_from_us_east_1(prod):
    distribution = only(prod.of_type("aws:cloudfront/distribution:Distribution"))
    source = only(prod.of_type("aws:cloudwatch/logDeliverySource:LogDeliverySource"))
    assert (source.inputs["logType"], source.inputs["resourceArn"], source.inputs["region"]) == (
        "ACCESS_LOGS",
        distribution.outputs["arn"],
        "us-east-1",
    )
    destination = only(prod.of_type("aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination"))
    target = log_bucket(prod).outputs["bucket"]
    assert destination.inputs["deliveryDestinationConfiguration"] == {
        "destinationResourceArn": f"arn:aws:s3:::{target}"
    }
    delivery = only(prod.of_type("aws:cloudwatch/logDelivery:LogDelivery"))
    assert delivery.inputs["deliveryDestinationArn"] == destination.outputs["arn"]
    statements = {
        s["Sid"]: s
        for s in policy(only(of_bucket(prod, BUCKET_POLICY, log_bucket(prod))))["Statement"]
    }
    assert statements["CloudFrontLogDelivery"]["Condition"]["ArnLike"] == {
        "aws:SourceArn": "arn:aws:logs:us-east-1:123456789012:delivery-source:*"
    }


def test_cloudfront_log_deliveries_of_two_stacks_in_one_account_do_not_collide(dev, prod):
    """Delivery sources and destinations are named per account and region, and every stack's
    live in us-east-1."""

    def names(run) -> set:
        return {
            resource.inputs["name"]
            for kind in (
                "logDeliverySource:LogDeliverySource",
                "logDeliveryDestination:LogDeliveryDestination",
            )
            for resource in run.of_type(f"aws:cloudwatch/{kind}")
        }

    assert len(names(dev)) == len(names(prod)) == 2
    assert not names(dev) & names(prod)
    assert all(len(name) <= 60 for name in names(dev) | names(prod))  # PutDeliverySource's limit


def test_without_a_distribution_the_log_bucket_admits_only_s3_logging():
    run = run_with(streamArchive={"enabled": True})
    bucket = log_bucket(run)
    sids = {s["Sid"] for s in policy(only(of_bucket(run, BUCKET_POLICY, bucket)))["Statement"]}
    assert sids == {"DenyInsecureTransport", "S3ServerAccessLogs"}
