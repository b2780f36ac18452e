// Optimizers (issue 18): each update against a scalar reference of TF's formula
// (training_ops.cc), TF1's slot / non-slot / op names and collections, the global step,
// and the CPU/GPU parity of the fused updates.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gpu_test.h"
#include "test_util.h"

namespace vs = varscope;

namespace {

const std::vector<double> kInit = {0.5, -1.25, 2.0, 0.0, -0.75};
const std::vector<double> kC = {1.0, 0.5, -2.0, 3.0, 0.25};

struct Problem {
  vs::Graph g;
  vs::Variable w;
  vs::Tensor loss;
};

// loss = sum(c * w^2): d loss / d w = c * (w * 2), which changes every step.
void build(Problem& p) {
  p.w = p.g.get_variable("w", {.shape = vs::Shape{5},
                               .dtype = vs::DType::kFloat64,
                               .initializer = vs::constant_initializer(kInit)});
  vs::Tensor c = vs::constant(p.g, vs::HostTensor(kC, vs::Shape{5}));
  p.loss = vs::reduce_sum(vs::square(p.w) * c);
}

std::vector<double> run_steps(Problem& p,
                              vs::train::Optimizer& opt,
                              int steps,
                              vs::DeviceKind device = vs::DeviceKind::kCpu) {
  vs::Operation train_op = opt.minimize(p.loss);
  vs::Session sess(p.g, {.device = device});
  sess.run(p.g.global_variables_initializer());
  for (int i = 0; i < steps; ++i)
    sess.run(train_op);
  const vs::HostTensor w = sess.run(p.w);
  return {w.data<double>().begin(), w.data<double>().end()};
}

double f32(double v) {
  return static_cast<double>(static_cast<float>(v));
}

}  // namespace

TEST(Optimizers, GradientDescentMatchesItsFormula) {
  Problem p;
  build(p);
  vs::train::GradientDescentOptimizer opt(0.1);
  const std::vector<double> got = run_steps(p, opt, 3);
  std::vector<double> w = kInit;
  for (int s = 0; s < 3; ++s) {
    for (std::size_t i = 0; i < w.size(); ++i)
      w[i] -= f32(0.1) * (kC[i] * (w[i] * 2.0));
  }
  for (std::size_t i = 0; i < w.size(); ++i)
    EXPECT_EQ(got[i], w[i]) << i;
}

TEST(Optimizers, MomentumAndNesterovMatchTheirFormulas) {
  for (bool nesterov : {false, true}) {
    Problem p;
    build(p);
    vs::train::MomentumOptimizer opt(0.05, 0.9, nesterov);
    const std::vector<double> got = run_steps(p, opt, 4);
    std::vector<double> w = kInit, accum(5, 0.0);
    const double lr = f32(0.05), mom = f32(0.9);
    for (int s = 0; s < 4; ++s) {
      for (std::size_t i = 0; i < w.size(); ++i) {
        const double g = kC[i] * (w[i] * 2.0);
        accum[i] = accum[i] * mom + g;
        w[i] -= nesterov ? g * lr + accum[i] * mom * lr : accum[i] * lr;
      }
    }
    for (std::size_t i = 0; i < w.size(); ++i)
      EXPECT_EQ(got[i], w[i]) << "nesterov " << nesterov << " element " << i;
  }
}

TEST(Optimizers, AdamMatchesTfsApplyAdam) {
  Problem p;
  build(p);
  vs::train::AdamOptimizer opt(0.01);
  const std::vector<double> got = run_steps(p, opt, 5);
  std::vector<double> w = kInit, m(5, 0.0), v(5, 0.0);
  const double lr = f32(0.01), b1 = f32(0.9), b2 = f32(0.999), eps = f32(1e-8);
  float b1p = 0.9f, b2p = 0.999f;  // float32 variables, as TF's
  for (int s = 0; s < 5; ++s) {
    const double alpha = lr * std::sqrt(1.0 - double{b2p}) / (1.0 - double{b1p});
    for (std::size_t i = 0; i < w.size(); ++i) {
      const double g = kC[i] * (w[i] * 2.0);
      m[i] = m[i] + (g - m[i]) * (1.0 - b1);
      v[i] = v[i] + (g * g - v[i]) * (1.0 - b2);
      w[i] -= (m[i] * alpha) / (std::sqrt(v[i]) + eps);
    }
    b1p = b1p * 0.9f;
    b2p = b2p * 0.999f;
  }
  for (std::size_t i = 0; i < w.size(); ++i)
    EXPECT_EQ(got[i], w[i]) << i;
}

