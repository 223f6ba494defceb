"""Entry point of the component provider (PulumiPlugin.yaml): serves the pipelines to programs in
any language. Uses an installed event-pipelines package, else the checkout this directory is in."""

import sys
from pathlib import Path

try:
    from event_pipelines.components.provider import serve
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from components.provider import serve

if __name__ == "__main__":
    serve()
