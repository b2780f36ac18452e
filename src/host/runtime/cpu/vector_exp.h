// exp for float32 in a form the compiler vectorizes (no libm exp call): Cephes' expf, range
// reduction by n = round(x log2 e), a degree-6 polynomial in fused multiply-adds for
// e = exp(x - n ln 2), and 2^n added to e's exponent field; within 2 ulp of exp. Only +, -,
// *, fma, integer adds and compares, each exact or correctly rounded: on x86-64-v3/v4 an
// fma is an instruction, on older CPUs libm's fmaf (slow, same bits), so the clones for
// every ISA give the same bits for every non-NaN input, and the lane forms (for loops GCC
// would otherwise vectorize with masks and spills) give the scalar form's bits. A NaN input
// gives that NaN back.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>

#include "host/runtime/cpu/float_lanes.h"
#include "host/runtime/cpu/isa.h"

namespace varscope::runtime::cpu {
namespace exp_detail {

// The largest float whose exp is finite; above, inf.
constexpr float kHi = 88.72283172607422f;
// The smallest float whose exp is a normal float; below, 0 (subnormal results flush).
constexpr float kLo = -87.33654022216797f;
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kRound = 12582912.0f;  // 1.5 * 2^23: (v + k) - k rounds v to an integer
// ln 2 in two parts (Cody-Waite): n * kLn2Hi is exact for the n that occur.
constexpr float kLn2Hi = 0.693359375f;
constexpr float kLn2Lo = -2.12194440e-4f;
constexpr float kP[6] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                         4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};

}  // namespace exp_detail

// For x in [kLo, kHi]: e is in [sqrt(1/2), sqrt(2)), n in [-126, 128], and e * 2^n is a
// normal float (e < 1 wherever n = 128, e >= 1 wherever n = -126), so adding n to e's
// exponent field is that product, exactly.
VS_CPU_INLINE float vector_exp(float x) {
  using namespace exp_detail;
  // `x >= kLo` is false for NaN: NaN is computed as kLo (no NaN-to-int conversion), then
  // given back as x.
  const bool at_least_lo = x >= kLo;
  const float xc = x > kHi ? kHi : (at_least_lo ? x : kLo);
  // round(xc * log2 e) by the 1.5 * 2^23 trick (exact for |v| < 2^22, no rounding call).
  const float v = xc * kLog2e;
  const float n = (v + kRound) - kRound;
  const float r = __builtin_fmaf(-n, kLn2Lo, __builtin_fmaf(-n, kLn2Hi, xc));
  float p = __builtin_fmaf(r, kP[0], kP[1]);
  for (int i = 2; i < 6; ++i)
    p = __builtin_fmaf(p, r, kP[i]);
  const float e = __builtin_fmaf(p, r * r, r + 1.0f);
  std::int32_t bits;
  std::memcpy(&bits, &e, sizeof bits);
  bits += static_cast<std::int32_t>(n) * (std::int32_t{1} << 23);
  float result;
  std::memcpy(&result, &bits, sizeof result);
  result = x > kHi ? std::numeric_limits<float>::infinity() : result;
  return at_least_lo ? result : (x < kLo ? 0.0f : x);
}

// The lane form's steps for xc in [kLo, kHi]: e * 2^n as in vector_exp. Callers compute NaN
// lanes as kLo (a NaN-to-int conversion is undefined) and put the NaN back after.
template <typename V>
VS_CPU_INLINE void exp_lanes_in_range(const V& xc, V& out) {
  using namespace exp_detail;
  V minus_n, r, p, e, coefficient;
  const V v = xc * kLog2e;
  const V n = (v + kRound) - kRound;
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
  IntLanes<V> bits;
  std::memcpy(&bits, &e, sizeof bits);
  bits += __builtin_convertvector(n, IntLanes<V>) << 23;
  std::memcpy(&out, &bits, sizeof out);
}

// out = vector_exp of each lane of x, for lanes x <= 0 (or NaN): no overflow handling,
// which softmax's exp(x - max) allows. The same bits as vector_exp there.
template <typename V>
VS_CPU_INLINE void exp_nonpositive_lanes(const V& x, V& out) {
  V lo, zero, result;
  broadcast_lanes(lo, exp_detail::kLo);
  broadcast_lanes(zero, 0.0f);
  // `x >= lo` is false for NaN: NaN lanes are computed as lo, then given back as x.
  const auto in_range = x >= lo;
  exp_lanes_in_range(in_range ? x : lo, result);
  out = in_range ? result : (x < lo ? zero : x);
}

// out = vector_exp of each lane of x.
template <typename V>
VS_CPU_INLINE void vector_exp_lanes(const V& x, V& out) {
  using namespace exp_detail;
  V hi, lo, zero, inf, result;
  broadcast_lanes(hi, kHi);
  broadcast_lanes(lo, kLo);
  broadcast_lanes(zero, 0.0f);
  broadcast_lanes(inf, std::numeric_limits<float>::infinity());
  // `x >= lo` is false for NaN: NaN lanes are computed as lo, then given back as x.
  const auto at_least_lo = x >= lo;
  exp_lanes_in_range(x > hi ? hi : (at_least_lo ? x : lo), result);
  result = x > hi ? inf : result;
  out = at_least_lo ? result : (x < lo ? zero : x);
}

}  // namespace varscope::runtime::cpu
