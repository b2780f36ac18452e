// Initializers I6-I7: variance_scaling in every mode, Glorot, odd sizes.
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
// I6, I7: variance scaling and Glorot
// ---------------------------------------------------------------------------------------------

struct FanCase {
  vs::Shape shape;
  double fan_in, fan_out;
};

// init_ops._compute_fans by hand: 1-D, 2-D and a conv kernel (receptive field 3 x 3).
const std::vector<FanCase>& FanCases() {
  static const std::vector<FanCase> cases{
      {vs::Shape{102400}, 102400, 102400},
      {vs::Shape{160, 640}, 160, 640},
      {vs::Shape{3, 3, 48, 256}, 9 * 48, 9 * 256},
  };
  return cases;
}

const char* ModeName(vs::FanMode m) {
  switch (m) {
    case vs::FanMode::kFanIn:
      return "fan_in";
    case vs::FanMode::kFanOut:
      return "fan_out";
    case vs::FanMode::kFanAvg:
      return "fan_avg";
  }
  return "?";
}

double Fan(vs::FanMode m, const FanCase& c) {
  switch (m) {
    case vs::FanMode::kFanIn:
      return c.fan_in;
    case vs::FanMode::kFanOut:
      return c.fan_out;
    case vs::FanMode::kFanAvg:
      return (c.fan_in + c.fan_out) / 2;
  }
  return 0;
}

// TF's formulas: variance scale / fan in every distribution.
Expected VarianceScaled(vs::Distribution d, double scale, double fan) {
  const double s = scale / std::max(1.0, fan);
  switch (d) {
    case vs::Distribution::kTruncatedNormal:
      return Truncated(0, std::sqrt(s) / kTruncStddev, /*strict=*/true);
    case vs::Distribution::kUntruncatedNormal:
      return Normal(0, std::sqrt(s));
    case vs::Distribution::kUniform:
      return Uniform(-std::sqrt(3 * s), std::sqrt(3 * s));
  }
  return {};
}

class VarianceScaling : public Initializers {
 protected:
  void CheckAllModes(vs::Distribution dist, vs::DType dtype = vs::DType::kFloat32) {
    constexpr double kScale = 2.0;
    for (const FanCase& c : FanCases()) {
      for (const vs::FanMode mode :
           {vs::FanMode::kFanIn, vs::FanMode::kFanOut, vs::FanMode::kFanAvg}) {
        SCOPED_TRACE(std::string(ModeName(mode)) + " " + c.shape.to_string());
        const vs::HostTensor t = InitValue(
            vs::variance_scaling_initializer({.scale = kScale, .mode = mode, .distribution = dist}),
            c.shape, dtype);
        const Expected e = VarianceScaled(dist, kScale, Fan(mode, c));
        ExpectDistribution(t, e);
        // The variance is scale / fan whatever the distribution.
        EXPECT_NEAR(e.var, kScale / Fan(mode, c), 1e-9 * e.var);
      }
    }
  }
};
VARSCOPE_INSTANTIATE_ON_BACKENDS(VarianceScaling);

TEST_P(VarianceScaling, I6_TruncatedNormalEveryMode) {
  CheckAllModes(vs::Distribution::kTruncatedNormal);
}
TEST_P(VarianceScaling, I6_UntruncatedNormalEveryMode) {
  CheckAllModes(vs::Distribution::kUntruncatedNormal);
}
TEST_P(VarianceScaling, I6_UniformEveryMode) {
  CheckAllModes(vs::Distribution::kUniform);
}

TEST_P(VarianceScaling, I6_Float64) {
  const vs::Shape shape{160, 640};
  ExpectDistribution(
      InitValue(vs::variance_scaling_initializer({.scale = 2.0, .mode = vs::FanMode::kFanIn}),
                shape, vs::DType::kFloat64),
      VarianceScaled(vs::Distribution::kTruncatedNormal, 2.0, 160));
  ExpectDistribution(
      InitValue(vs::variance_scaling_initializer(
                    {.mode = vs::FanMode::kFanOut, .distribution = vs::Distribution::kUniform}),
                shape, vs::DType::kFloat64),
      VarianceScaled(vs::Distribution::kUniform, 1.0, 640));
}

