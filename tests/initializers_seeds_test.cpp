// The value-level seed rules RS1-RS5: graph and op seeds, reruns, sessions.
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

namespace vs = varscope;
using namespace initializers_test;  // NOLINT: the checks and fixture of initializers_test_util.h

namespace {

// ---------------------------------------------------------------------------------------------
// Seeds: values (RS2, RS5, the name-derived op seed of docs/differences.md)
// ---------------------------------------------------------------------------------------------

class InitializerSeeds : public vs::testing::BackendTest {
 protected:
  struct Model {
    vs::Graph g;
    vs::Variable kernel, bias, table;
  };

  // A small model: glorot kernel, normal bias, int table. `unrelated` first adds ops and a
  // random op that have nothing to do with the variables.
  static Model Build(std::optional<std::int64_t> graph_seed,
                     std::optional<std::int64_t> op_seed = std::nullopt,
                     bool unrelated = false) {
    Model m;
    if (graph_seed) m.g.set_random_seed(*graph_seed);
    if (unrelated) {
      vs::constant(m.g, 1.0f, {.name = "unrelated"});
      vs::random_normal(m.g, vs::Shape{5}, {.name = "noise"});
      m.g.get_variable("extra", {.shape = vs::Shape{3}});
    }
    auto scope = m.g.variable_scope("dense");
    m.kernel = m.g.get_variable("kernel",
                                {.shape = vs::Shape{32, 64},
                                 .initializer = vs::glorot_uniform_initializer({.seed = op_seed})});
    m.bias = m.g.get_variable(
        "bias",
        {.shape = vs::Shape{64}, .initializer = vs::random_normal_initializer({.seed = op_seed})});
    m.table = m.g.get_variable("table", {.shape = vs::Shape{100},
                                         .dtype = vs::DType::kInt32,
                                         .initializer = vs::random_uniform_initializer(
                                             {.minval = 0, .maxval = 1000000, .seed = op_seed})});
    return m;
  }

  std::vector<vs::HostTensor> Values(Model& m) {
    vs::Session sess(m.g, options());
    sess.run(m.g.global_variables_initializer());
    return {sess.run(m.kernel), sess.run(m.bias), sess.run(m.table)};
  }

  static void ExpectSame(const std::vector<vs::HostTensor>& a,
                         const std::vector<vs::HostTensor>& b) {
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i)
      EXPECT_TRUE(SameBits(a[i], b[i])) << "variable " << i;
  }
  // Two independent draws: at most a handful of equal elements (int table: 1e-6 each).
  static void ExpectDifferent(const std::vector<vs::HostTensor>& a,
                              const std::vector<vs::HostTensor>& b) {
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      EXPECT_LE(EqualElements(a[i], b[i]), 2) << "variable " << i << " repeats the other draw";
    }
  }
};
VARSCOPE_INSTANTIATE_ON_BACKENDS(InitializerSeeds);

TEST_P(InitializerSeeds, GraphSeedOnly_SameGraphSameValuesAcrossSessions) {
  Model m1 = Build(kGraphSeed);
  Model m2 = Build(kGraphSeed);
  const auto first = Values(m1);
  ExpectSame(first, Values(m2));
  ExpectSame(first, Values(m1));  // a second session on the same graph
}

TEST_P(InitializerSeeds, GraphSeedOnly_OtherGraphSeedOtherValues) {
  Model m1 = Build(kGraphSeed);
  Model m2 = Build(kGraphSeed + 1);
  ExpectDifferent(Values(m1), Values(m2));
}

TEST_P(InitializerSeeds, OpSeedOnly_SameValuesAcrossSessions) {
  Model m1 = Build(std::nullopt, 42);
  Model m2 = Build(std::nullopt, 42);
  const auto first = Values(m1);
  ExpectSame(first, Values(m2));
  ExpectSame(first, Values(m1));
  Model m3 = Build(std::nullopt, 43);
  ExpectDifferent(first, Values(m3));
}

TEST_P(InitializerSeeds, GraphAndOpSeed_ValuesDependOnBoth) {
  Model a = Build(kGraphSeed, 42);
  Model b = Build(kGraphSeed, 42);
  Model c = Build(kGraphSeed + 1, 42);
  Model d = Build(std::nullopt, 42);  // (87654321, 42)
  const auto va = Values(a);
  ExpectSame(va, Values(b));
  ExpectDifferent(va, Values(c));
  ExpectDifferent(va, Values(d));
}

TEST_P(InitializerSeeds, ExplicitSeedsIgnoreTheName) {
  // (graph seed, op seed) fix the stream whatever the op is called, as in TF.
  vs::Graph g;
  g.set_random_seed(kGraphSeed);
  const vs::Initializer init = vs::random_normal_initializer({.seed = 9});
  const vs::Variable a = g.get_variable("a", {.shape = vs::Shape{256}, .initializer = init});
  const vs::Variable b = g.get_variable("b", {.shape = vs::Shape{256}, .initializer = init});
  vs::Session sess(g, options());
  sess.run(g.global_variables_initializer());
  EXPECT_TRUE(SameBits(sess.run(a), sess.run(b)));
}

TEST_P(InitializerSeeds, NoSeeds_SessionsDiffer) {
  Model m = Build(std::nullopt);
  const auto first = Values(m);
  ExpectDifferent(first, Values(m));
  Model m2 = Build(std::nullopt);
  ExpectDifferent(first, Values(m2));
}

TEST_P(InitializerSeeds, NoSeeds_VariablesDiffer) {
  vs::Graph g;
  const vs::Variable a = g.get_variable("a", {.shape = vs::Shape{1000}});
  const vs::Variable b = g.get_variable("b", {.shape = vs::Shape{1000}});
  vs::Session sess(g, options());
  sess.run(g.global_variables_initializer());
  EXPECT_LE(EqualElements(sess.run(a), sess.run(b)), 2);
}

