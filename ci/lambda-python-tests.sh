#!/usr/bin/env bash
# The tests that matter most for what runs in Lambda, on Lambda's Python (python3.13):
#   1. the handler tests and the sandbox stories, with the project's pinned packages;
#   2. the handler tests again with the oldest boto3/botocore the handlers need
#      (ci/lambda-oldest-sdk.txt): Lambda's runtime ships its own SDK, older than our
#      pin and not under our control.
# `make test` runs this after the main suite. Without a python3.13 on PATH or under pyenv, it says
# so and succeeds: the main suite has run. CI installs 3.13 and sets REQUIRE_LAMBDA_PYTHON=1, so
# there a missing 3.13 fails instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION="${LAMBDA_PYTHON_VERSION:-3.13}"
VENV="${LAMBDA_VENV:-.venv-lambda}"
JOBS="${JOBS:-2}"

find_python() {
  # PATH first (CI's setup-python), then pyenv's versions; a pyenv shim for a version that is
  # not selected is on PATH but fails, so each candidate must run.
  local root="${PYENV_ROOT:-$HOME/.pyenv}" candidate
  for candidate in "$(command -v "python$VERSION" || true)" \
    $(ls -d "$root"/versions/"$VERSION".*/bin/"python$VERSION" 2>/dev/null | sort -rV); do
    if [ -n "$candidate" ] && "$candidate" --version >/dev/null 2>&1; then
      echo "$candidate"
      return
    fi
  done
}

PYTHON="$(find_python || true)"
# `--available`: only say (exit status) whether Lambda's Python is here; make test then leaves
# the handler tests to this script rather than also running them on 3.11.
if [ "${1:-}" = "--available" ]; then
  [ -n "$PYTHON" ]
  exit
fi
if [ -z "$PYTHON" ]; then
  if [ -n "${REQUIRE_LAMBDA_PYTHON:-}" ]; then
    echo "error: no python$VERSION found (PATH, pyenv), and REQUIRE_LAMBDA_PYTHON is set" >&2
    exit 1
  fi
  echo "notice: no python$VERSION found (PATH, pyenv): skipped the handler tests and sandbox" \
    "stories on Lambda's Python and on the oldest SDK the handlers need"
  exit 0
fi

# Rebuilt when the interpreter or a requirements file changes.
STAMP="$VENV/.installed"
WANTED="$("$PYTHON" --version) $(cat requirements.txt requirements-dev.txt policy/requirements.txt \
  ci/lambda-oldest-sdk.txt | sha256sum | cut -c1-16)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANTED" ]; then
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -r requirements-dev.txt
  # The oldest SDK beside, not instead: put first on the path for the second run only.
  "$VENV/bin/python" -m pip install --quiet --no-deps --target "$VENV/oldest-sdk" \
    -r ci/lambda-oldest-sdk.txt
  echo "$WANTED" > "$STAMP"
fi

echo "== $("$VENV/bin/python" --version): handler tests and sandbox stories"
"$VENV/bin/python" -m pytest -n "$JOBS" --dist loadfile -q tests/handlers tests/sandbox/test_end_to_end.py

echo "== $("$VENV/bin/python" --version), oldest SDK the handlers need:" \
  "$(PYTHONPATH="$VENV/oldest-sdk" "$VENV/bin/python" -c \
    'import boto3, botocore; print(f"boto3 {boto3.__version__}, botocore {botocore.__version__}")')"
# botocore of that age calls datetime.utcnow(), deprecated since Python 3.12: not ours to fix.
LAMBDA_OLDEST_SDK=1 PYTHONPATH="$VENV/oldest-sdk" "$VENV/bin/python" -m pytest -n "$JOBS" \
  --dist loadfile -q \
  -W "ignore::DeprecationWarning:botocore" tests/handlers
