"""CloudFront rules: viewers reach a distribution over modern TLS only. Advisory by default.

--- cloudfront-viewer-tls ------------------------------------------------------------------------

What: a distribution with a certificate of its own (`viewer_certificate.acm_certificate_arn` or
`iam_certificate_id`) sets `viewer_certificate.minimum_protocol_version` to one of the accepted
security policies: TLSv1.2_2021, TLSv1.2_2025 or TLSv1.3_2025 by default (`minimumProtocolVersions`).

Why: the security policy fixes both the oldest protocol and the ciphers CloudFront negotiates
with viewers (CloudFront Developer Guide, "Supported protocols and ciphers between viewers and
CloudFront"). TLSv1.2_2021 is the floor because it is the oldest policy offering only TLS 1.2+
with forward-secret AEAD ciphers (ECDHE with AES-GCM or ChaCha20-Poly1305): TLSv1.2_2018 and
TLSv1.2_2019 are TLS 1.2 as well, but still accept CBC-mode ciphers (ECDHE-*-AES128-SHA256,
-AES256-SHA384) and, in 2018, RSA key exchange without forward secrecy (AES128-GCM-SHA256...);
TLSv1.1_2016, TLSv1_2016, TLSv1 and SSLv3 accept protocols browsers have dropped. Without
`minimum_protocol_version` the provider sends TLSv1.

How to fix: `viewer_certificate={..., "minimum_protocol_version": "TLSv1.2_2021"}` (TLSv1.2_2025
narrows the ciphers further, TLSv1.3_2025 refuses TLS 1.2 clients).

Not reported:
- `cloudfront_default_certificate=True` (the *.cloudfront.net name): CloudFront then applies
  TLSv1 whatever the setting says, so there is nothing to set; a custom domain with its own
  certificate is the way to a stricter minimum.
- `ssl_support_method="vip"` (dedicated IP addresses for viewers without SNI, charged monthly):
  a cost, not a weakness; the minimum protocol is checked the same way.
- Values unknown during preview: the certificate block, or the minimum version.
"""

from pulumi_policy import EnforcementLevel, Severity

from .props import dig, is_unknown
from .rule import Resource, RuleInfo, resource_rule

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
MODERN_POLICIES = ["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"]
PROVIDER_DEFAULT = "TLSv1"  # what pulumi-aws sends when minimum_protocol_version is not set


def _set(value) -> bool:
    """A certificate property that is given (or unknown during preview: it will be)."""
    return is_unknown(value) or (isinstance(value, str) and value != "")


def check_viewer_tls(resource: Resource, settings: dict):
    certificate = resource.props.get("viewerCertificate")
    if not isinstance(certificate, dict):
        return  # unknown during preview, or not given (the provider then refuses the program)
    if dig(certificate, "cloudfrontDefaultCertificate") is True:
        return
    if not (
        _set(certificate.get("acmCertificateArn")) or _set(certificate.get("iamCertificateId"))
    ):
        return
    minimum = certificate.get("minimumProtocolVersion")
    if is_unknown(minimum):
        return
    accepted = settings["minimumProtocolVersions"]
    if minimum in accepted:
        return
    given = (
        f"minimum_protocol_version {minimum!r}"
        if isinstance(minimum, str) and minimum
        else f"no minimum_protocol_version (the provider sends {PROVIDER_DEFAULT!r})"
    )
    yield (
        f"{resource} serves its custom certificate with {given}: viewers can still connect "
        "with older protocols or ciphers without forward secrecy. Set "
        f"viewer_certificate.minimum_protocol_version to {accepted[0]!r}"
        + (f" (or {', '.join(repr(v) for v in accepted[1:])})." if len(accepted) > 1 else ".")
    )


VIEWER_TLS = resource_rule(
    RuleInfo(
        name="cloudfront-viewer-tls",
        description="A CloudFront distribution with its own certificate (ACM or IAM) requires "
        "TLSv1.2_2021 or a later security policy from viewers.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Set viewer_certificate.minimum_protocol_version='TLSv1.2_2021' (or "
        "TLSv1.2_2025, TLSv1.3_2025).",
        config={
            "minimumProtocolVersions": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "minItems": 1,
                "uniqueItems": True,
                "default": MODERN_POLICIES,
                "description": "The security policies accepted (CloudFront names, e.g. "
                "TLSv1.2_2021); the first is the one findings propose.",
            }
        },
    ),
    [DISTRIBUTION],
    check_viewer_tls,
)

POLICIES = [VIEWER_TLS]
