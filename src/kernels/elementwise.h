// Elementwise math with NumPy broadcasting, shared by the CPU loops and the CUDA kernels.
#pragma once

#include <cstdint>
#include <type_traits>

#include "kernels/dtype_dispatch.h"
#include "kernels/hd.h"
#include "kernels/unary.h"

namespace varscope::kernels {

// X(enumerator, Name, element types): the op's functor is <Name>Fn, called with two
// elements of one of the types; it returns the output element (bool for comparisons). The
// CPU loop (host/runtime/cpu/elementwise.cpp) and the CUDA launcher (launchers.cu) are
// generated from the list. A functor with kDividesByY = true makes an integer y of 0
// vs::InvalidArgumentError "Integer division by zero" (the CPU before the op, the GPU at
// the run's end).
#define VS_BINARY_OPS(X)                                  \
  X(kAdd, Add, kNumericTypes)                             \
  X(kSub, Sub, kNumericTypes)                             \
  X(kMul, Mul, kNumericTypes)                             \
  X(kDiv, Div, kNumericTypes)                             \
  X(kMaximum, Maximum, kNumericTypes)                     \
  X(kMinimum, Minimum, kNumericTypes)                     \
  X(kPow, Pow, kFloatTypes)                               \
  X(kSquaredDifference, SquaredDifference, kNumericTypes) \
  X(kEqual, Equal, kNumericBoolTypes)                     \
  X(kNotEqual, NotEqual, kNumericBoolTypes)               \
  X(kGreater, Greater, kNumericTypes)                     \
  X(kGreaterEqual, GreaterEqual, kNumericTypes)           \
  X(kLess, Less, kNumericTypes)                           \
  X(kLessEqual, LessEqual, kNumericTypes)                 \
  X(kLogicalAnd, LogicalAnd, kBoolTypes)                  \
  X(kLogicalOr, LogicalOr, kBoolTypes)                    \
  X(kTruncateDiv, TruncateDiv, kIntegerTypes)             \
  X(kFloorDiv, FloorDiv, kNumericTypes)                   \
  X(kFloorMod, FloorMod, kNumericTypes)                   \
  X(kDivNoNan, DivNoNan, kFloatTypes)                     \
  X(kSqrtGrad, SqrtGrad, kFloatTypes)                     \
  X(kRsqrtGrad, RsqrtGrad, kFloatTypes)                   \
  X(kReciprocalGrad, ReciprocalGrad, kFloatTypes)         \
  X(kEluGrad, EluGrad, kFloatTypes)                       \
  X(kRelu6Grad, Relu6Grad, kFloatTypes)                   \
  X(kLeakyReluGrad, LeakyReluGrad, kFloatTypes)

#define VS_BINARY_ENUMERATOR(op, Name, types) op,
enum class BinaryOp : int { VS_BINARY_OPS(VS_BINARY_ENUMERATOR) };
#undef VS_BINARY_ENUMERATOR

// x / y with every case defined (docs/kernels.md, "Integer division"): integers truncate
// toward zero; x / -1 is the two's-complement negation, so INT_MIN / -1 wraps to INT_MIN
// (x86's idiv would trap; TF's TruncateDiv wraps on the CPU); x / 0 gives 0 here, and the
// backends report it as vs::InvalidArgumentError.
template <typename T>
VS_HD inline T divide(T x, T y) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    if (y == T(0)) return T(0);
    if (y == T(-1)) return static_cast<T>(U(0) - static_cast<U>(x));
    return x / y;
  } else {
    return x / y;
  }
}

template <typename T>
VS_HD inline T platform_pow(T x, T y) {
#if defined(__CUDA_ARCH__)
  return pow(x, y);
#else
  return std::pow(x, y);
#endif
}

template <typename T>
VS_HD inline T platform_fmod(T x, T y) {
#if defined(__CUDA_ARCH__)
  return fmod(x, y);
#else
  return std::fmod(x, y);
#endif
}

// A binary functor's state: the op's float attribute where it has one; whether an integer
// y of 0 is an error.
struct BinaryFn {
  static constexpr bool kDividesByY = false;
  double alpha = 0;
};

