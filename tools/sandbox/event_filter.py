"""Lambda event filtering for event source mappings, as the sandbox's stream poller applies it.

Lambda drops stream records that match none of a mapping's filters before the function sees them
(https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html). This module does
the same for the sandbox: `parse_criteria` checks a mapping's FilterCriteria once, the way
CreateEventSourceMapping would, and `matches` decides for each record.

Covered:
- FilterCriteria as the Pulumi engine passes it ({"filters": [{"pattern": ...}]}) or as the
  Lambda API spells it ({"Filters": [{"Pattern": ...}]}); at most 5 filters (the default quota),
  patterns of at most 4096 characters; filters are OR-ed.
- Every operator of the doc's "Filter rule syntax" table: null, empty string, equals (strings,
  numbers, booleans), equals-ignore-case, AND of keys, OR of values, "$or" of objects,
  anything-but (a value, a list of values, or a prefix/suffix/equals-ignore-case), numeric
  (equals, one- or two-sided ranges), exists true/false, prefix, suffix.
- EventBridge's matching rules that Lambda shares: a pattern's keys mirror the record's nesting,
  a record array matches if any element does, a missing field matches only exists:false, exists
  sees leaf values only, literal numbers compare by their text (300, 300.0 and 3.0e2 differ),
  numeric operators match JSON numbers only, and a duplicated key keeps its last value.
- DynamoDB records as Lambda delivers them: attributes keep their type wrapper
  ({"status": {"S": [...]}}) and "N" values are strings, so numeric operators never match them
  (the DynamoDB guide's Streams.Lambda.Tutorial2 says so); match them as strings instead.

Left out:
- EventBridge operators Lambda does not document ("wildcard", "cidr", prefix or suffix with
  equals-ignore-case...): they are rejected as unknown, so a pattern the sandbox accepts is one
  Lambda documents.
- Raised filter quotas (up to 10), KMS-encrypted criteria, EventBridge's numeric range and
  precision limits, and the per-source body rules (SQS plain-text bodies, base64 Kinesis data):
  the sandbox only polls DynamoDB streams.
- The DynamoDB guide's note that only the "dynamodb" key is filterable is not enforced: Lambda
  does filter on metadata such as eventName, and the project's own filter relies on it.
"""

import json
import math
import operator

MAX_FILTERS = 5  # Lambda's default quota per event source mapping
MAX_PATTERN_LENGTH = 4096  # Filter.Pattern's length constraint in the Lambda API

_OR = "$or"
_LOWER_BOUNDS = {">": operator.gt, ">=": operator.ge}
_UPPER_BOUNDS = {"<": operator.lt, "<=": operator.le}
_COMPARISONS = {"=": operator.eq, **_LOWER_BOUNDS, **_UPPER_BOUNDS}
_MISSING = object()  # a field the record does not have (as opposed to one holding null)


class FilterError(ValueError):
    """FilterCriteria that Lambda would refuse: the message names the filter and the reason."""


class _PatternNumber(float):
    """A number read from a pattern, with its JSON text: literal numbers match by that text."""

    text: str

    def __new__(cls, text: str):
        number = super().__new__(cls, text)
        number.text = text
        return number


# --- parsing and validation -------------------------------------------------------------------


def parse_criteria(filter_criteria: dict | None) -> list[dict]:
    """{"filters": [{"pattern": "<json text>"}, ...]} (the shape of the EventSourceMapping
    FilterCriteria; keys may be "filters"/"pattern" (Pulumi engine names) or "Filters"/"Pattern"
    (Lambda API names)) -> the parsed patterns. None or no filters -> [] (everything passes).
    Raises FilterError."""
    if filter_criteria is None:
        return []
    if not isinstance(filter_criteria, dict):
        raise FilterError(f"FilterCriteria must be an object, got {_kind(filter_criteria)}")
    filters = _field(filter_criteria, "filters", "Filters", "FilterCriteria")
    if filters is None:
        return []
    if not isinstance(filters, list):
        raise FilterError(f"FilterCriteria filters must be a list, got {_kind(filters)}")
    if len(filters) > MAX_FILTERS:
        raise FilterError(
            f"FilterCriteria has {len(filters)} filters: Lambda allows {MAX_FILTERS} per mapping"
        )
    return [_parse_filter(number, item) for number, item in enumerate(filters, start=1)]


