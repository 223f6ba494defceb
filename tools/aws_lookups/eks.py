"""EKS clusters and their authentication tokens.

A cluster's ARN is arn:PARTITION:eks:REGION:ACCOUNT:cluster/NAME, its endpoint
https://ID.gr7.REGION.eks.amazonaws.com with ID 32 upper-case hexadecimal digits, its OIDC issuer
https://oidc.eks.REGION.amazonaws.com/id/ID, its certificate authority base64 of a PEM
certificate (EKS API Reference: Cluster, Certificate, OIDC). The cluster runs in the default VPC's
subnets. A token is k8s-aws-v1. + the unpadded URL-safe base64 of a presigned STS
GetCallerIdentity URL, as `aws eks get-token` makes it (here signed with a stand-in signature).
"""

import base64

from tools.aws_lookups.core import CREATED, Aws, stable_hex, stand_in_pem
from tools.aws_lookups.vpc import security_group_of, subnets_of, vpc_of

KUBERNETES_VERSION = "1.33"
PLATFORM_VERSION = "eks.10"


def _cluster(aws: Aws, args: dict) -> dict:
    name = args.get("name")
    cluster_id = stable_hex(aws.account_id, aws.region, "eks", str(name), length=32).upper()
    vpc = vpc_of(aws, {})
    suffix = aws.dns_suffix
    ca = base64.b64encode(stand_in_pem(cluster_id, "ca").encode()).decode()
    return {
        "id": name,
        "name": name,
        "arn": aws.arn("eks", f"cluster/{name}"),
        "accessConfigs": [
            {
                "authenticationMode": "API_AND_CONFIG_MAP",
                "bootstrapClusterCreatorAdminPermissions": True,
            }
        ],
        "certificateAuthorities": [{"data": ca}],
        "clusterId": "",  # only clusters on Outposts have one
        "computeConfigs": [],
        "controlPlaneScalingConfigs": [],
        "createdAt": CREATED,
        "deletionProtection": False,
        "enabledClusterLogTypes": [],
        "endpoint": f"https://{cluster_id}.gr7.{aws.region}.eks.{suffix}",
        "identities": [
            {"oidcs": [{"issuer": f"https://oidc.eks.{aws.region}.{suffix}/id/{cluster_id}"}]}
        ],
        "kubeApiServerConfigs": [],
        "kubeControllerManagerConfigs": [],
        "kubeSchedulerConfigs": [],
        "kubernetesNetworkConfigs": [
            {
                "elasticLoadBalancings": [{"enabled": False}],
                "ipFamily": "ipv4",
                "serviceIpv4Cidr": "10.100.0.0/16",
                "serviceIpv6Cidr": "",
            }
        ],
        "outpostConfigs": [],
        "platformVersion": PLATFORM_VERSION,
        "region": aws.region,
        "remoteNetworkConfigs": [],
        "roleArn": aws.arn("iam", f"role/{name}-cluster", region=False),
        "status": "ACTIVE",
        "storageConfigs": [],
        "tags": dict(args.get("tags") or {}),
        "upgradePolicies": [{"supportType": "EXTENDED"}],
        "version": KUBERNETES_VERSION,
        "vpcConfig": {
            "clusterSecurityGroupId": security_group_of(aws, vpc, f"eks-cluster-sg-{name}")["id"],
            "controlPlaneEgressMode": "",
            "endpointPrivateAccess": False,
            "endpointPublicAccess": True,
            "publicAccessCidrs": ["0.0.0.0/0"],
            "securityGroupIds": [],
            "subnetIds": [s["id"] for s in subnets_of(aws, vpc)],
            "vpcId": vpc["id"],
        },
        "zonalShiftConfigs": [],
    }


def _cluster_auth(aws: Aws, args: dict) -> dict:
    name = args.get("name")
    signature = stable_hex(aws.account_id, aws.region, "token", str(name), length=64)
    url = (
        f"https://sts.{aws.region}.{aws.dns_suffix}/?Action=GetCallerIdentity&Version=2011-06-15"
        "&X-Amz-Algorithm=AWS4-HMAC-SHA256"
        f"&X-Amz-Credential=AKIAOFFLINEPREVIEW000%2F20260101%2F{aws.region}%2Fsts%2Faws4_request"
        "&X-Amz-Date=20260101T000000Z&X-Amz-Expires=60"
        f"&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Signature={signature}"
    )
    token = base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")
    return {"id": name, "name": name, "region": aws.region, "token": f"k8s-aws-v1.{token}"}


ANSWERS = {
    "aws:eks/getCluster:getCluster": _cluster,
    "aws:eks/getClusterAuth:getClusterAuth": _cluster_auth,
}
