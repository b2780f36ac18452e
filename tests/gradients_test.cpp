// Gradients (issue 18): every gradient function against central finite differences in
// float64 on random shapes, broadcasting included; a tensor used twice gets the sum of its
// uses (AddN); TF's name scopes; failed calls leave the graph unchanged.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "gpu_test.h"

namespace vs = varscope;

namespace {

using Build = std::function<vs::Tensor(const std::vector<vs::Tensor>&)>;

struct Input {
  vs::Shape shape;
  double low = -1.0, high = 1.0;
};

std::vector<double> random_values(std::int64_t n, double low, double high, std::mt19937& rng) {
  std::uniform_real_distribution<double> u(low, high);
  std::vector<double> v(static_cast<std::size_t>(n));
  for (double& x : v)
    x = u(rng);
  return v;
}

// loss = sum(f(inputs) * w) for fixed random w: every output element's gradient matters.
// Checks d loss / d input against central differences, element by element.
void check_gradients(const std::vector<Input>& inputs,
                     const Build& f,
                     double tol = 1e-6,
                     vs::DeviceKind device = vs::DeviceKind::kCpu) {
  std::mt19937 rng(1234);
  vs::Graph g;
  std::vector<vs::Tensor> xs;
  std::vector<std::vector<double>> values;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    xs.push_back(vs::placeholder(g, vs::DType::kFloat64, inputs[i].shape, "x" + std::to_string(i)));
    values.push_back(
        random_values(inputs[i].shape.num_elements(), inputs[i].low, inputs[i].high, rng));
  }
  vs::Tensor out = f(xs);
  ASSERT_TRUE(out.shape().is_fully_defined()) << out.shape().to_string();
  const std::vector<double> w = random_values(out.shape().num_elements(), 0.5, 1.5, rng);
  vs::Tensor weights = vs::constant(g, vs::HostTensor(w, out.shape()));
  vs::Tensor loss = vs::reduce_sum(out * weights);
  const std::vector<vs::Tensor> grads = vs::gradients({loss}, xs);
  ASSERT_EQ(grads.size(), xs.size());

  vs::Session sess(g, {.device = device});
  auto feeds = [&](const std::vector<std::vector<double>>& v) {
    vs::FeedDict d;
    for (std::size_t i = 0; i < xs.size(); ++i)
      d.emplace_back(xs[i], vs::HostTensor(v[i], inputs[i].shape));
    return d;
  };
  std::vector<vs::Tensor> fetch;
  for (const vs::Tensor& gr : grads) {
    ASSERT_TRUE(gr.valid());
    fetch.push_back(gr);
  }
  const std::vector<vs::HostTensor> analytic = sess.run(fetch, feeds(values));
  const double eps = 1e-6;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    ASSERT_EQ(analytic[i].shape(), inputs[i].shape);
    for (std::size_t k = 0; k < values[i].size(); ++k) {
      auto at = [&](double delta) {
        auto v = values;
        v[i][k] += delta;
        return sess.run(loss, feeds(v)).element_as_double(0);
      };
      const double numeric = (at(eps) - at(-eps)) / (2 * eps);
      const double got = analytic[i].element_as_double(static_cast<std::int64_t>(k));
      EXPECT_NEAR(got, numeric, tol * std::max(1.0, std::abs(numeric)))
          << "input " << i << " element " << k;
    }
  }
}

vs::Tensor T(const std::vector<vs::Tensor>& x, std::size_t i) {
  return x[i];
}

}  // namespace

