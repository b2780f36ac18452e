// Training against TF 1.15 (issue 28): programs recorded with real TF
// (tools/tf115/make_training_goldens.py -> tests/golden/training_tf115.json) give TF's
// names, errors and values here, on the CPU and (Gpu*) on the GPU. Optimizers: a call
// that fails and the one after it (item 1), two optimizers on one variable (2), the slot's
// store key (3), the no-gradient and dtype errors (10).
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <string>
#include <vector>

#include "gpu_test.h"
#include "test_util.h"
#include "tf115_golden.h"

namespace vs = varscope;
using vs::testing::tf115;

namespace {

// Item 1: after any failed optimizer call, minimize trains to TF's values: the optimizer
// forgets the failed call's slots and beta powers when the graph takes them back, never
// keeping handles whose ids the graph hands out again.
void failed_call_then_train(vs::DeviceKind device) {
  for (const nlohmann::json& c : tf115()["failed_then_train"]) {
    const std::string kind = c["kind"], mode = c["mode"];
    const std::string what = kind + " " + std::string(c["dtype"]) + " " + mode;
    const vs::DType dtype = vs::testing::dtype_named(c["dtype"]);
    vs::testing::Base b(dtype);
    auto opt = vs::testing::make_optimizer(kind);
    // bad_name: compute_gradients succeeds (its ops stay), apply_gradients fails.
    std::vector<vs::train::GradAndVar> grads;
    if (mode == "bad_name") grads = opt->compute_gradients(b.loss);
    const std::size_t ops_before = b.g.num_operations();
    auto failing = [&] {
      if (mode == "reuse_scope") {
        auto in_r = b.g.variable_scope("r", {.reuse = vs::Reuse::kTrue});
        return opt->minimize(b.loss);
      }
      return opt->apply_gradients(grads, {}, "bad name!");
    };
    if (c["error"].is_null()) {  // GradientDescent makes no slot: TF's call succeeds too
      failing();
    } else {
      EXPECT_EQ(vs::testing::error_of<vs::ValueError>(failing), std::string(c["error"])) << what;
      EXPECT_EQ(b.g.num_operations(), ops_before) << what;
      for (const std::string& s : vs::testing::slot_names(kind))
        EXPECT_FALSE(opt->get_slot(b.w, s).valid()) << what;
    }
    const vs::Operation op = opt->minimize(b.loss);
    EXPECT_EQ(op.name(), std::string(c["train_op"])) << what;
    std::vector<std::string> slots;
    for (const std::string& s : vs::testing::slot_names(kind))
      slots.push_back(opt->get_slot(b.w, s).name());
    EXPECT_EQ(slots, c["slots"].get<std::vector<std::string>>()) << what;
    if (kind == "adam") {  // TF keeps the failed call's r/beta1_power; varscope rolled it back
      EXPECT_EQ(b.g.get_tensor_by_name("beta1_power:0").dtype(), vs::DType::kFloat32) << what;
      EXPECT_EQ(b.g.get_tensor_by_name("beta2_power:0").dtype(), vs::DType::kFloat32) << what;
    }
    const auto got = vs::testing::train_steps(b.g, b.loss, b.w, {op}, device);
    vs::testing::expect_close(got.losses, c["losses"], dtype, what + " losses");
    vs::testing::expect_close(got.w, c["w"], dtype, what + " w");
  }
}

// Item 2: a second optimizer of the same kind on the same variable gets its own slots
// (w/Momentum_1; w/Adam_2, w/Adam_3, beta1_power_1, beta2_power_1).
void two_optimizers(vs::DeviceKind device) {
  for (const nlohmann::json& c : tf115()["two_optimizers"]) {
    const std::string kind = c["kind"];
    const std::string what = kind + " " + std::string(c["dtype"]);
    const vs::DType dtype = vs::testing::dtype_named(c["dtype"]);
    vs::testing::Base b(dtype);
    auto first = vs::testing::make_optimizer(kind);
    auto second = vs::testing::make_optimizer(kind);
    const vs::Operation ta = first->minimize(b.loss);
    const vs::Operation tb = second->minimize(b.loss);
    EXPECT_EQ((std::vector<std::string>{ta.name(), tb.name()}),
              c["train_ops"].get<std::vector<std::string>>())
        << what;
    EXPECT_EQ(vs::testing::Names(b.g.global_variables()),
              c["globals"].get<std::vector<std::string>>())
        << what;
    std::vector<std::string> slots;
    for (const std::string& s : vs::testing::slot_names(kind))
      slots.push_back(second->get_slot(b.w, s).name());
    EXPECT_EQ(slots, c["slots_b"].get<std::vector<std::string>>()) << what;
    const auto got = vs::testing::train_steps(b.g, b.loss, b.w, {ta, tb}, device);
    vs::testing::expect_close(got.losses, c["losses"], dtype, what + " losses");
    vs::testing::expect_close(got.w, c["w"], dtype, what + " w");
  }
}

}  // namespace

