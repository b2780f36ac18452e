// Towers on two CPU devices (issue 27, examples/towers_model.cpp: TF's
// cifar10_multi_gpu_train pattern) train to bit-identical variables — slots, beta powers and
// the global step included — as the same towers on one device, and as the two-device graph
// run on a one-device session with soft placement; the towers' ops run on their devices and
// the shared variables, their slots and updates on /cpu:0.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "towers_model.h"

namespace vs = varscope;

namespace {

const std::string kCpu0 = "/job:localhost/replica:0/task:0/device:CPU:0";
const std::string kCpu1 = "/job:localhost/replica:0/task:0/device:CPU:1";

struct Result {
  std::vector<std::string> names;
  std::vector<vs::HostTensor> values;
  float loss = 0;
};

Result train(const std::vector<std::string>& devices, vs::SessionOptions options) {
  vs::Graph g;
  g.set_random_seed(5);
  const examples::Towers t = examples::build_towers(g, devices);
  std::mt19937 rng(11);
  std::normal_distribution<float> normal;
  std::vector<float> x(16 * 8), y(16);
  for (float& v : x)
    v = normal(rng);
  for (float& v : y)
    v = normal(rng);
  const vs::FeedDict feeds{{t.x, vs::HostTensor(x, vs::Shape{16, 8})},
                           {t.y, vs::HostTensor(y, vs::Shape{16, 1})}};
  options.device = vs::DeviceKind::kCpu;
  vs::Session sess(g, options);
  sess.run(g.global_variables_initializer());
  for (int i = 0; i < 20; ++i)
    sess.run({}, feeds, {t.train});
  Result r;
  r.loss = sess.run(t.loss, feeds).data<float>()[0];
  for (const vs::Variable& v : g.global_variables()) {
    r.names.push_back(v.name());
    r.values.push_back(sess.run(v));
  }
  return r;
}

void expect_identical(const Result& a, const Result& b) {
  ASSERT_EQ(a.names, b.names);
  EXPECT_EQ(a.loss, b.loss);
  for (std::size_t i = 0; i < a.values.size(); ++i) {
    ASSERT_EQ(a.values[i].nbytes(), b.values[i].nbytes()) << a.names[i];
    EXPECT_EQ(std::memcmp(a.values[i].raw_data(), b.values[i].raw_data(), a.values[i].nbytes()), 0)
        << a.names[i];
  }
}

TEST(Towers, TwoCpuDevicesMatchOneDeviceExactly) {
  const Result two = train({"/cpu:0", "/cpu:1"}, {.device_count = {{"CPU", 2}}});
  const Result one = train({"/cpu:0", "/cpu:0"}, {});
  // Adam's slots, the beta powers and the global step are among the global variables.
  EXPECT_EQ(two.names.size(), 4u + 8u + 2u + 1u);
  expect_identical(two, one);
  const Result soft = train({"/cpu:0", "/cpu:1"}, {.allow_soft_placement = true});
  expect_identical(two, soft);
}

TEST(Towers, EachTowerRunsOnItsDeviceAndTheVariablesOnCpu0) {
  vs::Graph g;
  const examples::Towers t = examples::build_towers(g, {"/cpu:0", "/cpu:1"});
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu, .device_count = {{"CPU", 2}}});
  const auto on = [&](const char* name) {
    return sess.assigned_device(g.get_operation_by_name(name));
  };
  EXPECT_EQ(on("tower_0/dense1/MatMul"), kCpu0);
  EXPECT_EQ(on("tower_1/dense1/MatMul"), kCpu1);
  EXPECT_EQ(on("tower_1/gradients/tower_1/dense1/MatMul_grad/MatMul_1"), kCpu1);
  EXPECT_EQ(on("dense1/kernel"), kCpu0);
  EXPECT_EQ(on("dense1/kernel/read"), kCpu0);
  EXPECT_EQ(on("dense1/kernel/Adam"), kCpu0);
  EXPECT_EQ(on("Adam/update_dense1/kernel/ApplyAdam"), kCpu0);
  // The shared variables were made once, by tower 0.
  EXPECT_EQ(t.variables.size(), 4u);
  EXPECT_EQ(g.get_operation_by_name("tower_1/dense1/MatMul").input(1).name(),
            "dense1/kernel/read:0");
}

}  // namespace
