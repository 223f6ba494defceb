"""A time limit for the offline tools, so a program that never finishes cannot hang a CI gate.

`time_limit(seconds, ...)` arms SIGALRM on the main thread. When it fires, the main thread gets
TimeLimitExceeded, which says what was running (the phase) and where it waited: the innermost
frames of the program's own files, in the main thread, in every pending asyncio task and in every
other thread (a mock call, a blocked lookup). It derives from KeyboardInterrupt for one reason:
asyncio re-raises KeyboardInterrupt out of a task step, where any other exception would be kept in
the task and the loop would go on waiting. The alarm repeats each second, in case a program
swallows it (`except BaseException:`).

A last line of defence covers what no exception can reach (a C call that ignores signals, a
program that swallows every interrupt): a daemon thread that, a grace period after the limit,
writes the same report and ends the process with exit code 2.
"""

import asyncio
import contextlib
import math
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path

GRACE_SECONDS = 5.0
EXIT_CODE = 2


class TimeLimitExceeded(KeyboardInterrupt):
    def __init__(self, phase: str, seconds: float, waits: list):
        self.phase = phase
        self.seconds = seconds
        self.waits = waits
        super().__init__(self.describe())

    def describe(self) -> str:
        where = f"; it waited at {'; '.join(self.waits)}" if self.waits else ""
        return f"{self.phase} did not finish within {self.seconds:g} s (--time-limit){where}"


def _frames(frame) -> list:
    stack = []
    while frame is not None:
        stack.append(frame)
        frame = frame.f_back
    return stack  # innermost first


def _place(frame) -> str:
    code = frame.f_code
    return f"{code.co_filename}:{frame.f_lineno} in {code.co_name}"


def _best_frame(frames: list, own: Callable[[str], bool]):
    """The innermost frame in the program's own files, else the innermost of all."""
    mine = [f for f in frames if own(f.f_code.co_filename)]
    return (mine or frames or [None])[0]


def _task_frames(task) -> list:
    """The frames a pending task is suspended in, innermost first."""
    frames = []
    coroutine = task.get_coro()
    while coroutine is not None:
        frame = getattr(coroutine, "cr_frame", None) or getattr(coroutine, "gi_frame", None)
        if frame is None:
            break
        frames.append(frame)
        coroutine = getattr(coroutine, "cr_await", None) or getattr(coroutine, "gi_yieldfrom", None)
    return list(reversed(frames))


def waiting_points(main_frame, roots: list) -> list:
    """Where the main thread, the pending tasks and the other threads are waiting."""
    prefixes = [str(Path(r).resolve()) + os.sep for r in roots]

    def own(filename: str) -> bool:
        # A virtualenv inside the project (this repository's .venv) holds no code of its own.
        installed = "site-packages" in filename or "dist-packages" in filename
        return not installed and any(filename.startswith(p) for p in prefixes)

    points: list = []

    def add(label: str, frame) -> None:
        # Frames of the SDK or of asyncio say nothing a user can act on.
        if frame is not None and own(frame.f_code.co_filename):
            entry = f"{_place(frame)} ({label})"
            if entry not in points:
                points.append(entry)

    add("main thread", _best_frame(_frames(main_frame), own))
    loop = None
    with contextlib.suppress(RuntimeError):
        loop = asyncio.get_event_loop_policy().get_event_loop()
    if loop is not None and not loop.is_closed():
        for task in list(asyncio.all_tasks(loop)):
            add(f"task {task.get_name()}", _best_frame(_task_frames(task), own))
    current = threading.get_ident()
    names = {t.ident: t.name for t in threading.enumerate()}
    for ident, frame in sys._current_frames().items():
        if ident not in (current, threading.main_thread().ident):
            add(f"thread {names.get(ident, ident)}", _best_frame(_frames(frame), own))
    return points


@contextlib.contextmanager
def time_limit(seconds: float | None, phase: Callable[[], str], roots: list):
    """Raise TimeLimitExceeded in the main thread after `seconds` (None or 0: no limit).

    `phase()` names what is running when it fires; `roots` are the directories whose files
    count as the program's own, for the report of where it waited."""
    if not seconds or math.isinf(seconds):
        yield
        return
    if threading.current_thread() is not threading.main_thread():
        # Signals reach the main thread only, and nothing else can stop a thread from outside.
        sys.stderr.write(
            "warning: --time-limit applies only when the preview runs on the main thread\n"
        )
        yield
        return
    report: dict = {}

    def on_alarm(_signum, frame):
        error = TimeLimitExceeded(phase(), seconds, waiting_points(frame, roots))
        report.setdefault("message", error.describe())
        raise error

    def last_resort():
        # Runs only when the main thread has not left the block a grace period after the limit.
        message = report.get("message") or (
            f"{phase()} did not finish within {seconds:g} s (--time-limit)"
        )
        sys.stderr.write(f"error: {message}\n")
        sys.stderr.flush()
        os._exit(EXIT_CODE)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    guard = threading.Timer(seconds + GRACE_SECONDS, last_resort)
    guard.daemon = True
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
        guard.start()
        yield
    finally:
        guard.cancel()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
