"""How a rule is declared: what it checks, why, how to fix it, and its configuration.

Every rule gets an `exemptResources` setting (logical names or URNs, glob patterns) on top of its
own, with defaults in its config schema so the CLI shows and validates them. A rule's check is a
plain function over plain values (see props.plain): it yields messages, one per finding, each
saying what is wrong and what to write instead.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
)

from .props import plain

EXEMPT_RESOURCES = {
    "exemptResources": {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "description": "Logical names or URNs (glob patterns) of resources this rule skips.",
    }
}


@dataclass(eq=False)
class Resource:
    """A resource as a rule sees it: plain props; in stack rules, also its links."""

    type: str
    name: str
    urn: str
    props: dict
    parent: "Resource | None" = None
    dependencies: list = field(default_factory=list)
    property_dependencies: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.type.split(':')[-1]} '{self.name}'"


def _settings(schema: Mapping, given: Mapping | None) -> dict:
    defaults = {key: spec["default"] for key, spec in schema.items() if "default" in spec}
    return {**defaults, **dict(given or {})}


def _exempt(settings: Mapping, name: str, urn: str) -> bool:
    return any(fnmatchcase(name, p) or fnmatchcase(urn, p) for p in settings["exemptResources"])


@dataclass(frozen=True)
class RuleInfo:
    name: str
    description: str  # what it requires, and what to do instead
    severity: Severity
    enforcement: EnforcementLevel
    remediation: str
    config: Mapping = field(default_factory=dict)  # JSON-schema properties of its settings

    def schema(self) -> dict:
        return {**EXEMPT_RESOURCES, **self.config}


def resource_rule(
    info: RuleInfo,
    types: Iterable[str],
    check: Callable[[Resource, dict], Iterable[str]],
) -> ResourceValidationPolicy:
    """A rule that checks one resource at a time, before it is created or updated."""
    types = frozenset(types)
    schema = info.schema()

    def validate(args, report_violation):
        if args.resource_type not in types:
            return
        settings = _settings(schema, args.get_config())
        if _exempt(settings, args.name, args.urn):
            return
        resource = Resource(args.resource_type, args.name, args.urn, plain(args.props))
        for message in check(resource, settings):
            report_violation(message)

    return ResourceValidationPolicy(
        name=info.name,
        description=info.description,
        validate=validate,
        enforcement_level=info.enforcement,
        config_schema=PolicyConfigSchema(properties=schema),
        severity=info.severity,
        remediation_steps=info.remediation,
    )


def stack_rule(
    info: RuleInfo,
    check: Callable[[list, dict], Iterable[tuple[Resource, str]]],
) -> StackValidationPolicy:
    """A rule that needs several resources at once (a bucket and its access block, ...).

    Stack rules see outputs, after every resource is registered; findings name their resource.
    """
    schema = info.schema()

    def validate(args, report_violation):
        settings = _settings(schema, args.get_config())
        for resource, message in check(stack_resources(args.resources), settings):
            if not _exempt(settings, resource.name, resource.urn):
                report_violation(message, resource.urn)

    return StackValidationPolicy(
        name=info.name,
        description=info.description,
        validate=validate,
        enforcement_level=info.enforcement,
        config_schema=PolicyConfigSchema(properties=schema),
        severity=info.severity,
        remediation_steps=info.remediation,
    )


def stack_resources(policy_resources: Iterable[Any]) -> list:
    """The SDK's PolicyResource objects as Resources, with parents and dependencies linked."""
    policy_resources = list(policy_resources)
    converted = {
        id(r): Resource(r.resource_type, r.name, r.urn, plain(r.props)) for r in policy_resources
    }
    for original in policy_resources:
        resource = converted[id(original)]
        if original.parent is not None:
            resource.parent = converted.get(id(original.parent))
        resource.dependencies = [
            converted[id(d)] for d in original.dependencies if id(d) in converted
        ]
        resource.property_dependencies = {
            key: [converted[id(d)] for d in deps if id(d) in converted]
            for key, deps in original.property_dependencies.items()
        }
    return list(converted.values())


def of_types(resources: Iterable[Resource], *types: str) -> list:
    return [r for r in resources if r.type in types]


class Targets:
    """Resources of one kind (buckets, functions...), found by what refers to them.

    A stack rule pairs two kinds of resource (a bucket and its access block): testing every pair
    costs the square of the stack's size, 25 million pairs at 5,000 resources. Looking the
    referrer's value up among the targets' ids keeps a rule linear in the stack.
    """

    def __init__(
        self,
        targets: Iterable[Resource],
        ids: Callable[[Resource], Iterable],
        *,
        qualified: bool = False,
    ):
        """`ids(target)`: the strings that name it (name, ARN...). `qualified`: a value that is
        an ARN id followed by ":qualifier" (a function's alias or version) also names it."""
        self._targets = list(targets)
        self._position = {id(t): n for n, t in enumerate(self._targets)}
        self._qualified = qualified
        self._by_id = defaultdict(list)
        for target in self._targets:
            for name in {n for n in ids(target) if isinstance(n, str)}:  # skips unknowns
                self._by_id[name].append(target)

    def __iter__(self):
        return iter(self._targets)

    def named_by(self, resource: Resource, prop: str, values: Iterable | None = None) -> list:
        """The targets that `resource`'s `prop` names, in target order: computed from them
        (e.g. bucket=bucket.id), or equal to one of their ids. `values` default to the prop's."""
        if values is None:
            values = [resource.props.get(prop)]
        found = {
            id(dep): dep
            for dep in resource.property_dependencies.get(prop, ())
            if id(dep) in self._position
        }
        for value in values:
            for key in self._keys(value):
                found.update((id(t), t) for t in self._by_id.get(key, ()))
        return sorted(found.values(), key=lambda t: self._position[id(t)])

    def referrers(self, resources: Iterable[Resource], prop: str) -> dict:
        """id(target) -> the resources (in their order) whose `prop` names that target."""
        mine = defaultdict(list)
        for resource in resources:
            for target in self.named_by(resource, prop):
                mine[id(target)].append(resource)
        return mine

    def _keys(self, value) -> list:
        if not isinstance(value, str):
            return []
        if not (self._qualified and value.startswith("arn:")):
            return [value]
        # "arn:...:function:name:alias": itself, and each shorter "arn:..." cut at a colon
        return [value] + [value[:n] for n in range(4, len(value)) if value[n] == ":"]
