"""tools/sandbox/event_filter.py: the DynamoDB stream records Lambda's filter criteria let through.

Every rule is tested on both sides: the record it must pass and its nearest neighbour it must not.
Records are shaped as Lambda delivers them from a NEW_AND_OLD_IMAGES stream.
"""

import json

import pytest

from tools.sandbox.event_filter import (
    MAX_FILTERS,
    MAX_PATTERN_LENGTH,
    FilterError,
    matches,
    parse_criteria,
)

STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-05-29T12:00:00.000"
KEYS = {"id": {"S": "order-1"}}
ORDER = {
    "status": {"S": "active"},
    "qty": {"N": "12"},
    "email": {"S": "Ann@Example.com"},
    "note": {"S": ""},
    "gift": {"BOOL": True},
    "discount": {"NULL": True},
    "tags": {"SS": ["blue", "red"]},
    "lines": {
        "L": [
            {"M": {"sku": {"S": "A-1"}, "qty": {"N": "1"}}},
            {"M": {"sku": {"S": "B-2"}, "qty": {"N": "3"}}},
        ]
    },
}

# The project's filter (components/stream_function.event_name_filter), as the engine passes it.
PROJECT_FILTER = {"filters": [{"pattern": json.dumps({"eventName": ["INSERT", "MODIFY"]})}]}