TEST(Gradients, AddSubMulDivWithBroadcasting) {
  const std::vector<std::pair<vs::Shape, vs::Shape>> shapes = {
      {{3, 4}, {3, 4}}, {{3, 4}, {4}}, {{2, 1, 3}, {4, 1}}, {{2, 3}, {}}, {{1, 3}, {2, 1}}};
  for (const auto& [a, b] : shapes) {
    SCOPED_TRACE(a.to_string() + " " + b.to_string());
    check_gradients({{a}, {b}}, [](auto& x) { return T(x, 0) + T(x, 1); });
    check_gradients({{a}, {b}}, [](auto& x) { return vs::add(T(x, 0), T(x, 1)); });
    check_gradients({{a}, {b}}, [](auto& x) { return T(x, 0) - T(x, 1); });
    check_gradients({{a}, {b}}, [](auto& x) { return T(x, 0) * T(x, 1); });
    check_gradients({{a}, {b, 0.5, 2.0}}, [](auto& x) { return T(x, 0) / T(x, 1); });
  }
}

TEST(Gradients, MatMulAllTransposes) {
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      const vs::Shape a = ta ? vs::Shape{4, 3} : vs::Shape{3, 4};
      const vs::Shape b = tb ? vs::Shape{5, 4} : vs::Shape{4, 5};
      check_gradients({{a}, {b}}, [&](auto& x) {
        return vs::matmul(T(x, 0), T(x, 1), {.transpose_a = ta, .transpose_b = tb});
      });
    }
  }
}

TEST(Gradients, BatchMatMulWithBroadcastBatch) {
  check_gradients({{{2, 3, 4}}, {{2, 4, 5}}}, [](auto& x) { return vs::matmul(T(x, 0), T(x, 1)); });
  check_gradients({{{2, 3, 4}}, {{4, 5}}}, [](auto& x) { return vs::matmul(T(x, 0), T(x, 1)); });
  check_gradients({{{3, 4}}, {{2, 4, 5}}},
                  [](auto& x) { return vs::matmul(T(x, 0), T(x, 1), {.transpose_b = false}); });
  check_gradients({{{2, 4, 3}}, {{2, 5, 4}}}, [](auto& x) {
    return vs::matmul(T(x, 0), T(x, 1), {.transpose_a = true, .transpose_b = true});
  });
}

TEST(Gradients, BiasAddAndActivations) {
  check_gradients({{{4, 3}}, {{3}}}, [](auto& x) { return vs::bias_add(T(x, 0), T(x, 1)); });
  check_gradients({{{2, 3, 3}}, {{3}}}, [](auto& x) { return vs::bias_add(T(x, 0), T(x, 1)); });
  // Relu away from its kink: values in [0.1, 1] and [-1, -0.1].
  check_gradients({{{3, 4}, 0.1, 1.0}}, [](auto& x) { return vs::relu(T(x, 0)); });
  check_gradients({{{3, 4}, -1.0, -0.1}}, [](auto& x) { return vs::relu(T(x, 0)); });
  check_gradients({{{3, 4}, -3.0, 3.0}}, [](auto& x) { return vs::sigmoid(T(x, 0)); });
  check_gradients({{{3, 4}, -2.0, 2.0}}, [](auto& x) { return vs::tanh(T(x, 0)); });
  check_gradients({{{3, 5}, -2.0, 2.0}}, [](auto& x) { return vs::softmax(T(x, 0)); });
  check_gradients({{{2, 2, 4}, -2.0, 2.0}}, [](auto& x) { return vs::softmax(T(x, 0)); });
}

TEST(Gradients, Reductions) {
  for (bool keep : {false, true}) {
    check_gradients({{{3, 4, 2}}}, [&](auto& x) {
      return vs::reduce_sum(T(x, 0), {.axes = std::vector<int>{1}, .keepdims = keep});
    });
    check_gradients({{{3, 4, 2}}}, [&](auto& x) {
      return vs::reduce_mean(T(x, 0), {.axes = std::vector<int>{0, -1}, .keepdims = keep});
    });
    check_gradients({{{3, 4}}},
                    [&](auto& x) { return vs::reduce_mean(T(x, 0), {.keepdims = keep}); });
  }
  check_gradients({{{3, 4}}}, [](auto& x) { return vs::reduce_sum(T(x, 0)); });
}

