"""Route tables, internet and NAT gateways, VPC endpoints and prefix lists of the VPCs of
tools.aws_lookups.vpc.

A default VPC routes 0.0.0.0/0 to its internet gateway from its main route table, which its
default subnets use; each subnet of another VPC has a route table of its own. Routes list no
`local` route: the provider leaves it out. Identifier shapes (Amazon EC2 API Reference): rtb-,
rtbassoc-, igw-, nat-, eipalloc-, eipassoc-, vpce- + 17 hexadecimal digits; vpce-svc- + 17; AWS's
prefix lists pl- + 8; ARNs arn:PARTITION:ec2:REGION:ACCOUNT:route-table/ID, internet-gateway/ID,
vpc-endpoint/ID, vpc-endpoint-service/ID, prefix-list/ID (account `aws` for AWS's own lists).
"""

import json

from tools.aws_lookups.account import ZONE_LETTERS, zone_name
from tools.aws_lookups.core import (
    UPPER_ALPHANUMERIC,
    Aws,
    filter_values,
    first,
    stable_chars,
    stable_hex,
    tags_asked,
)
from tools.aws_lookups.vpc import (
    main_route_table_id,
    private_ip,
    security_group_of,
    subnet_of,
    subnets_of,
    vpc_of,
)

_found_route_tables: dict = {}  # route table id -> (vpc id, subnet id or None, gateway id or None)
_found_internet_gateways: dict = {}  # internet gateway id -> vpc id
_found_prefix_lists: dict = {}  # prefix list id -> name
_found_nat_gateways: dict = {}  # NAT gateway id -> subnet id

# Stand-ins for the ranges of AWS's prefix lists: documentation ranges (RFC 5737), not AWS's.
PREFIX_LIST_CIDRS = ["192.0.2.0/24", "198.51.100.0/24"]
GATEWAY_SERVICES = ("s3", "dynamodb")  # services with gateway endpoints
# The policy of an endpoint created without one (VPC endpoint policies, AWS PrivateLink guide).
FULL_ACCESS_POLICY = json.dumps(
    {
        "Version": "2008-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
    }
)


def internet_gateway_id(vpc_id: str) -> str:
    return f"igw-{stable_hex(vpc_id, 'igw')}"


# --- route tables ------------------------------------------------------------------------------
def _route_table_record(aws: Aws, vpc: dict, subnet_id=None, gateway_id=None, table_id=None):
    if table_id is None and subnet_id and not vpc["default"]:
        table_id = f"rtb-{stable_hex(subnet_id, 'rtb')}"
    elif table_id is None and gateway_id:
        table_id = f"rtb-{stable_hex(gateway_id, 'rtb')}"
    own = table_id is not None and table_id != main_route_table_id(vpc["id"])
    table_id = table_id or main_route_table_id(vpc["id"])
    _found_route_tables[table_id] = (vpc["id"], subnet_id, gateway_id)
    association = {
        "routeTableAssociationId": f"rtbassoc-{stable_hex(table_id, str(subnet_id))}",
        "routeTableId": table_id,
        "subnetId": (subnet_id or "") if own else "",
        "gatewayId": gateway_id or "",
        "main": not own,
    }
    routes = []
    if vpc["default"]:  # a default VPC's subnets reach the internet through its gateway
        routes.append({"cidrBlock": "0.0.0.0/0", "gatewayId": internet_gateway_id(vpc["id"])})
    return {
        "id": table_id,
        "routeTableId": table_id,
        "arn": aws.arn("ec2", f"route-table/{table_id}"),
        "associations": [association],
        "ownerId": aws.account_id,
        "routes": routes,
        "vpcId": vpc["id"],
    }


