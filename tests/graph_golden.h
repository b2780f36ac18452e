// A graph against TF 1.15's, node for node, as the hand-run scripts in tools/tf115/ record it:
// [name, type, [data inputs], [control inputs]] per node in creation order.
#pragma once

#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#ifndef VARSCOPE_GOLDEN_DIR
#error "VARSCOPE_GOLDEN_DIR must name tests/golden"
#endif

namespace varscope::testing {

// tests/golden/<file>, parsed (a missing file fails the test that asks for it).
inline nlohmann::json read_golden(const std::string& file) {
  std::ifstream in(std::string(VARSCOPE_GOLDEN_DIR) + "/" + file);
  if (!in) throw std::runtime_error("cannot read tests/golden/" + file);
  return nlohmann::json::parse(in);
}

inline nlohmann::json graph_nodes(const Graph& g) {
  nlohmann::json out = nlohmann::json::array();
  for (const Operation& op : g.operations()) {
    std::vector<std::string> inputs, controls;
    for (int k = 0; k < op.num_inputs(); ++k)
      inputs.push_back(op.input(k).name());
    for (const Operation& c : op.control_inputs())
      controls.push_back(c.name());
    out.push_back({op.name(), op.type(), inputs, controls});
  }
  return out;
}

// Node i of `g` equal to want[i], the first missing or extra node named.
inline void expect_nodes(const Graph& g, const nlohmann::json& want) {
  const nlohmann::json got = graph_nodes(g);
  const std::size_t n = std::max(got.size(), want.size());
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_LT(i, got.size()) << "missing node " << want[i].dump();
    ASSERT_LT(i, want.size()) << "extra node " << got[i].dump();
    EXPECT_EQ(got[i], want[i]) << "node " << i;
  }
}

}  // namespace varscope::testing
