"""Offline answers to the AWS provider functions programs commonly call, and AWS's naming rules
(partitions, ARN shapes, hosts) shared with the resource mocks.

Each answer has the shape the provider returns (the camelCase properties of the function's
`Get*Result` class), for one account and region: the region of the call's provider, or the one
the call asks for. Lookups of existing infrastructure answer with the name or id asked for and
plausible, stable identifiers in AWS's formats; the answers of one family agree with each other
(subnets are the VPC's, in the zones getAvailabilityZones gives; a key found by alias is the
alias's target). The families live in tools.aws_lookups.
"""

from tools.aws_lookups import (
    account,
    compute,
    domains,
    ecr,
    eks,
    iam,
    kms,
    routing,
    secretsmanager,
    ssm,
    vpc,
)
from tools.aws_lookups.core import (
    ACCOUNT_ID,
    GLOBAL_SERVICES,
    NO_ACCOUNT,
    Aws,
    dns_suffix,
    in_asked_region,
    partition_of,
    stable_hex,
)

__all__ = [
    "ACCOUNT_ID",
    "ANSWERS",
    "GLOBAL_SERVICES",
    "NO_ACCOUNT",
    "Aws",
    "dns_suffix",
    "partition_of",
    "stable_hex",
]

FAMILIES = (account, iam, vpc, routing, compute, domains, ssm, kms, secretsmanager, ecr, eks)

# Provider function token -> (Aws, args) -> result.
ANSWERS = {
    token: in_asked_region(answer)
    for family in FAMILIES
    for token, answer in family.ANSWERS.items()
}
