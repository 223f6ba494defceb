"""cloudfront-viewer-tls: a distribution with its own certificate requires TLSv1.2_2021 or later.

The security policy names and what they allow are CloudFront's (CloudFront Developer Guide,
"Supported protocols and ciphers between viewers and CloudFront")."""

import pytest

from tests.policy.harness import ACCOUNT, UNKNOWN, check, finding, only

RULE = "cloudfront-viewer-tls"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
CERTIFICATE = f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"


def tls_findings(pack, viewer_certificate, config=None):
    props = {"enabled": True, "viewerCertificate": viewer_certificate}
    return [
        v for v in check(pack, DISTRIBUTION, props, config, name="notes-site") if v.policy == RULE
    ]


def custom(minimum=None, **extra):
    certificate = {"acmCertificateArn": CERTIFICATE, "sslSupportMethod": "sni-only", **extra}
    if minimum is not None:
        certificate["minimumProtocolVersion"] = minimum
    return certificate


@pytest.mark.parametrize(
    "minimum",
    ["SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016", "TLSv1.2_2018", "TLSv1.2_2019"],
)
def test_older_security_policies_are_flagged(pack, minimum):
    # TLSv1.2_2018 and _2019 are TLS 1.2 too, but still offer CBC ciphers (ECDHE-RSA-AES128-SHA256
    # ...), and _2018 RSA key exchange without forward secrecy (AES128-GCM-SHA256).
    violation = only(tls_findings(pack, custom(minimum)), RULE)
    assert violation.enforcement == "advisory"
    assert finding(violation) == (
        f"Distribution 'notes-site' serves its custom certificate with minimum_protocol_version "
        f"'{minimum}': viewers can still connect with older protocols or ciphers without forward "
        "secrecy. Set viewer_certificate.minimum_protocol_version to 'TLSv1.2_2021' (or "
        "'TLSv1.2_2025', 'TLSv1.3_2025')."
    )


def test_an_iam_certificate_without_a_minimum_gets_the_providers_tlsv1(pack):
    certificate = {"iamCertificateId": "ASCACKCEVSQ6C2EXAMPLE", "sslSupportMethod": "sni-only"}
    violation = only(tls_findings(pack, certificate), RULE)
    assert "no minimum_protocol_version (the provider sends 'TLSv1')" in finding(violation)


def test_a_certificate_created_in_the_same_stack_is_custom_during_preview(pack):
    certificate = {"acmCertificateArn": UNKNOWN, "minimumProtocolVersion": "TLSv1"}
    assert only(tls_findings(pack, certificate), RULE)


@pytest.mark.parametrize(
    "certificate",
    [
        custom("TLSv1.2_2021"),
        custom("TLSv1.2_2025"),
        custom("TLSv1.3_2025"),
        # Dedicated IP addresses cost extra each month; not a weakness (the minimum still counts).
        custom("TLSv1.2_2021", sslSupportMethod="vip"),
        {"acmCertificateArn": UNKNOWN, "minimumProtocolVersion": "TLSv1.2_2021"},
    ],
    ids=["2021", "2025", "tls1.3", "vip", "certificate-unknown"],
)
def test_modern_security_policies_pass(pack, certificate):
    assert tls_findings(pack, certificate) == []


@pytest.mark.parametrize(
    "certificate",
    [
        # The *.cloudfront.net certificate: CloudFront applies TLSv1 whatever is set (CloudFront
        # API Reference, ViewerCertificate: MinimumProtocolVersion).
        {"cloudfrontDefaultCertificate": True},
        {"cloudfrontDefaultCertificate": True, "minimumProtocolVersion": "TLSv1"},
        custom(UNKNOWN),
        UNKNOWN,
    ],
    ids=["default-certificate", "default-certificate-tlsv1", "minimum-unknown", "block-unknown"],
)
def test_the_default_certificate_and_unknown_values_are_not_flagged(pack, certificate):
    assert tls_findings(pack, certificate) == []


def test_the_accepted_policies_can_be_changed_per_stack(pack):
    config = {RULE: {"minimumProtocolVersions": ["TLSv1.2_2019", "TLSv1.2_2021"]}}
    assert tls_findings(pack, custom("TLSv1.2_2019"), config) == []
    strict = {RULE: {"minimumProtocolVersions": ["TLSv1.3_2025"]}}
    violation = only(tls_findings(pack, custom("TLSv1.2_2021"), strict), RULE)
    assert finding(violation).endswith("minimum_protocol_version to 'TLSv1.3_2025'.")


@pytest.mark.parametrize(
    "value, message",
    [("TLSv1.2_2021", "is not of type 'array'"), ([], "should be non-empty")],
)
def test_a_malformed_list_of_policies_is_refused(pack, value, message):
    from tools.policy_pack import PolicyPackError

    with pytest.raises(PolicyPackError, match=f"{RULE}: minimumProtocolVersions: .*{message}"):
        pack.configure({RULE: {"minimumProtocolVersions": value}})


def test_exempt_distributions_are_skipped(pack):
    config = {RULE: {"exemptResources": ["notes-*"]}}
    assert tls_findings(pack, custom("TLSv1"), config) == []
