// exp for float32 in a form the compiler vectorizes (no libm call): Cephes' expf, range
// reduction by n = round(x log2 e) and a degree-6 polynomial, within 2 ulp of exp. Only
// +, -, * and compares: clones for every ISA give the same bits.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>

#include "host/runtime/cpu/isa.h"

namespace varscope::runtime::cpu {

VS_CPU_INLINE float vector_exp(float x) {
  constexpr float kHi = 88.3762626647949f;   // exp overflows above
  constexpr float kLo = -87.3365447505531f;  // below: a subnormal or 0, flushed to 0
  const float xc = x > kHi ? kHi : (x < kLo ? kLo : x);
  // round(xc * log2 e) by the 1.5 * 2^23 trick (exact for |v| < 2^22, no rounding call).
  const float v = xc * 1.44269504088896341f;
  const float n = (v + 12582912.0f) - 12582912.0f;
  const float r = (xc - n * 0.693359375f) - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float e = p * (r * r) + r + 1.0f;
  // e * 2^n, n in [-126, 127]: the exponent field built directly.
  const std::int32_t bits = (static_cast<std::int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  float result = e * scale;
  result = x > kHi ? std::numeric_limits<float>::infinity() : result;
  result = x < kLo ? 0.0f : result;
  return x != x ? x : result;  // NaN stays NaN
}

}  // namespace varscope::runtime::cpu
