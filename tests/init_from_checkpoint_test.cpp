// tf.compat.v1.train.init_from_checkpoint: TF 1.15's assignment-map rules and ValueError
// texts, on the checkpoint TF 1.15 trained (tests/data/tf_checkpoints/adam); the variables'
// initializers then assign the checkpoint's values; a failed call leaves the graph as it was.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;

namespace {

using vs::testing::error_of;

const std::string kDir = std::string(VARSCOPE_TEST_DATA_DIR) + "/tf_checkpoints/adam";
const std::string kCkpt = kDir + "/model.ckpt-3";

struct Model {
  vs::Graph g;
  vs::Variable k1, b1, k2, extra;
  explicit Model(const std::string& top = "new") {
    auto t = g.variable_scope(top);
    {
      auto d = g.variable_scope("dense1");
      k1 = g.get_variable("kernel", {.shape = vs::Shape{3, 4}});
      b1 = g.get_variable("bias", {.shape = vs::Shape{4}});
    }
    auto d = g.variable_scope("dense2");
    k2 = g.get_variable("kernel", {.shape = vs::Shape{4, 2}});
  }
};

vs::HostTensor ckpt(const std::string& name) {
  return vs::train::load_checkpoint(kCkpt).get_tensor(name);
}

TEST(InitFromCheckpoint, ScopeToScope) {
  Model m;
  vs::train::init_from_checkpoint(m.g, kDir, {{"model/", "new/"}});
  // In sorted order, as TF: new/dense1/bias, new/dense1/kernel, new/dense2/kernel.
  EXPECT_EQ(m.b1.initializer().name(), "Assign");
  EXPECT_EQ(m.k1.initializer().name(), "Assign_1");
  EXPECT_EQ(m.k1.initial_value().name(), "checkpoint_initializer_1:0");
  EXPECT_EQ(m.k2.initial_value().name(), "checkpoint_initializer_2:0");
  vs::Session s(m.g);
  s.run(m.g.global_variables_initializer());
  EXPECT_EQ(s.run(m.k1), ckpt("model/dense1/kernel"));
  EXPECT_EQ(s.run(m.b1), ckpt("model/dense1/bias"));
  EXPECT_EQ(s.run(m.k2), ckpt("model/dense2/kernel"));
}

TEST(InitFromCheckpoint, OneVariableByNameOrHandleAndTheRoot) {
  Model m;
  vs::Variable beta;
  {
    auto x = m.g.variable_scope("x");
    beta = m.g.get_variable("beta1_power", {.shape = vs::Shape{}});
  }
  vs::train::init_from_checkpoint(
      m.g, kCkpt,
      {{"model/dense2/kernel", "new/dense2/kernel"}, {"model/dense1/bias", m.b1}, {"/", "x/"}});
  vs::Session s(m.g);
  s.run(m.g.global_variables_initializer());
  EXPECT_EQ(s.run(m.k2), ckpt("model/dense2/kernel"));
  EXPECT_EQ(s.run(m.b1), ckpt("model/dense1/bias"));
  EXPECT_EQ(s.run(beta), ckpt("beta1_power"));
  EXPECT_NE(s.run(m.k1), ckpt("model/dense1/kernel"));  // not mapped: its own initializer
}

TEST(InitFromCheckpoint, TensorFlowsErrorsAndNoPartialChange) {
  Model m;
  const std::size_t ops = m.g.num_operations();
  // The first entry (sorted) is fine, the second fails: nothing of the first stays.
  EXPECT_EQ(
      error_of<vs::ValueError>([&] {
        vs::train::init_from_checkpoint(
            m.g, kCkpt, {{"model/dense1/bias", "new/dense1/bias"}, {"nope", "new/dense2/kernel"}});
      }).rfind("Tensor nope is not found in " + kCkpt + " checkpoint {'beta1_power': [], ", 0),
      0u);
  EXPECT_EQ(m.g.num_operations(), ops);
  EXPECT_EQ(m.b1.initializer().name(), "new/dense1/bias/Assign");
  EXPECT_EQ(
      error_of<vs::ValueError>([&] {
        vs::train::init_from_checkpoint(m.g, kCkpt, {{"model/dense1/bias", "new/dense1/kernel"}});
      }),
      "Shape of variable new/dense1/kernel:0 ((3, 4)) doesn't match with shape of tensor "
      "model/dense1/bias ([4]) from checkpoint reader.");
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              vs::train::init_from_checkpoint(m.g, kCkpt, {{"model/dense1", "new/dense1/"}});
            }),
            "Assignment map with scope only name new/dense1 should map to scope only model/dense1. "
            "Should be 'scope/': 'other_scope/'.");
  EXPECT_EQ(
      error_of<vs::ValueError>([&] {
        vs::train::init_from_checkpoint(m.g, kCkpt, {{"model/dense3/", "new/dense1/"}});
      }),
      "Tensor model/dense3/bias (bias in model/dense3/) is not found in " + kCkpt + " checkpoint");
  EXPECT_EQ(m.g.num_operations(), ops);
}

}  // namespace
