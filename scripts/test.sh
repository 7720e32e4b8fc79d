#!/usr/bin/env bash
# The test suite on a fresh machine: install everything, then run lint and every test.
# Browser tests need Debian's chromium and Spark tests need Java; .ci/run installs both.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh "${MATERNITY_EQUITY_EXTRAS:-dev,spark}"
.venv/bin/ruff check src tests benchmarks
.venv/bin/python -m pytest "$@"
