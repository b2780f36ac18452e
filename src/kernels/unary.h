// Elementwise unary ops and casts. These use the platform's exp/tanh, which differ in the
// last bits between host and device: results match across backends to a tolerance, not
// bitwise (only the random initializers promise bit parity).
//
// One op is one line of VS_UNARY_OPS and one functor <Name>Fn: the enumerator, the CPU
// loop (host/runtime/cpu/unary.cpp) and the CUDA launcher (launchers.cu) are all generated
// from the list, each instantiating the functor for the element types the list names.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "kernels/dtype_dispatch.h"
#include "kernels/hd.h"

namespace varscope::kernels {

// X(enumerator, Name, element types): the op's functor is <Name>Fn.
#define VS_UNARY_OPS(X)                   \
  X(kRelu, Relu, kFloatTypes)             \
  X(kSigmoid, Sigmoid, kFloatTypes)       \
  X(kTanh, Tanh, kFloatTypes)             \
  X(kSquare, Square, kFloatTypes)         \
  X(kExp, Exp, kFloatTypes)               \
  X(kLog, Log, kFloatTypes)               \
  X(kLog1p, Log1p, kFloatTypes)           \
  X(kNeg, Neg, kFloatTypes)               \
  X(kSqrt, Sqrt, kFloatTypes)             \
  X(kRsqrt, Rsqrt, kFloatTypes)           \
  X(kAbs, Abs, kNumericTypes)             \
  X(kSign, Sign, kNumericTypes)           \
  X(kReciprocal, Reciprocal, kFloatTypes) \
  X(kFloor, Floor, kFloatTypes)           \
  X(kCeil, Ceil, kFloatTypes)             \
  X(kRound, Round, kNumericTypes)         \
  X(kLeakyRelu, LeakyRelu, kFloatTypes)   \
  X(kElu, Elu, kFloatTypes)               \
  X(kSoftplus, Softplus, kFloatTypes)     \
  X(kRelu6, Relu6, kFloatTypes)           \
  X(kLogicalNot, LogicalNot, kBoolTypes)

#define VS_UNARY_ENUMERATOR(op, Name, types) op,
enum class UnaryOp : int { VS_UNARY_OPS(VS_UNARY_ENUMERATOR) };
#undef VS_UNARY_ENUMERATOR

// The platform's math: CUDA's overloads on the device, std:: on the host.
#if defined(__CUDA_ARCH__)
#define VS_PLATFORM_FN(name, fn) \
  template <typename T>          \
  VS_HD inline T name(T x) {     \
    return fn(x);                \
  }
#else
#define VS_PLATFORM_FN(name, fn) \
  template <typename T>          \
  VS_HD inline T name(T x) {     \
    return std::fn(x);           \
  }
#endif
VS_PLATFORM_FN(platform_exp, exp)
VS_PLATFORM_FN(platform_tanh, tanh)
VS_PLATFORM_FN(platform_log, log)
VS_PLATFORM_FN(platform_log1p, log1p)
VS_PLATFORM_FN(platform_sqrt, sqrt)
VS_PLATFORM_FN(platform_floor, floor)
VS_PLATFORM_FN(platform_ceil, ceil)
// Round half to even in the default rounding mode (TF's Round, NumPy's round).
VS_PLATFORM_FN(platform_rint, rint)
#undef VS_PLATFORM_FN

// A functor's state: the op's float attribute where it has one (LeakyRelu's alpha).
struct ElementwiseFn {
  double alpha = 0;
};

struct ReluFn : ElementwiseFn {
  template <typename T>
  VS_HD T operator()(T x) const {
    return x > T(0) ? x : T(0);
  }
};
struct SigmoidFn : ElementwiseFn {
  template <typename T>
  VS_HD T operator()(T x) const {
    return T(1) / (T(1) + platform_exp(-x));
  }
};
struct TanhFn : ElementwiseFn {
  template <typename T>
  VS_HD T operator()(T x) const {
    return platform_tanh(x);
  }
};
struct SquareFn : ElementwiseFn {
  template <typename T>
  VS_HD T operator()(T x) const {
    return x * x;
  }
};
struct ExpFn : ElementwiseFn {
  template <typename T>
  VS_HD T operator()(T x) const {
    return platform_exp(x);
  }
};
struct LogFn : ElementwiseFn {
  template <typename T>
  VS_HD T operator()(T x) const {
    return platform_log(x);
  }
};
struct Log1pFn : ElementwiseFn {
  template <typename T>
  VS_HD T operator()(T x) const {
    return platform_log1p(x);
  }
};
struct NegFn : ElementwiseFn {
  template <typename T>
  VS_HD T operator()(T x) const {
    return -x;
  }
};
struct SqrtFn : ElementwiseFn {
  template <typename T>
  VS_HD T operator()(T x) const {
    return platform_sqrt(x);
  }
};
// TF's Rsqrt: 1 / sqrt(x) (two IEEE operations; not CUDA's rsqrt approximation).
struct RsqrtFn : ElementwiseFn {
  template <typename T>
  VS_HD T operator()(T x) const {
    return T(1) / platform_sqrt(x);
  }
};
// |x|; integers through unsigned negation, so |INT_MIN| wraps to INT_MIN as in TF.
struct AbsFn : ElementwiseFn {
  template <typename T>
  VS_HD T operator()(T x) const {
    if constexpr (std::is_integral_v<T>) {
      using U = std::make_unsigned_t<T>;
      return x < T(0) ? static_cast<T>(U(0) - static_cast<U>(x)) : x;
    } else {
      return x < T(0) ? -x : x;
    }
  }
};
// -1, 0 or 1 (Eigen's sign: a NaN gives 0).
struct SignFn : ElementwiseFn {
  template <typename T>
  VS_HD T operator()(T x) const {
    return static_cast<T>(static_cast<int>(x > T(0)) - static_cast<int>(x < T(0)));
  }
};
struct ReciprocalFn : ElementwiseFn {
  template <typename T>
  VS_HD T operator()(T x) const {
    return T(1) / x;
  }
};
struct FloorFn : ElementwiseFn {
  template <typename T>
  VS_HD T operator()(T x) const {
    return platform_floor(x);
  }
};
struct CeilFn : ElementwiseFn {
  template <typename T>
  VS_HD T operator()(T x) const {
    return platform_ceil(x);
  }
};
// Banker's rounding (half to even); integers are their own rounding.
struct RoundFn : ElementwiseFn {
  template <typename T>
  VS_HD T operator()(T x) const {
    if constexpr (std::is_integral_v<T>) {
      return x;
    } else {
      return platform_rint(x);
    }
  }
};
// TF: features > 0 ? features : features * alpha.
struct LeakyReluFn : ElementwiseFn {
  template <typename T>
  VS_HD T operator()(T x) const {
    return x > T(0) ? x : x * static_cast<T>(alpha);
  }
};
// TF: features < 0 ? exp(features) - 1 : features.
struct EluFn : ElementwiseFn {
  template <typename T>
  VS_HD T operator()(T x) const {
    return x < T(0) ? platform_exp(x) - T(1) : x;
  }
};
// TF's thresholds: x itself above -log(eps) - 2, exp(x) below log(eps) + 2, else
// log1p(exp(x)).
struct SoftplusFn : ElementwiseFn {
  template <typename T>
  VS_HD T operator()(T x) const {
    // log(eps) + 2 of float (2^-23) and double (2^-52): numeric_limits is host-only in nvcc.
    const T threshold = std::is_same_v<T, float> ? T(-13.942385152878742) : T(-34.04365338911715);
    const T e = platform_exp(x);
    return x > -threshold ? x : (x < threshold ? e : platform_log1p(e));
  }
};
struct Relu6Fn : ElementwiseFn {
  template <typename T>
  VS_HD T operator()(T x) const {
    const T r = x > T(0) ? x : T(0);
    return r < T(6) ? r : T(6);
  }
};
struct LogicalNotFn : ElementwiseFn {
  template <typename T>
  VS_HD T operator()(T x) const {
    return !x;
  }
};

// The functor type of an op.
template <UnaryOp kOp>
struct UnaryFnOf;
#define VS_UNARY_FN_OF(op, Name, types) \
  template <>                           \
  struct UnaryFnOf<UnaryOp::op> {       \
    using type = Name##Fn;              \
  };
VS_UNARY_OPS(VS_UNARY_FN_OF)
#undef VS_UNARY_FN_OF

// One element of an op chosen at run time (tests, reference loops).
template <typename T>
VS_HD inline T apply(UnaryOp op, T x, double alpha = 0) {
  switch (op) {
#define VS_UNARY_APPLY(op, Name, types) \
  case UnaryOp::op: {                   \
    Name##Fn f;                         \
    f.alpha = alpha;                    \
    return f(x);                        \
  }
    VS_UNARY_OPS(VS_UNARY_APPLY)
#undef VS_UNARY_APPLY
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
