// Session::run cost vs a hand-written sequence of the same Backend calls (10 and 100 ops).
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

}  // namespace
