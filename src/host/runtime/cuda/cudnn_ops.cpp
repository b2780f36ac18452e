#include "host/runtime/cuda/cudnn_ops.h"

#include <limits>
#include <memory>
#include <string>
#include <utility>

#include "host/runtime/cuda/cuda_check.h"
#include "host/runtime/cuda/cudnn_api.h"
#include "host/runtime/cuda/cudnn_geometry.h"
#include "kernels/copy_launchers.h"
#include "varscope/errors.h"

#define VARSCOPE_CHECK_CUDNN(call) check_cudnn((call), #call)

namespace varscope::runtime::cuda {
namespace {

using kernels::ConvPass;
using kernels::WindowGeometry;

void check_cudnn(cudnnStatus_t status, const char* call) {
  if (status != CUDNN_STATUS_SUCCESS) {
    cudaGetLastError();
    throw InternalError(std::string(call) + " failed: " + cudnn().error_string(status));
  }
}

cudnnDataType_t data_type(DType dtype) {
  if (dtype == DType::kFloat32) return CUDNN_DATA_FLOAT;
  if (dtype == DType::kFloat64) return CUDNN_DATA_DOUBLE;
  throw UnimplementedError("cuDNN convolution and pooling on " + std::string(dtype_name(dtype)));
}

// Descriptors and buffers, released in the destructor (buffers through the backend).
struct Descriptors {
  cudnnTensorDescriptor_t x = nullptr, y = nullptr;
  cudnnFilterDescriptor_t filter = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  cudnnPoolingDescriptor_t pool = nullptr;
  Backend* memory = nullptr;
  void* workspace = nullptr;
  std::size_t workspace_bytes = 0;
  void* filter_buffer = nullptr;  // the filter (or its gradient) in cuDNN's layout
  void* padded = nullptr;         // the padded input (or its gradient)