def _route_table(aws: Aws, args: dict) -> dict:
    filters = filter_values(args)
    table_id = args.get("routeTableId") or first(filters.get("route-table-id"))
    subnet_id = args.get("subnetId") or first(filters.get("association.subnet-id"))
    gateway_id = args.get("gatewayId") or first(filters.get("association.gateway-id"))
    if table_id and table_id in _found_route_tables:
        vpc_id, subnet_id, gateway_id = _found_route_tables[table_id]
        vpc = vpc_of(aws, {"id": vpc_id})
    elif subnet_id:
        vpc = vpc_of(aws, {"id": subnet_of(aws, {"id": subnet_id})["vpcId"]})
    else:
        vpc = vpc_of(aws, {"id": args.get("vpcId") or first(filters.get("vpc-id"))})
    table = _route_table_record(aws, vpc, subnet_id, gateway_id, table_id)
    return {
        **table,
        "filters": args.get("filters"),
        "gatewayId": args.get("gatewayId") or "",
        "region": aws.region,
        "subnetId": args.get("subnetId") or "",
        "tags": tags_asked(args),
    }


def _route_tables_answer(aws: Aws, args: dict) -> dict:
    filters = filter_values(args)
    vpc = vpc_of(aws, {"id": args.get("vpcId") or first(filters.get("vpc-id"))})
    ids = [main_route_table_id(vpc["id"])]
    if filters.get("association.main") != ["true"] and not vpc["default"]:
        ids += [_route_table_record(aws, vpc, s["id"])["id"] for s in subnets_of(aws, vpc)]
    return {
        "id": aws.region,
        "ids": ids,
        "filters": args.get("filters"),
        "region": aws.region,
        "tags": args.get("tags"),
        "vpcId": args.get("vpcId"),
    }


# --- gateways ----------------------------------------------------------------------------------
def _internet_gateway(aws: Aws, args: dict) -> dict:
    filters = filter_values(args)
    gateway_id = args.get("internetGatewayId") or first(filters.get("internet-gateway-id"))
    vpc_id = _found_internet_gateways.get(gateway_id) or first(filters.get("attachment.vpc-id"))
    vpc = vpc_of(aws, {"id": vpc_id})
    gateway_id = gateway_id or internet_gateway_id(vpc["id"])
    _found_internet_gateways[gateway_id] = vpc["id"]
    return {
        "id": gateway_id,
        "internetGatewayId": gateway_id,
        "arn": aws.arn("ec2", f"internet-gateway/{gateway_id}"),
        "attachments": [{"state": "available", "vpcId": vpc["id"]}],
        "filters": args.get("filters"),
        "ownerId": aws.account_id,
        "region": aws.region,
        "tags": tags_asked(args),
    }


def _nat_subnet(aws: Aws, args: dict) -> dict:
    filters = filter_values(args)
    subnet_id = args.get("subnetId") or first(filters.get("subnet-id"))
    subnet_id = subnet_id or _found_nat_gateways.get(
        args.get("id") or first(filters.get("nat-gateway-id"))
    )
    if subnet_id:
        return subnet_of(aws, {"id": subnet_id})
    vpc = vpc_of(aws, {"id": args.get("vpcId") or first(filters.get("vpc-id"))})
    return subnets_of(aws, vpc)[0]


def nat_gateway_id(subnet_id: str) -> str:
    return f"nat-{stable_hex(subnet_id, 'nat')}"


def _nat_gateway(aws: Aws, args: dict) -> dict:
    subnet = _nat_subnet(aws, args)
    gateway_id = args.get("id") or first(filter_values(args).get("nat-gateway-id"))
    gateway_id = gateway_id or nat_gateway_id(subnet["id"])
    _found_nat_gateways[gateway_id] = subnet["id"]
    return {
        "id": gateway_id,
        "allocationId": f"eipalloc-{stable_hex(gateway_id, 'eip')}",
        "associationId": f"eipassoc-{stable_hex(gateway_id, 'eip')}",
        "availabilityMode": "zonal",
        "availabilityZoneAddresses": [],
        "connectivityType": "public",
        "filters": args.get("filters"),
        "networkInterfaceId": f"eni-{stable_hex(gateway_id, 'eni')}",
        "privateIp": private_ip(subnet["cidrBlock"], gateway_id),
        # A documentation address (RFC 5737) standing in for the Elastic IP.
        "publicIp": f"203.0.113.{1 + int(stable_hex(gateway_id, length=4), 16) % 254}",
        "regionalNatGatewayAddresses": [],
        "region": aws.region,
        "secondaryAllocationIds": [],
        "secondaryPrivateIpAddressCount": 0,
        "secondaryPrivateIpAddresses": [],
        "state": args.get("state") or "available",
        "subnetId": subnet["id"],
        "tags": tags_asked(args),
        "vpcId": subnet["vpcId"],
    }


