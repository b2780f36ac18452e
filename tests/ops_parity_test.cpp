// CPU/GPU parity of the ops (docs/architecture.md: one set of kernels for both backends): each op
// runs in a CPU session and in a CUDA session of the same graph, on the same random inputs (fed
// through placeholders or held in constants), and the results are compared: bit for bit where both
// backends do one IEEE operation per element (+ - * /, relu, bias_add, cast, assign), to a
// tolerance where they use different exp/tanh or summation orders (sigmoid, tanh, softmax,
// reductions, matmul). Needs a CUDA device: skips, visibly, where there is none.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "gpu_test.h"
#include "test_util.h"
#include "test_values.h"
#include "varscope/varscope.h"

namespace vs = varscope;

namespace {

using vs::testing::of_dtype;
using vs::testing::random_divisor;
using vs::testing::random_tensor;
using vs::testing::SameBytes;

std::string str(const vs::Shape& s) {
  return s.to_list_string();
}

::testing::AssertionResult SameLayout(const vs::HostTensor& cpu, const vs::HostTensor& gpu) {
  if (cpu.dtype() != gpu.dtype() || cpu.shape() != gpu.shape()) {
    return ::testing::AssertionFailure() << "CPU " << cpu.dtype() << str(cpu.shape()) << " vs GPU "
                                         << gpu.dtype() << str(gpu.shape());
  }
  return ::testing::AssertionSuccess();
}

// Same dtype and shape, and |cpu - gpu| <= atol + rtol * max(|cpu|, scale) per element
// (scale: the magnitude of the summed terms, for sums and products); NaN meets NaN.
::testing::AssertionResult Close(const vs::HostTensor& cpu,
                                 const vs::HostTensor& gpu,
                                 double rtol,
                                 double atol,
                                 const std::vector<double>& scale = {}) {
  if (auto layout = SameLayout(cpu, gpu); !layout) return layout;
  std::int64_t first = -1, count = 0;
  for (std::int64_t i = 0; i < cpu.num_elements(); ++i) {
    const double c = cpu.element_as_double(i), g = gpu.element_as_double(i);
    bool ok;
    if (std::isnan(c) || std::isnan(g)) {
      ok = std::isnan(c) && std::isnan(g);
    } else if (std::isinf(c) || std::isinf(g)) {
      ok = c == g;
    } else {
      const double mag =
          std::max(std::abs(c), scale.empty() ? 0.0 : scale[static_cast<std::size_t>(i)]);
      ok = std::abs(c - g) <= atol + rtol * mag;
    }
    if (!ok) {
      if (first < 0) first = i;
      ++count;
    }
  }
  if (count == 0) return ::testing::AssertionSuccess();
  std::ostringstream os;
  os.precision(17);
  os << count << " of " << cpu.num_elements() << " elements off (rtol " << rtol << ", atol " << atol
     << "); first is element " << first << ": CPU " << cpu.element_as_double(first) << " vs GPU "
     << gpu.element_as_double(first);
  return ::testing::AssertionFailure() << os.str();
}

// Tolerances for exp/tanh-based ops and reductions.
double rtol_for(vs::DType dtype) {
  return dtype == vs::DType::kFloat32 ? 1e-5 : 1e-12;
}
double atol_for(vs::DType dtype) {
  return dtype == vs::DType::kFloat32 ? 1e-6 : 1e-13;
}

// sum over k of |a| |b| for op(a) @ op(b), rank 2 or batched with equal batch dims or a
// rank-2 side: the scale a matmul's rounding error is measured against.
std::vector<double> matmul_scale(const vs::HostTensor& a,
                                 const vs::HostTensor& b,
                                 bool ta,
                                 bool tb) {
  const auto& da = a.shape().dims();
  const auto& db = b.shape().dims();
  const std::int64_t ar = da[da.size() - 2], ac = da[da.size() - 1];
  const std::int64_t br = db[db.size() - 2], bc = db[db.size() - 1];
  const std::int64_t m = ta ? ac : ar, k = ta ? ar : ac, n = tb ? br : bc;
  const std::int64_t batches = std::max(a.num_elements() / std::max<std::int64_t>(1, ar * ac),
                                        b.num_elements() / std::max<std::int64_t>(1, br * bc));
  const bool a_batched = da.size() > 2, b_batched = db.size() > 2;
  std::vector<double> scale(static_cast<std::size_t>(batches * m * n));
  for (std::int64_t q = 0; q < batches; ++q) {
    const std::int64_t oa = a_batched ? q * ar * ac : 0, ob = b_batched ? q * br * bc : 0;
    for (std::int64_t i = 0; i < m; ++i) {
      for (std::int64_t j = 0; j < n; ++j) {
        double s = 0.0;
        for (std::int64_t l = 0; l < k; ++l) {
          const double x = a.element_as_double(oa + (ta ? l * ac + i : i * ac + l));
          const double y = b.element_as_double(ob + (tb ? j * bc + l : l * bc + j));
          s += std::abs(x * y);
        }
        scale[static_cast<std::size_t>((q * m + i) * n + j)] = s;
      }
    }
  }
  return scale;
}

// Per output element of a reduction: the sum (or mean) of |x| over the reduced elements,
// the scale a sum's rounding error is measured against.
std::vector<double> reduce_scale(const vs::HostTensor& x,
                                 const std::optional<std::vector<int>>& axes,
                                 bool mean) {
  const vs::Shape& shape = x.shape();
  const int rank = shape.rank();
  std::vector<bool> reduced(static_cast<std::size_t>(rank), !axes.has_value());
  if (axes) {
    for (int a : *axes)
      reduced[static_cast<std::size_t>(a < 0 ? a + rank : a)] = true;
  }
  std::int64_t kept = 1, count = 1;
  for (int d = 0; d < rank; ++d)
    (reduced[static_cast<std::size_t>(d)] ? count : kept) *= shape.dim(d);
  std::vector<double> scale(static_cast<std::size_t>(kept), 0.0);
  for (std::int64_t i = 0; i < x.num_elements(); ++i) {
    std::int64_t rest = i, o = 0, stride = 1;
    for (int d = rank - 1; d >= 0; --d) {
      const std::int64_t c = rest % shape.dim(d);
      rest /= shape.dim(d);
      if (!reduced[static_cast<std::size_t>(d)]) {
        o += c * stride;
        stride *= shape.dim(d);
      }
    }
    scale[static_cast<std::size_t>(o)] += std::abs(x.element_as_double(i));
  }
  if (mean && count > 0) {
    for (double& s : scale)
      s /= static_cast<double>(count);
  }
  return scale;
}

const std::vector<vs::DType> kFloatTypes{vs::DType::kFloat32, vs::DType::kFloat64};

}  // namespace

