// reduce_sum and reduce_mean over any axes against a double reference; integers, empty inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "backend_test.h"
#include "ops_test_util.h"
#include "test_util.h"
#include "test_values.h"
#include "varscope/varscope.h"

namespace vs = varscope;
using namespace ops_test;  // NOLINT: the helpers of ops_test_util.h

namespace {

struct Reduced {
  vs::Shape shape;
  std::vector<double> values;
  std::vector<double> scale;  // sum (or mean) of |x| over the same elements
};

// axes: nullopt = all; negative axes count from the end.
Reduced reduce_ref(const std::vector<double>& x,
                   const vs::Shape& shape,
                   const std::optional<std::vector<int>>& axes,
                   bool keepdims,
                   bool mean) {
  const int rank = shape.rank();
  std::vector<bool> reduced(static_cast<std::size_t>(rank), !axes.has_value());
  if (axes) {
    for (int a : *axes)
      reduced[static_cast<std::size_t>(a < 0 ? a + rank : a)] = true;
  }
  Dims out_dims, kept_dims;
  std::int64_t count = 1;
  for (int d = 0; d < rank; ++d) {
    const auto i = static_cast<std::size_t>(d);
    if (reduced[i]) {
      count *= shape.dim(d);
      if (keepdims) out_dims.push_back(1);
    } else {
      out_dims.push_back(shape.dim(d));
      kept_dims.push_back(shape.dim(d));
    }
  }
  const std::int64_t n = count_of(kept_dims);
  std::vector<double> sum(static_cast<std::size_t>(n), 0.0), abs_sum(sum);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const Dims c = unravel(static_cast<std::int64_t>(i), shape.dims());
    std::int64_t o = 0;
    for (int d = 0; d < rank; ++d) {
      if (!reduced[static_cast<std::size_t>(d)])
        o = o * shape.dim(d) + c[static_cast<std::size_t>(d)];
    }
    sum[static_cast<std::size_t>(o)] += x[i];
    abs_sum[static_cast<std::size_t>(o)] += std::abs(x[i]);
  }
  if (mean) {
    for (std::size_t o = 0; o < sum.size(); ++o) {
      sum[o] = count > 0 ? sum[o] / static_cast<double>(count) : std::nan("");
      abs_sum[o] = count > 0 ? abs_sum[o] / static_cast<double>(count) : 0.0;
    }
  }
  return {vs::Shape(out_dims), sum, abs_sum};
}

}  // namespace

// ======================= reductions =======================

class OpsReduce : public vs::testing::BackendTest {};

TEST_P(OpsReduce, SumAndMeanOverAnyAxesMatchReference) {
  const std::vector<std::optional<std::vector<int>>> axes_cases = {
      std::nullopt,
      std::vector<int>{0},
      std::vector<int>{1},
      std::vector<int>{2},
      std::vector<int>{-1},
      std::vector<int>{0, 2},
      std::vector<int>{-3, -1},
      std::vector<int>{2, 0, 1},
      std::vector<int>{},
  };
  const vs::Shape shape{3, 4, 5};
  std::mt19937 rng(3001);
  for (vs::DType dtype : kFloatTypes) {
    SCOPED_TRACE(vs::dtype_name(dtype));
    const vs::HostTensor xv = random_tensor(rng, dtype, shape);
    vs::Graph g;
    vs::Tensor x = vs::placeholder(g, dtype, shape, "x");
    std::vector<vs::Tensor> outs;
    std::vector<Reduced> refs;
    std::vector<std::string> what;
    for (const auto& axes : axes_cases) {
      for (bool keepdims : {false, true}) {
        for (bool mean : {false, true}) {
          const vs::ReduceOptions o{.axes = axes, .keepdims = keepdims};
          outs.push_back(mean ? vs::reduce_mean(x, o) : vs::reduce_sum(x, o));
          refs.push_back(reduce_ref(doubles(xv), shape, axes, keepdims, mean));
          std::string axes_text = "all";
          if (axes) {
            axes_text = "[";
            for (int a : *axes)
              axes_text += std::to_string(a) + " ";
            axes_text += "]";
          }
          what.push_back(std::string(mean ? "mean" : "sum") + " axes " + axes_text +
                         (keepdims ? " keepdims" : ""));
        }
      }
    }
    vs::Session sess(g, options());
    const auto got = sess.run(outs, {{x, xv}});
    for (std::size_t k = 0; k < outs.size(); ++k) {
      EXPECT_EQ(outs[k].shape(), refs[k].shape) << what[k];
      EXPECT_TRUE(
          Near(got[k], dtype, refs[k].shape, refs[k].values, math_tol(dtype), refs[k].scale))
          << what[k];
    }
  }
}

