"""event-pipelines: the pipelines this stack enables, and what they export.

Each pipeline's outputs are exported with its config key as prefix, e.g. streamArchiveTableArn.
"""

import pulumi

from components import config, pipelines

for name, value in pipelines.deploy(config.load().event_pipelines_args()).items():
    pulumi.export(name, value)
