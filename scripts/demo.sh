#!/usr/bin/env bash
# The main job on a fresh machine: install, generate a synthetic LMNS, ingest it, check data
# quality, compute every indicator, write the board report and serve the dashboard.
# Extra arguments go to `maternity-equity demo` (e.g. --no-serve, --reference ../shared/reference).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev >/dev/null
exec .venv/bin/maternity-equity demo "$@"
