// The device side: grid-stride kernels over the shared __host__ __device__ functors.
// Compiled with -fmad=false so that no multiply-add is fused behind our back: the CPU
// backend (compiled with -ffp-contract=off) computes the same bits.
#include <cuda_runtime.h>

#include <cstring>
#include <type_traits>

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

// One pass: thread-quad q computes the Philox block(s) of the op's words [4q, 4q + 4) and
// writes their elements; consecutive threads write consecutive 16 bytes.
template <typename T>
__global__ void random_kernel(RandomSpec spec, T* out, std::int64_t count, std::int64_t quads) {
  for (std::int64_t q = blockIdx.x * std::int64_t(blockDim.x) + threadIdx.x; q < quads;
       q += std::int64_t(gridDim.x) * blockDim.x) {
    random_quad(spec, out, count, q);
  }
}

template <typename T>
void launch_random_as(const RandomSpec& spec, void* out, std::int64_t count, cudaStream_t s) {
  const auto quads = static_cast<std::int64_t>((random_stream_words(count, sizeof(T)) + 3) / 4);
  random_kernel<<<blocks_for(quads), kThreads, 0, s>>>(spec, static_cast<T*>(out), count, quads);
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

template <typename T>
__global__ void unary_kernel(UnaryOp op, const T* x, T* out, std::int64_t n) {
  for (std::int64_t i = blockIdx.x * std::int64_t(blockDim.x) + threadIdx.x; i < n;
       i += std::int64_t(gridDim.x) * blockDim.x) {
    out[i] = apply(op, x[i]);
  }
}

template <typename From, typename To>
__global__ void cast_kernel(const From* x, To* out, std::int64_t n) {
  for (std::int64_t i = blockIdx.x * std::int64_t(blockDim.x) + threadIdx.x; i < n;
       i += std::int64_t(gridDim.x) * blockDim.x) {
    out[i] = cast_value<From, To>(x[i]);
  }
}

template <typename T>
__global__ void reduce_kernel(ReduceOp op, Reduction red, const T* x, T* out, std::int64_t n) {
  for (std::int64_t i = blockIdx.x * std::int64_t(blockDim.x) + threadIdx.x; i < n;
       i += std::int64_t(gridDim.x) * blockDim.x) {
    reduce_element(op, red, x, out, i);
  }
}

template <typename T>
__global__ void softmax_kernel(const T* x, T* out, std::int64_t rows, std::int64_t cols) {
  for (std::int64_t r = blockIdx.x * std::int64_t(blockDim.x) + threadIdx.x; r < rows;
       r += std::int64_t(gridDim.x) * blockDim.x) {
    softmax_row(x, out, r, cols);
  }
}

// Calls f(static_cast<T*>(nullptr)) with T the C++ type of a numeric dtype; false if none.
template <typename F>
bool dispatch_numeric(DType dtype, F&& f) {
  switch (dtype) {
    case DType::kFloat32:
      f(static_cast<float*>(nullptr));
      return true;
    case DType::kFloat64:
      f(static_cast<double*>(nullptr));
      return true;
    case DType::kInt32:
      f(static_cast<std::int32_t*>(nullptr));
      return true;
    case DType::kInt64:
      f(static_cast<std::int64_t*>(nullptr));
      return true;
    default:
      return false;
  }
}

}  // namespace

int launch_unary(
    UnaryOp op, DType dtype, const void* x, void* out, std::int64_t count, void* stream) {
  if (count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  if (dtype == DType::kFloat32) {
    unary_kernel<<<blocks_for(count), kThreads, 0, s>>>(op, static_cast<const float*>(x),
                                                        static_cast<float*>(out), count);
  } else if (dtype == DType::kFloat64) {
    unary_kernel<<<blocks_for(count), kThreads, 0, s>>>(op, static_cast<const double*>(x),
                                                        static_cast<double*>(out), count);
  } else {
    return static_cast<int>(cudaErrorInvalidValue);
  }
  return static_cast<int>(cudaGetLastError());
}

int launch_cast(DType from, DType to, const void* x, void* out, std::int64_t count, void* stream) {
  if (count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  bool ok = false;
  dispatch_numeric(from, [&](auto* src_tag) {
    using From = std::remove_pointer_t<decltype(src_tag)>;
    ok = dispatch_numeric(to, [&](auto* dst_tag) {
      using To = std::remove_pointer_t<decltype(dst_tag)>;
      cast_kernel<<<blocks_for(count), kThreads, 0, s>>>(static_cast<const From*>(x),
                                                         static_cast<To*>(out), count);
    });
  });
  return ok ? static_cast<int>(cudaGetLastError()) : static_cast<int>(cudaErrorInvalidValue);
}

int launch_reduce(ReduceOp op,
                  DType dtype,
                  const Reduction& red,
                  const void* x,
                  void* out,
                  std::int64_t out_count,
                  void* stream) {
  if (out_count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  const bool ok = dispatch_numeric(dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    reduce_kernel<<<blocks_for(out_count), kThreads, 0, s>>>(op, red, static_cast<const T*>(x),
                                                             static_cast<T*>(out), out_count);
  });
  return ok ? static_cast<int>(cudaGetLastError()) : static_cast<int>(cudaErrorInvalidValue);
}

int launch_softmax(
    DType dtype, const void* x, void* out, std::int64_t rows, std::int64_t cols, void* stream) {
  if (rows == 0 || cols == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  if (dtype == DType::kFloat32) {
    softmax_kernel<<<blocks_for(rows), kThreads, 0, s>>>(static_cast<const float*>(x),
                                                         static_cast<float*>(out), rows, cols);
  } else if (dtype == DType::kFloat64) {
    softmax_kernel<<<blocks_for(rows), kThreads, 0, s>>>(static_cast<const double*>(x),
                                                         static_cast<double*>(out), rows, cols);
  } else {
    return static_cast<int>(cudaErrorInvalidValue);
  }
  return static_cast<int>(cudaGetLastError());
}

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

int launch_random(
    const RandomSpec& spec, DType dtype, void* out, std::int64_t count, void* stream) {
  if (count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  const bool ints = spec.dist == RandomDistribution::kUniformInt;
  if (dtype == DType::kFloat32 && !ints) {
    launch_random_as<float>(spec, out, count, s);
  } else if (dtype == DType::kFloat64 && !ints) {
    launch_random_as<double>(spec, out, count, s);
  } else if (dtype == DType::kInt32 && ints) {
    launch_random_as<std::int32_t>(spec, out, count, s);
  } else if (dtype == DType::kInt64 && ints) {
    launch_random_as<std::int64_t>(spec, out, count, s);
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
