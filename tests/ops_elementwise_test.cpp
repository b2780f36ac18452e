// Elementwise arithmetic, NumPy broadcasting: values, names, literals, integers, empty, identity.
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

// ======================= elementwise =======================

class OpsElementwise : public vs::testing::BackendTest {};

TEST_P(OpsElementwise, ArithmeticWithBroadcastingMatchesReference) {
  // Scalars, size-1 dims, rank mismatch on either side.
  const std::vector<std::pair<vs::Shape, vs::Shape>> cases = {
      {vs::Shape{2, 3}, vs::Shape{2, 3}},    {vs::Shape{}, vs::Shape{4}},
      {vs::Shape{2, 3}, vs::Shape{}},        {vs::Shape{}, vs::Shape{}},
      {vs::Shape{3}, vs::Shape{2, 3}},       {vs::Shape{2, 3}, vs::Shape{3}},
      {vs::Shape{2, 1, 4}, vs::Shape{3, 1}}, {vs::Shape{3, 1}, vs::Shape{2, 1, 4}},
      {vs::Shape{1}, vs::Shape{5}},          {vs::Shape{2, 3, 1}, vs::Shape{1, 1, 5}},
      {vs::Shape{1, 1}, vs::Shape{}},        {vs::Shape{4, 1, 3, 1}, vs::Shape{2, 1, 5}},
  };
  const std::vector<BinaryFn> fns = {std::plus<double>(), std::minus<double>(),
                                     std::multiplies<double>(), std::divides<double>()};
  std::mt19937 rng(1001);
  for (vs::DType dtype : kFloatTypes) {
    for (const auto& [xs, ys] : cases) {
      SCOPED_TRACE(std::string(vs::dtype_name(dtype)) + " " + str(xs) + " op " + str(ys));
      vs::Graph g;
      const vs::HostTensor xv = random_tensor(rng, dtype, xs);
      const vs::HostTensor yv = random_divisor(rng, dtype, ys);
      vs::Tensor x = vs::placeholder(g, dtype, xs, "x");
      vs::Tensor y = vs::constant(g, yv);
      const std::vector<vs::Tensor> outs = {vs::add(x, y),
                                            vs::subtract(x, y),
                                            vs::multiply(x, y),
                                            vs::divide(x, y),
                                            x + y,
                                            x - y,
                                            x * y,
                                            x / y};
      const vs::Shape want_shape = broadcast_shape(xs, ys);
      vs::Session sess(g, options());
      const std::vector<vs::HostTensor> got = sess.run(outs, {{x, xv}});
      ASSERT_EQ(got.size(), outs.size());
      for (std::size_t k = 0; k < outs.size(); ++k) {
        EXPECT_EQ(outs[k].shape(), want_shape) << outs[k].name();
        EXPECT_TRUE(Near(got[k], dtype, want_shape,
                         broadcast_ref(doubles(xv), xs, doubles(yv), ys, fns[k % 4]),
                         ulp_tol(dtype)))
            << outs[k].name();
      }
    }
  }
}

TEST_P(OpsElementwise, OpTypesAndNamesOfFunctionsAndOperators) {
  vs::Graph g;
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2}, "x");
  const std::vector<std::pair<vs::Tensor, std::pair<std::string, std::string>>> ops = {
      {vs::add(x, x), {"Add", "Add"}},
      {vs::subtract(x, x), {"Sub", "Sub"}},
      {vs::multiply(x, x), {"Mul", "Mul"}},
      {vs::divide(x, x), {"truediv", "RealDiv"}},
      // The name table is case-insensitive, as TF's: "add" is taken by "Add".
      {x + x, {"add_1", "AddV2"}},
      {x - x, {"sub_1", "Sub"}},
      {x * x, {"mul_1", "Mul"}},
      {x / x, {"truediv_1", "RealDiv"}},
  };
  for (const auto& [t, want] : ops) {
    EXPECT_EQ(t.op().name(), want.first);
    EXPECT_EQ(t.op().type(), want.second) << want.first;
  }
  vs::Session sess(g, options());
  const vs::HostTensor fed(std::vector<float>{3.0f, -0.5f});
  EXPECT_EQ(values_of<float>(sess.run(ops[0].first, {{x, fed}})),
            (std::vector<float>{6.0f, -1.0f}));
  EXPECT_EQ(values_of<float>(sess.run(ops[7].first, {{x, fed}})), (std::vector<float>{1.0f, 1.0f}));
}

