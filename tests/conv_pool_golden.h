// conv_pool_test's and batch_norm_test's shared reading of tests/golden/conv_pool_tf115.json
// (written by hand with tools/tf115/make_conv_pool_goldens.py) and float comparisons.
#pragma once

#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace conv_pool_golden {

namespace vs = varscope;

inline const nlohmann::json& golden() {
  static const nlohmann::json g = [] {
    std::ifstream in(std::string(VARSCOPE_GOLDEN_DIR) + "/conv_pool_tf115.json");
    if (!in) throw std::runtime_error("cannot read tests/golden/conv_pool_tf115.json");
    return nlohmann::json::parse(in);
  }();
  return g;
}

inline std::vector<double> doubles(const vs::HostTensor& t) {
  std::vector<double> v;
  for (std::int64_t i = 0; i < t.num_elements(); ++i)
    v.push_back(t.element_as_double(i));
  return v;
}

inline vs::HostTensor from_json(const nlohmann::json& j) {
  return vs::HostTensor(j["values"].get<std::vector<double>>(),
                        vs::Shape(j["shape"].get<std::vector<std::int64_t>>()))
      .cast(vs::DType::kFloat32);
}

inline void expect_close(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], 1e-5 + 1e-5 * std::abs(want[i])) << "element " << i;
}

}  // namespace conv_pool_golden
