// Matrix products on the CPU; the one place that chooses the GEMM library.
//   float32: oneDNN's dnnl_sgemm. It picks its kernels at run time for the CPU at hand
//     (AVX2, AVX-512, AMX; Intel and AMD). Debian's OpenBLAS 0.3.21 does not recognise
//     recent Xeons and falls back to its generic Prescott kernels (correct, but ~6x slower),
//     which is why it is not used for float32.
//   float64: our own (dgemm.cpp: AVX-512, AVX2 or portable kernels), because oneDNN has no
//     double GEMM on the CPU and OpenBLAS can be pointed at the right kernels only by
//     changing the process's environment or global state.
// Other dtypes are refused, as before.
//
// Threads: Debian builds oneDNN on OpenMP, whose team splits a GEMM statically: when one
// of its threads loses its core (a shared machine), the whole product waits (1024^3 took
// 23-38 ms instead of 12). So large products are cut into row blocks on our own pool,
// which hands a late thread's blocks to the others, and each block runs oneDNN on one
// OpenMP thread (omp_set_num_threads in a thread changes only that thread's setting, and it
// is restored after the block: the application's OpenMP setting is left as it was). Small
// products run inline. The blocks depend on the shape only, so the bits do not depend on
// the thread count; float64 products run on varscope's own kernels (dgemm.cpp), which
// give the same bits on any thread count too.
#include <dnnl.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "host/runtime/cpu/cpu_ops.h"
#include "host/runtime/cpu/gemm_layout.h"
#include "host/runtime/cpu/omp_threads.h"
#include "host/runtime/cpu/thread_pool.h"

