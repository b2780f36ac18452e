// Initializers through a Session, each beside the raw library call it should match:
//   fill         vs cudaMemsetD32Async (GPU) / std::fill (CPU)
//   random_normal vs curandGenerateNormal into the same buffer (device / host generator)
// GPU figures are timed with CUDA events on the session's stream (manual time).
#include <benchmark/benchmark.h>
#include <cuda.h>
#include <cuda_runtime_api.h>
#include <curand.h>
#include <varscope/varscope.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench_common.h"
#include "cuda_events.h"

namespace vs = varscope;

namespace {

using bench::Events;

const std::int64_t kElements = bench::smoke() ? 1 << 12 : 1 << 24;  // 64 MiB of float32

void check(bool ok, benchmark::State& state, const char* what) {
  if (!ok) state.SkipWithError(what);
}

// ---- CPU ----

void BM_Cpu_RandomNormal_Ours(benchmark::State& state) {
  vs::Graph g;
  g.set_random_seed(1);
  vs::Variable v = g.get_variable(
      "v", {.shape = vs::Shape{kElements}, .initializer = vs::random_normal_initializer()});
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  vs::Operation init = v.initializer();
  for (auto _ : state)
    sess.run(init);
  state.SetItemsProcessed(state.iterations() * kElements);
  state.SetBytesProcessed(state.iterations() * kElements * 4);
}
BENCHMARK(BM_Cpu_RandomNormal_Ours)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Cpu_RandomNormal_Baseline_curandHostGenerateNormal(benchmark::State& state) {
  curandGenerator_t gen;
  if (curandCreateGeneratorHost(&gen, CURAND_RNG_PSEUDO_PHILOX4_32_10) != CURAND_STATUS_SUCCESS) {
    state.SkipWithError("curandCreateGeneratorHost failed");
    return;
  }
  std::vector<float> out(kElements);
  for (auto _ : state) {
    check(curandGenerateNormal(gen, out.data(), out.size(), 0.0f, 1.0f) == CURAND_STATUS_SUCCESS,
          state, "curandGenerateNormal failed");
    benchmark::DoNotOptimize(out.data());
  }
  curandDestroyGenerator(gen);
  state.SetItemsProcessed(state.iterations() * kElements);
  state.SetBytesProcessed(state.iterations() * kElements * 4);
}
BENCHMARK(BM_Cpu_RandomNormal_Baseline_curandHostGenerateNormal)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_Cpu_Fill_Ours(benchmark::State& state) {
  vs::Graph g;
  vs::Variable v =
      g.get_variable("v", {.shape = vs::Shape{kElements}, .initializer = vs::ones_initializer()});
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  vs::Operation init = v.initializer();
  for (auto _ : state)
    sess.run(init);
  state.SetBytesProcessed(state.iterations() * kElements * 4);
}
BENCHMARK(BM_Cpu_Fill_Ours)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Cpu_Fill_Baseline_StdFill(benchmark::State& state) {
  std::vector<float> out(kElements);
  for (auto _ : state) {
    std::fill(out.begin(), out.end(), 1.0f);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * kElements * 4);
}
BENCHMARK(BM_Cpu_Fill_Baseline_StdFill)->Unit(benchmark::kMillisecond)->UseRealTime();

// The workloads issue 13 compares with PyTorch and TF (scripts map these names): one
// Session::run of the initializer each, the graph built outside the timed loop.

void BM_Cpu_GlorotVariables200_Ours(benchmark::State& state) {
  const int variables = bench::smoke() ? 4 : 200;
  const std::int64_t side = bench::smoke() ? 16 : 256;
  vs::Graph g;
  g.set_random_seed(1);
  for (int i = 0; i < variables; ++i) {
    std::string name = "w";
    name += std::to_string(i);  // not "w" + ...: GCC 12 warns falsely (-Wrestrict) on that
    g.get_variable(name, {.shape = vs::Shape{side, side}});  // default: glorot_uniform
  }
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  vs::Operation init = g.global_variables_initializer();
  for (auto _ : state)
    sess.run(init);
  state.SetItemsProcessed(state.iterations() * variables * side * side);
}
BENCHMARK(BM_Cpu_GlorotVariables200_Ours)->Unit(benchmark::kMillisecond)->UseRealTime();

void cpu_random_normal(benchmark::State& state, std::int64_t elements) {
  vs::Graph g;
  g.set_random_seed(1);
  vs::Variable v = g.get_variable(
      "v", {.shape = vs::Shape{elements}, .initializer = vs::random_normal_initializer()});
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  vs::Operation init = v.initializer();
  for (auto _ : state)
    sess.run(init);
  state.SetItemsProcessed(state.iterations() * elements);
}

void BM_Cpu_RandomNormal4096_Ours(benchmark::State& state) {
  cpu_random_normal(state, bench::smoke() ? 64 * 64 : std::int64_t{4096} * 4096);
}
BENCHMARK(BM_Cpu_RandomNormal4096_Ours)->Unit(benchmark::kMillisecond)->UseRealTime();

// 64 elements: the fixed cost of one random op.
void BM_Cpu_RandomNormal64_Ours(benchmark::State& state) {
  cpu_random_normal(state, 64);
}
BENCHMARK(BM_Cpu_RandomNormal64_Ours)->Unit(benchmark::kMicrosecond)->UseRealTime();

// ---- GPU ----

bool have_gpu(benchmark::State& state) {
  if (!vs::cuda_available()) {
    state.SkipWithError("no CUDA device");
    return false;
  }
  return true;
}

// Runs `op` in a session on `stream`, timing each run with events.
void time_session_op(benchmark::State& state, vs::Graph& g, const vs::Operation& op) {
  cudaStream_t stream;
  cudaStreamCreate(&stream);
  {
    vs::Session sess(g, {.device = vs::DeviceKind::kCuda, .stream = stream});
    Events ev;
    sess.run(op);  // warm-up: plan, pool, generator
    for (auto _ : state) {
      cudaEventRecord(ev.start, stream);
      sess.run(op);
      cudaEventRecord(ev.stop, stream);
      state.SetIterationTime(ev.seconds());
    }
  }
  cudaStreamDestroy(stream);
}

void BM_Gpu_Fill_Ours(benchmark::State& state) {
  if (!have_gpu(state)) return;
  vs::Graph g;
  vs::Variable v =
      g.get_variable("v", {.shape = vs::Shape{kElements}, .initializer = vs::ones_initializer()});
  time_session_op(state, g, v.initializer());
  state.SetBytesProcessed(state.iterations() * kElements * 4);
}
BENCHMARK(BM_Gpu_Fill_Ours)->UseManualTime()->Unit(benchmark::kMicrosecond);

// The driver's cuMemsetD32Async, looked up through the runtime so that this binary does
// not need libcuda on machines without a driver.
using MemsetD32Async = CUresult (*)(CUdeviceptr, unsigned int, size_t, CUstream);

void BM_Gpu_Fill_Baseline_cuMemsetD32Async(benchmark::State& state) {
  if (!have_gpu(state)) return;
  void* entry = nullptr;
  cudaDriverEntryPointQueryResult found{};
  if (cudaGetDriverEntryPointByVersion("cuMemsetD32Async", &entry, 12000, cudaEnableDefault,
                                       &found) != cudaSuccess ||
      found != cudaDriverEntryPointSuccess) {
    state.SkipWithError("cuMemsetD32Async not found");
    return;
  }
  auto memset_d32 = reinterpret_cast<MemsetD32Async>(entry);
  cudaStream_t stream;
  cudaStreamCreate(&stream);
  void* buf = nullptr;
  cudaMalloc(&buf, kElements * 4);
  Events ev;
  for (auto _ : state) {
    cudaEventRecord(ev.start, stream);
    memset_d32(reinterpret_cast<CUdeviceptr>(buf), 0x3f800000u /* 1.0f */, kElements, stream);
    cudaEventRecord(ev.stop, stream);
    state.SetIterationTime(ev.seconds());
  }
  cudaFree(buf);
  cudaStreamDestroy(stream);
  state.SetBytesProcessed(state.iterations() * kElements * 4);
}
BENCHMARK(BM_Gpu_Fill_Baseline_cuMemsetD32Async)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_Gpu_Fill_Baseline_DeviceToDeviceCopy(benchmark::State& state) {
  if (!have_gpu(state)) return;
  cudaStream_t stream;
  cudaStreamCreate(&stream);
  void *a = nullptr, *b = nullptr;
  cudaMalloc(&a, kElements * 4);
  cudaMalloc(&b, kElements * 4);
  Events ev;
  for (auto _ : state) {
    cudaEventRecord(ev.start, stream);
    cudaMemcpyAsync(b, a, kElements * 4, cudaMemcpyDeviceToDevice, stream);
    cudaEventRecord(ev.stop, stream);
    state.SetIterationTime(ev.seconds());
  }
  cudaFree(a);
  cudaFree(b);
  cudaStreamDestroy(stream);
  state.SetBytesProcessed(state.iterations() * kElements * 8);  // read + write
}
BENCHMARK(BM_Gpu_Fill_Baseline_DeviceToDeviceCopy)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_Gpu_RandomNormal_Ours(benchmark::State& state) {
  if (!have_gpu(state)) return;
  vs::Graph g;
  g.set_random_seed(1);
  vs::Variable v = g.get_variable(
      "v", {.shape = vs::Shape{kElements}, .initializer = vs::random_normal_initializer()});
  time_session_op(state, g, v.initializer());
  state.SetItemsProcessed(state.iterations() * kElements);
  state.SetBytesProcessed(state.iterations() * kElements * 4);
}
BENCHMARK(BM_Gpu_RandomNormal_Ours)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_Gpu_RandomNormal_Baseline_curandGenerateNormal(benchmark::State& state) {
  if (!have_gpu(state)) return;
  cudaStream_t stream;
  cudaStreamCreate(&stream);
  float* buf = nullptr;
  cudaMalloc(&buf, kElements * 4);
  curandGenerator_t gen;
  curandCreateGenerator(&gen, CURAND_RNG_PSEUDO_PHILOX4_32_10);
  curandSetStream(gen, stream);
  curandGenerateNormal(gen, buf, kElements, 0.0f, 1.0f);  // warm-up
  Events ev;
  for (auto _ : state) {
    cudaEventRecord(ev.start, stream);
    curandGenerateNormal(gen, buf, kElements, 0.0f, 1.0f);
    cudaEventRecord(ev.stop, stream);
    state.SetIterationTime(ev.seconds());
  }
  curandDestroyGenerator(gen);
  cudaFree(buf);
  cudaStreamDestroy(stream);
  state.SetItemsProcessed(state.iterations() * kElements);
  state.SetBytesProcessed(state.iterations() * kElements * 4);
}
BENCHMARK(BM_Gpu_RandomNormal_Baseline_curandGenerateNormal)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

// ---- uniform and truncated normal, both devices ----

void init_ours(benchmark::State& state, vs::DeviceKind device, const vs::Initializer& init) {
  if (device == vs::DeviceKind::kCuda && !have_gpu(state)) return;
  vs::Graph g;
  g.set_random_seed(1);
  vs::Variable v = g.get_variable("v", {.shape = vs::Shape{kElements}, .initializer = init});
  if (device == vs::DeviceKind::kCuda) {
    time_session_op(state, g, v.initializer());
  } else {
    vs::Session sess(g, {.device = device});
    vs::Operation op = v.initializer();
    for (auto _ : state)
      sess.run(op);
  }
  state.SetItemsProcessed(state.iterations() * kElements);
  state.SetBytesProcessed(state.iterations() * kElements * 4);
}

// cuRAND's own generation into a buffer of the same size, host or device generator.
template <typename Generate>
void curand_baseline(benchmark::State& state, vs::DeviceKind device, Generate generate) {
  curandGenerator_t gen;
  float* buf = nullptr;
  cudaStream_t stream = nullptr;
  std::vector<float> host;
  if (device == vs::DeviceKind::kCuda) {
    if (!have_gpu(state)) return;
    cudaStreamCreate(&stream);
    cudaMalloc(reinterpret_cast<void**>(&buf), kElements * 4);
    curandCreateGenerator(&gen, CURAND_RNG_PSEUDO_PHILOX4_32_10);
    curandSetStream(gen, stream);
  } else {
    host.resize(kElements);
    buf = host.data();
    curandCreateGeneratorHost(&gen, CURAND_RNG_PSEUDO_PHILOX4_32_10);
  }
  generate(gen, buf);  // warm-up
  if (device == vs::DeviceKind::kCuda) {
    Events ev;
    for (auto _ : state) {
      cudaEventRecord(ev.start, stream);
      generate(gen, buf);
      cudaEventRecord(ev.stop, stream);
      state.SetIterationTime(ev.seconds());
    }
    cudaFree(buf);
    cudaStreamDestroy(stream);
  } else {
    for (auto _ : state) {
      check(generate(gen, buf) == CURAND_STATUS_SUCCESS, state, "cuRAND generation failed");
      benchmark::DoNotOptimize(buf);
    }
  }
  curandDestroyGenerator(gen);
  state.SetItemsProcessed(state.iterations() * kElements);
  state.SetBytesProcessed(state.iterations() * kElements * 4);
}

curandStatus_t uniform(curandGenerator_t g, float* b) {
  return curandGenerateUniform(g, b, kElements);
}
curandStatus_t normal(curandGenerator_t g, float* b) {
  return curandGenerateNormal(g, b, kElements, 0.0f, 1.0f);
}

void BM_Cpu_Uniform_Ours(benchmark::State& s) {
  init_ours(s, vs::DeviceKind::kCpu, vs::random_uniform_initializer());
}
void BM_Cpu_Uniform_Baseline_curandHostGenerateUniform(benchmark::State& s) {
  curand_baseline(s, vs::DeviceKind::kCpu, uniform);
}
void BM_Cpu_TruncatedNormal_Ours(benchmark::State& s) {
  init_ours(s, vs::DeviceKind::kCpu, vs::truncated_normal_initializer());
}
void BM_Cpu_TruncatedNormal_Baseline_curandHostGenerateNormal(benchmark::State& s) {
  curand_baseline(s, vs::DeviceKind::kCpu, normal);
}
void BM_Gpu_Uniform_Ours(benchmark::State& s) {
  init_ours(s, vs::DeviceKind::kCuda, vs::random_uniform_initializer());
}
void BM_Gpu_Uniform_Baseline_curandGenerateUniform(benchmark::State& s) {
  curand_baseline(s, vs::DeviceKind::kCuda, uniform);
}
void BM_Gpu_TruncatedNormal_Ours(benchmark::State& s) {
  init_ours(s, vs::DeviceKind::kCuda, vs::truncated_normal_initializer());
}
void BM_Gpu_TruncatedNormal_Baseline_curandGenerateNormal(benchmark::State& s) {
  curand_baseline(s, vs::DeviceKind::kCuda, normal);
}
BENCHMARK(BM_Cpu_Uniform_Ours)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Cpu_Uniform_Baseline_curandHostGenerateUniform)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_Cpu_TruncatedNormal_Ours)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Cpu_TruncatedNormal_Baseline_curandHostGenerateNormal)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_Gpu_Uniform_Ours)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Gpu_Uniform_Baseline_curandGenerateUniform)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Gpu_TruncatedNormal_Ours)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Gpu_TruncatedNormal_Baseline_curandGenerateNormal)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
