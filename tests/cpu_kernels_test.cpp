// The CPU backend's loops on tensors large enough to take the threaded and vectorized
// paths (the op tests use small ones): elementwise + - * / bit for bit against one IEEE
// operation per element, reductions and softmax against double references, cross-entropy
// and matmul split over the threads. The vector math itself: cpu_vector_math_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "host/runtime/backend.h"
#include "kernels/reduce.h"
#include "kernels/training.h"
#include "test_util.h"

namespace vs = varscope;
namespace k = varscope::kernels;

namespace {

std::vector<float> uniform(std::size_t n, unsigned seed, float lo = -1.0f, float hi = 1.0f) {
  return vs::testing::uniform_floats(n, seed, lo, hi);
}

// Row-major strides of `dims`, 0 where the input's dimension is 1 (broadcast).
k::Broadcast broadcast(const std::vector<std::int64_t>& out,
                       const std::vector<std::int64_t>& x,
                       const std::vector<std::int64_t>& y) {
  k::Broadcast bc;
  bc.rank = static_cast<int>(out.size());
  auto strides = [&](const std::vector<std::int64_t>& dims, std::int64_t* s) {
    std::int64_t stride = 1;
    for (int d = bc.rank - 1; d >= 0; --d) {
      const std::int64_t n = dims[static_cast<std::size_t>(d)];
      s[d] = n == 1 ? 0 : stride;
      stride *= n;
    }
  };
  for (int d = 0; d < bc.rank; ++d)
    bc.out_dims[d] = out[static_cast<std::size_t>(d)];
  strides(x, bc.x_strides);
  strides(y, bc.y_strides);
  return bc;
}

struct Case {
  std::vector<std::int64_t> out, x, y;
};

TEST(CpuKernels, LargeBinaryOpsAreOneIeeeOperationPerElement) {
  auto backend = vs::runtime::make_cpu_backend();
  const std::vector<Case> cases = {
      {{512, 300}, {512, 300}, {512, 300}},  // same shape: one flat run
      {{512, 300}, {512, 300}, {1, 1}},      // scalar y
      {{512, 300}, {1, 1}, {512, 300}},      // scalar x
      {{512, 300}, {512, 300}, {1, 300}},    // bias rows
      {{512, 300}, {512, 1}, {1, 300}},      // outer product shape
      {{64, 9, 300}, {64, 1, 300}, {1, 9, 1}},
  };
  for (const Case& c : cases) {
    k::Broadcast bc = broadcast(c.out, c.x, c.y);
    std::int64_t count = 1, nx = 1, ny = 1;
    for (std::size_t d = 0; d < c.out.size(); ++d) {
      count *= c.out[d];
      nx *= c.x[d];
      ny *= c.y[d];
    }
    const auto x = uniform(static_cast<std::size_t>(nx), 1);
    const auto y = uniform(static_cast<std::size_t>(ny), 2, 0.5f, 2.0f);
    for (k::BinaryOp op :
         {k::BinaryOp::kAdd, k::BinaryOp::kSub, k::BinaryOp::kMul, k::BinaryOp::kDiv}) {
      std::vector<float> got(static_cast<std::size_t>(count));
      backend->binary({op, vs::DType::kFloat32, bc, x.data(), y.data(), got.data(), count});
      for (std::int64_t i = 0; i < count; ++i) {
        std::int64_t xi, yi;
        bc.inputs_of(i, &xi, &yi);
        const float want =
            k::apply(op, x[static_cast<std::size_t>(xi)], y[static_cast<std::size_t>(yi)]);
        ASSERT_EQ(std::memcmp(&want, &got[static_cast<std::size_t>(i)], 4), 0)
            << "op " << static_cast<int>(op) << " element " << i << " of case rank "
            << c.out.size();
      }
    }
  }
}

TEST(CpuKernels, LargeIntegerDivisionByZeroIsReportedAndNothingWritten) {
  auto backend = vs::runtime::make_cpu_backend();
  const std::int64_t n = 1 << 17;
  std::vector<std::int32_t> x(n, 7), y(n, 3), out(n, -1);
  y[n - 5] = 0;
  k::Broadcast bc = broadcast({n}, {n}, {n});
  EXPECT_THROW(backend->binary(
                   {k::BinaryOp::kDiv, vs::DType::kInt32, bc, x.data(), y.data(), out.data(), n}),
               vs::InvalidArgumentError);
  EXPECT_EQ(out[0], -1);
  y[n - 5] = 3;
  backend->binary({k::BinaryOp::kDiv, vs::DType::kInt32, bc, x.data(), y.data(), out.data(), n});
  EXPECT_EQ(out[n - 1], 2);
}

// Sums of `dims` over `reduced` axes, against a double reference.
void check_sum(const std::vector<std::int64_t>& dims, const std::vector<bool>& reduced) {
  auto backend = vs::runtime::make_cpu_backend();
  const int rank = static_cast<int>(dims.size());
  k::Reduction red;
  std::vector<std::int64_t> strides(dims.size());
  std::int64_t stride = 1, total = 1;
  for (int d = rank - 1; d >= 0; --d) {
    strides[static_cast<std::size_t>(d)] = stride;
    stride *= dims[static_cast<std::size_t>(d)];
  }
  total = stride;
  std::int64_t out_count = 1;
  for (int d = 0; d < rank; ++d) {
    const auto i = static_cast<std::size_t>(d);
    if (reduced[i]) {
      red.reduced_dims[red.reduced_rank] = dims[i];
      red.reduced_strides[red.reduced_rank++] = strides[i];
      red.reduced_count *= dims[i];
    } else {
      red.kept_dims[red.kept_rank] = dims[i];
      red.kept_strides[red.kept_rank++] = strides[i];
      out_count *= dims[i];
    }
  }
  const auto x = uniform(static_cast<std::size_t>(total), 3);
  std::vector<float> got(static_cast<std::size_t>(out_count));
  backend->reduce({k::ReduceOp::kSum, vs::DType::kFloat32, red, x.data(), got.data(), out_count});
  for (std::int64_t i = 0; i < out_count; ++i) {
    const std::int64_t base = red.base_of(i);
    double want = 0.0, scale = 0.0;
    for (std::int64_t r = 0; r < red.reduced_count; ++r) {
      const double v = x[static_cast<std::size_t>(base + red.offset_of(r))];
      want += v;
      scale += std::fabs(v);
    }
    ASSERT_NEAR(got[static_cast<std::size_t>(i)], want,
                1e-6 + 1e-5 * std::max(std::fabs(want), scale))
        << "output " << i;
  }
}

TEST(CpuKernels, LargeSumsOverRowsColumnsBlocksAndEverything) {
  check_sum({600, 700}, {false, true});                    // rows
  check_sum({600, 700}, {true, false});                    // columns
  check_sum({1 << 20}, {true});                            // one long row, split over threads
  check_sum({3, 400, 5, 70}, {false, true, true, false});  // (outer, block, inner)
  check_sum({40, 30, 50}, {true, false, true});            // not one block: per-element kernel
}

// float32 sums add float partial sums (4096 elements, 64 per lane) in double: for integers
// below 4096 every partial sum is exact, so the result is the exact sum on any number of
// threads, for one long row and for columns. The total (~1.8e9) is far past 2^24, where
// float-only lanes would round.
TEST(CpuKernels, FloatSumsOfIntegerValuesAreExact) {
  auto backend = vs::runtime::make_cpu_backend();
  const std::int64_t n = (std::int64_t{3} << 20) + 7;
  std::vector<float> x(static_cast<std::size_t>(n));
  std::int64_t want = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    x[static_cast<std::size_t>(i)] = static_cast<float>(i % 7 == 3 ? 4000 : i % 5);
    want += i % 7 == 3 ? 4000 : i % 5;
  }
  k::Reduction all;
  all.reduced_rank = 1;
  all.reduced_dims[0] = n;
  all.reduced_strides[0] = 1;
  all.reduced_count = n;
  float got = 0.0f;
  backend->reduce({k::ReduceOp::kSum, vs::DType::kFloat32, all, x.data(), &got, 1});
  EXPECT_EQ(got, static_cast<float>(want));

