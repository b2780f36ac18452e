// What the initializers_test sources share: the statistical checks and the Initializers fixture.
// Initializers (docs/tf1-semantics.md section 5, I1-I7) and the value-level seed rules
// (section 6, RS1-RS5, with docs/differences.md's name-derived op seed), run on each backend:
// every initializer's values are fetched from a session and checked against its distribution
// with tolerances derived from the sample size (6 standard errors; Kolmogorov-Smirnov at
// alpha = 1e-9), so an honest implementation fails with negligible probability.
#pragma once

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

namespace vs = varscope;

namespace initializers_test {

using varscope::testing::error_of;

inline std::vector<double> ValuesOf(const vs::HostTensor& t) {
  std::vector<double> v(static_cast<std::size_t>(t.num_elements()));
  for (std::int64_t i = 0; i < t.num_elements(); ++i)
    v[static_cast<std::size_t>(i)] = t.element_as_double(i);
  return v;
}

// Same dtype, shape and bytes; on a difference, says where.
inline ::testing::AssertionResult SameBits(const vs::HostTensor& a, const vs::HostTensor& b) {
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
inline std::int64_t EqualElements(const vs::HostTensor& a, const vs::HostTensor& b) {
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

inline double NormalCdf(double z) {
  return 0.5 * std::erfc(-z / std::numbers::sqrt2);
}
inline double NormalPdf(double z) {
  return std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi);
}

// The standard normal truncated to [-2, 2]: Z = P(|x| < 2), second and fourth moments from
// E[x^k] = (k-1) E[x^(k-2)] - 2 a^(k-1) phi(a) / Z with a = 2.
inline const double kTruncZ = NormalCdf(2.0) - NormalCdf(-2.0);
inline const double kTruncM2 = 1.0 - 2.0 * 2.0 * NormalPdf(2.0) / kTruncZ;
inline const double kTruncM4 = 3.0 * kTruncM2 - 2.0 * 8.0 * NormalPdf(2.0) / kTruncZ;
// TF's constant: the stddev of that truncated normal.
inline constexpr double kTruncStddev = 0.87962566103423978;

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

inline Expected Uniform(double a, double b) {
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

inline Expected Normal(double mean, double sd) {
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
inline Expected Truncated(double mean, double sd, bool strict) {
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
inline void ExpectDistribution(const vs::HostTensor& t, const Expected& e) {
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
inline void ExpectUniformInts(const vs::HostTensor& t, std::int64_t a, std::int64_t b) {
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
inline void ExpectWideUniformInts(const std::vector<std::int64_t>& x,
                                  std::int64_t a,
                                  std::int64_t b) {
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

inline constexpr std::int64_t kGraphSeed = 1234;
// About 100k elements: 6 standard errors of a mean are then 0.019 stddev.
inline const vs::Shape kBig{250, 400};

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

}  // namespace initializers_test
