"""S3 event notifications, read as S3 sends them.

Keys arrive form-encoded ("my photo+1.jpg" as "my+photo%2B1.jpg"): decoded with unquote_plus.
The sequencer orders events for one key: AWS says to right-pad the shorter of two values with
zeros and compare them as text, so sequencer_order() right-pads them to one width, upper case,
where plain string comparison (in Python or in a DynamoDB condition) orders them.
"""

from dataclasses import dataclass
from urllib.parse import unquote_plus

SEQUENCER_WIDTH = 64  # S3 sequencers are about 16-20 hex digits


class MalformedEvent(ValueError):
    """The event is not an S3 notification: retrying cannot help."""


@dataclass(frozen=True)
class ObjectEvent:
    event_name: str  # e.g. "ObjectCreated:Put", "ObjectRemoved:DeleteMarkerCreated"
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
        return self.event_name.startswith("ObjectCreated:")

    @property
    def removed(self) -> bool:
        return self.event_name.startswith("ObjectRemoved:")

    def describe(self) -> str:
        version = f" version {self.version_id}" if self.version_id else ""
        return f"{self.event_name} s3://{self.bucket}/{self.key}{version}"


def sequencer_order(sequencer: str) -> str:
    """The sequencer as comparable text: hex digits, upper case, right-padded with zeros."""
    value = sequencer.strip().upper()
    if not value or any(ch not in "0123456789ABCDEF" for ch in value):
        raise MalformedEvent(f"sequencer {sequencer!r} is not hexadecimal")
    return value.ljust(SEQUENCER_WIDTH, "0")


def object_events(event: dict) -> list:
    """The object events of a notification (S3 sends one record each, but allows several)."""
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        raise MalformedEvent("the event has no Records list: not an S3 notification")
    return [_object_event(record) for record in records]


def _object_event(record: dict) -> ObjectEvent:
    try:
        s3 = record["s3"]
        obj = s3["object"]
        sequencer = obj.get("sequencer")
        if sequencer:
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
