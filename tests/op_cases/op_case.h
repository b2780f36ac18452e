// One case per op type of the op table (op_table_test.cpp): how a user (or, for the gradient
// ops, tf.gradients) builds it from fed inputs, and what it must compute, in double. A new op
// type adds its case to its concept's file here (as its row in src/host/graph/op_rows/); the
// suite fails for an op type without one.
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
  // The dtypes the op runs in (empty: float32 and float64) and float32's tolerance (ops
  // that sum over many elements: batch normalization).
  std::vector<DType> dtypes{};
  double rtol32 = 2e-6, atol32 = 1e-6;
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
// own gradient builder, in its own graph change; its shape function must give `dtype` and
// `shape`.
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
    Tensor out = impl->tensor(
        vd::grad_node(*impl, op, vd::op_def(op).name, std::move(refs), std::move(attrs)));
    EXPECT_EQ(out.dtype(), dtype);
    EXPECT_EQ(out.shape(), shape);
    return out;
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

// Each concept's cases (<concept>_cases.cpp), and all of them in one list.
std::vector<OpCase> state_cases();
std::vector<OpCase> array_cases();
std::vector<OpCase> random_cases();
std::vector<OpCase> math_cases();
std::vector<OpCase> nn_cases();
std::vector<OpCase> conv_cases();
std::vector<OpCase> training_cases();
std::vector<OpCase> reduction_cases();   // reductions and ops along one axis
std::vector<OpCase> collective_cases();  // HorovodAllreduce, HorovodBroadcast
std::vector<OpCase> summary_cases();     // ScalarSummary, HistogramSummary, MergeSummary
const std::vector<OpCase>& op_cases();

}  // namespace varscope::testing
