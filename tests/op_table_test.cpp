// The op table, tested as ggml's test-backend-ops tests its backends: one case per op type
// (tests/op_cases/), run on every backend in float32 and float64 against a reference
// computed in double, and, for every op whose row has a gradient, the gradient against
// central finite differences in float64. An op type without a case fails the suite.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "backend_test.h"
#include "host/graph/gradients/grad_fns.h"
#include "host/graph/op_defs.h"
#include "op_cases/op_case.h"
#include "varscope/varscope.h"

namespace vs = varscope;
namespace d = varscope::detail;

namespace {

using vs::testing::op_cases;
using vs::testing::OpCase;

std::string op_name(d::OpType op) {
  return std::string(d::op_def(op).name);
}

// Deterministic values in [lo, hi) for input `which` of a case.
std::vector<double> input_values(const OpCase& c, std::size_t which) {
  const std::int64_t n = c.inputs[which].num_elements();
  std::vector<double> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    const double t = std::fmod(0.618033988749895 * double(i + 1) + 0.3 * double(which), 1.0);
    v[static_cast<std::size_t>(i)] = c.lo + (c.hi - c.lo) * t;
  }
  return v;
}

vs::HostTensor as_tensor(const std::vector<double>& v, const vs::Shape& shape, vs::DType dtype) {
  return vs::HostTensor(v, shape).cast(dtype);
}

std::vector<double> doubles(const vs::HostTensor& t) {
  std::vector<double> v(static_cast<std::size_t>(t.num_elements()));
  for (std::int64_t i = 0; i < t.num_elements(); ++i)
    v[static_cast<std::size_t>(i)] = t.element_as_double(i);
  return v;
}

// A case built in one graph: its placeholders, what it fetches and runs.
struct Built {
  vs::Graph g;
  std::vector<vs::Tensor> placeholders;
  vs::testing::OpOutput out;
};

Built build(const OpCase& c, vs::DType dtype) {
  Built b;
  for (std::size_t i = 0; i < c.inputs.size(); ++i) {
    b.placeholders.push_back(vs::placeholder(b.g, dtype, c.inputs[i], "in" + std::to_string(i)));
  }
  b.out = c.build(b.g, b.placeholders, dtype);
  return b;
}

vs::FeedDict feeds(const Built& b,
                   const std::vector<vs::Shape>& shapes,
                   const std::vector<std::vector<double>>& values,
                   vs::DType dtype) {
  vs::FeedDict f;
  for (std::size_t i = 0; i < b.placeholders.size(); ++i)
    f.push_back({b.placeholders[i], as_tensor(values[i], shapes[i], dtype)});
  return f;
}

// Runs the case's targets (after initializing its variables), then fetches its output.
vs::HostTensor run(vs::Session& sess, Built& b, const vs::FeedDict& f) {
  sess.run(b.g.global_variables_initializer());
  if (!b.out.targets.empty()) sess.run({}, f, b.out.targets);
  return sess.run(b.out.fetch, f);
}

class OpTable : public vs::testing::BackendTest {};

// Graph building (add_op) and the run's check both call it: no op may lack one.
TEST(OpTableCoverage, EveryOpTypeHasAShapeFunction) {
  for (int i = 0; i < d::kNumOpTypes; ++i) {
    const auto op = static_cast<d::OpType>(i);
    EXPECT_NE(d::op_def(op).shape, nullptr) << op_name(op);
  }
}

TEST(OpTableCoverage, EveryOpTypeHasACase) {
  std::set<d::OpType> covered;
  for (const OpCase& c : op_cases())
    covered.insert(c.op);
  for (int i = 0; i < d::kNumOpTypes; ++i) {
    const auto op = static_cast<d::OpType>(i);
    EXPECT_TRUE(covered.contains(op)) << op_name(op) << " has no case in tests/op_cases/";
  }
}

