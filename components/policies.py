"""IAM policy documents: statements as plain dicts whose values may be Pulumi Outputs."""

import json
from collections.abc import Mapping, Sequence

import pulumi

VERSION = "2012-10-17"


def allow(
    sid: str,
    actions: Sequence[str],
    resources: Sequence[pulumi.Input[str]],
    condition: Mapping | None = None,
) -> dict:
    """One Allow statement; actions sorted so a policy diff shows only real changes."""
    statement = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": sorted(actions),
        "Resource": list(resources),
    }
    if condition:
        statement["Condition"] = dict(condition)
    return statement


def deny_insecure_transport(sid: str, actions: str, resources: Sequence[pulumi.Input[str]]) -> dict:
    """Resource-policy statement refusing any request that does not use TLS."""
    return {
        "Sid": sid,
        "Effect": "Deny",
        "Principal": "*",
        "Action": actions,
        "Resource": list(resources),
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def document(statements: Sequence[dict]) -> pulumi.Output[str]:
    """The policy JSON, resolved once every ARN in the statements is known."""
    return pulumi.Output.json_dumps({"Version": VERSION, "Statement": list(statements)})


def service_trust_policy(service: str) -> str:
    """Trust policy that lets exactly one AWS service principal assume the role."""
    return json.dumps(
        {
            "Version": VERSION,
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
            ],
        }
    )
