#!/usr/bin/env bash
# Fresh machine -> running demo: installs what is missing, builds (release), runs the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release -DVARSCOPE_BUILD_EXAMPLES=ON -DVARSCOPE_BUILD_TESTS=OFF -DVARSCOPE_BUILD_BENCHMARKS=OFF
cmake --build --preset release --target demo two_tower_train cnn_train lstm_classifier towers
./build/release/examples/demo "$@"
# Issue 18: the shared two-tower model trained with Adam (TF1's variable names, falling loss).
./build/release/examples/two_tower_train
# Issue 25: a CNN from tf.layers (conv2d, max_pooling2d, flatten, dense) trained with Adam.
./build/release/examples/cnn_train
# Issue 25: an embedding and a 2-layer LSTM (static_rnn of MultiRNNCell) trained with Adam.
./build/release/examples/lstm_classifier
# Issue 27: towers on two CPU devices (TF's cifar10_multi_gpu_train), matching one device.
./build/release/examples/towers
