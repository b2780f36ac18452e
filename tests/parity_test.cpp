// CPU/GPU bit parity of initial values (docs/tf1-semantics.md I1-I7, RS5): for every initializer
// kind, one seeded graph is run in a CPU session and in a CUDA session and the fetched bytes must
// be identical, including odd element counts, float64, int32/int64 and re-runs in the same session
// (the Philox stream continues identically on both). Needs a CUDA device: skips, visibly, where
// there is none.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "gpu_test.h"
#include "test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;

namespace {

constexpr std::int64_t kGraphSeed = 1234;

// Element counts: a single element, odd counts below and above a warp/block, a large odd one.
const std::vector<std::int64_t> kCounts{1, 2, 7, 1001, 65537, 1000003};

using vs::testing::SameBytes;

// prefix + k (appending: GCC 12 warns spuriously on "literal" + std::string temporaries).
std::string Name(const std::string& prefix, std::int64_t k) {
  std::string name = prefix;
  name += std::to_string(k);
  return name;
}

struct Spec {
  std::string name;  // the variable's name
  vs::Initializer init;
  vs::Shape shape;
  vs::DType dtype = vs::DType::kFloat32;
};

class GpuParity : public ::testing::Test {
 protected:
  void SetUp() override { VARSCOPE_SKIP_WITHOUT_GPU(); }

  // Builds one graph holding a variable per spec (graph seed kGraphSeed unless told
  // otherwise), runs global_variables_initializer `runs` times in a CPU session and in a
  // CUDA session, and compares every variable's value after every run.
  static void ExpectParity(const std::vector<Spec>& specs,
                           int runs = 1,
                           std::optional<std::int64_t> graph_seed = kGraphSeed) {
    vs::Graph g;
    if (graph_seed) g.set_random_seed(*graph_seed);
    std::vector<vs::Variable> vars;
    for (const Spec& s : specs) {
      vars.push_back(
          g.get_variable(s.name, {.shape = s.shape, .dtype = s.dtype, .initializer = s.init}));
    }
    vs::Session cpu(g, {.device = vs::DeviceKind::kCpu});
    vs::Session gpu(g, {.device = vs::DeviceKind::kCuda});
    ASSERT_EQ(cpu.device(), vs::DeviceKind::kCpu);
    ASSERT_EQ(gpu.device(), vs::DeviceKind::kCuda);
    for (int run = 0; run < runs; ++run) {
      cpu.run(g.global_variables_initializer());
      gpu.run(g.global_variables_initializer());
      for (std::size_t i = 0; i < vars.size(); ++i) {
        const vs::HostTensor c = cpu.run(vars[i]);
        const vs::HostTensor d = gpu.run(vars[i]);
        ASSERT_EQ(c.num_elements(), specs[i].shape.num_elements());
        EXPECT_TRUE(SameBytes(c, d))
            << specs[i].name << " " << specs[i].shape << " " << specs[i].dtype << ", run " << run;
      }
    }
  }

