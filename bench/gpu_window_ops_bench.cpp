// Issue 24's GPU rows: conv2d 3x3 64->64 56x56 batch 8 forward, a 2x2 max pool and a
// training-mode fused batch norm of the same [8, 56, 56, 64] NHWC float32 tensor, each
// through a Session on the CUDA backend beside the same cuDNN call made by hand (transpose's
// GPU rows are in data_movement_bench.cpp). Ours is a Session::run's wall time (the op's
// kernels, the final sync); the baselines time their call with CUDA events. Unmeasured until
// a machine with a GPU runs them: without one every row skips.
#include <benchmark/benchmark.h>
#include <cuda_runtime_api.h>
#include <varscope/varscope.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "bench_common.h"
#include "cuda_events.h"
#include "host/runtime/cuda/cudnn_api.h"

namespace vs = varscope;
namespace cuda = varscope::runtime::cuda;

namespace {

const std::int64_t kBatch = bench::smoke() ? 1 : 8;
const std::int64_t kSide = bench::smoke() ? 8 : 56;
constexpr std::int64_t kChannels = 64;

std::vector<float> values(std::int64_t n, double phase) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < v.size(); ++i)
    v[i] = static_cast<float>(std::sin(0.37 * double(i) + phase));
  return v;
}

bool skip_without_device(benchmark::State& state) {
  if (vs::cuda_available()) return false;
  state.SkipWithError("no CUDA device");
  return true;
}

// A failed cuDNN or CUDA call ends the row with its message (the rows never abort the run).
bool failed(benchmark::State& state, cudnnStatus_t status, const char* call) {
  if (status == CUDNN_STATUS_SUCCESS) return false;
  state.SkipWithError((std::string(call) + ": " + cuda::cudnn().error_string(status)).c_str());
  return true;
}
bool failed(benchmark::State& state, cudaError_t status, const char* call) {
  if (status == cudaSuccess) return false;
  state.SkipWithError((std::string(call) + ": " + cudaGetErrorString(status)).c_str());
  return true;
}

// The ops of a graph over variables, run as targets on the CUDA backend.
void session_rows(benchmark::State& state, vs::Graph& g, const std::vector<vs::Operation>& ops) {
  vs::Session sess(g, {.device = vs::DeviceKind::kCuda});
  sess.run(g.global_variables_initializer());
  sess.run({}, {}, ops);
  for (auto _ : state)
    sess.run({}, {}, ops);
}

const vs::Shape kImage{kBatch, kSide, kSide, kChannels};

enum class Window { kConv, kPool, kBatchNorm };

void BM_Gpu_WindowOp_Ours(benchmark::State& state) {
  if (skip_without_device(state)) return;
  vs::Graph g;
  vs::Variable x = g.variable(vs::HostTensor(values(kImage.num_elements(), 0), kImage));
  vs::Operation op;
  switch (static_cast<Window>(state.range(0))) {
    case Window::kConv: {
      const vs::Shape ws{3, 3, kChannels, kChannels};
      vs::Variable w = g.variable(vs::HostTensor(values(ws.num_elements(), 1), ws));
      op = vs::conv2d(x.value(), w.value(), {1, 1}, "SAME").op();
      break;
    }
    case Window::kPool:
      op = vs::max_pool(x.value(), {1, 2, 2, 1}, {1, 2, 2, 1}, "VALID").op();
      break;
    case Window::kBatchNorm: {
      vs::Variable scale = g.variable(vs::HostTensor(values(kChannels, 2), vs::Shape{kChannels}));
      vs::Variable offset = g.variable(vs::HostTensor(values(kChannels, 3), vs::Shape{kChannels}));
      op = vs::fused_batch_norm(x.value(), scale.value(), offset.value()).y.op();  // training
      break;
    }
  }
  session_rows(state, g, {op});
}