  // The first 1001 · 93 elements as columns (93 = one 64-wide strip, a 16-wide one, 13).
  const std::int64_t rows = 1001, cols = 93;
  k::Reduction columns;
  columns.reduced_rank = 1;
  columns.reduced_dims[0] = rows;
  columns.reduced_strides[0] = cols;
  columns.reduced_count = rows;
  columns.kept_rank = 1;
  columns.kept_dims[0] = cols;
  columns.kept_strides[0] = 1;
  std::vector<float> sums(static_cast<std::size_t>(cols));
  backend->reduce({k::ReduceOp::kSum, vs::DType::kFloat32, columns, x.data(), sums.data(), cols});
  for (std::int64_t j = 0; j < cols; ++j) {
    std::int64_t column = 0;
    for (std::int64_t r = 0; r < rows; ++r)
      column += static_cast<std::int64_t>(x[static_cast<std::size_t>(r * cols + j)]);
    ASSERT_EQ(sums[static_cast<std::size_t>(j)], static_cast<float>(column)) << "column " << j;
  }
}

// The float32 row sum's order, which sets its bits (docs/kernels.md): blocks of 4096 elements,
// each summed in 16 lanes by four accumulators over strides of 64 (then 16), the lanes added
// as a tree (l + l+8, +4, +2, +1), the block's tail in order; the block sums added in double.
// Spelled out in scalar code here and compared bit for bit, for rows of every remainder.
float documented_row_sum(const float* x, std::int64_t n) {
  double total = 0.0;
  for (std::int64_t b = 0; b < n; b += 4096) {
    const float* p = x + b;
    const std::int64_t m = std::min<std::int64_t>(4096, n - b);
    float a[4][16] = {};
    std::int64_t j = 0;
    for (; j + 64 <= m; j += 64) {
      for (int q = 0; q < 4; ++q)
        for (int l = 0; l < 16; ++l)
          a[q][l] += p[j + 16 * q + l];
    }
    for (; j + 16 <= m; j += 16)
      for (int l = 0; l < 16; ++l)
        a[0][l] += p[j + l];
    float t[16];
    for (int l = 0; l < 16; ++l)
      t[l] = (a[0][l] + a[1][l]) + (a[2][l] + a[3][l]);
    for (int width = 8; width >= 2; width /= 2)
      for (int l = 0; l < width; ++l)
        t[l] += t[l + width];
    float s = t[0] + t[1];
    for (; j < m; ++j)
      s += p[j];
    total += static_cast<double>(s);
  }
  return static_cast<float>(total);
}