def _field(mapping: dict, engine_name: str, api_name: str, where: str):
    """The one key of `mapping`, under either spelling; anything else there is a mistake."""
    unknown = sorted(set(mapping) - {engine_name, api_name})
    if unknown:
        raise FilterError(f"{where}: unknown key(s) {unknown}, expected {engine_name!r}")
    if engine_name in mapping and api_name in mapping:
        raise FilterError(f"{where}: both {engine_name!r} and {api_name!r} given")
    return mapping.get(engine_name, mapping.get(api_name))


def _parse_filter(number: int, item) -> dict:
    label = f"filter #{number}"
    if not isinstance(item, dict):
        raise FilterError(f"{label}: must be an object with a pattern, got {_kind(item)}")
    text = _field(item, "pattern", "Pattern", label)
    if not isinstance(text, str):
        raise FilterError(f"{label}: pattern must be JSON text, got {_kind(text)}")
    if len(text) > MAX_PATTERN_LENGTH:
        raise FilterError(
            f"{label}: pattern is {len(text)} characters, Lambda allows {MAX_PATTERN_LENGTH}"
        )
    try:
        pattern = json.loads(
            text,
            parse_int=_PatternNumber,
            parse_float=_PatternNumber,
            parse_constant=_reject_constant,
        )
    except ValueError as error:  # JSONDecodeError, and NaN/Infinity which JSON does not have
        raise FilterError(f"{label}: pattern is not valid JSON ({error})") from None
    if not isinstance(pattern, dict):
        raise FilterError(f"{label}: pattern must be a JSON object, got {_kind(pattern)}")
    try:
        _check_object(pattern, "pattern")
    except FilterError as error:
        raise FilterError(f"{label}: {error}") from None
    return pattern


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _check_object(pattern: dict, path: str) -> None:
    if not pattern:
        # EventBridge refuses empty patterns; an empty object would otherwise match everything.
        raise FilterError(f"{path}: an empty object is not a filter")
    for key, rule in pattern.items():
        where = f"{path}.{key}"
        if key == _OR:
            _check_or(rule, where)
        elif isinstance(rule, dict):
            _check_object(rule, where)
        elif isinstance(rule, list):
            _check_matchers(rule, where)
        else:
            raise FilterError(
                f"{where}: a field's matcher must be a list, e.g. [{_show(rule)}], "
                f"got {_kind(rule)}"
            )


def _check_or(branches, where: str) -> None:
    if not isinstance(branches, list) or not branches:
        raise FilterError(f"{where}: must be a non-empty list of pattern objects")
    for index, branch in enumerate(branches):
        if not isinstance(branch, dict):
            raise FilterError(f"{where}[{index}]: must be a pattern object, got {_kind(branch)}")
        _check_object(branch, f"{where}[{index}]")


def _check_matchers(matchers: list, where: str) -> None:
    if not matchers:
        raise FilterError(f"{where}: an empty matcher list can never match")
    for matcher in matchers:
        if isinstance(matcher, dict):
            _check_operator(matcher, where)
        elif isinstance(matcher, list):
            raise FilterError(f"{where}: matchers cannot be nested lists")
        # strings, numbers, booleans and null are literals: always valid


def _check_operator(matcher: dict, where: str) -> None:
    if len(matcher) != 1:
        raise FilterError(
            f"{where}: a matcher object holds exactly one operator, got {_show(matcher)}"
        )
    ((name, argument),) = matcher.items()
    check = _OPERATOR_CHECKS.get(name)
    if check is None:
        raise FilterError(
            f"{where}: unknown operator {name!r} (Lambda documents {sorted(_OPERATOR_CHECKS)})"
        )
    check(argument, f"{where} {name}")


