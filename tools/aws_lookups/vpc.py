"""VPCs, their subnets, security groups and network interfaces, as one consistent account.

The account has its default VPC (172.31.0.0/16, a default /20 subnet in each of the zones
getAvailabilityZones answers, as AWS creates it) and, for each lookup by other attributes
(tags, a CIDR block, filters), one VPC that has them (10.0.0.0/16 unless a CIDR was asked for).
What a lookup found is remembered by id, so that looking it up again by id (getSubnet(id) for an
id from getSubnets) finds the same thing: the same VPC, zone, CIDR block and tags.

Identifier shapes: vpc-, subnet-, sg-, eni- followed by 17 hexadecimal digits; ARNs
arn:PARTITION:ec2:REGION:ACCOUNT:vpc/ID, subnet/ID, security-group/ID, network-interface/ID
(Amazon EC2 API Reference, and the Service Authorization Reference's EC2 resource types).
"""

import fnmatch
import ipaddress
import json

from tools.aws_lookups.account import ZONE_LETTERS, zone_id, zone_name
from tools.aws_lookups.core import Aws, filter_values, first, stable_hex, tags_asked

DEFAULT_CIDR = "172.31.0.0/16"
OTHER_CIDR = "10.0.0.0/16"

_found_vpcs: dict = {}  # vpc id -> the VPC found by a lookup (cidr, default, tags)
_found_subnets: dict = {}  # subnet id -> the subnet found by a lookup
_found_groups: dict = {}  # security group id -> (name, vpc id)

# Filter names (the API's, and the provider's argument names) -> the attribute they select on.
SUBNET_FILTERS = {
    "availability-zone": "availabilityZone",
    "availabilityZone": "availabilityZone",
    "availability-zone-id": "availabilityZoneId",
    "availabilityZoneId": "availabilityZoneId",
    "cidr-block": "cidrBlock",
    "cidrBlock": "cidrBlock",
    "cidr": "cidrBlock",
    "default-for-az": "defaultForAz",
    "defaultForAz": "defaultForAz",
    "map-public-ip-on-launch": "mapPublicIpOnLaunch",
    "subnet-id": "id",
    "state": "state",
    "owner-id": "ownerId",
}


def default_vpc_id(aws: Aws) -> str:
    return f"vpc-{stable_hex(aws.region, 'vpc')}"


def matches(record: dict, filters: dict, fields: dict) -> bool:
    """Whether `record` has the values `filters` ({name: values}, `*` wildcards) ask for."""
    for name, values in filters.items():
        field = fields.get(name)
        if field is None or not values:
            continue  # a filter on something the record does not model: assume it holds
        value = record.get(field)
        text = str(value).lower() if isinstance(value, bool) else str(value)
        if not any(fnmatch.fnmatchcase(text, v) for v in values):
            return False
    return True


# --- VPCs --------------------------------------------------------------------------------------
def vpc_of(aws: Aws, args: dict) -> dict:
    """The VPC a lookup's arguments (id, default, cidrBlock, tags, filters) select."""
    filters = filter_values(args)
    asked_id = args.get("id") or args.get("vpcId") or first(filters.get("vpc-id"))
    default_id = default_vpc_id(aws)
    if asked_id:
        vpc = _found_vpcs.get(asked_id) or {
            "id": asked_id,
            "cidr": DEFAULT_CIDR if asked_id == default_id else OTHER_CIDR,
            "default": asked_id == default_id,
            "tags": {},
        }
        return {**vpc, "tags": {**vpc["tags"], **tags_asked(args)}}
    cidr = args.get("cidrBlock") or first(
        filters.get("cidr") or filters.get("cidr-block-association.cidr-block")
    )
    # Tags and the CIDR block count the same asked as arguments or as filters; other filters (but
    # the state, owner and default flag) single out a VPC of their own.
    not_selecting = {"is-default", "state", "owner-id", "cidr", "cidr-block-association.cidr-block"}
    selectors = {
        "cidr": cidr,
        "tags": tags_asked(args),
        "filters": {
            k: v for k, v in filters.items() if k not in not_selecting and not k.startswith("tag:")
        },
    }
    wants_default = args.get("default") is True or filters.get("is-default") == ["true"]
    only_default_cidr = cidr == DEFAULT_CIDR and not selectors["tags"] and not selectors["filters"]
    if wants_default or only_default_cidr or not any(selectors.values()):
        vpc = {"id": default_id, "cidr": DEFAULT_CIDR, "default": True, "tags": {}}
        return {**vpc, "tags": tags_asked(args)}
    vpc_id = f"vpc-{stable_hex(aws.region, 'vpc', json.dumps(selectors, sort_keys=True))}"
    vpc = {"id": vpc_id, "cidr": cidr or OTHER_CIDR, "default": False, "tags": tags_asked(args)}
    _found_vpcs[vpc_id] = vpc
    return vpc


