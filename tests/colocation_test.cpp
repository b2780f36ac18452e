// Colocation as TF 1.15 does it (tests/golden/colocation_tf115.json, written by hand with
// tools/tf115/make_colocation_goldens.py): every node's device and `_class` in a model whose
// variables live on /cpu:1 while the model and its Adam training are built on /cpu:0 —
// variables' own ops, slots, the Apply ops and the beta powers follow their variable, the
// global step's increment follows it, initializer ops take no device, group's NoOps take
// their inputs' device (one per device when they differ) — and the GraphDef carries both.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "test_util.h"

namespace vs = varscope;

namespace {

const nlohmann::json& golden() {
  static const nlohmann::json g = [] {
    std::ifstream in(std::string(VARSCOPE_GOLDEN_DIR) + "/colocation_tf115.json");
    if (!in) throw std::runtime_error("cannot read tests/golden/colocation_tf115.json");
    return nlohmann::json::parse(in);
  }();
  return g;
}

std::vector<std::string> classes(const vs::Operation& op) {
  return op.has_attr("_class") ? op.attr_strings("_class") : std::vector<std::string>{};
}

// The golden model, built as make_colocation_goldens.py builds it.
void build_adam_model(vs::Graph& g) {
  vs::Tensor x;
  {
    auto on = g.device("/cpu:0");
    x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4, 3}, "x");
  }
  vs::Variable w, b, v;
  {
    auto on = g.device("/cpu:1");
    w = g.get_variable(
        "w", {.shape = vs::Shape{3, 2}, .initializer = vs::random_normal_initializer({.seed = 1})});
    b = g.get_variable("b", {.shape = vs::Shape{2}, .initializer = vs::zeros_initializer()});
    v = g.variable(vs::constant(g, vs::HostTensor(std::vector<float>{0, 0}, vs::Shape{2})),
                   {.name = "v"});
  }
  {
    auto on = g.device("/cpu:0");
    const vs::Tensor y = vs::matmul(x, w) + b + v;
    const vs::Tensor loss = vs::reduce_mean(y * y);
    const vs::Variable step = vs::train::get_or_create_global_step(g);
    vs::train::AdamOptimizer(0.1).minimize(loss, step);
  }
  g.global_variables_initializer();
  {
    auto on = g.device("/cpu:1");
    vs::group({w.initializer(), b.initializer()}, "one_device");
  }
  vs::group({x.op(), w.op()}, "mixed");
}

TEST(Colocation, DevicesAndClassesAsTf) {
  vs::Graph g;
  build_adam_model(g);
  std::map<std::string, vs::Operation> ours;
  for (const vs::Operation& op : g.operations())
    ours.emplace(op.name(), op);
  int compared = 0;
  for (const nlohmann::json& row : golden()["adam_model"]) {
    const std::string name = row[0];
    auto it = ours.find(name);
    // The gradient functions' inner ops are varscope's own where they differ from TF's
    // (docs/differences.md); every other node must exist.
    if (it == ours.end()) {
      EXPECT_EQ(name.rfind("gradients/", 0), 0u) << "missing " << name;
      continue;
    }
    ++compared;
    EXPECT_EQ(it->second.device(), row[2].get<std::string>()) << name;
    // Inside the gradients the ops (and so the ops a tuple's Identity is colocated with)
    // may be varscope's own; elsewhere the type and `_class` are TF's.
    if (name.rfind("gradients/", 0) == 0) continue;
    EXPECT_EQ(it->second.type(), row[1].get<std::string>()) << name;
    EXPECT_EQ(classes(it->second), row[3].get<std::vector<std::string>>()) << name;
  }
  EXPECT_GE(compared, 100);
}

TEST(Colocation, TheGraphDefCarriesDeviceAndClass) {
  vs::Graph g;
  build_adam_model(g);
  const std::string bytes = vs::graph_def_bytes(g);
  EXPECT_NE(bytes.find("loc:@b"), std::string::npos);
  vs::Graph back;
  vs::import_graph_def(back, bytes, {.name = ""});
  EXPECT_EQ(back.get_operation_by_name("Adam/update_w/ApplyAdam").device(), "/device:CPU:1");
  EXPECT_EQ(back.get_operation_by_name("beta1_power").attr_strings("_class"),
            std::vector<std::string>{"loc:@b"});
}

TEST(Colocation, TheDotPictureShowsTheDevice) {
  vs::Graph g;
  build_adam_model(g);
  const std::string dot = g.to_dot();
  EXPECT_NE(dot.find("\"ApplyAdam\\n(ApplyAdam)\\n/device:CPU:1\""), std::string::npos) << dot;
  EXPECT_NE(dot.find("\"x\\n(Placeholder)\\n/device:CPU:0\""), std::string::npos);
}

TEST(Colocation, AnAssignFollowsItsVariableNotTheScope) {
  vs::Graph g;
  const vs::Variable w = g.get_variable("w", {.shape = vs::Shape{2}});
  vs::Variable u;
  {
    auto on = g.device("/cpu:1");
    u = g.get_variable("u", {.shape = vs::Shape{2}});
  }
  auto on = g.device("/cpu:0");
  const vs::Tensor a = vs::assign(w, vs::constant(g, vs::HostTensor(std::vector<float>{1, 2})));
  const vs::Tensor a1 = vs::assign(u, vs::constant(g, vs::HostTensor(std::vector<float>{1, 2})));
  // TF 1.15 (checked by hand): Assign '' and Assign_1 '/device:CPU:1', both loc:@ their variable.
  EXPECT_EQ(a.op().device(), "");
  EXPECT_EQ(a.op().attr_strings("_class"), std::vector<std::string>{"loc:@w"});
  EXPECT_EQ(a1.op().device(), "/device:CPU:1");
  EXPECT_EQ(a1.op().input(1).op().device(), "/device:CPU:0");
}

}  // namespace
