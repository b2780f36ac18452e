// Select and SelectV2 (tf.where's three-argument forms): out = condition ? t : e, elementwise
// with the three inputs' strides into the output (0: broadcast). TF1's Select (the same shape,
// or a vector condition over the first dimension) and SelectV2 (NumPy broadcasting of all
// three) are both this map. Shared by the CPU loop (host/runtime/cpu/select.cpp) and the CUDA
// kernel (select_launchers.cu).
#pragma once

#include <cstdint>

#include "kernels/elementwise.h"
#include "kernels/hd.h"

namespace varscope::kernels {

struct SelectBroadcast {
  int rank = 0;
  std::int64_t out_dims[kMaxRank] = {};
  std::int64_t strides[3][kMaxRank] = {};  // condition, t, e

  // The three inputs' elements of output element `i`.
  VS_HD void inputs_of(std::int64_t i, std::int64_t* c, std::int64_t* t, std::int64_t* e) const {
    std::int64_t ci = 0, ti = 0, ei = 0;
    for (int d = rank - 1; d >= 0; --d) {
      const std::int64_t coord = i % out_dims[d];
      i /= out_dims[d];
      ci += coord * strides[0][d];
      ti += coord * strides[1][d];
      ei += coord * strides[2][d];
    }
    *c = ci;
    *t = ti;
    *e = ei;
  }
};

template <typename T>
VS_HD inline T select_value(bool c, T t, T e) {
  return c ? t : e;
}

}  // namespace varscope::kernels
