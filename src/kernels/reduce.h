// Reductions over any set of axes, and softmax over the last axis. Sums and products
// accumulate in double (integers in int64, wrapping as the element type would), so that
// float32 sums keep their precision; max and min are exact in that accumulator too. (The CPU
// backend's contiguous float32 sums add float partial sums in double instead;
// docs/kernels.md.)
#pragma once

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "kernels/elementwise.h"
#include "kernels/unary.h"

namespace varscope::kernels {

// kHalfSum: the sum halved (L2Loss sums the squares it was given; floating types only).
enum class ReduceOp : int { kSum, kMean, kHalfSum, kMax, kMin, kProd };

// The largest and smallest finite values of an element type (numeric_limits' functions are
// host-only for nvcc).
template <typename T>
VS_HD constexpr T highest_of() {
  if constexpr (std::is_same_v<T, float>) {
    return FLT_MAX;
  } else if constexpr (std::is_same_v<T, double>) {
    return DBL_MAX;
  } else {
    return static_cast<T>((std::uint64_t{1} << (8 * sizeof(T) - 1)) - 1);
  }
}
template <typename T>
VS_HD constexpr T lowest_of() {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<T>(-highest_of<T>() - 1);
  } else {
    return -highest_of<T>();
  }
}

// Output element i sums the input over the reduced axes: `kept` walks the output's
// coordinates (input strides of the kept axes), `reduced` the reduced ones.
struct Reduction {
  int kept_rank = 0;
  std::int64_t kept_dims[kMaxRank] = {};
  std::int64_t kept_strides[kMaxRank] = {};
  int reduced_rank = 0;
  std::int64_t reduced_dims[kMaxRank] = {};
  std::int64_t reduced_strides[kMaxRank] = {};
  std::int64_t reduced_count = 1;

  VS_HD std::int64_t base_of(std::int64_t out_index) const {
    std::int64_t base = 0;
    for (int d = kept_rank - 1; d >= 0; --d) {
      base += (out_index % kept_dims[d]) * kept_strides[d];
      out_index /= kept_dims[d];
    }
    return base;
  }
  VS_HD std::int64_t offset_of(std::int64_t r) const {
    std::int64_t offset = 0;
    for (int d = reduced_rank - 1; d >= 0; --d) {
      offset += (r % reduced_dims[d]) * reduced_strides[d];
      r /= reduced_dims[d];
    }
    return offset;
  }
};

// What a sum accumulates in: 64-bit integers, or double.
template <typename T>
using ReduceAcc = std::conditional_t<std::is_integral_v<T>, std::int64_t, double>;

// Max, min and product fold each element in with reduce_combine; the sums (kSum, kMean,
// kHalfSum) accumulate, then reduce_finish scales.
VS_HD constexpr bool reduce_folds(ReduceOp op) {
  return op == ReduceOp::kMax || op == ReduceOp::kMin || op == ReduceOp::kProd;
}

// What a reduction starts from: the value of a reduction of nothing (TF: 0, 1, -inf or
// +inf; an integer type's lowest or highest value).
template <typename T>
VS_HD inline ReduceAcc<T> reduce_identity(ReduceOp op) {
  using Acc = ReduceAcc<T>;
  if constexpr (std::is_integral_v<T>) {
    if (op == ReduceOp::kMax) return Acc(lowest_of<T>());
    if (op == ReduceOp::kMin) return Acc(highest_of<T>());
  } else {
    if (op == ReduceOp::kMax) return Acc(-INFINITY);
    if (op == ReduceOp::kMin) return Acc(INFINITY);
  }
  return op == ReduceOp::kProd ? Acc(1) : Acc(0);
}

// One element (or partial result) `v` into `acc`. Max and min skip NaN, as TF 1.15's CPU
// kernels (Eigen's MaxReducer keeps the accumulator unless v > acc): reduce_max of
// [1, NaN, 2] is 2, of [NaN, NaN] -inf. Integer products wrap (unsigned multiply).
template <typename T>
VS_HD inline ReduceAcc<T> reduce_combine(ReduceOp op, ReduceAcc<T> acc, ReduceAcc<T> v) {
  switch (op) {
    case ReduceOp::kMax:
      return v > acc ? v : acc;
    case ReduceOp::kMin:
      return v < acc ? v : acc;
    case ReduceOp::kProd:
      if constexpr (std::is_integral_v<T>) {
        return static_cast<ReduceAcc<T>>(static_cast<std::uint64_t>(acc) *
                                         static_cast<std::uint64_t>(v));
      } else {
        return acc * v;
      }
    default:
      return acc + v;
  }
}

