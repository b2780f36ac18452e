#!/usr/bin/env bash
# Runs the GPU tests (the ctest label `gpu`: gtest suites named Gpu*, which includes the
# Gpu/<Suite>.<Test>/cuda instantiations) under compute-sanitizer's memcheck tool, one test
# binary at a time, and fails if memcheck reports an error or a test fails.
#
#   bash scripts/gpu-memcheck.sh                 # release preset, build/release
#   PRESET=debug bash scripts/gpu-memcheck.sh    # another CMake preset
#   MEMCHECK_ARGS="--leak-check full" bash scripts/gpu-memcheck.sh
#   GPU_FILTER='GpuLeaks*' bash scripts/gpu-memcheck.sh   # a subset of the GPU tests
#   COMPUTE_SANITIZER=/opt/cuda/bin/compute-sanitizer bash scripts/gpu-memcheck.sh
#
# Logs go to build/<preset>/gpu-memcheck/<binary>.log; the last line printed is the summary
# to record in tests/README.md ("GPU memcheck"). Where no CUDA device is usable the GPU tests
# skip themselves, so a run there proves nothing: the script then stops with exit status 2.
set -euo pipefail
cd "$(dirname "$0")/.."

PRESET="${PRESET:-release}"
GPU_FILTER="${GPU_FILTER:-Gpu*}"
# shellcheck disable=SC2206  # word splitting of MEMCHECK_ARGS is intended
extra_args=(${MEMCHECK_ARGS:-})

# COMPUTE_SANITIZER=/path/to/compute-sanitizer overrides the search.
sanitizer="${COMPUTE_SANITIZER:-$(command -v compute-sanitizer || true)}"
for candidate in "${CUDA_HOME:-/usr/local/cuda}/bin/compute-sanitizer" \
                 "${CUDA_HOME:-/usr/local/cuda}/compute-sanitizer/compute-sanitizer"; do
  if [[ -z "${sanitizer}" && -x "${candidate}" ]]; then sanitizer="${candidate}"; fi
done
if [[ -z "${sanitizer}" ]]; then
  echo "compute-sanitizer not found: it ships with the CUDA toolkit (<cuda>/bin); a toolkit" \
    "installed from pip wheels needs the nvidia-cuda-sanitizer-api wheel of its CUDA version;" \
    "or set COMPUTE_SANITIZER" >&2
  exit 1
fi

cmake --preset "${PRESET}" -DVARSCOPE_BUILD_TESTS=ON
cmake --build --preset "${PRESET}"

build="build/${PRESET}"
logs="${build}/gpu-memcheck"
mkdir -p "${logs}"

binaries=0 ran=0 skipped=0 failed_binaries=()
for bin in "${build}"/tests/*_test; do
  [[ -x "${bin}" ]] || continue
  name="$(basename "${bin}")"
  # Only binaries that have GPU tests.
  if ! "${bin}" --gtest_list_tests --gtest_filter="${GPU_FILTER}" | grep -q '^  '; then
    continue
  fi
  binaries=$((binaries + 1))
  log="${logs}/${name}.log"
  echo "== ${name}"
  status=0
  "${sanitizer}" --tool memcheck --error-exitcode 1 "${extra_args[@]}" \
    "${bin}" --gtest_filter="${GPU_FILTER}" >"${log}" 2>&1 || status=$?
  # One line per test ends in "(N ms)"; gtest's closing summary repeats the names without it.
  passed=$(grep -cE '^\[       OK \] .* \([0-9]+ ms\)$' "${log}" || true)
  skips=$(grep -cE '^\[  SKIPPED \] .* \([0-9]+ ms\)$' "${log}" || true)
  ran=$((ran + passed))
  skipped=$((skipped + skips))
  summary=$(grep -E '^========= ERROR SUMMARY' "${log}" | tail -1 || true)
  echo "   ${passed} passed, ${skips} skipped, exit ${status}; ${summary:-no memcheck summary}"
  if [[ ${status} -ne 0 ]]; then
    failed_binaries+=("${name}")
    grep -E '^========= (Invalid|Program hit|Leaked|ERROR)|^\[  FAILED  \]' "${log}" | head -20 || true
  fi
done

device="$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1 || true)"
toolkit="$("${sanitizer}" --version 2>/dev/null | grep -i version | tail -1 || true)"
echo
echo "compute-sanitizer memcheck, $(date -u +%Y-%m-%d), ${device:-no GPU found}, ${toolkit}:" \
  "${binaries} binaries, ${ran} GPU tests passed, ${skipped} skipped," \
  "${#failed_binaries[@]} binaries failed${failed_binaries:+ (${failed_binaries[*]})}"

if [[ ${#failed_binaries[@]} -ne 0 ]]; then
  exit 1
fi
if [[ ${ran} -eq 0 ]]; then
  echo "no GPU test ran (no CUDA device?): nothing was checked" >&2
  exit 2
fi