class GpuOpsParity : public ::testing::Test {
 protected:
  void SetUp() override { VARSCOPE_SKIP_WITHOUT_GPU(); }

  struct Results {
    std::vector<vs::HostTensor> cpu, gpu;
  };

  // Runs `targets` (initializers, updates) then fetches `fetches`, in a CPU session and in a
  // CUDA session of the same graph, with the same feeds.
  static Results both(const vs::Graph& g,
                      const std::vector<vs::Tensor>& fetches,
                      const vs::FeedDict& feeds = {},
                      const std::vector<vs::Operation>& targets = {}) {
    vs::Session cpu(g, {.device = vs::DeviceKind::kCpu});
    vs::Session gpu(g, {.device = vs::DeviceKind::kCuda});
    EXPECT_EQ(cpu.device(), vs::DeviceKind::kCpu);
    EXPECT_EQ(gpu.device(), vs::DeviceKind::kCuda);
    for (const vs::Operation& t : targets) {
      cpu.run(t, feeds);
      gpu.run(t, feeds);
    }
    Results r{cpu.run(fetches, feeds), gpu.run(fetches, feeds)};
    EXPECT_EQ(r.cpu.size(), fetches.size());
    EXPECT_EQ(r.gpu.size(), fetches.size());
    return r;
  }
};

TEST_F(GpuOpsParity, ArithmeticWithBroadcastingIsBitExact) {
  const std::vector<std::pair<vs::Shape, vs::Shape>> cases = {
      {vs::Shape{2, 3}, vs::Shape{2, 3}}, {vs::Shape{}, vs::Shape{4}},
      {vs::Shape{3}, vs::Shape{2, 3}},    {vs::Shape{2, 1, 4}, vs::Shape{3, 1}},
      {vs::Shape{1}, vs::Shape{5}},       {vs::Shape{37, 1, 29}, vs::Shape{1, 11, 29}},
      {vs::Shape{0, 3}, vs::Shape{3}},    {vs::Shape{1001}, vs::Shape{}},
  };
  std::mt19937 rng(7001);
  for (vs::DType dtype : kFloatTypes) {
    for (const auto& [xs, ys] : cases) {
      SCOPED_TRACE(std::string(vs::dtype_name(dtype)) + " " + str(xs) + " op " + str(ys));
      vs::Graph g;
      const vs::HostTensor xv = random_tensor(rng, dtype, xs);
      vs::Tensor x = vs::placeholder(g, dtype, xs, "x");
      vs::Tensor y = vs::constant(g, random_divisor(rng, dtype, ys));
      const std::vector<vs::Tensor> outs = {
          vs::add(x, y), vs::subtract(x, y), vs::multiply(x, y), vs::divide(x, y),
          y - x,         y / x * 0.5f};
      const Results r = both(g, outs, {{x, xv}});
      for (std::size_t k = 0; k < outs.size(); ++k)
        EXPECT_TRUE(SameBytes(r.cpu[k], r.gpu[k])) << outs[k].name();
    }
  }
}