TEST_P(OpTable, EveryOpMatchesItsDoubleReference) {
  for (const OpCase& c : op_cases()) {
    const std::vector<vs::DType> dtypes =
        c.dtypes.empty() ? std::vector<vs::DType>{vs::DType::kFloat32, vs::DType::kFloat64}
                         : c.dtypes;
    for (vs::DType dtype : dtypes) {
      SCOPED_TRACE(op_name(c.op) + " " + std::string(vs::dtype_name(dtype)));
      Built b = build(c, dtype);
      // The case builds the op it is about.
      bool has_op = false;
      for (const vs::Operation& op : b.g.operations())
        has_op = has_op || op.type() == d::op_def(c.op).name;
      EXPECT_TRUE(has_op) << "the case builds no " << op_name(c.op);
      // The reference sees the values as fed: rounded to the run's dtype.
      std::vector<std::vector<double>> values;
      for (std::size_t i = 0; i < c.inputs.size(); ++i)
        values.push_back(doubles(as_tensor(input_values(c, i), c.inputs[i], dtype)));
      vs::Session sess(b.g, options());
      const vs::HostTensor got = run(sess, b, feeds(b, c.inputs, values, dtype));
      if (c.property) {
        c.property(got);
        continue;
      }
      const std::vector<double> want = c.reference(values);
      ASSERT_EQ(static_cast<std::size_t>(got.num_elements()), want.size());
      // Float64 results to a few ulps of the double reference, float32 ones to float32's
      // rounding of the inputs and of the result.
      const bool exact64 = got.dtype() == vs::DType::kFloat64;
      const double rtol = exact64 ? 1e-12 : c.rtol32;
      const double atol = exact64 ? 1e-12 : c.atol32;
      for (std::size_t i = 0; i < want.size(); ++i) {
        const double g = got.element_as_double(static_cast<std::int64_t>(i));
        EXPECT_NEAR(g, want[i], atol + rtol * std::abs(want[i])) << "element " << i;
      }
    }
  }
}

// d(sum(y * w))/dx from vs::gradients against central differences, in float64, for every op
// whose row names a gradient function.
TEST_P(OpTable, EveryGradientMatchesFiniteDifferences) {
  for (const OpCase& c : op_cases()) {
    const d::GradFn grad = d::op_def(c.op).grad;
    if (grad == nullptr || grad == d::grad::not_differentiable || c.inputs.empty()) continue;
    SCOPED_TRACE(op_name(c.op));
    if (c.no_finite_differences != nullptr) {
      RecordProperty(op_name(c.op), c.no_finite_differences);
      continue;
    }
    const vs::DType dtype = vs::DType::kFloat64;
    Built b = build(c, dtype);
    const vs::Shape out_shape = b.out.fetch.shape();
    ASSERT_TRUE(out_shape.is_fully_defined());
    ASSERT_EQ(b.out.fetch.dtype(), dtype) << "say why in the case's no_finite_differences";
    std::vector<double> weights(static_cast<std::size_t>(out_shape.num_elements()));
    for (std::size_t i = 0; i < weights.size(); ++i)
      weights[i] = 0.5 + 0.25 * double(i % 5);
    const vs::Tensor loss =
        vs::reduce_sum(b.out.fetch * vs::constant(b.g, as_tensor(weights, out_shape, dtype)));
    const std::vector<vs::Tensor> grads = vs::gradients({loss}, b.placeholders);
    std::vector<std::vector<double>> values;
    for (std::size_t i = 0; i < c.inputs.size(); ++i)
      values.push_back(input_values(c, i));
    vs::Session sess(b.g, options());
    sess.run(b.g.global_variables_initializer());
    auto loss_at = [&](const std::vector<std::vector<double>>& v) {
      return sess.run(loss, feeds(b, c.inputs, v, dtype)).element_as_double(0);
    };
    for (std::size_t i = 0; i < c.inputs.size(); ++i) {
      if (!c.differentiable(i)) continue;
      ASSERT_TRUE(grads[i].valid()) << "no gradient for input " << i;
      const std::vector<double> analytic =
          doubles(sess.run(grads[i], feeds(b, c.inputs, values, dtype)));
      for (std::size_t k = 0; k < values[i].size(); ++k) {
        const double h = 1e-6 * std::max(1.0, std::abs(values[i][k]));
        auto up = values, down = values;
        up[i][k] += h;
        down[i][k] -= h;
        const double numeric = (loss_at(up) - loss_at(down)) / (2 * h);
        EXPECT_NEAR(analytic[k], numeric, 1e-6 + 1e-6 * std::abs(numeric))
            << "input " << i << " element " << k;
      }
    }
  }
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(OpTable);

}  // namespace
