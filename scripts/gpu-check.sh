#!/usr/bin/env bash
# The whole GPU check, one command on a machine with a GPU:
#   1. the card's name and driver (nvidia-smi);
#   2. the release build (unless --no-build);
#   3. the GPU tests (ctest label `gpu`: gtest suites Gpu*) with VARSCOPE_REQUIRE_GPU=1, so
#      a device that cannot be used fails them instead of skipping them;
#   4. compute-sanitizer memcheck, initcheck, racecheck and synccheck over those tests;
#   5. the GPU benchmarks (BM_Gpu_*);
#   6. the NCCL path of varscope::dist (scripts/nccl-check.sh: one rank on device memory and the
#      session's stream; two processes on one GPU refused with NCCL's duplicate GPU error).
#      NEVER RUN YET: written without a GPU.
# It stops at nothing: every step runs, the summary at the end lists the ones that failed,
# and the exit status is 1 if any did (2 if no GPU test ran at all).
#
#   bash scripts/gpu-check.sh                      # build build/release here, then check
#   bash scripts/gpu-check.sh --no-build --build-dir build/release   # an existing build
# A GPU machine may lack GoogleTest, Benchmark or BLAS: build here, carry a bundle, run there.
#   bash scripts/gpu-check.sh --bundle gpu-bundle.tgz       # here, after the build: the stripped
#        # GPU test and benchmark binaries, and the shared libraries they need (not CUDA's, libc's)
#   bash scripts/gpu-check.sh --from-bundle gpu-bundle.tgz  # there (paths: from the repo root)
#   --tools "memcheck racecheck"   sanitizer tools (default: all four); --tools "" for none
#   --no-bench                     skip the benchmarks
# Environment: PRESET (release), GPU_FILTER (Gpu*), SANITIZER_FILTER (GPU_FILTER less
# *.Large*), SANITIZER_ARGS, BENCH_ARGS,
# COMPUTE_SANITIZER, LD_LIBRARY_PATH (searched after <build>/src and <build>/runtime-libs).
# Logs: <build>/gpu-check/.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

preset="${PRESET:-release}"
build="" do_build=1 bench=1 bundle="" from_bundle=""
tools="memcheck initcheck racecheck synccheck"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) do_build=0 ;;
    --build-dir) build="$2"; shift ;;
    --tools) tools="$2"; shift ;;
    --no-bench) bench=0 ;;
    --bundle) bundle="$2"; shift ;;
    --from-bundle) from_bundle="$2"; do_build=0; shift ;;
    *) echo "unknown argument: $1 (see the comment at the top of $0)" >&2; exit 64 ;;
  esac
  shift
done
[[ -z "${from_bundle}" ]] || build="${build:-build/gpu-bundle}"
build="${build:-build/${preset}}"
filter="${GPU_FILTER:-Gpu*}"
# Tests named Large* move gigabytes: under a sanitizer's instrumentation they take too long.
sanitizer_filter="${SANITIZER_FILTER:-${filter}:-*.Large*}"
# shellcheck disable=SC2206  # word splitting of SANITIZER_ARGS is intended
sanitizer_args=(${SANITIZER_ARGS:-${MEMCHECK_ARGS:-}})
# shellcheck disable=SC2206
bench_args=(${BENCH_ARGS:-})

# Test and benchmark binaries; lists nothing when the build has none.
binaries() { find "${build}/tests" "${build}/bench" -maxdepth 1 -type f -perm -u+x \
  \( -name '*_test' -o -name '*_bench' -o -name 'dist_nccl_check' \) 2>/dev/null | sort; }

has_gpu_tests() { "$1" --gtest_list_tests --gtest_filter="${filter}" 2>/dev/null | grep -q '^  '; }

if [[ -n "${bundle}" ]]; then
  stage="$(mktemp -d)"
  mkdir -p "${stage}/tests" "${stage}/bench" "${stage}/runtime-libs"
  for bin in $(binaries); do
    kind="$(basename "$(dirname "${bin}")")"
    [[ "${kind}" == bench || "${bin}" == */dist_nccl_check ]] || has_gpu_tests "${bin}" || continue
    strip -o "${stage}/${kind}/$(basename "${bin}")" "${bin}"
    ldd "${bin}" | awk '/=> \// {print $3}'  # the libraries of libraries too
  done | sort -u |
    grep -vE '/(libc|libm|libdl|libpthread|librt|ld-linux[^/]*|libgcc_s|libstdc\+\+|libcuda|libcudart|libcublas|libcublasLt|libcurand)\.so' |
    while read -r lib; do cp -L "${lib}" "${stage}/runtime-libs/"; done
  tar -C "${stage}" -czf "${bundle}" . && rm -rf "${stage}"
  du -h "${bundle}"
  exit 0
fi
if [[ -n "${from_bundle}" ]]; then
  rm -rf "${build}" && mkdir -p "${build}" && tar -C "${build}" -xzf "${from_bundle}" || exit 1
fi

failed=()
step() { echo; echo "== $*"; }

step "device"
if command -v nvidia-smi >/dev/null; then
  device="$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1)"
