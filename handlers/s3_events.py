"""S3 event notifications, read as S3 sends them.

Keys arrive form-encoded ("my photo+1.jpg" as "my+photo%2B1.jpg"): decoded with unquote_plus.
The sequencer orders events for one key: AWS says to right-pad the shorter of two values with
zeros and compare them as text, so sequencer_order() right-pads them to one width, upper case,
where plain string comparison (in Python or in a DynamoDB condition) orders them.

A record's event name is read first: records of a kind the function does not act on
(LifecycleTransition, ObjectRestore:*, IntelligentTiering, Replication:*, ...) are logged and
skipped without validating fields only the handled kinds need. So is the s3:TestEvent S3 sends
when a notification is configured (it has no Records): nothing in it can ever be processed.
"""

import logging
from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import unquote_plus

SEQUENCER_WIDTH = 64  # S3 sequencers are about 16-20 hex digits

CREATED = "created"
REMOVED = "removed"
# How each removal removed the object. Lifecycle expirations never send ObjectRemoved:*, but they
# remove objects just the same: Delete removes the object (or one version, for good),
# DeleteMarkerCreated puts a delete marker over the current version.
REMOVALS = {
    "ObjectRemoved:Delete": "Delete",
    "ObjectRemoved:DeleteMarkerCreated": "DeleteMarkerCreated",
    "LifecycleExpiration:Delete": "Delete",
    "LifecycleExpiration:DeleteMarkerCreated": "DeleteMarkerCreated",
}

logger = logging.getLogger(__name__)


class MalformedEvent(ValueError):
    """The event is not an S3 notification: retrying cannot help."""


def action(event_name: str) -> str | None:
    """CREATED, REMOVED, or None for every other kind of event."""
    if event_name.startswith("ObjectCreated:"):
        return CREATED
    return REMOVED if event_name in REMOVALS else None


@dataclass(frozen=True)
class ObjectEvent:
    event_name: str  # e.g. "ObjectCreated:Put", "LifecycleExpiration:DeleteMarkerCreated"
    bucket: str
    key: str  # decoded
    size: int | None
    etag: str | None
    version_id: str | None
    sequencer: str | None  # as S3 sent it

    @property
    def sequencer_order(self) -> str | None:
        """The sequencer as comparable text (see sequencer_order())."""
        return sequencer_order(self.sequencer) if self.sequencer else None

    @property
    def created(self) -> bool:
        return action(self.event_name) == CREATED

    @property
    def removed(self) -> bool:
        return action(self.event_name) == REMOVED

    @property
    def version_deleted(self) -> bool:
        """One version deleted for good (by a request or a lifecycle rule): another version
        may still be the object."""
        return REMOVALS.get(self.event_name) == "Delete" and self.version_id is not None

    def describe(self) -> str:
        version = f" version {self.version_id}" if self.version_id else ""
        return f"{self.event_name} s3://{self.bucket}/{self.key}{version}"


def sequencer_order(sequencer: str) -> str:
    """The sequencer as comparable text: hex digits, upper case, right-padded with zeros."""
    value = sequencer.strip().upper()
    if not value or any(ch not in "0123456789ABCDEF" for ch in value):
        raise MalformedEvent(f"sequencer {sequencer!r} is not hexadecimal")
    return value.ljust(SEQUENCER_WIDTH, "0")


def is_test_event(event) -> bool:
    return (
        isinstance(event, dict)
        and event.get("Service") == "Amazon S3"
        and event.get("Event") == "s3:TestEvent"
        and "Records" not in event
    )


def object_events(
    event: dict, actions: Collection[str] = (CREATED, REMOVED), uses_sequencer: bool = True
) -> list:
    """The object events of a notification whose action is in `actions` (S3 sends one record
    each, but allows several); `uses_sequencer`: the handler orders by the sequencer, so check it.

    Every record is checked before any is returned, so a malformed one fails the event before
    anything was done, not half way through."""
    if is_test_event(event):
        logger.info(
            "ignoring s3:TestEvent for bucket %s (request %s, %s): sent when a notification "
            "is configured, it names no object",
            event.get("Bucket"),
            event.get("RequestId"),
            event.get("Time"),
        )
        return []
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        raise MalformedEvent("the event has no Records list: not an S3 notification")
    handled = []
    for record in records:
        name = record.get("eventName") if isinstance(record, dict) else None
        if not isinstance(name, str) or not name:
            raise MalformedEvent(f"not an S3 event record (no eventName): {record!r}")
        if action(name) not in actions:
            logger.info("ignoring %s: not an event this function acts on", _describe(record))
            continue
        handled.append(_object_event(record, uses_sequencer))
    return handled


def _describe(record: dict) -> str:
    """The event name, bucket and key of a record not otherwise read, whatever its shape."""
    s3 = _dict_or_empty(record.get("s3"))
    bucket = _dict_or_empty(s3.get("bucket"))
    obj = _dict_or_empty(s3.get("object"))
    key = obj.get("key")
    return f"{record['eventName']} s3://{bucket.get('name')}/" + (
        unquote_plus(key) if isinstance(key, str) else repr(key)
    )


def _dict_or_empty(value) -> dict:
    return value if isinstance(value, dict) else {}


def _object_event(record: dict, uses_sequencer: bool) -> ObjectEvent:
    try:
        s3 = record["s3"]
        obj = s3["object"]
        sequencer = obj.get("sequencer")
        if sequencer and uses_sequencer:
            sequencer_order(sequencer)  # refuse a malformed one now, not half way through
        return ObjectEvent(
            event_name=record["eventName"],
            bucket=s3["bucket"]["name"],
            key=unquote_plus(obj["key"]),
            size=obj.get("size"),
            etag=obj.get("eTag"),
            version_id=obj.get("versionId") or None,
            sequencer=sequencer or None,
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise MalformedEvent(f"not an S3 object event record ({error!r}): {record!r}") from error
