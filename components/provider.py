"""The pipelines as a Pulumi component package, for programs in any language.

Pulumi runs provider/__main__.py (PulumiPlugin.yaml: the python runtime) when a program has added
the package (`pulumi package add`); the SDK's component provider host infers the schema from the
components' typed arguments and outputs (components.args) and constructs them on request.
"""

import json

from pulumi.provider.experimental import component_provider_host
from pulumi.provider.experimental.component import ComponentProvider

from .image_metadata import ImageMetadata
from .notes_api import NotesApi
from .object_copy import ObjectCopy
from .pipelines import EventPipelines
from .stream_archive import StreamArchive
from .user_buckets import UserBuckets

NAME = "event-pipelines"
VERSION = "0.1.0"  # the distribution's (pyproject.toml); a test keeps them equal
# EventPipelines brings what the pipelines share; Shared alone is not offered: what it makes
# reaches a pipeline as a Python object (protection=), which no other language can pass. A
# pipeline on its own has its building blocks' safe defaults (see docs/library.md).
COMPONENTS = [EventPipelines, UserBuckets, StreamArchive, ImageMetadata, ObjectCopy, NotesApi]


def schema() -> dict:
    """The package schema the provider serves (the one the host builds, not a copy of its logic)."""
    served = ComponentProvider(list(COMPONENTS), NAME, version=VERSION).schema
    assert served is not None  # the component provider always builds one
    return json.loads(served)


def serve() -> None:
    component_provider_host(list(COMPONENTS), NAME, version=VERSION)
