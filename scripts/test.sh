#!/usr/bin/env bash
# The full test suite, one command: sets up what is missing (see setup.sh), then runs pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-build
exec .venv/bin/python -m pytest "$@"
