"""Evaluate the policy pack on hand-made resources, through the same path as tools.preview.

Props are passed as the engine passes them (a protobuf Struct: camelCase names, numbers as
floats); UNKNOWN_* are the engine's sentinels for values not known during preview.
"""

import json
from dataclasses import dataclass, field

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tools import policy_pack

UNKNOWN = UNKNOWN_STRING_VALUE  # how the engine sends a string it cannot know yet

ACCOUNT = "123456789012"


def urn_of(resource_type: str, name: str) -> str:
    return f"urn:pulumi:test::sample::{resource_type}::{name}"


def check(
    pack, resource_type: str, props: dict, config: dict | None = None, name: str = "subject"
) -> list:
    """Violations the pack reports for one resource (Analyze), with this pack config."""
    pack.configure(config or {})
    struct = policy_pack.to_struct(props)
    return pack.analyze(
        policy_pack.AnalyzedResource(
            urn=urn_of(resource_type, name),
            type=resource_type,
            name=name,
            inputs=struct,
            outputs=struct,
        )
    )


@dataclass(eq=False)
class Res:
    """A resource of a stack, with its outputs and what its properties were computed from."""

    type: str
    name: str
    outputs: dict
    depends: dict = field(default_factory=dict)  # property -> [Res]

    @property
    def urn(self) -> str:
        return urn_of(self.type, self.name)


def check_stack(pack, resources: list, config: dict | None = None) -> list:
    """Violations the pack reports for a whole stack (AnalyzeStack)."""
    pack.configure(config or {})
    analyzed = [
        policy_pack.AnalyzedResource(
            urn=r.urn,
            type=r.type,
            name=r.name,
            inputs=policy_pack.to_struct(r.outputs),
            outputs=policy_pack.to_struct(r.outputs),
            property_dependencies={k: [d.urn for d in v] for k, v in r.depends.items()},
            dependencies=tuple(d.urn for v in r.depends.values() for d in v),
        )
        for r in resources
    ]
    return pack.analyze_stack(analyzed)


def finding(violation) -> str:
    """The rule's own message, without the description the SDK puts first."""
    return violation.message.split("\n", 1)[-1]


def names(violations: list) -> list:
    return sorted(v.policy for v in violations)


def only(violations: list, policy: str):
    found = [v for v in violations if v.policy == policy]
    assert len(found) == 1, [(v.policy, v.message) for v in violations]
    return found[0]


def document(*statements: dict) -> str:
    """An IAM policy document as JSON text, as programs usually pass it."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
