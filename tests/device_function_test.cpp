// tf.device(function) as TF 1.15 applies it (tests/golden/devices_tf115.json, written by hand
// with tools/tf115/make_device_goldens.py): the inner string scopes first, then the function,
// whose string is kept as written, then the outer string scopes merged in; tf.device(None)
// stops the walk; colocated ops follow their op; and a replica_device_setter-style function
// over a model trained with Adam.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "test_util.h"

namespace vs = varscope;

namespace {

const nlohmann::json& golden() {
  static const nlohmann::json g = [] {
    std::ifstream in(std::string(VARSCOPE_GOLDEN_DIR) + "/devices_tf115.json");
    if (!in) throw std::runtime_error("cannot read tests/golden/devices_tf115.json");
    return nlohmann::json::parse(in);
  }();
  return g;
}

vs::Tensor scalar(vs::Graph& g, const char* name) {
  return vs::constant(g, vs::HostTensor(1.0f), {.name = name});
}

// The same function as the golden script's: tf.device's docstring example.
std::string matmul_on_gpu(const vs::Operation& op) {
  return op.type() == "MatMul" ? "/device:GPU:0" : "/cpu:0";
}

TEST(DeviceFunction, OrderAndNestingAsTf) {
  vs::Graph g;
  nlohmann::json seen = nlohmann::json::array();
  const auto record = [&](const vs::Operation& op) -> std::string {
    seen.push_back({op.name(), op.device()});
    return op.type() == "MatMul" ? "/gpu:1" : "cpu:0";
  };
  vs::Tensor a;
  {
    auto scope = g.device(matmul_on_gpu);
    a = vs::constant(g, vs::HostTensor(std::vector<float>{1}, vs::Shape{1, 1}), {.name = "a"});
    vs::matmul(a, a);
  }
  {
    auto job = g.device("/job:w");
    auto fn = g.device(record);
    {
      auto cpu = g.device("/cpu:3");
      vs::matmul(a, a, {.name = "c"});
    }
    vs::constant(g, vs::HostTensor(2.0f), {.name = "d"});
  }
  {
    auto fn = g.device(matmul_on_gpu);
    auto none = g.device(std::nullopt);
    scalar(g, "e");
  }
  {
    auto outer = g.device([](const vs::Operation&) { return std::string("/gpu:0"); });
    auto inner = g.device([](const vs::Operation& op) { return op.device() + "/task:7"; });
    scalar(g, "f");
  }
  {
    auto job = g.device("/job:a/cpu:0");
    auto fn = g.device([](const vs::Operation&) { return std::string("/job:b"); });
    scalar(g, "h");
  }
  {
    auto fn = g.device([](const vs::Operation&) { return std::string("/foo:1"); });
    scalar(g, "i");
  }
  nlohmann::json got = nlohmann::json::array();
  for (const vs::Operation& op : g.operations())
    got.push_back({op.name(), op.device()});
  EXPECT_EQ(got, golden()["functions"]["ops"]);
  EXPECT_EQ(seen, golden()["functions"]["seen"]);
}

// Each graph keeps its own function scopes: two graphs with a scope open at the same frame
// number, closed in either order, place by their own functions.
TEST(DeviceFunction, EachGraphKeepsItsOwnFunctions) {
  vs::Graph first, second;
  auto on_first = first.device([](const vs::Operation&) { return std::string("/cpu:1"); });
  auto on_second = second.device([](const vs::Operation&) { return std::string("/gpu:2"); });
  EXPECT_EQ(scalar(second, "s").op().device(), "/gpu:2");  // kept as written, as TF
  { auto ended = std::move(on_second); }
  EXPECT_EQ(scalar(first, "f").op().device(), "/cpu:1");
}

TEST(DeviceFunction, ABadStringMergedWithAnOuterScopeIsTfsErrorAndChangesNothing) {
  vs::Graph g;
  scalar(g, "before");
  auto job = g.device("/job:w");
  auto fn = g.device([](const vs::Operation&) { return std::string("/foo:1"); });
  EXPECT_EQ(vs::testing::error_of<vs::ValueError>([&] { scalar(g, "j"); }),
            golden()["functions"]["merge_error"].get<std::string>());
  EXPECT_EQ(g.operations().size(), 1u);
  EXPECT_EQ(g.unique_name("j", false), "j");  // the name was not taken
}

TEST(DeviceFunction, AnExceptionFromTheFunctionFailsTheCallAndChangesNothing) {
  vs::Graph g;
  {
    auto fn = g.device([](const vs::Operation&) -> std::string {
      throw vs::InvalidArgumentError("no device for you");
    });
    EXPECT_EQ(vs::testing::error_of<vs::InvalidArgumentError>([&] { scalar(g, "k"); }),
              "no device for you");
  }
  EXPECT_TRUE(g.operations().empty());
  EXPECT_EQ(scalar(g, "k").op().device(), "");  // the scope ended with its guard
}

TEST(DeviceFunction, AnEmptyFunctionIsAValueErrorAndChangesNothing) {  // E285
  vs::Graph g;
  EXPECT_EQ(vs::testing::error_of<vs::ValueError>([&] { g.device(vs::DeviceFunction{}); }),
            "tf.device needs a device name or a function, got an empty function");
  EXPECT_EQ(scalar(g, "after").op().device(), "");
}

// Initializers and a gradient tuple (TF: colocate_with / device(None)) never reach the
// function; the scope's string spec inside it still merges (and is what fn sees).
TEST(DeviceFunction, ColocatedAndLiftedOpsFollowTheirOp) {
  vs::Graph g;
  std::vector<std::string> handed;
  auto fn = g.device([&](const vs::Operation& op) {
    handed.push_back(op.name());
    return std::string("/job:worker");
  });
  vs::Variable w = g.get_variable("w", {.shape = vs::Shape{2}});
  for (const std::string& name : handed)
    EXPECT_EQ(name.find("Initializer"), std::string::npos) << name;
  EXPECT_EQ(g.get_operation_by_name("w").device(), "/job:worker");
  EXPECT_EQ(g.get_operation_by_name("w/read").device(), "/job:worker");  // colocated with w
  EXPECT_EQ(g.get_operation_by_name("w/Initializer/random_uniform").device(), "");
}

// tf.train.replica_device_setter(ps_tasks=2, worker_device="/job:worker/task:0") written as
// a varscope device function: VariableV2 ops round-robin over the ps tasks, the rest on the
// worker, each merged with the op's device so far as TF's make_merged_spec merges it (the op's
// fields win; here the op's device is empty, a whole "/job:ps/task:<i>" from a per-device
// group NoOp, or a device part).
TEST(DeviceFunction, ReplicaDeviceSetterOverAnAdamModelAsTf) {
  vs::Graph g;
  int next_task = 0;
  const auto setter = [&](const vs::Operation& op) -> std::string {
    const std::string current = op.device();
    if (current.rfind("/job:", 0) == 0) return current;
    if (op.type() == "VariableV2")
      return "/job:ps/task:" + std::to_string(next_task++ % 2) + current;
    return "/job:worker/task:0" + current;
  };
  {
    auto scope = g.device(setter);
    vs::Tensor x =
        vs::constant(g, vs::HostTensor(std::vector<float>{1, 2}, vs::Shape{1, 2}), {.name = "x"});
    vs::Variable w =
        g.get_variable("w", {.shape = vs::Shape{2, 3}, .initializer = vs::ones_initializer()});
    vs::Variable b =
        g.get_variable("b", {.shape = vs::Shape{3}, .initializer = vs::zeros_initializer()});
    vs::Tensor loss = vs::reduce_sum(vs::matmul(x, w) + b);
    vs::train::AdamOptimizer adam(0.1);
    adam.minimize(loss);
  }
  std::map<std::string, std::string> tf_device;
  for (const nlohmann::json& op : golden()["replica_device_setter"])
    tf_device[op[0].get<std::string>()] = op[2].get<std::string>();
  // Every op TF also builds (the gradients' inner ops differ: docs/differences.md) is placed
  // as TF places it; the variables, their own ops, slots, beta powers and updates all are.
  std::size_t compared = 0;
  for (const vs::Operation& op : g.operations()) {
    const auto it = tf_device.find(op.name());
    if (it == tf_device.end()) continue;
    EXPECT_EQ(op.device(), it->second) << op.name();
    ++compared;
  }
  for (const char* name :
       {"w", "w/read", "w/Initializer/ones", "b", "b/Assign", "beta1_power", "w/Adam_1",
        "b/Adam/Initializer/zeros", "Adam/update_w/ApplyAdam", "Adam/update_b/ApplyAdam",
        "Adam/Assign_1", "Adam/NoOp_1", "Adam", "MatMul", "gradients/MatMul_grad/MatMul_1"}) {
    EXPECT_TRUE(tf_device.contains(name)) << name;
    EXPECT_EQ(g.get_operation_by_name(name).device(), tf_device[name]) << name;
  }
  EXPECT_GE(compared, 50u);
}

}  // namespace
