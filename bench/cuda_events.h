// CUDA event timing shared by the benchmark binaries that sit beside raw CUDA baselines.
// Every CUDA call is checked: a failed one ends the benchmark run with its message.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdio>
#include <cstdlib>

namespace bench {

inline void check_cuda(cudaError_t status, const char* call) {
  if (status == cudaSuccess) return;
  std::fprintf(stderr, "benchmark: %s failed: %s\n", call, cudaGetErrorString(status));
  std::abort();
}

// A start and a stop event; seconds() waits for stop and gives the time between them.
struct Events {
  cudaEvent_t start{}, stop{};
  Events() {
    check_cuda(cudaEventCreate(&start), "cudaEventCreate");
    check_cuda(cudaEventCreate(&stop), "cudaEventCreate");
  }
  ~Events() {
    cudaEventDestroy(start);  // teardown: nothing left to report to
    cudaEventDestroy(stop);
  }
  Events(const Events&) = delete;
  Events& operator=(const Events&) = delete;
  double seconds() {
    check_cuda(cudaEventSynchronize(stop), "cudaEventSynchronize");
    float ms = 0;
    check_cuda(cudaEventElapsedTime(&ms, start, stop), "cudaEventElapsedTime");
    return ms / 1e3;
  }
};

}  // namespace bench