TEST(Optimizers, TfNamesSlotsAndCollections) {
  vs::Graph g;
  auto x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 2}, "x");
  vs::Variable w = g.get_variable("w", {.shape = vs::Shape{2, 1}});
  vs::Tensor loss = vs::reduce_mean(vs::square(vs::matmul(x, w)));
  vs::Variable step = vs::train::get_or_create_global_step(g);
  EXPECT_EQ(step.name(), "global_step:0");
  EXPECT_EQ(step.dtype(), vs::DType::kInt64);
  EXPECT_EQ(step.shape(), vs::Shape{});
  EXPECT_FALSE(step.trainable());
  EXPECT_EQ(vs::train::get_or_create_global_step(g), step);
  EXPECT_EQ(vs::train::get_global_step(g), step);
  EXPECT_EQ(vs::testing::Names(g.get_collection(vs::train::kGlobalStepKey)),
            std::vector<std::string>{"global_step:0"});

  vs::train::MomentumOptimizer momentum(0.1, 0.9);
  vs::Operation m_op = momentum.minimize(loss);
  EXPECT_EQ(m_op.name(), "Momentum");
  EXPECT_EQ(momentum.get_slot(w, "momentum").name(), "w/Momentum:0");
  EXPECT_EQ(g.get_operation_by_name("Momentum/update_w/ApplyMomentum").type(), "ApplyMomentum");

  vs::train::GradientDescentOptimizer sgd(0.1);
  EXPECT_EQ(sgd.minimize(loss).name(), "GradientDescent");

  vs::train::AdamOptimizer adam(0.01);
  vs::Operation a_op = adam.minimize(loss, step);
  EXPECT_EQ(a_op.name(), "Adam");
  EXPECT_EQ(a_op.type(), "AssignAdd");
  EXPECT_EQ(g.get_operation_by_name("Adam/update_w/ApplyAdam").type(), "ApplyAdam");
  EXPECT_EQ(g.get_operation_by_name("Adam/update").type(), "NoOp");
  EXPECT_EQ(adam.get_slot(w, "m").name(), "w/Adam:0");
  EXPECT_EQ(adam.get_slot(w, "v").name(), "w/Adam_1:0");
  EXPECT_EQ(vs::testing::Names(g.global_variables()),
            (std::vector<std::string>{"w:0", "global_step:0", "w/Momentum:0", "beta1_power:0",
                                      "beta2_power:0", "w/Adam:0", "w/Adam_1:0"}));
  EXPECT_EQ(vs::testing::Names(g.trainable_variables()), std::vector<std::string>{"w:0"});

  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  sess.run(g.global_variables_initializer());
  const vs::FeedDict feeds{{x, vs::HostTensor(std::vector<float>{1, 2, 3, 4}, {2, 2})}};
  sess.run(a_op, feeds);
  sess.run(a_op, feeds);
  EXPECT_EQ(sess.run(step).element_as_double(0), 2.0);
  EXPECT_FLOAT_EQ(
      static_cast<float>(sess.run(g.get_tensor_by_name("beta1_power:0")).element_as_double(0)),
      0.9f * 0.9f * 0.9f);
}

TEST(Optimizers, NoGradientIsAValueErrorAndTheGraphIsUnchanged) {
  vs::Graph g;
  auto x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2}, "x");
  vs::Variable w = g.get_variable("w", {.shape = vs::Shape{2}});
  vs::Tensor loss = vs::reduce_sum(vs::square(x));
  const std::size_t before = g.num_operations();
  vs::train::AdamOptimizer adam;
  EXPECT_THROW(adam.minimize(loss, {}, {w}), vs::ValueError);
  EXPECT_EQ(g.num_operations(), before);
  EXPECT_EQ(g.global_variables().size(), 1u);
}

// A call that fails after creating slots takes them back out of the graph and the
// optimizer: the next call makes them again, with the same names.
TEST(Optimizers, FailedApplyForgetsItsSlots) {
  Problem p;
  build(p);
  vs::train::AdamOptimizer adam(0.01);
  const auto grads = adam.compute_gradients(p.loss);
  const std::size_t before = p.g.num_operations();
  EXPECT_THROW(adam.apply_gradients(grads, {}, "bad name!"), vs::ValueError);
  EXPECT_EQ(p.g.num_operations(), before);
  EXPECT_EQ(p.g.global_variables().size(), 1u);
  EXPECT_FALSE(adam.get_slot(p.w, "m").valid());
  vs::Operation op = adam.apply_gradients(grads);
  EXPECT_EQ(op.name(), "Adam");
  EXPECT_EQ(vs::testing::Names(p.g.global_variables()),
            (std::vector<std::string>{"w:0", "beta1_power:0", "beta2_power:0", "w/Adam:0",
                                      "w/Adam_1:0"}));
  vs::Session sess(p.g, {.device = vs::DeviceKind::kCpu});
  sess.run(p.g.global_variables_initializer());
  sess.run(op);
  EXPECT_NE(sess.run(p.w).element_as_double(0), kInit[0]);
}

class GpuOptimizers : public vs::testing::GpuTest {};

// The fused updates are +, -, *, /, sqrt only: the GPU gives the CPU's bits.
TEST_F(GpuOptimizers, UpdatesAreBitIdenticalToTheCpu) {
  std::vector<std::function<std::unique_ptr<vs::train::Optimizer>()>> makers = {
      [] { return std::make_unique<vs::train::GradientDescentOptimizer>(0.1); },
      [] { return std::make_unique<vs::train::MomentumOptimizer>(0.05, 0.9, true); },
      [] { return std::make_unique<vs::train::AdamOptimizer>(0.01); }};
  for (auto& make : makers) {
    Problem cpu, gpu;
    build(cpu);
    build(gpu);
    auto a = make();
    auto b = make();
    const std::vector<double> on_cpu = run_steps(cpu, *a, 5, vs::DeviceKind::kCpu);
    const std::vector<double> on_gpu = run_steps(gpu, *b, 5, vs::DeviceKind::kCuda);
    EXPECT_EQ(on_cpu, on_gpu) << a->name();
  }
}
