"""The pipelines a stack can enable, by config key: what __main__.py deploys."""

from .config import StackConfig
from .image_metadata import ImageMetadata
from .notes_api import NotesApi
from .object_copy import ObjectCopy
from .shared import Shared
from .stream_archive import StreamArchive
from .user_buckets import UserBuckets

# (config key, logical name, component)
PIPELINES = [
    ("userBuckets", "user-buckets", UserBuckets),
    ("streamArchive", "stream-archive", StreamArchive),
    ("imageMetadata", "image-metadata", ImageMetadata),
    ("objectCopy", "object-copy", ObjectCopy),
    ("notesApi", "notes", NotesApi),
]


def deploy(stack: StackConfig, suffix: str = "") -> dict:
    """What the stack's pipelines share (components.shared), then every pipeline the config
    enables, its logical name ending in `suffix`; their outputs by export name: the config key as
    prefix (streamArchiveTableArn), then `suffix`; the shared resources' as they are."""
    if not stack.pipelines:
        return {}  # nothing to share
    shared = Shared("shared" + suffix, stack.shared)
    exports = {name + suffix: value for name, value in shared.outputs.items()}
    for key, name, component in PIPELINES:
        if key in stack.pipelines:
            pipeline = component(name + suffix, stack.pipelines[key], protection=shared.protection)
            for output, value in pipeline.outputs.items():
                exports[key + output[0].upper() + output[1:] + suffix] = value
    return exports
