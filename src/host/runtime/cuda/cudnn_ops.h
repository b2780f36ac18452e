// Convolution and pooling through cuDNN for the CUDA backend. Each step's descriptors,
// algorithm choice and buffers (workspace, the filter in cuDNN's layout, a padded input) are
// made on its first run and kept in its kernels::PreparedSlot, so later runs (and CUDA Graph
// captures) allocate nothing; the buffers come from the backend's allocator.
#pragma once

#include <cuda_runtime_api.h>
#include <cudnn.h>

#include "host/runtime/backend.h"

namespace varscope::runtime::cuda {

// What the calls need from the backend: its stream, its allocator and its cuDNN handle
// (made on the first call, bound to the stream; destroyed with the backend).
struct CudnnContext {
  cudaStream_t stream = nullptr;
  Backend* memory = nullptr;
  cudnnHandle_t* handle = nullptr;  // the backend's slot; null until the first call
  bool allow_tf32 = false;
};

void cudnn_conv2d(CudnnContext& ctx, const kernels::Conv2DArgs& args);
void cudnn_pool2d(CudnnContext& ctx, const kernels::Pool2DArgs& args);
void cudnn_batch_norm(CudnnContext& ctx, const kernels::BatchNormArgs& args);
void destroy_cudnn(cudnnHandle_t handle) noexcept;

}  // namespace varscope::runtime::cuda
