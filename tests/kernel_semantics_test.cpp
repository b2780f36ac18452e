// One defined behaviour on both backends where C++ and the hardware disagree (issue 15,
// docs/kernels.md): integer division by zero and INT_MIN / -1, float->int casts of NaN,
// infinities and out-of-range values, float16/bfloat16 math, BatchMatMul with an empty
// batch, and Fill and uniform-int bounds read on the host from their constants. Each test
// runs on the CPU ("Cpu/...") and, where a device is usable, on the GPU ("Gpu/...").
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "backend_test.h"
#include "host/graph/graph_impl.h"
#include "host/runtime/plan.h"
#include "test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;
namespace d = varscope::detail;

namespace {

using vs::testing::error_of;

template <typename T>
std::vector<T> values_of(const vs::HostTensor& t) {
  auto data = t.data<T>();
  return {data.begin(), data.end()};
}

class KernelSemantics : public vs::testing::BackendTest {};

TEST_P(KernelSemantics, IntegerDivisionByZeroIsInvalidArgumentOnEveryIntegerType) {
  vs::Graph g;
  vs::Tensor x32 = vs::placeholder(g, vs::DType::kInt32, vs::Shape{3}, "x32");
  vs::Tensor y32 = vs::placeholder(g, vs::DType::kInt32, vs::Shape{3}, "y32");
  vs::Tensor x64 = vs::placeholder(g, vs::DType::kInt64, vs::Shape{2, 3}, "x64");
  vs::Tensor y64 = vs::placeholder(g, vs::DType::kInt64, vs::Shape{3}, "y64");  // broadcast
  vs::Tensor q32 = vs::truncatediv(x32, y32);  // divide of integers is truediv (float)
  vs::Tensor q64 = vs::truncatediv(x64, y64);
  vs::Session sess(g, options());
  const vs::HostTensor x32v(std::vector<std::int32_t>{6, 7, 8});
  const vs::HostTensor x64v(std::vector<std::int64_t>{1, 2, 3, 4, 5, 6}, vs::Shape{2, 3});
  EXPECT_EQ(
      error_of<vs::InvalidArgumentError>([&] {
        sess.run(q32, {{x32, x32v}, {y32, vs::HostTensor(std::vector<std::int32_t>{1, 0, 2})}});
      }),
      "Integer division by zero");
  EXPECT_EQ(
      error_of<vs::InvalidArgumentError>([&] {
        sess.run(q64, {{x64, x64v}, {y64, vs::HostTensor(std::vector<std::int64_t>{3, 2, 0})}});
      }),
      "Integer division by zero");
  // The session stays usable and reports nothing stale afterwards.
  EXPECT_EQ(values_of<std::int32_t>(sess.run(
                q32, {{x32, x32v}, {y32, vs::HostTensor(std::vector<std::int32_t>{2, -7, 3})}})),
            (std::vector<std::int32_t>{3, -1, 2}));
}

TEST_P(KernelSemantics, IntMinDividedByMinusOneWrapsToIntMin) {
  constexpr std::int32_t kMin32 = std::numeric_limits<std::int32_t>::min();
  constexpr std::int64_t kMin64 = std::numeric_limits<std::int64_t>::min();
  vs::Graph g;
  vs::Tensor x32 = vs::placeholder(g, vs::DType::kInt32, vs::Shape{4}, "x32");
  vs::Tensor y32 = vs::placeholder(g, vs::DType::kInt32, vs::Shape{4}, "y32");
  vs::Tensor x64 = vs::placeholder(g, vs::DType::kInt64, vs::Shape{3}, "x64");
  vs::Tensor y64 = vs::placeholder(g, vs::DType::kInt64, vs::Shape{}, "y64");  // scalar
  vs::Session sess(g, options());
  EXPECT_EQ(values_of<std::int32_t>(
                sess.run(vs::truncatediv(x32, y32),
                         {{x32, vs::HostTensor(std::vector<std::int32_t>{kMin32, 7, -7, kMin32})},
                          {y32, vs::HostTensor(std::vector<std::int32_t>{-1, -1, 2, 1})}})),
            (std::vector<std::int32_t>{kMin32, -7, -3, kMin32}));
  EXPECT_EQ(values_of<std::int64_t>(
                sess.run(vs::truncatediv(x64, y64),
                         {{x64, vs::HostTensor(std::vector<std::int64_t>{kMin64, 9, -1})},
                          {y64, vs::HostTensor::scalar(std::int64_t{-1})}})),
            (std::vector<std::int64_t>{kMin64, -9, 1}));
}

TEST_P(KernelSemantics, FloatToIntegerCastSaturatesAndNaNBecomesZero) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  vs::Graph g;
  vs::Tensor f = vs::constant(
      g, vs::HostTensor(std::vector<float>{nan, inf, -inf, 3e9f, -3e9f, -2.5f, 2147483520.0f}));
  vs::Tensor d64 = vs::constant(g, vs::HostTensor(std::vector<double>{1e19, -1e19, -0.5, -9e18}));
  vs::Session sess(g, options());
  const auto got = sess.run({vs::cast(f, vs::DType::kInt32), vs::cast(f, vs::DType::kInt64),
                             vs::cast(d64, vs::DType::kInt64)});
  constexpr std::int32_t kMax32 = std::numeric_limits<std::int32_t>::max();
  constexpr std::int32_t kMin32 = std::numeric_limits<std::int32_t>::min();
  constexpr std::int64_t kMax64 = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t kMin64 = std::numeric_limits<std::int64_t>::min();
  EXPECT_EQ(values_of<std::int32_t>(got[0]),
            (std::vector<std::int32_t>{0, kMax32, kMin32, kMax32, kMin32, -2, 2147483520}));
  EXPECT_EQ(
      values_of<std::int64_t>(got[1]),
      (std::vector<std::int64_t>{0, kMax64, kMin64, 3000000000, -3000000000, -2, 2147483520}));
  EXPECT_EQ(values_of<std::int64_t>(got[2]),
            (std::vector<std::int64_t>{kMax64, kMin64, 0, -9000000000000000000}));
}

