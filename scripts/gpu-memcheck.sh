#!/usr/bin/env bash
# Kept for its old callers: the GPU tests under compute-sanitizer memcheck alone, through
# scripts/gpu-check.sh (which also runs initcheck, racecheck, synccheck and the benchmarks).
#   PRESET=debug MEMCHECK_ARGS="--leak-check full" bash scripts/gpu-memcheck.sh
exec bash "$(dirname "$0")/gpu-check.sh" --tools memcheck --no-bench "$@"