// cuDNN by hand on NHWC descriptors (cuDNN's own algorithm choice for the convolution, its
// workspace allocated once outside the loop).
void BM_Gpu_WindowOp_Baseline_cuDNN(benchmark::State& state) {
  if (skip_without_device(state)) return;
  const cuda::CudnnApi* api = nullptr;
  try {
    api = &cuda::cudnn();
  } catch (const vs::Error& e) {  // no libcudnn on this machine
    state.SkipWithError(e.what());
    return;
  }
  const cuda::CudnnApi& dnn = *api;
  const int n = int(kBatch), h = int(kSide), w = int(kSide), c = int(kChannels);
  cudnnHandle_t handle{};
  if (failed(state, dnn.create(&handle), "cudnnCreate")) return;
  cudnnTensorDescriptor_t x_desc{}, y_desc{}, stat_desc{};
  dnn.create_tensor(&x_desc);
  dnn.create_tensor(&y_desc);
  dnn.create_tensor(&stat_desc);
  const int ho = static_cast<Window>(state.range(0)) == Window::kPool ? h / 2 : h;
  const int wo = static_cast<Window>(state.range(0)) == Window::kPool ? w / 2 : w;
  // NHWC as strides: n, c, h, w order of cudnnSetTensor4dDescriptorEx.
  if (failed(state, dnn.set_tensor(x_desc, CUDNN_DATA_FLOAT, n, c, h, w, h * w * c, 1, w * c, c),
             "cudnnSetTensor4dDescriptorEx") ||
      failed(state,
             dnn.set_tensor(y_desc, CUDNN_DATA_FLOAT, n, c, ho, wo, ho * wo * c, 1, wo * c, c),
             "cudnnSetTensor4dDescriptorEx") ||
      failed(state, dnn.set_tensor(stat_desc, CUDNN_DATA_FLOAT, 1, c, 1, 1, c, 1, c, c),
             "cudnnSetTensor4dDescriptorEx"))
    return;
  const std::size_t image_bytes = std::size_t(n) * h * w * c * 4;
  void *x = nullptr, *y = nullptr, *filter = nullptr, *workspace = nullptr, *stats = nullptr;
  if (failed(state, cudaMalloc(&x, image_bytes), "cudaMalloc") ||
      failed(state, cudaMalloc(&y, image_bytes), "cudaMalloc") ||
      failed(state, cudaMalloc(&filter, std::size_t(9) * c * c * 4), "cudaMalloc") ||
      failed(state, cudaMalloc(&stats, std::size_t(4) * c * 4), "cudaMalloc"))
    return;
  if (failed(state, cudaMemset(x, 0, image_bytes), "cudaMemset") ||
      failed(state, cudaMemset(filter, 0, std::size_t(9) * c * c * 4), "cudaMemset") ||
      failed(state, cudaMemset(stats, 0, std::size_t(4) * c * 4), "cudaMemset"))
    return;
  cudnnFilterDescriptor_t w_desc{};
  cudnnConvolutionDescriptor_t conv{};
  cudnnPoolingDescriptor_t pool{};
  std::size_t workspace_bytes = 0;
  const float one = 1, zero = 0;
  auto* stat = static_cast<float*>(stats);
  bench::Events ev;
  switch (static_cast<Window>(state.range(0))) {
    case Window::kConv: {
      dnn.create_filter(&w_desc);
      dnn.create_conv(&conv);
      if (failed(state, dnn.set_filter(w_desc, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NHWC, c, c, 3, 3),
                 "cudnnSetFilter4dDescriptor") ||
          failed(state,
                 dnn.set_conv(conv, 1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
                 "cudnnSetConvolution2dDescriptor"))
        return;
      cudnnConvolutionFwdAlgoPerf_t perf{};
      int found = 0;
      if (failed(state,
                 dnn.forward_algorithm(handle, x_desc, w_desc, conv, y_desc, 1, &found, &perf),
                 "cudnnGetConvolutionForwardAlgorithm_v7") ||
          failed(state,
                 dnn.forward_workspace(handle, x_desc, w_desc, conv, y_desc, perf.algo,
                                       &workspace_bytes),
                 "cudnnGetConvolutionForwardWorkspaceSize"))
        return;
      if (workspace_bytes > 0 &&
          failed(state, cudaMalloc(&workspace, workspace_bytes), "cudaMalloc"))
        return;
      for (auto _ : state) {
        cudaEventRecord(ev.start, nullptr);
        const cudnnStatus_t s =
            dnn.forward(handle, &one, x_desc, x, w_desc, filter, conv, perf.algo, workspace,
                        workspace_bytes, &zero, y_desc, y);
        cudaEventRecord(ev.stop, nullptr);
        if (failed(state, s, "cudnnConvolutionForward")) break;
        state.SetIterationTime(ev.seconds());
      }
      break;
    }
    case Window::kPool:
      dnn.create_pool(&pool);
      if (failed(state,
                 dnn.set_pool(pool, CUDNN_POOLING_MAX, CUDNN_NOT_PROPAGATE_NAN, 2, 2, 0, 0, 2, 2),
                 "cudnnSetPooling2dDescriptor"))
        return;
      for (auto _ : state) {
        cudaEventRecord(ev.start, nullptr);
        const cudnnStatus_t s = dnn.pool_forward(handle, pool, &one, x_desc, x, &zero, y_desc, y);
        cudaEventRecord(ev.stop, nullptr);
        if (failed(state, s, "cudnnPoolingForward")) break;
        state.SetIterationTime(ev.seconds());
      }
      break;
    case Window::kBatchNorm:
      for (auto _ : state) {
        cudaEventRecord(ev.start, nullptr);
        const cudnnStatus_t s = dnn.bn_forward_training(
            handle, CUDNN_BATCHNORM_SPATIAL, &one, &zero, x_desc, x, y_desc, y, stat_desc, stat,
            stat + c, 1.0, stat + 2 * c, stat + 3 * c, 1e-3, nullptr, nullptr);
        cudaEventRecord(ev.stop, nullptr);
        if (failed(state, s, "cudnnBatchNormalizationForwardTraining")) break;
        state.SetIterationTime(ev.seconds());
      }
      break;
  }
  // Teardown: nothing left to report to.
  if (pool) dnn.destroy_pool(pool);
  if (conv) dnn.destroy_conv(conv);
  if (w_desc) dnn.destroy_filter(w_desc);
  for (void* p : {x, y, filter, workspace, stats})
    cudaFree(p);
  dnn.destroy_tensor(x_desc);
  dnn.destroy_tensor(y_desc);
  dnn.destroy_tensor(stat_desc);
  dnn.destroy(handle);
}

}  // namespace

// Arg: 0 conv2d, 1 max_pool 2x2, 2 fused_batch_norm (training).
BENCHMARK(BM_Gpu_WindowOp_Ours)->DenseRange(0, 2)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_Gpu_WindowOp_Baseline_cuDNN)
    ->DenseRange(0, 2)
    ->Unit(benchmark::kMicrosecond)
    ->UseManualTime();
