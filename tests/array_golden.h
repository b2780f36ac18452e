// TF 1.15's recorded behaviour of the shape and data-movement ops
// (tests/golden/array_ops_tf115.json, made by hand with tools/tf115/make_array_op_goldens.py)
// and the helpers array_ops_test and array_copy_ops_test compare with.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "varscope/varscope.h"

#ifndef VARSCOPE_GOLDEN_DIR
#error "VARSCOPE_GOLDEN_DIR must name tests/golden"
#endif

namespace varscope::testing::array_golden {

namespace vs = ::varscope;

inline const nlohmann::json& golden() {
  static const nlohmann::json g = [] {
    std::ifstream in(std::string(VARSCOPE_GOLDEN_DIR) + "/array_ops_tf115.json");
    if (!in) throw std::runtime_error("cannot read tests/golden/array_ops_tf115.json");
    return nlohmann::json::parse(in);
  }();
  return g;
}

using Nodes = std::vector<std::pair<std::string, std::string>>;

inline Nodes without_seed(Nodes nodes);

inline Nodes nodes_of(const vs::Graph& g) {
  Nodes out;
  for (const vs::Operation& op : g.operations())
    out.emplace_back(op.name(), op.type());
  return without_seed(out);
}

// tf.gradients' seed: TF's "gradients/Shape", "gradients/grad_ys_0" (Const) and
// "gradients/Fill"; varscope's one "gradients/grad_ys_0" (OnesLike) — a difference of
// gradients.cpp, not of these ops: left out of both lists.
inline Nodes without_seed(Nodes nodes) {
  std::erase_if(nodes, [](const auto& n) {
    for (const std::string root : {"gradients", "gradients_1", "gradients_2"}) {
      if (n.first == root + "/Shape" || n.first == root + "/grad_ys_0" ||
          n.first == root + "/Fill") {
        return true;
      }
    }
    return false;
  });
  return nodes;
}

inline Nodes golden_nodes(const std::string& key) {
  Nodes out;
  for (const auto& n : golden().at(key))
    out.emplace_back(n[0].get<std::string>(), n[1].get<std::string>());
  return without_seed(out);
}

inline vs::Tensor ph(vs::Graph& g, std::optional<vs::Shape> shape, const std::string& name = "x") {
  return vs::placeholder(g, vs::DType::kFloat32, std::move(shape), name);
}

// TF's "ValueError: <text>" as the type's name and the text.
inline std::pair<std::string, std::string> split_error(const std::string& golden_text) {
  const auto colon = golden_text.find(": ");
  return {golden_text.substr(0, colon), golden_text.substr(colon + 2)};
}

// The text of a run-time error before TF's (or varscope's) node suffix.
inline std::string before_node(const std::string& text) {
  const auto tf = text.find("\n\t [[node ");
  const auto ours = text.find("\n\t [[{{node ");
  return text.substr(0, std::min(tf, ours));
}

}  // namespace varscope::testing::array_golden
