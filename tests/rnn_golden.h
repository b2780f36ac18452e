// The golden of the RNN cells and static_rnn (tests/golden/rnn_tf115.json, written by hand with
// tools/tf115/make_rnn_goldens.py) and the value check its tests share.
#pragma once

#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace varscope::testing {

inline const nlohmann::json& rnn_golden() {
  static const nlohmann::json g = [] {
    std::ifstream in(std::string(VARSCOPE_GOLDEN_DIR) + "/rnn_tf115.json");
    if (!in) throw std::runtime_error("cannot read tests/golden/rnn_tf115.json");
    return nlohmann::json::parse(in);
  }();
  return g;
}

inline constexpr std::int64_t kBatch = 2, kDepth = 3;  // the script's BATCH, DEPTH

// `got` (any float dtype) against TF's values, within float32 tolerance.
inline void expect_values(const varscope::HostTensor& got,
                          const nlohmann::json& want,
                          const std::string& what) {
  const varscope::HostTensor d = got.cast(varscope::DType::kFloat64);
  const std::vector<double> expect = want.get<std::vector<double>>();
  ASSERT_EQ(static_cast<std::size_t>(d.num_elements()), expect.size()) << what;
  for (std::size_t i = 0; i < expect.size(); ++i)
    EXPECT_NEAR(d.data<double>()[i], expect[i], 2e-5 * (1 + std::abs(expect[i])))
        << what << "[" << i << "]";
}

}  // namespace varscope::testing
