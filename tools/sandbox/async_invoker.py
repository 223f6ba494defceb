"""Lambda's queue of asynchronous invocations for one function (how S3 invokes it).

An event is invoked; a function error schedules a retry, up to the function's
MaximumRetryAttempts (FunctionEventInvokeConfig, default 2), about one minute after the first
failure and two after the second as Lambda does; an event older than MaximumEventAgeInSeconds
is not retried. An event given up on goes to the on-failure destination as Lambda's invocation
record (with the event and the error). The waits run on the sandbox's clock, which settle()
moves forward rather than sleeping through them.
"""

from dataclasses import dataclass

from tools.sandbox.destinations import async_failure_record, hand_over

RETRY_DELAYS = (60.0, 120.0)  # seconds before the first and the second retry


@dataclass
class _Pending:
    event: dict
    received: float
    due: float
    attempts: int = 0
    last_error: dict | None = None


class AsyncInvoker:
    def __init__(self, runtime, journal, clock, send_failure, describe=None):
        self.runtime = runtime
        self.function = runtime.spec
        self.journal = journal
        self.clock = clock
        self.send_failure = send_failure  # (destination, record) -> None, or why not delivered
        self.describe = describe or (lambda event: "event")
        self._queue: list = []

    @property
    def idle(self) -> bool:
        return not self._queue

    def next_due(self) -> float | None:
        return min((p.due for p in self._queue), default=None)

    def submit(self, event: dict) -> None:
        now = self.clock.now()
        self._queue.append(_Pending(event, received=now, due=now))

    def run_due(self) -> bool:
        """Invoke every event that is due; True if any was."""
        now = self.clock.now()
        due = [p for p in self._queue if p.due <= now]
        for pending in due:
            self._queue.remove(pending)
            self._attempt(pending)
        return bool(due)

    def _attempt(self, pending: _Pending) -> None:
        what = self.describe(pending.event)
        if self.clock.now() - pending.received > self.function.max_event_age:
            self._give_up(pending, "EventAgeExceeded", what)
            return
        invocation = self.runtime.invoke(pending.event)
        pending.attempts += 1
        if invocation.ok:
            self.journal.add(
                "invoke",
                self.function.name,
                f"{what}: ok (attempt {pending.attempts})",
                request_id=invocation.request_id,
            )
            return
        pending.last_error = invocation.error
        self.journal.add(
            "invoke",
            self.function.name,
            f"{what}: failed (attempt {pending.attempts}): {invocation.error['errorMessage']}",
            request_id=invocation.request_id,
            failed=1,
        )
        if pending.attempts > self.function.retries:
            self._give_up(pending, "RetriesExhausted", what)
            return
        pending.due = self.clock.now() + RETRY_DELAYS[min(pending.attempts, 2) - 1]
        self._queue.append(pending)
        self.journal.add("retry", self.function.name, f"{what}: retry {pending.attempts} scheduled")

    def _give_up(self, pending: _Pending, condition: str, what: str) -> None:
        hand_over(
            self.journal,
            self.send_failure,
            self.function.name,
            self.function.on_failure,
            lambda: async_failure_record(
                self.function.arn, pending.event, condition, pending.attempts, pending.last_error
            ),
            what,
            condition,
            letter=f"{what}: {condition}",
            records=1,
            event=what,
        )
