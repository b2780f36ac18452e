// Ops through a Session beside the raw library calls they wrap:
//   matmul            vs cblas_sgemm (OpenBLAS, CPU) / cublasSgemm (GPU), TFLOP/s
//   Session::run cost vs a hand-written sequence of the same Backend calls (10 tiny ops)
// GPU figures are timed with CUDA events on the session's stream (manual time).
#include <benchmark/benchmark.h>
#include <cblas.h>
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <varscope/varscope.h>

#include <cstdint>
#include <random>
#include <vector>

#include "host/runtime/backend.h"

namespace vs = varscope;

namespace {

std::vector<float> random_values(std::int64_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (float& x : v)
    x = u(rng);
  return v;
}

void set_flops(benchmark::State& state, std::int64_t n) {
  state.counters["TFLOP/s"] = benchmark::Counter(
      2.0 * double(n) * double(n) * double(n) * 1e-12 * double(state.iterations()),
      benchmark::Counter::kIsRate);
}

// ---- CPU matmul ----

void BM_Cpu_MatMul_Ours(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  vs::Graph g;
  vs::Tensor a = vs::constant(g, vs::HostTensor(random_values(n * n, 1), vs::Shape{n, n}));
  vs::Tensor b = vs::constant(g, vs::HostTensor(random_values(n * n, 2), vs::Shape{n, n}));
  vs::Operation mm = vs::matmul(a, b).op();
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  sess.run(mm);  // warm-up: plan, constants uploaded
  for (auto _ : state)
    sess.run(mm);
  set_flops(state, n);
}
BENCHMARK(BM_Cpu_MatMul_Ours)
    ->Arg(256)
    ->Arg(512)
    ->Arg(1024)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_Cpu_MatMul_Baseline_OpenBLAS(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const auto a = random_values(n * n, 1), b = random_values(n * n, 2);
  std::vector<float> c(static_cast<std::size_t>(n * n));
  const auto ni = static_cast<blasint>(n);
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ni, ni, ni, 1.0f, a.data(), ni, b.data(),
                ni, 0.0f, c.data(), ni);
    benchmark::DoNotOptimize(c.data());
  }
  set_flops(state, n);
}
BENCHMARK(BM_Cpu_MatMul_Baseline_OpenBLAS)
    ->Arg(256)
    ->Arg(512)
    ->Arg(1024)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// ---- Session::run overhead: 10 tiny elementwise ops ----

constexpr int kOps = 10;

vs::Tensor chain(vs::Tensor x) {
  for (int i = 0; i < kOps; ++i)
    x = (i % 2 == 0) ? x + 1.0f : x * 0.5f;
  return x;
}

