// Activations (relu, sigmoid, tanh), softmax and bias_add against double references.
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

double sigmoid_ref(double x) {
  return x >= 0 ? 1.0 / (1.0 + std::exp(-x)) : std::exp(x) / (1.0 + std::exp(x));
}

std::vector<double> softmax_ref(const std::vector<double>& x, std::int64_t cols) {
  std::vector<double> out(x.size());
  for (std::size_t r = 0; cols > 0 && r < x.size() / static_cast<std::size_t>(cols); ++r) {
    const auto c0 = r * static_cast<std::size_t>(cols);
    const auto c1 = c0 + static_cast<std::size_t>(cols);
    const double m = *std::max_element(x.begin() + static_cast<std::ptrdiff_t>(c0),
                                       x.begin() + static_cast<std::ptrdiff_t>(c1));
    double sum = 0.0;
    for (std::size_t c = c0; c < c1; ++c)
      sum += std::exp(x[c] - m);
    for (std::size_t c = c0; c < c1; ++c)
      out[c] = std::exp(x[c] - m) / sum;
  }
  return out;
}

}  // namespace

// ======================= activations, softmax, bias_add =======================

class OpsActivation : public vs::testing::BackendTest {};

TEST_P(OpsActivation, ReluSigmoidTanhMatchReference) {
  std::mt19937 rng(2001);
  for (vs::DType dtype : kFloatTypes) {
    SCOPED_TRACE(vs::dtype_name(dtype));
    std::vector<double> xs = doubles(random_tensor(rng, dtype, vs::Shape{32}, -6.0, 6.0));
    for (double s : {0.0, 0.5, -0.5, 20.0, -20.0, 100.0, -100.0, 1e-3})
      xs.push_back(s);
    const vs::HostTensor xv = of_dtype(dtype, xs, vs::Shape{5, 8});
    const std::vector<double> x = doubles(xv);
    vs::Graph g;
    vs::Tensor in = vs::placeholder(g, dtype, vs::Shape{5, 8}, "x");
    vs::Tensor r = vs::relu(in), s = vs::sigmoid(in), t = vs::tanh(in);
    EXPECT_EQ(r.op().name(), "Relu");
    EXPECT_EQ(s.op().name(), "Sigmoid");
    EXPECT_EQ(t.op().name(), "Tanh");
    vs::Session sess(g, options());
    const auto got = sess.run({r, s, t}, {{in, xv}});
    EXPECT_TRUE(Near(got[0], dtype, vs::Shape{5, 8},
                     map(x, [](double v) { return v > 0 ? v : 0.0; }), kExact));
    EXPECT_TRUE(Near(got[1], dtype, vs::Shape{5, 8}, map(x, sigmoid_ref), math_tol(dtype)));
    EXPECT_TRUE(Near(got[2], dtype, vs::Shape{5, 8}, map(x, [](double v) { return std::tanh(v); }),
                     math_tol(dtype)));
  }
}

TEST_P(OpsActivation, SoftmaxMatchesReferenceOverTheLastAxisAndRowsSumToOne) {
  std::mt19937 rng(2002);
  const std::vector<vs::Shape> shapes = {vs::Shape{5}, vs::Shape{3, 7}, vs::Shape{2, 3, 4},
                                         vs::Shape{4, 1}};
  for (vs::DType dtype : kFloatTypes) {
    for (const vs::Shape& shape : shapes) {
      SCOPED_TRACE(std::string(vs::dtype_name(dtype)) + " " + str(shape));
      const vs::HostTensor xv = random_tensor(rng, dtype, shape, -5.0, 5.0);
      vs::Graph g;
      vs::Tensor x = vs::placeholder(g, dtype, shape, "x");
      vs::Tensor sm = vs::softmax(x);
      EXPECT_EQ(sm.op().name(), "Softmax");
      EXPECT_EQ(sm.shape(), shape);
      vs::Session sess(g, options());
      const vs::HostTensor got = sess.run(sm, {{x, xv}});
      const std::int64_t cols = shape.dim(shape.rank() - 1);
      EXPECT_TRUE(Near(got, dtype, shape, softmax_ref(doubles(xv), cols), math_tol(dtype)));
      const std::vector<double> y = doubles(got);
      for (std::size_t r = 0; r * static_cast<std::size_t>(cols) < y.size(); ++r) {
        double sum = 0.0;
        for (std::int64_t c = 0; c < cols; ++c)
          sum += y[r * static_cast<std::size_t>(cols) + static_cast<std::size_t>(c)];
        EXPECT_NEAR(sum, 1.0, math_tol(dtype).rtol) << "row " << r;
      }
    }
  }
}