TEST_P(KernelSemantics, HalfPrecisionMathIsRefusedBeforeTheRunStarts) {
  for (vs::DType dtype : {vs::DType::kFloat16, vs::DType::kBFloat16}) {
    SCOPED_TRACE(vs::dtype_name(dtype));
    vs::Graph g;
    vs::Variable v = g.variable(vs::HostTensor(std::vector<float>{1, 2}), {.name = "v"});
    vs::Tensor h = vs::constant(g, vs::HostTensor(dtype, vs::Shape{2}));
    vs::Tensor bump = vs::assign_add(v, vs::constant(g, vs::HostTensor(std::vector<float>{1, 1})));
    vs::Session sess(g, options());
    sess.run(v.initializer());
    const std::string type(vs::dtype_name(dtype));
    // The variable's update is in the same run: it must not happen.
    EXPECT_EQ(error_of<vs::UnimplementedError>([&] {
                sess.run({bump, vs::relu(h)});
              }),
              "Relu on " + type);
    EXPECT_EQ(error_of<vs::UnimplementedError>([&] { sess.run(h + h); }), "AddV2 on " + type);
    EXPECT_EQ(error_of<vs::UnimplementedError>([&] { sess.run(vs::softmax(h)); }),
              "Softmax on " + type);
    EXPECT_EQ(error_of<vs::UnimplementedError>([&] { sess.run(vs::reduce_sum(h)); }),
              "Sum on " + type);
    EXPECT_EQ(values_of<float>(sess.run(v)), (std::vector<float>{1, 2}));
    // Values of half types still move: a constant fetched as is.
    EXPECT_EQ(sess.run(h).dtype(), dtype);
  }
}

TEST_P(KernelSemantics, BatchMatMulWithAnEmptyBatchAgainstAMatrixIsEmpty) {
  vs::Graph g;
  vs::Tensor empty_batch = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{0, 2, 3}));
  vs::Tensor matrix =
      vs::constant(g, vs::HostTensor(std::vector<float>(12, 1.0f), vs::Shape{3, 4}));
  vs::Tensor left = vs::constant(g, vs::HostTensor(std::vector<float>(6, 1.0f), vs::Shape{2, 3}));
  vs::Tensor empty_right = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{0, 3, 4}));
  vs::Session sess(g, options());
  const auto got = sess.run({vs::matmul(empty_batch, matrix), vs::matmul(left, empty_right)});
  EXPECT_EQ(got[0].shape(), (vs::Shape{0, 2, 4}));
  EXPECT_EQ(got[1].shape(), (vs::Shape{0, 2, 4}));
}

