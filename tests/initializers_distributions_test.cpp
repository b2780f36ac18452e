// Initializers I1-I5: zeros, ones, constants, uniform, normal and truncated normal values.
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

VARSCOPE_INSTANTIATE_ON_BACKENDS(Initializers);

// ---------------------------------------------------------------------------------------------
// I1: zeros / ones
// ---------------------------------------------------------------------------------------------

TEST_P(Initializers, I1_ZerosAndOnesInEveryDtype) {
  for (const vs::DType dtype :
       {vs::DType::kFloat32, vs::DType::kFloat64, vs::DType::kInt32, vs::DType::kInt64}) {
    SCOPED_TRACE(vs::dtype_name(dtype));
    const vs::HostTensor zeros = InitValue(vs::zeros_initializer(), vs::Shape{3, 5}, dtype);
    const vs::HostTensor ones = InitValue(vs::ones_initializer(), vs::Shape{3, 5}, dtype);
    for (std::int64_t i = 0; i < 15; ++i) {
      EXPECT_EQ(zeros.element_as_double(i), 0.0) << i;
      EXPECT_EQ(ones.element_as_double(i), 1.0) << i;
    }
    // 0 is all-zero bits in every one of these dtypes (no -0.0).
    const std::vector<unsigned char> zero_bytes(zeros.nbytes(), 0);
    EXPECT_EQ(std::memcmp(zeros.raw_data(), zero_bytes.data(), zeros.nbytes()), 0);
  }
}

TEST_P(Initializers, I1_IntegerVariablesDefaultToZeros) {
  vs::Graph g;
  const vs::Variable v = g.get_variable("n", {.shape = vs::Shape{7}, .dtype = vs::DType::kInt32});
  vs::Session sess(g, options());
  sess.run(g.global_variables_initializer());
  const vs::HostTensor value = sess.run(v);
  ASSERT_EQ(value.dtype(), vs::DType::kInt32);
  for (const std::int32_t x : value.data<std::int32_t>())
    EXPECT_EQ(x, 0);
}

// ---------------------------------------------------------------------------------------------
// I2: constant
// ---------------------------------------------------------------------------------------------

TEST_P(Initializers, I2_ConstantScalarBroadcasts) {
  const vs::HostTensor f = InitValue(vs::constant_initializer(3.5), vs::Shape{2, 3});
  for (const float x : f.data<float>())
    EXPECT_EQ(x, 3.5f);
  // A float64 variable gets the double value, not one rounded through float32.
  const vs::HostTensor d =
      InitValue(vs::constant_initializer(0.1), vs::Shape{4}, vs::DType::kFloat64);
  for (const double x : d.data<double>())
    EXPECT_EQ(x, 0.1);
  const vs::HostTensor i =
      InitValue(vs::constant_initializer(-7.0), vs::Shape{2, 2}, vs::DType::kInt32);
  for (const std::int32_t x : i.data<std::int32_t>())
    EXPECT_EQ(x, -7);
}

TEST_P(Initializers, I2_ConstantListIsRowMajor) {
  const std::vector<double> value{0, 1, 2, 3, 4, 5, 6, 7};
  const vs::HostTensor t = InitValue(vs::constant_initializer(value), vs::Shape{2, 4});
  const std::vector<float> want{0, 1, 2, 3, 4, 5, 6, 7};
  EXPECT_EQ(std::vector<float>(t.data<float>().begin(), t.data<float>().end()), want);
  const vs::HostTensor ints =
      InitValue(vs::constant_initializer(value), vs::Shape{4, 2}, vs::DType::kInt64);
  const std::vector<std::int64_t> want_ints{0, 1, 2, 3, 4, 5, 6, 7};
  EXPECT_EQ(
      std::vector<std::int64_t>(ints.data<std::int64_t>().begin(), ints.data<std::int64_t>().end()),
      want_ints);
}

TEST_P(Initializers, I2_ShortListRepeatsItsLastValue) {
  const std::vector<double> value{0, 1, 2, 3, 4, 5, 6, 7};
  const vs::HostTensor t = InitValue(vs::constant_initializer(value), vs::Shape{3, 4});
  const std::vector<float> want{0, 1, 2, 3, 4, 5, 6, 7, 7, 7, 7, 7};
  EXPECT_EQ(std::vector<float>(t.data<float>().begin(), t.data<float>().end()), want);
  const vs::HostTensor one = InitValue(vs::constant_initializer(std::vector<double>{2.5}),
                                       vs::Shape{3}, vs::DType::kFloat64);
  EXPECT_EQ(std::vector<double>(one.data<double>().begin(), one.data<double>().end()),
            (std::vector<double>{2.5, 2.5, 2.5}));
}

