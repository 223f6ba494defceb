"""The account, region and partition a program runs in, its availability zones, and S3 buckets."""

from tools.aws_lookups.core import Aws, dns_suffix

# Availability Zone IDs: the region's short code and the zone's number, e.g. use1-az1, apse2-az3
# (https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html).
_DIRECTIONS = {
    "east": "e",
    "west": "w",
    "north": "n",
    "south": "s",
    "central": "c",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
}


ZONE_LETTERS = "abc"  # the zones a lookup finds in any region
# The Route 53 zone of S3's endpoints, per region (Amazon S3 endpoints, in the AWS General
# Reference); regions not listed get none.
S3_HOSTED_ZONES = {
    "us-east-1": "Z3AQBSTGFYJSTF",
    "us-west-2": "Z3BJ6K6RIION7M",
    "eu-west-1": "Z1BKCTXD74EZPE",
}


def zone_id(aws: Aws, index: int) -> str:
    *area, number = aws.region.split("-")  # us-gov-west-1 -> usgw1
    code = "".join(_DIRECTIONS.get(part, part) for part in area)
    return f"{code}{number}-az{index + 1}"


def zone_name(aws: Aws, index: int) -> str:
    return f"{aws.region}{ZONE_LETTERS[index]}"


def _partition(aws: Aws, _args: dict) -> dict:
    suffix = dns_suffix(aws.partition)
    return {
        "id": aws.partition,
        "partition": aws.partition,
        "dnsSuffix": suffix,
        "reverseDnsPrefix": ".".join(reversed(suffix.split("."))),
    }


def _region(aws: Aws, args: dict) -> dict:
    region = args.get("region") or args.get("name") or aws.region
    return {
        "id": region,
        "region": region,
        "name": region,
        "endpoint": f"ec2.{region}.{dns_suffix(aws.partition)}",
        "description": region,
    }


def _caller_identity(aws: Aws, _args: dict) -> dict:
    return {
        "id": aws.account_id,
        "accountId": aws.account_id,
        "arn": aws.arn("iam", "user/offline-preview", region=False),
        "userId": "AIDAOFFLINEPREVIEW0000",
    }


def _availability_zones(aws: Aws, args: dict) -> dict:
    zones = [(zone_name(aws, i), zone_id(aws, i)) for i in range(len(ZONE_LETTERS))]
    excluded = set(args.get("excludeNames") or []) | set(args.get("excludeZoneIds") or [])
    zones = [(name, zid) for name, zid in zones if name not in excluded and zid not in excluded]
    return {
        "id": aws.region,
        "names": [name for name, _ in zones],
        "zoneIds": [zid for _, zid in zones],
        "groupNames": [aws.region],
        "region": aws.region,
        "state": args.get("state"),
        "excludeNames": args.get("excludeNames"),
        "excludeZoneIds": args.get("excludeZoneIds"),
    }


def _bucket(aws: Aws, args: dict) -> dict:
    name = args.get("bucket")
    if not isinstance(name, str):  # the provider requires it: an answer naming None is no use
        raise TypeError(f"aws.s3.get_bucket needs a bucket name, got {name!r}")
    return {
        "id": name,
        "bucket": name,
        "arn": aws.arn("s3", name),
        "bucketDomainName": f"{name}.s3.{dns_suffix(aws.partition)}",
        "bucketRegionalDomainName": f"{name}.s3.{aws.region}.{dns_suffix(aws.partition)}",
        "hostedZoneId": S3_HOSTED_ZONES.get(aws.region),
        "region": aws.region,
    }


ANSWERS = {
    "aws:index/getPartition:getPartition": _partition,
    "aws:index/getRegion:getRegion": _region,
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones,
    "aws:s3/getBucket:getBucket": _bucket,
}
