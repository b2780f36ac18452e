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
template <typename Fn, typename T, typename O, FastBroadcast::Kind kKind>
__global__ void binary_kernel(
    Fn op, FastBroadcast bc, const T* x, const T* y, O* out, std::int64_t n, int* zero_divisor) {
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
    if constexpr (Fn::kDividesByY && std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      if (b == T(0)) *zero_divisor = 1;
    }
    out[i] = op(a, b);
  }
}

template <typename T>
int fill_as(void* dst, const void* pattern, std::int64_t count, cudaStream_t s) {
  T value;
  std::memcpy(&value, pattern, sizeof(T));
  fill_kernel<<<blocks_for(count, kThreads), kThreads, 0, s>>>(static_cast<T*>(dst), value, count);
  return static_cast<int>(cudaGetLastError());
}

template <typename Fn, typename T>
int binary_as(const BinaryArgs& a, int* zero_divisor, cudaStream_t s) {
  using O = decltype(Fn{}(T{}, T{}));
  Fn op;
  op.alpha = a.alpha;
  const std::int64_t n = a.count;
  const FastBroadcast bc = make_fast_broadcast(a.broadcast, n);
  const auto* xs = static_cast<const T*>(a.x);
  const auto* ys = static_cast<const T*>(a.y);
  auto* o = static_cast<O*>(a.out);
  switch (bc.kind) {
    case FastBroadcast::kSame:
      binary_kernel<Fn, T, O, FastBroadcast::kSame>
          <<<blocks_for(n, kThreads), kThreads, 0, s>>>(op, bc, xs, ys, o, n, zero_divisor);
      break;
    case FastBroadcast::kScalarX:
      binary_kernel<Fn, T, O, FastBroadcast::kScalarX>
          <<<blocks_for(n, kThreads), kThreads, 0, s>>>(op, bc, xs, ys, o, n, zero_divisor);
      break;
    case FastBroadcast::kScalarY:
      binary_kernel<Fn, T, O, FastBroadcast::kScalarY>
          <<<blocks_for(n, kThreads), kThreads, 0, s>>>(op, bc, xs, ys, o, n, zero_divisor);
      break;
    default:  // kGeneral and kGeneral64: inputs_of picks by bc.kind
      binary_kernel<Fn, T, O, FastBroadcast::kGeneral>
          <<<blocks_for(n, kThreads), kThreads, 0, s>>>(op, bc, xs, ys, o, n, zero_divisor);
      break;
  }
  return static_cast<int>(cudaGetLastError());
}

// One op of VS_BINARY_OPS for the element types its line names.
template <typename Fn, typename... Ts>
int binary_listed(TypeList<Ts...> types, const BinaryArgs& a, int* zero_divisor, cudaStream_t s) {
  int err = 0;
  const bool ok = dispatch(types, a.dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    err = binary_as<Fn, T>(a, zero_divisor, s);
  });
  return ok ? err : static_cast<int>(cudaErrorInvalidValue);
}

template <typename Fn, typename T>
__global__ void unary_kernel(Fn op, const T* x, T* out, std::int64_t n) {
  const GridStride g = my_stride();
  for (std::int64_t i = g.first; i < n; i += g.step) {
    out[i] = op(x[i]);
  }
}

template <typename Fn, typename... Ts>
int unary_listed(TypeList<Ts...> types, const UnaryArgs& a, cudaStream_t s) {
  Fn op;
  op.alpha = a.alpha;
  const bool ok = dispatch(types, a.dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    unary_kernel<<<blocks_for(a.count, kThreads), kThreads, 0, s>>>(
        op, static_cast<const T*>(a.x), static_cast<T*>(a.out), a.count);
  });
  return launched(ok);
}

template <typename From, typename To>
__global__ void cast_kernel(const From* x, To* out, std::int64_t n) {
  const GridStride g = my_stride();
  for (std::int64_t i = g.first; i < n; i += g.step) {
    out[i] = cast_value<From, To>(x[i]);
  }
}

}  // namespace

int launch_unary(const UnaryArgs& a, void* stream) {
  if (a.count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  switch (a.op) {
#define VS_UNARY_CASE(op, Name, types) \
  case UnaryOp::op:                    \
    return unary_listed<Name##Fn>(types, a, s);
    VS_UNARY_OPS(VS_UNARY_CASE)
#undef VS_UNARY_CASE
  }
  return static_cast<int>(cudaErrorInvalidValue);
}

int launch_cast(const CastArgs& a, void* stream) {
  if (a.count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  bool ok = false;
  dispatch(kNumericBoolTypes, a.from, [&](auto* src_tag) {
    using From = std::remove_pointer_t<decltype(src_tag)>;
    ok = dispatch(kNumericTypes, a.to, [&](auto* dst_tag) {
      using To = std::remove_pointer_t<decltype(dst_tag)>;
      cast_kernel<<<blocks_for(a.count, kThreads), kThreads, 0, s>>>(
          static_cast<const From*>(a.x), static_cast<To*>(a.out), a.count);
    });
  });
  return launched(ok);
}

int launch_fill(const FillArgs& a, void* stream) {
  if (a.count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  switch (a.element_size) {
    case 1:
      return fill_as<std::uint8_t>(a.dst, a.pattern, a.count, s);
    case 2:
      return fill_as<std::uint16_t>(a.dst, a.pattern, a.count, s);
    case 4:
      return fill_as<std::uint32_t>(a.dst, a.pattern, a.count, s);
    case 8:
      return fill_as<std::uint64_t>(a.dst, a.pattern, a.count, s);
    default:
      return static_cast<int>(cudaErrorInvalidValue);
  }
}

int launch_random(const RandomArgs& a, void* stream) {
  if (a.count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  const auto random = [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    launch_random_as<T>(a.spec, a.out, a.count, s);
  };
  // Float distributions fill float32/float64, kUniformInt int32/int64.
  const bool ints = a.spec.dist == RandomDistribution::kUniformInt;
  const bool ok =
      ints ? dispatch(kIntegerTypes, a.dtype, random) : dispatch(kFloatTypes, a.dtype, random);
  return launched(ok);
}

int launch_binary(const BinaryArgs& a, int* zero_divisor, void* stream) {
  if (a.count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  switch (a.op) {
#define VS_BINARY_CASE(op, Name, types) \
  case BinaryOp::op:                    \
    return binary_listed<Name##Fn>(types, a, zero_divisor, s);
    VS_BINARY_OPS(VS_BINARY_CASE)
#undef VS_BINARY_CASE
  }
  return static_cast<int>(cudaErrorInvalidValue);
}

}  // namespace varscope::kernels
