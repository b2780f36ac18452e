#!/usr/bin/env bash
# Fresh machine -> running demo: installs what is missing, builds (release), runs the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release -DVARSCOPE_BUILD_EXAMPLES=ON -DVARSCOPE_BUILD_TESTS=OFF -DVARSCOPE_BUILD_BENCHMARKS=OFF
cmake --build --preset release --target demo two_tower_train cnn_train lstm_classifier towers
# Issue 27's data-parallel example is built where CMake found MPI (varscope::dist).
if grep -q '^VARSCOPE_BUILD_DIST:BOOL=ON' build/release/CMakeCache.txt && command -v mpirun >/dev/null; then
  cmake --build --preset release --target data_parallel
  data_parallel=1
fi
./build/release/examples/demo "$@"
# Issue 18: the shared two-tower model trained with Adam (TF1's variable names, falling loss).
./build/release/examples/two_tower_train
# Issue 25: a CNN from tf.layers (conv2d, max_pooling2d, flatten, dense) trained with Adam.
./build/release/examples/cnn_train
# Issue 25: an embedding and a 2-layer LSTM (static_rnn of MultiRNNCell) trained with Adam.
./build/release/examples/lstm_classifier
# Issue 27: towers on two CPU devices (TF's cifar10_multi_gpu_train), matching one device.
./build/release/examples/towers
# Issue 27: the two-tower model trained data-parallel on two CPU ranks (Horovod's TF1 recipe).
if [ -n "${data_parallel:-}" ]; then
  checkpoint_dir=$(mktemp -d)
  mpirun --allow-run-as-root --oversubscribe -np 2 ./build/release/examples/data_parallel "$checkpoint_dir"
  rm -rf "$checkpoint_dir"
fi
