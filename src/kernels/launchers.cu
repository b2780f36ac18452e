// The device side: grid-stride kernels over the shared __host__ __device__ functors
// (reductions and softmax: reduce_launchers.cu; docs/kernels.md).
// Compiled with -fmad=false so that no multiply-add is fused behind our back: the CPU
// backend (compiled with -ffp-contract=off) computes the same bits.
#include <cuda_runtime.h>

#include <cstring>
#include <type_traits>

#include "kernels/launch_common.cuh"
#include "kernels/launchers.h"

namespace varscope::kernels {
namespace {

template <typename T>
__global__ void fill_kernel(T* dst, T value, std::int64_t n) {
  const GridStride g = my_stride();
  for (std::int64_t i = g.first; i < n; i += g.step) {
    dst[i] = value;
  }
}

// One pass: thread-quad q computes the Philox block(s) of the op's words [4q, 4q + 4) and
// writes their elements; consecutive threads write consecutive 16 bytes.
template <typename T>
__global__ void random_kernel(RandomSpec spec, T* out, std::int64_t count, std::int64_t quads) {
  const GridStride g = my_stride();
  for (std::int64_t q = g.first; q < quads; q += g.step) {
    random_quad(spec, out, count, q);
  }
}

template <typename T>
void launch_random_as(const RandomSpec& spec, void* out, std::int64_t count, cudaStream_t s) {
  const auto quads = static_cast<std::int64_t>((random_stream_words(count, sizeof(T)) + 3) / 4);
  random_kernel<<<blocks_for(quads, kThreads), kThreads, 0, s>>>(spec, static_cast<T*>(out), count,
                                                                 quads);
}

// One output element per step of the grid-stride loop; the broadcast's index maths comes
// from the host (make_fast_broadcast), with the contiguous and scalar cases as their own
// instantiations. An integer division by zero raises *zero_divisor (the backend reports
// it at the run's end) and writes 0.
template <typename T, FastBroadcast::Kind kKind>
__global__ void binary_kernel(BinaryOp op,
                              FastBroadcast bc,
                              const T* x,
                              const T* y,
                              T* out,
                              std::int64_t n,
                              int* zero_divisor) {
  const GridStride g = my_stride();
  for (std::int64_t i = g.first; i < n; i += g.step) {
    T a, b;
    if constexpr (kKind == FastBroadcast::kSame) {
      a = x[i];
      b = y[i];
    } else if constexpr (kKind == FastBroadcast::kScalarX) {
      a = x[0];
      b = y[i];
    } else if constexpr (kKind == FastBroadcast::kScalarY) {
      a = x[i];
      b = y[0];
    } else {
      std::int64_t xi, yi;
      bc.inputs_of(i, &xi, &yi);
      a = x[xi];
      b = y[yi];
    }
    if constexpr (std::is_integral_v<T>) {
      if (op == BinaryOp::kDiv && b == T(0)) *zero_divisor = 1;
    }
    out[i] = apply(op, a, b);
  }
}

template <typename T>
int fill_as(void* dst, const void* pattern, std::int64_t count, cudaStream_t s) {
  T value;
  std::memcpy(&value, pattern, sizeof(T));
  fill_kernel<<<blocks_for(count, kThreads), kThreads, 0, s>>>(static_cast<T*>(dst), value, count);
  return static_cast<int>(cudaGetLastError());
}

template <typename T>
int binary_as(BinaryOp op,
              const Broadcast& broadcast,
              const void* x,
              const void* y,
              void* out,
              std::int64_t n,
              int* zero_divisor,
              cudaStream_t s) {
  const FastBroadcast bc = make_fast_broadcast(broadcast, n);
  const auto* xs = static_cast<const T*>(x);
  const auto* ys = static_cast<const T*>(y);
  auto* o = static_cast<T*>(out);
  switch (bc.kind) {
    case FastBroadcast::kSame:
      binary_kernel<T, FastBroadcast::kSame>
          <<<blocks_for(n, kThreads), kThreads, 0, s>>>(op, bc, xs, ys, o, n, zero_divisor);
      break;
    case FastBroadcast::kScalarX:
      binary_kernel<T, FastBroadcast::kScalarX>
          <<<blocks_for(n, kThreads), kThreads, 0, s>>>(op, bc, xs, ys, o, n, zero_divisor);
      break;
    case FastBroadcast::kScalarY:
      binary_kernel<T, FastBroadcast::kScalarY>
          <<<blocks_for(n, kThreads), kThreads, 0, s>>>(op, bc, xs, ys, o, n, zero_divisor);
      break;
    default:  // kGeneral and kGeneral64: inputs_of picks by bc.kind
      binary_kernel<T, FastBroadcast::kGeneral>
          <<<blocks_for(n, kThreads), kThreads, 0, s>>>(op, bc, xs, ys, o, n, zero_divisor);
      break;
  }
  return static_cast<int>(cudaGetLastError());
}

template <typename T>
__global__ void unary_kernel(UnaryOp op, const T* x, T* out, std::int64_t n) {
  const GridStride g = my_stride();
  for (std::int64_t i = g.first; i < n; i += g.step) {
    out[i] = apply(op, x[i]);
  }
}

template <typename From, typename To>
__global__ void cast_kernel(const From* x, To* out, std::int64_t n) {
  const GridStride g = my_stride();
  for (std::int64_t i = g.first; i < n; i += g.step) {
    out[i] = cast_value<From, To>(x[i]);
  }
}

}  // namespace

int launch_unary(
    UnaryOp op, DType dtype, const void* x, void* out, std::int64_t count, void* stream) {
  if (count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  if (dtype == DType::kFloat32) {
    unary_kernel<<<blocks_for(count, kThreads), kThreads, 0, s>>>(op, static_cast<const float*>(x),
                                                                  static_cast<float*>(out), count);
  } else if (dtype == DType::kFloat64) {
    unary_kernel<<<blocks_for(count, kThreads), kThreads, 0, s>>>(op, static_cast<const double*>(x),
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
      cast_kernel<<<blocks_for(count, kThreads), kThreads, 0, s>>>(static_cast<const From*>(x),
                                                                   static_cast<To*>(out), count);
    });
  });
  return ok ? static_cast<int>(cudaGetLastError()) : static_cast<int>(cudaErrorInvalidValue);
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
                  int* zero_divisor,
                  void* stream) {
  if (count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  switch (dtype) {
    case DType::kFloat32:
      return binary_as<float>(op, bc, x, y, out, count, zero_divisor, s);
    case DType::kFloat64:
      return binary_as<double>(op, bc, x, y, out, count, zero_divisor, s);
    case DType::kInt32:
      return binary_as<std::int32_t>(op, bc, x, y, out, count, zero_divisor, s);
    case DType::kInt64:
      return binary_as<std::int64_t>(op, bc, x, y, out, count, zero_divisor, s);
    default:
      return static_cast<int>(cudaErrorInvalidValue);
  }
}

}  // namespace varscope::kernels