namespace varscope::runtime::cpu {
namespace {

void zero_outputs(DType dtype, const Backend::MatMulShape& s, void* c) {
  const std::size_t row_bytes = static_cast<std::size_t>(s.m * s.n) * dtype_size(dtype);
  for (std::int64_t i = 0; i < s.batch; ++i)
    std::memset(static_cast<char*>(c) + i * s.stride_c * dtype_size(dtype), 0, row_bytes);
}

// Whether this oneDNN lets a caller pin a call to one thread (OpenMP, or no threads).
constexpr bool kSplitOnOurPool = DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_OMP ||
                                 DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_SEQ;

// The block of C at rows row0.. and columns col0.. of one product.
void sgemm_block(const Backend::MatMulShape& s,
                 const float* a,
                 const float* b,
                 float* c,
                 std::int64_t row0,
                 std::int64_t rows,
                 std::int64_t col0,
                 std::int64_t cols) {
  const char ta = s.transpose_a ? 'T' : 'N', tb = s.transpose_b ? 'T' : 'N';
  const dnnl_dim_t lda = s.transpose_a ? s.m : s.k, ldb = s.b_row_stride();
  // Rows row0.. of op(A): columns of A when it is transposed; columns col0.. of op(B): rows
  // of B when it is transposed. Row-major throughout, like cblas_sgemm(CblasRowMajor, ...).
  const float* a_rows = s.transpose_a ? a + row0 : a + row0 * lda;
  const float* b_cols = s.transpose_b ? b + col0 * ldb : b + col0;
  const dnnl_status_t status = dnnl_sgemm(ta, tb, rows, cols, s.k, 1.0f, a_rows, lda, b_cols, ldb,
                                          0.0f, c + row0 * s.n + col0, s.n);
  if (status != dnnl_success) {
    throw InternalError("dnnl_sgemm failed with status " + std::to_string(status));
  }
}

// Rows of A from which a product pays for copying an untransposed B with padded rows
// (gemm_layout.h) first. On Zen 3, 2 threads: [64, 512] · [512, 1024] took 810-880 µs as it
// is, 690-700 µs with a one-thread copy first, 445-455 µs on a B padded already; at 32 rows
// the copy did not pay. Products of fewer rows that share B get it padded once per run
// instead (shared_b_layouts.cpp).
constexpr std::int64_t kPadMinRows = 64;
// The largest B copied so (its bytes): the copy doubles B's memory while the product runs.
constexpr std::int64_t kPadMaxBytes = std::int64_t{64} << 20;

// B's matrices copied with padded rows (s.ldb set), or null (no padding pays, B is too large, or no
// memory for it: the product then runs on B as it is).
std::unique_ptr<float[]> padded_copy(Backend::MatMulShape& s, const float* b) {
  const std::int64_t stride = padded_b_row_stride(s.n, sizeof(float));
  if (s.transpose_b || s.ldb != 0 || stride == s.n || s.m < kPadMinRows) return nullptr;
  if (s.stride_b != 0 && s.stride_b != s.k * s.n) return nullptr;  // not dense matrices
  const std::int64_t matrices = s.stride_b == 0 ? 1 : s.batch;
  const std::int64_t rows = matrices * s.k;  // every row of every B
  if (rows > kPadMaxBytes / std::int64_t{sizeof(float)} / stride) return nullptr;
  std::unique_ptr<float[]> out(new (std::nothrow) float[static_cast<std::size_t>(rows * stride)]);
  if (!out) return nullptr;
  parallel_for(rows, std::max<std::int64_t>(1, kMinElementsPerThread / s.n),
               [&](std::int64_t first, std::int64_t end) {
                 for (std::int64_t r = first; r < end; ++r)
                   std::memcpy(out.get() + r * stride, b + r * s.n, sizeof(float) * s.n);
               });
  s.ldb = stride;
  if (s.stride_b != 0) s.stride_b = s.k * stride;
  return out;
}

void sgemm(Backend::MatMulShape s, const float* a, const float* b, float* c) {
  const std::unique_ptr<float[]> padded = padded_copy(s, b);
  if (padded) b = padded.get();
  if (!kSplitOnOurPool) {
    for (std::int64_t i = 0; i < s.batch; ++i)
      sgemm_block(s, a + i * s.stride_a, b + i * s.stride_b, c + i * s.stride_c, 0, s.m, 0, s.n);
    return;
  }
  // Row blocks of a size set by the shape alone: oneDNN's result for a row depends on the
  // rows of its call (its kernels differ by M), so a block size taken from the thread count
  // would change the bits with it. Each block packs all of B again (1024^3 on one core:
  // 13.5 ms whole, 15.4 ms in blocks of 128, 18 ms of 64), so blocks are 64 rows, 128 from
  // m = 512, and at most 64 per matrix; products under ~4 MFLOP a block stay inline.
  std::int64_t block = s.m >= 512 ? std::max<std::int64_t>(128, (s.m + 63) / 64) : 64;
  block = (block + 15) / 16 * 16;
  const std::int64_t blocks_per_matrix = (s.m + block - 1) / block;
  // A single row block of 8 MFLOP or more (a recurrent step's [32, 512] x [512, 1024]) is cut
  // into four column blocks instead, again by the shape alone: each packs only its columns
  // of B, so nothing is packed twice.
  std::int64_t cols = s.n;
  if (s.batch * blocks_per_matrix == 1 &&
      2.0 * double(s.m) * double(s.n) * double(s.k) >= double(std::int64_t{1} << 23)) {
    cols = std::max<std::int64_t>(64, (s.n + 63) / 64 * 16);
  }
  const std::int64_t col_blocks = (s.n + cols - 1) / cols;
  const std::int64_t blocks = s.batch * blocks_per_matrix * col_blocks;
  const double flops_per_block =
      2.0 * double(std::min(block, s.m)) * double(std::min(cols, s.n)) * double(s.k);
  const auto min_blocks =
      static_cast<std::int64_t>(std::max(1.0, double(std::int64_t{1} << 22) / flops_per_block));
  parallel_for(blocks, min_blocks, [&](std::int64_t first, std::int64_t end) {
    ScopedOmpThreads one_thread(1);
    for (std::int64_t t = first; t < end; ++t) {
      const std::int64_t i = t / (blocks_per_matrix * col_blocks);
      const std::int64_t row0 = (t / col_blocks % blocks_per_matrix) * block;
      const std::int64_t col0 = t % col_blocks * cols;
      sgemm_block(s, a + i * s.stride_a, b + i * s.stride_b, c + i * s.stride_c, row0,
                  std::min(block, s.m - row0), col0, std::min(cols, s.n - col0));
    }
  });
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
  dgemm(dgemm_kernels_for_this_cpu(), s, static_cast<const double*>(a),
        static_cast<const double*>(b), static_cast<double*>(c));
}

std::string gemm_description() {
  return "oneDNN sgemm, varscope dgemm with " + dgemm_kernels_name(dgemm_kernels_for_this_cpu()) +
         " kernels";
}

}  // namespace varscope::runtime::cpu