def _check_string(argument, where: str) -> None:
    if not isinstance(argument, str):
        raise FilterError(f"{where}: needs a string, got {_kind(argument)}")


def _check_exists(argument, where: str) -> None:
    if not isinstance(argument, bool):
        raise FilterError(f"{where}: needs true or false, got {_kind(argument)}")


def _check_anything_but(argument, where: str) -> None:
    if isinstance(argument, dict):
        # anything-but of a string operator: {"anything-but": {"prefix": "us-"}}
        name = next(iter(argument), None)
        if len(argument) != 1 or name not in _STRING_OPERATORS:
            raise FilterError(
                f"{where}: an object must hold one of {sorted(_STRING_OPERATORS)}, "
                f"got {_show(argument)}"
            )
        _check_string(argument[name], f"{where} {name}")
    elif isinstance(argument, list):
        if not argument:
            raise FilterError(f"{where}: an empty list excludes nothing")
        strings = all(isinstance(value, str) for value in argument)
        numbers = all(_is_number(value) for value in argument)
        if not (strings or numbers):
            raise FilterError(f"{where}: the list must hold only strings or only numbers")
    elif not (isinstance(argument, str) or _is_number(argument)):
        raise FilterError(f"{where}: needs a string, a number, a list or an object")


def _check_numeric(argument, where: str) -> None:
    if not isinstance(argument, list) or len(argument) not in (2, 4):
        raise FilterError(
            f'{where}: needs [operator, number] or a range like [">", 0, "<=", 5], '
            f"got {_show(argument)}"
        )
    conditions = list(zip(argument[::2], argument[1::2], strict=True))
    for comparison, bound in conditions:
        if comparison not in _COMPARISONS:
            raise FilterError(
                f"{where}: unknown comparison {comparison!r} (use {sorted(_COMPARISONS)})"
            )
        if not _is_number(bound) or not math.isfinite(bound):
            raise FilterError(f"{where}: {comparison!r} needs a finite number, got {_show(bound)}")
    if len(conditions) == 2:
        _check_range(conditions, where)


def _check_range(conditions: list, where: str) -> None:
    lower = [condition for condition in conditions if condition[0] in _LOWER_BOUNDS]
    upper = [condition for condition in conditions if condition[0] in _UPPER_BOUNDS]
    if len(lower) != 1 or len(upper) != 1:
        raise FilterError(
            f"{where}: a range needs one lower bound (> or >=) and one upper (< or <=)"
        )
    (low_comparison, low), (high_comparison, high) = lower[0], upper[0]
    # A range no number can fall in is a mistake in the pattern, not a filter.
    inclusive = low_comparison == ">=" and high_comparison == "<="
    if low > high or (low == high and not inclusive):
        raise FilterError(
            f"{where}: no number is {low_comparison} {_number_text(low)} "
            f"and {high_comparison} {_number_text(high)}"
        )


_OPERATOR_CHECKS = {
    "anything-but": _check_anything_but,
    "equals-ignore-case": _check_string,
    "exists": _check_exists,
    "numeric": _check_numeric,
    "prefix": _check_string,
    "suffix": _check_string,
}


# --- matching ---------------------------------------------------------------------------------


def matches(record: dict, patterns: list[dict]) -> bool:
    """True if the record matches ANY pattern (filters are OR-ed); with no patterns every record
    matches."""
    if not patterns:
        return True
    return any(_object_matches(record, pattern) for pattern in patterns)


def _object_matches(node, pattern: dict) -> bool:
    """Does the record node at a pattern object's path satisfy every key of that object?"""
    if isinstance(node, list):
        # An array of objects matches if one element satisfies the whole object, so that fields
        # tested together come from the same element. Scalars hold no fields.
        elements = [element for element in _flatten(node) if isinstance(element, dict)]
        if elements:
            return any(_object_matches(element, pattern) for element in elements)
        node = _MISSING
    fields = node if isinstance(node, dict) else {}
    return all(_key_matches(node, fields, key, rule) for key, rule in pattern.items())