TEST_P(KernelSemantics, FillAndUniformIntReadTheirConstantsOnTheHost) {
  vs::Graph g;
  vs::Variable z =
      g.get_variable("z", {.shape = vs::Shape{40, 40}, .initializer = vs::ones_initializer()});
  vs::Tensor r = vs::random_uniform(
      g, vs::Shape{1000}, {.minval = -3, .maxval = 4, .dtype = vs::DType::kInt32, .seed = 5});
  const d::Plan init = d::build_plan(*d::Access::impl(g), {{}, {}, {z.initializer().id()}});
  const auto fill = std::find_if(init.steps.begin(), init.steps.end(),
                                 [](const d::Step& s) { return s.kind == d::OpKind::kFill; });
  ASSERT_NE(fill, init.steps.end());
  EXPECT_GE(fill->host_consts[1], 0);
  EXPECT_TRUE(init.capturable);  // Fill no longer reads its value back from the device
  const d::Plan draw = d::build_plan(*d::Access::impl(g), {{d::Access::ref(r)}, {}, {}});
  const auto uniform = std::find_if(draw.steps.begin(), draw.steps.end(), [](const d::Step& s) {
    return s.kind == d::OpKind::kRandomUniformInt;
  });
  ASSERT_NE(uniform, draw.steps.end());
  EXPECT_GE(uniform->host_consts[1], 0);
  EXPECT_GE(uniform->host_consts[2], 0);

  vs::Session sess(g, options());
  sess.run(z.initializer());
  const std::vector<float> zs = values_of<float>(sess.run(z));
  EXPECT_EQ(zs, std::vector<float>(1600, 1.0f));
  const std::vector<std::int32_t> rs = values_of<std::int32_t>(sess.run(r));
  EXPECT_TRUE(std::all_of(rs.begin(), rs.end(), [](std::int32_t v) { return v >= -3 && v < 4; }));
  EXPECT_EQ(*std::min_element(rs.begin(), rs.end()), -3);
  EXPECT_EQ(*std::max_element(rs.begin(), rs.end()), 3);
}

