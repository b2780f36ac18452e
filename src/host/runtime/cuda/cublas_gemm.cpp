#include "host/runtime/cuda/cublas_gemm.h"

#include <type_traits>

#include "host/runtime/cuda/cublas_api.h"
#include "host/runtime/cuda/cuda_check.h"
#include "host/runtime/cuda/gemm_args.h"

namespace varscope::runtime::cuda {

template <class T>
void row_major_gemm(
    cublasHandle_t handle, const Backend::MatMulShape& s, const void* a, const void* b, void* c) {
  const GemmArgs g = column_major_gemm(s);
  const cublasOperation_t op_first = g.transpose_first ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t op_second = g.transpose_second ? CUBLAS_OP_T : CUBLAS_OP_N;
  const T one = 1, zero = 0;
  const T* first = static_cast<const T*>(b);
  const T* second = static_cast<const T*>(a);
  T* out = static_cast<T*>(c);
  if constexpr (std::is_same_v<T, float>) {
    VARSCOPE_CHECK_CUBLAS(cublas().sgemm_strided_batched(
        handle, op_first, op_second, g.m, g.n, g.k, &one, first, g.ld_first, g.stride_first, second,
        g.ld_second, g.stride_second, &zero, out, g.ld_c, g.stride_c, g.batch));
  } else {
    VARSCOPE_CHECK_CUBLAS(cublas().dgemm_strided_batched(
        handle, op_first, op_second, g.m, g.n, g.k, &one, first, g.ld_first, g.stride_first, second,
        g.ld_second, g.stride_second, &zero, out, g.ld_c, g.stride_c, g.batch));
  }
}

template void row_major_gemm<float>(
    cublasHandle_t, const Backend::MatMulShape&, const void*, const void*, void*);
template void row_major_gemm<double>(
    cublasHandle_t, const Backend::MatMulShape&, const void*, const void*, void*);

}  // namespace varscope::runtime::cuda
