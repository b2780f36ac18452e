// What the checkpoint_test sources share: the Model of several dtypes, header-length helpers.
// Checkpoints: Saver round trips on both backends, name/prefix maps, the file layout (also
// read by Python's standard library), every corruption case with its own error and no
// variable changed, and interrupted saves that leave the previous file loadable.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "backend_test.h"
#include "gpu_test.h"
#include "host/io/safetensors.h"
#include "host/io/saver.h"
#include "test_util.h"
#include "varscope/saver.h"
#include "varscope/varscope.h"

namespace vs = varscope;

namespace checkpoint_test {

using vs::testing::read_bytes;
using vs::testing::TempDir;
using vs::testing::write_bytes;

// The u64 little-endian header length at the start of a safetensors file.
inline std::uint64_t header_length(const std::string& file) {
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i)
    n = (n << 8) | static_cast<unsigned char>(file[static_cast<std::size_t>(i)]);
  return n;
}
inline void set_header_length(std::string& file, std::uint64_t n) {
  for (int i = 0; i < 8; ++i)
    file[static_cast<std::size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
}

using varscope::testing::error_of;

// A graph with variables of several dtypes in two scopes; `seed` changes the random values.
struct Model {
  vs::Graph g;
  vs::Variable w, b, steps, counts, table, a2;

  explicit Model(const std::string& scope = "v_scope",
                 std::int64_t seed = 7,
                 vs::Shape w_shape = vs::Shape{2, 3},
                 vs::DType steps_dtype = vs::DType::kInt64) {
    g.set_random_seed(seed);
    {
      auto s = g.variable_scope(scope);
      w = g.get_variable("Weights", {.shape = w_shape});
      b = g.get_variable(
          "bias", {.shape = vs::Shape{3},
                   .initializer = vs::constant_initializer(0.5 + static_cast<double>(seed))});
      steps = g.get_variable(
          "steps", {.shape = vs::Shape{},
                    .dtype = steps_dtype,
                    .initializer = vs::constant_initializer(static_cast<double>(seed * 1000))});
      counts = g.get_variable(
          "counts",
          {.shape = vs::Shape{4},
           .dtype = vs::DType::kInt32,
           .initializer = vs::constant_initializer({1, 2, 3, static_cast<double>(seed)})});
      table = g.get_variable("table", {.shape = vs::Shape{2, 2},
                                       .dtype = vs::DType::kFloat64,
                                       .initializer = vs::random_normal_initializer()});
    }
    {
      auto s = g.name_scope("V1");
      a2 = g.variable(vs::random_normal(g, {2, 3}), {.name = "a2"});
    }
  }
  std::vector<vs::Variable> all() const { return {w, b, steps, counts, table, a2}; }
  std::vector<vs::HostTensor> values(vs::Session& sess) const {
    std::vector<vs::HostTensor> out;
    for (const vs::Variable& v : all())
      out.push_back(sess.run(v));
    return out;
  }
};

inline std::vector<std::string> keys_of(const std::map<std::string, vs::HostTensor>& m) {
  std::vector<std::string> out;
  for (const auto& kv : m)
    out.push_back(kv.first);
  return out;
}

}  // namespace checkpoint_test