// Every reduction layout the GPU picks a kernel by (docs/kernels.md): the two-pass
// all-reduce, rows short and long, columns, strided; and softmax rows short (a warp) and
// long (a block). Checked against a double reference; float32 sums to 1e-5 relative.
TEST_P(KernelSemantics, EveryReductionAndSoftmaxLayoutMatchesTheReference) {
  const std::int64_t a = 37, b = 45, c = 129;  // 214,785 elements: past the two-pass bound
  std::vector<float> x(static_cast<std::size_t>(a * b * c));
  for (std::size_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<float>(static_cast<int>(i * 2654435761u % 2001) - 1000) / 1000.0f;
  auto at = [&](std::int64_t i, std::int64_t j, std::int64_t k) {
    return static_cast<double>(x[static_cast<std::size_t>((i * b + j) * c + k)]);
  };
  vs::Graph g;
  vs::Tensor t = vs::constant(g, vs::HostTensor(x, vs::Shape{a, b, c}));
  const std::vector<std::vector<int>> axes_list = {{0, 1, 2}, {2}, {1, 2}, {0},
                                                   {0, 1},    {1}, {0, 2}};
  std::vector<vs::Tensor> fetches;
  for (const auto& axes : axes_list)
    fetches.push_back(vs::reduce_sum(t, {.axes = axes}));
  vs::Tensor short_rows = vs::constant(g, vs::HostTensor(x, vs::Shape{a * b * c / 5, 5}));
  fetches.push_back(vs::softmax(short_rows));
  fetches.push_back(vs::softmax(t));
  vs::Session sess(g, options());
  const auto got = sess.run(fetches);
  for (std::size_t n = 0; n < axes_list.size(); ++n) {
    const auto& axes = axes_list[n];
    auto reduced = [&](int axis) {
      return std::find(axes.begin(), axes.end(), axis) != axes.end();
    };
    std::vector<double> want(static_cast<std::size_t>(got[n].num_elements()), 0.0);
    std::vector<double> scale(want.size(), 0.0);
    for (std::int64_t i = 0; i < a; ++i) {
      for (std::int64_t j = 0; j < b; ++j) {
        for (std::int64_t k = 0; k < c; ++k) {
          std::int64_t o = 0;
          if (!reduced(0)) o = o * a + i;
          if (!reduced(1)) o = o * b + j;
          if (!reduced(2)) o = o * c + k;
          want[static_cast<std::size_t>(o)] += at(i, j, k);
          scale[static_cast<std::size_t>(o)] += std::abs(at(i, j, k));
        }
      }
    }
    for (std::size_t o = 0; o < want.size(); ++o) {
      ASSERT_NEAR(got[n].element_as_double(static_cast<std::int64_t>(o)), want[o],
                  1e-6 * scale[o] + 1e-6)
          << "axes #" << n << " output " << o;
    }
  }
  for (std::size_t n : {axes_list.size(), axes_list.size() + 1}) {
    const std::int64_t cols = n == axes_list.size() ? 5 : c;
    const std::int64_t rows = static_cast<std::int64_t>(x.size()) / cols;
    for (std::int64_t r = 0; r < rows; r += 97) {
      double m = -1e300, sum = 0;
      for (std::int64_t k = 0; k < cols; ++k)
        m = std::max(m, static_cast<double>(x[static_cast<std::size_t>(r * cols + k)]));
      for (std::int64_t k = 0; k < cols; ++k)
        sum += std::exp(static_cast<double>(x[static_cast<std::size_t>(r * cols + k)]) - m);
      for (std::int64_t k = 0; k < cols; ++k) {
        const double want =
            std::exp(static_cast<double>(x[static_cast<std::size_t>(r * cols + k)]) - m) / sum;
        ASSERT_NEAR(got[n].element_as_double(r * cols + k), want, 1e-6)
            << "softmax cols " << cols << " row " << r;
      }
    }
  }
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(KernelSemantics);

#if VARSCOPE_TEST_HAS_CUDA  // free device memory is read through cudart
// Past 2^31 elements: the grid-stride loops take several passes of the largest grid
// (65535 * 32 blocks of 256 threads = 2^29 - 2^13 elements a pass) and every index is 64-bit.
// Needs about 20 GiB of free device memory; skipped, saying so, where there is less.
class GpuLargeKernels : public ::testing::Test {
 protected:
  void SetUp() override { VARSCOPE_SKIP_WITHOUT_GPU(); }
};

TEST_F(GpuLargeKernels, LargeFillScaleAndSumPastTwoToThe31Elements) {
  const std::int64_t n = (std::int64_t{1} << 31) + 1000;
  std::size_t free_bytes = 0, total_bytes = 0;
  ASSERT_EQ(cudaMemGetInfo(&free_bytes, &total_bytes), cudaSuccess);
  const std::size_t needed = static_cast<std::size_t>(n) * 4 * 2 + (std::size_t{2} << 30);
  if (free_bytes < needed) {
    GTEST_SKIP() << "needs " << (needed >> 30) << " GiB of free device memory, has "
                 << (free_bytes >> 30);
  }
  vs::Graph g;
  vs::Variable v =
      g.get_variable("big", {.shape = vs::Shape{n}, .initializer = vs::ones_initializer()});
  vs::Tensor twice = v * 2.0f;
  vs::Session sess(g, {.device = vs::DeviceKind::kCuda});
  sess.run(v.initializer());
  const auto got = sess.run({vs::reduce_sum(v), vs::reduce_mean(v), vs::reduce_sum(twice)});
  // Sums accumulate in double: exact here, then rounded once to float32.
  EXPECT_EQ(got[0].data<float>()[0], static_cast<float>(n));
  EXPECT_EQ(got[1].data<float>()[0], 1.0f);
  EXPECT_EQ(got[2].data<float>()[0], static_cast<float>(2 * n));
}

#endif  // VARSCOPE_TEST_HAS_CUDA

}  // namespace