def _key_matches(node, fields: dict, key: str, rule) -> bool:
    if key == _OR:
        return any(_object_matches(node, branch) for branch in rule)
    value = fields.get(key, _MISSING)
    if isinstance(rule, dict):
        return _object_matches(value, rule)
    return _leaf_matches(value, rule)


def _leaf_matches(value, matchers: list) -> bool:
    leaves = _leaves(value)
    return any(_matcher_matches(matcher, leaves) for matcher in matchers)


def _leaves(value) -> list:
    """The leaf values a field holds: an array's elements, nothing for a missing field. Objects
    are intermediate nodes, not values: exists and every other matcher look at leaves only."""
    if value is _MISSING:
        return []
    values = _flatten(value) if isinstance(value, list) else [value]
    return [leaf for leaf in values if not isinstance(leaf, dict)]


def _flatten(values: list):
    for value in values:
        if isinstance(value, list):
            yield from _flatten(value)
        else:
            yield value


def _matcher_matches(matcher, leaves: list) -> bool:
    if not isinstance(matcher, dict):
        return any(_equals(matcher, leaf) for leaf in leaves)
    ((name, argument),) = matcher.items()
    if name == "exists":
        # The only matcher that can match a missing field: exists:false.
        return bool(leaves) == argument
    test = _OPERATORS[name]
    return any(test(argument, leaf) for leaf in leaves)


def _equals(expected, actual) -> bool:
    if expected is None:
        return actual is None
    if isinstance(expected, bool):
        return actual is expected  # not `==`: True == 1 in Python, not in JSON
    if isinstance(expected, str):
        return isinstance(actual, str) and actual == expected
    # Lambda compares numbers by their string representation: 300, 300.0 and 3.0e2 differ.
    return _is_number(actual) and _number_text(actual) == _number_text(expected)


def _number_text(number) -> str:
    if isinstance(number, _PatternNumber):
        return number.text
    return json.dumps(number)  # how the record's number reads in the JSON Lambda filters


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _prefix(argument: str, value) -> bool:
    return isinstance(value, str) and value.startswith(argument)


def _suffix(argument: str, value) -> bool:
    return isinstance(value, str) and value.endswith(argument)


def _equals_ignore_case(argument: str, value) -> bool:
    return isinstance(value, str) and value.lower() == argument.lower()


def _numeric(argument: list, value) -> bool:
    # Only JSON numbers: a DynamoDB "N" value is a string in the record and never matches.
    if not _is_number(value):
        return False
    conditions = zip(argument[::2], argument[1::2], strict=True)
    return all(_COMPARISONS[comparison](value, bound) for comparison, bound in conditions)


def _anything_but(argument, value) -> bool:
    """NOT of its argument, for a value the field holds (a missing field matches nothing)."""
    if isinstance(argument, dict):
        ((name, inner),) = argument.items()
        return not _STRING_OPERATORS[name](inner, value)
    excluded = argument if isinstance(argument, list) else [argument]
    return not any(_equals(candidate, value) for candidate in excluded)


_STRING_OPERATORS = {
    "equals-ignore-case": _equals_ignore_case,
    "prefix": _prefix,
    "suffix": _suffix,
}
_OPERATORS = {**_STRING_OPERATORS, "anything-but": _anything_but, "numeric": _numeric}


def _show(fragment) -> str:
    """A pattern fragment for a message, as JSON with its numbers as written."""
    if isinstance(fragment, _PatternNumber):
        return fragment.text
    if isinstance(fragment, list):
        return "[" + ", ".join(map(_show, fragment)) + "]"
    if isinstance(fragment, dict):
        items = (f"{json.dumps(key)}: {_show(value)}" for key, value in fragment.items())
        return "{" + ", ".join(items) + "}"
    return json.dumps(fragment)


def _kind(value) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", str: "a string", list: "a list", dict: "an object"}.get(
        type(value), "a number" if _is_number(value) else type(value).__name__
    )