TEST_P(VarianceScaling, I6_ScalarUsesFansOfOne) {
  // Shape (): fan_in = fan_out = 1, so U[-sqrt(3 scale), sqrt(3 scale)); collect many scalars.
  vs::Graph g;
  g.set_random_seed(kGraphSeed);
  std::vector<vs::Variable> vars;
  for (int i = 0; i < 64; ++i) {
    std::string name = "s";
    name += std::to_string(i);
    vars.push_back(
        g.get_variable(name, {.shape = vs::Shape{},
                              .initializer = vs::variance_scaling_initializer(
                                  {.scale = 3.0, .distribution = vs::Distribution::kUniform})}));
  }
  vs::Session sess(g, options());
  sess.run(g.global_variables_initializer());
  double max = 0;
  for (const vs::Variable& v : vars) {
    const vs::HostTensor t = sess.run(v);
    ASSERT_EQ(t.num_elements(), 1);
    const double x = t.element_as_double(0);
    EXPECT_LT(std::abs(x), 3.0) << v.name();  // sqrt(3 * 3)
    max = std::max(max, std::abs(x));
  }
  // 64 draws of U[-3, 3): all within 1.5 of 0 has probability 2^-64.
  EXPECT_GT(max, 1.5);
}

TEST_P(Initializers, I7_GlorotUniform) {
  const vs::HostTensor t = InitValue(vs::glorot_uniform_initializer(), vs::Shape{200, 500});
  const double limit = std::sqrt(6.0 / (200 + 500));
  const Expected e = Uniform(-limit, limit);
  ExpectDistribution(t, e);
  EXPECT_NEAR(e.var, limit * limit / 3, 1e-15);
}

TEST_P(Initializers, I7_GlorotUniformConvKernel) {
  // The worked limit of reference table I7 for [3, 3, 16, 32]: sqrt(3 / 216).
  const vs::HostTensor t =
      InitValue(vs::glorot_uniform_initializer(), vs::Shape{3, 3, 16, 32}, vs::DType::kFloat32);
  const double limit = 0.1178511;
  for (std::int64_t i = 0; i < t.num_elements(); ++i) {
    ASSERT_LT(std::abs(t.element_as_double(i)), limit + 1e-7) << i;
  }
  // 4608 draws: none within 1% of the limit (either side) has probability 0.99^4608 = 1e-20.
  double max = 0;
  for (std::int64_t i = 0; i < t.num_elements(); ++i) {
    max = std::max(max, std::abs(t.element_as_double(i)));
  }
  EXPECT_GT(max, 0.99 * limit);
}

TEST_P(Initializers, I7_GlorotUniformIsTheDefaultForFloats) {
  vs::Graph g;
  g.set_random_seed(kGraphSeed);
  const vs::Variable v = g.get_variable("w", {.shape = vs::Shape{200, 500}});
  vs::Session sess(g, options());
  sess.run(g.global_variables_initializer());
  const double limit = std::sqrt(6.0 / 700);
  ExpectDistribution(sess.run(v), Uniform(-limit, limit));
}

TEST_P(Initializers, I7_GlorotNormal) {
  const vs::HostTensor t = InitValue(vs::glorot_normal_initializer(), vs::Shape{200, 500});
  const double sd = std::sqrt(2.0 / 700) / kTruncStddev;
  const Expected e = Truncated(0, sd, /*strict=*/true);
  ExpectDistribution(t, e);
  EXPECT_NEAR(std::sqrt(e.var), std::sqrt(2.0 / 700), 1e-9);  // output stddev
}

TEST_P(Initializers, OddSizesAreFullyInitialized) {
  // Sizes that are not multiples of 2, 4 or a block: every element must be written with a
  // value from the distribution (an unwritten element would read back as raw Philox bits).
  for (const std::int64_t n : {1, 3, 7, 1001}) {
    SCOPED_TRACE(n);
    const vs::Shape shape{n};
    const vs::HostTensor u = InitValue(vs::random_uniform_initializer(), shape);
    const vs::HostTensor z = InitValue(vs::random_normal_initializer(), shape);
    const vs::HostTensor tn = InitValue(vs::truncated_normal_initializer(), shape);
    const vs::HostTensor zd =
        InitValue(vs::random_normal_initializer(), shape, vs::DType::kFloat64);
    for (std::int64_t i = 0; i < n; ++i) {
      EXPECT_GE(u.element_as_double(i), 0.0);
      EXPECT_LT(u.element_as_double(i), 1.0);
      EXPECT_LT(std::abs(z.element_as_double(i)), 9.0);
      EXPECT_LT(std::abs(tn.element_as_double(i)), 2.0);
      EXPECT_LT(std::abs(zd.element_as_double(i)), 9.0);
    }
  }
}

}  // namespace
