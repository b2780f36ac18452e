// Gradient gating as TF 1.15 builds it (tests/golden/gating_tf115.json, written by hand with
// tools/tf115/make_gating_goldens.py): the optimizers' GATE_OP default names an op's input
// gradients "gradients/<op>_grad/tuple/control_dependency_N", GATE_GRAPH gates all of them in
// one "tuple", tf.gradients gates only when asked; and gating changes no value.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "test_util.h"

namespace vs = varscope;
using Gate = vs::train::Optimizer::Gate;

namespace {

const nlohmann::json& golden() {
  static const nlohmann::json g = [] {
    std::ifstream in(std::string(VARSCOPE_GOLDEN_DIR) + "/gating_tf115.json");
    if (!in) throw std::runtime_error("cannot read tests/golden/gating_tf115.json");
    return nlohmann::json::parse(in);
  }();
  return g;
}

// The golden's model: sum(relu(bias_add(x @ w, b))^2).
struct Model {
  vs::Graph g;
  vs::Variable w, b;
  vs::Tensor loss;
  Model() {
    const vs::Tensor x =
        vs::constant(g,
                     vs::HostTensor({0.5, -1.0, 2.0, 1.5, 0.25, -0.5}, vs::Shape{2, 3})
                         .cast(vs::DType::kFloat32),
                     {.name = "x"});
    w = g.get_variable("w",
                       {.shape = vs::Shape{3, 2}, .initializer = vs::constant_initializer(0.1)});
    b = g.get_variable("b", {.shape = vs::Shape{2}, .initializer = vs::zeros_initializer()});
    const vs::Tensor h = vs::relu(vs::bias_add(vs::matmul(x, w), b));
    loss = vs::reduce_sum(vs::square(h));
  }
};

// [name, type, [inputs], [control inputs]] of every node in a "tuple/" scope made from node
// `first` on, as the golden lists them.
nlohmann::json gating_nodes(const vs::Graph& g, std::size_t first) {
  nlohmann::json out = nlohmann::json::array();
  const std::vector<vs::Operation> ops = g.operations();
  for (std::size_t i = first; i < ops.size(); ++i) {
    const vs::Operation& op = ops[i];
    if (op.name().find("tuple/") == std::string::npos) continue;
    std::vector<std::string> inputs, controls;
    for (int k = 0; k < op.num_inputs(); ++k)
      inputs.push_back(op.input(k).name());
    for (const vs::Operation& c : op.control_inputs())
      controls.push_back(c.name());
    out.push_back({op.name(), op.type(), inputs, controls});
  }
  return out;
}

template <class MakeGrads>
void expect_as_tf(const char* key, MakeGrads make_grads) {
  Model m;
  const std::size_t first = m.g.num_operations();
  const std::vector<vs::Tensor> grads = make_grads(m);
  std::vector<std::string> names;
  for (const vs::Tensor& t : grads)
    names.push_back(t.name());
  const nlohmann::json& want = golden()[key];
  EXPECT_EQ(names, want["grads"].get<std::vector<std::string>>()) << key;
  EXPECT_EQ(gating_nodes(m.g, first), want["nodes"]) << key;
}

std::vector<vs::Tensor> optimizer_grads(Model& m, Gate gate) {
  vs::train::GradientDescentOptimizer opt(0.1);
  std::vector<vs::Tensor> out;
  for (const auto& gv : opt.compute_gradients(m.loss, {m.w, m.b}, gate))
    out.push_back(gv.first);
  return out;
}

TEST(GradientGating, OptimizerGatesEachOpAsTfByDefault) {
  expect_as_tf("gate_op", [](Model& m) {
    vs::train::GradientDescentOptimizer opt(0.1);
    std::vector<vs::Tensor> out;
    for (const auto& gv : opt.compute_gradients(m.loss, {m.w, m.b}))  // the default
      out.push_back(gv.first);
    return out;
  });
}

TEST(GradientGating, OptimizerGateNoneAndGateGraphAsTf) {
  expect_as_tf("gate_none", [](Model& m) { return optimizer_grads(m, Gate::kNone); });
  expect_as_tf("gate_graph", [](Model& m) { return optimizer_grads(m, Gate::kGraph); });
}

TEST(GradientGating, TfGradientsGatesOnlyWhenAsked) {
  expect_as_tf("tf_gradients", [](Model& m) {
    return vs::gradients({m.loss}, std::vector<vs::Variable>{m.w, m.b});
  });
  expect_as_tf("tf_gradients_gated", [](Model& m) {
    return vs::gradients({m.loss}, std::vector<vs::Variable>{m.w, m.b}, {}, "gradients", true);
  });
}

TEST(GradientGating, GateGraphWithNoGradientIsTfsErrorAndChangesNothing) {
  Model m;
  const vs::Variable unused = m.g.get_variable("unused", {.shape = vs::Shape{2}});
  const std::size_t before = m.g.num_operations();
  vs::train::GradientDescentOptimizer opt(0.1);
  EXPECT_EQ(vs::testing::error_of<vs::ValueError>(
                [&] { opt.compute_gradients(m.loss, {unused}, Gate::kGraph); }),
            golden()["gate_graph_all_none_error"].get<std::string>());
  EXPECT_EQ(m.g.num_operations(), before);
}

// The gates only order the work: a step trains to the same values in every mode.
TEST(GradientGating, EveryModeTrainsToTheSameValues) {
  std::vector<std::vector<float>> results;
  for (Gate gate : {Gate::kNone, Gate::kOp, Gate::kGraph}) {
    Model m;
    vs::train::GradientDescentOptimizer opt(0.1);
    const vs::Operation step = opt.minimize(m.loss, {}, {}, {}, gate);
    vs::Session sess(m.g, {.device = vs::DeviceKind::kCpu});
    sess.run(m.g.global_variables_initializer());
    for (int i = 0; i < 3; ++i)
      sess.run(step);
    std::vector<float> values;
    for (const vs::Variable& v : {m.w, m.b}) {
      const vs::HostTensor t = sess.run(v);
      values.insert(values.end(), t.data<float>().begin(), t.data<float>().end());
    }
    results.push_back(values);
  }
  const std::vector<float> initial{0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.0f, 0.0f};
  EXPECT_NE(results[0], initial);  // it trained
  EXPECT_EQ(results[1], results[0]);
  EXPECT_EQ(results[2], results[0]);
}

}  // namespace
