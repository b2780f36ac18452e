// Ops along one axis of x viewed as [outer, n, inner]: ArgMax/ArgMin (the index of the best
// element of each line) and Cumsum/Cumprod (the running sums or products of each line). Shared by
// the CPU loops (host/runtime/cpu/axis_ops.cpp) and the CUDA kernels (axis_launchers.cu).
#pragma once

#include <cstdint>
#include <type_traits>

#include "kernels/hd.h"
#include "kernels/reduce.h"

namespace varscope::kernels {

enum class ArgReduceOp : int { kArgMax, kArgMin };

// The line through x[o, ., i]: its first element and the step between elements.
VS_HD inline std::int64_t line_start(std::int64_t line, std::int64_t n, std::int64_t inner) {
  return (line / inner) * n * inner + line % inner;
}

// An arg-reduction's candidate: a value and its index along the axis.
template <typename T>
struct ArgBest {
  T value;
  std::int64_t index;
};

// TF 1.15's CPU kernel (Eigen's ArgMaxTupleReducer) starts from (lowest, 0) and takes an
// element only when strictly better: ties give the first index, NaN is never taken, and a
// line with nothing better than the start (all NaN, all -inf) gives 0.
template <typename T>
VS_HD inline ArgBest<T> arg_identity(ArgReduceOp op) {
  return {op == ArgReduceOp::kArgMax ? lowest_of<T>() : highest_of<T>(), 0};
}

// The better of two candidates (a combine: associative, so a tree of partial results gives
// the sequential answer): the strictly better value, else the smaller index.
template <typename T>
VS_HD inline ArgBest<T> arg_combine(ArgReduceOp op, ArgBest<T> a, ArgBest<T> b) {
  const bool better = op == ArgReduceOp::kArgMax ? b.value > a.value : b.value < a.value;
  if (better || (b.value == a.value && b.index < a.index)) return b;
  return a;
}

// The index of line `line`'s best element, written to out[line] as I (int32 or int64).
template <typename T, typename I>
VS_HD inline void arg_reduce_line(
    ArgReduceOp op, const T* x, I* out, std::int64_t line, std::int64_t n, std::int64_t inner) {
  const T* p = x + line_start(line, n, inner);
  ArgBest<T> best = arg_identity<T>(op);
  for (std::int64_t k = 0; k < n; ++k)
    best = arg_combine(op, best, ArgBest<T>{p[k * inner], k});
  out[line] = static_cast<I>(best.index);
}

// Element k of a line in scan order: from the end when `reverse`.
VS_HD inline std::int64_t scan_position(std::int64_t k, std::int64_t n, bool reverse) {
  return reverse ? n - 1 - k : k;
}

// TF's Cumsum (op kSum) or Cumprod (kProd) of one line: out[k] = x[0] + ... + x[k]
// (exclusive: up to x[k - 1], the first 0 or 1; reverse: from the line's end). Sums and
// products accumulate in reduce.h's accumulator (double; int64, wrapping as the element
// type would).
template <typename T>
VS_HD inline void scan_line(ReduceOp op,
                            const T* x,
                            T* out,
                            std::int64_t line,
                            std::int64_t n,
                            std::int64_t inner,
                            bool exclusive,
                            bool reverse) {
  const std::int64_t start = line_start(line, n, inner);
  ReduceAcc<T> acc = reduce_identity<T>(op);
  for (std::int64_t k = 0; k < n; ++k) {
    const std::int64_t at = start + scan_position(k, n, reverse) * inner;
    const auto v = static_cast<ReduceAcc<T>>(x[at]);
    if (!exclusive) acc = reduce_combine<T>(op, acc, v);
    out[at] = static_cast<T>(acc);
    if (exclusive) acc = reduce_combine<T>(op, acc, v);
  }
}

}  // namespace varscope::kernels
