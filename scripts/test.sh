#!/usr/bin/env bash
# Fresh machine -> whole test suite: installs what is missing, builds everything with
# warnings as errors, runs every test. GPU tests report "Skipped" where no CUDA device is.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset ci
cmake --build --preset ci
ctest --preset ci "$@"
