// Initializers (docs/tf1-semantics.md section 5, I1-I7) and the value-level seed rules
// (section 6, RS1-RS5, with docs/differences.md's name-derived op seed), run on each backend:
// every initializer's values are fetched from a session and checked against its distribution
// with tolerances derived from the sample size (6 standard errors; Kolmogorov-Smirnov at
// alpha = 1e-9), so an honest implementation fails with negligible probability.
// InitializerRounding checks that an initializer rounds exactly as TF's separate random,
// Mul and Add ops do (whatever the backend fuses).
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
#include "test_util.h"
#include "varscope/varscope.h"

#ifndef VARSCOPE_GOLDEN_DIR
#error "VARSCOPE_GOLDEN_DIR must name the directory of initializers.txt (tests/golden)"
#endif

namespace vs = varscope;

namespace {

using varscope::testing::error_of;

std::vector<double> ValuesOf(const vs::HostTensor& t) {
  std::vector<double> v(static_cast<std::size_t>(t.num_elements()));
  for (std::int64_t i = 0; i < t.num_elements(); ++i)
    v[static_cast<std::size_t>(i)] = t.element_as_double(i);
  return v;
}

// Same dtype, shape and bytes; on a difference, says where.
::testing::AssertionResult SameBits(const vs::HostTensor& a, const vs::HostTensor& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) {
    return ::testing::AssertionFailure()
           << "dtype/shape differ: " << a.dtype() << a.shape() << " vs " << b.dtype() << b.shape();
  }
  const std::size_t size = vs::dtype_size(a.dtype());
  const auto* pa = static_cast<const unsigned char*>(a.raw_data());
  const auto* pb = static_cast<const unsigned char*>(b.raw_data());
  for (std::int64_t i = 0; i < a.num_elements(); ++i) {
    if (std::memcmp(pa + i * size, pb + i * size, size) != 0) {
      return ::testing::AssertionFailure()
             << "element " << i << " of " << a.num_elements()
             << " differs: " << a.element_as_double(i) << " vs " << b.element_as_double(i);
    }
  }
  return ::testing::AssertionSuccess();
}

// How many elements are bit-identical (two independent draws share almost none).
std::int64_t EqualElements(const vs::HostTensor& a, const vs::HostTensor& b) {
  const std::size_t size = vs::dtype_size(a.dtype());
  const auto* pa = static_cast<const unsigned char*>(a.raw_data());
  const auto* pb = static_cast<const unsigned char*>(b.raw_data());
  std::int64_t same = 0;
  for (std::int64_t i = 0; i < std::min(a.num_elements(), b.num_elements()); ++i) {
    same += std::memcmp(pa + i * size, pb + i * size, size) == 0 ? 1 : 0;
  }
  return same;
}

// ---------------------------------------------------------------------------------------------
// Distributions and the statistical checks
// ---------------------------------------------------------------------------------------------

double NormalCdf(double z) {
  return 0.5 * std::erfc(-z / std::numbers::sqrt2);
}
double NormalPdf(double z) {
  return std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi);
}

// The standard normal truncated to [-2, 2]: Z = P(|x| < 2), second and fourth moments from
// E[x^k] = (k-1) E[x^(k-2)] - 2 a^(k-1) phi(a) / Z with a = 2.
const double kTruncZ = NormalCdf(2.0) - NormalCdf(-2.0);
const double kTruncM2 = 1.0 - 2.0 * 2.0 * NormalPdf(2.0) / kTruncZ;
const double kTruncM4 = 3.0 * kTruncM2 - 2.0 * 8.0 * NormalPdf(2.0) / kTruncZ;
// TF's constant: the stddev of that truncated normal.
constexpr double kTruncStddev = 0.87962566103423978;

struct Expected {
  std::string what;
  double mean = 0;
  double var = 0;
  double mu4 = 0;  // fourth central moment, for the standard error of the variance
  std::function<double(double)> cdf;
  std::optional<double> lo, hi;  // the support
  bool lo_strict = false;        // x > lo instead of x >= lo
  bool hi_strict = true;         // x < hi instead of x <= hi
  double edge_density = 0;       // density at lo and hi: samples must come close to both
  bool normal_tails = false;     // an untruncated normal: check P(|x - mean| > 2 sd)
};

Expected Uniform(double a, double b) {
  Expected e;
  e.what = "U[" + std::to_string(a) + ", " + std::to_string(b) + ")";
  e.mean = (a + b) / 2;
  e.var = (b - a) * (b - a) / 12;
  e.mu4 = std::pow(b - a, 4) / 80;
  e.cdf = [a, b](double x) { return std::clamp((x - a) / (b - a), 0.0, 1.0); };
  e.lo = a;
  e.hi = b;
  e.edge_density = 1 / (b - a);
  return e;
}

