// The device side: grid-stride kernels over the shared __host__ __device__ functors.
// Compiled with -fmad=false so that no multiply-add is fused behind our back: the CPU
// backend (compiled with -ffp-contract=off) computes the same bits.
#include <cuda_runtime.h>

#include <cstring>

#include "kernels/launchers.h"

namespace varscope::kernels {
namespace {

constexpr int kThreads = 256;

int blocks_for(std::int64_t n) {
  const std::int64_t blocks = (n + kThreads - 1) / kThreads;
  return static_cast<int>(blocks < 65535 * 32 ? (blocks > 0 ? blocks : 1) : 65535 * 32);
}

template <typename T>
__global__ void fill_kernel(T* dst, T value, std::int64_t n) {
  for (std::int64_t i = blockIdx.x * std::int64_t(blockDim.x) + threadIdx.x; i < n;
       i += std::int64_t(gridDim.x) * blockDim.x) {
    dst[i] = value;
  }
}

template <typename T>
__global__ void random_kernel(
    RandomDistribution dist, Affine affine, T* data, std::int64_t count, std::int64_t work) {
  const int step = dist == RandomDistribution::kNormal ? 2 : 1;
  for (std::int64_t w = blockIdx.x * std::int64_t(blockDim.x) + threadIdx.x; w < work;
       w += std::int64_t(gridDim.x) * blockDim.x) {
    random_transform(dist, affine, data, w * step, count);
  }
}

template <typename T>
__global__ void random_int_kernel(T* data, std::int64_t count, T minval, T maxval) {
  for (std::int64_t i = blockIdx.x * std::int64_t(blockDim.x) + threadIdx.x; i < count;
       i += std::int64_t(gridDim.x) * blockDim.x) {
    random_int_transform(data, i, minval, maxval);
  }
}

template <typename T>
__global__ void binary_kernel(
    BinaryOp op, Broadcast bc, const T* x, const T* y, T* out, std::int64_t n) {
  for (std::int64_t i = blockIdx.x * std::int64_t(blockDim.x) + threadIdx.x; i < n;
       i += std::int64_t(gridDim.x) * blockDim.x) {
    binary_element(op, bc, x, y, out, i);
  }
}

template <typename T>
int fill_as(void* dst, const void* pattern, std::int64_t count, cudaStream_t s) {
  T value;
  std::memcpy(&value, pattern, sizeof(T));
  fill_kernel<<<blocks_for(count), kThreads, 0, s>>>(static_cast<T*>(dst), value, count);
  return static_cast<int>(cudaGetLastError());
}

template <typename T>
int binary_as(BinaryOp op,
              const Broadcast& bc,
              const void* x,
              const void* y,
              void* out,
              std::int64_t n,
              cudaStream_t s) {
  binary_kernel<<<blocks_for(n), kThreads, 0, s>>>(
      op, bc, static_cast<const T*>(x), static_cast<const T*>(y), static_cast<T*>(out), n);
  return static_cast<int>(cudaGetLastError());
}

}  // namespace

int launch_fill(
    void* dst, const void* pattern, std::size_t element_size, std::int64_t count, void* stream) {
  if (count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  switch (element_size) {
    case 1:
      return fill_as<std::uint8_t>(dst, pattern, count, s);
    case 2:
      return fill_as<std::uint16_t>(dst, pattern, count, s);
    case 4:
      return fill_as<std::uint32_t>(dst, pattern, count, s);
    case 8:
      return fill_as<std::uint64_t>(dst, pattern, count, s);
    default:
      return static_cast<int>(cudaErrorInvalidValue);
  }
}

int launch_random_transform(RandomDistribution dist,
                            const Affine& affine,
                            DType dtype,
                            void* data,
                            std::int64_t count,
                            void* stream) {
  if (count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  const std::int64_t work = dist == RandomDistribution::kNormal ? (count + 1) / 2 : count;
  if (dtype == DType::kFloat32) {
    random_kernel<<<blocks_for(work), kThreads, 0, s>>>(dist, affine, static_cast<float*>(data),
                                                        count, work);
  } else if (dtype == DType::kFloat64) {
    random_kernel<<<blocks_for(work), kThreads, 0, s>>>(dist, affine, static_cast<double*>(data),
                                                        count, work);
  } else {
    return static_cast<int>(cudaErrorInvalidValue);
  }
  return static_cast<int>(cudaGetLastError());
}

int launch_random_int_transform(DType dtype,
                                void* data,
                                std::int64_t count,
                                std::int64_t minval,
                                std::int64_t maxval,
                                void* stream) {
  if (count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  if (dtype == DType::kInt64) {
    random_int_kernel<<<blocks_for(count), kThreads, 0, s>>>(static_cast<std::int64_t*>(data),
                                                             count, minval, maxval);
  } else if (dtype == DType::kInt32) {
    random_int_kernel<<<blocks_for(count), kThreads, 0, s>>>(
        static_cast<std::int32_t*>(data), count, static_cast<std::int32_t>(minval),
        static_cast<std::int32_t>(maxval));
  } else {
    return static_cast<int>(cudaErrorInvalidValue);
  }
  return static_cast<int>(cudaGetLastError());
}

int launch_binary(BinaryOp op,
                  DType dtype,
                  const Broadcast& bc,
                  const void* x,
                  const void* y,
                  void* out,
                  std::int64_t count,
                  void* stream) {
  if (count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  switch (dtype) {
    case DType::kFloat32:
      return binary_as<float>(op, bc, x, y, out, count, s);
    case DType::kFloat64:
      return binary_as<double>(op, bc, x, y, out, count, s);
    case DType::kInt32:
      return binary_as<std::int32_t>(op, bc, x, y, out, count, s);
    case DType::kInt64:
      return binary_as<std::int64_t>(op, bc, x, y, out, count, s);
    default:
      return static_cast<int>(cudaErrorInvalidValue);
  }
}

}  // namespace varscope::kernels
