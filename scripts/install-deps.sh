#!/usr/bin/env bash
# Installs, from Debian's packages, whatever varscope's build needs and this machine lacks.
# The CUDA toolkit (nvcc, cudart, cuBLAS, cuRAND) is expected to be installed already.
set -euo pipefail

# package -> a file that shows it is installed
declare -A wanted=(
  [cmake]=/usr/bin/cmake
  [ninja-build]=/usr/bin/ninja
  [g++]=/usr/bin/g++
  [libgtest-dev]=/usr/lib/x86_64-linux-gnu/cmake/GTest/GTestConfig.cmake
  [libgmock-dev]=/usr/include/gmock/gmock.h
  [libbenchmark-dev]=/usr/lib/x86_64-linux-gnu/cmake/benchmark/benchmarkConfig.cmake
  [libopenblas-dev]=/usr/lib/x86_64-linux-gnu/cmake/openblas/OpenBLASConfig.cmake
  [libdnnl-dev]=/usr/lib/x86_64-linux-gnu/cmake/dnnl/dnnl-config.cmake
  [libre2-dev]=/usr/include/re2/re2.h
  [pkg-config]=/usr/bin/pkg-config
  [nlohmann-json3-dev]=/usr/share/cmake/nlohmann_json/nlohmann_jsonConfig.cmake
)

missing=()
for pkg in "${!wanted[@]}"; do
  [ -e "${wanted[$pkg]}" ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all build dependencies present"
else
  echo "install-deps: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v nvcc >/dev/null 2>&1 && [ ! -x /usr/local/cuda/bin/nvcc ]; then
  echo "install-deps: nvcc not found; the CUDA toolkit must be installed (see README)" >&2
  exit 1
fi
