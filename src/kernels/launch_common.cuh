// What the device-side launcher files share (launchers.cu, reduce_launchers.cu): the block
// size, a thread's grid-stride loop and the dtype dispatch.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "kernels/launch_geometry.h"
#include "varscope/dtype.h"

namespace varscope::kernels {

constexpr int kThreads = kThreadsPerBlock;

// This thread's grid-stride loop (launch_geometry.h: what the CPU tests run).
__device__ inline GridStride my_stride() {
  return grid_stride(static_cast<int>(blockIdx.x), static_cast<int>(threadIdx.x),
                     static_cast<int>(gridDim.x), static_cast<int>(blockDim.x));
}

// Calls f(static_cast<T*>(nullptr)) with T the C++ type of a numeric dtype; false if none.
template <typename F>
inline bool dispatch_numeric(DType dtype, F&& f) {
  switch (dtype) {
    case DType::kFloat32:
      f(static_cast<float*>(nullptr));
      return true;
    case DType::kFloat64:
      f(static_cast<double*>(nullptr));
      return true;
    case DType::kInt32:
      f(static_cast<std::int32_t*>(nullptr));
      return true;
    case DType::kInt64:
      f(static_cast<std::int64_t*>(nullptr));
      return true;
    default:
      return false;
  }
}

}  // namespace varscope::kernels