  Descriptors() = default;
  Descriptors(const Descriptors&) = delete;
  Descriptors& operator=(const Descriptors&) = delete;
  ~Descriptors() {
    const CudnnApi& api = cudnn();
    if (x != nullptr) api.destroy_tensor(x);
    if (y != nullptr) api.destroy_tensor(y);
    if (filter != nullptr) api.destroy_filter(filter);
    if (conv != nullptr) api.destroy_conv(conv);
    if (pool != nullptr) api.destroy_pool(pool);
    for (void* p : {workspace, filter_buffer, padded})
      if (p != nullptr) memory->deallocate(p);
  }
  void* allocate(std::size_t bytes) { return bytes == 0 ? nullptr : memory->allocate(bytes); }
};

void set_tensor(cudnnTensorDescriptor_t* d, const CudnnTensor& t, cudnnDataType_t type) {
  const CudnnApi& api = cudnn();
  VARSCOPE_CHECK_CUDNN(api.create_tensor(d));
  VARSCOPE_CHECK_CUDNN(api.set_tensor(*d, type, t.dims[0], t.dims[1], t.dims[2], t.dims[3],
                                      t.strides[0], t.strides[1], t.strides[2], t.strides[3]));
}

struct PreparedConv {
  int pass = 0;
  DType dtype{};
  WindowGeometry g;
  CudnnConvGeometry c;
  Descriptors d;
  cudnnConvolutionFwdAlgo_t fwd{};
  cudnnConvolutionBwdDataAlgo_t bwd_data{};
  cudnnConvolutionBwdFilterAlgo_t bwd_filter{};
};

void prepare(CudnnContext& ctx, PreparedConv& p) {
  const CudnnApi& api = cudnn();
  const cudnnHandle_t h = *ctx.handle;
  const cudnnDataType_t type = data_type(p.dtype);
  p.d.memory = ctx.memory;
  set_tensor(&p.d.x, p.c.input, type);
  set_tensor(&p.d.y, p.c.output, type);
  VARSCOPE_CHECK_CUDNN(api.create_filter(&p.d.filter));
  VARSCOPE_CHECK_CUDNN(api.set_filter(p.d.filter, type, CUDNN_TENSOR_NHWC, p.c.filter[0],
                                      p.c.filter[1], p.c.filter[2], p.c.filter[3]));
  VARSCOPE_CHECK_CUDNN(api.create_conv(&p.d.conv));
  VARSCOPE_CHECK_CUDNN(api.set_conv(p.d.conv, p.c.pad[0], p.c.pad[1], p.c.stride[0], p.c.stride[1],
                                    p.c.dilation[0], p.c.dilation[1], CUDNN_CROSS_CORRELATION,
                                    type));
  VARSCOPE_CHECK_CUDNN(api.set_conv_math(
      p.d.conv, ctx.allow_tf32 ? CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION : CUDNN_FMA_MATH));
  int found = 0;
  std::size_t bytes = 0;
  switch (static_cast<ConvPass>(p.pass)) {
    case ConvPass::kForward: {
      cudnnConvolutionFwdAlgoPerf_t perf{};
      VARSCOPE_CHECK_CUDNN(
          api.forward_algorithm(h, p.d.x, p.d.filter, p.d.conv, p.d.y, 1, &found, &perf));
      p.fwd = perf.algo;
      VARSCOPE_CHECK_CUDNN(
          api.forward_workspace(h, p.d.x, p.d.filter, p.d.conv, p.d.y, p.fwd, &bytes));
      break;
    }
    case ConvPass::kBackwardData: {
      cudnnConvolutionBwdDataAlgoPerf_t perf{};
      VARSCOPE_CHECK_CUDNN(
          api.backward_data_algorithm(h, p.d.filter, p.d.y, p.d.conv, p.d.x, 1, &found, &perf));
      p.bwd_data = perf.algo;
      VARSCOPE_CHECK_CUDNN(
          api.backward_data_workspace(h, p.d.filter, p.d.y, p.d.conv, p.d.x, p.bwd_data, &bytes));
      break;
    }
    case ConvPass::kBackwardFilter: {
      cudnnConvolutionBwdFilterAlgoPerf_t perf{};
      VARSCOPE_CHECK_CUDNN(
          api.backward_filter_algorithm(h, p.d.x, p.d.y, p.d.conv, p.d.filter, 1, &found, &perf));
      p.bwd_filter = perf.algo;
      VARSCOPE_CHECK_CUDNN(api.backward_filter_workspace(h, p.d.x, p.d.y, p.d.conv, p.d.filter,
                                                         p.bwd_filter, &bytes));
      break;
    }
  }
  const std::size_t element = dtype_size(p.dtype);
  p.d.workspace_bytes = bytes;
  p.d.workspace = p.d.allocate(bytes);
  p.d.filter_buffer = p.d.allocate(static_cast<std::size_t>(p.g.filter_count()) * element);
  if (p.c.padded_copy()) {
    p.d.padded = p.d.allocate(static_cast<std::size_t>(p.c.input.strides[0]) *
                              static_cast<std::size_t>(p.g.n) * element);
  }
}

void ensure_handle(CudnnContext& ctx) {
  if (*ctx.handle != nullptr) return;
  const CudnnApi& api = cudnn();  // opened here, by the first convolution or pool
  VARSCOPE_CHECK_CUDNN(api.create(ctx.handle));
  VARSCOPE_CHECK_CUDNN(api.set_stream(*ctx.handle, ctx.stream));
}

template <class P>
P& prepared(
    kernels::PreparedSlot* slot, int pass, DType dtype, const WindowGeometry& g, bool& fresh) {
  if (slot == nullptr) throw InternalError("cuDNN calls need a prepared slot");
  auto* p = static_cast<P*>(slot->get());
  fresh = p == nullptr || p->pass != pass || p->dtype != dtype || !kernels::same_geometry(p->g, g);
  if (fresh) {
    auto made = std::make_shared<P>();
    made->pass = pass, made->dtype = dtype, made->g = g;
    *slot = std::move(made);
    p = static_cast<P*>(slot->get());
  }
  return *p;
}

void copy(CudnnContext& ctx, kernels::StridedCopyArgs a, const void* src, void* dst, DType dtype) {
  a.element_size = dtype_size(dtype);
  a.src = src;
  a.dst = dst;
  check_cuda(static_cast<cudaError_t>(kernels::launch_strided_copy(a, ctx.stream)),
             "launch_strided_copy");
}

}  // namespace

void cudnn_conv2d(CudnnContext& ctx, const kernels::Conv2DArgs& a) {
  const WindowGeometry& g = a.geometry;
  if (!fits_cudnn(g)) throw UnimplementedError("Conv2D: tensors too large for cuDNN's int sizes");
  ensure_handle(ctx);
  bool fresh = false;
  auto& p = prepared<PreparedConv>(a.prepared, int(a.pass), a.dtype, g, fresh);
  if (fresh) {
    try {
      p.c = cudnn_conv_geometry(g);
      prepare(ctx, p);
    } catch (...) {
      a.prepared->reset();  // half made: the next run starts over
      throw;
    }
  }
  const CudnnApi& api = cudnn();
  const cudnnHandle_t h = *ctx.handle;
  const double one64 = 1, zero64 = 0;
  const float one32 = 1, zero32 = 0;
  const void* one = a.dtype == DType::kFloat64 ? static_cast<const void*>(&one64) : &one32;
  const void* zero = a.dtype == DType::kFloat64 ? static_cast<const void*>(&zero64) : &zero32;
  const std::size_t padded_bytes =
      static_cast<std::size_t>(p.c.input.strides[0]) * g.n * dtype_size(a.dtype);
  // The (padded) input, for the forward and filter passes.
  const void* x = a.x;
  if (a.pass != ConvPass::kBackwardData && p.c.padded_copy()) {
    VARSCOPE_CHECK_CUDA(cudaMemsetAsync(p.d.padded, 0, padded_bytes, ctx.stream));
    copy(ctx, padded_copy(g, true), a.x, p.d.padded, a.dtype);
    x = p.d.padded;
  }
  switch (a.pass) {
    case ConvPass::kForward:
      copy(ctx, filter_copy(g, true), a.filter, p.d.filter_buffer, a.dtype);
      VARSCOPE_CHECK_CUDNN(api.forward(h, one, p.d.x, x, p.d.filter, p.d.filter_buffer, p.d.conv,
                                       p.fwd, p.d.workspace, p.d.workspace_bytes, zero, p.d.y,
                                       a.out));
      return;
    case ConvPass::kBackwardData: {
      copy(ctx, filter_copy(g, true), a.filter, p.d.filter_buffer, a.dtype);
      void* dx = p.c.padded_copy() ? p.d.padded : a.out;
      VARSCOPE_CHECK_CUDNN(api.backward_data(h, one, p.d.filter, p.d.filter_buffer, p.d.y, a.dy,
                                             p.d.conv, p.bwd_data, p.d.workspace,
                                             p.d.workspace_bytes, zero, p.d.x, dx));
      if (p.c.padded_copy()) copy(ctx, padded_copy(g, false), p.d.padded, a.out, a.dtype);
      return;
    }
    case ConvPass::kBackwardFilter:
      VARSCOPE_CHECK_CUDNN(api.backward_filter(h, one, p.d.x, x, p.d.y, a.dy, p.d.conv,
                                               p.bwd_filter, p.d.workspace, p.d.workspace_bytes,
                                               zero, p.d.filter, p.d.filter_buffer));
      copy(ctx, filter_copy(g, false), p.d.filter_buffer, a.out, a.dtype);
      return;
  }
}

namespace {

struct PreparedPool {
  int pass = 0;  // op + 2 * backward
  DType dtype{};
  WindowGeometry g;
  Descriptors d;
};

}  // namespace

void cudnn_pool2d(CudnnContext& ctx, const kernels::Pool2DArgs& a) {
  const WindowGeometry& g = a.geometry;
  if (!fits_cudnn(g)) throw UnimplementedError("pooling: tensors too large for cuDNN's int sizes");
  ensure_handle(ctx);
  bool fresh = false;
  auto& p = prepared<PreparedPool>(a.prepared, int(a.op) + (a.backward ? 2 : 0), a.dtype, g, fresh);
  const CudnnApi& api = cudnn();
  if (fresh) {
    try {
      const CudnnPoolGeometry c = cudnn_pool_geometry(g);
      const cudnnDataType_t type = data_type(a.dtype);
      p.d.memory = ctx.memory;
      set_tensor(&p.d.x, c.input, type);
      set_tensor(&p.d.y, c.output, type);
      VARSCOPE_CHECK_CUDNN(api.create_pool(&p.d.pool));
      VARSCOPE_CHECK_CUDNN(api.set_pool(p.d.pool,
                                        a.op == kernels::PoolOp::kMax
                                            ? CUDNN_POOLING_MAX_DETERMINISTIC
                                            : CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING,
                                        CUDNN_NOT_PROPAGATE_NAN, c.window[0], c.window[1], c.pad[0],
                                        c.pad[1], c.stride[0], c.stride[1]));
    } catch (...) {
      a.prepared->reset();
      throw;
    }
  }
  const double one64 = 1, zero64 = 0;
  const float one32 = 1, zero32 = 0;
  const void* one = a.dtype == DType::kFloat64 ? static_cast<const void*>(&one64) : &one32;
  const void* zero = a.dtype == DType::kFloat64 ? static_cast<const void*>(&zero64) : &zero32;
  if (!a.backward) {
    VARSCOPE_CHECK_CUDNN(
        api.pool_forward(*ctx.handle, p.d.pool, one, p.d.x, a.x, zero, p.d.y, a.out));
    return;
  }
  // Average pooling reads neither x nor y; cuDNN still takes descriptors for them.
  VARSCOPE_CHECK_CUDNN(api.pool_backward(*ctx.handle, p.d.pool, one, p.d.y, a.y, p.d.y, a.dy, p.d.x,
                                         a.x, zero, p.d.x, a.out));
}

namespace {

// x as [rows, 1, 1, channels] NHWC and the per-channel [1, channels, 1, 1] parameters.
struct PreparedBatchNorm {
  std::int64_t rows = 0, channels = 0;
  Descriptors d;  // x: the data, y: the parameters
};

}  // namespace

// FusedBatchNormV3 / FusedBatchNormGradV3 (float32, spatial mode over the rows). Training's
// saved statistics are the mean and the biased variance, as the CPU's (cuDNN's saved inverse
// deviation is not kept; its backward recomputes it from x). cuDNN has no backward with fixed
// statistics: the inference-mode gradient is refused on the GPU.
void cudnn_batch_norm(CudnnContext& ctx, const kernels::BatchNormArgs& a) {
  if (a.rows > std::numeric_limits<int>::max() || a.channels > std::numeric_limits<int>::max()) {
    throw UnimplementedError("batch normalization: tensors too large for cuDNN's int sizes");
  }
  if (a.pass == kernels::BatchNormPass::kBackward && !a.training) {
    throw UnimplementedError(
        "FusedBatchNormGradV3 with is_training=false is not implemented on CUDA (cuDNN has no "
        "backward pass with fixed statistics)");
  }
  ensure_handle(ctx);
  if (a.prepared == nullptr) throw InternalError("cuDNN calls need a prepared slot");
  auto* p = static_cast<PreparedBatchNorm*>(a.prepared->get());
  const CudnnApi& api = cudnn();
  if (p == nullptr || p->rows != a.rows || p->channels != a.channels) {
    auto made = std::make_shared<PreparedBatchNorm>();
    made->rows = a.rows;
    made->channels = a.channels;
    made->d.memory = ctx.memory;
    const int n = static_cast<int>(a.rows), c = static_cast<int>(a.channels);
    VARSCOPE_CHECK_CUDNN(api.create_tensor(&made->d.x));
    VARSCOPE_CHECK_CUDNN(api.set_tensor(made->d.x, CUDNN_DATA_FLOAT, n, c, 1, 1, c, 1, c, c));
    VARSCOPE_CHECK_CUDNN(api.create_tensor(&made->d.y));
    VARSCOPE_CHECK_CUDNN(api.set_tensor(made->d.y, CUDNN_DATA_FLOAT, 1, c, 1, 1, c, 1, 1, 1));
    *a.prepared = made;
    p = made.get();
  }
  const float one = 1, zero = 0;
  const double eps = a.epsilon;
  const auto bytes = static_cast<std::size_t>(a.channels) * sizeof(float);
  const cudnnHandle_t h = *ctx.handle;
  auto copy = [&](void* dst, const void* src) {
    VARSCOPE_CHECK_CUDA(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, ctx.stream));
  };
  if (a.pass == kernels::BatchNormPass::kBackward) {
    VARSCOPE_CHECK_CUDNN(api.bn_backward(h, CUDNN_BATCHNORM_SPATIAL, &one, &zero, &one, &zero,
                                         p->d.x, a.x, p->d.x, a.dy, p->d.x, a.y, p->d.y, a.scale,
                                         a.dscale, a.doffset, eps, nullptr, nullptr));
    return;
  }
  if (!a.training) {
    VARSCOPE_CHECK_CUDNN(api.bn_forward_inference(h, CUDNN_BATCHNORM_SPATIAL, &one, &zero, p->d.x,
                                                  a.x, p->d.x, a.y, p->d.y, a.scale, a.offset,
                                                  a.mean, a.variance, eps));
    copy(a.batch_mean, a.mean);
    copy(a.saved_mean, a.mean);
    copy(a.batch_variance, a.variance);
    copy(a.saved_variance, a.variance);
    return;
  }
  // Factor 1: the running statistics are this batch's (cuDNN's variance: n/(n-1), as TF's).
  VARSCOPE_CHECK_CUDNN(api.bn_forward_training(
      h, CUDNN_BATCHNORM_SPATIAL, &one, &zero, p->d.x, a.x, p->d.x, a.y, p->d.y, a.scale, a.offset,
      1.0, a.batch_mean, a.batch_variance, eps, nullptr, nullptr));
  copy(a.saved_mean, a.batch_mean);
  copy(a.saved_variance, a.batch_variance);
  if (a.rows > 1) {
    const float biased =
        static_cast<float>(static_cast<double>(a.rows - 1) / static_cast<double>(a.rows));
    VARSCOPE_CHECK_CUDNN(api.scale_tensor(h, p->d.y, a.saved_variance, &biased));
  }
}

void destroy_cudnn(cudnnHandle_t handle) noexcept {
  if (handle != nullptr && cudnn().destroy(handle) != CUDNN_STATUS_SUCCESS) cudaGetLastError();
}

}  // namespace varscope::runtime::cuda
