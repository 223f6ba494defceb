"""How arguments are checked: every problem at once, each naming the value as it was written
(UserBucketsArgs.function.memory_size in a program, event-pipelines:userBuckets.memorySize in a
stack's config) with what it accepts. The rules themselves are in components.args."""

import inspect
import json
import re
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import MISSING, fields
from typing import Any

import pulumi


class ArgsError(ValueError):
    """Arguments a component cannot be built from; the message lists every problem."""

    def __init__(self, problems: list[str], heading: str = "invalid arguments"):
        self.problems = problems
        super().__init__(heading + ":\n" + "\n".join(f"  - {problem}" for problem in problems))


class Missing(str):
    """A problem that is a required key left out (the stack config forgives it where the pipeline
    is not enabled)."""


def camel(name: str) -> str:
    """A Python name as the schema and the stack config spell it: memory_size -> memorySize."""
    head, *rest = name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def snake(name: str) -> str:
    """The reverse: userBuckets -> user_buckets."""
    return re.sub(r"[A-Z]", lambda upper: "_" + upper.group().lower(), name)


# How a problem names a value: from its path in the arguments (("function", "memory_size")).
Namer = Callable[[tuple[str, ...]], str]


# True while the component package constructs a component for a program in another language
# (components.provider): problems then name arguments as its schema spells them.
SCHEMA_SPELLING: ContextVar[bool] = ContextVar("schema_spelling", default=False)


def args_namer(args_type: type) -> Namer:
    """Names as a library user wrote them: UserBucketsArgs.function.memory_size; through the
    component package, as a TypeScript or YAML program wrote them: UserBuckets.function.memorySize."""

    def name(path: tuple[str, ...]) -> str:
        if SCHEMA_SPELLING.get():
            return ".".join((args_type.__name__.removesuffix("Args"), *map(camel, path)))
        return ".".join((args_type.__name__, *path))

    return name


class Section:
    """Reads one mapping of arguments, recording a problem for each bad or unknown key."""

    def __init__(self, values: Any, problems: list, namer: Namer, path: tuple[str, ...] = ()):
        self.namer, self.path, self.problems, self.read = namer, path, problems, set()
        if values is None:
            values = {}
        if not isinstance(values, Mapping):
            problems.append(f"{namer(path)}: expected an object of settings, got {values!r}")
            values = {}
        self.values = values

    def name(self, key: str) -> str:
        return self.namer((*self.path, key))

    def short(self, key: str) -> str:
        """`key` as named next to its siblings (siteDomain in the config, site_domain in args)."""
        full, base = self.name(key), self.namer(self.path)
        return full[len(base) + 1 :] if full.startswith(base) and full != base else full

    def sub(self, key: str) -> "Section":
        self.read.add(key)
        return Section(self.values.get(key), self.problems, self.namer, (*self.path, key))

    def _take(self, key: str, accepted: str, is_type: Callable[[Any], bool], default, check):
        self.read.add(key)
        value = self.values.get(key)
        if value is None:
            return default
        if not is_type(value) or (check is not None and not check(value)):
            self.problems.append(
                f"{self.name(key)}: {_shown(value)} is not accepted; expected {accepted}"
            )
            return default
        return value

    def integer(self, key, default, low, high, choices=None, accepted=None):
        accepted = accepted or (
            "one of " + ", ".join(map(str, choices))
            if choices
            else f"an integer from {low} to {high}"
        )
        value = self._take(
            key,
            accepted,
            _is_integer,
            default,
            (lambda v: v in choices) if choices else (lambda v: low <= v <= high),
        )
        # The engine sends every number as a float: a program in another language passing 512
        # reaches the component provider as 512.0.
        return int(value) if isinstance(value, float) else value

    def boolean(self, key, default):
        return self._take(key, "true or false", lambda v: isinstance(v, bool), default, None)

    def text(self, key, default, accepted, check):
        return self._take(key, accepted, lambda v: isinstance(v, str), default, check)

    def texts(self, key, default, accepted, check):
        """A non-empty list of strings, returned as a tuple."""
        value = self._take(
            key,
            accepted,
            lambda v: (
                isinstance(v, list | tuple) and bool(v) and all(isinstance(i, str) for i in v)
            ),
            default,
            lambda v: check(list(v)),
        )
        return tuple(value)

    def require(self, key, accepted):
        if self.values.get(key) is None:
            self.problems.append(Missing(f"{self.name(key)}: required; expected {accepted}"))

    def finish(self):
        for key in sorted(set(self.values) - self.read):
            accepted = ", ".join(sorted(self.read))
            self.problems.append(f"{self.name(key)}: unknown key; accepted keys: {accepted}")