TEST_P(Initializers, I2_EmptyListGivesZeros) {
  const vs::HostTensor t =
      InitValue(vs::constant_initializer(std::vector<double>{}), vs::Shape{2, 2});
  for (const float x : t.data<float>())
    EXPECT_EQ(x, 0.0f);
}

TEST_P(Initializers, I2_VerifyShapeAcceptsTheExactShape) {
  const std::vector<double> value{0, 1, 2, 3, 4, 5, 6, 7};
  const vs::HostTensor t =
      InitValue(vs::constant_initializer(value, {.verify_shape = true}), vs::Shape{8});
  const std::vector<float> want{0, 1, 2, 3, 4, 5, 6, 7};
  EXPECT_EQ(std::vector<float>(t.data<float>().begin(), t.data<float>().end()), want);
}

TEST(InitializerErrors, I2_TooManyElements) {
  vs::Graph g;
  const vs::Initializer init =
      vs::constant_initializer(std::vector<double>{0, 1, 2, 3, 4, 5, 6, 7});
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g.get_variable("x", {.shape = vs::Shape{2, 3}, .initializer = init});
            }),
            "Too many elements provided. Needed at most 6, but received 8");
}

TEST(InitializerErrors, I2_VerifyShapeMismatch) {
  vs::Graph g;
  const vs::Initializer init =
      vs::constant_initializer(std::vector<double>{0, 1, 2, 3, 4, 5, 6, 7}, {.verify_shape = true});
  EXPECT_EQ(error_of<vs::TypeError>([&] {
              g.get_variable("x", {.shape = vs::Shape{3, 4}, .initializer = init});
            }),
            "Expected Tensor's shape: (3, 4), got (8,).");
}

TEST(InitializerErrors, I3_IntegerUniformNeedsMaxval) {
  vs::Graph g;
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g.get_variable("x", {.shape = vs::Shape{3},
                                   .dtype = vs::DType::kInt32,
                                   .initializer = vs::random_uniform_initializer()});
            }),
            "Must specify maxval for integer dtype tf.int32");
}

TEST(InitializerErrors, I4_I5_NormalsNeedFloatingDtypes) {
  vs::Graph g;
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g.get_variable("x", {.shape = vs::Shape{3},
                                   .dtype = vs::DType::kInt32,
                                   .initializer = vs::random_normal_initializer()});
            }),
            "Expected floating point type, got <dtype: 'int32'>.");
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g.get_variable("y", {.shape = vs::Shape{3},
                                   .dtype = vs::DType::kInt64,
                                   .initializer = vs::truncated_normal_initializer()});
            }),
            "Expected floating point type, got <dtype: 'int64'>.");
}

// ---------------------------------------------------------------------------------------------
// I3: random_uniform
// ---------------------------------------------------------------------------------------------

TEST_P(Initializers, I3_UniformDefaultsToZeroOne) {
  ExpectDistribution(InitValue(vs::random_uniform_initializer(), kBig), Uniform(0, 1));
}

TEST_P(Initializers, I3_UniformMinvalMaxval) {
  // A range of 8: rnd * 8 - 2 is exact in float32, so the upper end stays open.
  ExpectDistribution(InitValue(vs::random_uniform_initializer({.minval = -2, .maxval = 6}), kBig),
                     Uniform(-2, 6));
}

TEST_P(Initializers, I3_UniformFloat64) {
  const vs::HostTensor t = InitValue(vs::random_uniform_initializer({.minval = -3, .maxval = 5}),
                                     kBig, vs::DType::kFloat64);
  ExpectDistribution(t, Uniform(-3, 5));
  // 53-bit values: almost none is representable in float32.
  std::int64_t float_exact = 0;
  for (const double x : t.data<double>()) {
    float_exact += static_cast<double>(static_cast<float>(x)) == x ? 1 : 0;
  }
  EXPECT_LT(float_exact, t.num_elements() / 100) << "float64 values with float32 precision";
}

TEST_P(Initializers, I3_UniformInt32) {
  const vs::HostTensor t = InitValue(vs::random_uniform_initializer({.minval = -5, .maxval = 7}),
                                     kBig, vs::DType::kInt32);
  ExpectUniformInts(t, -5, 7);
}

