"""handlers/bucket_names.py: every id gives one valid, stable bucket name of its own."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.bucket_names import (
    MAX_PREFIX_LENGTH,
    bucket_name,
    is_valid_bucket_name,
    is_valid_prefix,
)

prefixes = st.from_regex(r"[a-z0-9][a-z0-9-]{1,38}[a-z0-9]", fullmatch=True).filter(is_valid_prefix)
ids = st.text(min_size=1, max_size=300)


@settings(max_examples=300, deadline=None)
@given(prefix=prefixes, user_id=ids)
def test_any_id_gives_a_valid_stable_name_under_the_prefix(prefix, user_id):
    name = bucket_name(prefix, user_id)
    assert is_valid_bucket_name(name)
    assert len(name) <= 63
    assert name.startswith(prefix + "-")
    assert bucket_name(prefix, user_id) == name


@settings(max_examples=200, deadline=None)
@given(first=ids, second=ids)
def test_different_ids_get_different_names(first, second):
    if first != second:
        assert bucket_name("users", first) != bucket_name("users", second)


@pytest.mark.parametrize(
    "user_id, readable",
    [("Alice", "users-alice-"), ("user_name.1", "users-user-name-1-"), ("Zoë", "users-zoe-")],
)
def test_names_keep_a_readable_form_of_the_id(user_id, readable):
    name = bucket_name("users", user_id)
    assert re.fullmatch(re.escape(readable) + r"[0-9a-f]{10}", name)


def test_an_id_with_nothing_readable_gets_prefix_and_hash():
    assert re.fullmatch(r"users-[0-9a-f]{10}", bucket_name("users", "사용자"))


def test_case_and_punctuation_variants_never_share_a_bucket():
    variants = ["Alice", "alice", "ALICE", "a.lice", "a-lice", "a_lice", "alice "]
    assert len({bucket_name("users", v) for v in variants}) == len(variants)


def test_long_ids_are_cut_to_fit():
    name = bucket_name("a" * MAX_PREFIX_LENGTH, "x" * 500)
    assert len(name) == 63 and is_valid_bucket_name(name)


@pytest.mark.parametrize(
    "prefix",
    [
        "",
        "ab",
        "Users",
        "users-",
        "-users",
        "user.s",
        "user_s",
        "xn--users",
        "sthree-users",
        "amzn-s3-demo-users",
        "sthree",
        "amzn-s3-demo",
        "u" * (MAX_PREFIX_LENGTH + 1),
    ],
)
def test_prefixes_s3_would_reject_are_refused(prefix):
    assert not is_valid_prefix(prefix)
    with pytest.raises(ValueError, match="bucket prefix"):
        bucket_name(prefix, "alice")


@pytest.mark.parametrize("prefix", ["abc", "acme-prod-users", "u" * MAX_PREFIX_LENGTH, "9lives"])
def test_reasonable_prefixes_are_accepted(prefix):
    assert is_valid_prefix(prefix)


@pytest.mark.parametrize("user_id", ["", None, 42])
def test_an_id_must_be_a_non_empty_string(user_id):
    with pytest.raises(ValueError, match="non-empty string"):
        bucket_name("users", user_id)


@pytest.mark.parametrize(
    "name, valid",
    [
        ("s3-files-dynamo-stream", True),
        ("my.bucket.name", True),
        ("ab", False),
        ("a" * 64, False),
        ("Upper", False),
        ("my..bucket", False),
        ("192.168.1.1", False),
        ("xn--bucket", False),
        ("bucket-s3alias", False),
        ("bucket--ol-s3", False),
        ("-bucket", False),
        ("bucket-", False),
    ],
)
def test_bucket_name_rules(name, valid):
    assert is_valid_bucket_name(name) is valid
