#!/usr/bin/env bash
# The README's test command: install test dependencies, lint, type-check, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet -e '.[test]'
ruff check storeconf tests bench
ruff format --check storeconf tests bench
mypy
python -m pytest -q -p no:cacheprovider "$@"
