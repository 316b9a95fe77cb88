#!/usr/bin/env bash
# Entry point for scripts/test: the Blender client's unit tests and the
# end-to-end tests with real Blender. Last line: "blender e2e: N tests, ...".
set -euo pipefail
exec python3 "$(dirname "${BASH_SOURCE[0]}")/run.py" "$@"
