// Bandwidth-bound ops (broadcast add, reduce_sum, softmax) vs a plain copy of the bytes.
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
