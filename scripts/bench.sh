#!/usr/bin/env bash
# Runs the whole benchmark suite on the available device and writes
#   bench/out/<host>-<device>.json  (Google Benchmark JSON, device/driver/CUDA in the context)
#   bench/out/<host>-<device>.md    (each figure beside its baseline, ratio, physical floor)
# Extra arguments go to every benchmark binary (e.g. --benchmark_filter=MatMul).
#
# --peers: also runs the CPU workloads of issues 14 and 24 in PyTorch (eager) and TensorFlow
# (tf.compat.v1 graph mode) and prints one table beside varscope's figures (tools/peers.py),
# also written to bench/out/<host>-peers.md: three rounds, each varscope's rows then the
# peers' back to back (VARSCOPE_PEER_ROUNDS changes the count). PyTorch and tensorflow-cpu
# are installed from PyPI into .venv-peers on first use (large downloads; benchmarks only,
# never tests or CI). VARSCOPE_PEER_TF_PYTHON=<python> measures TF with another interpreter,
# e.g. a Python 3.7 venv with tensorflow-cpu==1.15.0: TF1 itself rather than TF 2.x's compat.v1.
set -euo pipefail
cd "$(dirname "$0")/.."
peers=0
args=()
for a in "$@"; do
  if [ "$a" = "--peers" ]; then peers=1; else args+=("$a"); fi
done
set -- "${args[@]+"${args[@]}"}"
if [ "$peers" = 1 ]; then
  venv=.venv-peers
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  if ! "$venv/bin/python" -c 'import torch, tensorflow, tf_keras' >/dev/null 2>&1; then
    echo "bench: installing torch, tensorflow-cpu and tf_keras into $venv (PyPI)"
    "$venv/bin/pip" install -q torch tensorflow-cpu tf_keras
  fi
fi
bash scripts/install-deps.sh
cmake --preset release -DVARSCOPE_BUILD_BENCHMARKS=ON -DVARSCOPE_BUILD_TESTS=OFF -DVARSCOPE_BUILD_EXAMPLES=OFF
cmake --build --preset release
mkdir -p bench/out/raw
inputs=()
for bin in graph_building_bench initializers_bench ops_bench training_bench conv_bench \
  gpu_window_ops_bench; do
  out="bench/out/raw/${bin}.json"
  reps=()
  [ "$peers" = 1 ] && reps=(--benchmark_repetitions=3)
  "./build/release/bench/${bin}" --benchmark_out="${out}" --benchmark_out_format=json \
    "${reps[@]+"${reps[@]}"}" "$@"
  inputs+=("${out}")
done
device=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["context"]["device"]; print("cpu" if d.startswith("none") else d.replace(" ", "-"))' "${inputs[0]}")
name="$(hostname)-${device}"
python3 tools/bench_report.py "bench/out/${name}.json" "bench/out/${name}.md" "${inputs[@]}"
echo "wrote bench/out/${name}.json and bench/out/${name}.md"
if [ "$peers" = 1 ]; then
  export VARSCOPE_DEVICE=cpu
  rows='BM_Cpu_(MatMul|Add|BiasAdd|Softmax|Tanh|Sigmoid|ReduceSumAxis0|ReduceSumAxis1)_Ours/1024|BM_Cpu_ReduceSumAll_Ours|BM_Cpu_(Transpose4096|Gather4096Rows)_Ours'
  model_rows='BM_Cpu_(Conv2D|CnnTrainStep)_Ours'
  init_rows='BM_Cpu_(GlorotVariables200|RandomNormal4096|RandomNormal64)_Ours'
  rounds=()
  for r in $(seq "${VARSCOPE_PEER_ROUNDS:-3}"); do
    dir="bench/out/raw/peers-round-$r"
    rm -rf "$dir" && mkdir -p "$dir"
    ./build/release/bench/ops_bench --benchmark_filter="$rows" --benchmark_repetitions=3 \
      --benchmark_out="$dir/ops.json" --benchmark_out_format=json >/dev/null
    ./build/release/bench/initializers_bench --benchmark_filter="$init_rows" \
      --benchmark_repetitions=3 --benchmark_out="$dir/init.json" --benchmark_out_format=json \
      >/dev/null
    ./build/release/bench/conv_bench --benchmark_filter="$model_rows" --benchmark_repetitions=3 \
      --benchmark_out="$dir/models.json" --benchmark_out_format=json >/dev/null
    ./build/release/bench/rnn_bench --benchmark_repetitions=3 \
      --benchmark_out="$dir/rnn.json" --benchmark_out_format=json >/dev/null
    for fw in torch tf; do
      python=.venv-peers/bin/python
      [ "$fw" = tf ] && python="${VARSCOPE_PEER_TF_PYTHON:-$python}"
      "$python" tools/peers.py measure "$fw" --threads "$(nproc)" >"$dir/$fw.json" ||
        echo "bench: $fw failed in round $r" >&2
    done
    rounds+=("$dir")
  done
  .venv-peers/bin/python tools/peers.py table "${rounds[@]}" --threads "$(nproc)" |
    tee "bench/out/$(hostname)-peers.md"
fi
