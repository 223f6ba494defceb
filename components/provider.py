"""The pipelines as a Pulumi component package, for programs in any language.

Pulumi runs provider/__main__.py (PulumiPlugin.yaml: the python runtime) when a program has added
the package (`pulumi package add`); the SDK's component provider host infers the schema from the
components' typed arguments and outputs (components.args) and constructs them on request.
"""

import json
import sys

from pulumi.provider import main
from pulumi.provider.experimental.component import ComponentProvider

from .checks import SCHEMA_SPELLING
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
# pipeline on its own has its building blocks' safe defaults and a log bucket of its own
# (see docs/library.md).
COMPONENTS = [EventPipelines, UserBuckets, StreamArchive, ImageMetadata, ObjectCopy, NotesApi]


def _tidy(node):
    """Descriptions as prose: the docstrings' line breaks and indentation folded into spaces
    (the SDKs other languages generate show them as doc comments)."""
    if isinstance(node, dict):
        return {
            key: " ".join(value.split())
            if key == "description" and isinstance(value, str)
            else _tidy(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_tidy(value) for value in node]
    return node


class _Provider(ComponentProvider):
    """The SDK's component provider; a bad argument is named as the program's language spells it
    (UserBuckets.function.memorySize), not as Python does."""

    def construct(self, name, resource_type, inputs, options=None):
        spelling = SCHEMA_SPELLING.set(True)
        try:
            return super().construct(name, resource_type, inputs, options)
        finally:
            SCHEMA_SPELLING.reset(spelling)


def provider() -> ComponentProvider:
    """The SDK's component provider for COMPONENTS, serving the tidied schema."""
    host = _Provider(list(COMPONENTS), NAME, version=VERSION)
    assert host.schema is not None  # the component provider always builds one
    host.schema = json.dumps(_tidy(json.loads(host.schema)))
    return host


def schema() -> dict:
    """The package schema the provider serves."""
    return json.loads(provider().schema or "{}")


def serve() -> None:
    """What the SDK's component_provider_host does, with the provider above: the engine passes
    the plugin's directory and its own address as arguments."""
    main(provider(), sys.argv[1:])
