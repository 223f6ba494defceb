"""event-pipelines: the pipelines this stack enables, and what they export.

Each pipeline's outputs are exported with its config key as prefix, e.g. streamArchiveTableArn.
"""

import pulumi

from components import config
from components.stream_archive import StreamArchive
from components.user_buckets import UserBuckets

settings = config.load()

pipelines = []
if settings.user_buckets.enabled:
    pipelines.append(
        ("userBuckets", UserBuckets("user-buckets", settings.user_buckets, settings.stack))
    )
if settings.stream_archive.enabled:
    pipelines.append(
        ("streamArchive", StreamArchive("stream-archive", settings.stream_archive, settings.stack))
    )

for key, pipeline in pipelines:
    for output, value in pipeline.outputs.items():
        pulumi.export(key + output[0].upper() + output[1:], value)
