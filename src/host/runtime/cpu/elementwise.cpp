// Fill, binary ops with broadcasting and casts on the CPU (unary ops: unary.cpp): contiguous runs
// with unit or zero input strides (same shape, scalar, bias rows), vectorized per ISA clone and
// split over the thread pool when large. + - * / are single IEEE operations, as on the GPU.
#include <algorithm>
#include <cstring>
#include <type_traits>

#include "host/runtime/cpu/cpu_ops.h"
#include "host/runtime/cpu/isa.h"
#include "host/runtime/cpu/thread_pool.h"
#include "host/runtime/dtype_dispatch.h"

namespace varscope::runtime::cpu {
namespace {

using kernels::BinaryOp;

// o[j] = x[j * sx] op y[j * sy] with strides 0 or 1: each combination is its own loop,
// so that the compiler sees unit-stride or invariant operands and vectorizes.
template <typename Fn, typename T, typename O>
VS_CPU_CLONES void binary_run(
    Fn op, const T* x, bool x_moves, const T* y, bool y_moves, O* o, std::int64_t len) {
  if (x_moves && y_moves) {
    for (std::int64_t j = 0; j < len; ++j)
      o[j] = op(x[j], y[j]);
  } else if (x_moves) {
    const T b = y[0];
    for (std::int64_t j = 0; j < len; ++j)
      o[j] = op(x[j], b);
  } else if (y_moves) {
    const T a = x[0];
    for (std::int64_t j = 0; j < len; ++j)
      o[j] = op(a, y[j]);
  } else {
    const O v = op(x[0], y[0]);
    for (std::int64_t j = 0; j < len; ++j)
      o[j] = v;
  }
}

// Integer division by zero traps on x86; TF reports it instead. With broadcasting every
// element of y is used, so y itself is checked (its extent: the dimensions it moves along).
void check_no_zero_divisor(DType dtype, const kernels::Broadcast& bc, const void* y) {
  std::int64_t y_count = 1;
  for (int d = 0; d < bc.rank; ++d) {
    if (bc.y_strides[d] != 0) y_count *= bc.out_dims[d];
  }
  auto has_zero = [&](const auto* ys) { return std::find(ys, ys + y_count, 0) != ys + y_count; };
  const bool zero = dtype == DType::kInt64 ? has_zero(static_cast<const std::int64_t*>(y))
                                           : has_zero(static_cast<const std::int32_t*>(y));
  if (zero) throw InvalidArgumentError("Integer division by zero");
}

// Whether `strides` walk the output's dims contiguously (same shape as the output).
bool dense(const kernels::Broadcast& bc, const std::int64_t* strides) {
  std::int64_t expect = 1;
  for (int d = bc.rank - 1; d >= 0; --d) {
    if (bc.out_dims[d] != 1 && strides[d] != expect) return false;
    expect *= bc.out_dims[d];
  }
  return true;
}

bool all_zero(const kernels::Broadcast& bc, const std::int64_t* strides) {
  for (int d = 0; d < bc.rank; ++d) {
    if (strides[d] != 0) return false;
  }
  return true;
}

template <typename Fn, typename T, typename O>
void binary_typed(
    Fn op, const kernels::Broadcast& bc, const T* x, const T* y, O* o, std::int64_t count) {
  const bool x_dense = dense(bc, bc.x_strides), y_dense = dense(bc, bc.y_strides);
  const bool x_scalar = all_zero(bc, bc.x_strides), y_scalar = all_zero(bc, bc.y_strides);
  if ((x_dense || x_scalar) && (y_dense || y_scalar)) {  // one flat run
    parallel_for(count, kMinElementsPerThread, [&](std::int64_t b, std::int64_t e) {
      binary_run(op, x_dense ? x + b : x, x_dense, y_dense ? y + b : y, y_dense, o + b, e - b);
    });
    return;
  }
  // Rows of the innermost dimension: the broadcast index arithmetic once per row.
  const std::int64_t inner = bc.out_dims[bc.rank - 1];
  const std::int64_t sx = bc.x_strides[bc.rank - 1], sy = bc.y_strides[bc.rank - 1];
  const std::int64_t rows = count / inner;
  const std::int64_t min_rows = std::max<std::int64_t>(1, kMinElementsPerThread / inner);
  parallel_for(rows, min_rows, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t row = b; row < e; ++row) {
      std::int64_t xi, yi;
      bc.inputs_of(row * inner, &xi, &yi);
      binary_run(op, x + xi, sx != 0, y + yi, sy != 0, o + row * inner, inner);
    }
  });
}

