// Reductions over any set of axes, and softmax over the last axis. Sums accumulate in
// double whatever the dtype, so that float32 sums keep their precision.
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "kernels/elementwise.h"
#include "kernels/unary.h"

namespace varscope::kernels {

enum class ReduceOp : int { kSum, kMean };

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

template <typename T>
VS_HD inline void reduce_element(
    ReduceOp op, const Reduction& red, const T* x, T* out, std::int64_t i) {
  const std::int64_t base = red.base_of(i);
  if constexpr (std::is_integral_v<T>) {
    // Integers sum exactly (in 64 bits); the mean divides as integers, as TF's does.
    std::int64_t acc = 0;
    for (std::int64_t r = 0; r < red.reduced_count; ++r)
      acc += x[base + red.offset_of(r)];
    if (op == ReduceOp::kMean && red.reduced_count > 0) acc /= red.reduced_count;
    out[i] = static_cast<T>(acc);
  } else {
    double acc = 0.0;
    for (std::int64_t r = 0; r < red.reduced_count; ++r) {
      acc += static_cast<double>(x[base + red.offset_of(r)]);
    }
    if (op == ReduceOp::kMean) {
      acc = red.reduced_count > 0 ? acc / static_cast<double>(red.reduced_count)
                                  : static_cast<double>(NAN);
    }
    out[i] = static_cast<T>(acc);
  }
}

// Numerically stable softmax of one row: exp(x - max) / sum.
template <typename T>
VS_HD inline void softmax_row(const T* x, T* out, std::int64_t row, std::int64_t cols) {
  const T* in = x + row * cols;
  T* o = out + row * cols;
  T m = in[0];
  for (std::int64_t c = 1; c < cols; ++c)
    m = in[c] > m ? in[c] : m;
  double sum = 0.0;
  for (std::int64_t c = 0; c < cols; ++c) {
    const T e = platform_exp(in[c] - m);
    o[c] = e;
    sum += static_cast<double>(e);
  }
  for (std::int64_t c = 0; c < cols; ++c)
    o[c] = static_cast<T>(static_cast<double>(o[c]) / sum);
}

}  // namespace varscope::kernels