Expected Normal(double mean, double sd) {
  Expected e;
  e.what = "N(" + std::to_string(mean) + ", " + std::to_string(sd) + "^2)";
  e.mean = mean;
  e.var = sd * sd;
  e.mu4 = 3 * std::pow(sd, 4);
  e.cdf = [mean, sd](double x) { return NormalCdf((x - mean) / sd); };
  e.normal_tails = true;
  return e;
}

// `sd` is the stddev parameter (before truncation); values lie within mean +- 2 sd, strictly
// when `strict` (exact in floating point when mean is 0: x * sd never rounds up to 2 sd).
Expected Truncated(double mean, double sd, bool strict) {
  Expected e;
  e.what = "TN(" + std::to_string(mean) + ", " + std::to_string(sd) + "^2)";
  e.mean = mean;
  e.var = kTruncM2 * sd * sd;
  e.mu4 = kTruncM4 * std::pow(sd, 4);
  e.cdf = [mean, sd](double x) {
    const double z = std::clamp((x - mean) / sd, -2.0, 2.0);
    return (NormalCdf(z) - NormalCdf(-2.0)) / kTruncZ;
  };
  e.lo = mean - 2 * sd;
  e.hi = mean + 2 * sd;
  e.lo_strict = strict;
  e.hi_strict = strict;
  e.edge_density = NormalPdf(2.0) / kTruncZ / sd;
  return e;
}

// Checks a sample of `t` against `e`: support (and that both ends are approached), mean,
// variance, the Kolmogorov-Smirnov distance, lag-1 correlation and, for normals, the tails.
void ExpectDistribution(const vs::HostTensor& t, const Expected& e) {
  SCOPED_TRACE(e.what + " from " + std::to_string(t.num_elements()) + " " +
               std::string(vs::dtype_name(t.dtype())) + " values");
  std::vector<double> x = ValuesOf(t);
  const double n = static_cast<double>(x.size());
  ASSERT_GE(x.size(), 10000u) << "too few values for statistics";

  double sum = 0;
  for (double v : x) {
    ASSERT_TRUE(std::isfinite(v)) << v;
    sum += v;
  }
  const double mean = sum / n;
  double m2 = 0;
  double lag1 = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    m2 += (x[i] - mean) * (x[i] - mean);
    if (i + 1 < x.size()) lag1 += (x[i] - mean) * (x[i + 1] - mean);
  }
  const double var = m2 / (n - 1);
  const double corr = lag1 / m2;

  const double mean_tol = 6 * std::sqrt(e.var / n);
  EXPECT_NEAR(mean, e.mean, mean_tol) << "mean";
  const double var_tol = 6 * std::sqrt((e.mu4 - e.var * e.var) / n);
  EXPECT_NEAR(var, e.var, var_tol)
      << "variance (stddev " << std::sqrt(var) << ", expected " << std::sqrt(e.var) << ")";
  EXPECT_LT(std::abs(corr), 6 / std::sqrt(n)) << "lag-1 autocorrelation";

  const auto [min_it, max_it] = std::minmax_element(x.begin(), x.end());
  const double min = *min_it;
  const double max = *max_it;
  // 30 expected samples within this distance of an end: none there has probability e^-30.
  const double near = 30 / (n * e.edge_density);
  if (e.lo) {
    if (e.lo_strict) {
      EXPECT_GT(min, *e.lo) << "below the support";
    } else {
      EXPECT_GE(min, *e.lo) << "below the support";
    }
    EXPECT_LT(min - *e.lo, near) << "never approaches the lower end";
  }
  if (e.hi) {
    if (e.hi_strict) {
      EXPECT_LT(max, *e.hi) << "at or above the (open) upper end";
    } else {
      EXPECT_LE(max, *e.hi) << "above the support";
    }
    EXPECT_LT(*e.hi - max, near) << "never approaches the upper end";
  }
  if (e.normal_tails) {
    const double sd = std::sqrt(e.var);
    const double p = 1 - (NormalCdf(2.0) - NormalCdf(-2.0));
    const double beyond =
        static_cast<double>(std::count_if(
            x.begin(), x.end(), [&](double v) { return std::abs(v - e.mean) > 2 * sd; })) /
        n;
    EXPECT_NEAR(beyond, p, 6 * std::sqrt(p * (1 - p) / n)) << "fraction beyond 2 stddev";
    // P(|z| > 3.5) = 4.65e-4: about 46 such values are expected, none is an e^-46 event.
    EXPECT_GT(std::max(e.mean - min, max - e.mean), 3.5 * sd) << "tails look truncated";
    EXPECT_LT(std::max(e.mean - min, max - e.mean), 9 * sd) << "impossible outlier";
  }

  std::sort(x.begin(), x.end());
  double d = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double f = e.cdf(x[i]);
    d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  const double d_crit = std::sqrt(-0.5 * std::log(1e-9 / 2) / n);
  EXPECT_LT(d, d_crit) << "Kolmogorov-Smirnov distance";
}