struct AddFn : BinaryFn {
  template <typename T>
  VS_HD T operator()(T x, T y) const {
    return x + y;
  }
};
struct SubFn : BinaryFn {
  template <typename T>
  VS_HD T operator()(T x, T y) const {
    return x - y;
  }
};
struct MulFn : BinaryFn {
  template <typename T>
  VS_HD T operator()(T x, T y) const {
    return x * y;
  }
};
struct DivFn : BinaryFn {
  static constexpr bool kDividesByY = true;
  template <typename T>
  VS_HD T operator()(T x, T y) const {
    return divide(x, y);
  }
};
// TF's DivNoNan: 0 where y is 0 (whatever x is, NaN and infinity included), else x / y.
struct DivNoNanFn : BinaryFn {
  template <typename T>
  VS_HD T operator()(T x, T y) const {
    return y == T(0) ? T(0) : x / y;
  }
};
// std::max and std::min, as Eigen's scalar_max_op / scalar_min_op.
struct MaximumFn : BinaryFn {
  template <typename T>
  VS_HD T operator()(T x, T y) const {
    return x < y ? y : x;
  }
};
struct MinimumFn : BinaryFn {
  template <typename T>
  VS_HD T operator()(T x, T y) const {
    return y < x ? y : x;
  }
};
struct PowFn : BinaryFn {
  template <typename T>
  VS_HD T operator()(T x, T y) const {
    return platform_pow(x, y);
  }
};
struct SquaredDifferenceFn : BinaryFn {
  template <typename T>
  VS_HD T operator()(T x, T y) const {
    const T d = x - y;
    return d * d;
  }
};
struct EqualFn : BinaryFn {
  template <typename T>
  VS_HD bool operator()(T x, T y) const {
    return x == y;
  }
};
struct NotEqualFn : BinaryFn {
  template <typename T>
  VS_HD bool operator()(T x, T y) const {
    return x != y;
  }
};
struct GreaterFn : BinaryFn {
  template <typename T>
  VS_HD bool operator()(T x, T y) const {
    return x > y;
  }
};
struct GreaterEqualFn : BinaryFn {
  template <typename T>
  VS_HD bool operator()(T x, T y) const {
    return x >= y;
  }
};
struct LessFn : BinaryFn {
  template <typename T>
  VS_HD bool operator()(T x, T y) const {
    return x < y;
  }
};
struct LessEqualFn : BinaryFn {
  template <typename T>
  VS_HD bool operator()(T x, T y) const {
    return x <= y;
  }
};
struct LogicalAndFn : BinaryFn {
  template <typename T>
  VS_HD bool operator()(T x, T y) const {
    return x && y;
  }
};
struct LogicalOrFn : BinaryFn {
  template <typename T>
  VS_HD bool operator()(T x, T y) const {
    return x || y;
  }
};
// C's integer division, toward zero; INT_MIN / -1 wraps (TF's CPU kernel).
struct TruncateDivFn : BinaryFn {
  static constexpr bool kDividesByY = true;
  template <typename T>
  VS_HD T operator()(T x, T y) const {
    return divide(x, y);
  }
};
// Toward negative infinity: floor(x / y) for floats; for integers the truncated quotient,
// one less when the remainder is nonzero and of the other sign than y.
struct FloorDivFn : BinaryFn {
  static constexpr bool kDividesByY = true;
  template <typename T>
  VS_HD T operator()(T x, T y) const {
    if constexpr (std::is_integral_v<T>) {
      const T q = divide(x, y);
      const T r = y == T(0) || y == T(-1) ? T(0) : x % y;
      return (r != T(0) && ((r < T(0)) != (y < T(0)))) ? static_cast<T>(q - 1) : q;
    } else {
      return platform_floor(x / y);
    }
  }
};
// The remainder of FloorDiv, of y's sign. Floats as TF's google_floor_fmod.
struct FloorModFn : BinaryFn {
  static constexpr bool kDividesByY = true;
  template <typename T>
  VS_HD T operator()(T x, T y) const {
    if constexpr (std::is_integral_v<T>) {
      const T r = y == T(0) || y == T(-1) ? T(0) : x % y;
      return (r != T(0) && ((r < T(0)) != (y < T(0)))) ? static_cast<T>(r + y) : r;
    } else {
      const T trunc_mod = platform_fmod(x, y);
      return (x < T(0)) == (y < T(0)) ? trunc_mod : platform_fmod(trunc_mod + y, y);
    }
  }
};
// The gradient ops (TF's cwise_ops_gradients.h, relu_op_functor.h): x is the op's first
// input, y its second.
struct SqrtGradFn : BinaryFn {  // (y, dy): 0.5 * dy / y
  template <typename T>
  VS_HD T operator()(T out, T dy) const {
    return T(0.5) * dy / out;
  }
};
struct RsqrtGradFn : BinaryFn {  // (y, dy): -0.5 * dy * y^3
  template <typename T>
  VS_HD T operator()(T out, T dy) const {
    return T(-0.5) * (dy * out) * (out * out);
  }
};
struct ReciprocalGradFn : BinaryFn {  // (y, dy): -dy * y^2
  template <typename T>
  VS_HD T operator()(T out, T dy) const {
    return -dy * out * out;
  }
};
struct EluGradFn : BinaryFn {  // (gradients, outputs)
  template <typename T>
  VS_HD T operator()(T g, T out) const {
    return out < T(0) ? g * (out + T(1)) : g;
  }
};
struct Relu6GradFn : BinaryFn {  // (gradients, features)
  template <typename T>
  VS_HD T operator()(T g, T f) const {
    return f > T(0) && f < T(6) ? g : T(0);
  }
};
struct LeakyReluGradFn : BinaryFn {  // (gradients, features), alpha
  template <typename T>
  VS_HD T operator()(T g, T f) const {
    return f > T(0) ? g : g * static_cast<T>(alpha);
  }
};

