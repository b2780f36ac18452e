// One case per op type of the op table (op_table_test.cpp): how a user (or, for the gradient
// ops, tf.gradients) builds it from fed inputs, and what it must compute, in double. A new op
// type adds its case here; the suite fails for an op type without one.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <numeric>
#include <vector>

#include "host/graph/builders.h"
#include "host/graph/gradients/grad_fns.h"
#include "host/graph/graph_impl.h"
#include "varscope/varscope.h"

namespace varscope::testing {

namespace vd = ::varscope::detail;

using Values = std::vector<std::vector<double>>;  // each input's values, row-major

struct OpOutput {
  Tensor fetch;
  std::vector<Operation> targets{};  // run once (after initialization), before the fetch
};

struct OpCase {
  vd::OpType op;
  std::vector<Shape> inputs;  // fed through placeholders of the run's dtype
  double lo = -2, hi = 2;     // the inputs' values lie in [lo, hi)
  std::function<OpOutput(Graph&, const std::vector<Tensor>&, DType)> build;
  std::function<std::vector<double>(const Values&)> reference{};
  std::function<void(const HostTensor&)> property{};  // instead of a reference: random ops
  std::vector<bool> no_gradient{};                    // inputs that get none (TF's None)
  // Why the gradient is not checked by finite differences here (its output is not float64).
  const char* no_finite_differences = nullptr;
  bool differentiable(std::size_t i) const { return i >= no_gradient.size() || !no_gradient[i]; }
};

namespace cases {

using vd::OpType;

inline HostTensor values_of(DType dtype, std::vector<double> v, Shape shape) {
  return HostTensor(v, std::move(shape)).cast(dtype);
}

template <class F>
std::vector<double> map(const std::vector<double>& x, F f) {
  std::vector<double> y;
  for (double v : x)
    y.push_back(f(v));
  return y;
}
template <class F>
std::vector<double> zip(const std::vector<double>& x, const std::vector<double>& y, F f) {
  std::vector<double> z;
  for (std::size_t i = 0; i < x.size(); ++i)
    z.push_back(f(x[i], y[i]));
  return z;
}

// x [rows, cols] (op) y broadcast from [cols] (y_per_row false) or [rows, 1] (true).
template <class F>
std::vector<double> broadcast(
    const std::vector<double>& x, const std::vector<double>& y, int cols, bool y_per_row, F f) {
  std::vector<double> z;
  for (std::size_t i = 0; i < x.size(); ++i)
    z.push_back(f(x[i], y[y_per_row ? i / cols : i % cols]));
  return z;
}

// Row-major [batch, m, k] x [batch, k, n].
inline std::vector<double> matmul(
    const std::vector<double>& a, const std::vector<double>& b, int batch, int m, int k, int n) {
  std::vector<double> c(static_cast<std::size_t>(batch * m * n), 0.0);
  for (int s = 0; s < batch; ++s)
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j)
        for (int p = 0; p < k; ++p)
          c[std::size_t(s * m * n + i * n + j)] +=
              a[std::size_t(s * m * k + i * k + p)] * b[std::size_t(s * k * n + p * n + j)];
  return c;
}

inline std::vector<double> softmax_rows(const std::vector<double>& x, int cols) {
  std::vector<double> y(x.size());
  for (std::size_t r = 0; r < x.size() / std::size_t(cols); ++r) {
    const auto row = x.begin() + std::ptrdiff_t(r * std::size_t(cols));
    const double mx = *std::max_element(row, row + cols);
    double sum = 0;
    for (int j = 0; j < cols; ++j)
      sum += std::exp(row[j] - mx);
    for (int j = 0; j < cols; ++j)
      y[r * std::size_t(cols) + std::size_t(j)] = std::exp(row[j] - mx) / sum;
  }
  return y;
}

// An op the user never builds directly (the gradient ops): one node through the library's
// own gradient builder, in its own graph change.
inline Tensor internal_node(Graph& g,
                            OpType op,
                            std::vector<Tensor> inputs,
                            DType dtype,
                            Shape shape,
                            vd::Attrs attrs = {}) {
  const auto& impl = vd::Access::impl(g);
  return impl->mutate([&] {
    std::vector<vd::TensorRef> refs;
    for (const Tensor& t : inputs)
      refs.push_back(impl->ref_of(t));
    return impl->tensor(vd::grad_node(*impl, op, vd::op_def(op).name, std::move(refs),
                                      {dtype, std::move(shape)}, std::move(attrs)));
  });
}

inline void expect_moments(const HostTensor& t, double mean, double stddev, double tol) {
  double sum = 0, sq = 0;
  const auto n = static_cast<double>(t.num_elements());
  for (std::int64_t i = 0; i < t.num_elements(); ++i) {
    sum += t.element_as_double(i);
    sq += t.element_as_double(i) * t.element_as_double(i);
  }
  EXPECT_NEAR(sum / n, mean, tol);
  EXPECT_NEAR(std::sqrt(sq / n - (sum / n) * (sum / n)), stddev, tol);
}

}  // namespace cases

