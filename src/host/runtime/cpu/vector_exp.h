// exp for float32 in a form the compiler vectorizes (no libm exp call): Cephes' expf, range
// reduction by n = round(x log2 e) and a degree-6 polynomial in fused multiply-adds, within
// 2 ulp of exp. Only +, -, *, fma and compares, each one correctly rounded operation: on
// x86-64-v3/v4 an fma is an instruction, on older CPUs libm's fmaf (slow, same bits), so
// the clones for every ISA give the same bits. vector_exp_lanes (the same operations on 16
// lanes, for loops GCC would otherwise vectorize with masks and spills) gives the same bits
// as vector_exp.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>

#include "host/runtime/cpu/float_lanes.h"
#include "host/runtime/cpu/isa.h"

namespace varscope::runtime::cpu {
namespace exp_detail {

constexpr float kHi = 88.72283905206835f;  // above: inf (ln of the largest float)
constexpr float kLo = -87.3365447505531f;  // below: a subnormal or 0, flushed to 0
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kRound = 12582912.0f;  // 1.5 * 2^23: (v + k) - k rounds v to an integer
// ln 2 in two parts (Cody-Waite): n * kLn2Hi is exact for the n that occur.
constexpr float kLn2Hi = 0.693359375f;
constexpr float kLn2Lo = -2.12194440e-4f;
constexpr float kP[6] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                         4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};

}  // namespace exp_detail

VS_CPU_INLINE float vector_exp(float x) {
  using namespace exp_detail;
  const float xc = x > kHi ? kHi : (x < kLo ? kLo : x);
  // round(xc * log2 e) by the 1.5 * 2^23 trick (exact for |v| < 2^22, no rounding call).
  const float v = xc * kLog2e;
  const float n = (v + kRound) - kRound;
  const float r = __builtin_fmaf(-n, kLn2Lo, __builtin_fmaf(-n, kLn2Hi, xc));
  float p = __builtin_fmaf(r, kP[0], kP[1]);
  for (int i = 2; i < 6; ++i)
    p = __builtin_fmaf(p, r, kP[i]);
  const float e = __builtin_fmaf(p, r * r, r + 1.0f);
  // e * 2^n, n in [-126, 128], as (e * 2^n1) * 2^n2 with n1 = floor(n / 2): each factor's
  // exponent field is built directly, and both products are exact.
  const std::int32_t ni = static_cast<std::int32_t>(n);
  const std::int32_t n1 = ni >> 1;
  const std::int32_t bits1 = (n1 + 127) << 23, bits2 = (ni - n1 + 127) << 23;
  float scale1, scale2;
  std::memcpy(&scale1, &bits1, sizeof scale1);
  std::memcpy(&scale2, &bits2, sizeof scale2);
  float result = (e * scale1) * scale2;
  result = x > kHi ? std::numeric_limits<float>::infinity() : result;
  result = x < kLo ? 0.0f : result;
  return x != x ? x : result;  // NaN stays NaN
}

// The shared steps of the lane forms: n = round(xc log2 e) and e = exp(xc - n ln 2).
VS_CPU_INLINE void exp_lanes_core(const F32Lanes& xc, F32Lanes& n, F32Lanes& e) {
  using namespace exp_detail;
  F32Lanes minus_n, r, p, coefficient;
  const F32Lanes v = xc * kLog2e;
  n = (v + kRound) - kRound;
  minus_n = -n;
  fma_lanes(r, minus_n, kLn2Hi, xc);
  fma_lanes(r, minus_n, kLn2Lo, r);
  broadcast_lanes(coefficient, kP[1]);
  fma_lanes(p, r, kP[0], coefficient);
  for (int i = 2; i < 6; ++i) {
    broadcast_lanes(coefficient, kP[i]);
    fma_lanes(p, p, r, coefficient);
  }
  fma_lanes(e, p, r * r, r + 1.0f);
}

// out = vector_exp of each lane of x, for lanes x <= 0 (or NaN): no overflow handling and
// a single scale factor, which softmax's exp(x - max) allows. The same bits as vector_exp.
VS_CPU_INLINE void exp_nonpositive_lanes(const F32Lanes& x, F32Lanes& out) {
  using namespace exp_detail;
  F32Lanes lo, zero, n, e;
  broadcast_lanes(lo, kLo);
  broadcast_lanes(zero, 0.0f);
  exp_lanes_core(x < lo ? lo : x, n, e);
  // n <= 0 here, so one factor 2^n is a normal float. A NaN lane converts to INT_MIN (the
  // instruction's defined result); its e is NaN, so the lane stays NaN.
  const I32Lanes bits = (__builtin_convertvector(n, I32Lanes) + 127) << 23;
  F32Lanes scale;
  std::memcpy(&scale, &bits, sizeof scale);
  const F32Lanes result = e * scale;
  out = x < lo ? zero : result;
}

// out = vector_exp of each lane of x.
VS_CPU_INLINE void vector_exp_lanes(const F32Lanes& x, F32Lanes& out) {
  using namespace exp_detail;
  F32Lanes hi, lo, zero, inf, n, e;
  broadcast_lanes(hi, kHi);
  broadcast_lanes(lo, kLo);
  broadcast_lanes(zero, 0.0f);
  broadcast_lanes(inf, std::numeric_limits<float>::infinity());
  const F32Lanes xc = x > hi ? hi : (x < lo ? lo : x);
  exp_lanes_core(xc, n, e);
  const I32Lanes ni = __builtin_convertvector(n, I32Lanes);
  const I32Lanes n1 = ni >> 1;
  const I32Lanes bits1 = (n1 + 127) << 23, bits2 = (ni - n1 + 127) << 23;
  F32Lanes scale1, scale2;
  std::memcpy(&scale1, &bits1, sizeof scale1);
  std::memcpy(&scale2, &bits2, sizeof scale2);
  F32Lanes result = (e * scale1) * scale2;
  result = x > hi ? inf : result;
  result = x < lo ? zero : result;
  out = x != x ? x : result;
}

}  // namespace varscope::runtime::cpu
