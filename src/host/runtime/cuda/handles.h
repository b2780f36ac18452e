// Owners for the CUDA and cuBLAS handles the CUDA backend holds. Each destroys its
// handle exactly once, on every path: a constructor that throws after creating some of them
// leaks nothing, because the members already built are destroyed as it unwinds.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <utility>

#include "host/runtime/cuda/cuda_check.h"

namespace varscope::runtime::cuda {

// Owns one handle (a pointer-like T; T{} means none); Destroy runs on reset and destruction.
// Move-only. Destroy never throws: destruction cannot report, and after a sticky error the
// destroy calls fail harmlessly.
template <class T, void (*Destroy)(T) noexcept>
class Owner {
 public:
  Owner() = default;
  explicit Owner(T handle) noexcept : handle_(handle) {}
  Owner(Owner&& other) noexcept : handle_(std::exchange(other.handle_, T{})) {}
  Owner& operator=(Owner&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, T{});
    }
    return *this;
  }
  Owner(const Owner&) = delete;
  Owner& operator=(const Owner&) = delete;
  ~Owner() { reset(); }

  T get() const noexcept { return handle_; }
  explicit operator bool() const noexcept { return handle_ != T{}; }

  void reset() noexcept {
    if (handle_ != T{}) Destroy(std::exchange(handle_, T{}));
  }
  // For the create call's out-parameter: `cudaStreamCreate(stream.replace())`. Whatever was
  // held is destroyed first; a create call that fails leaves T{} (or writes nothing).
  T* replace() noexcept {
    reset();
    return &handle_;
  }

 private:
  T handle_{};
};

inline void destroy_stream(cudaStream_t s) noexcept {
  ignore_cuda_failure(cudaStreamDestroy(s));
}
inline void destroy_event(cudaEvent_t e) noexcept {
  ignore_cuda_failure(cudaEventDestroy(e));
}
// A pool with allocations still outstanding is released once they are all freed.
inline void destroy_mem_pool(cudaMemPool_t p) noexcept {
  ignore_cuda_failure(cudaMemPoolDestroy(p));
}
inline void destroy_graph(cudaGraph_t g) noexcept {
  ignore_cuda_failure(cudaGraphDestroy(g));
}
// An in-flight launch is not cut short: CUDA frees the executable graph when it completes.
inline void destroy_graph_exec(cudaGraphExec_t g) noexcept {
  ignore_cuda_failure(cudaGraphExecDestroy(g));
}
// cuBLAS and cuRAND report through their own status codes, but their destroy calls make
// runtime calls that may leave the thread's last error set: clear it likewise.
inline void destroy_blas(cublasHandle_t h) noexcept {
  if (cublas().destroy(h) != CUBLAS_STATUS_SUCCESS) cudaGetLastError();
}

using Stream = Owner<cudaStream_t, destroy_stream>;
using Event = Owner<cudaEvent_t, destroy_event>;
using MemPool = Owner<cudaMemPool_t, destroy_mem_pool>;
using Graph = Owner<cudaGraph_t, destroy_graph>;
using GraphExec = Owner<cudaGraphExec_t, destroy_graph_exec>;
using Blas = Owner<cublasHandle_t, destroy_blas>;

}  // namespace varscope::runtime::cuda