template <typename T>
VS_CPU_CLONES void fill_run(T* out, T value, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i)
    out[i] = value;
}

template <typename T>
void fill_as(void* dst, const void* pattern, std::int64_t count) {
  T value;
  std::memcpy(&value, pattern, sizeof(T));
  T* out = static_cast<T*>(dst);
  parallel_for(count, kMinElementsPerThread,
               [&](std::int64_t b, std::int64_t e) { fill_run(out + b, value, e - b); });
}

template <typename From, typename To>
VS_CPU_CLONES void cast_run(const From* src, To* dst, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i)
    dst[i] = kernels::cast_value<From, To>(src[i]);
}

// One op of VS_BINARY_OPS for the element types the list names; the output's element is
// what the functor returns (bool for comparisons).
template <typename Fn, typename... Ts>
void run_listed(kernels::TypeList<Ts...> types, const kernels::BinaryArgs& a) {
  dispatch(types, a.dtype, "elementwise ops", [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    using O = decltype(Fn{}(T{}, T{}));
    Fn f;
    f.alpha = a.alpha;
    const T* xs = static_cast<const T*>(a.x);
    const T* ys = static_cast<const T*>(a.y);
    O* o = static_cast<O*>(a.out);
    if (a.broadcast.rank == 0) {
      o[0] = f(xs[0], ys[0]);
    } else {
      binary_typed(f, a.broadcast, xs, ys, o, a.count);
    }
  });
}

}  // namespace

void fill(const kernels::FillArgs& a) {
  switch (a.element_size) {
    case 1:
      return fill_as<std::uint8_t>(a.dst, a.pattern, a.count);
    case 2:
      return fill_as<std::uint16_t>(a.dst, a.pattern, a.count);
    case 4:
      return fill_as<std::uint32_t>(a.dst, a.pattern, a.count);
    case 8:
      return fill_as<std::uint64_t>(a.dst, a.pattern, a.count);
    default:
      throw InternalError("fill: unsupported element size " + std::to_string(a.element_size));
  }
}

void binary(const kernels::BinaryArgs& a) {
  if (a.count <= 0) return;
  const kernels::Broadcast& bc = a.broadcast;
  if (kernels::divides_by_y(a.op) && (a.dtype == DType::kInt32 || a.dtype == DType::kInt64)) {
    check_no_zero_divisor(a.dtype, bc, a.y);
  }
  switch (a.op) {
#define VS_BINARY_CASE(op, Name, types) \
  case BinaryOp::op:                    \
    return run_listed<kernels::Name##Fn>(kernels::types, a);
    VS_BINARY_OPS(VS_BINARY_CASE)
#undef VS_BINARY_CASE
  }
  throw InternalError("unknown binary op");
}

void cast(const kernels::CastArgs& a) {
  dispatch(kernels::kNumericBoolTypes, a.from, "ops", [&](auto* src_tag) {
    using From = std::remove_pointer_t<decltype(src_tag)>;
    dispatch(kernels::kNumericTypes, a.to, "ops", [&](auto* dst_tag) {
      using To = std::remove_pointer_t<decltype(dst_tag)>;
      const From* src = static_cast<const From*>(a.x);
      To* dst = static_cast<To*>(a.out);
      parallel_for(a.count, kMinElementsPerThread,
                   [&](std::int64_t b, std::int64_t e) { cast_run(src + b, dst + b, e - b); });
    });
  });
}

}  // namespace varscope::runtime::cpu
