#!/usr/bin/env bash
# Installs, from Debian's packages, whatever varscope's build, tests and installed package
# config need and this machine lacks. The CUDA toolkit is optional (the CPU backend builds
# without it); with nvcc on the machine the CUDA backend is built too.
set -euo pipefail

# What the build needs, and what the package configs it uses need in turn: Debian's
# dnnl-config.cmake calls find_package(OpenCL), and libdnnl-dev only *recommends*
# ocl-icd-opencl-dev, so it is named here (installs skip recommends).
wanted=(
  cmake ninja-build g++ pkg-config
  libgtest-dev libgmock-dev libbenchmark-dev
  libopenblas-dev libdnnl-dev ocl-icd-opencl-dev
  libre2-dev nlohmann-json3-dev
  libprotobuf-dev protobuf-compiler
  libopenmpi-dev openmpi-bin
)

# A package counts as present when dpkg says it is installed, not when some file exists
# (another package may provide the same path).
installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = "installed" ]
}

missing=()
for pkg in "${wanted[@]}"; do
  installed "$pkg" || missing+=("$pkg")
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
  echo "install-deps: no nvcc: the CUDA backend will not be built (CPU backend only)"
fi