TEST_P(OpsElementwise, LiteralsTakeTheTensorsDtypeOnEitherSide) {
  std::mt19937 rng(1002);
  for (vs::DType dtype : kFloatTypes) {
    SCOPED_TRACE(vs::dtype_name(dtype));
    vs::Graph g;
    const vs::HostTensor xv = random_divisor(rng, dtype, vs::Shape{3, 2});
    vs::Tensor x = vs::constant(g, xv);
    const std::vector<vs::Tensor> outs = {x * 2.5f, 1.0f - x, 3 / x, x + 0.25};
    const std::vector<std::function<double(double)>> refs = {
        [](double v) { return v * 2.5; }, [](double v) { return 1.0 - v; },
        [](double v) { return 3.0 / v; }, [](double v) { return v + 0.25; }};
    vs::Session sess(g, options());
    const auto got = sess.run(outs);
    for (std::size_t k = 0; k < outs.size(); ++k) {
      EXPECT_TRUE(Near(got[k], dtype, vs::Shape{3, 2}, map(doubles(xv), refs[k]), ulp_tol(dtype)))
          << outs[k].name();
    }
  }
}

TEST_P(OpsElementwise, Int32AddSubMulAreExact) {
  std::mt19937 rng(1003);
  vs::Graph g;
  const vs::HostTensor xv = random_tensor(rng, vs::DType::kInt32, vs::Shape{4, 5}, -1000, 1000);
  const vs::HostTensor yv = random_tensor(rng, vs::DType::kInt32, vs::Shape{5}, -1000, 1000);
  vs::Tensor x = vs::placeholder(g, vs::DType::kInt32, vs::Shape{4, 5}, "x");
  vs::Tensor y = vs::constant(g, yv);
  const std::vector<vs::Tensor> outs = {vs::add(x, y), x - y, vs::multiply(x, y), y * x, x + 7};
  const std::vector<BinaryFn> fns = {std::plus<double>(), std::minus<double>(),
                                     std::multiplies<double>(), std::multiplies<double>()};
  vs::Session sess(g, options());
  const auto got = sess.run(outs, {{x, xv}});
  for (std::size_t k = 0; k < 4; ++k) {
    const auto want = k == 3
                          ? broadcast_ref(doubles(yv), yv.shape(), doubles(xv), xv.shape(), fns[k])
                          : broadcast_ref(doubles(xv), xv.shape(), doubles(yv), yv.shape(), fns[k]);
    EXPECT_TRUE(Near(got[k], vs::DType::kInt32, vs::Shape{4, 5}, want, kExact)) << outs[k].name();
  }
  EXPECT_TRUE(Near(got[4], vs::DType::kInt32, vs::Shape{4, 5},
                   map(doubles(xv), [](double v) { return v + 7; }), kExact));
}

TEST_P(OpsElementwise, Int64AddSubMulAreExactBeyondTwoToThe31AndTwoToThe53) {
  const std::vector<std::int64_t> x = {3'000'000'000,   -5'000'000'000, kTwoTo53 + 1,
                                       -(kTwoTo53 + 1), kTwoTo31,       7};
  const std::vector<std::int64_t> y = {2, 3, 2, -3, kTwoTo31, -1};
  vs::Graph g;
  vs::Tensor xt = vs::placeholder(g, vs::DType::kInt64, vs::Shape{2, 3}, "x");
  vs::Tensor yt = vs::constant(g, vs::HostTensor(y, vs::Shape{2, 3}));
  const std::vector<std::int64_t> r = {1, -1, kTwoTo31};
  vs::Tensor row = vs::constant(g, vs::HostTensor(r));
  const std::vector<vs::Tensor> outs = {vs::add(xt, yt), xt - yt, vs::multiply(xt, yt), xt + row};
  vs::Session sess(g, options());
  const auto got = sess.run(outs, {{xt, vs::HostTensor(x, vs::Shape{2, 3})}});
  std::vector<std::int64_t> sum, diff, prod, brow;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sum.push_back(x[i] + y[i]);
    diff.push_back(x[i] - y[i]);
    prod.push_back(x[i] * y[i]);
    brow.push_back(x[i] + r[i % 3]);
  }
  for (const auto& t : got) {
    EXPECT_EQ(t.dtype(), vs::DType::kInt64);
    EXPECT_EQ(t.shape(), (vs::Shape{2, 3}));
  }
  EXPECT_EQ(values_of<std::int64_t>(got[0]), sum);
  EXPECT_EQ(values_of<std::int64_t>(got[1]), diff);
  EXPECT_EQ(values_of<std::int64_t>(got[2]), prod);
  EXPECT_EQ(values_of<std::int64_t>(got[3]), brow);
}

