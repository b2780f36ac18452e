// Softmax and LogSoftmax over the last axis on the CPU, rows split over the pool. float32 rows run
// three passes in 16-float lanes (float_lanes.h: two 8-lane halves): the max, then exp(x - max)
// written and summed (float partial sums of 4096 elements added in double, as the float sums),
// then the scale. float64 rows use the shared
// kernel (libm's exp). Within the documented tolerance of the GPU's result.
#include <algorithm>
#include <cmath>
#include <type_traits>

#include "host/runtime/cpu/cpu_ops.h"
#include "host/runtime/cpu/float_lanes.h"
#include "host/runtime/cpu/isa.h"
#include "host/runtime/cpu/thread_pool.h"
#include "host/runtime/cpu/vector_exp.h"
#include "host/runtime/dtype_dispatch.h"

namespace varscope::runtime::cpu {
namespace {

constexpr std::int64_t kStep = 4 * kFloatLanes;

VS_CPU_INLINE void max_lanes(F32Lanes& m, const float* p) {
  F32Lanes v;
  load_lanes(v, p);
  max_into(m, v);
}

// The row's max; NaN is skipped as in kernels::softmax_row (unless it is in[0]).
VS_CPU_INLINE float row_max(const float* in, std::int64_t cols) {
  F32Lanes m0, m1, m2, m3;  // four chains: a compare-and-blend has a latency of a few cycles
  broadcast_lanes(m0, in[0]);
  m1 = m2 = m3 = m0;
  std::int64_t c = 0;
  for (; c + kStep <= cols; c += kStep) {
    max_lanes(m0, in + c);
    max_lanes(m1, in + c + kFloatLanes);
    max_lanes(m2, in + c + 2 * kFloatLanes);
    max_lanes(m3, in + c + 3 * kFloatLanes);
  }
  for (; c + kFloatLanes <= cols; c += kFloatLanes)
    max_lanes(m0, in + c);
  max_into(m0, m1);
  max_into(m0, m2);
  max_into(m0, m3);
  float m = lane_max(m0);
  for (; c < cols; ++c)
    m = in[c] > m ? in[c] : m;
  return m;
}

// exp of 16 lanes, in their 8-lane halves, added to the 16-lane sum.
VS_CPU_INLINE void exp_lanes(F32Lanes& sum, const F32x8& m, const float* in, float* o) {
  F32Lanes v, e;
  load_lanes(v, in);
  exp_nonpositive_lanes(v.lo - m, e.lo);  // x - max <= 0, or NaN
  exp_nonpositive_lanes(v.hi - m, e.hi);
  store_lanes(o, e);
  sum += e;
}

// o = exp(in - m) for n elements (at most kFloatBlock); returns their sum, in float.
VS_CPU_INLINE float exp_block(const float* in, float* o, std::int64_t n, float m) {
  F32x8 mv;
  F32Lanes s0 = {}, s1 = {}, s2 = {}, s3 = {};
  broadcast_lanes(mv, m);
  std::int64_t c = 0;
  for (; c + kStep <= n; c += kStep) {
    exp_lanes(s0, mv, in + c, o + c);
    exp_lanes(s1, mv, in + c + kFloatLanes, o + c + kFloatLanes);
    exp_lanes(s2, mv, in + c + 2 * kFloatLanes, o + c + 2 * kFloatLanes);
    exp_lanes(s3, mv, in + c + 3 * kFloatLanes, o + c + 3 * kFloatLanes);
  }
  for (; c + kFloatLanes <= n; c += kFloatLanes)
    exp_lanes(s0, mv, in + c, o + c);
  const F32Lanes total = (s0 + s1) + (s2 + s3);
  float sum = lane_total(total);
  for (; c < n; ++c) {
    o[c] = vector_exp(in[c] - m);
    sum += o[c];
  }
  return sum;
}

VS_CPU_CLONES void softmax_rows_f32(
    const float* x, float* out, std::int64_t rows, std::int64_t cols, bool log) {
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* in = x + r * cols;
    float* o = out + r * cols;
    const float m = row_max(in, cols);
    // The exps go to `o`, which the last pass overwrites.
    double sum = 0.0;
    for (std::int64_t c = 0; c < cols; c += kFloatBlock) {
      const std::int64_t n = std::min(kFloatBlock, cols - c);
      sum += static_cast<double>(exp_block(in + c, o + c, n, m));
    }
    if (log) {
      const double log_sum = std::log(sum);
      for (std::int64_t c = 0; c < cols; ++c)
        o[c] = kernels::log_softmax_value(in[c], m, log_sum);
      continue;
    }
    // 1 <= sum <= cols: its reciprocal is a normal float; e * inv is within 1 ulp of e / sum.
    const float inv =
        cols <= kFloatBlock ? 1.0f / static_cast<float>(sum) : static_cast<float>(1.0 / sum);
    for (std::int64_t c = 0; c < cols; ++c)
      o[c] = o[c] * inv;
  }
}

}  // namespace

void softmax(const kernels::SoftmaxArgs& a) {
  const std::int64_t rows = a.rows, cols = a.cols;
  if (rows <= 0 || cols <= 0) return;
  // exp is compute-bound: a thread pays off sooner than for a copy.
  const std::int64_t min_rows = std::max<std::int64_t>(1, 8192 / cols);
  dispatch(kernels::kFloatTypes, a.dtype, "softmax", [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const auto* xs = static_cast<const T*>(a.x);
    auto* o = static_cast<T*>(a.out);
    parallel_for(rows, min_rows, [&](std::int64_t b, std::int64_t e) {
      if constexpr (std::is_same_v<T, float>) {
        softmax_rows_f32(xs + b * cols, o + b * cols, e - b, cols, a.log);
      } else {
        for (std::int64_t r = b; r < e; ++r)
          kernels::softmax_row(xs, o, r, cols, a.log);
      }
    });
  });
}

}  // namespace varscope::runtime::cpu
