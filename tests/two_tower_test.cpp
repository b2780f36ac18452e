// The two-tower example: shared weights (one allocation each) and outputs equal to a
// naive double-precision forward pass over the fetched weights.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "backend_test.h"
#include "two_tower_model.h"
#include "varscope/varscope.h"

namespace vs = varscope;

namespace {

// y = x W + b (and relu), row-major, in double.
std::vector<double> dense_reference(const std::vector<double>& x,
                                    std::int64_t rows,
                                    std::int64_t in,
                                    const vs::HostTensor& w,
                                    const vs::HostTensor& b,
                                    bool relu) {
  const std::int64_t out = w.shape().dim(1);
  std::vector<double> y(static_cast<std::size_t>(rows * out));
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t o = 0; o < out; ++o) {
      double acc = b.element_as_double(o);
      for (std::int64_t i = 0; i < in; ++i)
        acc += x[static_cast<std::size_t>(r * in + i)] * w.element_as_double(i * out + o);
      y[static_cast<std::size_t>(r * out + o)] = relu ? std::max(acc, 0.0) : acc;
    }
  }
  return y;
}

class TwoTower : public vs::testing::BackendTest {};

TEST_P(TwoTower, BothTowersReadOneAllocationPerWeightAndMatchTheReference) {
  vs::Graph g;
  g.set_random_seed(11);
  const examples::TwoTowers towers = examples::two_towers(g);
  const examples::Tower& a = towers.a;
  const examples::Tower& b = towers.b;

  ASSERT_EQ(g.trainable_variables().size(), 4u);
  EXPECT_EQ(a.output.name(), "tower/layer2/BiasAdd:0");
  EXPECT_EQ(b.output.name(), "tower_1/layer2/BiasAdd:0");
  EXPECT_EQ(a.variables[0].name(), "tower/layer1/kernel:0");
  for (std::size_t i = 0; i < 4; ++i)
    EXPECT_TRUE(a.variables[i] == b.variables[i]);

  vs::Session sess(g, options());
  sess.run(g.global_variables_initializer());
  for (std::size_t i = 0; i < 4; ++i)
    EXPECT_EQ(sess.data_ptr(a.variables[i]), sess.data_ptr(b.variables[i]));

  examples::NormalSamples normal(3);
  const std::vector<float> q = normal.take(5 * 8);
  const std::vector<float> it = normal.take(3 * 8);
  auto out = sess.run({a.output, b.output}, {{towers.query, vs::HostTensor(q, vs::Shape{5, 8})},
                                             {towers.item, vs::HostTensor(it, vs::Shape{3, 8})}});

  std::vector<vs::HostTensor> w;
  for (const vs::Variable& v : a.variables)
    w.push_back(sess.run(v));
  auto forward = [&](const std::vector<float>& x, std::int64_t rows) {
    std::vector<double> xd(x.begin(), x.end());
    std::vector<double> h = dense_reference(xd, rows, 8, w[0], w[1], true);
    return dense_reference(h, rows, 16, w[2], w[3], false);
  };
  const std::vector<double> ref_a = forward(q, 5);
  const std::vector<double> ref_b = forward(it, 3);
  ASSERT_EQ(out[0].shape(), (vs::Shape{5, 4}));
  ASSERT_EQ(out[1].shape(), (vs::Shape{3, 4}));
  double worst = 0;
  for (std::size_t i = 0; i < ref_a.size(); ++i)
    worst = std::max(worst,
                     std::abs(out[0].element_as_double(static_cast<std::int64_t>(i)) - ref_a[i]));
  for (std::size_t i = 0; i < ref_b.size(); ++i)
    worst = std::max(worst,
                     std::abs(out[1].element_as_double(static_cast<std::int64_t>(i)) - ref_b[i]));
  EXPECT_LT(worst, 1e-5);
  // Not a degenerate network: outputs vary.
  EXPECT_NE(out[0].element_as_double(0), out[0].element_as_double(1));
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(TwoTower);

}  // namespace
