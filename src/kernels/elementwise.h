// Elementwise math with NumPy broadcasting, shared by the CPU loops and the CUDA kernels.
#pragma once

#include <cstdint>

#include "kernels/hd.h"

namespace varscope::kernels {

enum class BinaryOp : int { kAdd, kSub, kMul, kDiv };

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
      return x / y;
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

}  // namespace varscope::kernels
