#!/usr/bin/env bash
# The README's test command: install test dependencies, lint, type-check, run every test.
# Works where the only Python is the distribution's `python3` (no `python` command, and pip
# refusing system installs, PEP 668): everything runs in a virtual environment, the active
# one if there is one, else `.venv` in the repository (created on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${VIRTUAL_ENV:-}" ] && [ -x "$VIRTUAL_ENV/bin/python" ]; then
  py="$VIRTUAL_ENV/bin/python"
else
  [ -x .venv/bin/python ] || python3 -m venv .venv
  py=.venv/bin/python
fi
"$py" -m pip install --quiet -e '.[test]'
"$py" -m ruff check storeconf tests bench
"$py" -m ruff format --check storeconf tests bench
"$py" -m mypy
"$py" -m pytest -q -p no:cacheprovider "$@"