template <BinaryOp kOp>
struct BinaryFnOf;
#define VS_BINARY_FN_OF(op, Name, types) \
  template <>                            \
  struct BinaryFnOf<BinaryOp::op> {      \
    using type = Name##Fn;               \
  };
VS_BINARY_OPS(VS_BINARY_FN_OF)
#undef VS_BINARY_FN_OF

// One element of an op chosen at run time (tests, reference loops); the backends' loops
// instantiate each functor with the op known at compile time instead.
template <typename T>
VS_HD inline T apply(BinaryOp op, T x, T y, double alpha = 0) {
  switch (op) {
#define VS_BINARY_APPLY(op, Name, types) \
  case BinaryOp::op: {                   \
    Name##Fn f;                          \
    f.alpha = alpha;                     \
    return static_cast<T>(f(x, y));      \
  }
    VS_BINARY_OPS(VS_BINARY_APPLY)
#undef VS_BINARY_APPLY
  }
  return T(0);
}

// Whether the op reports an integer division by zero.
constexpr bool divides_by_y(BinaryOp op) {
  switch (op) {
#define VS_BINARY_DIVIDES(op, Name, types) \
  case BinaryOp::op:                       \
    return Name##Fn::kDividesByY;
    VS_BINARY_OPS(VS_BINARY_DIVIDES)
#undef VS_BINARY_DIVIDES
  }
  return false;
}

inline constexpr int kMaxRank = 8;

// Maps an output element to its two input elements. Inputs are right-aligned to the
// output's rank; a broadcast dimension has stride 0.
struct Broadcast {
  int rank = 0;
  std::int64_t out_dims[kMaxRank] = {};
  std::int64_t x_strides[kMaxRank] = {};
  std::int64_t y_strides[kMaxRank] = {};

  VS_HD void inputs_of(std::int64_t out_index, std::int64_t* xi, std::int64_t* yi) const {
    std::int64_t x = 0, y = 0;
    for (int d = rank - 1; d >= 0; --d) {
      const std::int64_t coord = out_index % out_dims[d];
      out_index /= out_dims[d];
      x += coord * x_strides[d];
      y += coord * y_strides[d];
    }
    *xi = x;
    *yi = y;
  }
};

// n / d and n % d for 32-bit n < 2^31 by a multiply-high and a shift (Granlund-Montgomery,
// as in PyTorch's IntDivider): the 64-bit division of Broadcast::inputs_of, hoisted to the
// host once per launch.
struct FastDivmod {
  std::uint32_t divisor = 1;
  std::uint32_t magic = 0;
  std::uint32_t shift = 0;