TEST_F(GpuOpsParity, IntegerArithmeticIsExact) {
  std::mt19937 rng(7002);
  for (vs::DType dtype : {vs::DType::kInt32, vs::DType::kInt64}) {
    SCOPED_TRACE(vs::dtype_name(dtype));
    vs::Graph g;
    const vs::HostTensor xv = random_tensor(rng, dtype, vs::Shape{5, 7}, -30000, 30000);
    vs::Tensor x = vs::placeholder(g, dtype, vs::Shape{5, 7}, "x");
    vs::Tensor y = vs::constant(g, random_tensor(rng, dtype, vs::Shape{7}, -30000, 30000));
    const Results r = both(g, {x + y, x - y, x * y, vs::multiply(y, x) + 3}, {{x, xv}});
    for (std::size_t k = 0; k < r.cpu.size(); ++k)
      EXPECT_TRUE(SameBytes(r.cpu[k], r.gpu[k])) << k;
  }
  vs::Graph g;
  const std::int64_t big = std::int64_t{1} << 53;
  vs::Tensor a =
      vs::constant(g, vs::HostTensor(std::vector<std::int64_t>{big + 1, 3'000'000'000, -7}));
  vs::Tensor b =
      vs::constant(g, vs::HostTensor(std::vector<std::int64_t>{2, 3, -(std::int64_t{1} << 40)}));
  const Results r = both(g, {a + b, a * b});
  EXPECT_TRUE(SameBytes(r.cpu[0], r.gpu[0]));
  EXPECT_TRUE(SameBytes(r.cpu[1], r.gpu[1]));
  EXPECT_EQ(r.gpu[0].data<std::int64_t>()[0], big + 3);
}

TEST_F(GpuOpsParity, ActivationsAgree) {
  std::mt19937 rng(7003);
  for (vs::DType dtype : kFloatTypes) {
    SCOPED_TRACE(vs::dtype_name(dtype));
    vs::Graph g;
    const vs::Shape shape{33, 31};
    const vs::HostTensor xv = random_tensor(rng, dtype, shape, -12.0, 12.0);
    vs::Tensor x = vs::placeholder(g, dtype, shape, "x");
    const Results r = both(g, {vs::relu(x), vs::sigmoid(x), vs::tanh(x)}, {{x, xv}});
    EXPECT_TRUE(SameBytes(r.cpu[0], r.gpu[0])) << "Relu";
    EXPECT_TRUE(Close(r.cpu[1], r.gpu[1], rtol_for(dtype), atol_for(dtype))) << "Sigmoid";
    EXPECT_TRUE(Close(r.cpu[2], r.gpu[2], rtol_for(dtype), atol_for(dtype))) << "Tanh";
  }
}

TEST_F(GpuOpsParity, SoftmaxAgreesIncludingLargeLogits) {
  std::mt19937 rng(7004);
  for (vs::DType dtype : kFloatTypes) {
    SCOPED_TRACE(vs::dtype_name(dtype));
    vs::Graph g;
    const vs::HostTensor xv = random_tensor(rng, dtype, vs::Shape{6, 5, 17}, -8.0, 8.0);
    vs::Tensor x = vs::placeholder(g, dtype, vs::Shape{6, 5, 17}, "x");
    const std::vector<double> large = {1000, 1001, 1002, -1000, -1000.5, -999, 0, 1000, -1000};
    vs::Tensor l = vs::constant(g, of_dtype(dtype, large, vs::Shape{3, 3}));
    vs::Tensor one_col = vs::constant(g, random_tensor(rng, dtype, vs::Shape{4, 1}));
    const Results r = both(g, {vs::softmax(x), vs::softmax(l), vs::softmax(one_col)}, {{x, xv}});
    for (std::size_t k = 0; k < r.cpu.size(); ++k) {
      EXPECT_TRUE(Close(r.cpu[k], r.gpu[k], rtol_for(dtype), atol_for(dtype))) << k;
      for (std::int64_t i = 0; i < r.gpu[k].num_elements(); ++i)
        ASSERT_TRUE(std::isfinite(r.gpu[k].element_as_double(i))) << k << " element " << i;
    }
  }
}

TEST_F(GpuOpsParity, BiasAddIsBitExact) {
  std::mt19937 rng(7005);
  for (vs::DType dtype : kFloatTypes) {
    SCOPED_TRACE(vs::dtype_name(dtype));
    vs::Graph g;
    const vs::HostTensor xv = random_tensor(rng, dtype, vs::Shape{9, 4, 13});
    vs::Tensor x = vs::placeholder(g, dtype, vs::Shape{9, 4, 13}, "x");
    vs::Tensor m = vs::constant(g, random_tensor(rng, dtype, vs::Shape{7, 3}));
    const Results r =
        both(g,
             {vs::bias_add(x, vs::constant(g, random_tensor(rng, dtype, vs::Shape{13}))),
              vs::bias_add(m, vs::constant(g, random_tensor(rng, dtype, vs::Shape{3})))},
             {{x, xv}});
    EXPECT_TRUE(SameBytes(r.cpu[0], r.gpu[0]));
    EXPECT_TRUE(SameBytes(r.cpu[1], r.gpu[1]));
  }
}

TEST_F(GpuOpsParity, ReductionsAgree) {
  const std::vector<std::optional<std::vector<int>>> axes_cases = {
      std::nullopt,         std::vector<int>{0},    std::vector<int>{1},
      std::vector<int>{-1}, std::vector<int>{0, 2}, std::vector<int>{2, 1},
  };
  std::mt19937 rng(7006);
  for (vs::DType dtype :
       {vs::DType::kFloat32, vs::DType::kFloat64, vs::DType::kInt32, vs::DType::kInt64}) {
    SCOPED_TRACE(vs::dtype_name(dtype));
    const vs::Shape shape{11, 23, 19};
    const vs::HostTensor xv = random_tensor(rng, dtype, shape, -100, 100);
    vs::Graph g;
    vs::Tensor x = vs::placeholder(g, dtype, shape, "x");
    std::vector<vs::Tensor> outs;
    std::vector<std::vector<double>> scales;
    for (const auto& axes : axes_cases) {
      for (bool keepdims : {false, true}) {
        outs.push_back(vs::reduce_sum(x, {.axes = axes, .keepdims = keepdims}));
        scales.push_back(reduce_scale(xv, axes, false));
        outs.push_back(vs::reduce_mean(x, {.axes = axes, .keepdims = keepdims}));
        scales.push_back(reduce_scale(xv, axes, true));
      }
    }
    const Results r = both(g, outs, {{x, xv}});
    for (std::size_t k = 0; k < outs.size(); ++k) {
      if (vs::is_integer(dtype)) {
        EXPECT_TRUE(SameBytes(r.cpu[k], r.gpu[k])) << outs[k].name();
      } else {
        EXPECT_TRUE(Close(r.cpu[k], r.gpu[k], rtol_for(dtype), 0.0, scales[k])) << outs[k].name();
      }
    }
  }
  // Empty: sum 0 and mean NaN on both.
  vs::Graph g;
  vs::Tensor e = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{0, 3}));
  const Results r = both(g, {vs::reduce_sum(e), vs::reduce_mean(e, {.axes = {{0}}})});
  EXPECT_TRUE(SameBytes(r.cpu[0], r.gpu[0]));
  EXPECT_TRUE(Close(r.cpu[1], r.gpu[1], 0.0, 0.0));
  EXPECT_TRUE(std::isnan(r.gpu[1].element_as_double(0)));
}

TEST_F(GpuOpsParity, CastIsExact) {
  std::mt19937 rng(7007);
  vs::Graph g;
  const vs::HostTensor f32 = random_tensor(rng, vs::DType::kFloat32, vs::Shape{257}, -1e6, 1e6);
  const vs::HostTensor f64 = random_tensor(rng, vs::DType::kFloat64, vs::Shape{257}, -1e12, 1e12);
  vs::Tensor a = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{257}, "a");
  vs::Tensor b = vs::placeholder(g, vs::DType::kFloat64, vs::Shape{257}, "b");
  vs::Tensor i64 =
      vs::constant(g, vs::HostTensor(std::vector<std::int64_t>{(std::int64_t{1} << 31) + 5,
                                                               -(std::int64_t{1} << 40) - 3, 7}));
  const std::vector<vs::Tensor> outs = {
      vs::cast(a, vs::DType::kInt32),     vs::cast(a, vs::DType::kInt64),
      vs::cast(a, vs::DType::kFloat64),   vs::cast(b, vs::DType::kFloat32),
      vs::cast(b, vs::DType::kInt64),     vs::cast(i64, vs::DType::kFloat64),
      vs::cast(i64, vs::DType::kFloat32), vs::cast(i64, vs::DType::kInt32),
  };
  const Results r = both(g, outs, {{a, f32}, {b, f64}});
  for (std::size_t k = 0; k < outs.size(); ++k)
    EXPECT_TRUE(SameBytes(r.cpu[k], r.gpu[k])) << outs[k].name();
}

