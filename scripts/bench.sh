#!/usr/bin/env bash
# Runs the whole benchmark suite on the available device and writes
#   bench/out/<host>-<device>.json  (Google Benchmark JSON, device/driver/CUDA in the context)
#   bench/out/<host>-<device>.md    (each figure beside its baseline, ratio, physical floor)
# Extra arguments go to every benchmark binary (e.g. --benchmark_filter=MatMul).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release -DVARSCOPE_BUILD_BENCHMARKS=ON -DVARSCOPE_BUILD_TESTS=OFF -DVARSCOPE_BUILD_EXAMPLES=OFF
cmake --build --preset release
mkdir -p bench/out/raw
inputs=()
for bin in graph_building_bench initializers_bench ops_bench; do
  out="bench/out/raw/${bin}.json"
  "./build/release/bench/${bin}" --benchmark_out="${out}" --benchmark_out_format=json "$@"
  inputs+=("${out}")
done
device=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["context"]["device"]; print("cpu" if d.startswith("none") else d.replace(" ", "-"))' "${inputs[0]}")
name="$(hostname)-${device}"
python3 tools/bench_report.py "bench/out/${name}.json" "bench/out/${name}.md" "${inputs[@]}"
echo "wrote bench/out/${name}.json and bench/out/${name}.md"