TEST(Gradients, UnaryMath) {
  check_gradients({{{3, 4}}}, [](auto& x) { return vs::square(T(x, 0)); });
  check_gradients({{{3, 4}}}, [](auto& x) { return vs::exp(T(x, 0)); });
  check_gradients({{{3, 4}, 0.5, 3.0}}, [](auto& x) { return vs::log(T(x, 0)); });
  check_gradients({{{3, 4}}}, [](auto& x) { return vs::negative(T(x, 0)); });
  check_gradients({{{3, 4}}}, [](auto& x) { return vs::identity(T(x, 0)); });
  check_gradients({{{2, 3}}, {{2, 3}}, {{2, 3}}}, [](auto& x) {
    return vs::add_n({T(x, 0), T(x, 1), T(x, 2)});
  });
}

// Cast's gradient is the cast back: float32 round trips are too coarse for differences, so
// the values are checked exactly; an integer cast passes no gradient.
TEST(Gradients, CastCastsTheGradientBack) {
  vs::Graph g;
  auto x = vs::placeholder(g, vs::DType::kFloat64, vs::Shape{3}, "x");
  auto c = vs::constant(g, vs::HostTensor(std::vector<float>{0.1f, -2.5f, 3.0f}));
  vs::Tensor dx = vs::gradients({vs::reduce_sum(vs::cast(x, vs::DType::kFloat32) * c)}, {x})[0];
  ASSERT_TRUE(dx.valid());
  EXPECT_EQ(dx.dtype(), vs::DType::kFloat64);
  EXPECT_EQ(dx.op().type(), "Cast");
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  const auto v = sess.run(dx, {{x, vs::HostTensor(std::vector<double>{1, 2, 3})}});
  EXPECT_EQ(v.element_as_double(0), static_cast<double>(0.1f));
  EXPECT_EQ(v.element_as_double(1), -2.5);
  vs::Tensor as_int = vs::cast(x, vs::DType::kInt32);
  vs::Tensor back = vs::cast(as_int, vs::DType::kFloat64);
  EXPECT_FALSE(vs::gradients({vs::reduce_sum(back)}, {x})[0].valid());
}

TEST(Gradients, SoftmaxCrossEntropy) {
  // Dense labels: a distribution per row (placeholder 1, no gradient asked of it).
  vs::Graph g;
  auto logits = vs::placeholder(g, vs::DType::kFloat64, vs::Shape{4, 5}, "logits");
  std::mt19937 rng(3);
  std::vector<double> labels = random_values(20, 0.0, 1.0, rng);
  for (int r = 0; r < 4; ++r) {
    double s = 0;
    for (int c = 0; c < 5; ++c)
      s += labels[static_cast<std::size_t>(r * 5 + c)];
    for (int c = 0; c < 5; ++c)
      labels[static_cast<std::size_t>(r * 5 + c)] /= s;
  }
  (void)logits;
  check_gradients({{{4, 5}, -2.0, 2.0}}, [&](auto& x) {
    vs::Graph graph = T(x, 0).graph();
    auto y = vs::constant(graph, vs::HostTensor(labels, vs::Shape{4, 5}));
    return vs::softmax_cross_entropy_with_logits(y, T(x, 0));
  });
  check_gradients({{{4, 5}, -2.0, 2.0}}, [&](auto& x) {
    vs::Graph graph = T(x, 0).graph();
    auto y = vs::constant(graph, vs::HostTensor(std::vector<std::int32_t>{0, 4, 2, 2}));
    return vs::sparse_softmax_cross_entropy_with_logits(y, T(x, 0));
  });
}

