"""Route 53 hosted zones and ACM certificates: what a website program looks up by domain.

Shapes: a hosted zone id is Z + 13 to 21 upper-case letters and digits, its ARN
arn:PARTITION:route53:::hostedzone/ID; its delegation set four name servers
ns-N.awsdns-NN.{com,net,org,co.uk} (Route 53 API Reference: GetHostedZone, HostedZone,
DelegationSet; Service Authorization Reference: Route 53 resource types). The provider gives a
zone's name lower-cased without its trailing dot (as ACM takes domain names). An ACM certificate's
ARN is arn:PARTITION:acm:REGION:ACCOUNT:certificate/UUID (ACM API Reference: CertificateDetail).
"""

from tools.aws_lookups.core import (
    UPPER_ALPHANUMERIC,
    Aws,
    stable_chars,
    stable_hex,
    stable_uuid,
    stand_in_pem,
)

DEFAULT_ZONE = "example.com"  # the name of a zone looked up by id alone
_zone_names: dict = {}  # hosted zone id -> the name it was found by
NAME_SERVER_DOMAINS = ("com", "net", "org", "co.uk")


def zone_name(name: str) -> str:
    return name.lower().removesuffix(".") if name != "." else name


def hosted_zone_id(aws: Aws, name: str, private: bool = False) -> str:
    kind = "private" if private else "public"
    return "Z" + stable_chars(
        aws.account_id, kind, zone_name(name), length=20, alphabet=UPPER_ALPHANUMERIC
    )


def name_servers(zone_id: str) -> list:
    """One server per top-level domain, numbered as Route 53 numbers them: ns-N.awsdns-S.TLD,
    N in 0-511 for .com, 512-1023 .net, 1024-1535 .org, 1536-2047 .co.uk, S = (N mod 512) // 8."""
    servers = []
    for i, domain in enumerate(NAME_SERVER_DOMAINS):
        number = 512 * i + int(stable_hex(zone_id, domain, length=4), 16) % 512
        servers.append(f"ns-{number}.awsdns-{(number % 512) // 8:02d}.{domain}")
    return servers


def _zone(aws: Aws, args: dict) -> dict:
    private = bool(args.get("privateZone") or args.get("vpcId"))
    name = zone_name(args.get("name") or _zone_names.get(args.get("zoneId")) or DEFAULT_ZONE)
    zone_id = args.get("zoneId") or hosted_zone_id(aws, name, private)
    _zone_names[zone_id] = name
    servers = name_servers(zone_id)
    return {
        "id": zone_id,
        "zoneId": zone_id,
        "arn": aws.arn("route53", f"hostedzone/{zone_id}"),
        "callerReference": stable_uuid(zone_id, "caller-reference"),
        "comment": "",
        "enableAcceleratedRecovery": args.get("enableAcceleratedRecovery"),
        "linkedServiceDescription": "",
        "linkedServicePrincipal": "",
        "name": name,
        "nameServers": servers,
        "primaryNameServer": servers[0],
        "privateZone": private,
        "resourceRecordSetCount": 2,  # the zone's own NS and SOA records
        "tags": dict(args.get("tags") or {}),
        "vpcId": args.get("vpcId"),
    }


def _zones(aws: Aws, _args: dict) -> dict:
    return {"id": aws.account_id, "ids": [hosted_zone_id(aws, DEFAULT_ZONE)]}


def _certificate(aws: Aws, args: dict) -> dict:
    domain = args.get("domain") or DEFAULT_ZONE
    arn = aws.arn("acm", f"certificate/{stable_uuid(aws.region, 'acm', domain)}")
    return {
        "id": arn,
        "arn": arn,
        "certificate": stand_in_pem(arn, "certificate"),
        "certificateChain": stand_in_pem(arn, "intermediate") + stand_in_pem(arn, "root"),
        "domain": domain,
        # The provider finds RSA_2048 certificates unless asked for other key types.
        "keyTypes": args.get("keyTypes") or ["RSA_2048"],
        "mostRecent": args.get("mostRecent"),
        "region": aws.region,
        "status": (args.get("statuses") or ["ISSUED"])[0],
        "statuses": args.get("statuses"),
        "tags": dict(args.get("tags") or {}),
        "types": args.get("types"),
    }


ANSWERS = {
    "aws:route53/getZone:getZone": _zone,
    "aws:route53/getZones:getZones": _zones,
    "aws:acm/getCertificate:getCertificate": _certificate,
}
