"""Resource properties as plain Python values, with unknowns made explicit.

The SDK hands rules `args.props` wrapped in an unknown-checking proxy: during `pulumi preview`,
reading a value that is not known yet (an ARN of a resource still to be created, a policy JSON built
from such ARNs) raises UnknownValueError, and so do `in`, `.get()` and `dict()` on it. If that
escaped a rule, the SDK would downgrade the whole rule to "can't run during preview" for that
resource. Converting once, here, turns each unknown into the UNKNOWN marker, so rules check
everything that is known and skip only what is not.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy.proxy import UnknownValueError


class _Unknown:
    """A value Pulumi cannot know during preview."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<unknown during preview>"


UNKNOWN = _Unknown()


def is_unknown(value: Any) -> bool:
    return value is UNKNOWN


def plain(value: Any) -> Any:
    """`value` (proxy, dict, list or scalar) as dicts and lists, unknowns replaced by UNKNOWN."""
    if isinstance(value, (str, bytes)):
        return value
    if isinstance(value, Mapping):
        result = {}
        for key in list(value):  # iterating keys never raises; reading a value may
            try:
                result[key] = plain(value[key])
            except UnknownValueError:
                result[key] = UNKNOWN
        return result
    if isinstance(value, Sequence):
        items = []
        for index in range(len(value)):
            try:
                items.append(plain(value[index]))
            except UnknownValueError:
                items.append(UNKNOWN)
        return items
    return value


def as_list(value: Any) -> list:
    """A string-or-list IAM element (Action, Resource, ...) as a list; None as []."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def _has(container: Any, step: Any) -> bool:
    if isinstance(container, dict):
        return step in container
    return (
        isinstance(container, list)
        and isinstance(step, int)
        and -len(container) <= step < len(container)
    )


def dig(value: Any, *path: Any, default: Any = None) -> Any:
    """value[path[0]][path[1]]...; `default` where a step is missing, UNKNOWN where one is unknown."""
    for step in path:
        if value is UNKNOWN:
            return UNKNOWN
        if not _has(value, step):
            return default
        value = value[step]
    return value
