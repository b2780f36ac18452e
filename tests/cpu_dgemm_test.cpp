// The CPU backend's own float64 GEMM (src/host/runtime/cpu/dgemm.cpp): edge tiles, several
// passes over k, transposes and batches against a long double reference; the same bits
// whichever thread computes a row; and the kernels it picks for this CPU.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "host/runtime/backend.h"
#include "host/runtime/cpu/cpu_ops.h"
#include "test_util.h"

namespace vs = varscope;

namespace {

using Shape = vs::runtime::Backend::MatMulShape;
using vs::runtime::cpu::DgemmKernels;

std::vector<double> uniform_doubles(std::size_t n, unsigned seed) {
  const std::vector<float> f = vs::testing::uniform_floats(n, seed, -1.0f, 1.0f);
  std::vector<double> d(n);
  for (std::size_t i = 0; i < n; ++i)
    d[i] = double(f[i]) + double(f[(i * 7 + 3) % n]) * 1e-8;
  return d;
}

Shape shape(std::int64_t batch, std::int64_t m, std::int64_t k, std::int64_t n, bool ta, bool tb) {
  Shape s;
  s.batch = batch;
  s.m = m;
  s.n = n;
  s.k = k;
  s.transpose_a = ta;
  s.transpose_b = tb;
  s.stride_a = m * k;
  s.stride_b = batch > 1 ? 0 : k * n;  // batches share one B
  s.stride_c = m * n;
  return s;
}

// Through the backend, or with the named kernels.
std::vector<double> product(const Shape& s,
                            const std::vector<double>& a,
                            const std::vector<double>& b,
                            const DgemmKernels* kernels = nullptr) {
  std::vector<double> c(static_cast<std::size_t>(s.batch * s.m * s.n), -1.0);
  if (kernels != nullptr) {
    vs::runtime::cpu::dgemm(*kernels, s, a.data(), b.data(), c.data());
  } else {
    vs::runtime::make_cpu_backend()->matmul({vs::DType::kFloat64, s, a.data(), b.data(), c.data()});
  }
  return c;
}

// The product, after checking it against a long double reference.
std::vector<double> expect_near_reference(const Shape& s, const DgemmKernels* kernels = nullptr) {
  const auto a = uniform_doubles(static_cast<std::size_t>(s.batch * s.m * s.k), 11);
  const auto b = uniform_doubles(static_cast<std::size_t>(s.k * s.n), 12);
  const std::vector<double> c = product(s, a, b, kernels);
  for (std::int64_t i = 0; i < s.batch; ++i) {
    for (std::int64_t r = 0; r < s.m; ++r) {
      for (std::int64_t col = 0; col < s.n; ++col) {
        long double want = 0, scale = 0;
        for (std::int64_t x = 0; x < s.k; ++x) {
          const long double av = a[static_cast<std::size_t>(
              i * s.stride_a + (s.transpose_a ? x * s.m + r : r * s.k + x))];
          const long double bv =
              b[static_cast<std::size_t>(s.transpose_b ? col * s.k + x : x * s.n + col)];
          want += av * bv;
          scale += std::fabs(av * bv);
        }
        const double got = c[static_cast<std::size_t>(i * s.stride_c + r * s.n + col)];
        EXPECT_NEAR(got, double(want), double(scale) * 1e-14 + 1e-300)
            << "batch " << i << " row " << r << " col " << col << " of " << s.batch << "x" << s.m
            << "x" << s.k << "x" << s.n << " ta " << s.transpose_a << " tb " << s.transpose_b;
        if (::testing::Test::HasFailure()) return c;
      }
    }
  }
  return c;
}

TEST(CpuDgemm, MatchesTheReferenceOnEdgesPassesAndTransposes) {
  // {batch, m, k, n}: an empty sum, single elements, ragged tiles, k over several 256-deep passes,
  // rows over several 96-row blocks, columns past one 3072-wide pass, batches sharing B.
  const std::int64_t cases[][4] = {{2, 3, 0, 4},     {1, 1, 1, 1},       {1, 7, 3, 5},
                                   {1, 9, 300, 25},  {1, 333, 517, 201}, {3, 50, 70, 30},
                                   {1, 10, 20, 3100}};
  for (const auto& c : cases) {
    for (bool ta : {false, true}) {
      for (bool tb : {false, true})
        expect_near_reference(shape(c[0], c[1], c[2], c[3], ta, tb));
    }
  }
}

// Each kernel (those this CPU has; the portable one always) against the reference; AVX2
// and AVX-512 give the same bits (one fused multiply-add chain per element and pass).
TEST(CpuDgemm, EachKernelMatchesTheReferenceAndTheFmaKernelsAgree) {
  const DgemmKernels all[] = {DgemmKernels::kAvx512, DgemmKernels::kAvx2, DgemmKernels::kPortable};
  const Shape shapes[] = {shape(1, 29, 531, 53, false, true), shape(2, 100, 40, 70, true, false)};
  for (const Shape& s : shapes) {
    std::vector<std::vector<double>> fma_results;
    for (DgemmKernels kernels : all) {
      SCOPED_TRACE(vs::runtime::cpu::dgemm_kernels_name(kernels));
      const std::vector<double> c = expect_near_reference(s, &kernels);
      if (HasFailure()) return;
      const bool fma = kernels != DgemmKernels::kPortable;
      const auto best = vs::runtime::cpu::dgemm_kernels_for_this_cpu();
      const bool runs =
          kernels == DgemmKernels::kAvx2 ? best != DgemmKernels::kPortable : kernels == best;
      if (fma && runs) fma_results.push_back(c);
    }
    for (std::size_t i = 1; i < fma_results.size(); ++i) {
      EXPECT_EQ(std::memcmp(fma_results[i].data(), fma_results[0].data(),
                            fma_results[0].size() * sizeof(double)),
                0);
    }
  }
}

// A row of C comes out the same bits whether it is computed in a large product split over
// the threads in row blocks or alone (one row, inline): so any thread count gives the same.
TEST(CpuDgemm, RowsAreTheSameBitsAloneAndInAThreadedProduct) {
  for (bool ta : {false, true}) {
    const Shape full = shape(1, 301, 600, 250, ta, false);
    const auto a = uniform_doubles(static_cast<std::size_t>(full.m * full.k), 21);
    const auto b = uniform_doubles(static_cast<std::size_t>(full.k * full.n), 22);
    const std::vector<double> c = product(full, a, b);
    for (std::int64_t r : {std::int64_t{0}, std::int64_t{97}, std::int64_t{300}}) {
      std::vector<double> row_a(static_cast<std::size_t>(full.k));
      for (std::int64_t x = 0; x < full.k; ++x) {
        row_a[static_cast<std::size_t>(x)] =
            a[static_cast<std::size_t>(ta ? x * full.m + r : r * full.k + x)];
      }
      const std::vector<double> row = product(shape(1, 1, full.k, full.n, false, false), row_a, b);
      EXPECT_EQ(std::memcmp(row.data(), c.data() + r * full.n, row.size() * sizeof(double)), 0)
          << "row " << r << " ta " << ta;
    }
  }
}

// Debian's OpenBLAS 0.3.21 ran Prescott kernels on CPUs newer than itself; ours use the
// widest vectors this CPU has.
TEST(CpuDgemm, RunsKernelsForThisCpu) {
  const std::string description = vs::runtime::make_cpu_backend()->description();
  EXPECT_NE(description.find("varscope dgemm with "), std::string::npos) << description;
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) {
    EXPECT_NE(description.find("dgemm with AVX-512 kernels"), std::string::npos) << description;
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    EXPECT_NE(description.find("dgemm with AVX2 kernels"), std::string::npos) << description;
  }
#endif
}

}  // namespace