  FastDivmod() = default;
  explicit FastDivmod(std::uint32_t d) : divisor(d) {
    while (shift < 32 && (std::uint64_t{1} << shift) < d)
      ++shift;
    const std::uint64_t one = 1;
    magic = static_cast<std::uint32_t>(((one << 32) * ((one << shift) - d)) / d + 1);
  }
  VS_HD std::uint32_t div(std::uint32_t n) const {
    const auto hi = static_cast<std::uint32_t>((std::uint64_t(n) * magic) >> 32);
    return (hi + n) >> shift;
  }
};

// A broadcast after merging adjacent dimensions that step together, with the index maths
// precomputed; what the GPU kernel runs (launchers.cu) and the CPU tests check against
// Broadcast::inputs_of.
struct FastBroadcast {
  enum Kind : int {
    kSame,     // both inputs walk the output contiguously
    kScalarX,  // x is one element, y contiguous
    kScalarY,  // y is one element, x contiguous
    kGeneral,  // strides, with 32-bit fast divmod (fewer than 2^31 elements)
    kGeneral64,
  };
  Kind kind = kGeneral64;
  int rank = 0;
  FastDivmod div[kMaxRank];
  std::int64_t dims[kMaxRank] = {};
  std::int64_t x_strides[kMaxRank] = {};
  std::int64_t y_strides[kMaxRank] = {};

  VS_HD void inputs_of(std::int64_t i, std::int64_t* xi, std::int64_t* yi) const {
    std::int64_t x = 0, y = 0;
    if (kind == kGeneral) {
      auto n = static_cast<std::uint32_t>(i);
      for (int d = rank - 1; d >= 0; --d) {
        const std::uint32_t q = div[d].div(n);
        const std::int64_t coord = n - q * div[d].divisor;
        n = q;
        x += coord * x_strides[d];
        y += coord * y_strides[d];
      }
    } else {
      for (int d = rank - 1; d >= 0; --d) {
        const std::int64_t coord = i % dims[d];
        i /= dims[d];
        x += coord * x_strides[d];
        y += coord * y_strides[d];
      }
    }
    *xi = x;
    *yi = y;
  }
};

// Host side: merges dimension d into d + 1 when both inputs' strides continue across it.
inline FastBroadcast make_fast_broadcast(const Broadcast& b, std::int64_t count) {
  FastBroadcast f;
  int r = 0;
  for (int d = 0; d < b.rank; ++d) {
    if (b.out_dims[d] == 1) continue;  // a size-1 dimension moves nothing
    if (r > 0 && f.x_strides[r - 1] == b.x_strides[d] * b.out_dims[d] &&
        f.y_strides[r - 1] == b.y_strides[d] * b.out_dims[d]) {
      f.dims[r - 1] *= b.out_dims[d];
      f.x_strides[r - 1] = b.x_strides[d];
      f.y_strides[r - 1] = b.y_strides[d];
      continue;
    }
    f.dims[r] = b.out_dims[d];
    f.x_strides[r] = b.x_strides[d];
    f.y_strides[r] = b.y_strides[d];
    ++r;
  }
  f.rank = r;
  const bool x_unit = r == 0 || (r == 1 && f.x_strides[0] == 1);
  const bool y_unit = r == 0 || (r == 1 && f.y_strides[0] == 1);
  const bool x_zero = r == 0 || (r == 1 && f.x_strides[0] == 0);
  const bool y_zero = r == 0 || (r == 1 && f.y_strides[0] == 0);
  if (x_unit && y_unit) {
    f.kind = FastBroadcast::kSame;
  } else if (x_zero && y_unit) {
    f.kind = FastBroadcast::kScalarX;
  } else if (y_zero && x_unit) {
    f.kind = FastBroadcast::kScalarY;
  } else if (count < (std::int64_t{1} << 31)) {
    f.kind = FastBroadcast::kGeneral;
    for (int d = 0; d < r; ++d)
      f.div[d] = FastDivmod(static_cast<std::uint32_t>(f.dims[d]));
  } else {
    f.kind = FastBroadcast::kGeneral64;
  }
  return f;
}

}  // namespace varscope::kernels