TEST(CpuKernels, FloatRowSumsAddInTheDocumentedOrderBitForBit) {
  auto backend = vs::runtime::make_cpu_backend();
  for (const std::int64_t cols : {1, 15, 16, 17, 63, 64, 65, 1000, 4096, 4097, 10007}) {
    const std::int64_t rows = 3;
    const auto x = uniform(static_cast<std::size_t>(rows * cols), 21, -1.0f, 3.0f);
    k::Reduction red;
    red.kept_rank = 1;
    red.kept_dims[0] = rows;
    red.kept_strides[0] = cols;
    red.reduced_rank = 1;
    red.reduced_dims[0] = cols;
    red.reduced_strides[0] = 1;
    red.reduced_count = cols;
    std::vector<float> got(static_cast<std::size_t>(rows));
    backend->reduce({k::ReduceOp::kSum, vs::DType::kFloat32, red, x.data(), got.data(), rows});
    for (std::int64_t r = 0; r < rows; ++r) {
      const float want = documented_row_sum(x.data() + r * cols, cols);
      EXPECT_EQ(std::memcmp(&got[static_cast<std::size_t>(r)], &want, sizeof want), 0)
          << cols << " columns, row " << r << ": " << got[static_cast<std::size_t>(r)] << " vs "
          << want;
    }
  }
}