def _is_integer(value) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _shown(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 64, as the program wrote it: the engine sends numbers as floats
    if isinstance(value, pulumi.Output):
        return "an Output (a plain value is needed here: pass a literal, not a resource's output)"
    try:
        return json.dumps(value)
    except TypeError:  # a resource, or another object where a plain value belongs
        return f"{type(value).__name__} {value!r} (a plain value is needed here)"


def check_args(
    args: Any,
    check: Callable[[Section], object],
    inputs: tuple[str, ...] = (),
    nested: tuple[str, ...] = (),
) -> None:
    """Check the dataclass `args` of a building block: `check` reads its fields from a Section,
    with the rules and messages of the pipelines' arguments. Every problem at once, each named
    XArgs.field, in one ArgsError. None is refused where the field has a default of its own (it
    would replace the safe default, not choose it). Fields in `inputs` take pulumi Inputs:
    checked only when plain (an Output is known only when deployed), and then as strings, which
    every one of them is. Fields in `nested` hold a
    settings dataclass of the field's default type, read as a section of its own
    (FunctionArgs.settings.memory_size). A whole float where an integer belongs (as the engine
    sends numbers) is kept as an int."""
    namer = args_namer(type(args))
    problems: list[str] = []
    values = {}
    for item in fields(args):
        value = getattr(args, item.name)
        default = _default_of(item)
        if value is None and item.default is MISSING and item.default_factory is MISSING:
            problems.append(f"{namer((item.name,))}: required; None is not accepted")
            continue
        if value is None and default is not None:
            problems.append(
                f"{namer((item.name,))}: None is not accepted; leave it out for its default"
            )
            continue
        if item.name in inputs:
            if not is_plain(value):
                continue
            if value is not None and not isinstance(value, str):  # every Input field is a string
                problems.append(
                    f"{namer((item.name,))}: {_shown(value)} is not accepted; expected a string "
                    "or an Output of one"
                )
                continue
        if item.name in nested:
            if default is None or not isinstance(value, type(default)):
                problems.append(
                    f"{namer((item.name,))}: {type(value).__name__} is not accepted; expected a "
                    f"{type(default).__name__}"
                )
                continue
            value = {inner.name: getattr(value, inner.name) for inner in fields(default)}
        if isinstance(value, float) and value.is_integer() and isinstance(default, int):
            object.__setattr__(args, item.name, int(value))
        values[item.name] = value
    check(Section(values, problems, namer))
    if problems:
        raise ArgsError(problems, f"invalid {type(args).__name__}")


def _default_of(item) -> Any:
    """A dataclass field's default (made, for a default factory); None when it has none."""
    if item.default is not MISSING:
        return item.default
    if item.default_factory is not MISSING:
        return item.default_factory()
    return None


def is_plain(value) -> bool:
    """A value the program has now: not an Output, a resource or an awaitable."""
    return not isinstance(value, pulumi.Output | pulumi.Resource) and not inspect.isawaitable(value)


def inner_value(section: Section, *path: str):
    """The value at `path` below `section`, or None where any part of it is missing."""
    value: Any = section.values
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value
