// tf.device as TF 1.15 records it (tests/golden/devices_tf115.json, written by hand with
// tools/tf115/make_device_goldens.py): canonical specs, nested scopes merged field by field,
// tf.device(None), TF's errors for bad specs (which change nothing), which ops take the
// device (get_variable's initializer ops do not), and the device in the written GraphDef.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
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

TEST(Placement, NestedSpecsAsTf) {
  for (const nlohmann::json& c : golden()["stacks"]) {
    const nlohmann::json& specs = c[0];
    const std::string what = specs.dump();
    vs::Graph g;
    std::vector<vs::DeviceScope> scopes;
    std::optional<std::string> error;
    for (const nlohmann::json& s : specs) {
      try {
        scopes.push_back(g.device(
            s.is_null() ? std::nullopt : std::optional<std::string_view>(s.get<std::string>())));
      } catch (const vs::ValueError& e) {
        error = e.what();
        break;
      }
    }
    if (c[1].contains("error")) {
      EXPECT_EQ(error.value_or("<no error>"), c[1]["error"].get<std::string>()) << what;
      continue;
    }
    ASSERT_FALSE(error) << what << ": " << *error;
    const vs::Tensor t = vs::constant(g, vs::HostTensor(1.0f));
    EXPECT_EQ(t.op().device(), c[1]["device"].get<std::string>()) << what;
    EXPECT_EQ(scopes.back().device(), c[1]["device"].get<std::string>()) << what;
  }
}

TEST(Placement, WhichOpsTakeTheDeviceAsTf) {
  vs::Graph g;
  {
    auto on_gpu = g.device("/gpu:0");
    const vs::Variable w = g.get_variable(
        "w", {.shape = vs::Shape{2}, .initializer = vs::random_normal_initializer()});
    const vs::Variable v = g.variable(
        vs::constant(g, vs::HostTensor(std::vector<float>{0, 0}, vs::Shape{2}), {.name = "zeros"}),
        {.name = "v"});
    auto s = g.name_scope("s");
    vs::add(w * 2.0, v);
  }
  g.get_variable("u", {.shape = vs::Shape{2}});
  nlohmann::json got = nlohmann::json::array();
  for (const vs::Operation& op : g.operations())
    got.push_back({op.name(), op.device()});
  EXPECT_EQ(got, golden()["model"]);
}

TEST(Placement, ABadSpecChangesNothingAndTheScopeEnds) {
  vs::Graph g;
  auto outer = g.device("/gpu:1");
  EXPECT_EQ(vs::testing::error_of<vs::ValueError>([&] { g.device("/gpu:0/cpu:1"); }),
            "Cannot specify multiple device types: /gpu:0/cpu:1");
  {
    auto inner = g.device("/cpu:0");
    EXPECT_EQ(vs::constant(g, vs::HostTensor(1.0f)).op().device(), "/device:CPU:0");
  }
  EXPECT_EQ(vs::constant(g, vs::HostTensor(1.0f)).op().device(), "/device:GPU:1");
}

TEST(Placement, TheGraphDefCarriesTheDevice) {
  vs::Graph g;
  {
    auto on_gpu = g.device("/job:worker/task:1/gpu:0");
    vs::constant(g, vs::HostTensor(1.0f), {.name = "c"});
  }
  const std::string bytes = vs::graph_def_bytes(g);
  EXPECT_NE(bytes.find("/job:worker/task:1/device:GPU:0"), std::string::npos);
}

}  // namespace
