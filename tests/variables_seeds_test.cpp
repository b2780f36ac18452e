// The op-level seed rules (RS1-RS4) with the name-derived op seed (docs/differences.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include "test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;

namespace {

using varscope::testing::error_of;

using varscope::testing::DoesNotExist;
using varscope::testing::ExpectAlreadyExists;
using varscope::testing::HasNumber;
using varscope::testing::Names;
using varscope::testing::Scalar;

std::pair<std::int64_t, std::int64_t> Seeds(const vs::Graph& g, const std::string& op_name) {
  const vs::Operation op = g.get_operation_by_name(op_name);
  return {op.attr_int("seed"), op.attr_int("seed2")};
}

using SeedPair = std::pair<std::int64_t, std::int64_t>;
constexpr std::int64_t kDefaultGraphSeed = 87654321;
constexpr std::int64_t kMaxInt32 = 2147483647;

}  // namespace

// =============================================================================================
// Seeds (RS1-RS4), with the name-derived op seed of docs/differences.md
// =============================================================================================

TEST(Seeds, RS2_NoSeedsLeaveZeros) {
  vs::Graph g;
  EXPECT_FALSE(g.seed().has_value());
  vs::random_uniform(g, vs::Shape{2});
  g.get_variable("v", {.shape = vs::Shape{2, 3}});
  EXPECT_EQ(Seeds(g, "random_uniform/RandomUniform"), SeedPair(0, 0));
  EXPECT_EQ(Seeds(g, "v/Initializer/random_uniform/RandomUniform"), SeedPair(0, 0));
}

TEST(Seeds, RS2_OpSeedOnlyUsesTheDefaultGraphSeed) {
  vs::Graph g;
  vs::random_uniform(g, vs::Shape{2}, {.seed = 5});
  vs::random_normal(g, vs::Shape{2}, {.seed = 7});
  vs::truncated_normal(g, vs::Shape{2}, {.seed = 9});
  g.get_variable(
      "v", {.shape = vs::Shape{2, 3}, .initializer = vs::glorot_uniform_initializer({.seed = 11})});
  EXPECT_EQ(Seeds(g, "random_uniform/RandomUniform"), SeedPair(kDefaultGraphSeed, 5));
  EXPECT_EQ(Seeds(g, "random_normal/RandomStandardNormal"), SeedPair(kDefaultGraphSeed, 7));
  EXPECT_EQ(Seeds(g, "truncated_normal/TruncatedNormal"), SeedPair(kDefaultGraphSeed, 9));
  EXPECT_EQ(Seeds(g, "v/Initializer/random_uniform/RandomUniform"),
            SeedPair(kDefaultGraphSeed, 11));
}

TEST(Seeds, RS2_GraphAndOpSeed) {
  vs::Graph g;
  g.set_random_seed(1234);
  ASSERT_TRUE(g.seed().has_value());
  EXPECT_EQ(*g.seed(), 1234);
  vs::random_uniform(g, vs::Shape{2}, {.seed = 5});
  g.get_variable(
      "v", {.shape = vs::Shape{2, 3}, .initializer = vs::glorot_normal_initializer({.seed = 6})});
  EXPECT_EQ(Seeds(g, "random_uniform/RandomUniform"), SeedPair(1234, 5));
  EXPECT_EQ(Seeds(g, "v/Initializer/truncated_normal/TruncatedNormal"), SeedPair(1234, 6));
}

TEST(Seeds, RS4_Truncation) {
  vs::Graph g;
  vs::random_uniform(g, vs::Shape{1}, {.seed = -1, .name = "neg"});
  EXPECT_EQ(Seeds(g, "neg/RandomUniform"), SeedPair(kDefaultGraphSeed, 2147483646));
  g.set_random_seed(kMaxInt32);
  vs::random_uniform(g, vs::Shape{1}, {.seed = 7, .name = "max"});
  EXPECT_EQ(Seeds(g, "max/RandomUniform"), SeedPair(0, 7));
  g.set_random_seed(0);
  vs::random_uniform(g, vs::Shape{1}, {.seed = 0, .name = "zero"});
  EXPECT_EQ(Seeds(g, "zero/RandomUniform"), SeedPair(0, kMaxInt32));
  g.set_random_seed(std::int64_t{2147483648} + 5);
  vs::random_uniform(g, vs::Shape{1}, {.seed = 3, .name = "wrap"});
  EXPECT_EQ(Seeds(g, "wrap/RandomUniform"), SeedPair(6, 3));
}

TEST(Seeds, RS1_SetRandomSeedAffectsOnlyLaterOps) {
  vs::Graph g;
  vs::random_uniform(g, vs::Shape{1}, {.name = "before"});
  g.set_random_seed(1234);
  vs::random_uniform(g, vs::Shape{1}, {.name = "after"});
  EXPECT_EQ(Seeds(g, "before/RandomUniform"), SeedPair(0, 0));
  EXPECT_EQ(Seeds(g, "after/RandomUniform").first, 1234);
}

namespace {

// The graph seed only: what TF does with the op count, varscope does with the op name.
void BuildSeeded(vs::Graph& g, bool unrelated_op_first) {
  g.set_random_seed(1234);
  if (unrelated_op_first) {
    vs::constant(g, 1.0f, {.name = "unrelated"});
    vs::random_uniform(g, vs::Shape{4}, {.name = "noise"});
  }
  g.get_variable("v", {.shape = vs::Shape{2, 3}});
  g.get_variable("w", {.shape = vs::Shape{2, 3}});
}

constexpr const char* kVRandom = "v/Initializer/random_uniform/RandomUniform";
constexpr const char* kWRandom = "w/Initializer/random_uniform/RandomUniform";

}  // namespace

TEST(Seeds, GraphSeedOnly_SameBuildSameSeeds) {
  vs::Graph g1;
  vs::Graph g2;
  BuildSeeded(g1, false);
  BuildSeeded(g2, false);
  EXPECT_EQ(Seeds(g1, kVRandom).first, 1234);
  EXPECT_EQ(Seeds(g1, kWRandom).first, 1234);
  EXPECT_EQ(Seeds(g1, kVRandom), Seeds(g2, kVRandom));
  EXPECT_EQ(Seeds(g1, kWRandom), Seeds(g2, kWRandom));
}

TEST(Seeds, GraphSeedOnly_UnrelatedOpsDoNotShiftSeeds) {
  vs::Graph g1;
  vs::Graph g2;
  BuildSeeded(g1, false);
  BuildSeeded(g2, true);
  ASSERT_GT(g2.num_operations(), g1.num_operations());
  EXPECT_EQ(Seeds(g1, kVRandom), Seeds(g2, kVRandom));
  EXPECT_EQ(Seeds(g1, kWRandom), Seeds(g2, kWRandom));
}

TEST(Seeds, GraphSeedOnly_DifferentVariablesDifferentSeeds) {
  vs::Graph g;
  BuildSeeded(g, false);
  EXPECT_NE(Seeds(g, kVRandom).second, Seeds(g, kWRandom).second);
  EXPECT_NE(Seeds(g, kVRandom), SeedPair(0, 0));
}
