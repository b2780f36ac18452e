// The planner's folded AddN of products (planner.cpp): an AddN of MatMul(x_i, dy_i,
// transpose_a=True) terms used nowhere else runs as one product of the stacked x_i and dy_i.
// The graph is unchanged; the values are the unfolded run's (small integers: every sum is exact
// in float32, so the two orders of summation give the same bits), and anything that needs an
// intermediate product keeps the products as they are.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "gpu_test.h"
#include "host/runtime/plan.h"
#include "plan_test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;
namespace d = varscope::detail;

namespace {

using plan_test::integers;
using plan_test::plan_of;
using plan_test::values;

int count_kind(const d::Plan& plan, d::OpKind kind) {
  return static_cast<int>(std::count_if(plan.steps.begin(), plan.steps.end(),
                                        [&](const d::Step& s) { return s.kind == kind; }));
}

int folded_sums(const d::Plan& plan) {
  return static_cast<int>(std::count_if(plan.steps.begin(), plan.steps.end(),
                                        [](const d::Step& s) { return s.sum_of_products; }));
}

// sum_i x_i^T dy_i over terms of different k, as an RNN's weight gradient is built.
struct Terms {
  std::vector<vs::Tensor> xs, dys, products;
  vs::Tensor sum;
  vs::FeedDict feeds;
};

Terms build_terms(vs::Graph& g,
                  const std::vector<std::int64_t>& ks,
                  std::int64_t m,
                  std::int64_t n) {
  Terms t;
  int seed = 0;
  for (std::int64_t k : ks) {
    t.xs.push_back(vs::placeholder(g, vs::DType::kFloat32, vs::Shape{k, m}));
    t.dys.push_back(vs::placeholder(g, vs::DType::kFloat32, vs::Shape{k, n}));
    t.products.push_back(vs::matmul(t.xs.back(), t.dys.back(), {.transpose_a = true}));
    t.feeds.emplace_back(t.xs.back(), integers(vs::Shape{k, m}, ++seed));
    t.feeds.emplace_back(t.dys.back(), integers(vs::Shape{k, n}, ++seed));
  }
  t.sum = vs::add_n(t.products);
  return t;
}

TEST(PlannerSumOfProducts, AnAddNOfTransposedProductsIsOneStepWithTheUnfoldedValues) {
  vs::Graph g;
  const Terms t = build_terms(g, {3, 1, 5, 2}, 6, 70);
  const d::Plan plan = plan_of(g, {t.sum}, t.feeds);
  EXPECT_EQ(folded_sums(plan), 1);
  EXPECT_EQ(count_kind(plan, d::OpKind::kMatMul), 0);

  // Fetching one product keeps every product a step of its own and the AddN a sum.
  const d::Plan unfolded = plan_of(g, {t.sum, t.products[0]}, t.feeds);
  EXPECT_EQ(folded_sums(unfolded), 0);
  EXPECT_EQ(count_kind(unfolded, d::OpKind::kMatMul), 4);

  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  const std::vector<float> folded = values(sess.run(t.sum, t.feeds));
  const std::vector<vs::HostTensor> both = sess.run({t.sum, t.products[0]}, t.feeds);
  EXPECT_EQ(folded, values(both.at(0)));
  EXPECT_EQ(both.at(0).shape(), vs::Shape({6, 70}));
  // And the sum itself, in double on the host.
  std::vector<double> expect(6 * 70, 0.0);
  for (std::size_t i = 0; i < t.xs.size(); ++i) {
    const vs::HostTensor& x = t.feeds[2 * i].second;
    const vs::HostTensor& dy = t.feeds[2 * i + 1].second;
    const std::int64_t k = x.shape().dim(0);
    for (std::int64_t r = 0; r < k; ++r) {
      for (std::int64_t a = 0; a < 6; ++a) {
        for (std::int64_t b = 0; b < 70; ++b)
          expect[static_cast<std::size_t>(a * 70 + b)] +=
              x.data<float>()[static_cast<std::size_t>(r * 6 + a)] *
              dy.data<float>()[static_cast<std::size_t>(r * 70 + b)];
      }
    }
  }
  for (std::size_t i = 0; i < expect.size(); ++i)
    ASSERT_EQ(folded[i], static_cast<float>(expect[i])) << "element " << i;
}

TEST(PlannerSumOfProducts, NotWhenAProductIsFedUsedTwiceOrNotTransposedAsAGradient) {
  vs::Graph g;
  const Terms t = build_terms(g, {2, 2}, 3, 4);
  // A fed product is a value, not a product to fold.
  vs::FeedDict feeds = t.feeds;
  feeds.emplace_back(t.products[1], integers(vs::Shape{3, 4}, 9));
  d::Plan plan = plan_of(g, {t.sum}, feeds);
  EXPECT_EQ(folded_sums(plan), 0);
  EXPECT_EQ(count_kind(plan, d::OpKind::kMatMul), 1);
  // A product with a second consumer.
  const vs::Tensor twice = t.products[0] * 2.0f;
  plan = plan_of(g, {t.sum, twice}, t.feeds);
  EXPECT_EQ(folded_sums(plan), 0);
  // A product not of the form x^T dy.
  const vs::Tensor plain = vs::matmul(t.xs[0], t.dys[0], {.transpose_a = true});
  const vs::Tensor other = vs::matmul(t.xs[1], t.dys[0], {.transpose_a = true});
  const vs::Tensor nt =
      vs::matmul(t.xs[0], vs::transpose(t.dys[1]), {.transpose_a = true, .transpose_b = true});
  plan = plan_of(g, {vs::add_n({plain, nt})}, t.feeds);
  EXPECT_EQ(folded_sums(plan), 0);
  plan = plan_of(g, {vs::add_n({plain, other})}, t.feeds);
  EXPECT_EQ(folded_sums(plan), 1);
}

TEST(PlannerSumOfProducts, ASharedWeightsGradientIsFoldedAndTrainsAsUnfolded) {
  // y_t = x_t W for three steps: dW = sum_t x_t^T dy_t, TF's AddN of MatMul_1 nodes.
  vs::Graph g;
  vs::Variable w = g.variable(vs::HostTensor(integers(vs::Shape{4, 5}, 3)), {.name = "w"});
  std::vector<vs::Tensor> xs, ys;
  vs::FeedDict feeds;
  for (int step = 0; step < 3; ++step) {
    xs.push_back(vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 4}));
    feeds.emplace_back(xs.back(), integers(vs::Shape{2, 4}, step));
    ys.push_back(vs::matmul(xs.back(), w.value()) * static_cast<float>(step + 1));
  }
  const vs::Tensor loss = vs::reduce_sum(vs::add_n(ys));
  // The optimizers' default gating: each product reaches the AddN through an Identity.
  const vs::Tensor dw = vs::gradients({loss}, {w.value()}, {}, "gradients", true).at(0);
  EXPECT_EQ(dw.op().type(), "AddN");
  EXPECT_EQ(dw.op().input(0).op().type(), "Identity");
  EXPECT_EQ(folded_sums(plan_of(g, {dw}, feeds)), 1);

  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  sess.run(g.global_variables_initializer());
  const std::vector<float> folded = values(sess.run(dw, feeds));
  const std::vector<vs::Tensor> intermediates{dw, dw.op().input(0).op().input(0)};
  EXPECT_EQ(folded_sums(plan_of(g, intermediates, feeds)), 0);
  EXPECT_EQ(folded, values(sess.run(intermediates, feeds).at(0)));
}