TEST_P(OpsElementwise, EmptyTensorsKeepTheirBroadcastShape) {
  const std::vector<std::pair<vs::Shape, vs::Shape>> cases = {
      {vs::Shape{0, 3}, vs::Shape{3}},
      {vs::Shape{2, 0}, vs::Shape{}},
      {vs::Shape{0}, vs::Shape{1}},
      {vs::Shape{1, 0}, vs::Shape{3, 1}},
  };
  for (vs::DType dtype : {vs::DType::kFloat32, vs::DType::kFloat64, vs::DType::kInt32}) {
    for (const auto& [xs, ys] : cases) {
      SCOPED_TRACE(std::string(vs::dtype_name(dtype)) + " " + str(xs) + " op " + str(ys));
      vs::Graph g;
      vs::Tensor x = vs::placeholder(g, dtype, xs, "x");
      vs::Tensor y = vs::constant(
          g, of_dtype(dtype, std::vector<double>(static_cast<std::size_t>(ys.num_elements()), 2.0),
                      ys));
      const std::vector<vs::Tensor> outs = {x + y, y - x, x * y, vs::divide(x, y)};
      const vs::Shape want = broadcast_shape(xs, ys);
      vs::Session sess(g, options());
      const auto got = sess.run(outs, {{x, vs::HostTensor(dtype, xs)}});
      for (std::size_t k = 0; k < outs.size(); ++k) {
        EXPECT_EQ(outs[k].shape(), want) << outs[k].name();
        EXPECT_EQ(got[k].shape(), want) << outs[k].name();
        EXPECT_EQ(got[k].dtype(), dtype) << outs[k].name();
        EXPECT_EQ(got[k].num_elements(), 0) << outs[k].name();
      }
    }
  }
}

TEST_P(OpsElementwise, IdentityPassesValuesThroughAndIsNamedIdentity) {
  std::mt19937 rng(1004);
  vs::Graph g;
  const vs::HostTensor xv = random_tensor(rng, vs::DType::kFloat64, vs::Shape{3, 4});
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat64, vs::Shape{3, 4}, "x");
  vs::Tensor id = vs::identity(x);
  vs::Tensor id2 = vs::identity(x, "copy");
  vs::Variable v = g.variable(vs::HostTensor(std::vector<float>{1, 2}), {.name = "v"});
  vs::Tensor vid = vs::identity(v);
  vs::Tensor bump = vs::assign_add(v, vs::HostTensor(std::vector<float>{10, 20}));
  EXPECT_EQ(id.op().name(), "Identity");
  EXPECT_EQ(id.op().type(), "Identity");
  EXPECT_EQ(id2.op().name(), "copy");
  EXPECT_EQ(vid.op().name(), "Identity_1");
  EXPECT_EQ(id.shape(), (vs::Shape{3, 4}));
  vs::Session sess(g, options());
  EXPECT_TRUE(sess.run(id, {{x, xv}}) == xv);
  EXPECT_TRUE(sess.run(id2, {{x, xv}}) == xv);
  sess.run(v.initializer());
  sess.run(bump);
  EXPECT_EQ(values_of<float>(sess.run(vid)), (std::vector<float>{11, 22}));
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(OpsElementwise);
