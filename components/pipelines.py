"""The pipelines a stack can enable, by config key: what __main__.py deploys."""

from .config import Settings
from .image_metadata import ImageMetadata
from .notes_api import NotesApi
from .object_copy import ObjectCopy
from .shared import Shared
from .stream_archive import StreamArchive
from .user_buckets import UserBuckets

# (config key, logical name, component, its settings' attribute)
PIPELINES = [
    ("userBuckets", "user-buckets", UserBuckets, "user_buckets"),
    ("streamArchive", "stream-archive", StreamArchive, "stream_archive"),
    ("imageMetadata", "image-metadata", ImageMetadata, "image_metadata"),
    ("objectCopy", "object-copy", ObjectCopy, "object_copy"),
    ("notesApi", "notes", NotesApi, "notes_api"),
]


def deploy(settings: Settings, suffix: str = "") -> dict:
    """What the stack's pipelines share (components.shared), then every pipeline `settings`
    enables, its logical name ending in `suffix`; their outputs by export name: the config key as
    prefix (streamArchiveTableArn), then `suffix`; the shared resources' as they are."""
    if not any(getattr(settings, attribute).enabled for *_, attribute in PIPELINES):
        return {}  # nothing to share
    shared = Shared("shared" + suffix, settings)
    exports = {name + suffix: value for name, value in shared.outputs.items()}
    for key, name, component, attribute in PIPELINES:
        pipeline_settings = getattr(settings, attribute)
        if pipeline_settings.enabled:
            pipeline = component(
                name + suffix, pipeline_settings, settings.stack, shared.protection
            )
            for output, value in pipeline.outputs.items():
                exports[key + output[0].upper() + output[1:] + suffix] = value
    return exports
