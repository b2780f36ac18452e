// cudart status -> vs exceptions naming the call and the CUDA error.
#pragma once

#include <cuda_runtime_api.h>

#include <string>

#include "varscope/errors.h"

namespace varscope::runtime {

inline std::string cuda_error_text(const char* call, cudaError_t err) {
  return std::string(call) + " failed: " + cudaGetErrorString(err) + " (" + cudaGetErrorName(err) +
         ")";
}

// A failed call is also the thread's "last error": cleared here, or the next kernel launch's
// check (cudaGetLastError) would report it as its own. A sticky error stays regardless.
inline void check_cuda(cudaError_t err, const char* call) {
  if (err != cudaSuccess) {
    cudaGetLastError();
    throw InternalError(cuda_error_text(call, err));
  }
}

}  // namespace varscope::runtime