TEST_P(Initializers, I3_UniformInt32FullRange) {
  const std::int64_t lo = -2147483648LL;
  const std::int64_t hi = 2147483647LL;
  const vs::HostTensor t =
      InitValue(vs::random_uniform_initializer({.minval = double(lo), .maxval = double(hi)}), kBig,
                vs::DType::kInt32);
  const auto span = t.data<std::int32_t>();
  ExpectWideUniformInts(std::vector<std::int64_t>(span.begin(), span.end()), lo, hi);
}

TEST_P(Initializers, I3_UniformInt64) {
  const vs::HostTensor t = InitValue(vs::random_uniform_initializer({.minval = 10, .maxval = 20}),
                                     kBig, vs::DType::kInt64);
  ExpectUniformInts(t, 10, 20);
}

TEST_P(Initializers, I3_UniformInt64BeyondInt32) {
  const std::int64_t lo = -(std::int64_t{1} << 40);
  const std::int64_t hi = std::int64_t{1} << 40;
  const vs::HostTensor t =
      InitValue(vs::random_uniform_initializer({.minval = double(lo), .maxval = double(hi)}), kBig,
                vs::DType::kInt64);
  const auto span = t.data<std::int64_t>();
  const std::vector<std::int64_t> x(span.begin(), span.end());
  ExpectWideUniformInts(x, lo, hi);
  const auto [min, max] = std::minmax_element(x.begin(), x.end());
  EXPECT_LT(*min, std::int64_t{-1} << 39);
  EXPECT_GT(*max, std::int64_t{1} << 39);
}

// ---------------------------------------------------------------------------------------------
// I4, I5: random_normal, truncated_normal
// ---------------------------------------------------------------------------------------------

TEST_P(Initializers, I4_NormalStandard) {
  ExpectDistribution(InitValue(vs::random_normal_initializer(), kBig), Normal(0, 1));
}

TEST_P(Initializers, I4_NormalMeanStddev) {
  ExpectDistribution(InitValue(vs::random_normal_initializer({.mean = 2.0, .stddev = 3.0}), kBig),
                     Normal(2, 3));
}

TEST_P(Initializers, I4_NormalFloat64) {
  const vs::HostTensor t = InitValue(vs::random_normal_initializer({.mean = -1.0, .stddev = 0.5}),
                                     kBig, vs::DType::kFloat64);
  ExpectDistribution(t, Normal(-1, 0.5));
  std::int64_t float_exact = 0;
  for (const double x : t.data<double>()) {
    float_exact += static_cast<double>(static_cast<float>(x)) == x ? 1 : 0;
  }
  EXPECT_LT(float_exact, t.num_elements() / 100) << "float64 values with float32 precision";
}

TEST_P(Initializers, I5_TruncatedNormalStandard) {
  const vs::HostTensor t = InitValue(vs::truncated_normal_initializer(), kBig);
  ExpectDistribution(t, Truncated(0, 1, /*strict=*/true));
  // TF's constant for the output stddev, independently of the moments above.
  EXPECT_NEAR(std::sqrt(kTruncM2), kTruncStddev, 1e-12);
}

TEST_P(Initializers, I5_TruncatedNormalScaled) {
  // Mean 0: x * stddev never rounds up to 2 stddev, so the bound stays strict.
  ExpectDistribution(InitValue(vs::truncated_normal_initializer({.stddev = 0.3}), kBig),
                     Truncated(0, 0.3, /*strict=*/true));
  // With a mean the final add may round onto mean +- 2 stddev; TF documents the closed range.
  ExpectDistribution(
      InitValue(vs::truncated_normal_initializer({.mean = 1.5, .stddev = 0.5}), kBig),
      Truncated(1.5, 0.5, /*strict=*/false));
}

TEST_P(Initializers, I5_TruncatedNormalFloat64) {
  const vs::HostTensor t =
      InitValue(vs::truncated_normal_initializer({.stddev = 2.0}), kBig, vs::DType::kFloat64);
  ExpectDistribution(t, Truncated(0, 2.0, /*strict=*/true));
  std::int64_t float_exact = 0;
  for (const double x : t.data<double>()) {
    float_exact += static_cast<double>(static_cast<float>(x)) == x ? 1 : 0;
  }
  EXPECT_LT(float_exact, t.num_elements() / 100) << "float64 values with float32 precision";
}

}  // namespace
