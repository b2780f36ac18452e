// Makes a device the calling thread's current one for a scope, and gives the caller's back at
// its end: a session on device 1 never leaves a thread that was on device 0 elsewhere.
#pragma once

#include <cuda_runtime_api.h>

#include <new>

#include "host/runtime/cuda/cuda_check.h"

namespace varscope::runtime::cuda {

// `device` when this process can use it; vs::UnavailableError saying why not otherwise
// (device.cpp).
int usable_device(int device);

class DeviceGuard {
 public:
  // Throws vs::InternalError naming the call that failed; then nothing is changed.
  explicit DeviceGuard(int device) {
    VARSCOPE_CHECK_CUDA(cudaGetDevice(&previous_));
    if (previous_ != device) {
      VARSCOPE_CHECK_CUDA(cudaSetDevice(device));
      switched_ = true;
    }
  }
  // For destructors and other paths that cannot throw: best effort, failures dropped (the
  // calls made under it will fail and report, or be dropped likewise).
  DeviceGuard(int device, std::nothrow_t) noexcept {
    cudaError_t err = cudaGetDevice(&previous_);
    if (err == cudaSuccess && previous_ != device) {
      err = cudaSetDevice(device);
      switched_ = err == cudaSuccess;
    }
    ignore_cuda_failure(err);
  }
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

  // Restoring only when we switched: the common single-device case costs one cudaGetDevice.
  // (From CUDA 12 on, cudaSetDevice initializes the previous device's primary context if it
  // had none; the caller's next runtime call on it would have done the same.)
  ~DeviceGuard() {
    if (switched_) ignore_cuda_failure(cudaSetDevice(previous_));
  }

 private:
  int previous_ = 0;
  bool switched_ = false;
};

}  // namespace varscope::runtime::cuda
