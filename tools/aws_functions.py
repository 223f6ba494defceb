"""Offline answers to the AWS provider functions programs commonly call, and AWS's naming rules
(partitions, ARN shapes, hosts) shared with the resource mocks.

Each answer has the shape the provider returns, for one account and region; lookups of existing
infrastructure (a VPC, subnets, an AMI, a role) answer with plausible, stable identifiers.
"""

import hashlib
from dataclasses import dataclass

from tools.policy_document import render as render_policy_document

ACCOUNT_ID = "123456789012"
# Services whose ARNs carry no region (and, for S3 and Route 53, no account).
GLOBAL_SERVICES = {"iam", "cloudfront", "route53", "organizations", "waf", "s3", "sts"}
NO_ACCOUNT = {"s3", "route53"}


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def dns_suffix(partition: str) -> str:
    return {"aws-cn": "amazonaws.com.cn"}.get(partition, "amazonaws.com")


def stable_hex(*parts: str, length: int = 17) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


@dataclass(frozen=True)
class Aws:
    """One account in one region, and how AWS names things there."""

    region: str
    account_id: str = ACCOUNT_ID

    @property
    def partition(self) -> str:
        return partition_of(self.region)

    def arn(self, service: str, resource: str, region: bool = True, account: bool = True) -> str:
        region_part = self.region if region and service not in GLOBAL_SERVICES else ""
        account_part = self.account_id if account and service not in NO_ACCOUNT else ""
        return f"arn:{self.partition}:{service}:{region_part}:{account_part}:{resource}"

    def resource_arn(self, module: str, kind: str, physical: str) -> str:
        """The ARN of a resource of a pulumi_aws module and kind, in AWS's usual shapes."""
        if module == "sns" and kind == "topic":
            return self.arn("sns", physical)
        if module in ("apigateway", "apigatewayv2"):  # arn:aws:apigateway:REGION::/restapis/ID
            api_id = stable_hex(physical, length=10)
            return f"arn:{self.partition}:apigateway:{self.region}::/{kind.lower()}s/{api_id}"
        return self.arn(module, f"{kind.lower()}/{physical}")

    def host(self, physical: str, module: str) -> str:
        return f"{physical}.{module}.{self.region}.{dns_suffix(self.partition)}"

    def special_output(self, module: str, kind: str, output: str, physical: str) -> str | None:
        """Outputs whose format AWS fixes and programs parse."""
        api_id = stable_hex(physical, length=10)
        if module in ("apigateway", "apigatewayv2") and output == "executionArn":
            return f"arn:{self.partition}:execute-api:{self.region}:{self.account_id}:{api_id}"
        if module in ("apigateway", "apigatewayv2") and output == "id":
            return api_id
        if module == "ecr" and output == "repositoryUrl":
            return (
                f"{self.account_id}.dkr.ecr.{self.region}.{dns_suffix(self.partition)}/{physical}"
            )
        if module == "ecr" and output == "registryId":
            return self.account_id
        return None


def _partition(aws: Aws, _args: dict) -> dict:
    suffix = dns_suffix(aws.partition)
    return {
        "id": aws.partition,
        "partition": aws.partition,
        "dnsSuffix": suffix,
        "reverseDnsPrefix": ".".join(reversed(suffix.split("."))),
    }


def _region(aws: Aws, _args: dict) -> dict:
    return {
        "id": aws.region,
        "region": aws.region,
        "name": aws.region,
        "endpoint": f"ec2.{aws.region}.{dns_suffix(aws.partition)}",
        "description": aws.region,
    }


def _caller_identity(aws: Aws, _args: dict) -> dict:
    return {
        "id": aws.account_id,
        "accountId": aws.account_id,
        "arn": aws.arn("iam", "user/offline-preview", region=False),
        "userId": "AIDAOFFLINEPREVIEW0000",
    }


