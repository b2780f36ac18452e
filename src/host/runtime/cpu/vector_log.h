// log for float32 in a form the compiler vectorizes (no libm call): Cephes' logf. x = m·2^e
// with m in [sqrt(1/2), sqrt(2)) read from the bits (subnormals scaled by 2^23 first), then
// log(m) by a degree-8 polynomial in m - 1 and e·ln 2 in two parts; fused multiply-adds, as
// vector_exp, so every ISA clone gives the same bits and the lane form the scalar's. Within
// 2 ulp of log; log(0) = -inf, log(x < 0) = NaN, log(inf) = inf, NaN stays NaN.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>

#include "host/runtime/cpu/float_lanes.h"
#include "host/runtime/cpu/isa.h"

namespace varscope::runtime::cpu {
namespace log_detail {

constexpr float kSqrtHalf = 0.707106781186547524f;
constexpr float kSmallest = 1.17549435e-38f;  // FLT_MIN: below, a subnormal
constexpr float kTwoTo23 = 8388608.0f;
constexpr float kLn2Hi = 0.693359375f;
constexpr float kLn2Lo = -2.12194440e-4f;
constexpr float kP[9] = {7.0376836292e-2f,  -1.1514610310e-1f, 1.1676998740e-1f,
                         -1.2420140846e-1f, 1.4249322787e-1f,  -1.6668057665e-1f,
                         2.0000714765e-1f,  -2.4999993993e-1f, 3.3333331174e-1f};

}  // namespace log_detail

VS_CPU_INLINE float vector_log(float x0) {
  using namespace log_detail;
  const bool subnormal = x0 < kSmallest;
  const float x1 = subnormal ? x0 * kTwoTo23 : x0;
  std::int32_t bits;
  std::memcpy(&bits, &x1, sizeof bits);
  std::int32_t e = ((bits >> 23) & 0xff) - 126 - (subnormal ? 23 : 0);
  const std::int32_t mbits = (bits & 0x007fffff) | 0x3f000000;  // m in [0.5, 1)
  float m;
  std::memcpy(&m, &mbits, sizeof m);
  const bool low = m < kSqrtHalf;
  e -= low ? 1 : 0;
  const float x = low ? (m + m) - 1.0f : m - 1.0f;  // both exact
  const float z = x * x;
  float y = __builtin_fmaf(kP[0], x, kP[1]);
  for (int i = 2; i < 9; ++i)
    y = __builtin_fmaf(y, x, kP[i]);
  y = (y * x) * z;
  const auto fe = static_cast<float>(e);
  y = __builtin_fmaf(fe, kLn2Lo, y);
  y = __builtin_fmaf(z, -0.5f, y);
  float r = __builtin_fmaf(fe, kLn2Hi, x + y);
  r = x0 == std::numeric_limits<float>::infinity() ? x0 : r;
  r = x0 == 0.0f ? -std::numeric_limits<float>::infinity() : r;
  r = x0 < 0.0f ? std::numeric_limits<float>::quiet_NaN() : r;
  return x0 != x0 ? x0 : r;
}

template <typename V>
VS_CPU_INLINE void vector_log_lanes(const V& x0, V& out) {
  using namespace log_detail;
  V smallest, sqrt_half, zero, inf, minus_inf, nan, y, coefficient;
  broadcast_lanes(smallest, kSmallest);
  broadcast_lanes(sqrt_half, kSqrtHalf);
  broadcast_lanes(zero, 0.0f);
  broadcast_lanes(inf, std::numeric_limits<float>::infinity());
  broadcast_lanes(minus_inf, -std::numeric_limits<float>::infinity());
  broadcast_lanes(nan, std::numeric_limits<float>::quiet_NaN());
  const auto subnormal = x0 < smallest;  // lanes of all ones (true) or zeros
  const V x1 = subnormal ? x0 * kTwoTo23 : x0;
  IntLanes<V> bits;
  std::memcpy(&bits, &x1, sizeof bits);
  IntLanes<V> e = ((bits >> 23) & 0xff) - 126 + (subnormal & -23);
  const IntLanes<V> mbits = (bits & 0x007fffff) | 0x3f000000;
  V m;
  std::memcpy(&m, &mbits, sizeof m);
  const auto low = m < sqrt_half;
  e += low;  // -1 where low
  const V x = low ? (m + m) - 1.0f : m - 1.0f;
  const V z = x * x;
  broadcast_lanes(coefficient, kP[1]);
  fma_lanes(y, x, kP[0], coefficient);
  for (int i = 2; i < 9; ++i) {
    broadcast_lanes(coefficient, kP[i]);
    fma_lanes(y, y, x, coefficient);
  }
  y = (y * x) * z;
  const V fe = __builtin_convertvector(e, V);
  fma_lanes(y, fe, kLn2Lo, y);
  fma_lanes(y, z, -0.5f, y);
  V r;
  fma_lanes(r, fe, kLn2Hi, x + y);
  r = x0 == inf ? x0 : r;
  r = x0 == zero ? minus_inf : r;
  r = x0 < zero ? nan : r;
  out = x0 != x0 ? x0 : r;
}

}  // namespace varscope::runtime::cpu
