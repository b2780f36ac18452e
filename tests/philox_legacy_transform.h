// The random transforms exactly as they were before the one-pass initializers (commit
// d90d7ce: src/kernels/math.h and the transform half of src/kernels/random.h), kept
// verbatim as the oracle of tests/philox_test.cpp: cuRAND's words through this two-pass
// path are what every seeded initial value was, so the one-pass kernels must match them.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernels/random.h"  // RandomDistribution, Affine, apply_affine, below_two

namespace legacy {

using varscope::kernels::Affine;
using varscope::kernels::apply_affine;
using varscope::kernels::below_two;
using varscope::kernels::RandomDistribution;

inline std::uint64_t double_bits(double x) {
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

inline double bits_double(std::uint64_t b) {
  double x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}

// Natural log for x > 0 (finite, normal): x = m * 2^e with m in [sqrt(1/2), sqrt(2)),
// log m = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.1716; the series to s^21 is below
// double rounding there.
inline double det_log(double x) {
  std::uint64_t b = double_bits(x);
  int e = static_cast<int>((b >> 52) & 0x7ff) - 1023;
  double m = bits_double((b & 0x000fffffffffffffull) | 0x3ff0000000000000ull);  // [1, 2)
  if (m > 1.4142135623730951) {
    m = m * 0.5;
    e += 1;
  }
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  double p = 1.0 / 21.0;
  p = p * s2 + 1.0 / 19.0;
  p = p * s2 + 1.0 / 17.0;
  p = p * s2 + 1.0 / 15.0;
  p = p * s2 + 1.0 / 13.0;
  p = p * s2 + 1.0 / 11.0;
  p = p * s2 + 1.0 / 9.0;
  p = p * s2 + 1.0 / 7.0;
  p = p * s2 + 1.0 / 5.0;
  p = p * s2 + 1.0 / 3.0;
  p = p * s2 + 1.0;
  const double log_m = 2.0 * s * p;
  constexpr double kLn2Hi = 6.93147180369123816490e-01;  // ln 2 split so e * hi is exact
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  return static_cast<double>(e) * kLn2Hi + (static_cast<double>(e) * kLn2Lo + log_m);
}

// sin and cos of 2*pi*u for u in [0, 1): the quadrant comes exactly from 4u, the rest is
// a Taylor series on [0, pi/2) (the x^23 term is below 2e-18).
inline void det_sincos_2pi(double u, double* sin_out, double* cos_out) {
  const double u4 = u * 4.0;  // exact
  int q = static_cast<int>(u4);
  if (q > 3) q = 3;
  const double a = (u4 - static_cast<double>(q)) * 1.5707963267948966;
  const double a2 = a * a;
  double s = 1.0 / 51090942171709440000.0;  // 1/21!
  s = s * a2 - 1.0 / 121645100408832000.0;  // 1/19!
  s = s * a2 + 1.0 / 355687428096000.0;     // 1/17!
  s = s * a2 - 1.0 / 1307674368000.0;       // 1/15!
  s = s * a2 + 1.0 / 6227020800.0;          // 1/13!
  s = s * a2 - 1.0 / 39916800.0;            // 1/11!
  s = s * a2 + 1.0 / 362880.0;              // 1/9!
  s = s * a2 - 1.0 / 5040.0;                // 1/7!
  s = s * a2 + 1.0 / 120.0;                 // 1/5!
  s = s * a2 - 1.0 / 6.0;                   // 1/3!
  s = s * a2 + 1.0;
  double c = -1.0 / 1124000727777607680000.0;  // 1/22!
  c = c * a2 + 1.0 / 2432902008176640000.0;    // 1/20!
  c = c * a2 - 1.0 / 6402373705728000.0;       // 1/18!
  c = c * a2 + 1.0 / 20922789888000.0;         // 1/16!
  c = c * a2 - 1.0 / 87178291200.0;            // 1/14!
  c = c * a2 + 1.0 / 479001600.0;              // 1/12!
  c = c * a2 - 1.0 / 3628800.0;                // 1/10!
  c = c * a2 + 1.0 / 40320.0;                  // 1/8!
  c = c * a2 - 1.0 / 720.0;                    // 1/6!
  c = c * a2 + 1.0 / 24.0;                     // 1/4!
  c = c * a2 - 0.5;                            // 1/2!
  c = c * a2 + 1.0;
  const double sa = s * a;
  switch (q) {
    case 0:
      *sin_out = sa;
      *cos_out = c;
      break;
    case 1:
      *sin_out = c;
      *cos_out = -sa;
      break;
    case 2:
      *sin_out = -sa;
      *cos_out = -c;
      break;
    default:
      *sin_out = -c;
      *cos_out = sa;
      break;
  }
}

// Acklam's inverse normal CDF (relative error below 1.2e-9) for p in (0, 1).
inline double det_inverse_normal_cdf(double p) {
  constexpr double a0 = -3.969683028665376e+01, a1 = 2.209460984245205e+02,
                   a2 = -2.759285104469687e+02, a3 = 1.383577518672690e+02,
                   a4 = -3.066479806614716e+01, a5 = 2.506628277459239e+00;
  constexpr double b0 = -5.447609879822406e+01, b1 = 1.615858368580409e+02,
                   b2 = -1.556989798598866e+02, b3 = 6.680131188771972e+01,
                   b4 = -1.328068155288572e+01;
  constexpr double c0 = -7.784894002430293e-03, c1 = -3.223964580411365e-01,
                   c2 = -2.400758277161838e+00, c3 = -2.549732539343734e+00,
                   c4 = 4.374664141464968e+00, c5 = 2.938163982698783e+00;
  constexpr double d0 = 7.784695709041462e-03, d1 = 3.224671290700398e-01,
                   d2 = 2.445134137142996e+00, d3 = 3.754408661907416e+00;
  constexpr double kLow = 0.02425;
  if (p < kLow || p > 1.0 - kLow) {
    const bool upper = p > 0.5;
    const double q = ::sqrt(-2.0 * det_log(upper ? 1.0 - p : p));
    const double x = (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) /
                     ((((d0 * q + d1) * q + d2) * q + d3) * q + 1.0);
    return upper ? -x : x;
  }
  const double q = p - 0.5;
  const double r = q * q;
  return (((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q /
         (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1.0);
}

// The words one element of type T consumes.
template <typename T>
constexpr int words_per_element() {
  return sizeof(T) == 8 ? 2 : 1;
}

// A uniform in [0, 1) with T's mantissa width (24 or 53 bits), from the element's words;
// `open_low` shifts it to (0, 1] (for logs), `centered` to (0, 1) (for inverse CDFs).
template <typename T>
inline double uniform_from_words(const std::uint32_t* w, int mode) {
  if constexpr (sizeof(T) == 8) {
    const double k = static_cast<double>(w[0] >> 5) * 67108864.0 + static_cast<double>(w[1] >> 6);
    return (k + (mode == 1 ? 1.0 : mode == 2 ? 0.5 : 0.0)) * (1.0 / 9007199254740992.0);  // 2^-53
  } else {
    const double k = static_cast<double>(w[0] >> 8);
    return (k + (mode == 1 ? 1.0 : mode == 2 ? 0.5 : 0.0)) * (1.0 / 16777216.0);  // 2^-24
  }
}

// Writes element i (and, for normals, its pair partner) of `out`, whose storage holds the
// raw words. For kNormal call it for even i only; `count` is the number of elements, and
// the buffer holds words for an even number of elements.
template <typename T>
inline void random_transform(
    RandomDistribution dist, const Affine& affine, T* out, std::int64_t i, std::int64_t count) {
  constexpr int kWords = words_per_element<T>();
  const std::uint32_t* words = reinterpret_cast<const std::uint32_t*>(out);
  switch (dist) {
    case RandomDistribution::kUniform: {
      out[i] = apply_affine(affine, static_cast<T>(uniform_from_words<T>(words + i * kWords, 0)));
      return;
    }
    case RandomDistribution::kNormal: {
      const double u1 = uniform_from_words<T>(words + i * kWords, 1);
      const double u2 = uniform_from_words<T>(words + (i + 1) * kWords, 0);
      const double r = ::sqrt(-2.0 * det_log(u1));
      double s, c;
      det_sincos_2pi(u2, &s, &c);
      out[i] = apply_affine(affine, static_cast<T>(r * c));
      if (i + 1 < count) out[i + 1] = apply_affine(affine, static_cast<T>(r * s));
      return;
    }
    case RandomDistribution::kTruncatedNormal: {
      constexpr double kCdfMinus2 = 0.022750131948179195;  // Phi(-2)
      constexpr double kCdfRange = 0.9544997361036416;     // Phi(2) - Phi(-2)
      const double u = uniform_from_words<T>(words + i * kWords, 2);
      T x = static_cast<T>(det_inverse_normal_cdf(kCdfMinus2 + u * kCdfRange));
      if (x >= below_two<T>()) x = below_two<T>();
      if (x <= -below_two<T>()) x = -below_two<T>();
      out[i] = apply_affine(affine, x);
      return;
    }
    case RandomDistribution::kUniformInt:  // (added: random_int_transform below does these)
      return;
  }
}

// Integers in [minval, maxval) from one (int32) or two (int64) words per element.
template <typename T>
inline void random_int_transform(T* out, std::int64_t i, T minval, T maxval) {
  const std::uint32_t* words = reinterpret_cast<const std::uint32_t*>(out);
  if constexpr (sizeof(T) == 8) {
    const std::uint64_t r = (static_cast<std::uint64_t>(words[2 * i + 1]) << 32) | words[2 * i];
    const std::uint64_t range =
        static_cast<std::uint64_t>(maxval) - static_cast<std::uint64_t>(minval);
    out[i] = static_cast<T>(static_cast<std::uint64_t>(minval) + r % range);
  } else {
    const std::uint64_t range = static_cast<std::uint64_t>(static_cast<std::int64_t>(maxval) -
                                                           static_cast<std::int64_t>(minval));
    const std::uint64_t pick = (static_cast<std::uint64_t>(words[i]) * range) >> 32;
    out[i] = static_cast<T>(static_cast<std::int64_t>(minval) + static_cast<std::int64_t>(pick));
  }
}

}  // namespace legacy
