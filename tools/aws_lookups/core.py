"""AWS's naming rules (partitions, ARN shapes, hosts) for one account and region, stable stand-in
identifiers, and the reading of arguments the lookups share (filters, tags, a region).

Identifiers are derived from what was asked for (a name, a filter), so the same program gets the
same ids, ARNs and values on every run, and two lookups of the same thing agree.
"""

import base64
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

ACCOUNT_ID = "123456789012"
# Services whose ARNs carry no region (and, for S3 and Route 53, no account).
GLOBAL_SERVICES = {"iam", "cloudfront", "route53", "organizations", "waf", "s3", "sts"}
NO_ACCOUNT = {"s3", "route53"}
# When the things looked up were created, and when a token handed out now expires (RFC 3339, as
# the provider sets dates).
CREATED = "2026-01-01T00:00:00Z"
CREATED_EPOCH = 1767225600  # CREATED in seconds since the epoch
EXPIRES = "2026-01-01T12:00:00Z"

ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
UPPER_ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


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


def stable_chars(*parts: str, length: int, alphabet: str = ALPHANUMERIC) -> str:
    """`length` characters of `alphabet`, the same for the same parts."""
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    while len(digest) < length:
        digest += hashlib.sha256(digest).digest()
    return "".join(alphabet[b % len(alphabet)] for b in digest[:length])


def stable_uuid(*parts: str) -> str:
    """A version 4 UUID (the form of KMS key ids, ACM certificate ids, version ids)."""
    return str(uuid.UUID(bytes=hashlib.sha256("/".join(parts).encode()).digest()[:16], version=4))


def stand_in_pem(*parts: str) -> str:
    """A PEM-armoured block of stable bytes: the shape of a certificate, not a parseable one."""
    body = base64.b64encode(hashlib.sha512("/".join(parts).encode()).digest() * 6).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


@dataclass(frozen=True)
class Aws:
    """One account in one region, and how AWS names things there."""

    region: str
    account_id: str = ACCOUNT_ID

    @property
    def partition(self) -> str:
        return partition_of(self.region)

    @property
    def dns_suffix(self) -> str:
        return dns_suffix(self.partition)

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

    def ecr_registry(self, registry_id: str | None = None) -> str:
        """ACCOUNT.dkr.ecr.REGION.amazonaws.com, the host of a registry's repositories."""
        return f"{registry_id or self.account_id}.dkr.ecr.{self.region}.{self.dns_suffix}"

    def special_output(self, module: str, kind: str, output: str, physical: str) -> str | None:
        """Outputs whose format AWS fixes and programs parse."""
        api_id = stable_hex(physical, length=10)
        if module in ("apigateway", "apigatewayv2") and output == "executionArn":
            return f"arn:{self.partition}:execute-api:{self.region}:{self.account_id}:{api_id}"
        if module in ("apigateway", "apigatewayv2") and output == "id":
            return api_id
        if module == "ecr" and output == "repositoryUrl":
            return f"{self.ecr_registry()}/{physical}"
        if module == "ecr" and output == "registryId":
            return self.account_id
        return None


def first(values):
    """The first of `values`, or None when there are none."""
    return values[0] if values else None


def filter_values(args: dict) -> dict:
    """The `filters` argument ([{name, values}]) as {name: values}."""
    found = {}
    for block in args.get("filters") or []:
        if isinstance(block, dict) and isinstance(block.get("name"), str):
            found[block["name"]] = [str(v) for v in block.get("values") or []]
    return found


def tags_asked(args: dict) -> dict:
    """Tags the lookup asked for, as `tags` or `tag:KEY` filters: the thing found has them."""
    tags = {k: v for k, v in (args.get("tags") or {}).items() if isinstance(v, str)}
    for name, values in filter_values(args).items():
        if name.startswith("tag:") and len(values) == 1 and "*" not in values[0]:
            tags.setdefault(name[4:], values[0])
    return tags


def _typed(args: dict) -> dict:
    """The arguments as the provider reads them: "true"/"false" given for a boolean argument (as
    in `get_ami(most_recent="true")`) are booleans, the type its result then echoes."""
    return {
        key: {"true": True, "false": False}[value.lower()]
        if isinstance(value, str) and value.lower() in ("true", "false")
        else value
        for key, value in args.items()
    }


def in_asked_region(answer: Callable) -> Callable:
    """Answer in the region the call asks for (v7 functions take a `region` argument)."""

    @wraps(answer)
    def answer_in_region(aws: Aws, args: dict) -> dict:
        args = _typed(args)
        region = args.get("region")
        if isinstance(region, str) and region and region != aws.region:
            aws = Aws(region, aws.account_id)
        return answer(aws, args)

    return answer_in_region
