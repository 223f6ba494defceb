"""event-pipelines: the pipelines this stack enables, and what they export.

Each pipeline's outputs are exported with its config key as prefix, e.g. streamArchiveTableArn.
"""

import pulumi

from components import config
from components.image_metadata import ImageMetadata
from components.notes_api import NotesApi
from components.object_copy import ObjectCopy
from components.stream_archive import StreamArchive
from components.user_buckets import UserBuckets

settings = config.load()

# (config key, logical name, component, its settings)
PIPELINES = [
    ("userBuckets", "user-buckets", UserBuckets, settings.user_buckets),
    ("streamArchive", "stream-archive", StreamArchive, settings.stream_archive),
    ("imageMetadata", "image-metadata", ImageMetadata, settings.image_metadata),
    ("objectCopy", "object-copy", ObjectCopy, settings.object_copy),
    ("notesApi", "notes", NotesApi, settings.notes_api),
]

for key, name, component, pipeline_settings in PIPELINES:
    if pipeline_settings.enabled:
        pipeline = component(name, pipeline_settings, settings.stack)
        for output, value in pipeline.outputs.items():
            pulumi.export(key + output[0].upper() + output[1:], value)