TEST(TfTraining, FailedOptimizerCallThenMinimizeTrainsAsTf) {
  failed_call_then_train(vs::DeviceKind::kCpu);
}

TEST(TfTraining, TwoOptimizersOnOneVariableAsTf) {
  two_optimizers(vs::DeviceKind::kCpu);
}

// The program: Adam's minimize fails under reuse=True, then succeeds outside; the
// beta powers are made again and the first step gives TF's loss (0.163..., not 0.0075).
TEST(TfTraining, AdamAfterAFailedMinimizeHasItsOwnBetaPowers) {
  vs::testing::Base b(vs::DType::kFloat32);
  vs::train::AdamOptimizer adam(0.1);
  {
    auto in_r = b.g.variable_scope("r", {.reuse = vs::Reuse::kTrue});
    EXPECT_THROW(adam.minimize(b.loss), vs::ValueError);
  }
  const vs::Operation op = adam.minimize(b.loss);
  EXPECT_EQ(vs::testing::Names(b.g.global_variables()),
            (std::vector<std::string>{"w:0", "beta1_power:0", "beta2_power:0", "w/Adam:0",
                                      "w/Adam_1:0"}));
  vs::Session sess(b.g, {.device = vs::DeviceKind::kCpu});
  sess.run(b.g.global_variables_initializer());
  sess.run(op);
  EXPECT_NEAR(sess.run(b.g.get_tensor_by_name("beta1_power:0")).element_as_double(0), 0.81, 1e-6);
  EXPECT_EQ(sess.run(adam.get_slot(b.w, "m")).shape(), (vs::Shape{3, 2}));
}

// Item 3: a slot's store key is "<var>/<Opt>/" (TF's get_variable("") in the slot's
// scope), so "<var>/<Opt>" is free for a new variable, which TF names "<var>/<Opt>_2".
TEST(TfTraining, SlotStoreKeyEndsWithASlash) {
  for (const nlohmann::json& c : tf115()["slot_key"]) {
    const std::string kind = c["kind"];
    vs::testing::Base b(vs::DType::kFloat32);
    auto opt = vs::testing::make_optimizer(kind);
    opt->minimize(b.loss);
    const vs::Variable slot = opt->get_slot(b.w, vs::testing::slot_names(kind).front());
    const std::string key = slot.op_name();
    {
      auto reuse = b.g.variable_scope("", {.reuse = vs::Reuse::kTrue});
      const std::string err = vs::testing::error_of<vs::ValueError>([&] { b.g.get_variable(key); });
      EXPECT_EQ(err.substr(0, err.find('\n')), std::string(c["reuse_plain_error"])) << kind;
      EXPECT_EQ(b.g.get_variable(key + "/") == slot, c["reuse_with_slash_is_slot"].get<bool>())
          << kind;
    }
    EXPECT_EQ(b.g.get_variable(key, {.shape = vs::Shape{3, 2}}).name(),
              std::string(c["new_variable"]))
        << kind;
  }
}

// Item 10: minimize and apply_gradients each have TF's own no-gradient text; an integer
// loss names its tensor and TF 1.15's list of float types.
TEST(TfTraining, OptimizerErrorTextsAsTf) {
  for (const nlohmann::json& c : tf115()["errors"]) {
    const std::string kind = c["kind"];
    vs::testing::Base b(vs::DType::kFloat32);
    const vs::Variable u = b.g.get_variable("u", {.shape = vs::Shape{2}});
    auto opt = vs::testing::make_optimizer(kind);
    const std::size_t before = b.g.num_operations();
    EXPECT_EQ(vs::testing::error_of<vs::ValueError>([&] { opt->minimize(b.loss, {}, {u}); }),
              std::string(c["minimize_no_gradients"]))
        << kind;
    EXPECT_EQ(vs::testing::error_of<vs::ValueError>([&] {
                opt->apply_gradients({{vs::Tensor(), u}});
              }),
              std::string(c["apply_no_gradients"]))
        << kind;
    EXPECT_EQ(b.g.num_operations(), before) << kind;
    const vs::Tensor int_loss = vs::cast(b.loss, vs::DType::kInt32);
    EXPECT_EQ(vs::testing::error_of<vs::ValueError>([&] { opt->minimize(int_loss); }),
              std::string(c["int_loss"]))
        << kind;
  }
}

class GpuTfTraining : public vs::testing::GpuTest {};

TEST_F(GpuTfTraining, FailedOptimizerCallThenMinimizeTrainsAsTf) {
  failed_call_then_train(vs::DeviceKind::kCuda);
}

TEST_F(GpuTfTraining, TwoOptimizersOnOneVariableAsTf) {
  two_optimizers(vs::DeviceKind::kCuda);
}
