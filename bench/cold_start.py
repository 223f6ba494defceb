"""Figure 1: what a handler adds to a cold start, and what each function uploads.

Import cost: a fresh interpreter per sample times `import boto3`, then `import handlers.<module>`,
each around the import alone, so interpreter start-up is left out. The handler is imported from
its function's deployment archive unpacked in an empty directory (what Lambda has in /var/task),
with bytecode writing off: Lambda's /var/task is read-only and the archive holds sources only, so a
handler is compiled on every cold start, and so it is here. boto3 comes from this interpreter's
installation, with its cached bytecode (whether Lambda's runtime ships boto3 compiled was not
checked; compiled from source it would weigh more, and the ratio would shrink). The two imports run back
to back in one process, as close in time as a side-by-side measurement gets: ratio =
(boto3 + handler) / boto3. Handlers take turns, in an order reversed every round. Archive size:
the archive (components.handler_code.handler_archive) zipped with deflate, as Pulumi uploads an
AssetArchive.
"""

import io
import os
import tempfile
import time
import zipfile
from pathlib import Path

from bench.timing import Check, Figure, interleaved, median, python_child, ratio
from components.handler_code import handler_archive

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


def unpack(module: str, directory: Path) -> Path:
    """The function's archive written out in `directory`, as Lambda unpacks it in /var/task."""
    for name, asset in handler_archive(module).assets.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(asset.text, encoding="utf-8")
    return directory


def import_seconds(module: str, task_root: Path) -> tuple:
    """(seconds of `import boto3`, seconds of that and `import handlers.<module>`), in a fresh
    interpreter whose only code besides the installed packages is the unpacked archive."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # compiled on every import, as from a read-only /var/task
    output = python_child(
        ["-c", CHILD.format(module=f"handlers.{module}")],
        f"importing handlers.{module} from its archive",
        cwd=task_root,
        env=env,
    )
    boto3_only, with_handler = output.split()[-2:]
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

    with tempfile.TemporaryDirectory(prefix="bench-task-") as scratch:
        task_roots = {name: unpack(name, Path(scratch) / name) for name in handlers}

        def child(name: str):
            def call() -> float:
                boto3_only, with_handler = import_seconds(name, task_roots[name])
                boto3_seconds[name].append(boto3_only)
                return with_handler

            return call

        # A first round brings boto3's files into the page cache; not counted.
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
        "handler ms = `import boto3` then `import handlers.<module>` from the unpacked archive, "
        "compiled from source, in one fresh interpreter; ratio = median handler ms / median boto3 "
        "ms, (min-max) = lowest and highest ratio of one sample"
    )
    figure.seconds = time.perf_counter() - started
    return figure
