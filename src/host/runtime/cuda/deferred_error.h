// Errors reported where they belong: a CUDA failure in a call that cannot throw
// (Backend::deallocate is noexcept) is kept for the next call that can, instead of being
// dropped; an error other code left pending is reported as such before a session call, not
// blamed on our next kernel launch.
#pragma once

#include <cuda_runtime_api.h>

#include <string>

#include "host/runtime/cuda/cuda_check.h"

namespace varscope::runtime::cuda {

class DeferredError {
 public:
  // Keeps the first failure until raise(); later ones are counted. `call` must be a string
  // literal (VARSCOPE_KEEP_CUDA_FAILURE passes the stringified call). Also clears the
  // thread's last error, which would otherwise be blamed on the next kernel launch.
  void keep(cudaError_t err, const char* call) noexcept {
    if (err == cudaSuccess) return;
    cudaGetLastError();
    if (err_ == cudaSuccess) {
      err_ = err;
      call_ = call;
    } else {
      ++more_;
    }
  }

  bool pending() const noexcept { return err_ != cudaSuccess; }

  // Throws vs::InternalError for the kept failure, saying it happened earlier, and forgets it.
  void raise() {
    if (err_ == cudaSuccess) return;
    std::string message = "an earlier " + cuda_error_text(call_, err_);
    if (more_ > 0) message += " (and " + std::to_string(more_) + " more failure(s) since)";
    err_ = cudaSuccess;
    call_ = nullptr;
    more_ = 0;
    throw InternalError(message);
  }

 private:
  cudaError_t err_ = cudaSuccess;
  const char* call_ = nullptr;
  unsigned more_ = 0;
};

// The thread's last error, when set on entry to a session call, was left by earlier work
// (other code's failed call, not cleared): report it as that, and clear it (unless sticky),
// or the launch check after our first kernel would report it as the kernel's failure.
inline void raise_stale_error() {
  const cudaError_t stale = cudaGetLastError();
  if (stale != cudaSuccess) {
    throw InternalError(std::string("a CUDA error was pending before this call began, left by ") +
                        "earlier work on this thread; nothing was run: " +
                        cudaGetErrorString(stale) + " (" + cudaGetErrorName(stale) + ")");
  }
}

}  // namespace varscope::runtime::cuda

#define VARSCOPE_KEEP_CUDA_FAILURE(deferred, call) (deferred).keep((call), #call)
