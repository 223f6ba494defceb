"""What the sandbox's Lambda service did, in order: invocations, retries, dead letters, problems.

Tests count outcomes from it; the command line prints each entry as it is added.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entry:
    kind: str  # invoke | retry | dead-letter | discard | problem | deliver
    function: str
    text: str
    details: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return f"[{self.kind}] {self.function}: {self.text}"


@dataclass
class Journal:
    echo: Callable[[Entry], object] | None = None  # given each entry as it is added
    entries: list = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, function: str, text: str, **details) -> Entry:
        entry = Entry(kind, function, text, details)
        with self._lock:
            self.entries.append(entry)
        if self.echo:
            self.echo(entry)
        return entry

    def of(self, kind: str, function: str | None = None) -> list:
        return [e for e in self.entries if e.kind == kind and function in (None, e.function)]
