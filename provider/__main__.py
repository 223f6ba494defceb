"""Entry point of the component provider (PulumiPlugin.yaml): serves the pipelines to programs in
any language. Uses an installed event-pipelines package, else the checkout this directory is in."""

import importlib.util
import sys
from pathlib import Path

# The CLI makes the plugin's virtualenv with whatever python3 is on PATH, not ours.
if sys.version_info < (3, 11):  # noqa: UP036 - typing.Required, and what the components need
    sys.exit(f"event-pipelines needs Python 3.11 or later; this is {sys.version.split()[0]}")


def _installed() -> bool:
    try:
        return importlib.util.find_spec("event_pipelines.components") is not None
    except ModuleNotFoundError:  # no event_pipelines at all
        return False


if _installed():
    from event_pipelines.components.provider import serve
else:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from components.provider import serve

if __name__ == "__main__":
    serve()
