#!/usr/bin/env bash
# The NCCL path of varscope::dist on a machine with a GPU, in well under five minutes
# (a step of scripts/gpu-check.sh; run alone with an existing build):
#   bash scripts/nccl-check.sh [build dir, default build/release]
#   1. one rank: HorovodAllreduce (sum, average) and HorovodBroadcast of device memory on a
#      CUDA session's stream through NCCL (dist_nccl_check one-rank);
#   2. two CUDA processes on one GPU over MPI (mpirun -np 2, both on GPU 0): NCCL must refuse
#      with its "Duplicate GPU detected" (NCCL_DEBUG=WARN) and every rank must raise E248,
#      not hang (each command is bounded by `timeout`).
# NEVER RUN YET: written without a GPU (issue 27); the first GPU run is its test.
# Exit status: 0 when both pass, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
build="${1:-build/release}"
check="${build}/tests/dist_nccl_check"
logs="${build}/gpu-check"
mkdir -p "${logs}"
failed=()

if [[ ! -x "${check}" ]]; then
  echo "no ${check}: build varscope with CUDA and MPI (varscope::dist)" >&2
  exit 1
fi

echo "== NCCL at one rank (device memory, the session's stream)"
timeout 120 "${check}" one-rank 2>&1 | tee "${logs}/nccl-one-rank.log"
grep -q '^nccl one rank: ok' "${logs}/nccl-one-rank.log" || failed+=("nccl one rank")

echo "== two CUDA processes on one GPU over MPI: NCCL's duplicate GPU error, on every rank"
if command -v mpirun >/dev/null; then
  NCCL_DEBUG=WARN timeout 120 mpirun --allow-run-as-root --oversubscribe -np 2 \
    -x NCCL_DEBUG -x VARSCOPE_DIST_TIMEOUT_S=60 "${check}" duplicate-gpu \
    >"${logs}/nccl-duplicate-gpu.log" 2>&1
  cat "${logs}/nccl-duplicate-gpu.log"
  ranks=$(grep -cE '^rank [01]: UNAVAILABLE: ncclCommInitRankConfig failed: ' \
    "${logs}/nccl-duplicate-gpu.log" || true)
  if ! grep -q 'Duplicate GPU detected' "${logs}/nccl-duplicate-gpu.log" || [[ ${ranks} -ne 2 ]]; then
    failed+=("nccl duplicate GPU (${ranks} of 2 ranks raised E248)")
  fi
else
  failed+=("nccl duplicate GPU: no mpirun")
fi

if [[ ${#failed[@]} -ne 0 ]]; then
  printf 'FAILED: %s\n' "${failed[@]}"
  exit 1
fi
echo "NCCL checks passed"
