// Issue 24's data-movement ops through a Session, each beside a plain copy of the bytes it
// writes (the ceiling a copy-shaped op cannot beat; on the GPU a device-to-device copy): transpose
// of a 4096x4096 float32 matrix, and gather of 4096 rows of a 100000x128 float32 table. Inputs are
// variables, so no feed is timed; the result stays on the device (the op is a target, not a fetch).
#include <benchmark/benchmark.h>
#include <cuda_runtime_api.h>
#include <varscope/varscope.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "bench_common.h"
#include "cuda_events.h"
#include "ops_bench_util.h"

namespace vs = varscope;
using ops_bench::random_values;

namespace {

const std::int64_t kSide = bench::smoke() ? 64 : 4096;
const std::int64_t kTableRows = bench::smoke() ? 1000 : 100000;
const std::int64_t kGathered = bench::smoke() ? 64 : 4096;
constexpr std::int64_t kWidth = 128;

std::vector<std::int32_t> row_ids() {
  std::mt19937 rng(24);
  std::uniform_int_distribution<std::int32_t> row(0, static_cast<std::int32_t>(kTableRows - 1));
  std::vector<std::int32_t> ids(static_cast<std::size_t>(kGathered));
  for (std::int32_t& id : ids)
    id = row(rng);
  return ids;
}

bool skip_without_device(benchmark::State& state, vs::DeviceKind device) {
  if (device == vs::DeviceKind::kCuda && !vs::cuda_available()) {
    state.SkipWithError("no CUDA device");
    return true;
  }
  return false;
}

void run_target(benchmark::State& state, vs::Graph& g, vs::DeviceKind device, vs::Operation op) {
  vs::Session sess(g, {.device = device});
  sess.run(g.global_variables_initializer());
  sess.run({}, {}, {op});
  for (auto _ : state)
    sess.run({}, {}, {op});
}

void transpose_ours(benchmark::State& state, vs::DeviceKind device) {
  if (skip_without_device(state, device)) return;
  vs::Graph g;
  vs::Variable x =
      g.variable(vs::HostTensor(random_values(kSide * kSide, 1), vs::Shape{kSide, kSide}));
  run_target(state, g, device, vs::transpose(x.value()).op());
  state.SetBytesProcessed(state.iterations() * kSide * kSide * 8);  // read and write
}

void gather_ours(benchmark::State& state, vs::DeviceKind device) {
  if (skip_without_device(state, device)) return;
  vs::Graph g;
  vs::Variable table = g.variable(
      vs::HostTensor(random_values(kTableRows * kWidth, 2), vs::Shape{kTableRows, kWidth}));
  const vs::Tensor ids = vs::constant(g, vs::HostTensor(row_ids(), vs::Shape{kGathered}));
  run_target(state, g, device, vs::gather(table.value(), ids).op());
  state.SetBytesProcessed(state.iterations() * kGathered * kWidth * 8);
}

void BM_Cpu_Transpose4096_Ours(benchmark::State& s) {
  transpose_ours(s, vs::DeviceKind::kCpu);
}
void BM_Gpu_Transpose4096_Ours(benchmark::State& s) {
  transpose_ours(s, vs::DeviceKind::kCuda);
}
void BM_Cpu_Transpose4096_Baseline_Memcpy(benchmark::State& state) {
  std::vector<float> a(static_cast<std::size_t>(kSide * kSide), 1.0f), c(a.size());
  for (auto _ : state) {
    std::memcpy(c.data(), a.data(), a.size() * 4);
    benchmark::DoNotOptimize(c.data());
  }
  state.SetBytesProcessed(state.iterations() * kSide * kSide * 8);
}

// The GPU ceiling for a copy-shaped op: a device-to-device copy of the same bytes.
void BM_Gpu_Transpose4096_Baseline_DeviceToDeviceCopy(benchmark::State& state) {
  if (skip_without_device(state, vs::DeviceKind::kCuda)) return;
  const std::size_t bytes = std::size_t(kSide * kSide) * 4;
  void *a = nullptr, *c = nullptr;
  bench::check_cuda(cudaMalloc(&a, bytes), "cudaMalloc");
  bench::check_cuda(cudaMalloc(&c, bytes), "cudaMalloc");
  bench::Events ev;
  for (auto _ : state) {
    bench::check_cuda(cudaEventRecord(ev.start, nullptr), "cudaEventRecord");
    bench::check_cuda(cudaMemcpyAsync(c, a, bytes, cudaMemcpyDeviceToDevice, nullptr),
                      "cudaMemcpyAsync");
    bench::check_cuda(cudaEventRecord(ev.stop, nullptr), "cudaEventRecord");
    state.SetIterationTime(ev.seconds());
  }
  cudaFree(a);  // teardown: nothing left to report to
  cudaFree(c);
  state.SetBytesProcessed(state.iterations() * kSide * kSide * 8);
}

void BM_Cpu_Gather4096Rows_Ours(benchmark::State& s) {
  gather_ours(s, vs::DeviceKind::kCpu);
}
void BM_Gpu_Gather4096Rows_Ours(benchmark::State& s) {
  gather_ours(s, vs::DeviceKind::kCuda);
}
// The same rows copied by hand, one memcpy each: what a gather is, without checks or a graph.
void BM_Cpu_Gather4096Rows_Baseline_RowMemcpy(benchmark::State& state) {
  const std::vector<float> table = random_values(kTableRows * kWidth, 2);
  const std::vector<std::int32_t> ids = row_ids();
  std::vector<float> out(static_cast<std::size_t>(kGathered * kWidth));
  for (auto _ : state) {
    for (std::size_t i = 0; i < ids.size(); ++i)
      std::memcpy(out.data() + i * kWidth, table.data() + std::int64_t{ids[i]} * kWidth,
                  kWidth * 4);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * kGathered * kWidth * 8);
}

}  // namespace

BENCHMARK(BM_Cpu_Transpose4096_Ours)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Cpu_Transpose4096_Baseline_Memcpy)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Gpu_Transpose4096_Ours)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Gpu_Transpose4096_Baseline_DeviceToDeviceCopy)
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime();
BENCHMARK(BM_Cpu_Gather4096Rows_Ours)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_Cpu_Gather4096Rows_Baseline_RowMemcpy)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_Gpu_Gather4096Rows_Ours)->Unit(benchmark::kMicrosecond)->UseRealTime();