def _availability_zones(aws: Aws, _args: dict) -> dict:
    return {
        "id": aws.region,
        "names": [f"{aws.region}{letter}" for letter in "abc"],
        "zoneIds": [f"{aws.region[:2]}{aws.region.split('-')[1][:1]}1-az{i}" for i in (1, 2, 3)],
        "groupNames": [aws.region],
    }


def _vpc(aws: Aws, args: dict) -> dict:
    vpc_id = args.get("id") or f"vpc-{stable_hex(aws.region, 'vpc')}"
    return {
        "id": vpc_id,
        "arn": aws.arn("ec2", f"vpc/{vpc_id}"),
        "cidrBlock": "172.31.0.0/16",
        "default": bool(args.get("default")),
        "ownerId": aws.account_id,
        "state": "available",
    }


def _subnet_ids(aws: Aws) -> list:
    return [f"subnet-{stable_hex(aws.region, 'subnet', letter)}" for letter in "abc"]


def _subnets(aws: Aws, _args: dict) -> dict:
    return {"id": aws.region, "ids": _subnet_ids(aws)}


def _subnet(aws: Aws, args: dict) -> dict:
    subnet_id = args.get("id") or _subnet_ids(aws)[0]
    return {
        "id": subnet_id,
        "arn": aws.arn("ec2", f"subnet/{subnet_id}"),
        "vpcId": _vpc(aws, {})["id"],
        "availabilityZone": f"{aws.region}a",
        "cidrBlock": "172.31.0.0/20",
        "ownerId": aws.account_id,
    }


def _security_group(aws: Aws, args: dict) -> dict:
    group_id = args.get("id") or f"sg-{stable_hex(aws.region, 'sg', str(args.get('name')))}"
    return {
        "id": group_id,
        "arn": aws.arn("ec2", f"security-group/{group_id}"),
        "name": args.get("name") or "default",
        "vpcId": _vpc(aws, {})["id"],
    }


def _ami(aws: Aws, args: dict) -> dict:
    image_id = f"ami-{stable_hex(aws.region, 'ami')}"
    return {
        "id": image_id,
        "imageId": image_id,
        "arn": aws.arn("ec2", f"image/{image_id}"),
        "name": "offline-preview-image",
        "architecture": "x86_64",
        "ownerId": "137112412989",
    }


def _iam_policy(aws: Aws, args: dict) -> dict:
    arn = args.get("arn") or f"arn:{aws.partition}:iam::aws:policy/{args.get('name')}"
    return {"id": arn, "arn": arn, "name": arn.rsplit("/", 1)[-1], "path": "/", "policy": "{}"}


def _iam_role(aws: Aws, args: dict) -> dict:
    name = args.get("name")
    return {
        "id": name,
        "name": name,
        "arn": aws.arn("iam", f"role/{name}", region=False),
        "assumeRolePolicy": "{}",
        "path": "/",
        "uniqueId": f"AROA{stable_hex(str(name))}",
    }


def _bucket(aws: Aws, args: dict) -> dict:
    name = args.get("bucket")
    return {
        "id": name,
        "bucket": name,
        "arn": aws.arn("s3", name),
        "bucketDomainName": f"{name}.s3.{dns_suffix(aws.partition)}",
        "region": aws.region,
    }


ANSWERS = {
    "aws:index/getPartition:getPartition": _partition,
    "aws:index/getRegion:getRegion": _region,
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones,
    "aws:iam/getPolicyDocument:getPolicyDocument": lambda _aws, args: render_policy_document(args),
    "aws:iam/getPolicy:getPolicy": _iam_policy,
    "aws:iam/getRole:getRole": _iam_role,
    "aws:ec2/getVpc:getVpc": _vpc,
    "aws:ec2/getSubnets:getSubnets": _subnets,
    "aws:ec2/getSubnet:getSubnet": _subnet,
    "aws:ec2/getSecurityGroup:getSecurityGroup": _security_group,
    "aws:ec2/getAmi:getAmi": _ami,
    "aws:s3/getBucket:getBucket": _bucket,
}
