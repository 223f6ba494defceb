"""The policy pack the Pulumi CLI runs: `pulumi preview --policy-pack policy`.

Only builds the pack: constructing PolicyPack starts the analyzer's gRPC server and never returns,
so the rules live in the importable `least_privilege` package.
"""

from least_privilege import DEFAULT_ENFORCEMENT, PACK_NAME, POLICIES
from pulumi_policy import PolicyPack

PolicyPack(
    name=PACK_NAME,
    enforcement_level=DEFAULT_ENFORCEMENT,
    policies=POLICIES,
    description="Least-privilege IAM and safe defaults for event-driven AWS pipelines.",
    provider="aws",
)
