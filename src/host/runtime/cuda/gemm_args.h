// The cuBLAS GEMM arguments for Backend::matmul. cuBLAS is column-major, and a row-major
// r x c matrix is a column-major c x r one with the same bytes, so row-major C = op(A) op(B)
// is column-major C^T = op(B)^T op(A)^T: the operands swap, and so do m and n. Host-only
// arithmetic, checked on the CPU against a column-major reference (gemm_args_test).
#pragma once

#include <algorithm>
#include <cstdint>

#include "host/runtime/backend.h"

namespace varscope::runtime::cuda {

// Column-major C (m x n, leading dimension ld_c) = op(first) (m x k) x op(second) (k x n),
// for each of `batch` matrices `stride_*` elements apart. first is the caller's B, second its A.
struct GemmArgs {
  bool transpose_first = false, transpose_second = false;
  std::int64_t m = 0, n = 0, k = 0;
  std::int64_t ld_first = 1, ld_second = 1, ld_c = 1;
  std::int64_t stride_first = 0, stride_second = 0, stride_c = 0;
  std::int64_t batch = 1;
};

inline GemmArgs column_major_gemm(const Backend::MatMulShape& s) {
  GemmArgs g;
  g.transpose_first = s.transpose_b;
  g.transpose_second = s.transpose_a;
  g.m = s.n;
  g.n = s.m;
  g.k = s.k;
  // A leading dimension is the stored row-major matrix's column count. cuBLAS rejects one
  // below 1 even where nothing is read (k == 0), hence the floor.
  g.ld_first = std::max<std::int64_t>(1, s.b_row_stride());
  g.ld_second = std::max<std::int64_t>(1, s.transpose_a ? s.m : s.k);
  g.ld_c = std::max<std::int64_t>(1, s.n);
  g.stride_first = s.stride_b;
  g.stride_second = s.stride_a;
  g.stride_c = s.stride_c;
  g.batch = s.batch;
  return g;
}

}  // namespace varscope::runtime::cuda