def _nat_gateways_answer(aws: Aws, args: dict) -> dict:
    subnet = _nat_subnet(aws, args)
    return {
        "id": aws.region,
        "ids": [nat_gateway_id(subnet["id"])],
        "filters": args.get("filters"),
        "region": aws.region,
        "tags": args.get("tags"),
        "vpcId": args.get("vpcId"),
    }


# --- VPC endpoints and prefix lists ------------------------------------------------------------
def service_name(aws: Aws, service: str) -> str:
    """com.amazonaws.REGION.SERVICE (cn partitions: cn.com.amazonaws.REGION.SERVICE)."""
    prefix = "cn.com.amazonaws" if aws.partition == "aws-cn" else "com.amazonaws"
    return f"{prefix}.{aws.region}.{service}"


def _short_service(aws: Aws, name: str) -> str:
    return name.split(f".{aws.region}.", 1)[-1]


def _endpoint_type(aws: Aws, name: str, asked: str | None) -> str:
    if asked:
        return asked
    return "Gateway" if _short_service(aws, name) in GATEWAY_SERVICES else "Interface"


def prefix_list_id(name: str) -> str:
    return f"pl-{stable_hex(name, 'pl', length=8)}"


def _endpoint_kind_parts(aws: Aws, vpc: dict, endpoint_id: str, name: str, kind: str) -> dict:
    """What an interface endpoint has (network interfaces in the VPC's subnets, DNS names, a
    security group) and what a gateway endpoint has (routes, through the service's prefix list)."""
    if kind != "Interface":
        return {
            "cidrBlocks": PREFIX_LIST_CIDRS,
            "prefixListId": prefix_list_id(name),
            "routeTableIds": [main_route_table_id(vpc["id"])],
        }
    subnets = subnets_of(aws, vpc)
    host = f"{_short_service(aws, name)}.{aws.region}.vpce.{aws.dns_suffix}"
    zone = "Z" + stable_chars(aws.region, "vpce", length=13, alphabet=UPPER_ALPHANUMERIC)
    return {
        "dnsEntries": [
            {
                "dnsName": f"{endpoint_id}-{stable_hex(endpoint_id, length=8)}.{host}",
                "hostedZoneId": zone,
            }
        ],
        "dnsOptions": [
            {"dnsRecordIpType": "ipv4", "privateDnsOnlyForInboundResolverEndpoint": False}
        ],
        "networkInterfaceIds": [f"eni-{stable_hex(endpoint_id, s['id'])}" for s in subnets],
        "privateDnsEnabled": True,
        "securityGroupIds": [security_group_of(aws, vpc, None)["id"]],
        "subnetIds": [s["id"] for s in subnets],
    }


def _vpc_endpoint(aws: Aws, args: dict) -> dict:
    filters = filter_values(args)
    vpc = vpc_of(aws, {"id": args.get("vpcId") or first(filters.get("vpc-id"))})
    name = args.get("serviceName") or first(filters.get("service-name"))
    name = name or service_name(aws, "s3")
    kind = _endpoint_type(aws, name, args.get("vpcEndpointType"))
    endpoint_id = args.get("id") or f"vpce-{stable_hex(vpc['id'], name)}"
    return {
        "id": endpoint_id,
        "arn": aws.arn("ec2", f"vpc-endpoint/{endpoint_id}"),
        "cidrBlocks": [],
        "dnsEntries": [],
        "dnsOptions": [],
        "filters": args.get("filters"),
        "ipAddressType": "ipv4",
        "networkInterfaceIds": [],
        "ownerId": aws.account_id,
        "policy": FULL_ACCESS_POLICY,
        "prefixListId": "",
        "privateDnsEnabled": False,
        "region": aws.region,
        "requesterManaged": False,
        "routeTableIds": [],
        "securityGroupIds": [],
        "serviceName": name,
        "serviceRegion": aws.region,
        "state": args.get("state") or "available",
        "subnetIds": [],
        "tags": tags_asked(args),
        "vpcEndpointType": kind,
        "vpcId": vpc["id"],
        **_endpoint_kind_parts(aws, vpc, endpoint_id, name, kind),
    }