// The cases, in OpType order.
inline const std::vector<OpCase>& op_cases() {
  using namespace cases;
  using P = const std::vector<Tensor>&;
  static const std::vector<OpCase> all = {
      {.op = OpType::kConst,
       .inputs = {},
       .build = [](Graph& g, P, DType t) -> OpOutput {
         return {constant(g, values_of(t, {1.5, -2, 3.25}, Shape{3}))};
       },
       .reference =
           [](const Values&) {
             return std::vector<double>{1.5, -2, 3.25};
           }},
      {.op = OpType::kPlaceholder,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {p[0]}; },
       .reference = [](const Values& v) { return v[0]; }},
      {.op = OpType::kVariableV2,
       .inputs = {},
       .build = [](Graph& g, P, DType t) -> OpOutput {
         return {g.variable(values_of(t, {4, 5}, Shape{2}), {.name = "v"}).value()};
       },
       .reference =
           [](const Values&) {
             return std::vector<double>{4, 5};
           }},
      {.op = OpType::kIdentity,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {identity(p[0])}; },
       .reference = [](const Values& v) { return v[0]; }},
      {.op = OpType::kAssign,
       .inputs = {Shape{2, 3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         Variable v = g.variable(HostTensor(t, Shape{2, 3}), {.name = "v"});
         return {assign(v, p[0])};
       },
       .reference = [](const Values& v) { return v[0]; }},
      {.op = OpType::kAssignAdd,
       .inputs = {Shape{2, 3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         Variable w = g.variable(values_of(t, {1, 1, 1, 1, 1, 1}, Shape{2, 3}), {.name = "w"});
         return {assign_add(w, p[0])};
       },
       .reference = [](const Values& v) { return map(v[0], [](double x) { return x + 1; }); }},
      {.op = OpType::kNoOp,
       .inputs = {Shape{3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         Variable v = g.variable(HostTensor(t, Shape{3}), {.name = "v"});
         return {v.value(), {group({assign(v, p[0]).op()})}};
       },
       .reference = [](const Values& v) { return v[0]; }},
      {.op = OpType::kIsVariableInitialized,
       .inputs = {},
       .build = [](Graph& g, P, DType t) -> OpOutput {
         Variable v = g.variable(HostTensor(t, Shape{2}), {.name = "v"});
         return {g.is_variable_initialized(v)};
       },
       .property =
           [](const HostTensor& got) {
             ASSERT_EQ(got.dtype(), DType::kBool);
             EXPECT_EQ(got.element_as_double(0), 1.0);
           }},
      {.op = OpType::kFill,
       .inputs = {},
       .build = [](Graph& g, P, DType t) -> OpOutput {
         const auto& impl = vd::Access::impl(g);
         return {impl->mutate([&] {
           return impl->tensor(vd::build_fill(*impl, Shape{40, 30}, t, 2.5, "fill"));
         })};
       },
       .reference = [](const Values&) { return std::vector<double>(1200, 2.5); }},
      {.op = OpType::kRandomUniform,
       .inputs = {},
       .build = [](Graph& g, P, DType t) -> OpOutput {
         return {random_uniform(g, Shape{8000}, {.dtype = t, .seed = 7})};
       },
       .property =
           [](const HostTensor& got) {
             for (std::int64_t i = 0; i < got.num_elements(); ++i) {
               ASSERT_GE(got.element_as_double(i), 0.0);
               ASSERT_LT(got.element_as_double(i), 1.0);
             }
             expect_moments(got, 0.5, std::sqrt(1.0 / 12), 0.02);
           }},
      {.op = OpType::kRandomStandardNormal,
       .inputs = {},
       .build = [](Graph& g, P, DType t) -> OpOutput {
         return {random_normal(g, Shape{8000}, {.dtype = t, .seed = 7})};
       },
       .property = [](const HostTensor& got) { expect_moments(got, 0.0, 1.0, 0.05); }},
      {.op = OpType::kTruncatedNormal,
       .inputs = {},
       .build = [](Graph& g, P, DType t) -> OpOutput {
         return {truncated_normal(g, Shape{8000}, {.dtype = t, .seed = 7})};
       },
       .property =
           [](const HostTensor& got) {
             for (std::int64_t i = 0; i < got.num_elements(); ++i)
               ASSERT_LE(std::abs(got.element_as_double(i)), 2.0);
             expect_moments(got, 0.0, 0.8796, 0.05);  // the standard normal cut at +-2
           }},
      {.op = OpType::kRandomUniformInt,
       .inputs = {},
       .build = [](Graph& g, P, DType t) -> OpOutput {
         const DType i = t == DType::kFloat32 ? DType::kInt32 : DType::kInt64;
         return {random_uniform(g, Shape{4000}, {.minval = -3, .maxval = 5, .dtype = i})};
       },
       .property =
           [](const HostTensor& got) {
             std::vector<int> seen(8, 0);
             for (std::int64_t i = 0; i < got.num_elements(); ++i) {
               const double x = got.element_as_double(i);
               ASSERT_TRUE(x >= -3 && x < 5 && x == std::floor(x)) << x;
               ++seen[std::size_t(x + 3)];
             }
             for (int count : seen)
               EXPECT_GT(count, 400);
           }},
      {.op = OpType::kMatMul,
       .inputs = {Shape{2, 3}, Shape{3, 4}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {matmul(p[0], p[1])}; },
       .reference = [](const Values& v) { return cases::matmul(v[0], v[1], 1, 2, 3, 4); }},
      {.op = OpType::kBatchMatMulV2,
       .inputs = {Shape{2, 2, 3}, Shape{2, 3, 2}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {matmul(p[0], p[1])}; },
       .reference = [](const Values& v) { return cases::matmul(v[0], v[1], 2, 2, 3, 2); }},
      {.op = OpType::kAdd,
       .inputs = {Shape{2, 3}, Shape{3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {add(p[0], p[1])}; },
       .reference =
           [](const Values& v) {
             return broadcast(v[0], v[1], 3, false, [](double a, double b) { return a + b; });
           }},
      {.op = OpType::kAddV2,
       .inputs = {Shape{2, 3}, Shape{2, 1}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {p[0] + p[1]}; },
       .reference =
           [](const Values& v) {
             return broadcast(v[0], v[1], 3, true, [](double a, double b) { return a + b; });
           }},
      {.op = OpType::kBiasAdd,
       .inputs = {Shape{2, 3}, Shape{3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {bias_add(p[0], p[1])}; },
       .reference =
           [](const Values& v) {
             return broadcast(v[0], v[1], 3, false, [](double a, double b) { return a + b; });
           }},
      {.op = OpType::kSub,
       .inputs = {Shape{2, 3}, Shape{1, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {subtract(p[0], p[1])}; },
       .reference =
           [](const Values& v) {
             return broadcast(v[0], v[1], 3, false, [](double a, double b) { return a - b; });
           }},
      {.op = OpType::kMul,
       .inputs = {Shape{2, 3}, Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {multiply(p[0], p[1])}; },
       .reference =
           [](const Values& v) {
             return zip(v[0], v[1], [](double a, double b) { return a * b; });
           }},
      {.op = OpType::kRealDiv,
       .inputs = {Shape{2, 3}, Shape{3}},
       .lo = 0.5,
       .hi = 2,
       .build = [](Graph&, P p, DType) -> OpOutput { return {divide(p[0], p[1])}; },
       .reference =
           [](const Values& v) {
             return broadcast(v[0], v[1], 3, false, [](double a, double b) { return a / b; });
           }},
      {.op = OpType::kRelu,
       .inputs = {Shape{2, 5}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {relu(p[0])}; },
       .reference =
           [](const Values& v) { return map(v[0], [](double x) { return x > 0 ? x : 0.0; }); }},
      {.op = OpType::kSigmoid,
       .inputs = {Shape{2, 5}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {sigmoid(p[0])}; },
       .reference =
           [](const Values& v) {
             return map(v[0], [](double x) { return 1 / (1 + std::exp(-x)); });
           }},
      {.op = OpType::kTanh,
       .inputs = {Shape{2, 5}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {tanh(p[0])}; },
       .reference =
           [](const Values& v) { return map(v[0], [](double x) { return std::tanh(x); }); }},
      {.op = OpType::kSoftmax,
       .inputs = {Shape{2, 4}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {softmax(p[0])}; },
       .reference = [](const Values& v) { return softmax_rows(v[0], 4); }},
      {.op = OpType::kSum,
       .inputs = {Shape{2, 3, 4}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {reduce_sum(p[0], {.axes = std::vector<int>{1}})};
       },
       .reference =
           [](const Values& v) {
             std::vector<double> out(8, 0.0);
             for (int i = 0; i < 2; ++i)
               for (int j = 0; j < 3; ++j)
                 for (int k = 0; k < 4; ++k)
                   out[std::size_t(i * 4 + k)] += v[0][std::size_t(i * 12 + j * 4 + k)];
             return out;
           }},
      {.op = OpType::kMean,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {reduce_mean(p[0], {.axes = std::vector<int>{0}})};
       },
       .reference =
           [](const Values& v) {
             std::vector<double> out(3);
             for (int j = 0; j < 3; ++j)
               out[std::size_t(j)] = (v[0][std::size_t(j)] + v[0][std::size_t(3 + j)]) / 2;
             return out;
           }},
      {.op = OpType::kCast,
       .inputs = {Shape{5}},
       .build = [](Graph&, P p, DType t) -> OpOutput {
         return {cast(p[0], t == DType::kFloat32 ? DType::kFloat64 : DType::kFloat32)};
       },
       .reference = [](const Values& v) { return v[0]; },
       .no_finite_differences = "a float32 result: gradients_test checks Cast's gradient"},
      {.op = OpType::kSquare,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {square(p[0])}; },
       .reference = [](const Values& v) { return map(v[0], [](double x) { return x * x; }); }},
      {.op = OpType::kExp,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {exp(p[0])}; },
       .reference =
           [](const Values& v) { return map(v[0], [](double x) { return std::exp(x); }); }},
      {.op = OpType::kLog,
       .inputs = {Shape{2, 3}},
       .lo = 0.25,
       .hi = 3,
       .build = [](Graph&, P p, DType) -> OpOutput { return {log(p[0])}; },
       .reference =
           [](const Values& v) { return map(v[0], [](double x) { return std::log(x); }); }},
      {.op = OpType::kNeg,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {negative(p[0])}; },
       .reference = [](const Values& v) { return map(v[0], [](double x) { return -x; }); }},
      {.op = OpType::kReluGrad,
       .inputs = {Shape{2, 3}, Shape{2, 3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         return {internal_node(g, OpType::kReluGrad, {p[0], p[1]}, t, Shape{2, 3})};
       },
       .reference =
           [](const Values& v) {
             return zip(v[0], v[1], [](double dy, double f) { return f > 0 ? dy : 0.0; });
           }},
      {.op = OpType::kSigmoidGrad,
       .inputs = {Shape{2, 3}, Shape{2, 3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         return {internal_node(g, OpType::kSigmoidGrad, {p[0], p[1]}, t, Shape{2, 3})};
       },
       .reference =
           [](const Values& v) {
             return zip(v[0], v[1], [](double y, double dy) { return dy * y * (1 - y); });
           }},
      {.op = OpType::kTanhGrad,
       .inputs = {Shape{2, 3}, Shape{2, 3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         return {internal_node(g, OpType::kTanhGrad, {p[0], p[1]}, t, Shape{2, 3})};
       },
       .reference =
           [](const Values& v) {
             return zip(v[0], v[1], [](double y, double dy) { return dy * (1 - y * y); });
           }},
      {.op = OpType::kAddN,
       .inputs = {Shape{2, 3}, Shape{2, 3}, Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {add_n({p[0], p[1], p[2]})};
       },
       .reference =
           [](const Values& v) {
             return zip(zip(v[0], v[1], std::plus<>()), v[2], std::plus<>());
           }},
      {.op = OpType::kOnesLike,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {ones_like(p[0])}; },
       .reference = [](const Values&) { return std::vector<double>(6, 1.0); }},
      {.op = OpType::kZerosLike,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {zeros_like(p[0])}; },
       .reference = [](const Values&) { return std::vector<double>(6, 0.0); }},
      {.op = OpType::kSumToShape,
       .inputs = {Shape{2, 3}, Shape{3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         return {internal_node(g, OpType::kSumToShape, {p[0], p[1]}, t, Shape{3})};
       },
       .reference =
           [](const Values& v) {
             std::vector<double> out(3);
             for (int j = 0; j < 3; ++j)
               out[std::size_t(j)] = v[0][std::size_t(j)] + v[0][std::size_t(3 + j)];
             return out;
           },
       .no_gradient = {false, true}},  // `like` gives only its shape
      {.op = OpType::kBroadcastToShape,
       .inputs = {Shape{2}, Shape{2, 3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         const Tensor axes = constant(g, HostTensor(std::vector<std::int32_t>{1}));
         return {internal_node(g, OpType::kBroadcastToShape, {p[0], p[1], axes}, t, Shape{2, 3},
                               {{vd::attr_name::kT, t}, {vd::attr_name::kMean, true}})};
       },
       .reference =
           [](const Values& v) {
             std::vector<double> out;
             for (int i = 0; i < 6; ++i)
               out.push_back(v[0][std::size_t(i / 3)] / 3);
             return out;
           },
       .no_gradient = {false, true}},
      // Labels are distributions: TF's backprop (softmax - labels) is the gradient only then.
      {.op = OpType::kSoftmaxXent,
       .inputs = {Shape{2, 4}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         const Tensor labels =
             constant(g, values_of(t, {0.1, 0.2, 0.3, 0.4, 0.7, 0, 0.25, 0.05}, Shape{2, 4}));
         return {softmax_cross_entropy_with_logits(labels, p[0])};
       },
       .reference =
           [](const Values& v) {
             const std::vector<double> labels = {0.1, 0.2, 0.3, 0.4, 0.7, 0, 0.25, 0.05};
             const std::vector<double> s = softmax_rows(v[0], 4);
             std::vector<double> loss(2, 0.0);
             for (std::size_t i = 0; i < 8; ++i)
               loss[i / 4] -= labels[i] * std::log(s[i]);
             return loss;
           }},
      {.op = OpType::kSparseSoftmaxXent,
       .inputs = {Shape{2, 4}},
       .build = [](Graph& g, P p, DType) -> OpOutput {
         const Tensor labels = constant(g, HostTensor(std::vector<std::int32_t>{1, 3}));
         return {sparse_softmax_cross_entropy_with_logits(labels, p[0])};
       },
       .reference =
           [](const Values& v) {
             const std::vector<double> s = softmax_rows(v[0], 4);
             return std::vector<double>{-std::log(s[1]), -std::log(s[4 + 3])};
           }},
      {.op = OpType::kApplyGradientDescent,
       .inputs = {Shape{3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         Variable v = g.variable(values_of(t, {1, 2, 3}, Shape{3}), {.name = "v"});
         train::GradientDescentOptimizer opt(0.5);
         return {v.value(), {opt.apply_gradients({{p[0], v}})}};
       },
       .reference =
           [](const Values& v) {
             return zip({1, 2, 3}, v[0], [](double w, double dw) { return w - 0.5 * dw; });
           }},
      {.op = OpType::kApplyMomentum,
       .inputs = {Shape{3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         Variable v = g.variable(values_of(t, {1, 2, 3}, Shape{3}), {.name = "v"});
         train::MomentumOptimizer opt(0.5, 0.9);
         return {v.value(), {opt.apply_gradients({{p[0], v}})}};
       },
       .reference =
           [](const Values& v) {
             // accum = 0.9 * 0 + g, then var -= lr * accum.
             return zip({1, 2, 3}, v[0], [](double w, double dw) { return w - 0.5 * dw; });
           }},
      {.op = OpType::kApplyAdam,
       .inputs = {Shape{3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         Variable v = g.variable(values_of(t, {1, 2, 3}, Shape{3}), {.name = "v"});
         train::AdamOptimizer opt(0.1);
         return {v.value(), {opt.apply_gradients({{p[0], v}})}};
       },
       .reference =
           [](const Values& v) {
             // TF's ApplyAdam at the first step (beta powers = beta1, beta2). The
             // hyperparameters are float32 tensors cast to the variable's dtype, as in TF.
             const auto f32 = [](double x) { return double(float(x)); };
             const double b1 = f32(0.9), b2 = f32(0.999);
             const double lr_t = f32(0.1) * std::sqrt(1 - b2) / (1 - b1);
             return zip({1, 2, 3}, v[0], [&](double w, double dw) {
               const double m = (1 - b1) * dw, s = (1 - b2) * dw * dw;
               return w - m * lr_t / (std::sqrt(s) + f32(1e-8));
             });
           }},
  };
  return all;
}

}  // namespace varscope::testing
