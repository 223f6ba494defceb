"""The deployment archive of one handler: its module and the handlers/ modules it imports, nothing
else (no tests, no Pulumi code, no third-party packages: the runtime provides boto3)."""

import ast
import functools
import re
from pathlib import Path

import pulumi

HANDLERS_DIR = Path(__file__).resolve().parent.parent / "handlers"
PACKAGE = HANDLERS_DIR.name


def _imported_handler_modules(source: str) -> set:
    """Names of the sibling modules a handlers/ module imports (absolute or relative)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level == 1:  # from . import x / from .x import y
                base = f"{PACKAGE}.{base}" if base else PACKAGE
            names = [base] if base != PACKAGE else [f"{PACKAGE}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == PACKAGE and len(parts) > 1:
                found.add(parts[1])
    return found


@functools.cache
def handler_modules() -> tuple[str, ...]:
    """The modules of handlers/ that define handler(event, context) at their top, sorted."""
    # A text search rather than ast.parse: every FunctionArgs checks against this, and a full test
    # run here once saw CPython 3.11.7's ast.parse fail with "SystemError: AST constructor
    # recursion depth mismatch" (CPython gh-106905) on it; _closure parses each module only once.
    top_level_handler = re.compile(r"^def handler\(", re.MULTILINE)
    return tuple(
        path.stem
        for path in sorted(HANDLERS_DIR.glob("*.py"))
        if top_level_handler.search(path.read_text(encoding="utf-8"))
    )


def module_closure(module: str) -> list:
    """`module` and every handlers/ module it needs, transitively, sorted."""
    return list(_closure(module))


@functools.cache  # once per module and process: each Function packages one
def _closure(module: str) -> tuple[str, ...]:
    needed, pending = set(), [module]
    while pending:
        name = pending.pop()
        if name in needed:
            continue
        path = HANDLERS_DIR / f"{name}.py"
        if not path.is_file():
            raise ValueError(f"handler module {name!r} not found in {HANDLERS_DIR}")
        needed.add(name)
        pending.extend(_imported_handler_modules(path.read_text(encoding="utf-8")))
    return tuple(sorted(needed))


def handler_archive(module: str) -> pulumi.AssetArchive:
    """Inline archive laid out as the package, so `handlers.<module>.handler` imports as in tests."""
    files = ["__init__"] + module_closure(module)
    return pulumi.AssetArchive(
        {
            f"{PACKAGE}/{name}.py": pulumi.StringAsset(
                (HANDLERS_DIR / f"{name}.py").read_text(encoding="utf-8")
            )
            for name in files
        }
    )


def handler_entry_point(module: str) -> str:
    return f"{PACKAGE}.{module}.handler"
