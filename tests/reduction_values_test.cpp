// The values TF 1.15's CPU kernels give (tests/golden/reductions_tf115.json) on both
// backends: max/min skipping NaN, argmax/argmin's first index on ties, reductions of nothing,
// integer products wrapping, cumsum's exclusive and reverse forms; and larger inputs on
// every kernel layout (rows, columns, strided, long rows) against a double loop.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "backend_test.h"
#include "reduction_ops_test.h"

namespace vs = varscope;
using vs::testing::reductions_golden;

namespace {

class Reductions : public vs::testing::BackendTest {};

double value_of(const nlohmann::json& j) {
  if (j.is_null()) return std::nan("");
  if (j.is_string()) {
    const std::string s = j.get<std::string>();
    if (s == "nan") return std::nan("");
    return s == "inf" ? INFINITY : -INFINITY;
  }
  return j.get<double>();
}

void expect_same(double got, double want, const std::string& what) {
  if (std::isnan(want)) {
    EXPECT_TRUE(std::isnan(got)) << what << ": " << got;
  } else {
    EXPECT_EQ(got, want) << what;
  }
}

std::vector<double> doubles(const vs::HostTensor& t) {
  std::vector<double> out;
  for (std::int64_t i = 0; i < t.num_elements(); ++i)
    out.push_back(t.element_as_double(i));
  return out;
}

TEST_P(Reductions, NanTiesAndEmptyAsTfsCpuKernels) {
  for (const char* key :
       {"nan_middle", "nan_first", "all_nan", "negative", "ties", "empty", "long_nan"}) {
    SCOPED_TRACE(key);
    const nlohmann::json& want = reductions_golden()["values"][key];
    std::vector<float> x;
    for (const nlohmann::json& v : want["x"])
      x.push_back(static_cast<float>(value_of(v)));
    vs::Graph g;
    const auto n = static_cast<std::int64_t>(x.size());
    const vs::Tensor c = vs::constant(g, vs::HostTensor(x, vs::Shape{n}));
    vs::Session sess(g, options());
    expect_same(sess.run(vs::reduce_max(c)).element_as_double(0), value_of(want["max"]), "max");
    expect_same(sess.run(vs::reduce_min(c)).element_as_double(0), value_of(want["min"]), "min");
    expect_same(sess.run(vs::reduce_prod(c)).element_as_double(0), value_of(want["prod"]), "prod");
    if (n == 0) continue;
    expect_same(sess.run(vs::argmax(c)).element_as_double(0), value_of(want["argmax"]), "argmax");
    expect_same(sess.run(vs::argmin(c)).element_as_double(0), value_of(want["argmin"]), "argmin");
  }
}

TEST_P(Reductions, Int32AsTf) {
  const nlohmann::json& want = reductions_golden()["values"]["int32"];
  vs::Graph g;
  const vs::Tensor x = vs::constant(
      g, vs::HostTensor(std::vector<std::int32_t>{3, 7, 7, -5, -5, 2}, vs::Shape{2, 3}));
  const vs::Tensor e = vs::constant(g, vs::HostTensor(vs::DType::kInt32, vs::Shape{0}));
  const vs::Tensor big =
      vs::constant(g, vs::HostTensor(std::vector<std::int32_t>{65536, 65537}, vs::Shape{2}));
  const vs::ReduceOptions rows{.axes = std::vector<int>{1}};
  vs::Session sess(g, options());
  auto flat = [](const nlohmann::json& j) {
    std::vector<double> out;
    if (!j.is_array()) return std::vector<double>{j.get<double>()};
    for (const nlohmann::json& v : j) {
      if (v.is_array()) {
        for (const nlohmann::json& w : v)
          out.push_back(w.get<double>());
      } else {
        out.push_back(v.get<double>());
      }
    }
    return out;
  };
  EXPECT_EQ(doubles(sess.run(vs::reduce_max(x, rows))), flat(want["max"]));
  EXPECT_EQ(doubles(sess.run(vs::reduce_min(x, rows))), flat(want["min"]));
  EXPECT_EQ(doubles(sess.run(vs::reduce_prod(x, rows))), flat(want["prod"]));
  EXPECT_EQ(doubles(sess.run(vs::argmax(x, {.axis = 1}))), flat(want["argmax"]));
  EXPECT_EQ(doubles(sess.run(vs::argmin(x, {.axis = 1}))), flat(want["argmin"]));
  EXPECT_EQ(doubles(sess.run(vs::cumsum(x, {.axis = 1}))), flat(want["cumsum"]));
  EXPECT_EQ(doubles(sess.run(vs::reduce_max(e))), flat(want["empty_max"]));
  EXPECT_EQ(doubles(sess.run(vs::reduce_min(e))), flat(want["empty_min"]));
  EXPECT_EQ(doubles(sess.run(vs::reduce_prod(e))), flat(want["empty_prod"]));
  EXPECT_EQ(doubles(sess.run(vs::reduce_prod(big))), flat(want["prod_wraps"]));
  EXPECT_EQ(sess.run(vs::argmax(x, {.axis = 1})).dtype(), vs::DType::kInt64);
}

TEST_P(Reductions, CumsumAndCumprodFormsAsTf) {
  const nlohmann::json& want = reductions_golden()["values"]["cumsum"];
  vs::Graph g;
  const vs::Tensor x =
      vs::constant(g, vs::HostTensor(std::vector<float>{1, 2, 3, 4, 5, 6}, vs::Shape{2, 3}));
  vs::Session sess(g, options());
  auto flat = [](const nlohmann::json& j) {
    std::vector<double> out;
    for (const nlohmann::json& row : j)
      for (const nlohmann::json& v : row)
        out.push_back(v.get<double>());
    return out;
  };
  EXPECT_EQ(doubles(sess.run(vs::cumsum(x, {.axis = 1}))), flat(want["cumsum_1"]));
  EXPECT_EQ(doubles(sess.run(vs::cumsum(x))), flat(want["cumsum_0"]));
  EXPECT_EQ(doubles(sess.run(vs::cumsum(x, {.axis = 1, .exclusive = true}))),
            flat(want["exclusive"]));
  EXPECT_EQ(doubles(sess.run(vs::cumsum(x, {.axis = 1, .reverse = true}))), flat(want["reverse"]));
  EXPECT_EQ(doubles(sess.run(vs::cumsum(x, {.axis = 1, .exclusive = true, .reverse = true}))),
            flat(want["exclusive_reverse"]));
  EXPECT_EQ(doubles(sess.run(vs::cumprod(x, {.axis = 1}))), flat(want["cumprod_1"]));
  EXPECT_EQ(doubles(sess.run(vs::cumprod(x, {.axis = 1, .exclusive = true, .reverse = true}))),
            flat(want["cumprod_exclusive_reverse"]));
}

// Shapes that take each kernel path (a long last axis: the GPU's block-per-row kernels and
// the all-reduce's two passes; leading axes: columns; a middle axis: strided), with a
// repeated maximum so that ties are decided by index, against plain loops in double.
TEST_P(Reductions, EveryLayoutAgainstALoop) {
  const std::int64_t a = 3, b = 700, c = 5;
  std::vector<double> v(static_cast<std::size_t>(a * b * c));
  for (std::size_t i = 0; i < v.size(); ++i)
    v[i] = std::floor(std::fmod(static_cast<double>(i) * 7.31, 11.0)) - 5.0;  // many ties
  vs::Graph g;
  const vs::Tensor x = vs::constant(g, vs::HostTensor(v, vs::Shape{a, b, c}));
  const vs::Tensor flat = vs::constant(g, vs::HostTensor(v, vs::Shape{a * b * c}));
  vs::Session sess(g, options());
  auto at = [&](std::int64_t i, std::int64_t j, std::int64_t k) {
    return v[static_cast<std::size_t>((i * b + j) * c + k)];
  };
  for (int axis = 0; axis < 3; ++axis) {
    SCOPED_TRACE(axis);
    const std::int64_t n = axis == 0 ? a : axis == 1 ? b : c;
    std::vector<double> max, min, arg, sum;
    for (std::int64_t i = 0; i < (axis == 0 ? 1 : a); ++i)
      for (std::int64_t j = 0; j < (axis == 1 ? 1 : b); ++j)
        for (std::int64_t k = 0; k < (axis == 2 ? 1 : c); ++k) {
          double hi = -INFINITY, lo = INFINITY;
          std::int64_t best = 0;
          for (std::int64_t r = 0; r < n; ++r) {
            const double e = at(axis == 0 ? r : i, axis == 1 ? r : j, axis == 2 ? r : k);
            if (e > hi) best = r;
            hi = std::max(hi, e);
            lo = std::min(lo, e);
          }
          max.push_back(hi);
          min.push_back(lo);
          arg.push_back(static_cast<double>(best));
        }
    const vs::ReduceOptions o{.axes = std::vector<int>{axis}};
    EXPECT_EQ(doubles(sess.run(vs::reduce_max(x, o))), max);
    EXPECT_EQ(doubles(sess.run(vs::reduce_min(x, o))), min);
    EXPECT_EQ(doubles(sess.run(vs::argmax(x, {.axis = axis}))), arg);
    const std::vector<double> sums = doubles(sess.run(vs::cumsum(x, {.axis = axis})));
    const std::vector<double> total = doubles(sess.run(vs::reduce_sum(x, o)));
    // The last running sum of each line is the line's sum.
    std::size_t line = 0;
    for (std::int64_t i = 0; i < (axis == 0 ? 1 : a); ++i)
      for (std::int64_t j = 0; j < (axis == 1 ? 1 : b); ++j)
        for (std::int64_t k = 0; k < (axis == 2 ? 1 : c); ++k, ++line) {
          const std::int64_t last =
              ((axis == 0 ? a - 1 : i) * b + (axis == 1 ? b - 1 : j)) * c + (axis == 2 ? c - 1 : k);
          EXPECT_NEAR(sums[static_cast<std::size_t>(last)], total[line], 1e-9);
        }
  }
  double hi = -INFINITY;
  std::int64_t first = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] > hi) first = static_cast<std::int64_t>(i);
    hi = std::max(hi, v[i]);
  }
  EXPECT_EQ(sess.run(vs::reduce_max(flat)).element_as_double(0), hi);
  EXPECT_EQ(sess.run(vs::argmax(flat)).element_as_double(0), static_cast<double>(first));
  const std::vector<double> running = doubles(sess.run(vs::cumsum(flat, {.exclusive = true})));
  double s = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    ASSERT_NEAR(running[i], s, 1e-9) << i;
    s += v[i];
  }
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(Reductions);

}  // namespace