def main_route_table_id(vpc_id: str) -> str:
    return f"rtb-{stable_hex(vpc_id, 'main')}"


def _vpc(aws: Aws, args: dict) -> dict:
    vpc = vpc_of(aws, args)
    return {
        "id": vpc["id"],
        "arn": aws.arn("ec2", f"vpc/{vpc['id']}"),
        "cidrBlock": vpc["cidr"],
        "cidrBlockAssociations": [
            {
                "associationId": f"vpc-cidr-assoc-{stable_hex(vpc['id'], vpc['cidr'])}",
                "cidrBlock": vpc["cidr"],
                "state": "associated",
            }
        ],
        "default": vpc["default"],
        "dhcpOptionsId": f"dopt-{stable_hex(aws.region, 'dopt')}",
        "enableDnsHostnames": vpc["default"],  # on in a default VPC, off by default in others
        "enableDnsSupport": True,
        "enableNetworkAddressUsageMetrics": False,
        "filters": args.get("filters"),
        "instanceTenancy": "default",
        "ipv6AssociationId": "",
        "ipv6CidrBlock": "",
        "ipv6CidrBlockAssociations": [],
        "mainRouteTableId": main_route_table_id(vpc["id"]),
        "ownerId": aws.account_id,
        "region": aws.region,
        "state": "available",
        "tags": vpc["tags"],
    }


def _vpcs_answer(aws: Aws, args: dict) -> dict:
    return {
        "id": aws.region,
        "ids": [vpc_of(aws, args)["id"]],
        "filters": args.get("filters"),
        "region": aws.region,
        "tags": args.get("tags"),
    }


# --- subnets -----------------------------------------------------------------------------------
def _subnet_record(aws: Aws, vpc: dict, index: int, tags: dict, block: int) -> dict:
    """The subnet in zone `index`: the `block`th of the 16 blocks of its VPC's CIDR block (/20s
    of a /16, as in a default VPC)."""
    network = ipaddress.ip_network(vpc["cidr"], strict=False)
    blocks = list(network.subnets(new_prefix=min(network.prefixlen + 4, 28)))
    cidr = blocks[block % len(blocks)]
    default = vpc["default"] and not tags
    if default:  # the default subnets keep the ids they always had
        subnet_id = f"subnet-{stable_hex(aws.region, 'subnet', ZONE_LETTERS[index])}"
    else:
        subnet_id = f"subnet-{stable_hex(vpc['id'], 'subnet', str(cidr))}"
    record = {
        "id": subnet_id,
        "vpcId": vpc["id"],
        "availabilityZone": zone_name(aws, index),
        "availabilityZoneId": zone_id(aws, index),
        "cidrBlock": str(cidr),
        "availableIpAddressCount": cidr.num_addresses - 5,  # AWS reserves five per subnet
        "defaultForAz": default,
        "mapPublicIpOnLaunch": default,
        "ownerId": aws.account_id,
        "state": "available",
        "tags": dict(tags),
    }
    _found_subnets[subnet_id] = record
    return record


def subnets_of(aws: Aws, vpc: dict, tags: dict | None = None) -> list:
    """The VPC's subnets, one per zone. Those a lookup finds by tags are others than its plain
    ones (in a default VPC, not its default subnets), each set of tags its own blocks."""
    tags = tags or {}
    start = 3 * (1 + int(stable_hex(json.dumps(tags, sort_keys=True)), 16) % 4) if tags else 0
    return [_subnet_record(aws, vpc, i, tags, start + i) for i in range(len(ZONE_LETTERS))]


