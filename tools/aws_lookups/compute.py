"""Machine images and instance types.

An AMI lookup finds one image per owner and name pattern: its id ami- + 17 hexadecimal digits, its
ARN arn:PARTITION:ec2:REGION::image/ID (images have no account in their ARN), its name the pattern
asked for with today's build in place of the wildcards, as AWS's image names carry one. Instance
types are read from their names: family (a `g` after the generation: Graviton, arm64) and size.
"""

import fnmatch
import re

from tools.aws_lookups.core import Aws, filter_values, first, stable_hex

# Owner aliases -> the accounts AWS documents as publishing under them (Find an AMI, EC2 guide).
OWNER_ALIASES = {"amazon": "137112412989", "aws-marketplace": "679593333241"}
AMAZON_OWNERS = {"137112412989", "801119661308"}  # Amazon Linux, Windows (alias `amazon`)
BUILD = "20260101"  # what a wildcard in an image name stands for
IMAGE_CREATED = "2026-01-01T00:00:00.000Z"  # EC2 writes image creation dates with milliseconds

# Instance types a listing knows (getInstanceTypes filters these).
CATALOGUE = [
    "t3.micro", "t3.small", "t3.medium", "t3.large", "t4g.micro", "t4g.small", "t4g.medium",
    "m5.large", "m5.xlarge", "m6g.large", "m7g.large", "c5.large", "c6g.large", "r5.large",
]  # fmt: skip
MEMORY_PER_VCPU_GIB = {"c": 2, "m": 4, "r": 8, "x": 16}
BURSTABLE_MEMORY_GIB = {"nano": 0.5, "micro": 1, "small": 2, "medium": 4, "large": 8}


def _owner(aws: Aws, args: dict) -> str:
    owner = first(args.get("owners") or []) or first(filter_values(args).get("owner-id"))
    owner = owner or "amazon"
    if owner == "self":
        return aws.account_id
    return OWNER_ALIASES.get(owner, owner)


def _image_name(args: dict) -> str:
    pattern = first(filter_values(args).get("name"))
    if not pattern:
        return "offline-preview-image"
    return pattern.replace("*", BUILD).replace("?", "0")


def _architecture(args: dict, name: str) -> str:
    asked = first(filter_values(args).get("architecture"))
    if asked:
        return asked
    return "arm64" if re.search(r"arm64|aarch64", name) else "x86_64"


def image_id(aws: Aws, args: dict, build: str = "latest") -> str:
    return f"ami-{stable_hex(aws.region, 'ami', _owner(aws, args), _image_name(args), build)}"


def _ami(aws: Aws, args: dict) -> dict:
    owner, name = _owner(aws, args), _image_name(args)
    ami_id = image_id(aws, args)
    filters = filter_values(args)
    alias = "amazon" if owner in AMAZON_OWNERS else ""
    alias = "aws-marketplace" if owner == OWNER_ALIASES["aws-marketplace"] else alias
    windows = "windows" in name.lower()
    root = "/dev/sda1" if windows or "ubuntu" in name else "/dev/xvda"
    snapshot = f"snap-{stable_hex(ami_id, 'snapshot')}"
    return {
        "id": ami_id,
        "imageId": ami_id,
        "arn": aws.arn("ec2", f"image/{ami_id}", account=False),
        "architecture": _architecture(args, name),
        "blockDeviceMappings": [
            {
                "deviceName": root,
                "ebs": {
                    "delete_on_termination": "true",
                    "encrypted": "false",
                    "iops": "3000",
                    "snapshot_id": snapshot,
                    "throughput": "125",
                    "volume_size": "30" if windows else "8",
                    "volume_type": "gp3",
                },
                "noDevice": "",
                "virtualName": "",
            }
        ],
        "bootMode": "uefi-preferred" if name.startswith("al2023") else "",
        "creationDate": IMAGE_CREATED,
        "deprecationTime": "",
        "description": name,
        "enaSupport": True,
        "executableUsers": args.get("executableUsers"),
        "filters": args.get("filters"),
        "hypervisor": "xen",
        "imageLocation": f"{alias or owner}/{name}",
        "imageOwnerAlias": alias,
        "imageType": "machine",
        "imdsSupport": "v2.0" if name.startswith("al2023") else "",
        "includeDeprecated": args.get("includeDeprecated"),
        "kernelId": "",
        "lastLaunchedTime": "",
        "mostRecent": args.get("mostRecent"),
        "name": name,
        "nameRegex": args.get("nameRegex"),
        "ownerId": owner,
        "owners": args.get("owners"),
        "platform": "windows" if windows else "",
        "platformDetails": "Windows" if windows else "Linux/UNIX",
        "productCodes": [],
        "public": bool(alias),
        "ramdiskId": "",
        "region": aws.region,
        "rootDeviceName": root,
        "rootDeviceType": first(filters.get("root-device-type")) or "ebs",
        "rootSnapshotId": snapshot,
        "sriovNetSupport": "simple",
        "state": "available",
        "stateReason": {"code": "UNSET", "message": "UNSET"},
        "tags": {},
        "tpmSupport": "",
        "uefiData": args.get("uefiData"),
        "usageOperation": "RunInstances:0002" if windows else "RunInstances",
        "virtualizationType": first(filters.get("virtualization-type")) or "hvm",
    }