void session_overhead(benchmark::State& state, vs::DeviceKind device) {
  if (device == vs::DeviceKind::kCuda && !vs::cuda_available()) {
    state.SkipWithError("no CUDA device");
    return;
  }
  vs::Graph g;
  vs::Tensor x = vs::constant(g, vs::HostTensor(std::vector<float>{1, 2, 3, 4}));
  vs::Operation last = chain(x).op();
  vs::Session sess(g, {.device = device});
  sess.run(last);
  for (auto _ : state)
    sess.run(last);
  // Seconds per op, shown with an SI prefix (e.g. "330n").
  state.counters["time_per_op"] = benchmark::Counter(
      kOps, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// The same work as hand-written Backend calls: what Session::run adds is the difference.
void handwritten_overhead(benchmark::State& state, vs::DeviceKind device) {
  if (device == vs::DeviceKind::kCuda && !vs::cuda_available()) {
    state.SkipWithError("no CUDA device");
    return;
  }
  auto backend = device == vs::DeviceKind::kCuda ? vs::runtime::make_cuda_backend(0, nullptr, false)
                                                 : vs::runtime::make_cpu_backend();
  const std::vector<float> host{1, 2, 3, 4};
  void* x = backend->allocate(16);
  void* add_c = backend->allocate(4);
  void* mul_c = backend->allocate(4);
  const float one = 1.0f, half = 0.5f;
  backend->copy_from_host(x, host.data(), 16);
  backend->copy_from_host(add_c, &one, 4);
  backend->copy_from_host(mul_c, &half, 4);
  vs::kernels::Broadcast bc;
  bc.rank = 1;
  bc.out_dims[0] = 4;
  bc.x_strides[0] = 1;
  bc.y_strides[0] = 0;
  for (auto _ : state) {
    const void* in = x;
    std::vector<void*> temps;
    for (int i = 0; i < kOps; ++i) {
      void* out = backend->allocate(16);
      backend->binary(i % 2 == 0 ? vs::kernels::BinaryOp::kAdd : vs::kernels::BinaryOp::kMul,
                      vs::DType::kFloat32, bc, in, i % 2 == 0 ? add_c : mul_c, out, 4);
      temps.push_back(out);
      in = out;
    }
    backend->synchronize();
    for (void* t : temps)
      backend->deallocate(t);
  }
  backend->deallocate(x);
  backend->deallocate(add_c);
  backend->deallocate(mul_c);
  // Seconds per op, shown with an SI prefix (e.g. "330n").
  state.counters["time_per_op"] = benchmark::Counter(
      kOps, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_Cpu_SessionRun10_Ours(benchmark::State& state) {
  session_overhead(state, vs::DeviceKind::kCpu);
}
void BM_Cpu_SessionRun10_Baseline_HandWritten(benchmark::State& state) {
  handwritten_overhead(state, vs::DeviceKind::kCpu);
}
void BM_Gpu_SessionRun10_Ours(benchmark::State& state) {
  session_overhead(state, vs::DeviceKind::kCuda);
}
void BM_Gpu_SessionRun10_Baseline_HandWritten(benchmark::State& state) {
  handwritten_overhead(state, vs::DeviceKind::kCuda);
}
BENCHMARK(BM_Cpu_SessionRun10_Ours);
BENCHMARK(BM_Cpu_SessionRun10_Baseline_HandWritten);
BENCHMARK(BM_Gpu_SessionRun10_Ours)->UseRealTime();
BENCHMARK(BM_Gpu_SessionRun10_Baseline_HandWritten)->UseRealTime();

// ---- GPU matmul ----

struct Events {
  cudaEvent_t start{}, stop{};
  Events() {
    cudaEventCreate(&start);
    cudaEventCreate(&stop);
  }
  ~Events() {
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
  }
  double seconds() {
    cudaEventSynchronize(stop);
    float ms = 0;
    cudaEventElapsedTime(&ms, start, stop);
    return ms / 1e3;
  }
};

void BM_Gpu_MatMul_Ours(benchmark::State& state) {
  if (!vs::cuda_available()) {
    state.SkipWithError("no CUDA device");
    return;
  }
  const std::int64_t n = state.range(0);
  vs::Graph g;
  vs::Tensor a = vs::constant(g, vs::HostTensor(random_values(n * n, 1), vs::Shape{n, n}));
  vs::Tensor b = vs::constant(g, vs::HostTensor(random_values(n * n, 2), vs::Shape{n, n}));
  vs::Operation mm = vs::matmul(a, b).op();
  cudaStream_t stream;
  cudaStreamCreate(&stream);
  {
    vs::Session sess(g, {.device = vs::DeviceKind::kCuda, .stream = stream});
    sess.run(mm);
    Events ev;
    for (auto _ : state) {
      cudaEventRecord(ev.start, stream);
      sess.run(mm);
      cudaEventRecord(ev.stop, stream);
      state.SetIterationTime(ev.seconds());
    }
  }
  cudaStreamDestroy(stream);
  set_flops(state, n);
}
BENCHMARK(BM_Gpu_MatMul_Ours)
    ->RangeMultiplier(2)
    ->Range(256, 8192)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

void BM_Gpu_MatMul_Baseline_cublasSgemm(benchmark::State& state) {
  if (!vs::cuda_available()) {
    state.SkipWithError("no CUDA device");
    return;
  }
  const std::int64_t n = state.range(0);
  const auto a = random_values(n * n, 1), b = random_values(n * n, 2);
  cudaStream_t stream;
  cudaStreamCreate(&stream);
  float *da = nullptr, *db = nullptr, *dc = nullptr;
  const std::size_t bytes = static_cast<std::size_t>(n * n) * 4;
  cudaMalloc(reinterpret_cast<void**>(&da), bytes);
  cudaMalloc(reinterpret_cast<void**>(&db), bytes);
  cudaMalloc(reinterpret_cast<void**>(&dc), bytes);
  cudaMemcpy(da, a.data(), bytes, cudaMemcpyHostToDevice);
  cudaMemcpy(db, b.data(), bytes, cudaMemcpyHostToDevice);
  cublasHandle_t handle;
  cublasCreate(&handle);
  cublasSetStream(handle, stream);
  const float one = 1.0f, zero = 0.0f;
  const int ni = static_cast<int>(n);
  cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, ni, ni, ni, &one, db, ni, da, ni, &zero, dc, ni);
  Events ev;
  for (auto _ : state) {
    cudaEventRecord(ev.start, stream);
    cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, ni, ni, ni, &one, db, ni, da, ni, &zero, dc, ni);
    cudaEventRecord(ev.stop, stream);
    state.SetIterationTime(ev.seconds());
  }
  cublasDestroy(handle);
  cudaFree(da);
  cudaFree(db);
  cudaFree(dc);
  cudaStreamDestroy(stream);
  set_flops(state, n);
}
BENCHMARK(BM_Gpu_MatMul_Baseline_cublasSgemm)
    ->RangeMultiplier(2)
    ->Range(256, 8192)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