def _vpcs_asked(aws: Aws, args: dict) -> list:
    ids = filter_values(args).get("vpc-id") or ([args["vpcId"]] if args.get("vpcId") else [])
    return [vpc_of(aws, {"id": v}) for v in ids] or [vpc_of(aws, {})]


def _subnets_found(aws: Aws, args: dict) -> list:
    filters = filter_values(args)
    found = [s for vpc in _vpcs_asked(aws, args) for s in subnets_of(aws, vpc, tags_asked(args))]
    return [s for s in found if matches(s, filters, SUBNET_FILTERS)]


def _subnets(aws: Aws, args: dict) -> dict:
    return {
        "id": aws.region,
        "ids": [s["id"] for s in _subnets_found(aws, args)],
        "filters": args.get("filters"),
        "region": aws.region,
        "tags": args.get("tags"),
    }


def subnet_of(aws: Aws, args: dict) -> dict:
    """The subnet getSubnet's arguments select (by id, or by zone, CIDR block, VPC, tags)."""
    asked_id = args.get("id") or first(filter_values(args).get("subnet-id"))
    if asked_id:
        if asked_id in _found_subnets:
            return _found_subnets[asked_id]
        # Not found by a lookup of this run: a subnet of the default VPC.
        index = int(stable_hex(asked_id), 16) % len(ZONE_LETTERS)
        subnet = {**_subnet_record(aws, vpc_of(aws, {}), index, {}, index), "id": asked_id}
        _found_subnets[asked_id] = subnet
        return subnet
    asked = {k: args[k] for k in ("availabilityZone", "availabilityZoneId") if args.get(k)}
    if args.get("defaultForAz") is not None:
        asked["defaultForAz"] = args["defaultForAz"]
    filters = {**filter_values(args), **{k: [str(v).lower()] for k, v in asked.items()}}
    candidates = [s for s in _subnets_found(aws, args) if matches(s, filters, SUBNET_FILTERS)]
    subnet = candidates[0] if candidates else _subnets_found(aws, args)[0]
    if args.get("cidrBlock") and args["cidrBlock"] != subnet["cidrBlock"]:
        # A block of the program's own layout: the subnet has it.
        cidr = ipaddress.ip_network(args["cidrBlock"], strict=False)
        subnet_id = f"subnet-{stable_hex(subnet['vpcId'], 'subnet', str(cidr))}"
        subnet = {**subnet, "id": subnet_id, "cidrBlock": str(cidr)}
        subnet.update(availableIpAddressCount=cidr.num_addresses - 5, defaultForAz=False)
        _found_subnets[subnet_id] = subnet
    return subnet


def _subnet(aws: Aws, args: dict) -> dict:
    subnet = subnet_of(aws, args)
    return {
        **subnet,
        "arn": aws.arn("ec2", f"subnet/{subnet['id']}"),
        "assignIpv6AddressOnCreation": False,
        "customerOwnedIpv4Pool": "",
        "enableDns64": False,
        "enableLniAtDeviceIndex": 0,
        "enableResourceNameDnsARecordOnLaunch": False,
        "enableResourceNameDnsAaaaRecordOnLaunch": False,
        "filters": args.get("filters"),
        "ipv6CidrBlock": "",
        "ipv6CidrBlockAssociationId": "",
        "ipv6Native": False,
        "mapCustomerOwnedIpOnLaunch": False,
        "outpostArn": "",
        "privateDnsHostnameTypeOnLaunch": "ip-name",
        "region": aws.region,
    }


# --- security groups ---------------------------------------------------------------------------
def security_group_of(aws: Aws, vpc: dict, name: str | None, group_id: str | None = None) -> dict:
    if group_id and group_id in _found_groups:
        name, vpc_id = _found_groups[group_id]
        vpc = vpc_of(aws, {"id": vpc_id})
    name = name or "default"
    if not group_id:
        parts = (aws.region, "sg", name) if vpc["default"] else (vpc["id"], "sg", name)
        group_id = f"sg-{stable_hex(*parts)}"
    _found_groups[group_id] = (name, vpc["id"])
    return {
        "id": group_id,
        "arn": aws.arn("ec2", f"security-group/{group_id}"),
        "name": name,
        # AWS's description of a VPC's default group; others: Pulumi's default description.
        "description": "default VPC security group" if name == "default" else "Managed by Pulumi",
        "vpcId": vpc["id"],
    }


