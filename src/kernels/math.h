// log, sin/cos and the inverse normal CDF built only from +, -, *, / and sqrt, all IEEE
// correctly rounded on both the host and the device. With FMA contraction off (nvcc
// -fmad=false, g++ -ffp-contract=off) both backends produce the same bits. libm and
// CUDA's intrinsics differ between host and device, so they are not used here.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernels/hd.h"

namespace varscope::kernels {

VS_HD inline std::uint64_t double_bits(double x) {
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

VS_HD inline double bits_double(std::uint64_t b) {
  double x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}

// Natural log for x > 0 (finite, normal): x = m * 2^e with m in [sqrt(1/2), sqrt(2)),
// log m = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.1716; the series to s^21 is below
// double rounding there.
VS_HD inline double det_log(double x) {
  std::uint64_t b = double_bits(x);
  int e = static_cast<int>((b >> 52) & 0x7ff) - 1023;
  double m = bits_double((b & 0x000fffffffffffffull) | 0x3ff0000000000000ull);  // [1, 2)
  const bool high = m > 1.4142135623730951;  // selects, not branches: loops vectorize
  m = high ? m * 0.5 : m;
  e += high ? 1 : 0;
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
VS_HD inline void det_sincos_2pi(double u, double* sin_out, double* cos_out) {
  const double u4 = u * 4.0;  // exact
  int q = static_cast<int>(u4);
  q = q > 3 ? 3 : q;
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
  *sin_out = q == 0 ? sa : q == 1 ? c : q == 2 ? -sa : -c;
  *cos_out = q == 0 ? c : q == 1 ? -sa : q == 2 ? -c : sa;
}

// Acklam's inverse normal CDF (relative error below 1.2e-9) for p in (0, 1).
VS_HD inline double det_inverse_normal_cdf(double p) {
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
  // Both branches, then a select: loops over p vectorize (the bits are the branches').
  const bool upper = p > 0.5;
  const double t = ::sqrt(-2.0 * det_log(upper ? 1.0 - p : p));
  const double xt = (((((c0 * t + c1) * t + c2) * t + c3) * t + c4) * t + c5) /
                    ((((d0 * t + d1) * t + d2) * t + d3) * t + 1.0);
  const double q = p - 0.5;
  const double r = q * q;
  const double central = (((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q /
                         (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1.0);
  const bool tail = p < kLow || p > 1.0 - kLow;
  return tail ? (upper ? -xt : xt) : central;
}

}  // namespace varscope::kernels
