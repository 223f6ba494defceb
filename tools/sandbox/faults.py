"""Faults to inject into the AWS calls functions make, for tests and demos of failure handling.

- throttle(): the next `times` attempts of an operation fail as the service fails a throttled
  request (S3's 503 SlowDown, DynamoDB's ProvisionedThroughputExceededException, ...). They are
  answered per attempt, so the SDK's retries see each one; more than the SDK retries and the
  call fails, and Lambda's retries take over.
- fail(): every attempt of a call whose parameters match fails with a server error (500), for
  as long as the rule stands; the SDK retries it as it would a real one, then the call fails:
  a record the function can never process (a poison record).
"""

import threading
from dataclasses import dataclass, field

_THROTTLING = {
    "s3": ("SlowDown", 503, "Please reduce your request rate."),
    "dynamodb": (
        "ProvisionedThroughputExceededException",
        400,
        "The level of configured provisioned throughput for the table was exceeded.",
    ),
}
_DEFAULT_THROTTLING = ("ThrottlingException", 400, "Rate exceeded")
_SERVER_ERRORS = {"s3": ("InternalError", 500), "dynamodb": ("InternalServerError", 500)}


@dataclass(frozen=True)
class Fault:
    code: str
    status: int
    message: str


@dataclass
class _Rule:
    service: str
    operation: str
    fault: Fault
    function: str | None
    remaining: int | None  # None: until removed
    matches: object = None  # predicate on the call's parameters
    hits: int = 0

    def applies(self, function: str, service: str, operation: str) -> bool:
        return (
            self.service == service
            and self.operation == operation
            and self.function in (None, function)
            and (self.remaining is None or self.remaining > 0)
        )


@dataclass
class Faults:
    _throttles: list = field(default_factory=list)
    _failures: list = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def throttle(self, service: str, operation: str, times: int, function: str | None = None):
        code, status, message = _THROTTLING.get(service, _DEFAULT_THROTTLING)
        rule = _Rule(service, operation, Fault(code, status, message), function, times)
        with self._lock:
            self._throttles.append(rule)
        return rule

    def fail(self, service: str, operation: str, matches, function: str | None = None):
        code, status = _SERVER_ERRORS.get(service, ("InternalFailure", 500))
        fault = Fault(code, status, "Injected by the sandbox: this request always fails")
        rule = _Rule(service, operation, fault, function, None, matches)
        with self._lock:
            self._failures.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self._throttles.clear()
            self._failures.clear()

    # --- asked by tools.sandbox.guard -----------------------------------------------------------
    def take_throttle(self, function: str, service: str, operation: str) -> Fault | None:
        with self._lock:
            for rule in self._throttles:
                if rule.applies(function, service, operation):
                    rule.remaining -= 1
                    rule.hits += 1
                    return rule.fault
        return None

    def failure(self, function: str, service: str, operation: str, params: dict) -> Fault | None:
        with self._lock:
            for rule in self._failures:
                if rule.applies(function, service, operation) and rule.matches(params):
                    rule.hits += 1
                    return rule.fault
        return None
