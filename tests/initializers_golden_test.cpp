// InitializerGolden pins the exact bits of a few seeded initializers on the CPU backend to
// tests/golden/initializers.txt (regenerate only on purpose: VARSCOPE_REGENERATE_GOLDEN=1).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <functional>
#include <map>
#include <numbers>
#include <optional>
#include <sstream>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include "backend_test.h"
#include "initializers_test_util.h"
#include "test_util.h"
#include "varscope/varscope.h"

#ifndef VARSCOPE_GOLDEN_DIR
#error "VARSCOPE_GOLDEN_DIR must name the directory of initializers.txt (tests/golden)"
#endif

namespace vs = varscope;
using namespace initializers_test;  // NOLINT: the checks and fixture of initializers_test_util.h

namespace {

// ---------------------------------------------------------------------------------------------
// Golden values: the exact bits of seeded initializers on the CPU backend
// ---------------------------------------------------------------------------------------------

constexpr int kGoldenCount = 16;
const std::string kGoldenFile = std::string(VARSCOPE_GOLDEN_DIR) + "/initializers.txt";

struct GoldenCase {
  std::string name;
  std::optional<std::int64_t> graph_seed;
  vs::Initializer init;
  vs::Shape shape;
  vs::DType dtype;
};

std::vector<GoldenCase> GoldenCases() {
  return {
      {"random_uniform_f32", std::nullopt,
       vs::random_uniform_initializer({.minval = -1, .maxval = 3, .seed = 42}), vs::Shape{8, 8},
       vs::DType::kFloat32},
      {"random_normal_f32", std::nullopt,
       vs::random_normal_initializer({.mean = 0.5, .stddev = 2.0, .seed = 7}), vs::Shape{64},
       vs::DType::kFloat32},
      {"truncated_normal_f32", 99, vs::truncated_normal_initializer({.stddev = 0.1, .seed = 3}),
       vs::Shape{4, 16}, vs::DType::kFloat32},
      // Graph seed only: also pins the op seed derived from the op's name.
      {"glorot_uniform_f32", 1234, vs::glorot_uniform_initializer(), vs::Shape{16, 32},
       vs::DType::kFloat32},
      {"random_uniform_int32", std::nullopt,
       vs::random_uniform_initializer({.minval = -100, .maxval = 100, .seed = 11}), vs::Shape{64},
       vs::DType::kInt32},
      {"random_normal_f64", std::nullopt, vs::random_normal_initializer({.seed = 5}), vs::Shape{64},
       vs::DType::kFloat64},
  };
}

// "<name> <dtype> <hex bits of the first 16 elements>", as written to the file.
std::string GoldenLine(const GoldenCase& c) {
  vs::Graph g;
  if (c.graph_seed) g.set_random_seed(*c.graph_seed);
  const vs::Variable v =
      g.get_variable("v", {.shape = c.shape, .dtype = c.dtype, .initializer = c.init});
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  sess.run(g.global_variables_initializer());
  const vs::HostTensor t = sess.run(v);
  std::string line = c.name + " " + std::string(vs::dtype_name(c.dtype));
  const std::size_t size = vs::dtype_size(c.dtype);
  for (int i = 0; i < kGoldenCount; ++i) {
    char hex[17];
    if (size == 8) {
      std::uint64_t bits = 0;
      std::memcpy(&bits, static_cast<const char*>(t.raw_data()) + i * size, size);
      std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(bits));
    } else {
      std::uint32_t bits = 0;
      std::memcpy(&bits, static_cast<const char*>(t.raw_data()) + i * size, size);
      std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(bits));
    }
    line += " ";
    line += hex;
  }
  return line;
}

TEST(InitializerGolden, CpuBitsMatchTheCommittedFile) {
  std::vector<std::string> lines;
  for (const GoldenCase& c : GoldenCases())
    lines.push_back(GoldenLine(c));

  const char* regen = std::getenv("VARSCOPE_REGENERATE_GOLDEN");
  if (regen != nullptr && std::string(regen) == "1") {
    std::ofstream out(kGoldenFile);
    ASSERT_TRUE(out) << "cannot write " << kGoldenFile;
    out << "# varscope golden initial values: the first " << kGoldenCount
        << " elements of seeded initializers on the CPU\n"
        << "# backend, as hex bit patterns (uint32 for float32/int32, uint64 for float64).\n"
        << "# Format: <case> <dtype> <bits>... (cases in tests/initializers_golden_test.cpp).\n"
        << "# Regenerate only on purpose (the test then fails to say it did):\n"
        << "#   VARSCOPE_REGENERATE_GOLDEN=1 initializers_test "
           "--gtest_filter=InitializerGolden.*\n";
    for (const std::string& l : lines)
      out << l << "\n";
    out.close();
    ASSERT_TRUE(out) << "error writing " << kGoldenFile;
    FAIL() << "regenerated " << kGoldenFile << " (VARSCOPE_REGENERATE_GOLDEN=1); review and "
           << "commit it, then run again without the variable";
  }

  std::ifstream in(kGoldenFile);
  ASSERT_TRUE(in) << "cannot read " << kGoldenFile;
  std::map<std::string, std::string> golden;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::string name = line.substr(0, line.find(' '));
    EXPECT_TRUE(golden.emplace(name, line).second) << "duplicate case " << name;
  }
  std::size_t checked = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string name = lines[i].substr(0, lines[i].find(' '));
    const auto it = golden.find(name);
    if (it == golden.end()) {
      ADD_FAILURE() << "case " << name << " is missing from " << kGoldenFile;
      continue;
    }
    ++checked;
    EXPECT_EQ(lines[i], it->second) << "bits of " << name << " changed (got first, golden second)";
  }
  EXPECT_EQ(checked, golden.size()) << kGoldenFile << " has cases this test no longer makes";
}

}  // namespace
