// Elementwise unary ops and casts. These use the platform's exp/tanh, which differ in the
// last bits between host and device: results match across backends to a tolerance, not
// bitwise (only the random initializers promise bit parity).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "kernels/hd.h"

namespace varscope::kernels {

enum class UnaryOp : int { kRelu, kSigmoid, kTanh, kSquare, kExp, kLog, kNeg };

// The platform's exp, tanh, log and sqrt: CUDA's overloads on the device, std:: on the host.
template <typename T>
VS_HD inline T platform_exp(T x) {
#if defined(__CUDA_ARCH__)
  return exp(x);
#else
  return std::exp(x);
#endif
}

template <typename T>
VS_HD inline T platform_tanh(T x) {
#if defined(__CUDA_ARCH__)
  return tanh(x);
#else
  return std::tanh(x);
#endif
}

template <typename T>
VS_HD inline T platform_log(T x) {
#if defined(__CUDA_ARCH__)
  return log(x);
#else
  return std::log(x);
#endif
}

template <typename T>
VS_HD inline T platform_sqrt(T x) {
#if defined(__CUDA_ARCH__)
  return sqrt(x);
#else
  return std::sqrt(x);
#endif
}

template <typename T>
VS_HD inline T apply(UnaryOp op, T x) {
  switch (op) {
    case UnaryOp::kRelu:
      return x > T(0) ? x : T(0);
    case UnaryOp::kSigmoid:
      return T(1) / (T(1) + platform_exp(-x));
    case UnaryOp::kTanh:
      return platform_tanh(x);
    case UnaryOp::kSquare:
      return x * x;
    case UnaryOp::kExp:
      return platform_exp(x);
    case UnaryOp::kLog:
      return platform_log(x);
    case UnaryOp::kNeg:
      return -x;
  }
  return x;
}

// Floating point to integer saturates, with NaN to 0 (docs/kernels.md, "Casts"): what
// CUDA's cvt.rzi.sat gives and what TF's Cast gives on a GPU. A plain static_cast is
// undefined there in C++, and x86 gives INT_MIN for all of NaN, +Inf and -Inf.
template <typename From, typename To>
VS_HD inline To cast_value(From v) {
  if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To> &&
                !std::is_same_v<To, bool>) {
    // 2^(digits) is exact in From; every From below it truncates into To's range.
    constexpr From kLimit = From(std::uint64_t{1} << std::numeric_limits<To>::digits);
    // Built from digits (a constant): numeric_limits' functions are host-only for nvcc.
    constexpr To kMax = static_cast<To>((std::uint64_t{1} << std::numeric_limits<To>::digits) - 1);
    constexpr To kMin = std::is_signed_v<To> ? static_cast<To>(-kMax - 1) : To(0);
    if (v != v) return To(0);
    if (v >= kLimit) return kMax;
    if (v <= -kLimit) return kMin;
    return static_cast<To>(v);
  } else {
    return static_cast<To>(v);
  }
}

}  // namespace varscope::kernels