// The output of an accumulated reduction over `count` elements: the mean divides (integers as
// integers, as TF's does; the mean of nothing is NaN).
template <typename T>
VS_HD inline T reduce_finish(ReduceOp op, ReduceAcc<T> acc, std::int64_t count) {
  if constexpr (std::is_integral_v<T>) {
    if (op == ReduceOp::kMean && count > 0) acc /= count;
    return static_cast<T>(acc);
  } else {
    if (op == ReduceOp::kMean) {
      acc = count > 0 ? acc / static_cast<double>(count) : static_cast<double>(NAN);
    } else if (op == ReduceOp::kHalfSum) {
      acc *= 0.5;
    }
    return static_cast<T>(acc);
  }
}

template <typename T>
VS_HD inline void reduce_element(
    ReduceOp op, const Reduction& red, const T* x, T* out, std::int64_t i) {
  const std::int64_t base = red.base_of(i);
  ReduceAcc<T> acc = reduce_identity<T>(op);
  for (std::int64_t r = 0; r < red.reduced_count; ++r)
    acc = reduce_combine<T>(op, acc, static_cast<ReduceAcc<T>>(x[base + red.offset_of(r)]));
  out[i] = reduce_finish<T>(op, acc, red.reduced_count);
}

// Whether dims/strides (outermost first) walk offsets 0, step, 2 step, ... in order.
inline bool walks_densely(int rank,
                          const std::int64_t* dims,
                          const std::int64_t* strides,
                          std::int64_t step) {
  std::int64_t expect = step;
  for (int d = rank - 1; d >= 0; --d) {
    if (dims[d] == 1) continue;
    if (strides[d] != expect) return false;
    expect *= dims[d];
  }
  return true;
}

// The layout a reduction's GPU kernel is picked by (launchers.cu): a row reduction
// (x[row * inner + j], the last axes reduced; one output is the all-reduce), a column
// reduction (x[j * outer + col], the first axes reduced), or strided.
struct ReduceLayout {
  enum Kind : int { kRows, kColumns, kStrided };
  Kind kind = kStrided;
  std::int64_t outer = 0;  // outputs
  std::int64_t inner = 0;  // elements summed per output
};

inline ReduceLayout reduce_layout(const Reduction& red, std::int64_t out_count) {
  ReduceLayout l;
  l.outer = out_count;
  l.inner = red.reduced_count;
  const bool reduced_unit =
      walks_densely(red.reduced_rank, red.reduced_dims, red.reduced_strides, 1);
  const bool kept_unit = walks_densely(red.kept_rank, red.kept_dims, red.kept_strides, 1);
  if (reduced_unit &&
      walks_densely(red.kept_rank, red.kept_dims, red.kept_strides, red.reduced_count)) {
    l.kind = ReduceLayout::kRows;
  } else if (kept_unit &&
             walks_densely(red.reduced_rank, red.reduced_dims, red.reduced_strides, out_count)) {
    l.kind = ReduceLayout::kColumns;
  }
  return l;
}

// Softmax's pieces, run per element by the GPU's block-per-row kernel and by softmax_row.
template <typename T>
VS_HD inline T softmax_max(T m, T v) {
  return v > m ? v : m;
}
template <typename T>
VS_HD inline T softmax_exp(T v, T m) {
  return platform_exp(v - m);
}
template <typename T>
VS_HD inline T softmax_scale(T e, double sum) {
  return static_cast<T>(static_cast<double>(e) / sum);
}

// LogSoftmax's element: (v - max) - log(sum), the sum of exp(x - max) over the row.
template <typename T>
VS_HD inline T log_softmax_value(T v, T m, double log_sum) {
  return static_cast<T>(static_cast<double>(v - m) - log_sum);
}

// Numerically stable softmax of one row: exp(x - max) / sum; with `log`, LogSoftmax.
template <typename T>
VS_HD inline void softmax_row(
    const T* x, T* out, std::int64_t row, std::int64_t cols, bool log = false) {
  const T* in = x + row * cols;
  T* o = out + row * cols;
  T m = in[0];
  for (std::int64_t c = 1; c < cols; ++c)
    m = softmax_max(m, in[c]);
  double sum = 0.0;
  for (std::int64_t c = 0; c < cols; ++c) {
    const T e = softmax_exp(in[c], m);
    o[c] = e;
    sum += static_cast<double>(e);
  }
  if (log) {
    const double log_sum = platform_log(sum);
    for (std::int64_t c = 0; c < cols; ++c)
      o[c] = log_softmax_value(in[c], m, log_sum);
    return;
  }
  for (std::int64_t c = 0; c < cols; ++c)
    o[c] = softmax_scale(o[c], sum);
}

}  // namespace varscope::kernels