TEST(Gradients, CrossEntropyValuesMatchTheFormula) {
  vs::Graph g;
  auto logits = vs::constant(g, vs::HostTensor(std::vector<double>{1, 2, 3, -1, 0, 1}, {2, 3}));
  auto labels = vs::constant(g, vs::HostTensor(std::vector<std::int64_t>{2, 0}));
  vs::Tensor loss = vs::sparse_softmax_cross_entropy_with_logits(labels, logits);
  EXPECT_EQ(loss.op().name(),
            "SparseSoftmaxCrossEntropyWithLogits/SparseSoftmaxCrossEntropyWithLogits");
  EXPECT_EQ(loss.shape(), vs::Shape({2}));
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  const vs::HostTensor v = sess.run(loss);
  const double l0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) - 3.0;
  const double l1 = std::log(std::exp(-1.0) + std::exp(0.0) + std::exp(1.0)) + 1.0;
  EXPECT_NEAR(v.element_as_double(0), l0, 1e-12);
  EXPECT_NEAR(v.element_as_double(1), l1, 1e-12);
  auto bad = vs::constant(g, vs::HostTensor(std::vector<std::int64_t>{3, 0}));
  vs::Tensor bad_loss = vs::sparse_softmax_cross_entropy_with_logits(bad, logits);
  EXPECT_THROW(sess.run(bad_loss), vs::InvalidArgumentError);
}

TEST(Gradients, TensorUsedTwiceGetsTheSumOfItsUses) {
  vs::Graph g;
  auto x = vs::placeholder(g, vs::DType::kFloat64, vs::Shape{3}, "x");
  auto a = vs::constant(g, vs::HostTensor(std::vector<double>{1, 2, 3}));
  auto b = vs::constant(g, vs::HostTensor(std::vector<double>{10, 20, 30}));
  vs::Tensor loss = vs::reduce_sum(x * a) + vs::reduce_sum(x * b);
  vs::Tensor dx = vs::gradients({loss}, {x})[0];
  EXPECT_EQ(dx.op().type(), "AddN");
  EXPECT_EQ(dx.op().name(), "gradients/AddN");
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  const vs::HostTensor v = sess.run(dx, {{x, vs::HostTensor(std::vector<double>{5, 6, 7})}});
  EXPECT_EQ(v.element_as_double(0), 11.0);
  EXPECT_EQ(v.element_as_double(1), 22.0);
  EXPECT_EQ(v.element_as_double(2), 33.0);
}

TEST(Gradients, SharedVariableIsTheSumOverBothTowers) {
  vs::Graph g;
  auto xa = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 3}, "xa");
  auto xb = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 3}, "xb");
  auto tower = [&](const vs::Tensor& x) {
    auto scope = g.variable_scope("tower", {.reuse = vs::Reuse::kAuto});
    vs::Variable w = g.get_variable("w", {.shape = vs::Shape{3, 1}});
    return vs::matmul(x, w);
  };
  vs::Tensor ta = vs::reduce_sum(tower(xa));
  vs::Tensor tb = vs::reduce_sum(tower(xb));
  vs::Variable w = g.trainable_variables().at(0);
  vs::Tensor both = vs::gradients({ta + tb}, std::vector<vs::Variable>{w})[0];
  vs::Tensor only_a = vs::gradients({ta}, std::vector<vs::Variable>{w})[0];
  vs::Tensor only_b = vs::gradients({tb}, std::vector<vs::Variable>{w})[0];
  EXPECT_EQ(both.op().type(), "AddN");
  EXPECT_TRUE(both.op().name().starts_with("gradients/")) << both.op().name();
  EXPECT_TRUE(only_a.op().name().starts_with("gradients_1/")) << only_a.op().name();
  EXPECT_TRUE(only_b.op().name().starts_with("gradients_2/")) << only_b.op().name();
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  sess.run(g.global_variables_initializer());
  const vs::FeedDict feeds{{xa, vs::HostTensor(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3})},
                           {xb, vs::HostTensor(std::vector<float>{-1, 0, 2, 7, 1, 1}, {2, 3})}};
  const auto v = sess.run({both, only_a, only_b}, feeds);
  for (std::int64_t i = 0; i < 3; ++i) {
    EXPECT_EQ(v[0].element_as_double(i), v[1].element_as_double(i) + v[2].element_as_double(i));
  }
  EXPECT_EQ(v[1].element_as_double(0), 5.0);  // column sums of xa
  EXPECT_EQ(v[2].element_as_double(2), 3.0);
}

