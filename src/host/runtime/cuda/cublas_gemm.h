// Backend::matmul's row-major C = op(A) op(B) through cuBLAS's 64-bit strided-batched GEMM
// (no size narrowed to int); gemm_args.h turns the row-major shape into cuBLAS's
// column-major arguments. The caller makes its device current and sets the handle's stream.
#pragma once

#include <cublas_v2.h>

#include "host/runtime/backend.h"

namespace varscope::runtime::cuda {

// T is float or double; a failed status is vs::InternalError naming the call.
template <class T>
void row_major_gemm(
    cublasHandle_t handle, const Backend::MatMulShape& s, const void* a, const void* b, void* c);

}  // namespace varscope::runtime::cuda
