// Elementwise math with NumPy broadcasting, shared by the CPU loops and the CUDA kernels.
#pragma once

#include <cstdint>
#include <type_traits>

#include "kernels/hd.h"

namespace varscope::kernels {

enum class BinaryOp : int { kAdd, kSub, kMul, kDiv };

// x / y with every case defined (docs/kernels.md, "Integer division"): integers truncate
// toward zero; x / -1 is the two's-complement negation, so INT_MIN / -1 wraps to INT_MIN
// (x86's idiv would trap); x / 0 gives 0 here, and the backends report it as
// vs::InvalidArgumentError (the CPU before the op, the GPU at the run's end).
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
VS_HD inline T apply(BinaryOp op, T x, T y) {
  switch (op) {
    case BinaryOp::kAdd:
      return x + y;
    case BinaryOp::kSub:
      return x - y;
    case BinaryOp::kMul:
      return x * y;
    case BinaryOp::kDiv:
      return divide(x, y);
  }
  return T(0);
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

template <typename T>
VS_HD inline void binary_element(
    BinaryOp op, const Broadcast& b, const T* x, const T* y, T* out, std::int64_t i) {
  std::int64_t xi, yi;
  b.inputs_of(i, &xi, &yi);
  out[i] = apply(op, x[xi], y[yi]);
}

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
