// tanh for float32 from vector_exp (Cephes' tanhf): for |x| <= 0.625 an odd polynomial,
// x + x·s·P(s) with s = x², where 1 - 2/(e^2|x| + 1) would cancel; above, that formula with
// the sign of x. Both are computed and one is picked, so the lane form has no branches and
// gives the scalar form's bits. Within a few ulp of tanh; tanh(±0) = ±0, NaN stays NaN.
#pragma once

#include "host/runtime/cpu/float_lanes.h"
#include "host/runtime/cpu/isa.h"
#include "host/runtime/cpu/vector_exp.h"

namespace varscope::runtime::cpu {
namespace tanh_detail {

constexpr float kSmall = 0.625f;
constexpr float kP[5] = {-5.70498872745e-3f, 2.06390887954e-2f, -5.37397155531e-2f,
                         1.33314422036e-1f, -3.33332819422e-1f};

}  // namespace tanh_detail

VS_CPU_INLINE float vector_tanh(float x) {
  using namespace tanh_detail;
  const float ax = x < 0.0f ? -x : x;
  const float big = 1.0f - 2.0f / (vector_exp(ax + ax) + 1.0f);
  const float s = x * x;
  float p = __builtin_fmaf(kP[0], s, kP[1]);
  for (int i = 2; i < 5; ++i)
    p = __builtin_fmaf(p, s, kP[i]);
  const float small = __builtin_fmaf(p * s, x, x);
  const float result = ax > kSmall ? (x < 0.0f ? -big : big) : small;
  return x == 0.0f ? x : result;
}

VS_CPU_INLINE void vector_tanh_lanes(const F32Lanes& x, F32Lanes& out) {
  using namespace tanh_detail;
  F32Lanes zero, e, p, coefficient, small;
  broadcast_lanes(zero, 0.0f);
  const F32Lanes ax = x < zero ? -x : x;
  vector_exp_lanes(ax + ax, e);
  const F32Lanes big = 1.0f - 2.0f / (e + 1.0f);
  const F32Lanes s = x * x;
  broadcast_lanes(coefficient, kP[1]);
  fma_lanes(p, s, kP[0], coefficient);
  for (int i = 2; i < 5; ++i) {
    broadcast_lanes(coefficient, kP[i]);
    fma_lanes(p, p, s, coefficient);
  }
  fma_lanes(small, p * s, x, x);
  const F32Lanes result = ax > kSmall ? (x < zero ? -big : big) : small;
  out = x == zero ? x : result;
}

}  // namespace varscope::runtime::cpu