TEST_F(GpuOpsParity, MatMulAgreesForSizesTransposesAndBatches) {
  struct Case {
    vs::Shape a, b;
    bool ta, tb;
  };
  const std::vector<Case> cases = {
      {vs::Shape{1, 1}, vs::Shape{1, 1}, false, false},
      {vs::Shape{7, 13}, vs::Shape{13, 5}, false, false},
      {vs::Shape{13, 7}, vs::Shape{13, 5}, true, false},
      {vs::Shape{7, 13}, vs::Shape{5, 13}, false, true},
      {vs::Shape{13, 7}, vs::Shape{5, 13}, true, true},
      {vs::Shape{33, 65}, vs::Shape{65, 17}, false, false},
      {vs::Shape{16, 1}, vs::Shape{1, 9}, false, false},
      {vs::Shape{3, 4, 5}, vs::Shape{3, 5, 2}, false, false},
      {vs::Shape{3, 5, 4}, vs::Shape{3, 2, 5}, true, true},
      {vs::Shape{3, 4, 5}, vs::Shape{5, 6}, false, false},
      {vs::Shape{4, 5}, vs::Shape{3, 5, 6}, false, false},
      {vs::Shape{2, 0}, vs::Shape{0, 3}, false, false},
      {vs::Shape{0, 3}, vs::Shape{3, 4}, false, false},
  };
  std::mt19937 rng(7008);
  for (vs::DType dtype : kFloatTypes) {
    SCOPED_TRACE(vs::dtype_name(dtype));
    vs::Graph g;
    vs::FeedDict feeds;
    std::vector<vs::Tensor> outs;
    std::vector<std::vector<double>> scales;
    for (const Case& c : cases) {
      const vs::HostTensor av = random_tensor(rng, dtype, c.a);
      const vs::HostTensor bv = random_tensor(rng, dtype, c.b);
      vs::Tensor a = vs::placeholder(g, dtype, c.a);
      feeds.push_back({a, av});
      outs.push_back(
          vs::matmul(a, vs::constant(g, bv), {.transpose_a = c.ta, .transpose_b = c.tb}));
      scales.push_back(matmul_scale(av, bv, c.ta, c.tb));
    }
    const Results r = both(g, outs, feeds);
    for (std::size_t k = 0; k < outs.size(); ++k) {
      SCOPED_TRACE(str(cases[k].a) + " @ " + str(cases[k].b) + (cases[k].ta ? " ta" : "") +
                   (cases[k].tb ? " tb" : ""));
      EXPECT_TRUE(
          Close(r.cpu[k], r.gpu[k], dtype == vs::DType::kFloat32 ? 1e-5 : 1e-12, 0.0, scales[k]));
    }
  }
}

