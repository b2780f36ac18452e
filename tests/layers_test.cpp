// tf.layers against TF 1.15 (tests/golden/layers_tf115.json, written by hand with
// tools/tf115/make_layer_goldens.py): the variables (names, shapes, trainable), the ops
// (names, types, inputs) for unnamed, scoped, shared and optioned layers, TF's error for a
// named layer built twice, and dense's values for fixed weights.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"

namespace vs = varscope;
using vs::layers::dense;

namespace {

const nlohmann::json& golden() {
  static const nlohmann::json g = [] {
    std::ifstream in(std::string(VARSCOPE_GOLDEN_DIR) + "/layers_tf115.json");
    if (!in) throw std::runtime_error("cannot read tests/golden/layers_tf115.json");
    return nlohmann::json::parse(in);
  }();
  return g;
}

bool variable_internal(const vs::Operation& op) {
  const std::string name = op.name();
  return op.type() == "VariableV2" || op.type() == "Assign" ||
         (name.size() > 5 && name.ends_with("/read")) ||
         name.find("/Initializer/") != std::string::npos;
}

// The golden's record of a graph built after the placeholder x.
nlohmann::json record(vs::Graph& g, std::size_t first) {
  nlohmann::json global = nlohmann::json::array(), trainable = nlohmann::json::array(),
                 ops = nlohmann::json::array();
  for (const vs::Variable& v : g.global_variables())
    global.push_back({v.op_name(), v.shape().dims()});
  for (const vs::Variable& v : g.trainable_variables())
    trainable.push_back(v.op_name());
  const std::vector<vs::Operation> all = g.operations();
  for (std::size_t i = first; i < all.size(); ++i) {
    if (variable_internal(all[i])) continue;
    std::vector<std::string> inputs;
    for (int k = 0; k < all[i].num_inputs(); ++k)
      inputs.push_back(all[i].input(k).name());
    ops.push_back({all[i].name(), all[i].type(), inputs});
  }
  return {{"global", global}, {"trainable", trainable}, {"ops", ops}};
}

void expect_as_tf(const char* key,
                  const std::function<void(vs::Graph&, const vs::Tensor&)>& build) {
  vs::Graph g;
  const vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 4}, "x");
  const std::size_t first = g.num_operations();
  build(g, x);
  const nlohmann::json got = record(g, first), want = golden()[key];
  EXPECT_EQ(got["global"], want["global"]) << key;
  EXPECT_EQ(got["trainable"], want["trainable"]) << key;
  EXPECT_EQ(got["ops"], want["ops"]) << key;
}

TEST(Layers, UnnamedDenseLayersAreDenseDense1AsTf) {
  expect_as_tf("unnamed", [](vs::Graph&, const vs::Tensor& x) {
    dense(x, 3);
    dense(x, 2, {.activation = vs::relu});
  });
}

TEST(Layers, LayersInVariableScopesAsTf) {
  expect_as_tf("scoped", [](vs::Graph& g, const vs::Tensor& x) {
    {
      auto tower = g.variable_scope("tower");
      dense(x, 3);
      dense(x, 3);
    }
    auto again = g.variable_scope("tower", {.reuse = vs::Reuse::kTrue});
    dense(x, 3);
  });
}

TEST(Layers, ANamedLayerIsSharedByAutoReuseAsTf) {
  expect_as_tf("shared", [](vs::Graph& g, const vs::Tensor& x) {
    {
      auto ns = g.name_scope("ns");
      dense(x, 3, {.name = "fc", .reuse = vs::Reuse::kAuto});
      dense(x, 3, {.name = "fc", .reuse = vs::Reuse::kAuto});
    }
    dense(x, 3, {.name = "fc", .reuse = vs::Reuse::kAuto});
  });
}

TEST(Layers, DenseOptionsAsTf) {
  expect_as_tf("options", [](vs::Graph&, const vs::Tensor& x) {
    dense(x, 3, {.activation = vs::tanh, .use_bias = false, .trainable = false});
    dense(x, 2, {.activation = vs::sigmoid, .name = "out"});
  });
}

TEST(Layers, ANamedLayerBuiltTwiceIsTfsErrorAndChangesNothing) {
  vs::Graph g;
  const vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 4}, "x");
  dense(x, 3, {.name = "fc"});
  const std::size_t ops = g.num_operations();
  const std::string message =
      vs::testing::error_of<vs::ValueError>([&] { dense(x, 3, {.name = "fc"}); });
  EXPECT_EQ(message.substr(0, message.find('\n')), golden()["twice_error"].get<std::string>());
  EXPECT_EQ(g.num_operations(), ops);
}

TEST(Layers, ABadInputChangesNothing) {
  vs::Graph g;
  const vs::Tensor unknown = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, vs::kUnknownDim});
  const vs::Tensor rank3 = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 2, 4});
  const std::size_t ops = g.num_operations();
  EXPECT_EQ(vs::testing::error_of<vs::ValueError>([&] { dense(unknown, 3); }),
            "The last dimension of the inputs to `Dense` should be defined. Found `None`.");
  vs::testing::error_of<vs::UnimplementedError>([&] { dense(rank3, 3); });
  EXPECT_EQ(g.num_operations(), ops);
  EXPECT_TRUE(g.global_variables().empty());
}

TEST(Layers, DenseComputesTfsValues) {
  const nlohmann::json& v = golden()["values"];
  vs::Graph g;
  const vs::Tensor x = vs::constant(
      g,
      vs::HostTensor(v["x"].get<std::vector<double>>(), vs::Shape{2, 4}).cast(vs::DType::kFloat32));
  const vs::Tensor y =
      dense(x, 3,
            {.activation = vs::relu,
             .kernel_initializer = vs::constant_initializer(v["kernel"].get<std::vector<double>>()),
             .bias_initializer = vs::constant_initializer(v["bias"].get<double>())});
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  sess.run(g.global_variables_initializer());
  const vs::HostTensor got = sess.run(y);
  const std::vector<double> want = v["y"];
  ASSERT_EQ(got.num_elements(), static_cast<std::int64_t>(want.size()));
  for (std::size_t i = 0; i < want.size(); ++i)
    EXPECT_NEAR(got.data<float>()[i], want[i], 1e-6) << i;
}

}  // namespace
