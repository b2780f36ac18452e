// What reduction_ops_test's sources share: TF 1.15's recorded reductions
// (tests/golden/reductions_tf115.json, from tools/tf115/make_reduction_goldens.py).
#pragma once

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#ifndef VARSCOPE_GOLDEN_DIR
#error "VARSCOPE_GOLDEN_DIR must name tests/golden"
#endif

namespace varscope::testing {

inline const nlohmann::json& reductions_golden() {
  static const nlohmann::json g = [] {
    std::ifstream in(std::string(VARSCOPE_GOLDEN_DIR) + "/reductions_tf115.json");
    if (!in) throw std::runtime_error("cannot read tests/golden/reductions_tf115.json");
    return nlohmann::json::parse(in);
  }();
  return g;
}

}  // namespace varscope::testing