def stream_record(event_name="INSERT", keys=KEYS, new=None, old=None):
    """A DynamoDB stream record: INSERT carries no OldImage, REMOVE no NewImage."""
    dynamodb = {"ApproximateCreationDateTime": 1716984000.0, "Keys": keys}
    if event_name != "REMOVE":
        dynamodb["NewImage"] = {**keys, **(ORDER if new is None else new)}
    if event_name != "INSERT":
        dynamodb["OldImage"] = {**keys, **(ORDER if old is None else old)}
    dynamodb |= {
        "SequenceNumber": "4421584500000000017450439091",
        "SizeBytes": 59,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    return {
        "eventID": "c9fbe7d0261a5163fcb6940593e41797",
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": dynamodb,
        "eventSourceARN": STREAM_ARN,
    }


def with_new(**attributes):
    """An INSERT whose NewImage holds these attributes (and the key)."""
    return stream_record("INSERT", new=attributes)


def on_new(**attribute_rules):
    """A pattern on the NewImage's attributes."""
    return {"dynamodb": {"NewImage": attribute_rules}}


def criteria(*patterns):
    return {"filters": [{"pattern": json.dumps(pattern)} for pattern in patterns]}


def raw(*texts):
    return {"filters": [{"pattern": text} for text in texts]}


def event(*matchers):
    return {"eventName": list(matchers)}


def size(*matchers):
    return {"dynamodb": {"SizeBytes": list(matchers)}}


def created(*matchers):
    return {"dynamodb": {"ApproximateCreationDateTime": list(matchers)}}


def key_id(*matchers):
    return {"dynamodb": {"Keys": {"id": {"S": list(matchers)}}}}


def new_s(name, *matchers):
    """A pattern on a string attribute of the NewImage."""
    return on_new(**{name: {"S": list(matchers)}})


def numeric(*conditions):
    return {"numeric": list(conditions)}


def but(excluded):
    return {"anything-but": excluded}


def passes(record, *patterns):
    return matches(record, parse_criteria(criteria(*patterns)))


INSERT, MODIFY, REMOVE = (stream_record(name) for name in ("INSERT", "MODIFY", "REMOVE"))


# --- the project's filter and the criteria's shape ---------------------------------------------


@pytest.mark.parametrize("record, delivered", [(INSERT, True), (MODIFY, True), (REMOVE, False)])
def test_the_projects_filter_passes_inserts_and_modifies_only(record, delivered):
    assert matches(record, parse_criteria(PROJECT_FILTER)) is delivered


@pytest.mark.parametrize(
    "filter_criteria",
    [None, {}, {"filters": []}, {"Filters": []}, {"filters": None}],
    ids=["none", "empty-object", "no-filters", "no-Filters", "filters-null"],
)
def test_no_filters_let_every_record_through(filter_criteria):
    assert parse_criteria(filter_criteria) == []
    assert matches(REMOVE, parse_criteria(filter_criteria))


def test_the_lambda_api_spelling_reads_like_the_engines():
    api = {"Filters": [{"Pattern": json.dumps({"eventName": ["INSERT", "MODIFY"]})}]}
    assert parse_criteria(api) == parse_criteria(PROJECT_FILTER)
    delivered = [matches(record, parse_criteria(api)) for record in (INSERT, MODIFY, REMOVE)]
    assert delivered == [True, True, False]


def test_filters_are_ored():
    patterns = parse_criteria(criteria(event("REMOVE"), new_s("status", "active")))
    assert matches(REMOVE, patterns)  # the first filter
    assert matches(INSERT, patterns)  # the second
    assert not matches(with_new(status={"S": "closed"}), patterns)  # neither


def test_keys_of_a_pattern_are_anded():
    pattern = {"eventName": ["MODIFY"], "dynamodb": {"Keys": {"id": {"S": ["order-1"]}}}}
    assert passes(MODIFY, pattern)
    assert not passes(INSERT, pattern)  # right key, wrong event
    assert not passes(stream_record("MODIFY", keys={"id": {"S": "order-2"}}), pattern)


def test_a_duplicated_key_keeps_its_last_value():
    patterns = parse_criteria(raw('{"eventName": ["REMOVE"], "eventName": ["INSERT"]}'))
    assert matches(INSERT, patterns)
    assert not matches(REMOVE, patterns)


# --- each matcher, both sides ------------------------------------------------------------------


def sized(size_bytes):
    record = stream_record()
    record["dynamodb"]["SizeBytes"] = size_bytes
    return record


CLOSED = with_new(status={"S": "closed"})
JSON_NULL = stream_record() | {"userIdentity": None}  # DynamoDB writes no JSON null itself
PENDING_TO_ACTIVE = stream_record("MODIFY", old={"status": {"S": "pending"}})
CLOSED_AND_REMOVED = stream_record("REMOVE", old={"status": {"S": "closed"}})
NO_LINES = with_new(lines={"L": []})
LINE = {"sku": {"S": ["A-1"]}}
REMOVE_OR_ACTIVE = {"$or": [event("REMOVE"), new_s("status", "active")]}
CLOSED_BEFORE_OR_AFTER = {
    "dynamodb": {
        "$or": [
            {"NewImage": {"status": {"S": ["closed"]}}},
            {"OldImage": {"status": {"S": ["closed"]}}},
        ]
    }
}
BECAME_ACTIVE = {
    "dynamodb": {
        "OldImage": {"status": {"S": ["pending"]}},
        "NewImage": {"status": {"S": ["active"]}},
    }
}
BECAME_PENDING = {
    "dynamodb": {
        "OldImage": {"status": {"S": ["active"]}},
        "NewImage": {"status": {"S": ["pending"]}},
    }
}

CASES = [
    # Equals: exact and case-sensitive; an attribute keeps its DynamoDB type wrapper.
    ("equals", event("INSERT"), INSERT, True),
    ("equals-other-value", event("INSERT"), MODIFY, False),
    ("equals-is-case-sensitive", event("insert"), INSERT, False),
    ("attribute", new_s("status", "active"), INSERT, True),
    ("attribute-other-value", new_s("status", "active"), CLOSED, False),
    ("attribute-without-type-key", on_new(status=["active"]), INSERT, False),
    ("or-of-values", event("REMOVE", "MODIFY"), MODIFY, True),
    ("or-of-values-neither", event("REMOVE", "MODIFY"), INSERT, False),
    # Strings and numbers never equal each other; "N" values are strings in the record.
    ("n-as-string", on_new(qty={"N": ["12"]}), INSERT, True),
    ("n-as-number", on_new(qty={"N": [12]}), INSERT, False),
    ("number", size(59), INSERT, True),
    ("number-as-string", size("59"), INSERT, False),
    # Literal numbers compare by their text: 59 and 59.0 differ (the doc's note).
    ("number-other-text", size(59.0), INSERT, False),
    ("float", created(1716984000.0), INSERT, True),
    ("float-as-int", created(1716984000), INSERT, False),
    # Booleans: true is not 1.
    ("bool", on_new(gift={"BOOL": [True]}), INSERT, True),
    ("bool-other-value", on_new(gift={"BOOL": [False]}), INSERT, False),
    ("bool-is-not-one", on_new(gift={"BOOL": [1]}), INSERT, False),
    ("one", size(1), sized(1), True),
    ("one-is-not-true", size(True), sized(1), False),
    # Null: a field holding JSON null; DynamoDB's NULL type is an object like any attribute.
    ("null", {"userIdentity": [None]}, JSON_NULL, True),
    ("null-missing-field", {"userIdentity": [None]}, INSERT, False),
    ("null-is-not-empty", new_s("note", None), INSERT, False),
    ("dynamodb-null-type", on_new(discount={"NULL": [True]}), INSERT, True),
    ("dynamodb-null-is-no-json-null", on_new(discount=[None]), INSERT, False),
    # Empty string.
    ("empty", new_s("note", ""), INSERT, True),
    ("empty-other-value", new_s("status", ""), INSERT, False),
    ("empty-is-not-null", {"userIdentity": [""]}, JSON_NULL, False),
    # Equals ignoring case.
    ("ignore-case", new_s("email", {"equals-ignore-case": "ann@example.COM"}), INSERT, True),
    ("ignore-case-other", new_s("email", {"equals-ignore-case": "bob@example.com"}), INSERT, False),
    ("exact-needs-case", new_s("email", "ann@example.com"), INSERT, False),
    # Begins with, ends with: strings only.
    ("prefix", key_id({"prefix": "order-"}), INSERT, True),
    ("prefix-other", key_id({"prefix": "invoice-"}), INSERT, False),
    ("prefix-on-number", size({"prefix": "5"}), INSERT, False),
    ("suffix", new_s("email", {"suffix": "@Example.com"}), INSERT, True),
    ("suffix-other", new_s("email", {"suffix": "@example.com"}), INSERT, False),
    # Not: anything-but a list, a value, a number, a string operator; never a missing field.
    ("anything-but", event(but(["REMOVE"])), INSERT, True),
    ("anything-but-excluded", event(but(["REMOVE", "MODIFY"])), REMOVE, False),
    ("anything-but-value", event(but("REMOVE")), MODIFY, True),
    ("anything-but-value-excluded", event(but("MODIFY")), MODIFY, False),
    ("anything-but-number", size(but([60])), INSERT, True),
    ("anything-but-number-excluded", size(but(59)), INSERT, False),
    ("anything-but-prefix", event(but({"prefix": "RE"})), INSERT, True),
    ("anything-but-prefix-excluded", event(but({"prefix": "RE"})), REMOVE, False),
    ("anything-but-suffix", event(but({"suffix": "FY"})), INSERT, True),
    ("anything-but-suffix-excluded", event(but({"suffix": "FY"})), MODIFY, False),
    ("anything-but-ignore-case", event(but({"equals-ignore-case": "remove"})), INSERT, True),
    ("anything-but-ignore-case-out", event(but({"equals-ignore-case": "remove"})), REMOVE, False),
    ("anything-but-missing-field", new_s("coupon", but(["X"])), INSERT, False),
    # Numeric: equals, ranges (bounds as written), one-sided; JSON numbers only.
    ("numeric-equals", size(numeric("=", 59)), INSERT, True),
    ("numeric-equals-other", size(numeric("=", 60)), INSERT, False),
    ("numeric-equals-by-value", size(numeric("=", 59.0)), INSERT, True),
    ("range-upper-inclusive", size(numeric(">", 0, "<=", 59)), INSERT, True),
    ("range-upper-exclusive", size(numeric(">", 0, "<", 59)), INSERT, False),
    ("range-lower-inclusive", size(numeric(">=", 59, "<", 60)), INSERT, True),
    ("range-lower-exclusive", size(numeric(">", 59, "<=", 100)), INSERT, False),
    ("range-upper-first", size(numeric("<", 100, ">", 10)), INSERT, True),
    ("range-point", size(numeric(">=", 59, "<=", 59)), INSERT, True),
    ("range-point-other", size(numeric(">=", 59, "<=", 59)), sized(60), False),
    ("greater", created(numeric(">", 0)), INSERT, True),
    ("less", created(numeric("<", 0)), INSERT, False),
    ("greater-or-equal", size(numeric(">=", 59)), INSERT, True),
    ("less-or-equal", size(numeric("<=", 58.5)), INSERT, False),
    ("numeric-on-n-string", on_new(qty={"N": [numeric(">", 10)]}), INSERT, False),
    ("numeric-on-bool", on_new(gift={"BOOL": [numeric("=", 1)]}), INSERT, False),
    # Exists: leaf values only; exists:false is the one matcher a missing field satisfies.
    ("exists", new_s("status", {"exists": True}), INSERT, True),
    ("exists-missing", new_s("coupon", {"exists": True}), INSERT, False),
    ("exists-null-value", {"userIdentity": [{"exists": True}]}, JSON_NULL, True),
    ("not-exists", new_s("coupon", {"exists": False}), INSERT, True),
    ("not-exists-present", new_s("status", {"exists": False}), INSERT, False),
    ("exists-intermediate-node", on_new(status=[{"exists": True}]), INSERT, False),
    ("not-exists-intermediate-node", on_new(status=[{"exists": False}]), INSERT, True),
    ("not-exists-no-new-image", new_s("status", {"exists": False}), REMOVE, True),
    ("exists-no-new-image", new_s("status", {"exists": True}), REMOVE, False),
    ("not-exists-empty-list", on_new(lines={"L": [{"exists": False}]}), NO_LINES, True),
    ("exists-empty-list", on_new(lines={"L": [{"exists": True}]}), NO_LINES, False),
    # Arrays in records: any element.
    ("set-element", on_new(tags={"SS": ["red"]}), INSERT, True),
    ("set-no-element", on_new(tags={"SS": ["green"]}), INSERT, False),
    ("set-prefix", on_new(tags={"SS": [{"prefix": "bl"}]}), INSERT, True),
    ("set-anything-but-one", on_new(tags={"SS": [but(["blue"])]}), INSERT, True),
    ("set-anything-but-all", on_new(tags={"SS": [but(["blue", "red"])]}), INSERT, False),
    ("list-of-maps", on_new(lines={"L": {"M": {"sku": {"S": ["B-2"]}}}}), INSERT, True),
    ("list-of-maps-none", on_new(lines={"L": {"M": {"sku": {"S": ["C-3"]}}}}), INSERT, False),
    ("list-same-element", on_new(lines={"L": {"M": LINE | {"qty": {"N": ["1"]}}}}), INSERT, True),
    ("list-mixed-pair", on_new(lines={"L": {"M": LINE | {"qty": {"N": ["3"]}}}}), INSERT, False),
    # Nested images: a MODIFY's before and after.
    ("old-and-new-image", BECAME_ACTIVE, PENDING_TO_ACTIVE, True),
    ("old-and-new-image-swapped", BECAME_PENDING, PENDING_TO_ACTIVE, False),
    # Or of whole objects, at the top or nested, AND-ed with the other keys.
    ("or-first-branch", REMOVE_OR_ACTIVE, REMOVE, True),
    ("or-second-branch", REMOVE_OR_ACTIVE, INSERT, True),
    ("or-no-branch", REMOVE_OR_ACTIVE, CLOSED, False),
    ("or-nested", CLOSED_BEFORE_OR_AFTER, CLOSED_AND_REMOVED, True),
    ("or-nested-no-branch", CLOSED_BEFORE_OR_AFTER, REMOVE, False),
    ("or-and-key", event("INSERT") | REMOVE_OR_ACTIVE, INSERT, True),
    ("or-and-other-key", event("MODIFY") | REMOVE_OR_ACTIVE, INSERT, False),
]


@pytest.mark.parametrize(
    "pattern, record, expected", [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_matcher(pattern, record, expected):
    assert passes(record, pattern) is expected


# --- criteria Lambda would refuse --------------------------------------------------------------


def pattern_of_length(length):
    padding = length - len(json.dumps({"eventName": [""]}))
    return json.dumps({"eventName": ["x" * padding]})


def one(pattern):
    return criteria(pattern)


def on_event(matcher):
    return criteria(event(matcher))


def on_size(*conditions):
    return criteria(size(numeric(*conditions)))


FIVE_INSERT_FILTERS = criteria(*[event("INSERT")] * MAX_FILTERS)
SIX_INSERT_FILTERS = criteria(*[event("INSERT")] * (MAX_FILTERS + 1))


def test_the_limits_themselves_are_accepted():
    assert len(parse_criteria(FIVE_INSERT_FILTERS)) == 5
    assert len(pattern_of_length(MAX_PATTERN_LENGTH)) == 4096
    assert parse_criteria(raw(pattern_of_length(MAX_PATTERN_LENGTH)))


ERRORS = [
    # The criteria and their filters.
    ("criteria-not-object", ["INSERT"], "FilterCriteria must be an object, got a list"),
    ("filters-not-list", {"filters": "INSERT"}, "filters must be a list, got a string"),
    ("criteria-unknown-key", {"filter": []}, "unknown key(s) ['filter']"),
    ("both-spellings", {"filters": [], "Filters": []}, "both 'filters' and 'Filters'"),
    ("too-many-filters", SIX_INSERT_FILTERS, "6 filters: Lambda allows 5"),
    ("filter-not-object", {"filters": ["{}"]}, "filter #1: must be an object"),
    ("filter-without-pattern", {"filters": [{}]}, "filter #1: pattern must be JSON text, got null"),
    ("filter-unknown-key", {"filters": [{"pattern": "{}", "id": 1}]}, "#1: unknown key(s) ['id']"),
    ("pattern-not-text", {"filters": [{"pattern": event("INSERT")}]}, "JSON text, got an object"),
    ("pattern-too-long", raw(pattern_of_length(4097)), "filter #1: pattern is 4097 characters"),
    ("not-json", raw("{eventName: [INSERT]}"), "filter #1: pattern is not valid JSON"),
    ("empty-text", raw(""), "pattern is not valid JSON"),
    ("nan", raw('{"dynamodb": {"SizeBytes": [NaN]}}'), "NaN is not JSON"),
    ("not-an-object", raw('["INSERT"]'), "pattern must be a JSON object, got a list"),
    ("empty-pattern", raw("{}"), "pattern: an empty object is not a filter"),
    ("empty-nested-object", one({"dynamodb": {}}), "pattern.dynamodb: an empty object"),
    ("names-filter", criteria(event("INSERT"), {"eventName": 1}), "filter #2: pattern.eventName"),
    # Leaves.
    ("matcher-not-list", one({"eventName": "INSERT"}), 'must be a list, e.g. ["INSERT"]'),
    ("number-not-list", one({"dynamodb": {"SizeBytes": 59}}), "must be a list, e.g. [59]"),
    ("empty-matcher-list", one(event()), "empty matcher list can never match"),
    ("nested-list", on_event(["INSERT"]), "matchers cannot be nested lists"),
    ("two-operators", on_event({"prefix": "IN", "suffix": "RT"}), "exactly one operator"),
    ("no-operator", on_event({}), "exactly one operator"),
    ("unknown-operator", on_event({"wildcard": "IN*"}), "unknown operator 'wildcard'"),
    ("prefix-not-string", on_event({"prefix": 1}), "prefix: needs a string, got a number"),
    ("prefix-ignoring-case", on_event({"prefix": {"equals-ignore-case": "in"}}), "got an object"),
    ("suffix-not-string", on_event({"suffix": None}), "suffix: needs a string, got null"),
    ("ignore-case-list", on_event({"equals-ignore-case": ["in"]}), "needs a string, got a list"),
    ("exists-not-bool", on_event({"exists": "yes"}), "exists: needs true or false"),
    ("anything-but-empty", on_event(but([])), "empty list excludes nothing"),
    ("anything-but-mixed", on_event(but(["REMOVE", 1])), "only strings or only numbers"),
    ("anything-but-bool", on_event(but(True)), "needs a string, a number, a list or an object"),
    ("anything-but-numeric", on_event(but(numeric(">", 1))), "must hold one of"),
    ("anything-but-prefix-number", on_event(but({"prefix": 1})), "but prefix: needs a string"),
    # Numeric.
    ("numeric-not-list", criteria(size({"numeric": "> 5"})), "needs [operator, number]"),
    ("numeric-odd-length", on_size(">", 0, "<"), "needs [operator, number]"),
    ("numeric-three-conditions", on_size(">", 0, "<", 9, "<", 5), "needs [operator, number]"),
    ("numeric-unknown-comparison", on_size("!=", 5), "unknown comparison '!='"),
    ("numeric-string-bound", on_size(">", "5"), "'>' needs a finite number"),
    ("numeric-bool-bound", on_size("=", True), "'=' needs a finite number"),
    ("numeric-infinite-bound", raw('{"a": [{"numeric": ["<", 1e999]}]}'), "'<' needs a finite"),
    ("numeric-equals-in-range", on_size("=", 1, "<", 5), "one lower bound"),
    ("numeric-two-lower-bounds", on_size(">", 1, ">=", 2), "one lower bound"),
    ("numeric-empty-range", on_size(">", 5, "<", 1), "no number is > 5 and < 1"),
    ("numeric-empty-point", on_size(">=", 5, "<", 5), "no number is >= 5 and < 5"),
    # Or of objects.
    ("or-not-list", one({"$or": event("INSERT")}), "pattern.$or: must be a non-empty list"),
    ("or-empty", one({"$or": []}), "pattern.$or: must be a non-empty list"),
    ("or-branch-not-object", one({"$or": ["INSERT"]}), "pattern.$or[0]: must be a pattern object"),
    ("or-branch-invalid", one({"$or": [{"eventName": "INSERT"}]}), "$or[0].eventName: a field's"),
]


@pytest.mark.parametrize(
    "filter_criteria, message", [case[1:] for case in ERRORS], ids=[case[0] for case in ERRORS]
)
def test_invalid_criteria_are_refused(filter_criteria, message):
    with pytest.raises(FilterError) as refused:
        parse_criteria(filter_criteria)
    assert message in str(refused.value)
    assert isinstance(refused.value, ValueError)
