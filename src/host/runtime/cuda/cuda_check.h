// CUDA runtime and cuBLAS status -> vs::InternalError naming the failing call. The macros
// name it by stringifying the call itself, arguments included, so a message never names a
// call other than the one that failed:
//   VARSCOPE_CHECK_CUDA(cudaSetDevice(device))
//     -> "cudaSetDevice(device) failed: invalid device ordinal (cudaErrorInvalidDevice)"
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <cstddef>
#include <string>

#include "host/runtime/cuda/cublas_api.h"
#include "varscope/errors.h"

#define VARSCOPE_CHECK_CUDA(call) ::varscope::runtime::check_cuda((call), #call)
#define VARSCOPE_CHECK_CUBLAS(call) ::varscope::runtime::check_cublas((call), #call)
// An allocation: out of memory is vs::ResourceExhaustedError("OOM when allocating N bytes on
// <where()>: ..."), any other failure vs::InternalError.
#define VARSCOPE_CHECK_CUDA_ALLOC(call, bytes, where) \
  ::varscope::runtime::check_cuda_alloc((call), #call, (bytes), (where))

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

// `where` is called only on failure: the description costs an allocation.
template <class Where>
void check_cuda_alloc(cudaError_t err, const char* call, std::size_t bytes, const Where& where) {
  if (err == cudaErrorMemoryAllocation) {
    cudaGetLastError();  // not sticky: cleared, the session stays usable
    throw ResourceExhaustedError("OOM when allocating " + std::to_string(bytes) + " bytes on " +
                                 where() + ": " + cuda_error_text(call, err));
  }
  check_cuda(err, call);
}

// For destructors and other paths that cannot report: the failure is dropped, and so is the
// thread's last error it set, which would otherwise be blamed on the next launch.
inline void ignore_cuda_failure(cudaError_t err) noexcept {
  if (err != cudaSuccess) cudaGetLastError();
}

inline void check_cublas(cublasStatus_t status, const char* call) {
  if (status != CUBLAS_STATUS_SUCCESS) {
    const cuda::CublasApi& api = cuda::cublas();  // loaded: the failing call came from it
    throw InternalError(std::string(call) + " failed: " + api.status_name(status) + " (" +
                        api.status_string(status) + ")");
  }
}

}  // namespace varscope::runtime