def _ami_ids(aws: Aws, args: dict) -> dict:
    ids = [image_id(aws, args), image_id(aws, args, "previous")]  # newest first, as by default
    return {
        "id": aws.region,
        "ids": list(reversed(ids)) if args.get("sortAscending") else ids,
        "executableUsers": args.get("executableUsers"),
        "filters": args.get("filters"),
        "includeDeprecated": args.get("includeDeprecated"),
        "nameRegex": args.get("nameRegex"),
        "owners": args.get("owners") or [],
        "region": aws.region,
        "sortAscending": args.get("sortAscending"),
    }


def _vcpus(family: str, size: str) -> int:
    if size in ("nano", "micro", "small"):
        return 2
    if size == "medium":
        return 2 if family.startswith("t") else 1
    if size == "large":
        return 2
    multiple = re.fullmatch(r"(\d*)xlarge", size)
    if multiple:
        return 4 * int(multiple.group(1) or 1)
    return 96  # metal


def instance_type_info(instance_type: str) -> dict:
    family, _, size = instance_type.partition(".")
    arm = re.fullmatch(r"[a-z]+\d+g[a-z]*", family) is not None
    vcpus = _vcpus(family, size)
    burstable = family.startswith("t")
    if burstable:
        memory = BURSTABLE_MEMORY_GIB.get(size, 4 * vcpus)
    else:
        memory = MEMORY_PER_VCPU_GIB.get(family[0], 4) * vcpus
    threads = 1 if arm or vcpus == 1 else 2
    nitro = family not in ("t2", "m4", "c4", "r4")
    return {
        "instanceType": instance_type,
        "burstablePerformanceSupported": burstable,
        "currentGeneration": True,
        "defaultCores": max(1, vcpus // threads),
        "defaultThreadsPerCore": threads,
        "defaultVcpus": vcpus,
        "ebsOptimizedSupport": "default" if nitro else "supported",
        "enaSupport": "required" if nitro else "unsupported",
        "freeTierEligible": instance_type in ("t2.micro", "t3.micro"),
        "hypervisor": "nitro" if nitro else "xen",
        "instanceStorageSupported": "d" in family[2:],
        "ipv6Supported": True,
        "memorySize": int(memory * 1024),  # MiB, as DescribeInstanceTypes gives it
        "networkPerformance": "Up to 5 Gigabit" if burstable else "Up to 10 Gigabit",
        "supportedArchitectures": ["arm64"] if arm else ["x86_64"],
        "supportedRootDeviceTypes": ["ebs"],
        "supportedUsagesClasses": ["on-demand", "spot"],
        "supportedVirtualizationTypes": ["hvm"],
    }


def _instance_type(aws: Aws, args: dict) -> dict:
    info = instance_type_info(args.get("instanceType") or "t3.micro")
    return {**info, "id": info["instanceType"], "region": aws.region}


def _instance_types(aws: Aws, args: dict) -> dict:
    filters = filter_values(args)
    found = []
    for name in CATALOGUE:
        info = instance_type_info(name)
        wanted = filters.get("instance-type") or ["*"]
        arch = filters.get("processor-info.supported-architecture") or ["*"]
        if any(fnmatch.fnmatchcase(name, w) for w in wanted) and any(
            fnmatch.fnmatchcase(info["supportedArchitectures"][0], a) for a in arch
        ):
            found.append(name)
    return {
        "id": aws.region,
        "instanceTypes": found,
        "filters": args.get("filters"),
        "region": aws.region,
    }


ANSWERS = {
    "aws:ec2/getAmi:getAmi": _ami,
    "aws:ec2/getAmiIds:getAmiIds": _ami_ids,
    "aws:ec2/getInstanceType:getInstanceType": _instance_type,
    "aws:ec2/getInstanceTypes:getInstanceTypes": _instance_types,
}
