// Matrix products on the CPU; the one place that chooses the GEMM library.
//   float32: oneDNN's dnnl_sgemm. It picks its kernels at run time for the CPU at hand
//     (AVX2, AVX-512, AMX; Intel and AMD) and runs them on its own OpenMP threads (one per
//     core). Debian's OpenBLAS 0.3.21 does not recognise recent Xeons and falls back to its
//     generic Prescott kernels (correct, but ~6x slower), which is why it is not used here.
//   float64: OpenBLAS's cblas_dgemm, because oneDNN has no double GEMM on the CPU.
//     On CPUs OpenBLAS does not recognise it is correct but slow.
// Other dtypes are refused, as before.
#include <cblas.h>
#include <dnnl.h>

#include <cstring>
#include <string>

#include "host/runtime/cpu/cpu_ops.h"

namespace varscope::runtime::cpu {
namespace {

void zero_outputs(DType dtype, const Backend::MatMulShape& s, void* c) {
  const std::size_t row_bytes = static_cast<std::size_t>(s.m * s.n) * dtype_size(dtype);
  for (std::int64_t i = 0; i < s.batch; ++i)
    std::memset(static_cast<char*>(c) + i * s.stride_c * dtype_size(dtype), 0, row_bytes);
}

void sgemm(const Backend::MatMulShape& s, const float* a, const float* b, float* c) {
  const char ta = s.transpose_a ? 'T' : 'N', tb = s.transpose_b ? 'T' : 'N';
  const dnnl_dim_t lda = s.transpose_a ? s.m : s.k, ldb = s.transpose_b ? s.k : s.n;
  for (std::int64_t i = 0; i < s.batch; ++i) {
    // Row-major, like cblas_sgemm(CblasRowMajor, ...).
    const dnnl_status_t status = dnnl_sgemm(ta, tb, s.m, s.n, s.k, 1.0f, a + i * s.stride_a, lda,
                                            b + i * s.stride_b, ldb, 0.0f, c + i * s.stride_c, s.n);
    if (status != dnnl_success) {
      throw InternalError("dnnl_sgemm failed with status " + std::to_string(status));
    }
  }
}

void dgemm(const Backend::MatMulShape& s, const double* a, const double* b, double* c) {
  const auto ta = s.transpose_a ? CblasTrans : CblasNoTrans;
  const auto tb = s.transpose_b ? CblasTrans : CblasNoTrans;
  const auto lda = static_cast<blasint>(s.transpose_a ? s.m : s.k);
  const auto ldb = static_cast<blasint>(s.transpose_b ? s.k : s.n);
  const auto m = static_cast<blasint>(s.m), n = static_cast<blasint>(s.n),
             k = static_cast<blasint>(s.k);
  for (std::int64_t i = 0; i < s.batch; ++i) {
    cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0, a + i * s.stride_a, lda, b + i * s.stride_b,
                ldb, 0.0, c + i * s.stride_c, n);
  }
}

}  // namespace

void matmul(DType dtype, const Backend::MatMulShape& s, const void* a, const void* b, void* c) {
  if (s.m == 0 || s.n == 0 || s.batch == 0) return;
  if (dtype != DType::kFloat32 && dtype != DType::kFloat64) {
    throw UnimplementedError("MatMul on " + std::string(dtype_name(dtype)));
  }
  if (s.k == 0) return zero_outputs(dtype, s, c);  // an empty sum; no library call needed
  if (dtype == DType::kFloat32) {
    return sgemm(s, static_cast<const float*>(a), static_cast<const float*>(b),
                 static_cast<float*>(c));
  }
  dgemm(s, static_cast<const double*>(a), static_cast<const double*>(b), static_cast<double*>(c));
}

std::string gemm_description() {
  return "oneDNN sgemm, OpenBLAS dgemm";
}

}  // namespace varscope::runtime::cpu
