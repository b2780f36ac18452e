// The golden of tf.layers (tests/golden/layers_tf115.json, written by hand with
// tools/tf115/make_layer_goldens.py) and the record of a graph to compare with it.
#pragma once

#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <cstddef>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace varscope::testing {

inline const nlohmann::json& layers_golden() {
  static const nlohmann::json g = [] {
    std::ifstream in(std::string(VARSCOPE_GOLDEN_DIR) + "/layers_tf115.json");
    if (!in) throw std::runtime_error("cannot read tests/golden/layers_tf115.json");
    return nlohmann::json::parse(in);
  }();
  return g;
}

inline bool variable_internal(const Operation& op) {
  const std::string name = op.name();
  return op.type() == "VariableV2" || op.type() == "Assign" ||
         (name.size() > 5 && name.ends_with("/read")) ||
         name.find("/Initializer/") != std::string::npos;
}

// The golden's record of a graph built after the placeholder x.
inline nlohmann::json layers_record(Graph& g, std::size_t first) {
  nlohmann::json global = nlohmann::json::array(), trainable = nlohmann::json::array(),
                 ops = nlohmann::json::array();
  for (const Variable& v : g.global_variables())
    global.push_back({v.op_name(), v.shape().dims()});
  for (const Variable& v : g.trainable_variables())
    trainable.push_back(v.op_name());
  const std::vector<Operation> all = g.operations();
  for (std::size_t i = first; i < all.size(); ++i) {
    if (variable_internal(all[i])) continue;
    std::vector<std::string> inputs;
    for (int k = 0; k < all[i].num_inputs(); ++k)
      inputs.push_back(all[i].input(k).name());
    ops.push_back({all[i].name(), all[i].type(), inputs});
  }
  std::vector<std::string> regularization_losses;
  for (const Tensor& t : g.get_collection_tensors(GraphKeys::kRegularizationLosses))
    regularization_losses.push_back(t.name());
  return {{"global", global},
          {"trainable", trainable},
          {"ops", ops},
          {"regularization_losses", regularization_losses}};
}

// Builds the case `key` after a float32 placeholder "x" of the golden's shape and compares
// the variables, ops and regularization losses with TF's.
inline void expect_layers_as_tf(const char* key,
                                const std::function<void(Graph&, const Tensor&)>& build) {
  const nlohmann::json& want = layers_golden()[key];
  Graph g;
  const Tensor x =
      placeholder(g, DType::kFloat32, Shape(want["x_shape"].get<std::vector<std::int64_t>>()), "x");
  const std::size_t first = g.num_operations();
  build(g, x);
  const nlohmann::json got = layers_record(g, first);
  EXPECT_EQ(got["global"], want["global"]) << key;
  EXPECT_EQ(got["trainable"], want["trainable"]) << key;
  EXPECT_EQ(got["ops"], want["ops"]) << key;
  EXPECT_EQ(got["regularization_losses"], want["regularization_losses"]) << key;
}

}  // namespace varscope::testing
