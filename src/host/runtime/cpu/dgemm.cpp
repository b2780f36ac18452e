// float64 matrix products, ours: packed blocks of A and B (the GotoBLAS/BLIS scheme) and a
// register-blocked micro-kernel, chosen once for the CPU at hand: AVX-512 (8x24), AVX2
// with FMA (6x8), or portable C++ (4x4).
//
// Why not a library: oneDNN has no double GEMM on the CPU. Debian's OpenBLAS 0.3.21 picks
// its kernels by CPU model, falls back to Prescott kernels on Xeons newer than itself
// (4-5x slower: 512^3 on 2 threads 8.6 ms instead of 2.0), and lets a program choose
// others only through the OPENBLAS_CORETYPE environment variable or by re-initializing
// it: both change the host process's state. Debian's BLIS picks AVX2 kernels where the
// CPU's brand string does not say how many FMA units it has (a VM's "Intel(R) Xeon(R)
// Processor"): 1.8x slower, and it exports a second cblas_dgemm. Ours: as fast as
// OpenBLAS's SkylakeX kernels on one thread, ~10% behind on two, ~1.7x behind at 64^3
// (bench/RESULTS.md).
//
// The same bits on any thread count, and on AVX-512 and AVX2: every element of C is one
// chain of fused multiply-adds over each kKc-deep block of k, in order, the blocks' sums
// added to C in order. Only the portable kernel (no FMA) rounds differently. Threads take
// blocks of rows; a block's rows come out the same wherever it starts.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>

#include "host/runtime/cpu/cpu_ops.h"
#include "host/runtime/cpu/thread_pool.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define VS_DGEMM_X86 1
#else
#define VS_DGEMM_X86 0
#endif

