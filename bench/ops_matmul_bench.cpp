// matmul through a Session vs cblas_sgemm (OpenBLAS; raw oneDNN in cpu_workloads_bench.cpp) and
// cuBLAS, in TFLOP/s: sizes, float64, TF32, tall-skinny.
#include <benchmark/benchmark.h>
#include <cblas.h>
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <varscope/varscope.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <type_traits>
#include <vector>

#include "bench_common.h"
#include "host/runtime/backend.h"
#include "ops_bench_util.h"

namespace vs = varscope;
using namespace ops_bench;  // NOLINT: the helpers of ops_bench_util.h

namespace {

void set_flops(benchmark::State& state, std::int64_t n) {
  state.counters["TFLOP/s"] = benchmark::Counter(
      2.0 * double(n) * double(n) * double(n) * 1e-12 * double(state.iterations()),
      benchmark::Counter::kIsRate);
}

// ---- GPU matmul ----

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

// ---- more matmul shapes and dtypes, elementwise bandwidth, 100-op runs ----

template <typename T>
std::vector<T> random_of(std::int64_t n, unsigned seed) {
  const auto f = random_values(n, seed);
  return std::vector<T>(f.begin(), f.end());
}

// C[m,n] = A[m,k] B[k,n] through a Session (device, dtype, TF32 opt-in).
template <typename T>
void matmul_ours(benchmark::State& state,
                 vs::DeviceKind device,
                 std::int64_t m,
                 std::int64_t k,
                 std::int64_t n,
                 bool tf32) {
  if (device == vs::DeviceKind::kCuda && !vs::cuda_available()) {
    state.SkipWithError("no CUDA device");
    return;
  }
  if (device == vs::DeviceKind::kCuda) {  // the backend's GEMM call, as a run enqueues it
    DeviceRig rig(tf32);
    const void* da = rig.upload(random_of<T>(m * k, 1));
    const void* db = rig.upload(random_of<T>(k * n, 2));
    void* dc = rig.scratch(static_cast<std::size_t>(m * n) * sizeof(T));
    vs::runtime::Backend::MatMulShape s;
    s.m = m;
    s.k = k;
    s.n = n;
    s.stride_a = m * k;
    s.stride_b = k * n;
    s.stride_c = m * n;
    const vs::DType dtype = std::is_same_v<T, double> ? vs::DType::kFloat64 : vs::DType::kFloat32;
    time_device(state, rig.stream, [&] { rig.backend->matmul({dtype, s, da, db, dc}); });
  } else {
    vs::Graph g;
    vs::Tensor a = vs::constant(g, vs::HostTensor(random_of<T>(m * k, 1), vs::Shape{m, k}));
    vs::Tensor b = vs::constant(g, vs::HostTensor(random_of<T>(k * n, 2), vs::Shape{k, n}));
    vs::Operation mm = vs::matmul(a, b).op();
    vs::Session sess(g, {.device = device});
    sess.run(mm);
    for (auto _ : state)
      sess.run(mm);
  }
  state.counters["TFLOP/s"] = benchmark::Counter(2.0 * double(m) * double(k) * double(n) * 1e-12,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

template <typename T>
void matmul_openblas(benchmark::State& state, std::int64_t m, std::int64_t k, std::int64_t n) {
  const auto a = random_of<T>(m * k, 1), b = random_of<T>(k * n, 2);
  std::vector<T> c(static_cast<std::size_t>(m * n));
  const auto mi = static_cast<blasint>(m), ki = static_cast<blasint>(k),
             ni = static_cast<blasint>(n);
  for (auto _ : state) {
    if constexpr (std::is_same_v<T, float>) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, mi, ni, ki, 1.0f, a.data(), ki,
                  b.data(), ni, 0.0f, c.data(), ni);
    } else {
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, mi, ni, ki, 1.0, a.data(), ki,
                  b.data(), ni, 0.0, c.data(), ni);
    }
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["TFLOP/s"] = benchmark::Counter(2.0 * double(m) * double(k) * double(n) * 1e-12,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

// Raw cublasGemmEx on the same shapes; compute type picks FP32, TF32 or FP64.
template <typename T>
void matmul_cublas(
    benchmark::State& state, std::int64_t m, std::int64_t k, std::int64_t n, bool tf32) {
  if (!vs::cuda_available()) {
    state.SkipWithError("no CUDA device");
    return;
  }
  const auto a = random_of<T>(m * k, 1), b = random_of<T>(k * n, 2);
  cudaStream_t stream;
  cudaStreamCreate(&stream);
  void *da = nullptr, *db = nullptr, *dc = nullptr;
  cudaMalloc(&da, a.size() * sizeof(T));
  cudaMalloc(&db, b.size() * sizeof(T));
  cudaMalloc(&dc, static_cast<std::size_t>(m * n) * sizeof(T));
  cudaMemcpy(da, a.data(), a.size() * sizeof(T), cudaMemcpyHostToDevice);
  cudaMemcpy(db, b.data(), b.size() * sizeof(T), cudaMemcpyHostToDevice);
  cublasHandle_t handle;
  cublasCreate(&handle);
  cublasSetStream(handle, stream);
  const bool f64 = std::is_same_v<T, double>;
  const cudaDataType_t type = f64 ? CUDA_R_64F : CUDA_R_32F;
  const cublasComputeType_t compute =
      f64 ? CUBLAS_COMPUTE_64F : (tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F);
  const T one = 1, zero = 0;
  const int mi = int(m), ki = int(k), ni = int(n);
  auto gemm = [&] {  // row-major C = A B as column-major C^T = B^T A^T
    cublasGemmEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, ni, mi, ki, &one, db, type, ni, da, type, ki,
                 &zero, dc, type, ni, compute, CUBLAS_GEMM_DEFAULT);
  };
  gemm();
  Events ev;
  for (auto _ : state) {
    cudaEventRecord(ev.start, stream);
    gemm();
    cudaEventRecord(ev.stop, stream);
    state.SetIterationTime(ev.seconds());
  }
  cublasDestroy(handle);
  cudaFree(da);
  cudaFree(db);
  cudaFree(dc);
  cudaStreamDestroy(stream);
  state.counters["TFLOP/s"] = benchmark::Counter(2.0 * double(m) * double(k) * double(n) * 1e-12,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

void BM_Cpu_MatMul_Ours(benchmark::State& s) {
  matmul_ours<float>(s, vs::DeviceKind::kCpu, s.range(0), s.range(0), s.range(0), false);
}
void BM_Cpu_MatMul_Baseline_OpenBLAS(benchmark::State& s) {
  matmul_openblas<float>(s, s.range(0), s.range(0), s.range(0));
}
void BM_Gpu_MatMul_Ours(benchmark::State& s) {
  matmul_ours<float>(s, vs::DeviceKind::kCuda, s.range(0), s.range(0), s.range(0), false);
}
BENCHMARK(BM_Cpu_MatMul_Ours)
    ->Arg(256)
    ->Arg(512)
    ->Arg(1024)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_Cpu_MatMul_Baseline_OpenBLAS)
    ->Arg(256)
    ->Arg(512)
    ->Arg(1024)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_Gpu_MatMul_Ours)
    ->RangeMultiplier(2)
    ->Range(256, 8192)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

const std::int64_t kTall = bench::smoke() ? 1024 : (1 << 20);  // rows of the tall-skinny A

void BM_Cpu_MatMulF64_Ours(benchmark::State& s) {
  matmul_ours<double>(s, vs::DeviceKind::kCpu, s.range(0), s.range(0), s.range(0), false);
}
void BM_Cpu_MatMulF64_Baseline_OpenBLAS(benchmark::State& s) {
  matmul_openblas<double>(s, s.range(0), s.range(0), s.range(0));
}
void BM_Cpu_MatMulTallSkinny_Ours(benchmark::State& s) {
  matmul_ours<float>(s, vs::DeviceKind::kCpu, kTall / 64, 64, 64, false);
}
void BM_Cpu_MatMulTallSkinny_Baseline_OpenBLAS(benchmark::State& s) {
  matmul_openblas<float>(s, kTall / 64, 64, 64);
}
void BM_Gpu_MatMulTF32_Ours(benchmark::State& s) {
  matmul_ours<float>(s, vs::DeviceKind::kCuda, s.range(0), s.range(0), s.range(0), true);
}
void BM_Gpu_MatMulTF32_Baseline_cublasGemmEx(benchmark::State& s) {
  matmul_cublas<float>(s, s.range(0), s.range(0), s.range(0), true);
}
void BM_Gpu_MatMulF64_Ours(benchmark::State& s) {
  matmul_ours<double>(s, vs::DeviceKind::kCuda, s.range(0), s.range(0), s.range(0), false);
}
void BM_Gpu_MatMulF64_Baseline_cublasGemmEx(benchmark::State& s) {
  matmul_cublas<double>(s, s.range(0), s.range(0), s.range(0), false);
}
void BM_Gpu_MatMulTallSkinny_Ours(benchmark::State& s) {
  matmul_ours<float>(s, vs::DeviceKind::kCuda, kTall, 64, 64, false);
}
void BM_Gpu_MatMulTallSkinny_Baseline_cublasGemmEx(benchmark::State& s) {
  matmul_cublas<float>(s, kTall, 64, 64, false);
}
// float64: ours (dgemm.cpp) against cblas_dgemm with the kernels OpenBLAS picks, which on
// CPUs newer than the OpenBLAS build are Prescott ones unless OPENBLAS_CORETYPE is set.
void f64_sizes(benchmark::internal::Benchmark* b) {
  for (int n : {64, 256, 512, 1024})
    b->Arg(n);
  b->Unit(benchmark::kMillisecond)->UseRealTime();
}
BENCHMARK(BM_Cpu_MatMulF64_Ours)->Apply(f64_sizes);
BENCHMARK(BM_Cpu_MatMulF64_Baseline_OpenBLAS)->Apply(f64_sizes);
BENCHMARK(BM_Cpu_MatMulTallSkinny_Ours)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Cpu_MatMulTallSkinny_Baseline_OpenBLAS)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Gpu_MatMulTF32_Ours)
    ->RangeMultiplier(2)
    ->Range(1024, 8192)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Gpu_MatMulTF32_Baseline_cublasGemmEx)
    ->RangeMultiplier(2)
    ->Range(1024, 8192)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Gpu_MatMulF64_Ours)
    ->RangeMultiplier(2)
    ->Range(1024, 4096)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Gpu_MatMulF64_Baseline_cublasGemmEx)
    ->RangeMultiplier(2)
    ->Range(1024, 4096)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Gpu_MatMulTallSkinny_Ours)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Gpu_MatMulTallSkinny_Baseline_cublasGemmEx)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