TEST(Gradients, TfNameScopes) {
  vs::Graph g;
  auto x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 3}, "x");
  vs::Tensor loss = vs::reduce_mean(vs::square(x));
  vs::Tensor dx = vs::gradients({loss}, {x})[0];
  EXPECT_EQ(dx.op().name(), "gradients/Square_grad/Mul_1");
  EXPECT_NO_THROW(g.get_operation_by_name("gradients/grad_ys_0"));
  EXPECT_EQ(g.get_operation_by_name("gradients/Mean_grad/truediv").type(), "BroadcastToShape");
  vs::Tensor dx2 = vs::gradients({loss}, {x})[0];
  EXPECT_EQ(dx2.op().name(), "gradients_1/Square_grad/Mul_1");
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  const auto v = sess.run(dx, {{x, vs::HostTensor(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3})}});
  EXPECT_FLOAT_EQ(v.element_as_double(5), 2.0f * 6.0f / 6.0f);
}

TEST(Gradients, UnconnectedIsNoneAndNoGradientLeavesTheGraphUnchanged) {
  vs::Graph g;
  auto x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2}, "x");
  auto z = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2}, "z");
  vs::Tensor loss = vs::reduce_sum(vs::exp(x));
  const auto grads = vs::gradients({loss}, {x, z});
  EXPECT_TRUE(grads[0].valid());
  EXPECT_FALSE(grads[1].valid());

  // An update op has no gradient (TF: LookupError); Assign has none either, but TF
  // registers it as not differentiable: None, no error.
  vs::Variable v = g.get_variable("v", {.shape = vs::Shape{2}});
  EXPECT_FALSE(vs::gradients({vs::reduce_sum(vs::assign(v, x))}, {x})[0].valid());
  vs::train::GradientDescentOptimizer sgd(0.1);
  sgd.minimize(vs::reduce_sum(v * x), {}, {v});
  vs::Tensor updated = g.get_tensor_by_name("GradientDescent/update_v/ApplyGradientDescent:0");
  const std::size_t before = g.num_operations();
  EXPECT_THROW(vs::gradients({vs::reduce_sum(updated)}, {x}), vs::NotFoundError);
  // The reduce_sum above was built; the failed gradients call added nothing after it.
  vs::Tensor again = vs::reduce_sum(updated);
  const std::size_t with_sum = g.num_operations();
  EXPECT_THROW(vs::gradients({again}, {x}), vs::NotFoundError);
  EXPECT_EQ(g.num_operations(), with_sum);
  EXPECT_GT(with_sum, before);
  // The scope name "gradients_3" (after the assign's and minimize's) was not consumed by the
  // failed calls.
  vs::Tensor ok = vs::gradients({loss}, {x})[0];
  EXPECT_TRUE(ok.op().name().starts_with("gradients_3/")) << ok.op().name();
}

class GpuGradients : public vs::testing::GpuTest {};

TEST_F(GpuGradients, MatchFiniteDifferencesOnTheDevice) {
  check_gradients(
      {{{3, 4}}, {{4}}}, [](auto& x) { return T(x, 0) * T(x, 1); }, 1e-6, vs::DeviceKind::kCuda);
  check_gradients(
      {{{3, 4}}, {{4, 2}}}, [](auto& x) { return vs::matmul(T(x, 0), T(x, 1)); }, 1e-6,
      vs::DeviceKind::kCuda);
  check_gradients(
      {{{3, 5}, -2.0, 2.0}}, [](auto& x) { return vs::tanh(vs::softmax(T(x, 0))); }, 1e-6,
      vs::DeviceKind::kCuda);
  check_gradients(
      {{{3, 4}, -1.0, 1.0}},
      [](auto& x) { return vs::reduce_mean(vs::sigmoid(T(x, 0)), {.axes = std::vector<int>{0}}); },
      1e-6, vs::DeviceKind::kCuda);
}
