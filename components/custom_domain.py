"""Custom domains: a name of yours, its certificate, and the DNS records that point it.

    Route 53 zone ── DNS validation record ──> ACM certificate (CloudFront's in us-east-1,
                                                an API's in the stack's region), validated
                 ── A and AAAA alias records ──> the distribution, or the API's regional domain

Without a zone, the certificate is one you give (already validated) and DNS is yours to point.
"""

import pulumi
import pulumi_aws as aws


def validated_certificate(
    name: str,
    domain: str,
    zone_id: str,
    region: str | None = None,  # None: the stack's
    opts: pulumi.ResourceOptions | None = None,
) -> pulumi.Output[str]:
    """The ARN of a DNS-validated certificate for `domain`, once ACM has issued it."""
    certificate = aws.acm.Certificate(
        name,
        domain_name=domain,
        validation_method="DNS",
        key_algorithm="EC_prime256v1",
        region=region,
        opts=opts,
    )
    record_of = certificate.domain_validation_options.apply(_validation_record)
    record = aws.route53.Record(
        f"{name}-validation",
        zone_id=zone_id,
        name=record_of.apply(lambda r: r[0]),
        type=record_of.apply(lambda r: r[1]),
        records=[record_of.apply(lambda r: r[2])],
        ttl=300,
        allow_overwrite=True,  # ACM asks for the same record again on a re-issue
        opts=opts,
    )
    validation = aws.acm.CertificateValidation(
        f"{name}-validated",
        certificate_arn=certificate.arn,
        validation_record_fqdns=[record.fqdn],
        region=region,
        opts=opts,
    )
    return validation.certificate_arn


def _validation_record(options) -> tuple[str, str, str]:
    """(name, type, value) of the DNS record ACM asks for."""
    option = options[0] if options else None
    fields = (
        (option.resource_record_name, option.resource_record_type, option.resource_record_value)
        if option
        else ()
    )
    if len(fields) != 3 or not all(fields):
        raise ValueError(f"ACM gave no DNS validation record: {options!r}")
    return fields[0], fields[1], fields[2]


def alias_records(
    name: str,
    zone_id: str,
    domain: str,
    target_name: pulumi.Input[str],
    target_zone_id: pulumi.Input[str],
    opts: pulumi.ResourceOptions | None = None,
) -> list:
    """`domain` (IPv4 and IPv6) as an alias of a CloudFront or API Gateway domain."""
    return [
        aws.route53.Record(
            f"{name}-{kind.lower()}",
            zone_id=zone_id,
            name=domain,
            type=kind,
            aliases=[
                {"name": target_name, "zone_id": target_zone_id, "evaluate_target_health": False}
            ],
            opts=opts,
        )
        for kind in ("A", "AAAA")
    ]