TEST_P(InitializerSeeds, GraphSeedOnly_VariablesWithTheSameInitializerDiffer) {
  vs::Graph g;
  g.set_random_seed(kGraphSeed);
  const vs::Initializer init = vs::random_uniform_initializer();
  const vs::Variable a = g.get_variable("a", {.shape = vs::Shape{1000}, .initializer = init});
  const vs::Variable b = g.get_variable("b", {.shape = vs::Shape{1000}, .initializer = init});
  std::vector<vs::Variable> more;
  {
    auto scope = g.variable_scope("layer");
    more.push_back(g.get_variable("a", {.shape = vs::Shape{1000}, .initializer = init}));
  }
  vs::Session sess(g, options());
  sess.run(g.global_variables_initializer());
  const vs::HostTensor va = sess.run(a);
  EXPECT_LE(EqualElements(va, sess.run(b)), 2);
  EXPECT_LE(EqualElements(va, sess.run(more[0])), 2);
}

TEST_P(InitializerSeeds, GraphSeedOnly_UnrelatedOpsDoNotChangeValues) {
  Model plain = Build(kGraphSeed);
  Model busy = Build(kGraphSeed, std::nullopt, /*unrelated=*/true);
  ASSERT_GT(busy.g.num_operations(), plain.g.num_operations());
  ExpectSame(Values(plain), Values(busy));
}

TEST_P(InitializerSeeds, RerunContinuesTheStreamAndANewSessionRestartsIt) {
  for (const std::optional<std::int64_t> op_seed :
       std::vector<std::optional<std::int64_t>>{std::nullopt, 7}) {
    SCOPED_TRACE(op_seed ? "op seed" : "graph seed only");
    Model m = Build(kGraphSeed, op_seed);
    vs::Session sess(m.g, options());
    sess.run(m.g.global_variables_initializer());
    const std::vector<vs::HostTensor> first{sess.run(m.kernel), sess.run(m.bias),
                                            sess.run(m.table)};
    sess.run(m.g.global_variables_initializer());
    const std::vector<vs::HostTensor> second{sess.run(m.kernel), sess.run(m.bias),
                                             sess.run(m.table)};
    // Re-running one variable's own initializer continues too.
    sess.run(m.kernel.initializer());
    const vs::HostTensor third_kernel = sess.run(m.kernel);
    ExpectDifferent(first, second);
    EXPECT_LE(EqualElements(third_kernel, first[0]), 2);
    EXPECT_LE(EqualElements(third_kernel, second[0]), 2);
    ExpectSame(first, Values(m));  // a new session starts over
  }
}

TEST_P(InitializerSeeds, RerunDrawsTheWordsThatFollow) {
  // A variable of the same name (so the same seeds) and three times the size draws the first
  // run's values and then the re-run's: the stream continues where the first run stopped. An
  // odd-sized draw may pad itself to an even number of elements (normals come in pairs), so
  // the re-run starts at element n or n + 1 of the long draw, never inside the first run.
  struct Case {
    const char* what;
    vs::Initializer init;
    std::int64_t n;
    vs::DType dtype;
  };
  const std::vector<Case> cases{
      {"uniform, even", vs::random_uniform_initializer(), 1000, vs::DType::kFloat32},
      {"uniform, odd", vs::random_uniform_initializer(), 1001, vs::DType::kFloat32},
      {"normal, even", vs::random_normal_initializer(), 1000, vs::DType::kFloat32},
      {"normal, odd", vs::random_normal_initializer(), 999, vs::DType::kFloat32},
      {"truncated, odd", vs::truncated_normal_initializer(), 333, vs::DType::kFloat32},
      {"float64 normal, odd", vs::random_normal_initializer(), 77, vs::DType::kFloat64},
      {"int64 uniform, odd", vs::random_uniform_initializer({.minval = 0, .maxval = 1e15}), 101,
       vs::DType::kInt64},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    vs::Graph g;
    g.set_random_seed(kGraphSeed);
    const vs::Variable v =
        g.get_variable("v", {.shape = vs::Shape{c.n}, .dtype = c.dtype, .initializer = c.init});
    vs::Graph g3;
    g3.set_random_seed(kGraphSeed);
    const vs::Variable v3 = g3.get_variable(
        "v", {.shape = vs::Shape{3 * c.n}, .dtype = c.dtype, .initializer = c.init});

    vs::Session sess(g, options());
    sess.run(v.initializer());
    const vs::HostTensor first = sess.run(v);
    sess.run(v.initializer());
    const vs::HostTensor second = sess.run(v);
    vs::Session sess3(g3, options());
    sess3.run(v3.initializer());
    const vs::HostTensor all = sess3.run(v3);

    const std::size_t size = vs::dtype_size(c.dtype);
    const auto* f = static_cast<const char*>(first.raw_data());
    const auto* s = static_cast<const char*>(second.raw_data());
    const auto* a = static_cast<const char*>(all.raw_data());
    const std::size_t bytes = static_cast<std::size_t>(c.n) * size;
    EXPECT_EQ(std::memcmp(f, a, bytes), 0) << "the first run is not the start of the stream";
    const bool at_n = std::memcmp(s, a + c.n * size, bytes) == 0;
    const bool at_n_plus_1 = std::memcmp(s, a + (c.n + 1) * size, bytes) == 0;
    EXPECT_TRUE(at_n || (c.n % 2 == 1 && at_n_plus_1))
        << "the re-run does not continue the stream right after the first run";
  }
}

}  // namespace