// Softmax cross-entropy over enough rows to be split over the threads: every row as the
// shared one-row kernel computes it, bit for bit (rows are independent), dense and sparse.
TEST(CpuKernels, CrossEntropyRowsSplitOverThreadsMatchTheOneRowKernel) {
  auto backend = vs::runtime::make_cpu_backend();
  const std::int64_t rows = 3001, cols = 37;
  const auto logits = uniform(static_cast<std::size_t>(rows * cols), 5, -8.0f, 8.0f);
  std::vector<float> dense(logits.size(), 0.0f);
  std::vector<std::int32_t> ids(static_cast<std::size_t>(rows));
  for (std::int64_t r = 0; r < rows; ++r) {
    ids[static_cast<std::size_t>(r)] = static_cast<std::int32_t>((r * 7) % cols);
    dense[static_cast<std::size_t>(r * cols + (r * 7) % cols)] = 1.0f;
  }
  std::vector<float> want_loss(static_cast<std::size_t>(rows)), want_bp(logits.size());
  for (std::int64_t r = 0; r < rows; ++r) {
    k::xent_row(
        logits.data(), [&](std::int64_t row, std::int64_t c) { return dense[row * cols + c]; },
        want_loss.data(), want_bp.data(), r, cols);
  }
  for (const bool sparse : {false, true}) {
    std::vector<float> loss(want_loss.size()), bp(want_bp.size());
    const void* labels = sparse ? static_cast<const void*>(ids.data()) : dense.data();
    backend->softmax_xent({vs::DType::kFloat32, sparse ? vs::DType::kInt32 : vs::DType::kFloat32,
                           sparse, logits.data(), labels, loss.data(), bp.data(), rows, cols});
    EXPECT_EQ(loss, want_loss) << (sparse ? "sparse" : "dense");
    EXPECT_EQ(bp, want_bp) << (sparse ? "sparse" : "dense");
  }
}

// Softmax rows past one float block (their sum in double), and rows holding NaN or +inf:
// against the shared one-row kernel, NaN where it has NaN.
TEST(CpuKernels, SoftmaxLongRowsAndRowsWithNanOrInfMatchTheSharedKernel) {
  auto backend = vs::runtime::make_cpu_backend();
  const std::int64_t rows = 4, cols = 5003;
  auto x = uniform(static_cast<std::size_t>(rows * cols), 11, -20.0f, 20.0f);
  x[static_cast<std::size_t>(cols + 17)] = std::numeric_limits<float>::quiet_NaN();       // row 1
  x[static_cast<std::size_t>(2 * cols + 4500)] = std::numeric_limits<float>::infinity();  // row 2
  std::vector<float> got(x.size()), want(x.size());
  backend->softmax({vs::DType::kFloat32, x.data(), got.data(), rows, cols});
  for (std::int64_t r = 0; r < rows; ++r)
    k::softmax_row(x.data(), want.data(), r, cols);
  for (std::size_t i = 0; i < x.size(); ++i) {
    ASSERT_EQ(std::isnan(got[i]), std::isnan(want[i])) << "element " << i;
    if (!std::isnan(want[i])) {
      ASSERT_NEAR(got[i], want[i], 1e-6 + 1e-5 * want[i]) << "element " << i;
    }
  }
  double row_sum = 0.0;  // the clean rows sum to one
  for (std::int64_t c = 0; c < cols; ++c)
    row_sum += got[static_cast<std::size_t>(3 * cols + c)];
  EXPECT_NEAR(row_sum, 1.0, 1e-5);
}