TEST(PlannerSumOfProducts, NotAcrossAVariableWrite) {
  // x^T dy where x is a variable's read: the plan runs the first product before the Assign
  // that the second product's input waits for, so the products cannot move to the AddN (the
  // first would read the assigned value).
  vs::Graph g;
  const vs::HostTensor old_w = integers(vs::Shape{2, 3}, 1), new_w = integers(vs::Shape{2, 3}, 5);
  vs::Variable w = g.variable(old_w, {.name = "w"});
  const vs::Tensor dy = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 4});
  const vs::Tensor before = vs::matmul(w.value(), dy, {.transpose_a = true});
  const vs::Tensor assign = vs::assign(w, new_w);
  vs::Tensor after_dy;
  {
    const auto deps = g.control_dependencies(std::vector<vs::Operation>{assign.op()});
    after_dy = vs::identity(dy);
  }
  const vs::Tensor after = vs::matmul(w.value(), after_dy, {.transpose_a = true});
  // The plan walks an op's inputs last to first: `before` runs first.
  const vs::Tensor sum = vs::add_n({after, before});
  const vs::HostTensor dy_value = integers(vs::Shape{2, 4}, 2);
  const vs::FeedDict feeds{{dy, dy_value}};
  EXPECT_EQ(folded_sums(plan_of(g, {sum}, feeds)), 0);
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  sess.run(g.global_variables_initializer());
  const std::vector<float> got = values(sess.run(sum, feeds));
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 4; ++j) {
      float expect = 0.0f;
      for (int r = 0; r < 2; ++r)
        expect += (old_w.data<float>()[r * 3 + i] + new_w.data<float>()[r * 3 + i]) *
                  dy_value.data<float>()[r * 4 + j];
      EXPECT_EQ(got[static_cast<std::size_t>(i * 4 + j)], expect) << i << ", " << j;
    }
  }
}

class PlannerSumOfProductsGpu : public vs::testing::GpuTest {};

TEST_F(PlannerSumOfProductsGpu, TheFoldedSumOnTheGpuIsTheCpusSum) {
  vs::Graph g;
  const Terms t = build_terms(g, {3, 1, 5, 2}, 6, 70);
  vs::Session cpu(g, {.device = vs::DeviceKind::kCpu});
  vs::Session gpu(g, {.device = vs::DeviceKind::kCuda});
  EXPECT_EQ(values(gpu.run(t.sum, t.feeds)), values(cpu.run(t.sum, t.feeds)));
}

}  // namespace