namespace varscope::runtime::cpu {
namespace {

using i64 = std::int64_t;

constexpr i64 kKc = 256;                // depth of one pass (a packed B strip stays in L1/L2)
constexpr i64 kMc = 96;                 // rows of A packed per task (L2)
constexpr i64 kNc = 3072;               // columns of B packed per pass (L3)
constexpr i64 kPackedB = i64{1} << 20;  // doubles of B packed at once (8 MiB)
constexpr i64 kDirectB = i64{1} << 15;  // a B this small is not packed (256 KiB)
constexpr double kFlopsPerTask = double(std::int64_t{1} << 22);  // less runs inline

i64 ceil_div(i64 a, i64 b) {
  return (a + b - 1) / b;
}
i64 round_up(i64 a, i64 b) {
  return ceil_div(a, b) * b;
}

// A matrix as strides: element (r, c) at p[r * rs + c * cs] (a transpose swaps them).
struct Operand {
  const double* p;
  i64 rs, cs;
};

struct FreeAligned {
  void operator()(double* p) const { std::free(p); }
};
using Buffer = std::unique_ptr<double[], FreeAligned>;
Buffer aligned_doubles(i64 count) {
  const auto bytes = static_cast<std::size_t>(round_up(std::max<i64>(count, 1) * 8, 64));
  auto* p = static_cast<double*>(std::aligned_alloc(64, bytes));
  if (p == nullptr) throw std::bad_alloc();
  return Buffer(p);
}

// Rows [r0, r0 + rows) x depth [p0, p0 + kc) of A as strips of MR rows, each kc x MR with
// a step's MR values together; rows past the end are zeros.
template <int MR>
void pack_a(const Operand& a, i64 r0, i64 rows, i64 p0, i64 kc, double* dst) {
  for (i64 s = 0; s < rows; s += MR, dst += kc * MR) {
    const i64 h = std::min<i64>(MR, rows - s);
    for (i64 p = 0; p < kc; ++p) {
      const double* src = a.p + (r0 + s) * a.rs + (p0 + p) * a.cs;
      for (i64 r = 0; r < h; ++r)
        dst[p * MR + r] = src[r * a.rs];
      for (i64 r = h; r < MR; ++r)
        dst[p * MR + r] = 0.0;
    }
  }
}

// Depth [p0, p0 + kc) x columns [c0, c0 + cols) of B as strips of NR columns, kc x NR each.
template <int NR>
void pack_b(const Operand& b, i64 p0, i64 kc, i64 c0, i64 cols, double* dst) {
  for (i64 s = 0; s < cols; s += NR, dst += kc * NR) {
    const i64 w = std::min<i64>(NR, cols - s);
    for (i64 p = 0; p < kc; ++p) {
      const double* src = b.p + (p0 + p) * b.rs + (c0 + s) * b.cs;
      for (i64 j = 0; j < w; ++j)
        dst[p * NR + j] = src[j * b.cs];
      for (i64 j = w; j < NR; ++j)
        dst[p * NR + j] = 0.0;
    }
  }
}

// Micro-kernels: the MR x NR tile at c (rows ldc apart) = its packed A strip times its B
// strip (packed, ldb = NR, or B's own rows, ldb apart) over kc steps, plus the tile's old
// values when `add`.
#if VS_DGEMM_X86
struct Avx512 {
  static constexpr int MR = 8, NR = 24;
  static constexpr const char* kName = "AVX-512";
  __attribute__((target("avx512f"))) static void tile(
      i64 kc, const double* a, const double* b, i64 ldb, double* c, i64 ldc, bool add) {
    __m512d acc[MR][3];
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r)
      acc[r][0] = acc[r][1] = acc[r][2] = _mm512_setzero_pd();
    for (i64 p = 0; p < kc; ++p, a += MR, b += ldb) {
      const __m512d b0 = _mm512_loadu_pd(b), b1 = _mm512_loadu_pd(b + 8),
                    b2 = _mm512_loadu_pd(b + 16);
#pragma GCC unroll 8
      for (int r = 0; r < MR; ++r) {
        const __m512d x = _mm512_set1_pd(a[r]);
        acc[r][0] = _mm512_fmadd_pd(x, b0, acc[r][0]);
        acc[r][1] = _mm512_fmadd_pd(x, b1, acc[r][1]);
        acc[r][2] = _mm512_fmadd_pd(x, b2, acc[r][2]);
      }
    }
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
      for (int j = 0; j < 3; ++j) {
        double* out = c + r * ldc + 8 * j;
        _mm512_storeu_pd(out, add ? _mm512_add_pd(_mm512_loadu_pd(out), acc[r][j]) : acc[r][j]);
      }
    }
  }
};

struct Avx2 {
  static constexpr int MR = 6, NR = 8;
  static constexpr const char* kName = "AVX2";
  __attribute__((target("avx2,fma"))) static void tile(
      i64 kc, const double* a, const double* b, i64 ldb, double* c, i64 ldc, bool add) {
    __m256d acc[MR][2];
#pragma GCC unroll 6
    for (int r = 0; r < MR; ++r)
      acc[r][0] = acc[r][1] = _mm256_setzero_pd();
    for (i64 p = 0; p < kc; ++p, a += MR, b += ldb) {
      const __m256d b0 = _mm256_loadu_pd(b), b1 = _mm256_loadu_pd(b + 4);
#pragma GCC unroll 6
      for (int r = 0; r < MR; ++r) {
        const __m256d x = _mm256_broadcast_sd(a + r);
        acc[r][0] = _mm256_fmadd_pd(x, b0, acc[r][0]);
        acc[r][1] = _mm256_fmadd_pd(x, b1, acc[r][1]);
      }
    }
#pragma GCC unroll 6
    for (int r = 0; r < MR; ++r) {
      for (int j = 0; j < 2; ++j) {
        double* out = c + r * ldc + 4 * j;
        _mm256_storeu_pd(out, add ? _mm256_add_pd(_mm256_loadu_pd(out), acc[r][j]) : acc[r][j]);
      }
    }
  }
};
#endif