else
  device="no nvidia-smi on PATH"
fi
echo "${device}"
nvcc --version 2>/dev/null | tail -1 || true

if [[ ${do_build} -eq 1 ]]; then
  step "build (${preset} preset)"
  if ! cmake --preset "${preset}" -DVARSCOPE_BUILD_TESTS=ON -DVARSCOPE_BUILD_BENCHMARKS=ON ||
    ! cmake --build --preset "${preset}"; then
    echo "build failed" >&2
    exit 1
  fi
fi
[[ -d "${build}" ]] || { echo "no build at ${build}: build it, or pass --build-dir" >&2; exit 1; }
export LD_LIBRARY_PATH="${build}/src:${build}/runtime-libs${LD_LIBRARY_PATH:+:${LD_LIBRARY_PATH}}"
logs="${build}/gpu-check"
mkdir -p "${logs}"

# The test binaries that have tests matching the filter.
gpu_binaries=()
for bin in $(binaries); do
  [[ "${bin}" == *_test ]] || continue
  if has_gpu_tests "${bin}"; then gpu_binaries+=("${bin}"); fi
done

step "GPU tests, VARSCOPE_REQUIRE_GPU=1"
export VARSCOPE_REQUIRE_GPU=1
ran=0
# ctest needs the build where it was configured; a carried one runs its binaries directly.
configured_here=$(grep -s '^CMAKE_HOME_DIRECTORY:' "${build}/CMakeCache.txt" | cut -d= -f2)
if [[ "${configured_here}" == "$(pwd)" && "${filter}" == "Gpu*" ]]; then
  ctest --test-dir "${build}" -L gpu --output-on-failure 2>&1 | tee "${logs}/ctest.log" ||
    failed+=("ctest -L gpu")
  ran=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed' "${logs}/ctest.log" || true)
else
  for bin in "${gpu_binaries[@]}"; do
    name="$(basename "${bin}")"
    "${bin}" --gtest_filter="${filter}" >"${logs}/${name}.log" 2>&1 || failed+=("${name}")
    n=$(grep -cE '^\[       OK \] .* \([0-9]+ ms\)$' "${logs}/${name}.log" || true)
    echo "${name}: ${n} passed"
    ran=$((ran + n))
  done
fi
echo "${ran} GPU tests passed"

sanitizer="${COMPUTE_SANITIZER:-$(command -v compute-sanitizer || true)}"
for candidate in "${CUDA_HOME:-/usr/local/cuda}/bin/compute-sanitizer" \
                 "${CUDA_HOME:-/usr/local/cuda}/compute-sanitizer/compute-sanitizer"; do
  [[ -n "${sanitizer}" || ! -x "${candidate}" ]] || sanitizer="${candidate}"
done
for tool in ${tools}; do
  step "compute-sanitizer --tool ${tool}"
  if [[ -z "${sanitizer}" ]]; then
    echo "compute-sanitizer not found (it ships in <cuda>/bin; or set COMPUTE_SANITIZER)"
    failed+=("${tool}: no compute-sanitizer")
    continue
  fi
  for bin in "${gpu_binaries[@]}"; do
    name="$(basename "${bin}")"
    log="${logs}/${name}.${tool}.log"
    # API errors are not reported: the tests provoke some on purpose (a failed free, a stale
    # error), and the library checks every return code itself.
    "${sanitizer}" --tool "${tool}" --error-exitcode 1 --report-api-errors no \
      "${sanitizer_args[@]}" "${bin}" --gtest_filter="${sanitizer_filter}" >"${log}" 2>&1
    status=$?
    echo "${name}: exit ${status}; $(grep -E '^========= (ERROR|RACECHECK) SUMMARY' "${log}" | tail -1)"
    if [[ ${status} -ne 0 ]]; then
      failed+=("${tool} ${name}")
      grep -E '^========= [A-Z]|^\[  FAILED  \]' "${log}" | head -20
    fi
  done
done

if [[ ${bench} -eq 1 ]]; then
  step "GPU benchmarks (BM_Gpu_*)"
  for bin in $(binaries); do
    [[ "${bin}" == *_bench ]] || continue
    name="$(basename "${bin}")"
    "${bin}" --benchmark_filter='BM_Gpu_' --benchmark_out="${logs}/${name}.json" \
      --benchmark_out_format=json "${bench_args[@]}" 2>&1 | tee "${logs}/${name}.log" || failed+=("bench ${name}")
  done
fi

step "NCCL (scripts/nccl-check.sh; never run before this machine)"
bash scripts/nccl-check.sh "${build}" || failed+=("nccl")

step "summary"
echo "$(date -u +%Y-%m-%d) ${device}; ${ran} GPU tests passed; sanitizers: ${tools:-none}"
if [[ ${#failed[@]} -ne 0 ]]; then
  printf 'FAILED: %s\n' "${failed[@]}"
  exit 1
fi
if [[ ${ran} -eq 0 ]]; then
  echo "no GPU test ran: nothing was checked" >&2
  exit 2
fi
echo "all GPU checks passed"
