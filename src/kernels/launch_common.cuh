// What the device-side launcher files share (launchers.cu, reduce_launchers.cu): the block
// size and a thread's grid-stride loop (the dtype dispatch: dtype_dispatch.h).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "kernels/dtype_dispatch.h"
#include "kernels/launch_geometry.h"

namespace varscope::kernels {

constexpr int kThreads = kThreadsPerBlock;

// This thread's grid-stride loop (launch_geometry.h: what the CPU tests run).
__device__ inline GridStride my_stride() {
  return grid_stride(static_cast<int>(blockIdx.x), static_cast<int>(threadIdx.x),
                     static_cast<int>(gridDim.x), static_cast<int>(blockDim.x));
}

// The result of a launcher: the launch's error when `dispatched`, else cudaErrorInvalidValue
// (a dtype the operation does not compute).
inline int launched(bool dispatched) {
  return dispatched ? static_cast<int>(cudaGetLastError())
                    : static_cast<int>(cudaErrorInvalidValue);
}

}  // namespace varscope::kernels