struct Portable {
  static constexpr int MR = 4, NR = 4;
  static constexpr const char* kName = "portable C++";
  static void tile(
      i64 kc, const double* a, const double* b, i64 ldb, double* c, i64 ldc, bool add) {
    double acc[MR][NR] = {};
    for (i64 p = 0; p < kc; ++p, a += MR, b += ldb) {
      for (int r = 0; r < MR; ++r)
        for (int j = 0; j < NR; ++j)
          acc[r][j] += a[r] * b[j];
    }
    for (int r = 0; r < MR; ++r)
      for (int j = 0; j < NR; ++j)
        c[r * ldc + j] = add ? c[r * ldc + j] + acc[r][j] : acc[r][j];
  }
};

// C (m x n, rows n apart) = A B with K's kernel; on the pool when `parallel`. B is packed
// for a group of passes at once (up to kPackedB doubles), so that the threads wait for
// each other once per group, not once per pass; each then takes blocks of rows through
// all the group's passes, in order.
template <class K>
void product(const Operand& a, const Operand& b, double* c, i64 m, i64 n, i64 k, bool parallel) {
  constexpr int MR = K::MR, NR = K::NR;
  // Tasks: blocks of about kMc rows, as many as a multiple of the threads, of whole strips
  // of MR rows, as even as strips allow (a thread's last block must not be a short one).
  const i64 threads = parallel ? pool_threads() : 1, row_strips = ceil_div(m, MR);
  const i64 tasks = std::min(row_strips, round_up(ceil_div(m, kMc), threads));
  const i64 mc = ceil_div(row_strips, tasks) * MR;  // the most rows a task has
  auto task_row = [&](i64 t) { return std::min(m, row_strips * t / tasks * MR); };
  const i64 row_len = round_up(std::min(kNc, n), NR);  // of a pass's packed B
  const i64 group = std::min(k, std::max<i64>(1, kPackedB / (kKc * row_len)) * kKc);
  const double task_flops =
      2.0 * double(std::min(mc, m)) * double(std::min(kNc, n)) * double(group);
  const i64 min_tasks = parallel ? std::max<i64>(1, i64(kFlopsPerTask / task_flops)) : tasks;
  // A small B with contiguous rows is read in place (no packing): only ragged strips are
  // packed.
  const bool direct_b = b.cs == 1 && k * n <= kDirectB;
  const Buffer packed_b = aligned_doubles(group * row_len);
  double* const pb = packed_b.get();
  for (i64 jc = 0; jc < n; jc += kNc) {
    const i64 nc = std::min(kNc, n - jc), strips = ceil_div(nc, NR);
    for (i64 pg = 0; pg < k; pg += group) {
      const i64 depth = std::min(group, k - pg), passes = ceil_div(depth, kKc);
      // Pass q's strip s (kc x NR) at (q kKc) row_len + s NR kc.
      const i64 units = passes * strips;
      parallel_for(units, parallel ? ceil_div(kMinElementsPerThread, kKc * NR) : units,
                   [&](i64 first, i64 end) {
                     for (i64 u = first; u < end; ++u) {
                       const i64 q = u / strips, col = (u % strips) * NR;
                       const i64 p0 = pg + q * kKc, kc = std::min(kKc, k - p0);
                       if (direct_b && nc - col >= NR) continue;
                       pack_b<NR>(b, p0, kc, jc + col, std::min<i64>(NR, nc - col),
                                  pb + q * kKc * row_len + col * kc);
                     }
                   });
      parallel_for(tasks, min_tasks, [&](i64 first, i64 end) {
        const Buffer packed_a = aligned_doubles(std::min(kKc, depth) * round_up(mc, MR));
        alignas(64) double edge[MR * NR];
        for (i64 t = first; t < end; ++t) {
          const i64 ic = task_row(t), rows = task_row(t + 1) - ic;
          for (i64 pc = pg; pc < pg + depth; pc += kKc) {
            const i64 kc = std::min(kKc, k - pc);
            const bool add = pc > 0;
            const double* pass_b = pb + (pc - pg) * row_len;
            pack_a<MR>(a, ic, rows, pc, kc, packed_a.get());
            for (i64 jr = 0; jr < nc; jr += NR) {
              const i64 w = std::min<i64>(NR, nc - jr);
              for (i64 ir = 0; ir < rows; ir += MR) {
                const i64 h = std::min<i64>(MR, rows - ir);
                const double* pa_strip = packed_a.get() + ir * kc;
                double* out = c + (ic + ir) * n + jc + jr;
                const bool in_place = direct_b && w == NR;
                const double* b_strip = in_place ? b.p + pc * b.rs + jc + jr : pass_b + jr * kc;
                const i64 ldb = in_place ? b.rs : NR;
                if (h == MR && w == NR) {
                  K::tile(kc, pa_strip, b_strip, ldb, out, n, add);
                  continue;
                }
                K::tile(kc, pa_strip, b_strip, ldb, edge, NR, false);
                for (i64 r = 0; r < h; ++r) {
                  for (i64 j = 0; j < w; ++j) {
                    const double v = edge[r * NR + j];
                    out[r * n + j] = add ? out[r * n + j] + v : v;
                  }
                }
              }
            }
          }
        }
      });
    }
  }
}

