"""A running sandbox per test module (starting one deploys the whole stack: a few seconds).

moto's state is process-wide, so a sandbox owns it while it runs; pytest runs a module's tests
together and tears its fixtures down before the next module, and `make test` hands whole files
to each worker (--dist loadfile), so no other test touches moto meanwhile.
"""

import itertools

import pytest

from tools.sandbox.sandbox import Sandbox

_runs = itertools.count(1)


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(stack="dev") as running:
        yield running


@pytest.fixture
def run_id() -> str:
    """Fresh names for one test's items and objects, so tests sharing a sandbox stay apart."""
    return f"t{next(_runs)}"
