"""IAM wildcard patterns (`*` any run of characters, `?` one character) compared with each other.

A rule often holds two patterns: an Allow's `s3:Get*` and a Deny's `s3:*`, an Allow's
`arn:aws:iam::123456789012:role/app-*` and a Deny's `arn:aws:iam::*:role/*`. `covers(a, b)` says
whether every string `b` matches is matched by `a` (the Deny takes the whole Allow back);
`overlaps(a, b)` whether some string is matched by both. `overlaps` is exact for patterns of
`*`, `?` and literal characters; `covers` is sound but cautious: a True is always right, a False
may miss an odd cover such as `*?` of `?*`, so a Deny is never thought to take back more than it
does. Actions compare without case, ARNs with case, as IAM does.
"""

from functools import lru_cache


def _tokens(pattern: str, ignore_case: bool) -> tuple:
    return tuple(pattern.lower() if ignore_case else pattern)


@lru_cache(maxsize=65536)
def covers(general: str, specific: str, ignore_case: bool = False) -> bool:
    """Every string `specific` matches is also matched by `general`."""
    a, b = _tokens(general, ignore_case), _tokens(specific, ignore_case)
    # go(i, j): a[i:] covers b[j:]. A `*` of b can only be covered by a `*` of a; a `?` of b by
    # a `?` or `*`; a literal of b by itself, `?` or `*`.
    memo: dict = {}

    def go(i: int, j: int) -> bool:
        key = (i, j)
        if key in memo:
            return memo[key]
        if i == len(a):
            result = j == len(b)
        elif a[i] == "*":
            # `*` of a takes b[j:k] for some k: anything, `*`s of b included.
            result = any(go(i + 1, k) for k in range(j, len(b) + 1))
        elif j == len(b) or b[j] == "*":
            result = False
        elif a[i] == "?":
            result = go(i + 1, j + 1)
        else:
            result = b[j] == a[i] and go(i + 1, j + 1)
        memo[key] = result
        return result

    return go(0, 0)


@lru_cache(maxsize=65536)
def overlaps(first: str, second: str, ignore_case: bool = False) -> bool:
    """Some string is matched by both patterns."""
    a, b = _tokens(first, ignore_case), _tokens(second, ignore_case)
    memo: dict = {}

    def go(i: int, j: int) -> bool:
        key = (i, j)
        if key in memo:
            return memo[key]
        if i == len(a) and j == len(b):
            result = True
        elif i < len(a) and a[i] == "*":
            result = go(i + 1, j) or (j < len(b) and go(i, j + 1))
        elif j < len(b) and b[j] == "*":
            result = go(i, j + 1) or (i < len(a) and go(i + 1, j))
        elif i == len(a) or j == len(b):
            result = False
        elif a[i] == "?" or b[j] == "?" or a[i] == b[j]:
            result = go(i + 1, j + 1)
        else:
            result = False
        memo[key] = result
        return result

    return go(0, 0)