template <class K>
void batched(const Backend::MatMulShape& s, const double* a, const double* b, double* c) {
  auto one = [&](i64 i, bool parallel) {
    const Operand oa{a + i * s.stride_a, s.transpose_a ? 1 : s.k, s.transpose_a ? s.m : 1};
    const Operand ob{b + i * s.stride_b, s.transpose_b ? 1 : s.b_row_stride(),
                     s.transpose_b ? s.b_row_stride() : 1};
    product<K>(oa, ob, c + i * s.stride_c, s.m, s.n, s.k, parallel);
  };
  const double flops = 2.0 * double(s.m) * double(s.n) * double(s.k);
  if (s.batch > 1 && flops < kFlopsPerTask) {  // small products: one thread each
    parallel_for(s.batch, std::max<i64>(1, i64(kFlopsPerTask / flops)), [&](i64 first, i64 end) {
      for (i64 i = first; i < end; ++i)
        one(i, false);
    });
    return;
  }
  for (i64 i = 0; i < s.batch; ++i)
    one(i, true);
}

}  // namespace

DgemmKernels dgemm_kernels_for_this_cpu() {
#if VS_DGEMM_X86
  static const DgemmKernels chosen = [] {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return DgemmKernels::kAvx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return DgemmKernels::kAvx2;
    return DgemmKernels::kPortable;
  }();
  return chosen;
#else
  return DgemmKernels::kPortable;
#endif
}

// Named kernels the CPU cannot run fall back to the portable ones.
void dgemm(DgemmKernels kernels,
           const Backend::MatMulShape& s,
           const double* a,
           const double* b,
           double* c) {
  if (s.m == 0 || s.n == 0) return;
  if (s.k == 0) {  // an empty sum
    for (i64 i = 0; i < s.batch; ++i)
      std::fill_n(c + i * s.stride_c, s.m * s.n, 0.0);
    return;
  }
#if VS_DGEMM_X86
  const DgemmKernels best = dgemm_kernels_for_this_cpu();
  if (kernels == DgemmKernels::kAvx512 && best == DgemmKernels::kAvx512)
    return batched<Avx512>(s, a, b, c);
  if (kernels == DgemmKernels::kAvx2 && best != DgemmKernels::kPortable)
    return batched<Avx2>(s, a, b, c);
#endif
  (void)kernels;
  batched<Portable>(s, a, b, c);
}

std::string dgemm_kernels_name(DgemmKernels kernels) {
#if VS_DGEMM_X86
  if (kernels == DgemmKernels::kAvx512) return Avx512::kName;
  if (kernels == DgemmKernels::kAvx2) return Avx2::kName;
#endif
  (void)kernels;
  return Portable::kName;
}

}  // namespace varscope::runtime::cpu