// Integers uniform on [a, b) with few values: every value appears about equally often.
void ExpectUniformInts(const vs::HostTensor& t, std::int64_t a, std::int64_t b) {
  SCOPED_TRACE("integers in [" + std::to_string(a) + ", " + std::to_string(b) + ")");
  const std::vector<double> x = ValuesOf(t);
  const double n = static_cast<double>(x.size());
  const std::int64_t k = b - a;
  std::vector<std::int64_t> counts(static_cast<std::size_t>(k), 0);
  for (double v : x) {
    ASSERT_EQ(v, std::floor(v));
    ASSERT_GE(v, static_cast<double>(a));
    ASSERT_LT(v, static_cast<double>(b));
    ++counts[static_cast<std::size_t>(static_cast<std::int64_t>(v) - a)];
  }
  const double p = 1.0 / static_cast<double>(k);
  for (std::int64_t i = 0; i < k; ++i) {
    EXPECT_NEAR(static_cast<double>(counts[static_cast<std::size_t>(i)]), n * p,
                6 * std::sqrt(n * p * (1 - p)))
        << "count of value " << a + i;
  }
}

// Integers uniform on [a, b) with a huge range: support, mean and variance of the discrete
// uniform, and the low bit is a fair coin (all 64 bits are random, not just the high ones).
void ExpectWideUniformInts(const std::vector<std::int64_t>& x, std::int64_t a, std::int64_t b) {
  const double n = static_cast<double>(x.size());
  const double k = static_cast<double>(b) - static_cast<double>(a);
  const double want_mean = (static_cast<double>(a) + static_cast<double>(b) - 1) / 2;
  const double want_var = (k * k - 1) / 12;
  const double mu4 = (k * k - 1) * (3 * k * k - 7) / 240;
  double sum = 0;
  std::int64_t odd = 0;
  for (std::int64_t v : x) {
    ASSERT_GE(v, a);
    ASSERT_LT(v, b);
    sum += static_cast<double>(v);
    odd += (v & 1) != 0 ? 1 : 0;
  }
  const double mean = sum / n;
  double m2 = 0;
  for (std::int64_t v : x)
    m2 += (static_cast<double>(v) - mean) * (static_cast<double>(v) - mean);
  const double var = m2 / (n - 1);
  EXPECT_NEAR(mean, want_mean, 6 * std::sqrt(want_var / n));
  EXPECT_NEAR(var, want_var, 6 * std::sqrt((mu4 - want_var * want_var) / n));
  EXPECT_NEAR(static_cast<double>(odd), n / 2, 6 * std::sqrt(n / 4)) << "odd values";
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

constexpr std::int64_t kGraphSeed = 1234;
// About 100k elements: 6 standard errors of a mean are then 0.019 stddev.
const vs::Shape kBig{250, 400};

class Initializers : public vs::testing::BackendTest {
 protected:
  // A fresh graph (graph seed kGraphSeed unless told otherwise) with one variable "v"
  // initialized by `init`; runs the initializer in a new session and fetches the value.
  vs::HostTensor InitValue(const vs::Initializer& init,
                           const vs::Shape& shape,
                           vs::DType dtype = vs::DType::kFloat32,
                           std::optional<std::int64_t> graph_seed = kGraphSeed) {
    vs::Graph g;
    if (graph_seed) g.set_random_seed(*graph_seed);
    const vs::Variable v =
        g.get_variable("v", {.shape = shape, .dtype = dtype, .initializer = init});
    vs::Session sess(g, options());
    sess.run(g.global_variables_initializer());
    vs::HostTensor value = sess.run(v);
    EXPECT_EQ(value.dtype(), dtype);
    EXPECT_EQ(value.shape(), shape);
    return value;
  }
};
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

// ---------------------------------------------------------------------------------------------
// An initializer rounds as TF's separate ops do
// ---------------------------------------------------------------------------------------------

// An initializer is TF's graph: random op -> Mul(stddev or Sub(max, min)) -> Add(mean or min),
// each op rounding in the variable's dtype. However the backend computes it, the values must
// equal the raw random op's output put through those two roundings (computed here), and the
// same ops run unfused (their raw output fetched too) must give the same bits.
class InitializerRounding : public vs::testing::BackendTest {
 protected:
  enum class Op { kNormal, kTruncated, kUniform };

  template <typename T>
  static ::testing::AssertionResult IsMulAdd(const vs::HostTensor& raw,
                                             const vs::HostTensor& value,
                                             T scale,
                                             T shift) {
    const auto r = raw.data<T>();
    const auto v = value.data<T>();
    if (r.size() != v.size()) return ::testing::AssertionFailure() << "sizes differ";
    for (std::size_t i = 0; i < r.size(); ++i) {
      volatile T product = r[i] * scale;  // rounded on its own, as the Mul op
      const T want = product + shift;
      if (std::memcmp(&want, &v[i], sizeof(T)) != 0) {
        return ::testing::AssertionFailure()
               << "element " << i << ": raw " << r[i] << " * " << scale << " + " << shift
               << " rounds to " << want << ", got " << v[i];
      }
    }
    return ::testing::AssertionSuccess();
  }

  template <typename T>
  void Check(Op op, double a, double b) {
    constexpr vs::DType kDtype = vs::dtype_of_v<T>;
    const vs::Shape shape{4099};
    constexpr std::int64_t kSeed = 9;  // no graph seed: (87654321, 9) in both graphs
    vs::Initializer init = vs::zeros_initializer();
    const char* raw_name = "";
    T scale{}, shift{};
    switch (op) {
      case Op::kNormal:
        init = vs::random_normal_initializer({.mean = a, .stddev = b, .seed = kSeed});
        raw_name = "random_normal/RandomStandardNormal:0";
        scale = static_cast<T>(b);
        shift = static_cast<T>(a);
        break;
      case Op::kTruncated:
        init = vs::truncated_normal_initializer({.mean = a, .stddev = b, .seed = kSeed});
        raw_name = "truncated_normal/TruncatedNormal:0";
        scale = static_cast<T>(b);
        shift = static_cast<T>(a);
        break;
      case Op::kUniform:
        init = vs::random_uniform_initializer({.minval = a, .maxval = b, .seed = kSeed});
        raw_name = "random_uniform/RandomUniform:0";
        scale = static_cast<T>(static_cast<T>(b) - static_cast<T>(a));  // the Sub op
        shift = static_cast<T>(a);
        break;
    }
    // The variable's initial value.
    vs::Graph g;
    const vs::Variable v =
        g.get_variable("v", {.shape = shape, .dtype = kDtype, .initializer = init});
    vs::Session sess(g, options());
    sess.run(v.initializer());
    const vs::HostTensor value = sess.run(v);

    // The same ops outside a variable, with the raw random values fetched as well.
    vs::Graph g2;
    vs::Tensor out;
    switch (op) {
      case Op::kNormal:
        out =
            vs::random_normal(g2, shape, {.mean = a, .stddev = b, .dtype = kDtype, .seed = kSeed});
        break;
      case Op::kTruncated:
        out = vs::truncated_normal(g2, shape,
                                   {.mean = a, .stddev = b, .dtype = kDtype, .seed = kSeed});
        break;
      case Op::kUniform:
        out = vs::random_uniform(g2, shape,
                                 {.minval = a, .maxval = b, .dtype = kDtype, .seed = kSeed});
        break;
    }
    vs::Session sess2(g2, options());
    const std::vector<vs::HostTensor> both = sess2.run({g2.get_tensor_by_name(raw_name), out});
    ASSERT_EQ(both.size(), 2u);
    EXPECT_TRUE(IsMulAdd<T>(both[0], value, scale, shift)) << "variable vs raw op";
    EXPECT_TRUE(IsMulAdd<T>(both[0], both[1], scale, shift)) << "unfused ops vs raw op";
    EXPECT_TRUE(SameBits(value, both[1])) << "variable vs unfused ops";
  }
};
VARSCOPE_INSTANTIATE_ON_BACKENDS(InitializerRounding);

TEST_P(InitializerRounding, RandomNormal) {
  Check<float>(Op::kNormal, 0.1, 0.3);
  Check<double>(Op::kNormal, 0.1, 0.3);
}

TEST_P(InitializerRounding, TruncatedNormal) {
  Check<float>(Op::kTruncated, 1.5, 0.7);
  Check<double>(Op::kTruncated, 1.5, 0.7);
}

TEST_P(InitializerRounding, RandomUniform) {
  Check<float>(Op::kUniform, -0.3, 0.9);
  Check<double>(Op::kUniform, -0.3, 0.9);
}

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
        << "# Format: <case> <dtype> <bits>... (cases in tests/initializers_test.cpp).\n"
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
