"""Figure 1: what a handler adds to a cold start, and what each function uploads.

Import cost: a fresh interpreter per sample (cwd = the repository, this interpreter) times
`import boto3`, then `import handlers.<module>`, each around the import alone, so interpreter
start-up is left out. That loads exactly the modules `import handlers.<module>` alone loads (every
handler needs boto3), and the two halves of the pair run back to back in one process, as close in
time as a side-by-side measurement gets: ratio = (boto3 + handler) / boto3. Handlers take turns, in
an order reversed every round. Archive size: the function's deployment archive
(components.handler_code.handler_archive) zipped with deflate, as Pulumi uploads an AssetArchive.
"""

import io
import os
import subprocess
import sys
import time
import zipfile

from bench.timing import Check, Figure, interleaved, median, ratio
from components.handler_code import handler_archive
from tools.program import REPO_ROOT

HANDLERS = ("user_buckets", "stream_archive", "image_metadata", "object_copy", "notes_api")
IMPORT_TARGET = 1.10  # handler import time / boto3 import time, at most
ARCHIVE_TARGET = 16 * 1024  # bytes, at most

CHILD = (
    "import time\n"
    "start = time.perf_counter()\n"
    "import boto3\n"
    "middle = time.perf_counter()\n"
    "import {module}\n"
    "print(middle - start, time.perf_counter() - start)\n"
)


def import_seconds(module: str) -> tuple:
    """(seconds of `import boto3`, seconds of that and `import <module>`), in a fresh interpreter."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE")
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD.format(module=module)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"import {module} failed in a fresh interpreter:\n{done.stderr}")
    boto3_only, with_handler = done.stdout.split()[-2:]
    return float(boto3_only), float(with_handler)


def archive_bytes(module: str) -> int:
    """Size of the function's archive zipped with deflate (fixed timestamps, sorted entries)."""
    archive = handler_archive(module)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for name in sorted(archive.assets):
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            zipped.writestr(entry, archive.assets[name].text)
    return len(buffer.getvalue())


def run(rounds: int = 10, handlers: tuple = HANDLERS) -> Figure:
    started = time.perf_counter()
    boto3_seconds: dict = {name: [] for name in handlers}

    def child(name: str):
        def call() -> float:
            boto3_only, with_handler = import_seconds(f"handlers.{name}")
            boto3_seconds[name].append(boto3_only)
            return with_handler

        return call

    # A first round leaves every .pyc written and the files in the page cache; not counted.
    samples = interleaved(rounds, {name: child(name) for name in handlers}, warmup=1)

    figure = Figure(
        title=f"Cold start: handler import vs `import boto3`, fresh interpreters, {rounds} rounds",
        columns=["function", "boto3 ms", "handler ms", "added ms", "ratio (min-max)", "archive B"],
    )
    for name in handlers:
        handler_seconds = samples[name]
        base = boto3_seconds[name][-rounds:]  # without the warm-up round
        imported = ratio(handler_seconds, base)
        added = median([h - b for h, b in zip(handler_seconds, base, strict=True)])
        size = archive_bytes(name)
        figure.rows.append(
            [
                name,
                f"{median(base) * 1e3:.1f}",
                f"{median(handler_seconds) * 1e3:.1f}",
                f"{added * 1e3:.1f}",
                str(imported),
                f"{size:,}",
            ]
        )
        figure.checks.append(
            Check(
                f"{name} import / boto3",
                f"{imported.value:.3f}x",
                f"<= {IMPORT_TARGET:.2f}x",
                imported.value <= IMPORT_TARGET,
            )
        )
        figure.checks.append(
            Check(
                f"{name} archive", f"{size:,} B", f"<= {ARCHIVE_TARGET:,} B", size <= ARCHIVE_TARGET
            )
        )
    figure.notes.append(
        "handler ms = `import boto3` then `import handlers.<module>` in one fresh interpreter (the "
        "modules `import handlers.<module>` loads alone); ratio = median handler ms / median boto3 "
        "ms, (min-max) = lowest and highest ratio of one sample"
    )
    figure.seconds = time.perf_counter() - started
    return figure