def _security_group(aws: Aws, args: dict) -> dict:
    filters = filter_values(args)
    vpc = vpc_of(aws, {"id": args.get("vpcId") or first(filters.get("vpc-id"))})
    name = args.get("name") or first(filters.get("group-name"))
    group_id = args.get("id") or first(filters.get("group-id"))
    group = security_group_of(aws, vpc, name, group_id)
    return {
        **group,
        "filters": args.get("filters"),
        "region": aws.region,
        "tags": tags_asked(args),
    }


def _security_groups(aws: Aws, args: dict) -> dict:
    filters = filter_values(args)
    groups = []
    for vpc in _vpcs_asked(aws, args):
        if filters.get("group-id"):
            groups += [security_group_of(aws, vpc, None, i) for i in filters["group-id"]]
        elif filters.get("group-name"):
            groups += [security_group_of(aws, vpc, n) for n in filters["group-name"]]
        elif tags_asked(args):  # a group the program tagged
            tags = json.dumps(tags_asked(args), sort_keys=True)
            groups.append(security_group_of(aws, vpc, f"tagged-{stable_hex(tags, length=8)}"))
        else:
            groups.append(security_group_of(aws, vpc, "default"))
    return {
        "id": aws.region,
        "ids": [g["id"] for g in groups],
        "arns": [g["arn"] for g in groups],
        "vpcIds": [g["vpcId"] for g in groups],
        "filters": args.get("filters"),
        "region": aws.region,
        "tags": args.get("tags"),
    }


# --- network interfaces ------------------------------------------------------------------------
def private_ip(cidr: str, *parts: str) -> str:
    """An address of the subnet, past the five AWS reserves."""
    network = ipaddress.ip_network(cidr)
    return str(network[5 + int(stable_hex(*parts), 16) % (network.num_addresses - 6)])


def private_dns_name(aws: Aws, ip: str) -> str:
    domain = "ec2.internal" if aws.region == "us-east-1" else f"{aws.region}.compute.internal"
    return f"ip-{ip.replace('.', '-')}.{domain}"


def _network_interface(aws: Aws, args: dict) -> dict:
    filters = filter_values(args)
    eni_id = args.get("id") or first(filters.get("network-interface-id"))
    eni_id = eni_id or f"eni-{stable_hex(aws.region, 'eni', json.dumps(filters, sort_keys=True))}"
    subnet = subnet_of(aws, {"id": first(filters.get("subnet-id")), "filters": args.get("filters")})
    ip = private_ip(subnet["cidrBlock"], eni_id)
    mac = stable_hex(eni_id, "mac", length=10)
    return {
        "id": eni_id,
        "arn": aws.arn("ec2", f"network-interface/{eni_id}"),
        "associations": [],
        "attachments": [],
        "availabilityZone": subnet["availabilityZone"],
        "description": "",
        "enaSrdSpecifications": [],
        "filters": args.get("filters"),
        "interfaceType": "interface",
        "ipv6Addresses": [],
        "macAddress": "0e:" + ":".join(mac[i : i + 2] for i in range(0, 10, 2)),
        "outpostArn": "",
        "ownerId": aws.account_id,
        "privateDnsName": private_dns_name(aws, ip),
        "privateIp": ip,
        "privateIps": [ip],
        "region": aws.region,
        "requesterId": "",
        "securityGroups": [
            security_group_of(aws, vpc_of(aws, {"id": subnet["vpcId"]}), None)["id"]
        ],
        "subnetId": subnet["id"],
        "tags": tags_asked(args),
        "vpcId": subnet["vpcId"],
    }


ANSWERS = {
    "aws:ec2/getVpc:getVpc": _vpc,
    "aws:ec2/getVpcs:getVpcs": _vpcs_answer,
    "aws:ec2/getSubnets:getSubnets": _subnets,
    "aws:ec2/getSubnet:getSubnet": _subnet,
    "aws:ec2/getSecurityGroup:getSecurityGroup": _security_group,
    "aws:ec2/getSecurityGroups:getSecurityGroups": _security_groups,
    "aws:ec2/getNetworkInterface:getNetworkInterface": _network_interface,
}
