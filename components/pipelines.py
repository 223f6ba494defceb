"""The pipelines a stack can enable: what __main__.py deploys, and the EventPipelines component
that deploys the same for a program of its own (in any language, through the component package).

    EventPipelines ── Shared (customer key, log bucket, code signing, alarm topic, web ACLs)
                   └─ UserBuckets, StreamArchive, ImageMetadata, ObjectCopy, NotesApi: each given
"""

import pulumi

from .args import EventPipelinesArgs, SharedArgs, resolve_event_pipelines, stack_region
from .checks import camel
from .image_metadata import ImageMetadata
from .notes_api import NotesApi
from .object_copy import ObjectCopy
from .shared import Shared
from .stream_archive import StreamArchive
from .user_buckets import UserBuckets

# (its key in EventPipelinesArgs, logical name, component); the config key is the key in camelCase
PIPELINES = [
    ("user_buckets", "user-buckets", UserBuckets),
    ("stream_archive", "stream-archive", StreamArchive),
    ("image_metadata", "image-metadata", ImageMetadata),
    ("object_copy", "object-copy", ObjectCopy),
    ("notes_api", "notes", NotesApi),
]


def export_name(key: str, output: str) -> str:
    """stream_archive + tableArn: streamArchiveTableArn."""
    return camel(key) + output[0].upper() + output[1:]


def deploy(
    stack: EventPipelinesArgs, suffix: str = "", parent: pulumi.Resource | None = None
) -> dict:
    """What the stack's pipelines share (components.shared), then every pipeline `stack` gives,
    its logical name ending in `suffix`, under `parent` (none: the stack itself); their outputs by
    export name: the pipeline as prefix (streamArchiveTableArn), then `suffix`; the shared
    resources' as they are."""
    given = [(key, name, component) for key, name, component in PIPELINES if key in stack]
    if not given:
        return {}  # nothing to share
    opts = pulumi.ResourceOptions(parent=parent)
    shared_args = SharedArgs(**stack.get("shared", SharedArgs()))
    shared_args["web_endpoints"] = "notes_api" in stack
    shared = Shared("shared" + suffix, shared_args, opts=opts)
    exports = {name + suffix: value for name, value in shared.outputs.items()}
    for key, name, component in given:
        pipeline = component(name + suffix, stack[key], opts, protection=shared.protection)
        for output, value in pipeline.outputs.items():
            exports[export_name(key, output) + suffix] = value
    return exports


class EventPipelines(pulumi.ComponentResource):
    """A stack of pipelines behind what they share, as this repository's own program deploys one:
    each pipeline given in the arguments, with the customer key, access logs, code signing,
    alarms and web ACLs that shared turns on."""

    exports: pulumi.Output[dict[str, str]]
    """Every output of the pipelines and of what they share, by the names the stack program
    exports (userBucketsTableArn, customerKeyArn...)."""

    def __init__(
        self, name: str, args: EventPipelinesArgs, opts: pulumi.ResourceOptions | None = None
    ):
        # Every problem of every part, before anything exists.
        resolve_event_pipelines(args, region=stack_region(opts))
        super().__init__("event-pipelines:index:EventPipelines", name, None, opts)
        self.exports = pulumi.Output.from_input(deploy(args, parent=self))
        self.register_outputs({"exports": self.exports})