def _vpc_endpoint_service(aws: Aws, args: dict) -> dict:
    name = args.get("serviceName") or first(filter_values(args).get("service-name"))
    name = name or service_name(aws, args.get("service") or "s3")
    kind = args.get("serviceType") or _endpoint_type(aws, name, None)
    service = _short_service(aws, name)
    service_id = f"vpce-svc-{stable_hex(name, 'svc')}"
    private_dns = f"{service}.{aws.region}.{aws.dns_suffix}" if kind == "Interface" else ""
    return {
        "id": service_id,
        "serviceId": service_id,
        "arn": aws.arn("ec2", f"vpc-endpoint-service/{service_id}"),
        "acceptanceRequired": False,
        "availabilityZones": [zone_name(aws, i) for i in range(len(ZONE_LETTERS))],
        "baseEndpointDnsNames": [f"{service}.{aws.region}.vpce.{aws.dns_suffix}"],
        "filters": args.get("filters"),
        "managesVpcEndpoints": False,
        "owner": "amazon",
        "privateDnsName": private_dns,
        "privateDnsNames": [private_dns] if private_dns else [],
        "region": aws.region,
        "service": args.get("service"),
        "serviceName": name,
        "serviceRegion": aws.region,
        "serviceType": kind,
        "supportedIpAddressTypes": ["ipv4"],
        "tags": tags_asked(args),
        "vpcEndpointPolicySupported": True,
    }


def _prefix_list_asked(aws: Aws, args: dict) -> tuple:
    filters = filter_values(args)
    list_id = args.get("prefixListId") or args.get("id") or first(filters.get("prefix-list-id"))
    name = args.get("name") or first(filters.get("prefix-list-name"))
    name = name or _found_prefix_lists.get(list_id) or service_name(aws, "s3")
    list_id = list_id or prefix_list_id(name)
    _found_prefix_lists[list_id] = name
    return list_id, name


def _prefix_list(aws: Aws, args: dict) -> dict:
    list_id, name = _prefix_list_asked(aws, args)
    return {
        "id": list_id,
        "prefixListId": args.get("prefixListId"),
        "name": name,
        "cidrBlocks": PREFIX_LIST_CIDRS,
        "filters": args.get("filters"),
        "region": aws.region,
    }


def _managed_prefix_list(aws: Aws, args: dict) -> dict:
    list_id, name = _prefix_list_asked(aws, args)
    aws_owned = name.startswith(("com.amazonaws.", "cn.com.amazonaws."))
    owner = "aws" if aws_owned else aws.account_id
    return {
        "id": list_id,
        "name": name,
        "addressFamily": "IPv4",
        "arn": f"arn:{aws.partition}:ec2:{aws.region}:{owner}:prefix-list/{list_id}",
        "entries": [{"cidr": cidr, "description": ""} for cidr in PREFIX_LIST_CIDRS],
        "filters": args.get("filters"),
        "maxEntries": len(PREFIX_LIST_CIDRS) if aws_owned else 10,
        "ownerId": "AWS" if aws_owned else aws.account_id,
        "region": aws.region,
        "tags": tags_asked(args),
        "version": 1,
    }


ANSWERS = {
    "aws:ec2/getRouteTable:getRouteTable": _route_table,
    "aws:ec2/getRouteTables:getRouteTables": _route_tables_answer,
    "aws:ec2/getInternetGateway:getInternetGateway": _internet_gateway,
    "aws:ec2/getNatGateway:getNatGateway": _nat_gateway,
    "aws:ec2/getNatGateways:getNatGateways": _nat_gateways_answer,
    "aws:ec2/getVpcEndpoint:getVpcEndpoint": _vpc_endpoint,
    "aws:ec2/getVpcEndpointService:getVpcEndpointService": _vpc_endpoint_service,
    "aws:ec2/getPrefixList:getPrefixList": _prefix_list,
    "aws:ec2/getManagedPrefixList:getManagedPrefixList": _managed_prefix_list,
}
