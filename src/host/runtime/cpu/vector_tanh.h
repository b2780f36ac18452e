// tanh for float32 as TF's CPU kernels compute it (Eigen's generic_fast_tanh_float): a
// 13/6-degree odd/even rational approximation on x clamped to ±7.9988 (beyond, it is ±1
// in float), x itself below |x| = 0.0004; within 5 ulp of tanh (Eigen says "a couple").
// The polynomials are fused multiply-adds, as Eigen's with FMA, so every ISA clone gives
// the same bits, and the lane form gives the scalar form's bits. tanh(±0) = ±0. A quiet NaN
// comes back as itself: every step hands it on (x86 returns a NaN operand unchanged, and
// every NaN in flight is that one). No explicit NaN select: GCC scalarized the lane form
// with one (ten times slower).
#pragma once

#include "host/runtime/cpu/float_lanes.h"
#include "host/runtime/cpu/isa.h"

namespace varscope::runtime::cpu {
namespace tanh_detail {

constexpr float kClamp = 7.99881172180175781f;
constexpr float kTiny = 0.0004f;
// Numerator (odd): alpha_13 .. alpha_1; denominator (even): beta_6 .. beta_0.
constexpr float kAlpha[7] = {-2.76076847742355e-16f, 2.00018790482477e-13f, -8.60467152213735e-11f,
                             5.12229709037114e-08f,  1.48572235717979e-05f, 6.37261928875436e-04f,
                             4.89352455891786e-03f};
constexpr float kBeta[4] = {1.19825839466702e-06f, 1.18534705686654e-04f, 2.26843463243900e-03f,
                            4.89352518554385e-03f};

}  // namespace tanh_detail

VS_CPU_INLINE float vector_tanh(float a) {
  using namespace tanh_detail;
  const float x = a > kClamp ? kClamp : (a < -kClamp ? -kClamp : a);
  const float x2 = x * x;
  float p = __builtin_fmaf(x2, kAlpha[0], kAlpha[1]);
  for (int i = 2; i < 7; ++i)
    p = __builtin_fmaf(p, x2, kAlpha[i]);
  p = p * x;
  float q = __builtin_fmaf(x2, kBeta[0], kBeta[1]);
  for (int i = 2; i < 4; ++i)
    q = __builtin_fmaf(q, x2, kBeta[i]);
  const float abs_a = a < 0.0f ? -a : a;
  return abs_a < kTiny ? a : p / q;
}

template <typename V>
VS_CPU_INLINE void vector_tanh_lanes(const V& a, V& out) {
  using namespace tanh_detail;
  V hi, lo, zero, p, q, coefficient;
  broadcast_lanes(hi, kClamp);
  broadcast_lanes(lo, -kClamp);
  broadcast_lanes(zero, 0.0f);
  const V x = a > hi ? hi : (a < lo ? lo : a);
  const V x2 = x * x;
  broadcast_lanes(coefficient, kAlpha[1]);
  fma_lanes(p, x2, kAlpha[0], coefficient);
  for (int i = 2; i < 7; ++i) {
    broadcast_lanes(coefficient, kAlpha[i]);
    fma_lanes(p, p, x2, coefficient);
  }
  p = p * x;
  broadcast_lanes(coefficient, kBeta[1]);
  fma_lanes(q, x2, kBeta[0], coefficient);
  for (int i = 2; i < 4; ++i) {
    broadcast_lanes(coefficient, kBeta[i]);
    fma_lanes(q, q, x2, coefficient);
  }
  const V abs_a = a < zero ? -a : a;
  out = abs_a < kTiny ? a : p / q;
}

}  // namespace varscope::runtime::cpu