TEST(CpuKernels, LargeSoftmaxRowsSumToOneAndMatchTheReference) {
  auto backend = vs::runtime::make_cpu_backend();
  const std::int64_t rows = 300, cols = 1003;
  auto x = uniform(static_cast<std::size_t>(rows * cols), 4, -30.0f, 30.0f);
  x[5] = -INFINITY;
  std::vector<float> got(x.size());
  backend->softmax({vs::DType::kFloat32, x.data(), got.data(), rows, cols});
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* in = x.data() + r * cols;
    double m = in[0];
    for (std::int64_t c = 1; c < cols; ++c)
      m = std::max<double>(m, in[c]);
    double sum = 0.0;
    for (std::int64_t c = 0; c < cols; ++c)
      sum += std::exp(static_cast<double>(in[c]) - m);
    for (std::int64_t c = 0; c < cols; ++c) {
      const double want = std::exp(static_cast<double>(in[c]) - m) / sum;
      ASSERT_NEAR(got[static_cast<std::size_t>(r * cols + c)], want, 1e-6 + 1e-5 * want)
          << "row " << r << " col " << c;
    }
  }
  EXPECT_EQ(got[5], 0.0f);
}

TEST(CpuKernels, LargeSigmoidMatchesTheReferenceIncludingSaturation) {
  auto backend = vs::runtime::make_cpu_backend();
  auto x = uniform(1 << 16, 5, -20.0f, 20.0f);
  x[0] = 200.0f;
  x[1] = -200.0f;
  x[2] = NAN;
  std::vector<float> got(x.size());
  backend->unary({k::UnaryOp::kSigmoid, vs::DType::kFloat32, x.data(), got.data(),
                  static_cast<std::int64_t>(x.size())});
  EXPECT_EQ(got[0], 1.0f);
  EXPECT_EQ(got[1], 0.0f);
  EXPECT_TRUE(std::isnan(got[2]));
  for (std::size_t i = 3; i < x.size(); ++i) {
    const double want = 1.0 / (1.0 + std::exp(-static_cast<double>(x[i])));
    ASSERT_NEAR(got[i], want, 1e-6 + 1e-5 * want) << "element " << i;
  }
}

// Large enough to be cut into row blocks on the pool (with and without transposes, batched
// with a broadcast B), against a double reference.
TEST(CpuKernels, LargeMatMulsInRowBlocksMatchTheReference) {
  auto backend = vs::runtime::make_cpu_backend();
  const std::int64_t m = 333, k = 150, n = 201, batch = 2;
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      vs::runtime::Backend::MatMulShape s;
      s.batch = batch;
      s.m = m;
      s.n = n;
      s.k = k;
      s.transpose_a = ta;
      s.transpose_b = tb;
      s.stride_a = m * k;
      s.stride_b = 0;  // one B for both
      s.stride_c = m * n;
      const auto a = uniform(static_cast<std::size_t>(batch * m * k), 6);
      const auto b = uniform(static_cast<std::size_t>(k * n), 7);
      std::vector<float> c(static_cast<std::size_t>(batch * m * n), -1.0f);
      backend->matmul({vs::DType::kFloat32, s, a.data(), b.data(), c.data()});
      for (std::int64_t i = 0; i < batch; ++i) {
        for (std::int64_t r = 0; r < m; ++r) {
          for (std::int64_t col = 0; col < n; ++col) {
            double want = 0.0, scale = 0.0;
            for (std::int64_t x = 0; x < k; ++x) {
              const double av =
                  a[static_cast<std::size_t>(i * m * k + (ta ? x * m + r : r * k + x))];
              const double bv = b[static_cast<std::size_t>(tb ? col * k + x : x * n + col)];
              want += av * bv;
              scale += std::fabs(av * bv);
            }
            ASSERT_NEAR(c[static_cast<std::size_t>(i * m * n + r * n + col)], want,
                        1e-5 * scale + 1e-6)
                << "batch " << i << " row " << r << " col " << col << " ta " << ta << " tb " << tb;
          }
        }
      }
    }
  }
}

