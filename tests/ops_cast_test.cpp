// cast: float to integer truncation, integers beyond 2^31, float widening and narrowing, names.
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

// ======================= cast =======================

class OpsCast : public vs::testing::BackendTest {};

TEST_P(OpsCast, FloatToIntegerTruncatesTowardZero) {
  vs::Graph g;
  vs::Tensor f32 = vs::constant(
      g, vs::HostTensor(std::vector<float>{-2.7f, -0.5f, 0.5f, 2.9f, -3.0f, 7.99f, 1000000.5f}));
  vs::Tensor f64 = vs::constant(
      g, vs::HostTensor(std::vector<double>{3e9 + 0.75, -5e12 - 0.9, 1099511627776.5, -0.999}));
  vs::Tensor a = vs::cast(f32, vs::DType::kInt32);
  vs::Tensor b = vs::cast(f32, vs::DType::kInt64);
  vs::Tensor c = vs::cast(f64, vs::DType::kInt64);
  EXPECT_EQ(a.dtype(), vs::DType::kInt32);
  EXPECT_EQ(c.dtype(), vs::DType::kInt64);
  vs::Session sess(g, options());
  const auto got = sess.run({a, b, c});
  EXPECT_EQ(values_of<std::int32_t>(got[0]),
            (std::vector<std::int32_t>{-2, 0, 0, 2, -3, 7, 1000000}));
  EXPECT_EQ(values_of<std::int64_t>(got[1]),
            (std::vector<std::int64_t>{-2, 0, 0, 2, -3, 7, 1000000}));
  EXPECT_EQ(values_of<std::int64_t>(got[2]),
            (std::vector<std::int64_t>{3'000'000'000, -5'000'000'000'000, 1099511627776, 0}));
}

TEST_P(OpsCast, IntegersBeyondTwoToThe31) {
  const std::vector<std::int64_t> big = {kTwoTo31 + 5, -(std::int64_t{1} << 33) - 7,
                                         (std::int64_t{1} << 40) + 1, 12345};
  const std::vector<std::int32_t> edge = {-7, 0, std::numeric_limits<std::int32_t>::max(),
                                          std::numeric_limits<std::int32_t>::min()};
  vs::Graph g;
  vs::Tensor i64 = vs::constant(g, vs::HostTensor(big));
  vs::Tensor i32 = vs::constant(g, vs::HostTensor(edge));
  vs::Session sess(g, options());
  const auto got = sess.run({vs::cast(i64, vs::DType::kFloat64), vs::cast(i64, vs::DType::kFloat32),
                             vs::cast(i64, vs::DType::kInt32), vs::cast(i32, vs::DType::kInt64),
                             vs::cast(i32, vs::DType::kFloat64)});
  std::vector<double> as_f64;
  std::vector<float> as_f32;
  std::vector<std::int32_t> wrapped;
  for (std::int64_t v : big) {
    as_f64.push_back(static_cast<double>(v));
    as_f32.push_back(static_cast<float>(v));
    wrapped.push_back(static_cast<std::int32_t>(v));  // modulo 2^32, as TF's static_cast
  }
  EXPECT_EQ(values_of<double>(got[0]), as_f64);
  EXPECT_EQ(values_of<float>(got[1]), as_f32);
  EXPECT_EQ(values_of<std::int32_t>(got[2]), wrapped);
  EXPECT_EQ(values_of<std::int64_t>(got[3]),
            (std::vector<std::int64_t>{-7, 0, 2147483647, -2147483648LL}));
  EXPECT_EQ(values_of<double>(got[4]), (std::vector<double>{-7, 0, 2147483647, -2147483648.0}));
}

TEST_P(OpsCast, FloatWideningIsExactAndNarrowingRoundsToNearest) {
  std::mt19937 rng(4001);
  const vs::HostTensor d = random_tensor(rng, vs::DType::kFloat64, vs::Shape{3, 5}, -1e3, 1e3);
  const vs::HostTensor f = random_tensor(rng, vs::DType::kFloat32, vs::Shape{3, 5}, -1e3, 1e3);
  vs::Graph g;
  vs::Tensor dt = vs::placeholder(g, vs::DType::kFloat64, vs::Shape{3, 5}, "d");
  vs::Tensor ft = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{3, 5}, "f");
  vs::Tensor narrow = vs::cast(dt, vs::DType::kFloat32);
  vs::Tensor widen = vs::cast(ft, vs::DType::kFloat64);
  EXPECT_EQ(narrow.shape(), (vs::Shape{3, 5}));
  vs::Session sess(g, options());
  const auto got = sess.run({narrow, widen}, {{dt, d}, {ft, f}});
  std::vector<float> want_narrow;
  for (double v : values_of<double>(d))
    want_narrow.push_back(static_cast<float>(v));
  std::vector<double> want_widen;
  for (float v : values_of<float>(f))
    want_widen.push_back(static_cast<double>(v));
  EXPECT_EQ(values_of<float>(got[0]), want_narrow);
  EXPECT_EQ(values_of<double>(got[1]), want_widen);
}

TEST_P(OpsCast, NameSameDtypeAndEmptyInput) {
  vs::Graph g;
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{0, 2}, "x");
  vs::Tensor c = vs::cast(x, vs::DType::kInt32);
  EXPECT_EQ(c.op().name(), "Cast");
  EXPECT_EQ(c.op().type(), "Cast");
  EXPECT_EQ(c.op().attr_dtype("SrcT"), vs::DType::kFloat32);
  EXPECT_EQ(c.op().attr_dtype("DstT"), vs::DType::kInt32);
  EXPECT_EQ(vs::cast(x, vs::DType::kFloat32), x);  // tf.cast returns x itself
  EXPECT_EQ(vs::cast(x, vs::DType::kFloat64, "to_double").op().name(), "to_double");
  vs::Session sess(g, options());
  const vs::HostTensor got =
      sess.run(c, {{x, vs::HostTensor(vs::DType::kFloat32, vs::Shape{0, 2})}});
  EXPECT_EQ(got.dtype(), vs::DType::kInt32);
  EXPECT_EQ(got.shape(), (vs::Shape{0, 2}));
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(OpsCast);
