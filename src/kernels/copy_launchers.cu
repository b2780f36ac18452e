// The device side of the strided copy: one thread per element, grid-stride; the index math
// is copy.h's, shared with the CPU backend.
#include <cuda_runtime.h>

#include <cstdint>
#include <type_traits>

#include "kernels/copy_launchers.h"
#include "kernels/dtype_dispatch.h"
#include "kernels/launch_common.cuh"

namespace varscope::kernels {
namespace {

template <typename T>
__global__ void strided_copy_kernel(StridedCopyArgs a) {
  const GridStride g = my_stride();
  for (std::int64_t i = g.first; i < a.count; i += g.step)
    strided_copy_element<T>(a, i);
}

template <typename T>
int copy_as(const StridedCopyArgs& a, cudaStream_t s) {
  strided_copy_kernel<T><<<blocks_for(a.count, kThreads), kThreads, 0, s>>>(a);
  return static_cast<int>(cudaGetLastError());
}

template <typename T>
__global__ void one_hot_kernel(OneHotArgs a) {
  const GridStride g = my_stride();
  for (std::int64_t i = g.first; i < a.count; i += g.step)
    one_hot_element<T>(a, i);
}

template <typename T>
int one_hot_as(const OneHotArgs& a, cudaStream_t s) {
  one_hot_kernel<T><<<blocks_for(a.count, kThreads), kThreads, 0, s>>>(a);
  return static_cast<int>(cudaGetLastError());
}

template <typename T>
__global__ void gather_kernel(GatherArgs a) {
  const GridStride g = my_stride();
  for (std::int64_t i = g.first; i < a.count; i += g.step)
    gather_element<T>(a, i);
}

template <typename T>
int gather_as(const GatherArgs& a, cudaStream_t s) {
  gather_kernel<T><<<blocks_for(a.count, kThreads), kThreads, 0, s>>>(a);
  return static_cast<int>(cudaGetLastError());
}

__device__ void atomic_add(float* p, float v) {
  atomicAdd(p, v);
}
__device__ void atomic_add(double* p, double v) {
  atomicAdd(p, v);
}
__device__ void atomic_add(std::int32_t* p, std::int32_t v) {
  atomicAdd(reinterpret_cast<int*>(p), static_cast<int>(v));
}
__device__ void atomic_add(std::int64_t* p, std::int64_t v) {  // two's complement wraps alike
  atomicAdd(reinterpret_cast<unsigned long long*>(p), static_cast<unsigned long long>(v));
}

template <typename T>
__global__ void segment_sum_kernel(SegmentSumArgs a) {
  const GridStride g = my_stride();
  for (std::int64_t i = g.first; i < a.count; i += g.step) {
    std::int64_t at = 0;
    if (segment_sum_target(a, i, at)) {
      atomic_add(static_cast<T*>(a.out) + at,
                 segment_sum_term(a, static_cast<const T*>(a.data)[i]));
    }
  }
}

}  // namespace

int launch_segment_sum(const SegmentSumArgs& a, void* stream) {
  if (a.count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  int status = static_cast<int>(cudaErrorInvalidValue);
  dispatch(kNumericTypes, a.dtype, [&](auto* type) {
    using T = std::remove_pointer_t<decltype(type)>;
    segment_sum_kernel<T><<<blocks_for(a.count, kThreads), kThreads, 0, s>>>(a);
    status = static_cast<int>(cudaGetLastError());
  });
  return status;
}

int launch_gather(const GatherArgs& a, void* stream) {
  if (a.count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  switch (a.element_size) {
    case 1:
      return gather_as<std::uint8_t>(a, s);
    case 2:
      return gather_as<std::uint16_t>(a, s);
    case 4:
      return gather_as<std::uint32_t>(a, s);
    case 8:
      return gather_as<std::uint64_t>(a, s);
    default:
      return static_cast<int>(cudaErrorInvalidValue);
  }
}

int launch_one_hot(const OneHotArgs& a, void* stream) {
  if (a.count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  switch (a.element_size) {
    case 1:
      return one_hot_as<std::uint8_t>(a, s);
    case 2:
      return one_hot_as<std::uint16_t>(a, s);
    case 4:
      return one_hot_as<std::uint32_t>(a, s);
    case 8:
      return one_hot_as<std::uint64_t>(a, s);
    default:
      return static_cast<int>(cudaErrorInvalidValue);
  }
}

int launch_strided_copy(const StridedCopyArgs& a, void* stream) {
  if (a.count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  switch (a.element_size) {
    case 1:
      return copy_as<std::uint8_t>(a, s);
    case 2:
      return copy_as<std::uint16_t>(a, s);
    case 4:
      return copy_as<std::uint32_t>(a, s);
    case 8:
      return copy_as<std::uint64_t>(a, s);
    default:
      return static_cast<int>(cudaErrorInvalidValue);
  }
}

}  // namespace varscope::kernels