TEST_F(GpuOpsParity, AssignAndAssignAddAreBitExact) {
  std::mt19937 rng(7009);
  for (vs::DType dtype :
       {vs::DType::kFloat32, vs::DType::kFloat64, vs::DType::kInt32, vs::DType::kInt64}) {
    SCOPED_TRACE(vs::dtype_name(dtype));
    vs::Graph g;
    vs::Variable v =
        g.variable(random_tensor(rng, dtype, vs::Shape{17, 3}, -50, 50), {.name = "v"});
    vs::Tensor inc = vs::placeholder(g, dtype, vs::Shape{17, 3}, "inc");
    vs::Tensor add = vs::assign_add(v, inc);
    vs::Tensor set = vs::assign(v, vs::constant(g, random_tensor(rng, dtype, vs::Shape{17, 3})));
    const vs::FeedDict feeds = {{inc, random_tensor(rng, dtype, vs::Shape{17, 3}, -50, 50)}};
    const Results added = both(g, {v.value()}, feeds, {v.initializer(), add.op(), add.op()});
    EXPECT_TRUE(SameBytes(added.cpu[0], added.gpu[0])) << "assign_add";
    const Results assigned = both(g, {v.value()}, {}, {v.initializer(), set.op()});
    EXPECT_TRUE(SameBytes(assigned.cpu[0], assigned.gpu[0])) << "assign";
  }
}
