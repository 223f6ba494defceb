"""event-pipelines' components: each pipeline and its arguments, and what a stack's pipelines share.

from event_pipelines.components import UserBuckets, UserBucketsArgs
"""

from .args import (
    EventPipelinesArgs,
    ImageMetadataArgs,
    NotesApiArgs,
    ObjectCopyArgs,
    SharedArgs,
    StreamArchiveArgs,
    UserBucketsArgs,
)
from .checks import ArgsError
from .image_metadata import ImageMetadata
from .notes_api import NotesApi
from .object_copy import ObjectCopy
from .pipelines import EventPipelines
from .protection import NO_PROTECTION, Protection
from .shared import Shared
from .stream_archive import StreamArchive
from .user_buckets import UserBuckets

__all__ = [
    "NO_PROTECTION",
    "ArgsError",
    "EventPipelines",
    "EventPipelinesArgs",
    "ImageMetadata",
    "ImageMetadataArgs",
    "NotesApi",
    "NotesApiArgs",
    "ObjectCopy",
    "ObjectCopyArgs",
    "Protection",
    "Shared",
    "SharedArgs",
    "StreamArchive",
    "StreamArchiveArgs",
    "UserBuckets",
    "UserBucketsArgs",
]
