"""S3 bucket naming rules, shared by the user-buckets handler and the stack configuration checks.

Standard library only: the Lambda package ships it beside the handler, and the Pulumi program uses
the same rules to reject a prefix before anything is deployed.
"""

import hashlib
import re
import unicodedata

MAX_NAME_LENGTH = 63
MIN_PREFIX_LENGTH = 3
MAX_PREFIX_LENGTH = 40
HASH_LENGTH = 10  # hex characters of SHA-256(raw id): 40 bits against ids that slugify alike

_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_PREFIX = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
_IP_ADDRESS = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
# S3 reserves these for its own features (IDN, access point aliases, Object Lambda, examples).
RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")

PREFIX_RULE = (
    f"{MIN_PREFIX_LENGTH}-{MAX_PREFIX_LENGTH} characters of a-z, 0-9 and '-', starting and ending "
    f"with a letter or digit, not starting with {', '.join(RESERVED_PREFIXES)}"
)
NAME_RULE = (
    "3-63 characters of a-z, 0-9, '.' and '-', starting and ending with a letter or digit, no '..', "
    f"not an IP address, not starting with {', '.join(RESERVED_PREFIXES)}, "
    f"not ending with {', '.join(RESERVED_SUFFIXES)}"
)


def is_valid_bucket_name(name: str) -> bool:
    """True when S3 accepts `name` as a general purpose bucket name."""
    return (
        isinstance(name, str)
        and bool(_NAME.match(name))
        and ".." not in name
        and not _IP_ADDRESS.match(name)
        and not name.startswith(RESERVED_PREFIXES)
        and not name.endswith(RESERVED_SUFFIXES)
    )


def is_valid_prefix(prefix: str) -> bool:
    """True when `prefix` can start every name bucket_name() builds (no dots: they break TLS)."""
    return (
        isinstance(prefix, str)
        and MIN_PREFIX_LENGTH <= len(prefix) <= MAX_PREFIX_LENGTH
        and bool(_PREFIX.match(prefix))
        # Every name continues with "-": "sthree" would give the reserved "sthree-...".
        and not (prefix + "-").startswith(RESERVED_PREFIXES)
    )


def slug(text: str) -> str:
    """Lower-case ASCII letters and digits of `text`, other runs of characters as one hyphen."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def bucket_name(prefix: str, raw_id: str) -> str:
    """The one bucket name for `raw_id`: `<prefix>-<slug of id>-<hash of id>`.

    Deterministic, so a retried or repeated event names the same bucket. The hash is taken from the
    raw id, so ids that differ only in case, punctuation or characters the slug drops ("Alice",
    "alice", "a.lice", "사용자") never share a bucket. The slug is cut to fit 63 characters.
    """
    if not is_valid_prefix(prefix):
        raise ValueError(f"bucket prefix {prefix!r} is not valid: {PREFIX_RULE}")
    if not isinstance(raw_id, str) or not raw_id:
        raise ValueError("the id must be a non-empty string")
    digest = hashlib.sha256(raw_id.encode("utf-8")).hexdigest()[:HASH_LENGTH]
    room = MAX_NAME_LENGTH - len(prefix) - len(digest) - 2
    readable = slug(raw_id)[:room].strip("-")
    return f"{prefix}-{readable}-{digest}" if readable else f"{prefix}-{digest}"