TEST_P(OpsActivation, SoftmaxIsStableForLargeLogits) {
  const std::vector<double> logits = {1000,  1001,    1002,   //
                                      -1000, -1000.5, -999,   //
                                      0,     1000,    -1000,  //
                                      88.5,  89.5,    90.5};
  for (vs::DType dtype : kFloatTypes) {
    SCOPED_TRACE(vs::dtype_name(dtype));
    vs::Graph g;
    vs::Tensor x = vs::constant(g, of_dtype(dtype, logits, vs::Shape{4, 3}));
    vs::Session sess(g, options());
    const vs::HostTensor got = sess.run(vs::softmax(x));
    for (std::int64_t i = 0; i < got.num_elements(); ++i) {
      EXPECT_TRUE(std::isfinite(got.element_as_double(i))) << "element " << i;
    }
    const std::vector<double> want = softmax_ref(logits, 3);
    EXPECT_TRUE(Near(got, dtype, vs::Shape{4, 3}, want, math_tol(dtype)));
    // Rows 0 and 3 are the same distribution, shifted: exp(-2) : exp(-1) : 1.
    const double e1 = std::exp(-1.0), e2 = std::exp(-2.0);
    EXPECT_NEAR(got.element_as_double(2), 1.0 / (1.0 + e1 + e2), math_tol(dtype).rtol);
    EXPECT_NEAR(got.element_as_double(11), 1.0 / (1.0 + e1 + e2), math_tol(dtype).rtol);
    EXPECT_NEAR(got.element_as_double(7), 1.0, math_tol(dtype).rtol);
  }
}

TEST_P(OpsActivation, BiasAddAddsTheBiasAlongTheLastAxis) {
  std::mt19937 rng(2003);
  const std::vector<vs::Shape> shapes = {vs::Shape{4, 3}, vs::Shape{2, 3, 5}, vs::Shape{1, 1},
                                         vs::Shape{0, 3}};
  for (vs::DType dtype : kFloatTypes) {
    for (const vs::Shape& shape : shapes) {
      SCOPED_TRACE(std::string(vs::dtype_name(dtype)) + " " + str(shape));
      const vs::Shape bshape{shape.dim(shape.rank() - 1)};
      const vs::HostTensor xv = random_tensor(rng, dtype, shape);
      const vs::HostTensor bv = random_tensor(rng, dtype, bshape);
      vs::Graph g;
      vs::Tensor x = vs::placeholder(g, dtype, shape, "x");
      vs::Tensor out = vs::bias_add(x, vs::constant(g, bv));
      EXPECT_EQ(out.op().name(), "BiasAdd");
      EXPECT_EQ(out.op().type(), "BiasAdd");
      EXPECT_EQ(out.shape(), shape);
      vs::Session sess(g, options());
      EXPECT_TRUE(Near(sess.run(out, {{x, xv}}), dtype, shape,
                       broadcast_ref(doubles(xv), shape, doubles(bv), bshape, std::plus<double>()),
                       ulp_tol(dtype)));
    }
  }
}

TEST_P(OpsActivation, EmptyInputsGiveEmptyOutputs) {
  for (const vs::Shape& shape : {vs::Shape{0, 3}, vs::Shape{2, 0}, vs::Shape{0}}) {
    SCOPED_TRACE(str(shape));
    vs::Graph g;
    vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, shape, "x");
    const std::vector<vs::Tensor> outs = {vs::relu(x), vs::sigmoid(x), vs::tanh(x), vs::softmax(x)};
    vs::Session sess(g, options());
    const auto got = sess.run(outs, {{x, vs::HostTensor(vs::DType::kFloat32, shape)}});
    for (std::size_t k = 0; k < outs.size(); ++k) {
      EXPECT_EQ(got[k].shape(), shape) << outs[k].name();
      EXPECT_EQ(got[k].dtype(), vs::DType::kFloat32) << outs[k].name();
    }
  }
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(OpsActivation);
