// What the ops_bench sources share: random inputs, CUDA event timing, the CUDA backend rig.
// GPU rows time device work as device work (issue 15): CUDA events around the backend calls
// a run enqueues (kernels and cuBLAS calls only), as the baselines time their one call; what
// a Session::run adds on the host (planning, feeds, read-backs, the final sync) is its own
// *_SessionRunWall row. GPU figures are unmeasured so far (no machine had a GPU).
#pragma once

#include <benchmark/benchmark.h>
#include <cblas.h>
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <varscope/varscope.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <type_traits>
#include <vector>

#include "bench_common.h"
#include "cuda_events.h"
#include "host/runtime/backend.h"

namespace vs = varscope;

namespace ops_bench {

using bench::Events;

inline std::vector<float> random_values(std::int64_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (float& x : v)
    x = u(rng);
  return v;
}

// Events around `enqueue` only, after one warm-up call (module load, cuBLAS heuristics).
template <typename F>
void time_device(benchmark::State& state, cudaStream_t stream, F&& enqueue) {
  enqueue();
  cudaStreamSynchronize(stream);
  Events ev;
  for (auto _ : state) {
    cudaEventRecord(ev.start, stream);
    enqueue();
    cudaEventRecord(ev.stop, stream);
    state.SetIterationTime(ev.seconds());
  }
}

// The CUDA backend on a stream of ours, with device copies of host values.
struct DeviceRig {
  cudaStream_t stream = nullptr;
  std::unique_ptr<vs::runtime::Backend> backend;
  std::vector<void*> buffers;
  explicit DeviceRig(bool tf32 = false) {
    cudaStreamCreate(&stream);
    backend = vs::runtime::make_cuda_backend(0, stream, tf32);
  }
  template <typename T>
  void* upload(const std::vector<T>& host) {
    void* p = backend->allocate(host.size() * sizeof(T));
    backend->copy_from_host(p, host.data(), host.size() * sizeof(T));
    buffers.push_back(p);
    return p;
  }
  void* scratch(std::size_t bytes) {
    buffers.push_back(backend->allocate(bytes));
    return buffers.back();
  }
  ~DeviceRig() {
    for (void* p : buffers)
      backend->deallocate(p);
    backend->synchronize();
    backend.reset();
    cudaStreamDestroy(stream);
  }
};

}  // namespace ops_bench