  // One variable per element count in kCounts, each a 1-D vector.
  static void ExpectParityAtAllCounts(const vs::Initializer& init,
                                      vs::DType dtype = vs::DType::kFloat32) {
    std::vector<Spec> specs;
    for (const std::int64_t n : kCounts) {
      specs.push_back({Name("v", n), init, vs::Shape{n}, dtype});
    }
    ExpectParity(specs);
  }
};

// --- I1, I2: deterministic fills, for completeness ---

TEST_F(GpuParity, ZerosOnesConstant) {
  std::vector<Spec> specs;
  for (const vs::DType dtype :
       {vs::DType::kFloat32, vs::DType::kFloat64, vs::DType::kInt32, vs::DType::kInt64}) {
    const std::string d(vs::dtype_name(dtype));
    specs.push_back(
        {std::string("zeros_").append(d), vs::zeros_initializer(), vs::Shape{7, 3}, dtype});
    specs.push_back(
        {std::string("ones_").append(d), vs::ones_initializer(), vs::Shape{1001}, dtype});
    specs.push_back({std::string("const_").append(d),
                     vs::constant_initializer(std::vector<double>{1, 2, 3, 4}), vs::Shape{3, 5},
                     dtype});
  }
  specs.push_back({"const_scalar", vs::constant_initializer(0.1), vs::Shape{7}});
  specs.push_back(
      {"const_scalar_f64", vs::constant_initializer(0.1), vs::Shape{7}, vs::DType::kFloat64});
  ExpectParity(specs);
}

// --- I3: random_uniform ---

TEST_F(GpuParity, RandomUniformFloat32) {
  ExpectParityAtAllCounts(vs::random_uniform_initializer());
  ExpectParityAtAllCounts(vs::random_uniform_initializer({.minval = -2.5, .maxval = 0.75}));
}

TEST_F(GpuParity, RandomUniformFloat64) {
  ExpectParityAtAllCounts(vs::random_uniform_initializer(), vs::DType::kFloat64);
  ExpectParityAtAllCounts(vs::random_uniform_initializer({.minval = -3, .maxval = 5}),
                          vs::DType::kFloat64);
}

TEST_F(GpuParity, RandomUniformInt32) {
  ExpectParityAtAllCounts(vs::random_uniform_initializer({.minval = -5, .maxval = 7}),
                          vs::DType::kInt32);
  ExpectParityAtAllCounts(
      vs::random_uniform_initializer({.minval = -2147483648.0, .maxval = 2147483647.0}),
      vs::DType::kInt32);
}

TEST_F(GpuParity, RandomUniformInt64) {
  ExpectParityAtAllCounts(vs::random_uniform_initializer({.minval = 10, .maxval = 20}),
                          vs::DType::kInt64);
  ExpectParityAtAllCounts(
      vs::random_uniform_initializer({.minval = -1099511627776.0, .maxval = 1099511627776.0}),
      vs::DType::kInt64);
}

// --- I4, I5: random_normal, truncated_normal ---

TEST_F(GpuParity, RandomNormalFloat32) {
  ExpectParityAtAllCounts(vs::random_normal_initializer());
  ExpectParityAtAllCounts(vs::random_normal_initializer({.mean = 2.0, .stddev = 3.0}));
}

TEST_F(GpuParity, RandomNormalFloat64) {
  ExpectParityAtAllCounts(vs::random_normal_initializer(), vs::DType::kFloat64);
  ExpectParityAtAllCounts(vs::random_normal_initializer({.mean = -1.0, .stddev = 0.5}),
                          vs::DType::kFloat64);
}

TEST_F(GpuParity, TruncatedNormalFloat32) {
  ExpectParityAtAllCounts(vs::truncated_normal_initializer());
  ExpectParityAtAllCounts(vs::truncated_normal_initializer({.mean = 1.5, .stddev = 0.5}));
}

TEST_F(GpuParity, TruncatedNormalFloat64) {
  ExpectParityAtAllCounts(vs::truncated_normal_initializer(), vs::DType::kFloat64);
  ExpectParityAtAllCounts(vs::truncated_normal_initializer({.stddev = 2.0}), vs::DType::kFloat64);
}

// --- I6, I7: variance scaling (every mode x distribution) and Glorot ---

TEST_F(GpuParity, VarianceScalingEveryModeAndDistribution) {
  const std::vector<vs::Shape> shapes{vs::Shape{}, vs::Shape{7}, vs::Shape{37, 29},
                                      vs::Shape{3, 3, 5, 7}, vs::Shape{1001, 3}};
  for (const vs::DType dtype : {vs::DType::kFloat32, vs::DType::kFloat64}) {
    std::vector<Spec> specs;
    int k = 0;
    for (const vs::FanMode mode :
         {vs::FanMode::kFanIn, vs::FanMode::kFanOut, vs::FanMode::kFanAvg}) {
      for (const vs::Distribution dist :
           {vs::Distribution::kTruncatedNormal, vs::Distribution::kUntruncatedNormal,
            vs::Distribution::kUniform}) {
        for (const vs::Shape& shape : shapes) {
          specs.push_back(
              {Name("vs", k++),
               vs::variance_scaling_initializer({.scale = 2.0, .mode = mode, .distribution = dist}),
               shape, dtype});
        }
      }
    }
    SCOPED_TRACE(vs::dtype_name(dtype));
    ExpectParity(specs);
  }
}

TEST_F(GpuParity, Glorot) {
  const std::vector<vs::Shape> shapes{
      vs::Shape{},          vs::Shape{1}, vs::Shape{7}, vs::Shape{784, 10}, vs::Shape{3, 3, 16, 33},
      vs::Shape{1001, 1001}};
  std::vector<Spec> specs;
  int k = 0;
  for (const vs::Shape& shape : shapes) {
    specs.push_back({Name("gu", k), vs::glorot_uniform_initializer(), shape});
    specs.push_back({Name("gn", k), vs::glorot_normal_initializer(), shape});
    specs.push_back(
        {Name("gu64_", k), vs::glorot_uniform_initializer(), shape, vs::DType::kFloat64});
    specs.push_back(
        {Name("gn64_", k), vs::glorot_normal_initializer(), shape, vs::DType::kFloat64});
    ++k;
  }
  ExpectParity(specs);
}

TEST_F(GpuParity, DefaultInitializer) {
  // get_variable without an initializer: glorot_uniform for floats, zeros for ints.
  vs::Graph g;
  g.set_random_seed(kGraphSeed);
  const vs::Variable w = g.get_variable("w", {.shape = vs::Shape{129, 65}});
  const vs::Variable n = g.get_variable("n", {.shape = vs::Shape{9}, .dtype = vs::DType::kInt64});
  vs::Session cpu(g, {.device = vs::DeviceKind::kCpu});
  vs::Session gpu(g, {.device = vs::DeviceKind::kCuda});
  cpu.run(g.global_variables_initializer());
  gpu.run(g.global_variables_initializer());
  EXPECT_TRUE(SameBytes(cpu.run(w), gpu.run(w)));
  EXPECT_TRUE(SameBytes(cpu.run(n), gpu.run(n)));
}

// --- seeds and streams ---

std::vector<Spec> MixedSpecs(std::optional<std::int64_t> op_seed) {
  return {
      {"u", vs::random_uniform_initializer({.minval = -1, .maxval = 1, .seed = op_seed}),
       vs::Shape{1001}},
      {"z", vs::random_normal_initializer({.seed = op_seed}), vs::Shape{7}},
      {"z64", vs::random_normal_initializer({.seed = op_seed}), vs::Shape{1001},
       vs::DType::kFloat64},
      {"t", vs::truncated_normal_initializer({.seed = op_seed}), vs::Shape{33, 31}},
      {"t64", vs::truncated_normal_initializer({.seed = op_seed}), vs::Shape{1},
       vs::DType::kFloat64},
      {"i", vs::random_uniform_initializer({.minval = 0, .maxval = 1000, .seed = op_seed}),
       vs::Shape{1001}, vs::DType::kInt32},
      {"l", vs::random_uniform_initializer({.minval = -7, .maxval = 1e12, .seed = op_seed}),
       vs::Shape{7}, vs::DType::kInt64},
      {"g", vs::glorot_uniform_initializer({.seed = op_seed}), vs::Shape{31, 17}},
      {"gn", vs::glorot_normal_initializer({.seed = op_seed}), vs::Shape{31, 17}},
  };
}

TEST_F(GpuParity, GraphSeedOnly) {
  ExpectParity(MixedSpecs(std::nullopt));
}

TEST_F(GpuParity, OpSeedOnly) {
  ExpectParity(MixedSpecs(42), 1, std::nullopt);
}

TEST_F(GpuParity, GraphAndOpSeed) {
  ExpectParity(MixedSpecs(42));
}

TEST_F(GpuParity, ZeroSeedsAreStillDeterministic) {
  // Graph seed 0 with op seed 0 becomes (0, 2^31 - 1): seeded, so both backends agree.
  ExpectParity(MixedSpecs(0), 1, 0);
}

TEST_F(GpuParity, RerunsInOneSessionContinueTheStreamIdentically) {
  ExpectParity(MixedSpecs(std::nullopt), /*runs=*/4);
  ExpectParity(MixedSpecs(5), /*runs=*/3, std::nullopt);
}

TEST_F(GpuParity, RerunOfOneVariableOnly) {
  // Re-running one variable's initializer advances only its stream, on both backends alike.
  vs::Graph g;
  g.set_random_seed(kGraphSeed);
  const vs::Variable a = g.get_variable(
      "a", {.shape = vs::Shape{1001}, .initializer = vs::random_normal_initializer()});
  const vs::Variable b = g.get_variable(
      "b", {.shape = vs::Shape{7}, .initializer = vs::truncated_normal_initializer()});
  vs::Session cpu(g, {.device = vs::DeviceKind::kCpu});
  vs::Session gpu(g, {.device = vs::DeviceKind::kCuda});
  cpu.run(g.global_variables_initializer());
  gpu.run(g.global_variables_initializer());
  for (int i = 0; i < 3; ++i) {
    cpu.run(a.initializer());
    gpu.run(a.initializer());
  }
  cpu.run(g.global_variables_initializer());
  gpu.run(g.global_variables_initializer());
  EXPECT_TRUE(SameBytes(cpu.run(a), gpu.run(a)));
  EXPECT_TRUE(SameBytes(cpu.run(b), gpu.run(b)));
}

TEST_F(GpuParity, RandomOpsFetchedDirectly) {
  // The random ops themselves (not through variables), fetched together, twice.
  vs::Graph g;
  g.set_random_seed(kGraphSeed);
  const std::vector<vs::Tensor> fetches{
      vs::random_uniform(g, vs::Shape{1001}),
      vs::random_uniform(g, vs::Shape{7}, {.dtype = vs::DType::kFloat64}),
      vs::random_uniform(g, vs::Shape{9}, {.minval = -3, .maxval = 3, .dtype = vs::DType::kInt32}),
      vs::random_normal(g, vs::Shape{1}, {.mean = 1, .stddev = 2}),
      vs::random_normal(g, vs::Shape{65537}, {.dtype = vs::DType::kFloat64}),
      vs::truncated_normal(g, vs::Shape{1001}, {.seed = 3}),
      vs::truncated_normal(g, vs::Shape{7}, {.dtype = vs::DType::kFloat64}),
  };
  vs::Session cpu(g, {.device = vs::DeviceKind::kCpu});
  vs::Session gpu(g, {.device = vs::DeviceKind::kCuda});
  for (int run = 0; run < 2; ++run) {
    const std::vector<vs::HostTensor> c = cpu.run(fetches);
    const std::vector<vs::HostTensor> d = gpu.run(fetches);
    ASSERT_EQ(c.size(), fetches.size());
    ASSERT_EQ(d.size(), fetches.size());
    for (std::size_t i = 0; i < fetches.size(); ++i) {
      EXPECT_TRUE(SameBytes(c[i], d[i])) << fetches[i].name() << ", run " << run;
    }
  }
}

TEST_F(GpuParity, NewSessionsRepeatTheFirstRun) {
  // A second pair of sessions restarts both streams: still equal to each other and to the
  // first pair's first run.
  const std::vector<Spec> specs = MixedSpecs(std::nullopt);
  vs::Graph g;
  g.set_random_seed(kGraphSeed);
  std::vector<vs::Variable> vars;
  for (const Spec& s : specs) {
    vars.push_back(
        g.get_variable(s.name, {.shape = s.shape, .dtype = s.dtype, .initializer = s.init}));
  }
  std::vector<vs::HostTensor> first;
  {
    vs::Session cpu(g, {.device = vs::DeviceKind::kCpu});
    cpu.run(g.global_variables_initializer());
    for (const vs::Variable& v : vars)
      first.push_back(cpu.run(v));
  }
  vs::Session gpu(g, {.device = vs::DeviceKind::kCuda});
  gpu.run(g.global_variables_initializer());
  for (std::size_t i = 0; i < vars.size(); ++i) {
    EXPECT_TRUE(SameBytes(first[i], gpu.run(vars[i]))) << specs[i].name;
  }
}

}  // namespace
