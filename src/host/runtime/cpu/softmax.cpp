// Softmax over the last axis on the CPU, rows split over the pool. float32 rows run four
// vectorized passes (max, exp, the row's sum in double lanes, scale); float64 rows use
// the shared kernel (libm's exp). Within the documented tolerance of the GPU's result.
#include <algorithm>
#include <cstring>

#include "host/runtime/cpu/cpu_ops.h"
#include "host/runtime/cpu/isa.h"
#include "host/runtime/cpu/thread_pool.h"
#include "host/runtime/cpu/vector_exp.h"

namespace varscope::runtime::cpu {
namespace {

constexpr int kLanes = 16;
// GCC vector extension: each ISA clone lowers it to its own registers.
typedef float F32Lanes __attribute__((vector_size(kLanes * sizeof(float))));

VS_CPU_CLONES void softmax_rows_f32(const float* x,
                                    float* out,
                                    std::int64_t rows,
                                    std::int64_t cols) {
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* in = x + r * cols;
    float* o = out + r * cols;
    // Max, in vector lanes (the compiler will not vectorize a float max reduction by itself:
    // NaN semantics); NaN is skipped as in kernels::softmax_row (unless it is in[0]).
    F32Lanes lane_max;
    for (int l = 0; l < kLanes; ++l)
      lane_max[l] = in[0];
    std::int64_t c = 0;
    for (; c + kLanes <= cols; c += kLanes) {
      F32Lanes v;
      std::memcpy(&v, in + c, sizeof v);
      lane_max = v > lane_max ? v : lane_max;
    }
    float m = in[0];
    for (; c < cols; ++c)
      m = in[c] > m ? in[c] : m;
    for (int l = 0; l < kLanes; ++l)
      m = lane_max[l] > m ? lane_max[l] : m;

    for (c = 0; c < cols; ++c)
      o[c] = vector_exp(in[c] - m);
    double lane_sum[kLanes] = {};
    for (c = 0; c + kLanes <= cols; c += kLanes) {
      for (int l = 0; l < kLanes; ++l)
        lane_sum[l] += static_cast<double>(o[c + l]);
    }
    double sum = 0.0;
    for (; c < cols; ++c)
      sum += static_cast<double>(o[c]);
    for (int l = 0; l < kLanes; ++l)
      sum += lane_sum[l];

    // 1 <= sum <= cols: its reciprocal is a normal float; e * inv is within 1 ulp of e / sum.
    const float inv = static_cast<float>(1.0 / sum);
    for (c = 0; c < cols; ++c)
      o[c] = o[c] * inv;
  }
}

}  // namespace

void softmax(DType dtype, const void* x, void* out, std::int64_t rows, std::int64_t cols) {
  if (rows <= 0 || cols <= 0) return;
  // exp is compute-bound: a thread pays off sooner than for a copy.
  const std::int64_t min_rows = std::max<std::int64_t>(1, 8192 / cols);
  if (dtype == DType::kFloat32) {
    const auto* xs = static_cast<const float*>(x);
    auto* o = static_cast<float*>(out);
    parallel_for(rows, min_rows, [&](std::int64_t b, std::int64_t e) {
      softmax_rows_f32(xs + b * cols, o + b * cols, e - b, cols);
    });
    return;
  }
  if (dtype == DType::kFloat64) {
    const auto* xs = static_cast<const double*>(x);
    auto* o = static_cast<double*>(out);
    parallel_for(rows, min_rows, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t r = b; r < e; ++r)
        kernels::softmax_row(xs, o, r, cols);
    });
    return;
  }
  throw UnimplementedError("softmax on " + std::string(dtype_name(dtype)));
}

}  // namespace varscope::runtime::cpu
