// Ops through a Session beside the raw library calls they wrap:
//   matmul            vs cblas_sgemm (OpenBLAS, CPU; raw oneDNN in cpu_workloads_bench.cpp) /
//                     cublasSgemm (GPU), TFLOP/s
//   Session::run cost vs a hand-written sequence of the same Backend calls (10 tiny ops),
//                     with plain launches and replaying a CUDA Graph (use_cuda_graph)
// GPU rows time device work as device work (issue 15): CUDA events around the backend calls
// a run enqueues (kernels and cuBLAS calls only), as the baselines time their one call; what
// a Session::run adds on the host (planning, feeds, read-backs, the final sync) is its own
// *_SessionRunWall row. GPU figures are unmeasured so far (no machine had a GPU).
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

// ---- Session::run overhead: 10 tiny elementwise ops ----

vs::Tensor chain(vs::Tensor x, int ops) {
  for (int i = 0; i < ops; ++i)
    x = (i % 2 == 0) ? x + 1.0f : x * 0.5f;
  return x;
}

void session_overhead(benchmark::State& state,
                      vs::DeviceKind device,
                      int ops,
                      bool cuda_graph = false) {
  if (device == vs::DeviceKind::kCuda && !vs::cuda_available()) {
    state.SkipWithError("no CUDA device");
    return;
  }
  vs::Graph g;
  vs::Tensor x = vs::constant(g, vs::HostTensor(std::vector<float>{1, 2, 3, 4}));
  vs::Operation last = chain(x, ops).op();
  vs::Session sess(g, {.device = device, .use_cuda_graph = cuda_graph});
  sess.run(last);
  if (cuda_graph) {
    sess.run(last);  // the second run records the graph; the timed ones replay it
    if (sess.cuda_graph_launches() == 0) {
      state.SkipWithError("the plan was not captured into a CUDA Graph");
      return;
    }
  }
  for (auto _ : state)
    sess.run(last);
  // Seconds per op, shown with an SI prefix (e.g. "330n").
  state.counters["time_per_op"] = benchmark::Counter(
      ops, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// The same work as hand-written Backend calls: what Session::run adds is the difference.
void handwritten_overhead(benchmark::State& state, vs::DeviceKind device, int ops) {
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
  // One argument struct, its broadcast written once; each op sets its own fields.
  vs::kernels::BinaryArgs args;
  args.dtype = vs::DType::kFloat32;
  args.broadcast.rank = 1;
  args.broadcast.out_dims[0] = 4;
  args.broadcast.x_strides[0] = 1;
  args.broadcast.y_strides[0] = 0;
  args.count = 4;
  for (auto _ : state) {
    const void* in = x;
    std::vector<void*> temps;
    for (int i = 0; i < ops; ++i) {
      void* out = backend->allocate(16);
      args.op = i % 2 == 0 ? vs::kernels::BinaryOp::kAdd : vs::kernels::BinaryOp::kMul;
      args.x = in;
      args.y = i % 2 == 0 ? add_c : mul_c;
      args.out = out;
      backend->binary(args);
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
      ops, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_Cpu_SessionRun10_Ours(benchmark::State& state) {
  session_overhead(state, vs::DeviceKind::kCpu, 10);
}
void BM_Cpu_SessionRun100_Ours(benchmark::State& state) {
  session_overhead(state, vs::DeviceKind::kCpu, 100);
}
void BM_Cpu_SessionRun10_Baseline_HandWritten(benchmark::State& state) {
  handwritten_overhead(state, vs::DeviceKind::kCpu, 10);
}
void BM_Cpu_SessionRun100_Baseline_HandWritten(benchmark::State& state) {
  handwritten_overhead(state, vs::DeviceKind::kCpu, 100);
}
void BM_Gpu_SessionRun10_Ours(benchmark::State& state) {
  session_overhead(state, vs::DeviceKind::kCuda, 10);
}
void BM_Gpu_SessionRun100_Ours(benchmark::State& state) {
  session_overhead(state, vs::DeviceKind::kCuda, 100);
}
// The same Session::run replaying a CUDA Graph: one launch instead of one per op.
void BM_Gpu_SessionRun10_Ours_CudaGraph(benchmark::State& state) {
  session_overhead(state, vs::DeviceKind::kCuda, 10, true);
}
void BM_Gpu_SessionRun100_Ours_CudaGraph(benchmark::State& state) {
  session_overhead(state, vs::DeviceKind::kCuda, 100, true);
}
void BM_Gpu_SessionRun10_Baseline_HandWritten(benchmark::State& state) {
  handwritten_overhead(state, vs::DeviceKind::kCuda, 10);
}
void BM_Gpu_SessionRun100_Baseline_HandWritten(benchmark::State& state) {
  handwritten_overhead(state, vs::DeviceKind::kCuda, 100);
}
BENCHMARK(BM_Cpu_SessionRun10_Ours);
BENCHMARK(BM_Cpu_SessionRun100_Ours);
BENCHMARK(BM_Cpu_SessionRun100_Baseline_HandWritten);
BENCHMARK(BM_Cpu_SessionRun10_Baseline_HandWritten);
BENCHMARK(BM_Gpu_SessionRun10_Ours)->UseRealTime();
BENCHMARK(BM_Gpu_SessionRun100_Ours)->UseRealTime();
BENCHMARK(BM_Gpu_SessionRun10_Ours_CudaGraph)->UseRealTime();
BENCHMARK(BM_Gpu_SessionRun100_Ours_CudaGraph)->UseRealTime();
BENCHMARK(BM_Gpu_SessionRun100_Baseline_HandWritten)->UseRealTime();
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

// Events around `enqueue` only, after one warm-up call (module load, cuBLAS heuristics).
template <typename F>
void time_device(benchmark::State& state, cudaStream_t stream, F&& enqueue) {
  enqueue();
  cudaStreamSynchronize(stream);
  Events ev;
  for (auto _ : state) {
    cudaEventRecord(ev.start, stream);
    enqueue();
    cudaEventRecord(ev.stop, stream);
    state.SetIterationTime(ev.seconds());
  }
}

// The CUDA backend on a stream of ours, with device copies of host values.
struct DeviceRig {
  cudaStream_t stream = nullptr;
  std::unique_ptr<vs::runtime::Backend> backend;
  std::vector<void*> buffers;
  explicit DeviceRig(bool tf32 = false) {
    cudaStreamCreate(&stream);
    backend = vs::runtime::make_cuda_backend(0, stream, tf32);
  }
  template <typename T>
  void* upload(const std::vector<T>& host) {
    void* p = backend->allocate(host.size() * sizeof(T));
    backend->copy_from_host(p, host.data(), host.size() * sizeof(T));
    buffers.push_back(p);
    return p;
  }
  void* scratch(std::size_t bytes) {
    buffers.push_back(backend->allocate(bytes));
    return buffers.back();
  }
  ~DeviceRig() {
    for (void* p : buffers)
      backend->deallocate(p);
    backend->synchronize();
    backend.reset();
    cudaStreamDestroy(stream);
  }
};

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

// Broadcast add [rows, 1024] + [1024]: bytes moved vs a plain copy of the same output (the
// bandwidth ceiling: memcpy on the CPU, a device-to-device copy on the GPU).
const std::int64_t kRows = bench::smoke() ? 16 : 16384;

void broadcast_add_ours(benchmark::State& state, vs::DeviceKind device) {
  if (device == vs::DeviceKind::kCuda && !vs::cuda_available()) {
    state.SkipWithError("no CUDA device");
    return;
  }
  if (device == vs::DeviceKind::kCuda) {  // the backend's broadcast kernel only
    DeviceRig rig;
    const void* x = rig.upload(random_values(kRows * 1024, 1));
    const void* b = rig.upload(random_values(1024, 2));
    void* out = rig.scratch(static_cast<std::size_t>(kRows * 1024) * 4);
    vs::kernels::Broadcast bc;
    bc.rank = 2;
    bc.out_dims[0] = kRows;
    bc.out_dims[1] = 1024;
    bc.x_strides[0] = 1024;
    bc.x_strides[1] = 1;
    bc.y_strides[1] = 1;
    time_device(state, rig.stream, [&] {
      rig.backend->binary(
          {vs::kernels::BinaryOp::kAdd, vs::DType::kFloat32, bc, x, b, out, kRows * 1024});
    });
  } else {
    vs::Graph g;
    vs::Tensor x =
        vs::constant(g, vs::HostTensor(random_values(kRows * 1024, 1), vs::Shape{kRows, 1024}));
    vs::Tensor b = vs::constant(g, vs::HostTensor(random_values(1024, 2)));
    vs::Operation sum = (x + b).op();
    vs::Session sess(g, {.device = device});
    sess.run(sum);
    for (auto _ : state)
      sess.run(sum);
  }
  state.SetBytesProcessed(state.iterations() * kRows * 1024 * 8);  // read x, write out
}

void BM_Cpu_BroadcastAdd_Ours(benchmark::State& s) {
  broadcast_add_ours(s, vs::DeviceKind::kCpu);
}
void BM_Cpu_BroadcastAdd_Baseline_Memcpy(benchmark::State& state) {
  std::vector<float> a(static_cast<std::size_t>(kRows * 1024), 1.0f), c(a.size());
  for (auto _ : state) {
    std::memcpy(c.data(), a.data(), a.size() * 4);
    benchmark::DoNotOptimize(c.data());
  }
  state.SetBytesProcessed(state.iterations() * kRows * 1024 * 8);
}
void BM_Gpu_BroadcastAdd_Ours(benchmark::State& s) {
  broadcast_add_ours(s, vs::DeviceKind::kCuda);
}
void BM_Gpu_BroadcastAdd_Baseline_DeviceToDeviceCopy(benchmark::State& state) {
  if (!vs::cuda_available()) {
    state.SkipWithError("no CUDA device");
    return;
  }
  cudaStream_t stream;
  cudaStreamCreate(&stream);
  void *a = nullptr, *c = nullptr;
  const std::size_t bytes = static_cast<std::size_t>(kRows * 1024) * 4;
  cudaMalloc(&a, bytes);
  cudaMalloc(&c, bytes);
  Events ev;
  for (auto _ : state) {
    cudaEventRecord(ev.start, stream);
    cudaMemcpyAsync(c, a, bytes, cudaMemcpyDeviceToDevice, stream);
    cudaEventRecord(ev.stop, stream);
    state.SetIterationTime(ev.seconds());
  }
  cudaFree(a);
  cudaFree(c);
  cudaStreamDestroy(stream);
  state.SetBytesProcessed(state.iterations() * kRows * 1024 * 8);
}
BENCHMARK(BM_Cpu_BroadcastAdd_Ours)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Cpu_BroadcastAdd_Baseline_Memcpy)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Gpu_BroadcastAdd_Ours)->UseManualTime()->Unit(benchmark::kMicrosecond);

// reduce_sum of 2^26 floats and softmax of 4096 x 4096 (issue 15's targets: within 80% of
// a device-to-device copy's bandwidth), as the backend's kernels, beside the copy.
const std::int64_t kReduceCount = bench::smoke() ? (1 << 16) : (std::int64_t{1} << 26);
const std::int64_t kSoftmaxSide = bench::smoke() ? 256 : 4096;

void BM_Gpu_ReduceSumAll_Ours(benchmark::State& state) {
  if (!vs::cuda_available()) {
    state.SkipWithError("no CUDA device");
    return;
  }
  DeviceRig rig;
  const void* x = rig.upload(random_values(kReduceCount, 3));
  void* out = rig.scratch(4);
  vs::kernels::Reduction red;
  red.reduced_rank = 1;
  red.reduced_dims[0] = kReduceCount;
  red.reduced_strides[0] = 1;
  red.reduced_count = kReduceCount;
  time_device(state, rig.stream, [&] {
    rig.backend->reduce({vs::kernels::ReduceOp::kSum, vs::DType::kFloat32, red, x, out, 1});
  });
  state.SetBytesProcessed(state.iterations() * kReduceCount * 4);
}
void BM_Gpu_ReduceSumAll_Baseline_DeviceToDeviceCopy(benchmark::State& state) {
  if (!vs::cuda_available()) {
    state.SkipWithError("no CUDA device");
    return;
  }
  DeviceRig rig;
  const std::size_t bytes = static_cast<std::size_t>(kReduceCount) * 4;
  const void* a = rig.scratch(bytes);
  void* c = rig.scratch(bytes);
  time_device(state, rig.stream,
              [&] { cudaMemcpyAsync(c, a, bytes, cudaMemcpyDeviceToDevice, rig.stream); });
  state.SetBytesProcessed(state.iterations() * kReduceCount * 8);  // read + write
}
void BM_Gpu_Softmax_Ours(benchmark::State& state) {
  if (!vs::cuda_available()) {
    state.SkipWithError("no CUDA device");
    return;
  }
  DeviceRig rig;
  const std::int64_t n = kSoftmaxSide * kSoftmaxSide;
  const void* x = rig.upload(random_values(n, 4));
  void* out = rig.scratch(static_cast<std::size_t>(n) * 4);
  time_device(state, rig.stream, [&] {
    rig.backend->softmax({vs::DType::kFloat32, x, out, kSoftmaxSide, kSoftmaxSide});
  });
  state.SetBytesProcessed(state.iterations() * n * 8);  // read x, write out (at least)
}
// Session::run's wall time for the broadcast add: the device work plus everything the host
// adds (planning lookup, the final sync); compare with BM_Gpu_BroadcastAdd_Ours.
void BM_Gpu_BroadcastAdd_SessionRunWall(benchmark::State& state) {
  if (!vs::cuda_available()) {
    state.SkipWithError("no CUDA device");
    return;
  }
  vs::Graph g;
  vs::Tensor x =
      vs::constant(g, vs::HostTensor(random_values(kRows * 1024, 1), vs::Shape{kRows, 1024}));
  vs::Tensor b = vs::constant(g, vs::HostTensor(random_values(1024, 2)));
  vs::Operation sum = (x + b).op();
  vs::Session sess(g, {.device = vs::DeviceKind::kCuda});
  sess.run(sum);
  for (auto _ : state)
    sess.run(sum);
  state.SetBytesProcessed(state.iterations() * kRows * 1024 * 8);
}
BENCHMARK(BM_Gpu_ReduceSumAll_Ours)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Gpu_ReduceSumAll_Baseline_DeviceToDeviceCopy)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Gpu_Softmax_Ours)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Gpu_BroadcastAdd_SessionRunWall)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Gpu_BroadcastAdd_Baseline_DeviceToDeviceCopy)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