TEST_P(OpsReduce, Int32SumIsExactAndMeanDividesAsIntegers) {
  std::mt19937 rng(3002);
  const vs::HostTensor xv = random_tensor(rng, vs::DType::kInt32, vs::Shape{6, 7}, -1000, 1000);
  vs::Graph g;
  vs::Tensor x = vs::constant(g, xv);
  const std::vector<vs::Tensor> outs = {vs::reduce_sum(x), vs::reduce_sum(x, {.axes = {{0}}}),
                                        vs::reduce_mean(x, {.axes = {{1}}})};
  vs::Session sess(g, options());
  const auto got = sess.run(outs);
  const auto xi = values_of<std::int32_t>(xv);
  std::int64_t total = 0;
  std::vector<std::int32_t> cols(7, 0), row_means;
  for (std::size_t r = 0; r < 6; ++r) {
    std::int32_t row = 0;
    for (std::size_t c = 0; c < 7; ++c) {
      total += xi[r * 7 + c];
      cols[c] += xi[r * 7 + c];
      row += xi[r * 7 + c];
    }
    row_means.push_back(row / 7);  // C++ and TF: truncation toward zero
  }
  EXPECT_EQ(got[0].dtype(), vs::DType::kInt32);
  EXPECT_EQ(values_of<std::int32_t>(got[0]),
            std::vector<std::int32_t>{static_cast<std::int32_t>(total)});
  EXPECT_EQ(values_of<std::int32_t>(got[1]), cols);
  EXPECT_EQ(values_of<std::int32_t>(got[2]), row_means);
}

TEST_P(OpsReduce, Int64SumIsExactBeyondTwoToThe53) {
  const std::vector<std::int64_t> x = {kTwoTo53, 1, 1, kTwoTo53, -1, 3'000'000'000};
  vs::Graph g;
  vs::Tensor t = vs::constant(g, vs::HostTensor(x, vs::Shape{2, 3}));
  vs::Session sess(g, options());
  const auto got = sess.run({vs::reduce_sum(t, {.axes = {{1}}}), vs::reduce_sum(t)});
  EXPECT_EQ(values_of<std::int64_t>(got[0]),
            (std::vector<std::int64_t>{kTwoTo53 + 2, kTwoTo53 + 2'999'999'999}));
  EXPECT_EQ(values_of<std::int64_t>(got[1]),
            (std::vector<std::int64_t>{2 * kTwoTo53 + 3'000'000'001}));
}

TEST_P(OpsReduce, EmptyInputsSumToZeroAndAverageToNaN) {
  for (vs::DType dtype : kFloatTypes) {
    SCOPED_TRACE(vs::dtype_name(dtype));
    vs::Graph g;
    vs::Tensor x = vs::placeholder(g, dtype, vs::Shape{0, 3}, "x");
    const std::vector<vs::Tensor> outs = {
        vs::reduce_sum(x),
        vs::reduce_mean(x),
        vs::reduce_sum(x, {.axes = {{0}}}),
        vs::reduce_mean(x, {.axes = {{0}}}),
        vs::reduce_sum(x, {.axes = {{1}}}),
        vs::reduce_mean(x, {.axes = {{-1}}, .keepdims = true}),
        vs::reduce_sum(x, {.keepdims = true}),
    };
    vs::Session sess(g, options());
    // Garbage in the pool must not show: run something that leaves non-zero memory first.
    (void)sess.run(vs::constant(g, of_dtype(dtype, std::vector<double>(64, 7.0), vs::Shape{64})) *
                   3.0f);
    const auto got = sess.run(outs, {{x, vs::HostTensor(dtype, vs::Shape{0, 3})}});
    const double nan = std::nan("");
    EXPECT_TRUE(Near(got[0], dtype, vs::Shape{}, {0.0}, kExact));
    EXPECT_TRUE(Near(got[1], dtype, vs::Shape{}, {nan}, kExact));
    EXPECT_TRUE(Near(got[2], dtype, vs::Shape{3}, {0.0, 0.0, 0.0}, kExact));
    EXPECT_TRUE(Near(got[3], dtype, vs::Shape{3}, {nan, nan, nan}, kExact));
    EXPECT_TRUE(Near(got[4], dtype, vs::Shape{0}, {}, kExact));
    EXPECT_TRUE(Near(got[5], dtype, vs::Shape{0, 1}, {}, kExact));
    EXPECT_TRUE(Near(got[6], dtype, vs::Shape{1, 1}, {0.0}, kExact));
  }
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(OpsReduce);