// B read through its row stride (MatMulShape::ldb, padded rows: the gaps hold NaN, which must
// never be read), in both dtypes and with B transposed or not; and products of 64 rows or
// more on a B with rows of 2 KiB, which the float32 GEMM copies with padded rows first
// (cpu/gemm_layout.h): batched, broadcast or not. Against a double reference.
TEST(CpuKernels, MatMulsReadBThroughItsRowStrideAndPadBWhereItsRowsAre2KiB) {
  auto backend = vs::runtime::make_cpu_backend();
  const auto check = [&](vs::DType dtype, vs::runtime::Backend::MatMulShape s, unsigned seed) {
    const std::int64_t b_rows = s.transpose_b ? s.n : s.k, b_cols = s.transpose_b ? s.k : s.n;
    const std::int64_t stride = s.b_row_stride(), b_matrices = s.stride_b == 0 ? 1 : s.batch;
    const auto a = uniform(static_cast<std::size_t>(s.batch * s.m * s.k), seed);
    const auto dense_b = uniform(static_cast<std::size_t>(b_matrices * b_rows * b_cols), seed + 1);
    std::vector<double> b(static_cast<std::size_t>(b_matrices * b_rows * stride),
                          std::numeric_limits<double>::quiet_NaN());
    for (std::int64_t r = 0; r < b_matrices * b_rows; ++r) {
      for (std::int64_t c = 0; c < b_cols; ++c)
        b[static_cast<std::size_t>(r * stride + c)] =
            dense_b[static_cast<std::size_t>(r * b_cols + c)];
    }
    std::vector<double> c(static_cast<std::size_t>(s.batch * s.m * s.n), -1.0);
    std::vector<float> a32(a.begin(), a.end()), b32(b.begin(), b.end()), c32(c.size());
    const std::vector<double> a64(a.begin(), a.end());
    if (dtype == vs::DType::kFloat32) {
      backend->matmul({dtype, s, a32.data(), b32.data(), c32.data()});
      c.assign(c32.begin(), c32.end());
    } else {
      backend->matmul({dtype, s, a64.data(), b.data(), c.data()});
    }
    for (std::int64_t i = 0; i < s.batch; ++i) {
      for (std::int64_t r = 0; r < s.m; ++r) {
        for (std::int64_t col = 0; col < s.n; ++col) {
          double want = 0.0, scale = 0.0;
          for (std::int64_t x = 0; x < s.k; ++x) {
            const double av = a[static_cast<std::size_t>(i * s.m * s.k + r * s.k + x)];
            const std::int64_t at = s.transpose_b ? col * stride + x : x * stride + col;
            const double bv = b[static_cast<std::size_t>(i * s.stride_b + at)];
            want += av * bv;
            scale += std::fabs(av * bv);
          }
          ASSERT_NEAR(c[static_cast<std::size_t>(i * s.m * s.n + r * s.n + col)], want,
                      1e-5 * scale + 1e-6)
              << vs::dtype_name(dtype) << " batch " << i << " row " << r << " col " << col << " tb "
              << s.transpose_b << " ldb " << s.ldb;
        }
      }
    }
  };
  unsigned seed = 10;
  for (vs::DType dtype : {vs::DType::kFloat32, vs::DType::kFloat64}) {
    for (bool tb : {false, true}) {
      vs::runtime::Backend::MatMulShape s{.m = 5, .n = 7, .k = 6, .transpose_b = tb};
      s.ldb = (tb ? s.k : s.n) + 3;
      s.stride_c = s.m * s.n;
      check(dtype, s, seed += 2);
    }
  }
  for (std::int64_t stride_b : {std::int64_t{0}, std::int64_t{33} * 512}) {
    vs::runtime::Backend::MatMulShape s{.batch = 2, .m = 70, .n = 512, .k = 33};
    s.stride_a = s.m * s.k;
    s.stride_b = stride_b;
    s.stride_c = s.m * s.n;
    check(vs::DType::kFloat32, s, seed += 2);
  }
}

}  // namespace
