# On a fresh machine: `make demo` creates .venv, installs the pinned requirements and runs the
# sandbox demo; `make test` (same setup) runs the whole suite, and creates .venv-lambda on
# python3.13 for the Lambda-side tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo sandbox test bench lint preview clean
STACK ?= dev
# pytest workers
JOBS ?= 2

$(BIN)/.installed: requirements.txt requirements-dev.txt policy/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

demo: $(BIN)/.installed
	$(BIN)/python -m tools.sandbox --demo --stack $(STACK)

# Keeps running: deploy the stack into the emulator and watch handlers fire (Ctrl-C stops it).
sandbox: $(BIN)/.installed
	$(BIN)/python -m tools.sandbox --stack $(STACK)

# The whole suite, then the handler tests and sandbox stories on Lambda's Python (3.13, when
# installed; skipped with a notice otherwise) and on the oldest SDK the handlers need. With 3.13
# here, the handler tests and the sandbox stories run there (the handler tests on the oldest SDK
# too), not again on 3.11.
test: $(BIN)/.installed
	if ci/lambda-python-tests.sh --available; then \
	  $(BIN)/python -m pytest -n $(JOBS) --dist loadfile --ignore=tests/handlers \
	    --ignore=tests/sandbox/test_end_to_end.py; \
	else \
	  $(BIN)/python -m pytest -n $(JOBS) --dist loadfile; \
	fi
	JOBS=$(JOBS) ci/lambda-python-tests.sh

# Cold start, batch throughput, preview and policy cost, the gate on the IAM corpus beside
# checkov, each measured side by side (about 6 min). checkov gets its own environment: it is
# only ever measured against, never needed by the project or its tests.
CHECKOV_VENV ?= .venv-checkov

$(CHECKOV_VENV)/.installed: bench/requirements-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -r bench/requirements-checkov.txt
	touch $@

bench: $(BIN)/.installed $(CHECKOV_VENV)/.installed
	$(BIN)/python -m bench

preview: $(BIN)/.installed
	$(BIN)/python -m tools.preview --stack $(STACK)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pyright

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) .venv-lambda .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
