// Ops against naive double-precision references written here: elementwise arithmetic with
// NumPy broadcasting, activations, softmax, bias_add, reductions, cast, matmul (plain,
// transposed, batched), identity, assign / assign_add; empty tensors; integer exactness;
// TF's default op names; shape errors at graph-build time (TF's wording, the graph and the
// variables left untouched) and bad feeds at run time. Inputs are random (fixed seeds).
// Every suite that runs a session runs on both backends (see backend_test.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "backend_test.h"
#include "test_util.h"
#include "test_values.h"
#include "varscope/varscope.h"

namespace vs = varscope;

namespace {

using vs::testing::of_dtype;
using vs::testing::random_divisor;
using vs::testing::random_tensor;
using Dims = std::vector<std::int64_t>;
using BinaryFn = std::function<double(double, double)>;

constexpr std::int64_t kTwoTo31 = std::int64_t{1} << 31;
constexpr std::int64_t kTwoTo53 = std::int64_t{1} << 53;

using varscope::testing::error_of;

std::string str(const vs::Shape& s) {
  return s.to_list_string();
}

// ---- host values ----

std::vector<double> doubles(const vs::HostTensor& t) {
  std::vector<double> out(static_cast<std::size_t>(t.num_elements()));
  for (std::int64_t i = 0; i < t.num_elements(); ++i)
    out[static_cast<std::size_t>(i)] = t.element_as_double(i);
  return out;
}

template <typename T>
std::vector<T> values_of(const vs::HostTensor& t) {
  auto d = t.data<T>();
  return {d.begin(), d.end()};
}

// ---- comparisons ----

struct Tol {
  double rtol;
  double atol;
};

// Results of exp/tanh, softmax, sums and products: float32 ~1e-5, float64 ~1e-12.
Tol math_tol(vs::DType dtype) {
  return dtype == vs::DType::kFloat32 ? Tol{1e-5, 1e-6} : Tol{1e-12, 1e-13};
}

// One correctly rounded operation (+ - * /): within an epsilon of the exact value.
Tol ulp_tol(vs::DType dtype) {
  return dtype == vs::DType::kFloat32
             ? Tol{std::numeric_limits<float>::epsilon(), std::numeric_limits<float>::min()}
             : Tol{std::numeric_limits<double>::epsilon(), std::numeric_limits<double>::min()};
}

constexpr Tol kExact{0.0, 0.0};

// dtype, shape, then |got - want| <= atol + rtol * max(|want|, scale) element by element
// (scale: the magnitude of the terms that were summed, for sums and products). NaN must
// meet NaN, an infinity the same infinity.
::testing::AssertionResult Near(const vs::HostTensor& got,
                                vs::DType dtype,
                                const vs::Shape& shape,
                                const std::vector<double>& want,
                                Tol tol,
                                const std::vector<double>& scale = {}) {
  if (got.dtype() != dtype) {
    return ::testing::AssertionFailure() << "dtype " << got.dtype() << ", expected " << dtype;
  }
  if (got.shape() != shape) {
    return ::testing::AssertionFailure()
           << "shape " << str(got.shape()) << ", expected " << str(shape);
  }
  if (static_cast<std::size_t>(got.num_elements()) != want.size()) {
    return ::testing::AssertionFailure()
           << got.num_elements() << " elements, reference has " << want.size();
  }
  std::int64_t bad = 0;
  std::int64_t first = -1;
  double worst = 0.0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    const double g = got.element_as_double(static_cast<std::int64_t>(i));
    const double w = want[i];
    bool ok;
    if (std::isnan(w)) {
      ok = std::isnan(g);
    } else if (std::isinf(w)) {
      ok = g == w;
    } else {
      const double mag = std::max(std::abs(w), scale.empty() ? 0.0 : scale[i]);
      const double err = std::abs(g - w);
      ok = err <= tol.atol + tol.rtol * mag;
      if (mag > 0) worst = std::max(worst, err / mag);
    }
    if (!ok) {
      if (first < 0) first = static_cast<std::int64_t>(i);
      ++bad;
    }
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  std::ostringstream os;
  os.precision(17);
  os << bad << " of " << want.size() << " elements off (rtol " << tol.rtol << ", atol " << tol.atol
     << ", worst relative " << worst << "); first is element " << first << ": got "
     << got.element_as_double(first) << ", want " << want[static_cast<std::size_t>(first)];
  return ::testing::AssertionFailure() << os.str();
}

// ---- references ----

std::int64_t count_of(const Dims& d) {
  std::int64_t n = 1;
  for (std::int64_t x : d)
    n *= x;
  return n;
}

Dims unravel(std::int64_t i, const Dims& dims) {
  Dims c(dims.size());
  for (std::size_t d = dims.size(); d-- > 0;) {
    c[d] = i % dims[d];
    i /= dims[d];
  }
  return c;
}

// NumPy's rule, assuming the shapes are compatible.
vs::Shape broadcast_shape(const vs::Shape& a, const vs::Shape& b) {
  const std::size_t rank = std::max(a.dims().size(), b.dims().size());
  Dims out(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::size_t pa = rank - a.dims().size(), pb = rank - b.dims().size();
    const std::int64_t x = i < pa ? 1 : a.dims()[i - pa];
    const std::int64_t y = i < pb ? 1 : b.dims()[i - pb];
    out[i] = x == 1 ? y : x;
  }
  return vs::Shape(out);
}

// Row-major index into `s` of the output coordinate `c` (right-aligned, size-1 dims fixed).
std::int64_t source_index(const Dims& c, const vs::Shape& s) {
  const std::size_t offset = c.size() - s.dims().size();
  std::int64_t index = 0;
  for (std::size_t d = 0; d < s.dims().size(); ++d) {
    const std::int64_t dim = s.dims()[d];
    index = index * dim + (dim == 1 ? 0 : c[offset + d]);
  }
  return index;
}

std::vector<double> broadcast_ref(const std::vector<double>& x,
                                  const vs::Shape& xs,
                                  const std::vector<double>& y,
                                  const vs::Shape& ys,
                                  const BinaryFn& f) {
  const vs::Shape out = broadcast_shape(xs, ys);
  std::vector<double> r(static_cast<std::size_t>(count_of(out.dims())));
  for (std::size_t i = 0; i < r.size(); ++i) {
    const Dims c = unravel(static_cast<std::int64_t>(i), out.dims());
    r[i] = f(x[static_cast<std::size_t>(source_index(c, xs))],
             y[static_cast<std::size_t>(source_index(c, ys))]);
  }
  return r;
}

struct Reduced {
  vs::Shape shape;
  std::vector<double> values;
  std::vector<double> scale;  // sum (or mean) of |x| over the same elements
};

// axes: nullopt = all; negative axes count from the end.
Reduced reduce_ref(const std::vector<double>& x,
                   const vs::Shape& shape,
                   const std::optional<std::vector<int>>& axes,
                   bool keepdims,
                   bool mean) {
  const int rank = shape.rank();
  std::vector<bool> reduced(static_cast<std::size_t>(rank), !axes.has_value());
  if (axes) {
    for (int a : *axes)
      reduced[static_cast<std::size_t>(a < 0 ? a + rank : a)] = true;
  }
  Dims out_dims, kept_dims;
  std::int64_t count = 1;
  for (int d = 0; d < rank; ++d) {
    const auto i = static_cast<std::size_t>(d);
    if (reduced[i]) {
      count *= shape.dim(d);
      if (keepdims) out_dims.push_back(1);
    } else {
      out_dims.push_back(shape.dim(d));
      kept_dims.push_back(shape.dim(d));
    }
  }
  const std::int64_t n = count_of(kept_dims);
  std::vector<double> sum(static_cast<std::size_t>(n), 0.0), abs_sum(sum);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const Dims c = unravel(static_cast<std::int64_t>(i), shape.dims());
    std::int64_t o = 0;
    for (int d = 0; d < rank; ++d) {
      if (!reduced[static_cast<std::size_t>(d)])
        o = o * shape.dim(d) + c[static_cast<std::size_t>(d)];
    }
    sum[static_cast<std::size_t>(o)] += x[i];
    abs_sum[static_cast<std::size_t>(o)] += std::abs(x[i]);
  }
  if (mean) {
    for (std::size_t o = 0; o < sum.size(); ++o) {
      sum[o] = count > 0 ? sum[o] / static_cast<double>(count) : std::nan("");
      abs_sum[o] = count > 0 ? abs_sum[o] / static_cast<double>(count) : 0.0;
    }
  }
  return {vs::Shape(out_dims), sum, abs_sum};
}

struct Product {
  vs::Shape shape;
  std::vector<double> values;
  std::vector<double> scale;  // sum over k of |a| |b|
};

// op(a) @ op(b) for rank >= 2 operands whose batch dims are equal, or absent on one side.
Product matmul_ref(const std::vector<double>& a,
                   const vs::Shape& as,
                   const std::vector<double>& b,
                   const vs::Shape& bs,
                   bool ta,
                   bool tb) {
  const Dims& da = as.dims();
  const Dims& db = bs.dims();
  const std::int64_t ar = da[da.size() - 2], ac = da[da.size() - 1];
  const std::int64_t br = db[db.size() - 2], bc = db[db.size() - 1];
  const std::int64_t m = ta ? ac : ar, k = ta ? ar : ac, n = tb ? br : bc;
  const Dims batch_a(da.begin(), da.end() - 2), batch_b(db.begin(), db.end() - 2);
  Dims out = batch_a.size() >= batch_b.size() ? batch_a : batch_b;
  const std::int64_t batches = count_of(out);
  out.push_back(m);
  out.push_back(n);
  Product p{vs::Shape(out), std::vector<double>(static_cast<std::size_t>(batches * m * n)), {}};
  p.scale.resize(p.values.size());
  const bool a_batched = !batch_a.empty(), b_batched = !batch_b.empty();
  for (std::int64_t q = 0; q < batches; ++q) {
    const double* A = a.data() + (a_batched ? q * ar * ac : 0);
    const double* B = b.data() + (b_batched ? q * br * bc : 0);
    for (std::int64_t i = 0; i < m; ++i) {
      for (std::int64_t j = 0; j < n; ++j) {
        double s = 0.0, mag = 0.0;
        for (std::int64_t l = 0; l < k; ++l) {
          const double x = ta ? A[l * ac + i] : A[i * ac + l];
          const double y = tb ? B[j * bc + l] : B[l * bc + j];
          s += x * y;
          mag += std::abs(x * y);
        }
        const auto o = static_cast<std::size_t>((q * m + i) * n + j);
        p.values[o] = s;
        p.scale[o] = mag;
      }
    }
  }
  return p;
}

double sigmoid_ref(double x) {
  return x >= 0 ? 1.0 / (1.0 + std::exp(-x)) : std::exp(x) / (1.0 + std::exp(x));
}

std::vector<double> softmax_ref(const std::vector<double>& x, std::int64_t cols) {
  std::vector<double> out(x.size());
  for (std::size_t r = 0; cols > 0 && r < x.size() / static_cast<std::size_t>(cols); ++r) {
    const auto c0 = r * static_cast<std::size_t>(cols);
    const auto c1 = c0 + static_cast<std::size_t>(cols);
    const double m = *std::max_element(x.begin() + static_cast<std::ptrdiff_t>(c0),
                                       x.begin() + static_cast<std::ptrdiff_t>(c1));
    double sum = 0.0;
    for (std::size_t c = c0; c < c1; ++c)
      sum += std::exp(x[c] - m);
    for (std::size_t c = c0; c < c1; ++c)
      out[c] = std::exp(x[c] - m) / sum;
  }
  return out;
}

std::vector<double> map(const std::vector<double>& x, const std::function<double(double)>& f) {
  std::vector<double> out(x.size());
  std::transform(x.begin(), x.end(), out.begin(), f);
  return out;
}

const std::vector<vs::DType> kFloatTypes{vs::DType::kFloat32, vs::DType::kFloat64};

// ---- a sentinel variable for the error tests ----

// An initialized variable "v" in a session on the graph; unchanged() checks that the graph
// has no new nodes since mark() and that the variable still holds its initial value.
class Sentinel {
 public:
  Sentinel(vs::Graph& g, const vs::SessionOptions& options) : g_(g) {
    initial_ =
        vs::HostTensor(std::vector<float>{1.5f, -2.0f, 3.25f, 0.5f, 8.0f, -1.0f}, vs::Shape{2, 3});
    v_ = g.variable(initial_, {.name = "v"});
    sess_.emplace(g, options);
    sess_->run(v_.initializer());
  }
  void mark() { ops_ = g_.num_operations(); }
  vs::Session& sess() { return *sess_; }
  const vs::Variable& variable() const { return v_; }
  const vs::HostTensor& initial() const { return initial_; }

  ::testing::AssertionResult unchanged() {
    if (g_.num_operations() != ops_) {
      return ::testing::AssertionFailure()
             << "the graph has " << g_.num_operations() << " operations, " << ops_ << " before";
    }
    const vs::HostTensor now = sess_->run(v_);
    if (!(now == initial_)) {
      return ::testing::AssertionFailure() << "v is now " << now.to_string();
    }
    return ::testing::AssertionSuccess();
  }

 private:
  vs::Graph& g_;
  vs::HostTensor initial_;
  vs::Variable v_;
  std::optional<vs::Session> sess_;
  std::size_t ops_ = 0;
};

}  // namespace

// ======================= elementwise =======================

class OpsElementwise : public vs::testing::BackendTest {};

TEST_P(OpsElementwise, ArithmeticWithBroadcastingMatchesReference) {
  // Scalars, size-1 dims, rank mismatch on either side.
  const std::vector<std::pair<vs::Shape, vs::Shape>> cases = {
      {vs::Shape{2, 3}, vs::Shape{2, 3}},    {vs::Shape{}, vs::Shape{4}},
      {vs::Shape{2, 3}, vs::Shape{}},        {vs::Shape{}, vs::Shape{}},
      {vs::Shape{3}, vs::Shape{2, 3}},       {vs::Shape{2, 3}, vs::Shape{3}},
      {vs::Shape{2, 1, 4}, vs::Shape{3, 1}}, {vs::Shape{3, 1}, vs::Shape{2, 1, 4}},
      {vs::Shape{1}, vs::Shape{5}},          {vs::Shape{2, 3, 1}, vs::Shape{1, 1, 5}},
      {vs::Shape{1, 1}, vs::Shape{}},        {vs::Shape{4, 1, 3, 1}, vs::Shape{2, 1, 5}},
  };
  const std::vector<BinaryFn> fns = {std::plus<double>(), std::minus<double>(),
                                     std::multiplies<double>(), std::divides<double>()};
  std::mt19937 rng(1001);
  for (vs::DType dtype : kFloatTypes) {
    for (const auto& [xs, ys] : cases) {
      SCOPED_TRACE(std::string(vs::dtype_name(dtype)) + " " + str(xs) + " op " + str(ys));
      vs::Graph g;
      const vs::HostTensor xv = random_tensor(rng, dtype, xs);
      const vs::HostTensor yv = random_divisor(rng, dtype, ys);
      vs::Tensor x = vs::placeholder(g, dtype, xs, "x");
      vs::Tensor y = vs::constant(g, yv);
      const std::vector<vs::Tensor> outs = {vs::add(x, y),
                                            vs::subtract(x, y),
                                            vs::multiply(x, y),
                                            vs::divide(x, y),
                                            x + y,
                                            x - y,
                                            x * y,
                                            x / y};
      const vs::Shape want_shape = broadcast_shape(xs, ys);
      vs::Session sess(g, options());
      const std::vector<vs::HostTensor> got = sess.run(outs, {{x, xv}});
      ASSERT_EQ(got.size(), outs.size());
      for (std::size_t k = 0; k < outs.size(); ++k) {
        EXPECT_EQ(outs[k].shape(), want_shape) << outs[k].name();
        EXPECT_TRUE(Near(got[k], dtype, want_shape,
                         broadcast_ref(doubles(xv), xs, doubles(yv), ys, fns[k % 4]),
                         ulp_tol(dtype)))
            << outs[k].name();
      }
    }
  }
}

TEST_P(OpsElementwise, OpTypesAndNamesOfFunctionsAndOperators) {
  vs::Graph g;
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2}, "x");
  const std::vector<std::pair<vs::Tensor, std::pair<std::string, std::string>>> ops = {
      {vs::add(x, x), {"Add", "Add"}},
      {vs::subtract(x, x), {"Sub", "Sub"}},
      {vs::multiply(x, x), {"Mul", "Mul"}},
      {vs::divide(x, x), {"truediv", "RealDiv"}},
      // The name table is case-insensitive, as TF's: "add" is taken by "Add".
      {x + x, {"add_1", "AddV2"}},
      {x - x, {"sub_1", "Sub"}},
      {x * x, {"mul_1", "Mul"}},
      {x / x, {"truediv_1", "RealDiv"}},
  };
  for (const auto& [t, want] : ops) {
    EXPECT_EQ(t.op().name(), want.first);
    EXPECT_EQ(t.op().type(), want.second) << want.first;
  }
  vs::Session sess(g, options());
  const vs::HostTensor fed(std::vector<float>{3.0f, -0.5f});
  EXPECT_EQ(values_of<float>(sess.run(ops[0].first, {{x, fed}})),
            (std::vector<float>{6.0f, -1.0f}));
  EXPECT_EQ(values_of<float>(sess.run(ops[7].first, {{x, fed}})), (std::vector<float>{1.0f, 1.0f}));
}

TEST_P(OpsElementwise, LiteralsTakeTheTensorsDtypeOnEitherSide) {
  std::mt19937 rng(1002);
  for (vs::DType dtype : kFloatTypes) {
    SCOPED_TRACE(vs::dtype_name(dtype));
    vs::Graph g;
    const vs::HostTensor xv = random_divisor(rng, dtype, vs::Shape{3, 2});
    vs::Tensor x = vs::constant(g, xv);
    const std::vector<vs::Tensor> outs = {x * 2.5f, 1.0f - x, 3 / x, x + 0.25};
    const std::vector<std::function<double(double)>> refs = {
        [](double v) { return v * 2.5; }, [](double v) { return 1.0 - v; },
        [](double v) { return 3.0 / v; }, [](double v) { return v + 0.25; }};
    vs::Session sess(g, options());
    const auto got = sess.run(outs);
    for (std::size_t k = 0; k < outs.size(); ++k) {
      EXPECT_TRUE(Near(got[k], dtype, vs::Shape{3, 2}, map(doubles(xv), refs[k]), ulp_tol(dtype)))
          << outs[k].name();
    }
  }
}

TEST_P(OpsElementwise, Int32AddSubMulAreExact) {
  std::mt19937 rng(1003);
  vs::Graph g;
  const vs::HostTensor xv = random_tensor(rng, vs::DType::kInt32, vs::Shape{4, 5}, -1000, 1000);
  const vs::HostTensor yv = random_tensor(rng, vs::DType::kInt32, vs::Shape{5}, -1000, 1000);
  vs::Tensor x = vs::placeholder(g, vs::DType::kInt32, vs::Shape{4, 5}, "x");
  vs::Tensor y = vs::constant(g, yv);
  const std::vector<vs::Tensor> outs = {vs::add(x, y), x - y, vs::multiply(x, y), y * x, x + 7};
  const std::vector<BinaryFn> fns = {std::plus<double>(), std::minus<double>(),
                                     std::multiplies<double>(), std::multiplies<double>()};
  vs::Session sess(g, options());
  const auto got = sess.run(outs, {{x, xv}});
  for (std::size_t k = 0; k < 4; ++k) {
    const auto want = k == 3
                          ? broadcast_ref(doubles(yv), yv.shape(), doubles(xv), xv.shape(), fns[k])
                          : broadcast_ref(doubles(xv), xv.shape(), doubles(yv), yv.shape(), fns[k]);
    EXPECT_TRUE(Near(got[k], vs::DType::kInt32, vs::Shape{4, 5}, want, kExact)) << outs[k].name();
  }
  EXPECT_TRUE(Near(got[4], vs::DType::kInt32, vs::Shape{4, 5},
                   map(doubles(xv), [](double v) { return v + 7; }), kExact));
}

TEST_P(OpsElementwise, Int64AddSubMulAreExactBeyondTwoToThe31AndTwoToThe53) {
  const std::vector<std::int64_t> x = {3'000'000'000,   -5'000'000'000, kTwoTo53 + 1,
                                       -(kTwoTo53 + 1), kTwoTo31,       7};
  const std::vector<std::int64_t> y = {2, 3, 2, -3, kTwoTo31, -1};
  vs::Graph g;
  vs::Tensor xt = vs::placeholder(g, vs::DType::kInt64, vs::Shape{2, 3}, "x");
  vs::Tensor yt = vs::constant(g, vs::HostTensor(y, vs::Shape{2, 3}));
  const std::vector<std::int64_t> r = {1, -1, kTwoTo31};
  vs::Tensor row = vs::constant(g, vs::HostTensor(r));
  const std::vector<vs::Tensor> outs = {vs::add(xt, yt), xt - yt, vs::multiply(xt, yt), xt + row};
  vs::Session sess(g, options());
  const auto got = sess.run(outs, {{xt, vs::HostTensor(x, vs::Shape{2, 3})}});
  std::vector<std::int64_t> sum, diff, prod, brow;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sum.push_back(x[i] + y[i]);
    diff.push_back(x[i] - y[i]);
    prod.push_back(x[i] * y[i]);
    brow.push_back(x[i] + r[i % 3]);
  }
  for (const auto& t : got) {
    EXPECT_EQ(t.dtype(), vs::DType::kInt64);
    EXPECT_EQ(t.shape(), (vs::Shape{2, 3}));
  }
  EXPECT_EQ(values_of<std::int64_t>(got[0]), sum);
  EXPECT_EQ(values_of<std::int64_t>(got[1]), diff);
  EXPECT_EQ(values_of<std::int64_t>(got[2]), prod);
  EXPECT_EQ(values_of<std::int64_t>(got[3]), brow);
}

TEST_P(OpsElementwise, EmptyTensorsKeepTheirBroadcastShape) {
  const std::vector<std::pair<vs::Shape, vs::Shape>> cases = {
      {vs::Shape{0, 3}, vs::Shape{3}},
      {vs::Shape{2, 0}, vs::Shape{}},
      {vs::Shape{0}, vs::Shape{1}},
      {vs::Shape{1, 0}, vs::Shape{3, 1}},
  };
  for (vs::DType dtype : {vs::DType::kFloat32, vs::DType::kFloat64, vs::DType::kInt32}) {
    for (const auto& [xs, ys] : cases) {
      SCOPED_TRACE(std::string(vs::dtype_name(dtype)) + " " + str(xs) + " op " + str(ys));
      vs::Graph g;
      vs::Tensor x = vs::placeholder(g, dtype, xs, "x");
      vs::Tensor y = vs::constant(
          g, of_dtype(dtype, std::vector<double>(static_cast<std::size_t>(ys.num_elements()), 2.0),
                      ys));
      const std::vector<vs::Tensor> outs = {x + y, y - x, x * y, vs::divide(x, y)};
      const vs::Shape want = broadcast_shape(xs, ys);
      vs::Session sess(g, options());
      const auto got = sess.run(outs, {{x, vs::HostTensor(dtype, xs)}});
      for (std::size_t k = 0; k < outs.size(); ++k) {
        EXPECT_EQ(outs[k].shape(), want) << outs[k].name();
        EXPECT_EQ(got[k].shape(), want) << outs[k].name();
        // divide of integers is TF's truediv: float64 for int32.
        const bool truediv = k == 3 && dtype == vs::DType::kInt32;
        EXPECT_EQ(got[k].dtype(), truediv ? vs::DType::kFloat64 : dtype) << outs[k].name();
        EXPECT_EQ(got[k].num_elements(), 0) << outs[k].name();
      }
    }
  }
}

TEST_P(OpsElementwise, IdentityPassesValuesThroughAndIsNamedIdentity) {
  std::mt19937 rng(1004);
  vs::Graph g;
  const vs::HostTensor xv = random_tensor(rng, vs::DType::kFloat64, vs::Shape{3, 4});
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat64, vs::Shape{3, 4}, "x");
  vs::Tensor id = vs::identity(x);
  vs::Tensor id2 = vs::identity(x, "copy");
  vs::Variable v = g.variable(vs::HostTensor(std::vector<float>{1, 2}), {.name = "v"});
  vs::Tensor vid = vs::identity(v);
  vs::Tensor bump = vs::assign_add(v, vs::HostTensor(std::vector<float>{10, 20}));
  EXPECT_EQ(id.op().name(), "Identity");
  EXPECT_EQ(id.op().type(), "Identity");
  EXPECT_EQ(id2.op().name(), "copy");
  EXPECT_EQ(vid.op().name(), "Identity_1");
  EXPECT_EQ(id.shape(), (vs::Shape{3, 4}));
  vs::Session sess(g, options());
  EXPECT_TRUE(sess.run(id, {{x, xv}}) == xv);
  EXPECT_TRUE(sess.run(id2, {{x, xv}}) == xv);
  sess.run(v.initializer());
  sess.run(bump);
  EXPECT_EQ(values_of<float>(sess.run(vid)), (std::vector<float>{11, 22}));
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(OpsElementwise);

// ======================= activations, softmax, bias_add =======================

class OpsActivation : public vs::testing::BackendTest {};

TEST_P(OpsActivation, ReluSigmoidTanhMatchReference) {
  std::mt19937 rng(2001);
  for (vs::DType dtype : kFloatTypes) {
    SCOPED_TRACE(vs::dtype_name(dtype));
    std::vector<double> xs = doubles(random_tensor(rng, dtype, vs::Shape{32}, -6.0, 6.0));
    for (double s : {0.0, 0.5, -0.5, 20.0, -20.0, 100.0, -100.0, 1e-3})
      xs.push_back(s);
    const vs::HostTensor xv = of_dtype(dtype, xs, vs::Shape{5, 8});
    const std::vector<double> x = doubles(xv);
    vs::Graph g;
    vs::Tensor in = vs::placeholder(g, dtype, vs::Shape{5, 8}, "x");
    vs::Tensor r = vs::relu(in), s = vs::sigmoid(in), t = vs::tanh(in);
    EXPECT_EQ(r.op().name(), "Relu");
    EXPECT_EQ(s.op().name(), "Sigmoid");
    EXPECT_EQ(t.op().name(), "Tanh");
    vs::Session sess(g, options());
    const auto got = sess.run({r, s, t}, {{in, xv}});
    EXPECT_TRUE(Near(got[0], dtype, vs::Shape{5, 8},
                     map(x, [](double v) { return v > 0 ? v : 0.0; }), kExact));
    EXPECT_TRUE(Near(got[1], dtype, vs::Shape{5, 8}, map(x, sigmoid_ref), math_tol(dtype)));
    EXPECT_TRUE(Near(got[2], dtype, vs::Shape{5, 8}, map(x, [](double v) { return std::tanh(v); }),
                     math_tol(dtype)));
  }
}

TEST_P(OpsActivation, SoftmaxMatchesReferenceOverTheLastAxisAndRowsSumToOne) {
  std::mt19937 rng(2002);
  const std::vector<vs::Shape> shapes = {vs::Shape{5}, vs::Shape{3, 7}, vs::Shape{2, 3, 4},
                                         vs::Shape{4, 1}};
  for (vs::DType dtype : kFloatTypes) {
    for (const vs::Shape& shape : shapes) {
      SCOPED_TRACE(std::string(vs::dtype_name(dtype)) + " " + str(shape));
      const vs::HostTensor xv = random_tensor(rng, dtype, shape, -5.0, 5.0);
      vs::Graph g;
      vs::Tensor x = vs::placeholder(g, dtype, shape, "x");
      vs::Tensor sm = vs::softmax(x);
      EXPECT_EQ(sm.op().name(), "Softmax");
      EXPECT_EQ(sm.shape(), shape);
      vs::Session sess(g, options());
      const vs::HostTensor got = sess.run(sm, {{x, xv}});
      const std::int64_t cols = shape.dim(shape.rank() - 1);
      EXPECT_TRUE(Near(got, dtype, shape, softmax_ref(doubles(xv), cols), math_tol(dtype)));
      const std::vector<double> y = doubles(got);
      for (std::size_t r = 0; r * static_cast<std::size_t>(cols) < y.size(); ++r) {
        double sum = 0.0;
        for (std::int64_t c = 0; c < cols; ++c)
          sum += y[r * static_cast<std::size_t>(cols) + static_cast<std::size_t>(c)];
        EXPECT_NEAR(sum, 1.0, math_tol(dtype).rtol) << "row " << r;
      }
    }
  }
}

TEST_P(OpsActivation, SoftmaxIsStableForLargeLogits) {
  const std::vector<double> logits = {1000,  1001,    1002,   //
                                      -1000, -1000.5, -999,   //
                                      0,     1000,    -1000,  //
                                      88.5,  89.5,    90.5};
  for (vs::DType dtype : kFloatTypes) {
    SCOPED_TRACE(vs::dtype_name(dtype));
    vs::Graph g;
    vs::Tensor x = vs::constant(g, of_dtype(dtype, logits, vs::Shape{4, 3}));
    vs::Session sess(g, options());
    const vs::HostTensor got = sess.run(vs::softmax(x));
    for (std::int64_t i = 0; i < got.num_elements(); ++i) {
      EXPECT_TRUE(std::isfinite(got.element_as_double(i))) << "element " << i;
    }
    const std::vector<double> want = softmax_ref(logits, 3);
    EXPECT_TRUE(Near(got, dtype, vs::Shape{4, 3}, want, math_tol(dtype)));
    // Rows 0 and 3 are the same distribution, shifted: exp(-2) : exp(-1) : 1.
    const double e1 = std::exp(-1.0), e2 = std::exp(-2.0);
    EXPECT_NEAR(got.element_as_double(2), 1.0 / (1.0 + e1 + e2), math_tol(dtype).rtol);
    EXPECT_NEAR(got.element_as_double(11), 1.0 / (1.0 + e1 + e2), math_tol(dtype).rtol);
    EXPECT_NEAR(got.element_as_double(7), 1.0, math_tol(dtype).rtol);
  }
}

TEST_P(OpsActivation, BiasAddAddsTheBiasAlongTheLastAxis) {
  std::mt19937 rng(2003);
  const std::vector<vs::Shape> shapes = {vs::Shape{4, 3}, vs::Shape{2, 3, 5}, vs::Shape{1, 1},
                                         vs::Shape{0, 3}};
  for (vs::DType dtype : kFloatTypes) {
    for (const vs::Shape& shape : shapes) {
      SCOPED_TRACE(std::string(vs::dtype_name(dtype)) + " " + str(shape));
      const vs::Shape bshape{shape.dim(shape.rank() - 1)};
      const vs::HostTensor xv = random_tensor(rng, dtype, shape);
      const vs::HostTensor bv = random_tensor(rng, dtype, bshape);
      vs::Graph g;
      vs::Tensor x = vs::placeholder(g, dtype, shape, "x");
      vs::Tensor out = vs::bias_add(x, vs::constant(g, bv));
      EXPECT_EQ(out.op().name(), "BiasAdd");
      EXPECT_EQ(out.op().type(), "BiasAdd");
      EXPECT_EQ(out.shape(), shape);
      vs::Session sess(g, options());
      EXPECT_TRUE(Near(sess.run(out, {{x, xv}}), dtype, shape,
                       broadcast_ref(doubles(xv), shape, doubles(bv), bshape, std::plus<double>()),
                       ulp_tol(dtype)));
    }
  }
}

TEST_P(OpsActivation, EmptyInputsGiveEmptyOutputs) {
  for (const vs::Shape& shape : {vs::Shape{0, 3}, vs::Shape{2, 0}, vs::Shape{0}}) {
    SCOPED_TRACE(str(shape));
    vs::Graph g;
    vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, shape, "x");
    const std::vector<vs::Tensor> outs = {vs::relu(x), vs::sigmoid(x), vs::tanh(x), vs::softmax(x)};
    vs::Session sess(g, options());
    const auto got = sess.run(outs, {{x, vs::HostTensor(vs::DType::kFloat32, shape)}});
    for (std::size_t k = 0; k < outs.size(); ++k) {
      EXPECT_EQ(got[k].shape(), shape) << outs[k].name();
      EXPECT_EQ(got[k].dtype(), vs::DType::kFloat32) << outs[k].name();
    }
  }
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(OpsActivation);

// ======================= reductions =======================

class OpsReduce : public vs::testing::BackendTest {};

TEST_P(OpsReduce, SumAndMeanOverAnyAxesMatchReference) {
  const std::vector<std::optional<std::vector<int>>> axes_cases = {
      std::nullopt,
      std::vector<int>{0},
      std::vector<int>{1},
      std::vector<int>{2},
      std::vector<int>{-1},
      std::vector<int>{0, 2},
      std::vector<int>{-3, -1},
      std::vector<int>{2, 0, 1},
      std::vector<int>{},
  };
  const vs::Shape shape{3, 4, 5};
  std::mt19937 rng(3001);
  for (vs::DType dtype : kFloatTypes) {
    SCOPED_TRACE(vs::dtype_name(dtype));
    const vs::HostTensor xv = random_tensor(rng, dtype, shape);
    vs::Graph g;
    vs::Tensor x = vs::placeholder(g, dtype, shape, "x");
    std::vector<vs::Tensor> outs;
    std::vector<Reduced> refs;
    std::vector<std::string> what;
    for (const auto& axes : axes_cases) {
      for (bool keepdims : {false, true}) {
        for (bool mean : {false, true}) {
          const vs::ReduceOptions o{.axes = axes, .keepdims = keepdims};
          outs.push_back(mean ? vs::reduce_mean(x, o) : vs::reduce_sum(x, o));
          refs.push_back(reduce_ref(doubles(xv), shape, axes, keepdims, mean));
          std::string axes_text = "all";
          if (axes) {
            axes_text = "[";
            for (int a : *axes)
              axes_text += std::to_string(a) + " ";
            axes_text += "]";
          }
          what.push_back(std::string(mean ? "mean" : "sum") + " axes " + axes_text +
                         (keepdims ? " keepdims" : ""));
        }
      }
    }
    vs::Session sess(g, options());
    const auto got = sess.run(outs, {{x, xv}});
    for (std::size_t k = 0; k < outs.size(); ++k) {
      EXPECT_EQ(outs[k].shape(), refs[k].shape) << what[k];
      EXPECT_TRUE(
          Near(got[k], dtype, refs[k].shape, refs[k].values, math_tol(dtype), refs[k].scale))
          << what[k];
    }
  }
}

TEST_P(OpsReduce, Int32SumIsExactAndMeanDividesAsIntegers) {
  std::mt19937 rng(3002);
  const vs::HostTensor xv = random_tensor(rng, vs::DType::kInt32, vs::Shape{6, 7}, -1000, 1000);
  vs::Graph g;
  vs::Tensor x = vs::constant(g, xv);
  const std::vector<vs::Tensor> outs = {vs::reduce_sum(x), vs::reduce_sum(x, {.axes = {{0}}}),
                                        vs::reduce_mean(x, {.axes = {{1}}})};
  vs::Session sess(g, options());
  const auto got = sess.run(outs);
  const auto xi = values_of<std::int32_t>(xv);
  std::int64_t total = 0;
  std::vector<std::int32_t> cols(7, 0), row_means;
  for (std::size_t r = 0; r < 6; ++r) {
    std::int32_t row = 0;
    for (std::size_t c = 0; c < 7; ++c) {
      total += xi[r * 7 + c];
      cols[c] += xi[r * 7 + c];
      row += xi[r * 7 + c];
    }
    row_means.push_back(row / 7);  // C++ and TF: truncation toward zero
  }
  EXPECT_EQ(got[0].dtype(), vs::DType::kInt32);
  EXPECT_EQ(values_of<std::int32_t>(got[0]),
            std::vector<std::int32_t>{static_cast<std::int32_t>(total)});
  EXPECT_EQ(values_of<std::int32_t>(got[1]), cols);
  EXPECT_EQ(values_of<std::int32_t>(got[2]), row_means);
}

TEST_P(OpsReduce, Int64SumIsExactBeyondTwoToThe53) {
  const std::vector<std::int64_t> x = {kTwoTo53, 1, 1, kTwoTo53, -1, 3'000'000'000};
  vs::Graph g;
  vs::Tensor t = vs::constant(g, vs::HostTensor(x, vs::Shape{2, 3}));
  vs::Session sess(g, options());
  const auto got = sess.run({vs::reduce_sum(t, {.axes = {{1}}}), vs::reduce_sum(t)});
  EXPECT_EQ(values_of<std::int64_t>(got[0]),
            (std::vector<std::int64_t>{kTwoTo53 + 2, kTwoTo53 + 2'999'999'999}));
  EXPECT_EQ(values_of<std::int64_t>(got[1]),
            (std::vector<std::int64_t>{2 * kTwoTo53 + 3'000'000'001}));
}

TEST_P(OpsReduce, EmptyInputsSumToZeroAndAverageToNaN) {
  for (vs::DType dtype : kFloatTypes) {
    SCOPED_TRACE(vs::dtype_name(dtype));
    vs::Graph g;
    vs::Tensor x = vs::placeholder(g, dtype, vs::Shape{0, 3}, "x");
    const std::vector<vs::Tensor> outs = {
        vs::reduce_sum(x),
        vs::reduce_mean(x),
        vs::reduce_sum(x, {.axes = {{0}}}),
        vs::reduce_mean(x, {.axes = {{0}}}),
        vs::reduce_sum(x, {.axes = {{1}}}),
        vs::reduce_mean(x, {.axes = {{-1}}, .keepdims = true}),
        vs::reduce_sum(x, {.keepdims = true}),
    };
    vs::Session sess(g, options());
    // Garbage in the pool must not show: run something that leaves non-zero memory first.
    (void)sess.run(vs::constant(g, of_dtype(dtype, std::vector<double>(64, 7.0), vs::Shape{64})) *
                   3.0f);
    const auto got = sess.run(outs, {{x, vs::HostTensor(dtype, vs::Shape{0, 3})}});
    const double nan = std::nan("");
    EXPECT_TRUE(Near(got[0], dtype, vs::Shape{}, {0.0}, kExact));
    EXPECT_TRUE(Near(got[1], dtype, vs::Shape{}, {nan}, kExact));
    EXPECT_TRUE(Near(got[2], dtype, vs::Shape{3}, {0.0, 0.0, 0.0}, kExact));
    EXPECT_TRUE(Near(got[3], dtype, vs::Shape{3}, {nan, nan, nan}, kExact));
    EXPECT_TRUE(Near(got[4], dtype, vs::Shape{0}, {}, kExact));
    EXPECT_TRUE(Near(got[5], dtype, vs::Shape{0, 1}, {}, kExact));
    EXPECT_TRUE(Near(got[6], dtype, vs::Shape{1, 1}, {0.0}, kExact));
  }
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(OpsReduce);

// ======================= cast =======================

class OpsCast : public vs::testing::BackendTest {};

TEST_P(OpsCast, FloatToIntegerTruncatesTowardZero) {
  vs::Graph g;
  vs::Tensor f32 = vs::constant(
      g, vs::HostTensor(std::vector<float>{-2.7f, -0.5f, 0.5f, 2.9f, -3.0f, 7.99f, 1000000.5f}));
  vs::Tensor f64 = vs::constant(
      g, vs::HostTensor(std::vector<double>{3e9 + 0.75, -5e12 - 0.9, 1099511627776.5, -0.999}));
  vs::Tensor a = vs::cast(f32, vs::DType::kInt32);
  vs::Tensor b = vs::cast(f32, vs::DType::kInt64);
  vs::Tensor c = vs::cast(f64, vs::DType::kInt64);
  EXPECT_EQ(a.dtype(), vs::DType::kInt32);
  EXPECT_EQ(c.dtype(), vs::DType::kInt64);
  vs::Session sess(g, options());
  const auto got = sess.run({a, b, c});
  EXPECT_EQ(values_of<std::int32_t>(got[0]),
            (std::vector<std::int32_t>{-2, 0, 0, 2, -3, 7, 1000000}));
  EXPECT_EQ(values_of<std::int64_t>(got[1]),
            (std::vector<std::int64_t>{-2, 0, 0, 2, -3, 7, 1000000}));
  EXPECT_EQ(values_of<std::int64_t>(got[2]),
            (std::vector<std::int64_t>{3'000'000'000, -5'000'000'000'000, 1099511627776, 0}));
}

TEST_P(OpsCast, IntegersBeyondTwoToThe31) {
  const std::vector<std::int64_t> big = {kTwoTo31 + 5, -(std::int64_t{1} << 33) - 7,
                                         (std::int64_t{1} << 40) + 1, 12345};
  const std::vector<std::int32_t> edge = {-7, 0, std::numeric_limits<std::int32_t>::max(),
                                          std::numeric_limits<std::int32_t>::min()};
  vs::Graph g;
  vs::Tensor i64 = vs::constant(g, vs::HostTensor(big));
  vs::Tensor i32 = vs::constant(g, vs::HostTensor(edge));
  vs::Session sess(g, options());
  const auto got = sess.run({vs::cast(i64, vs::DType::kFloat64), vs::cast(i64, vs::DType::kFloat32),
                             vs::cast(i64, vs::DType::kInt32), vs::cast(i32, vs::DType::kInt64),
                             vs::cast(i32, vs::DType::kFloat64)});
  std::vector<double> as_f64;
  std::vector<float> as_f32;
  std::vector<std::int32_t> wrapped;
  for (std::int64_t v : big) {
    as_f64.push_back(static_cast<double>(v));
    as_f32.push_back(static_cast<float>(v));
    wrapped.push_back(static_cast<std::int32_t>(v));  // modulo 2^32, as TF's static_cast
  }
  EXPECT_EQ(values_of<double>(got[0]), as_f64);
  EXPECT_EQ(values_of<float>(got[1]), as_f32);
  EXPECT_EQ(values_of<std::int32_t>(got[2]), wrapped);
  EXPECT_EQ(values_of<std::int64_t>(got[3]),
            (std::vector<std::int64_t>{-7, 0, 2147483647, -2147483648LL}));
  EXPECT_EQ(values_of<double>(got[4]), (std::vector<double>{-7, 0, 2147483647, -2147483648.0}));
}

TEST_P(OpsCast, FloatWideningIsExactAndNarrowingRoundsToNearest) {
  std::mt19937 rng(4001);
  const vs::HostTensor d = random_tensor(rng, vs::DType::kFloat64, vs::Shape{3, 5}, -1e3, 1e3);
  const vs::HostTensor f = random_tensor(rng, vs::DType::kFloat32, vs::Shape{3, 5}, -1e3, 1e3);
  vs::Graph g;
  vs::Tensor dt = vs::placeholder(g, vs::DType::kFloat64, vs::Shape{3, 5}, "d");
  vs::Tensor ft = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{3, 5}, "f");
  vs::Tensor narrow = vs::cast(dt, vs::DType::kFloat32);
  vs::Tensor widen = vs::cast(ft, vs::DType::kFloat64);
  EXPECT_EQ(narrow.shape(), (vs::Shape{3, 5}));
  vs::Session sess(g, options());
  const auto got = sess.run({narrow, widen}, {{dt, d}, {ft, f}});
  std::vector<float> want_narrow;
  for (double v : values_of<double>(d))
    want_narrow.push_back(static_cast<float>(v));
  std::vector<double> want_widen;
  for (float v : values_of<float>(f))
    want_widen.push_back(static_cast<double>(v));
  EXPECT_EQ(values_of<float>(got[0]), want_narrow);
  EXPECT_EQ(values_of<double>(got[1]), want_widen);
}

TEST_P(OpsCast, NameSameDtypeAndEmptyInput) {
  vs::Graph g;
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{0, 2}, "x");
  vs::Tensor c = vs::cast(x, vs::DType::kInt32);
  EXPECT_EQ(c.op().name(), "Cast");
  EXPECT_EQ(c.op().type(), "Cast");
  EXPECT_EQ(c.op().attr_dtype("SrcT"), vs::DType::kFloat32);
  EXPECT_EQ(c.op().attr_dtype("DstT"), vs::DType::kInt32);
  EXPECT_EQ(vs::cast(x, vs::DType::kFloat32), x);  // tf.cast returns x itself
  EXPECT_EQ(vs::cast(x, vs::DType::kFloat64, "to_double").op().name(), "to_double");
  vs::Session sess(g, options());
  const vs::HostTensor got =
      sess.run(c, {{x, vs::HostTensor(vs::DType::kFloat32, vs::Shape{0, 2})}});
  EXPECT_EQ(got.dtype(), vs::DType::kInt32);
  EXPECT_EQ(got.shape(), (vs::Shape{0, 2}));
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(OpsCast);

// ======================= matmul =======================

class OpsMatMul : public vs::testing::BackendTest {};

TEST_P(OpsMatMul, SizesAndAllFourTransposeCombinationsMatchReference) {
  struct Size {
    std::int64_t m, k, n;
  };
  const std::vector<Size> sizes = {{1, 1, 1}, {7, 13, 5}, {2, 3, 4},
                                   {1, 8, 1}, {16, 1, 9}, {5, 17, 3}};
  std::mt19937 rng(5001);
  for (vs::DType dtype : kFloatTypes) {
    SCOPED_TRACE(vs::dtype_name(dtype));
    vs::Graph g;
    vs::FeedDict feeds;
    std::vector<vs::Tensor> outs;
    std::vector<Product> refs;
    std::vector<std::string> what;
    for (const Size& s : sizes) {
      for (bool ta : {false, true}) {
        for (bool tb : {false, true}) {
          const vs::Shape as = ta ? vs::Shape{s.k, s.m} : vs::Shape{s.m, s.k};
          const vs::Shape bs = tb ? vs::Shape{s.n, s.k} : vs::Shape{s.k, s.n};
          const vs::HostTensor av = random_tensor(rng, dtype, as);
          const vs::HostTensor bv = random_tensor(rng, dtype, bs);
          vs::Tensor a = vs::placeholder(g, dtype, as);
          feeds.push_back({a, av});
          outs.push_back(
              vs::matmul(a, vs::constant(g, bv), {.transpose_a = ta, .transpose_b = tb}));
          refs.push_back(matmul_ref(doubles(av), as, doubles(bv), bs, ta, tb));
          what.push_back(std::to_string(s.m) + "x" + std::to_string(s.k) + "x" +
                         std::to_string(s.n) + (ta ? " ta" : "") + (tb ? " tb" : ""));
          EXPECT_EQ(outs.back().op().type(), "MatMul");
          EXPECT_EQ(outs.back().op().attr_bool("transpose_a"), ta);
          EXPECT_EQ(outs.back().op().attr_bool("transpose_b"), tb);
        }
      }
    }
    vs::Session sess(g, options());
    const auto got = sess.run(outs, feeds);
    for (std::size_t i = 0; i < outs.size(); ++i) {
      EXPECT_EQ(outs[i].shape(), refs[i].shape) << what[i];
      EXPECT_TRUE(
          Near(got[i], dtype, refs[i].shape, refs[i].values, math_tol(dtype), refs[i].scale))
          << what[i];
    }
  }
}

TEST_P(OpsMatMul, BatchedRankThreeMatchesReferencePerBatch) {
  struct Case {
    vs::Shape a, b;
    bool adj_x, adj_y;
  };
  const std::vector<Case> cases = {
      {vs::Shape{3, 4, 5}, vs::Shape{3, 5, 2}, false, false},
      {vs::Shape{3, 5, 4}, vs::Shape{3, 2, 5}, true, true},
      {vs::Shape{3, 4, 5}, vs::Shape{3, 2, 5}, false, true},
      {vs::Shape{3, 4, 5}, vs::Shape{5, 2}, false, false},  // one matrix for every batch
      {vs::Shape{3, 5, 4}, vs::Shape{2, 5}, true, true},
      {vs::Shape{4, 5}, vs::Shape{3, 5, 2}, false, false},
      {vs::Shape{2, 3, 4, 5}, vs::Shape{2, 3, 5, 2}, false, false},
  };
  std::mt19937 rng(5002);
  for (vs::DType dtype : kFloatTypes) {
    for (const Case& c : cases) {
      SCOPED_TRACE(std::string(vs::dtype_name(dtype)) + " " + str(c.a) + " @ " + str(c.b) +
                   (c.adj_x ? " adj_x" : "") + (c.adj_y ? " adj_y" : ""));
      const vs::HostTensor av = random_tensor(rng, dtype, c.a);
      const vs::HostTensor bv = random_tensor(rng, dtype, c.b);
      vs::Graph g;
      vs::Tensor a = vs::placeholder(g, dtype, c.a, "a");
      vs::Tensor b = vs::constant(g, bv);
      vs::Tensor out = vs::matmul(a, b, {.transpose_a = c.adj_x, .transpose_b = c.adj_y});
      const Product ref = matmul_ref(doubles(av), c.a, doubles(bv), c.b, c.adj_x, c.adj_y);
      EXPECT_EQ(out.op().name(), "MatMul");
      EXPECT_EQ(out.op().type(), "BatchMatMulV2");
      EXPECT_EQ(out.op().attr_bool("adj_x"), c.adj_x);
      EXPECT_EQ(out.op().attr_bool("adj_y"), c.adj_y);
      EXPECT_EQ(out.shape(), ref.shape);
      vs::Session sess(g, options());
      EXPECT_TRUE(
          Near(sess.run(out, {{a, av}}), dtype, ref.shape, ref.values, math_tol(dtype), ref.scale));
    }
  }
}

// BatchMatMulV2 broadcasts batch dims of size 1. The shape is inferred as [4,2,5]; at run
// time the op must either give that result or refuse clearly, never a different shape.
TEST_P(OpsMatMul, BatchDimOfOneBroadcastsOrIsRefused) {
  std::mt19937 rng(5003);
  const vs::HostTensor av = random_tensor(rng, vs::DType::kFloat32, vs::Shape{1, 2, 3});
  const vs::HostTensor bv = random_tensor(rng, vs::DType::kFloat32, vs::Shape{4, 3, 5});
  vs::Graph g;
  vs::Tensor out = vs::matmul(vs::constant(g, av), vs::constant(g, bv));
  EXPECT_EQ(out.shape(), (vs::Shape{4, 2, 5}));
  vs::Session sess(g, options());
  try {
    const vs::HostTensor got = sess.run(out);
    // The reference: a's single matrix against each of b's.
    const std::vector<double> a = doubles(av);
    const Product ref =
        matmul_ref(a, vs::Shape{2, 3}, doubles(bv), vs::Shape{4, 3, 5}, false, false);
    EXPECT_TRUE(Near(got, vs::DType::kFloat32, vs::Shape{4, 2, 5}, ref.values,
                     math_tol(vs::DType::kFloat32), ref.scale));
  } catch (const vs::UnimplementedError& e) {
    SUCCEED() << "refused: " << e.what();
  }
}

TEST_P(OpsMatMul, EmptyDimensions) {
  for (vs::DType dtype : kFloatTypes) {
    SCOPED_TRACE(vs::dtype_name(dtype));
    vs::Graph g;
    auto c = [&](const vs::Shape& s) {
      return vs::constant(
          g,
          of_dtype(dtype, std::vector<double>(static_cast<std::size_t>(s.num_elements()), 1.0), s));
    };
    vs::Tensor k0 = vs::matmul(c(vs::Shape{2, 0}), c(vs::Shape{0, 3}));
    vs::Tensor k0t = vs::matmul(c(vs::Shape{0, 2}), c(vs::Shape{3, 0}),
                                {.transpose_a = true, .transpose_b = true});
    vs::Tensor m0 = vs::matmul(c(vs::Shape{0, 3}), c(vs::Shape{3, 4}));
    vs::Tensor n0 = vs::matmul(c(vs::Shape{2, 3}), c(vs::Shape{3, 0}));
    vs::Tensor bk0 = vs::matmul(c(vs::Shape{2, 3, 0}), c(vs::Shape{2, 0, 4}));
    vs::Session sess(g, options());
    // Leave non-zero values in freed memory first: a k = 0 product must still be zeros.
    (void)sess.run(c(vs::Shape{64}) * 5.0f);
    const auto got = sess.run({k0, k0t, m0, n0, bk0});
    EXPECT_TRUE(Near(got[0], dtype, vs::Shape{2, 3}, std::vector<double>(6, 0.0), kExact));
    EXPECT_TRUE(Near(got[1], dtype, vs::Shape{2, 3}, std::vector<double>(6, 0.0), kExact));
    EXPECT_TRUE(Near(got[2], dtype, vs::Shape{0, 4}, {}, kExact));
    EXPECT_TRUE(Near(got[3], dtype, vs::Shape{2, 0}, {}, kExact));
    EXPECT_TRUE(Near(got[4], dtype, vs::Shape{2, 3, 4}, std::vector<double>(24, 0.0), kExact));
  }
}

TEST_P(OpsMatMul, UnknownLeadingDimIsFedAtRunTime) {
  std::mt19937 rng(5004);
  const vs::HostTensor pv = random_tensor(rng, vs::DType::kFloat32, vs::Shape{5, 3});
  const vs::HostTensor wv = random_tensor(rng, vs::DType::kFloat32, vs::Shape{3, 4});
  vs::Graph g;
  vs::Tensor p = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 3}, "p");
  vs::Tensor y = vs::matmul(p, vs::constant(g, wv));
  EXPECT_EQ(y.shape(), (vs::Shape{vs::kUnknownDim, 4}));
  vs::Session sess(g, options());
  const Product ref = matmul_ref(doubles(pv), pv.shape(), doubles(wv), wv.shape(), false, false);
  EXPECT_TRUE(Near(sess.run(y, {{p, pv}}), vs::DType::kFloat32, vs::Shape{5, 4}, ref.values,
                   math_tol(vs::DType::kFloat32), ref.scale));
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(OpsMatMul);

// ======================= assign / assign_add =======================

class OpsState : public vs::testing::BackendTest {};

TEST_P(OpsState, AssignAndAssignAddOnEveryDtype) {
  std::mt19937 rng(6001);
  for (vs::DType dtype :
       {vs::DType::kFloat32, vs::DType::kFloat64, vs::DType::kInt32, vs::DType::kInt64}) {
    SCOPED_TRACE(vs::dtype_name(dtype));
    const vs::Shape shape{2, 3};
    const vs::HostTensor init = random_tensor(rng, dtype, shape, -100, 100);
    const vs::HostTensor value = random_tensor(rng, dtype, shape, -100, 100);
    const vs::HostTensor inc = random_tensor(rng, dtype, shape, -100, 100);
    vs::Graph g;
    vs::Variable v = g.variable(init, {.name = "v"});
    vs::Tensor set = vs::assign(v, vs::constant(g, value));
    vs::Tensor add = vs::assign_add(v, vs::constant(g, inc));
    EXPECT_EQ(set.op().name(), "Assign");
    EXPECT_EQ(add.op().name(), "AssignAdd");
    EXPECT_EQ(set.dtype(), dtype);
    EXPECT_EQ(add.shape(), shape);
    vs::Session sess(g, options());
    sess.run(v.initializer());
    EXPECT_TRUE(sess.run(v) == init);
    EXPECT_TRUE(sess.run(set) == value);
    EXPECT_TRUE(sess.run(v) == value);
    const std::vector<double> once =
        broadcast_ref(doubles(value), shape, doubles(inc), shape, std::plus<double>());
    const Tol tol = vs::is_integer(dtype) ? kExact : ulp_tol(dtype);
    EXPECT_TRUE(Near(sess.run(add), dtype, shape, once, tol));
    EXPECT_TRUE(Near(sess.run(v), dtype, shape, once, tol));
    (void)sess.run(add);
    const std::vector<double> twice =
        broadcast_ref(once, shape, doubles(inc), shape, std::plus<double>());
    EXPECT_TRUE(
        Near(sess.run(v), dtype, shape, twice, vs::is_integer(dtype) ? kExact : math_tol(dtype)));
  }
}

TEST_P(OpsState, Int64AssignAddIsExactBeyondTwoToThe53) {
  vs::Graph g;
  vs::Variable v = g.variable(
      vs::HostTensor(std::vector<std::int64_t>{kTwoTo53 + 1, -kTwoTo53 - 1, 3'000'000'000}),
      {.name = "v"});
  vs::Tensor add =
      vs::assign_add(v, vs::HostTensor(std::vector<std::int64_t>{2, -2, 3'000'000'000}));
  vs::Session sess(g, options());
  sess.run(v.initializer());
  sess.run(add);
  EXPECT_EQ(values_of<std::int64_t>(sess.run(v)),
            (std::vector<std::int64_t>{kTwoTo53 + 3, -kTwoTo53 - 3, 6'000'000'000}));
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(OpsState);

// ======================= default names =======================

TEST(OpsNames, DefaultNamesFollowTensorFlow) {
  vs::Graph g;
  vs::Tensor a = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 3}, "a");
  vs::Tensor b = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{3, 4}, "b");
  vs::Tensor c = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{3}, "c");
  EXPECT_EQ(vs::matmul(a, b).op().name(), "MatMul");
  EXPECT_EQ(vs::matmul(a, b).op().name(), "MatMul_1");
  EXPECT_EQ(vs::relu(a).op().name(), "Relu");
  EXPECT_EQ(vs::softmax(a).op().name(), "Softmax");
  EXPECT_EQ(vs::bias_add(a, c).op().name(), "BiasAdd");
  EXPECT_EQ(vs::cast(a, vs::DType::kInt32).op().name(), "Cast");
  EXPECT_EQ(vs::cast(a, vs::DType::kInt64).op().name(), "Cast_1");
  EXPECT_EQ(vs::relu(a).op().name(), "Relu_1");
}

TEST(OpsNames, ReduceWithoutAxesBuildsAConstJustBeforeTheOp) {
  vs::Graph g;
  vs::Tensor a = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 3}, "a");
  vs::Tensor s = vs::reduce_sum(a);
  EXPECT_EQ(s.op().name(), "Sum");
  EXPECT_EQ(s.op().type(), "Sum");
  EXPECT_EQ(s.shape(), vs::Shape{});
  const std::vector<vs::Operation> ops = g.operations();
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(ops[1].name(), "Const");
  EXPECT_EQ(ops[1].type(), "Const");
  EXPECT_EQ(ops[2], s.op());
  ASSERT_EQ(s.op().num_inputs(), 2);
  EXPECT_EQ(s.op().input(1).op(), ops[1]);
  EXPECT_TRUE(ops[1].attr_tensor("value") == vs::HostTensor(std::vector<std::int32_t>{0, 1}));
  EXPECT_FALSE(s.op().attr_bool("keep_dims"));
  vs::Tensor m = vs::reduce_mean(a, {.keepdims = true});
  EXPECT_EQ(m.op().name(), "Mean");
  EXPECT_EQ(m.op().input(1).op().name(), "Const_1");
  EXPECT_TRUE(m.op().attr_bool("keep_dims"));
  EXPECT_EQ(m.shape(), (vs::Shape{1, 1}));
}

TEST(OpsNames, ReduceWithAxesConvertsThemInsideTheOpsScope) {
  vs::Graph g;
  vs::Tensor a = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 3, 4}, "a");
  vs::Tensor s = vs::reduce_sum(a, {.axes = {{-1, 0}}});
  EXPECT_EQ(s.op().name(), "Sum");
  EXPECT_EQ(s.op().input(1).op().name(), "Sum/reduction_indices");
  EXPECT_TRUE(s.op().input(1).op().attr_tensor("value") ==
              vs::HostTensor(std::vector<std::int32_t>{-1, 0}));
  EXPECT_EQ(s.shape(), (vs::Shape{3}));
  vs::Tensor s1 = vs::reduce_sum(a, {.axes = {{1}}, .keepdims = true});
  EXPECT_EQ(s1.op().name(), "Sum_1");
  EXPECT_EQ(s1.op().input(1).op().name(), "Sum_1/reduction_indices");
  EXPECT_EQ(s1.shape(), (vs::Shape{2, 1, 4}));
  vs::Tensor named = vs::reduce_mean(a, {.axes = {{2}}, .name = "avg"});
  EXPECT_EQ(named.op().name(), "avg");
  EXPECT_EQ(named.op().input(1).op().name(), "avg/reduction_indices");
  EXPECT_EQ(g.num_operations(), 7u);
}

// ======================= graph-build errors =======================

class OpsBuildErrors : public vs::testing::BackendTest {};

TEST_P(OpsBuildErrors, MatMulShapeErrorsUseTensorFlowsWording) {
  vs::Graph g;
  Sentinel sentinel(g, options());
  vs::Tensor a = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{2, 3}));
  vs::Tensor b = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{4, 5}));
  vs::Tensor vec = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{3}));
  vs::Tensor bt = vs::constant(g, vs::HostTensor(std::vector<float>(15, 1.0f), vs::Shape{3, 5}));
  sentinel.mark();
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::matmul(a, b); }),
            "Dimensions must be equal, but are 3 and 4 for 'MatMul' (op: 'MatMul') with input "
            "shapes: [2,3], [4,5].");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::matmul(a, b, {.transpose_a = true}); }),
            "Dimensions must be equal, but are 2 and 4 for 'MatMul' (op: 'MatMul') with input "
            "shapes: [2,3], [4,5].");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::matmul(vec, bt); }),
            "Shape must be rank 2 but is rank 1 for 'MatMul' (op: 'MatMul') with input shapes: "
            "[3], [3,5].");
  EXPECT_TRUE(sentinel.unchanged());
  vs::Tensor ok = vs::matmul(a, bt);
  EXPECT_EQ(ok.op().name(), "MatMul");
  EXPECT_EQ(vs::matmul(a, bt).op().name(), "MatMul_1");
  const vs::HostTensor got = sentinel.sess().run(ok);
  EXPECT_EQ(got.shape(), (vs::Shape{2, 5}));
  EXPECT_TRUE(sentinel.sess().run(sentinel.variable()) == sentinel.initial());
}

TEST_P(OpsBuildErrors, BatchMatMulInnerDimErrorUsesTensorFlowsWording) {
  vs::Graph g;
  Sentinel sentinel(g, options());
  vs::Tensor x = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{2, 4, 5}));
  vs::Tensor z = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{2, 3, 4}));
  vs::Tensor w = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{4, 6}));
  sentinel.mark();
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::matmul(x, z); }),
            "Dimensions must be equal, but are 5 and 3 for 'MatMul' (op: 'BatchMatMulV2') with "
            "input shapes: [2,4,5], [2,3,4].");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::matmul(x, w); }),
            "Dimensions must be equal, but are 5 and 4 for 'MatMul' (op: 'BatchMatMulV2') with "
            "input shapes: [2,4,5], [4,6].");
  EXPECT_TRUE(sentinel.unchanged());
  vs::Tensor ok = vs::matmul(z, x);
  EXPECT_EQ(ok.op().name(), "MatMul");
  EXPECT_EQ(ok.shape(), (vs::Shape{2, 3, 5}));
  EXPECT_EQ(sentinel.sess().run(ok).shape(), (vs::Shape{2, 3, 5}));
}

// The shapes in the message are the op's input shapes, not those of the batch dims.
TEST_P(OpsBuildErrors, BatchMatMulBatchDimErrorNamesTheInputShapes) {
  vs::Graph g;
  Sentinel sentinel(g, options());
  vs::Tensor x = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{2, 4, 5}));
  vs::Tensor y = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{3, 5, 6}));
  sentinel.mark();
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::matmul(x, y); }),
            "Dimensions must be equal, but are 2 and 3 for 'MatMul' (op: 'BatchMatMulV2') with "
            "input shapes: [2,4,5], [3,5,6].");
  EXPECT_TRUE(sentinel.unchanged());
  EXPECT_EQ(vs::matmul(x, x, {.transpose_b = true}).op().name(), "MatMul");
}

// BatchMatMulV2's shape function asks for rank >= 2 (WithRankAtLeast), not rank 2.
TEST_P(OpsBuildErrors, BatchMatMulRankErrorSaysAtLeastRankTwo) {
  vs::Graph g;
  Sentinel sentinel(g, options());
  vs::Tensor vec = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{3}));
  vs::Tensor z = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{2, 3, 4}));
  sentinel.mark();
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::matmul(vec, z); }),
            "Shape must be at least rank 2 but is rank 1 for 'MatMul' (op: 'BatchMatMulV2') with "
            "input shapes: [3], [2,3,4].");
  EXPECT_TRUE(sentinel.unchanged());
}

TEST_P(OpsBuildErrors, BroadcastingErrorsUseTensorFlowsWording) {
  vs::Graph g;
  Sentinel sentinel(g, options());
  vs::Tensor a = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{2, 3}));
  vs::Tensor d = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{2, 4}));
  vs::Tensor e = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{2, 1, 4}));
  vs::Tensor f = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{3, 2}));
  sentinel.mark();
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::add(a, d); }),
            "Dimensions must be equal, but are 3 and 4 for 'Add' (op: 'Add') with input shapes: "
            "[2,3], [2,4].");
  EXPECT_EQ(error_of<vs::ValueError>([&] { (void)(a + d); }),
            "Dimensions must be equal, but are 3 and 4 for 'add' (op: 'AddV2') with input "
            "shapes: [2,3], [2,4].");
  EXPECT_EQ(error_of<vs::ValueError>([&] { (void)(e * f); }),
            "Dimensions must be equal, but are 4 and 2 for 'mul' (op: 'Mul') with input shapes: "
            "[2,1,4], [3,2].");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::divide(d, a); }),
            "Dimensions must be equal, but are 4 and 3 for 'truediv' (op: 'RealDiv') with input "
            "shapes: [2,4], [2,3].");
  EXPECT_TRUE(sentinel.unchanged());
  vs::Tensor ok = vs::add(a, a);
  EXPECT_EQ(ok.op().name(), "Add");
  vs::Tensor m = e * vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{3, 1}));
  EXPECT_EQ(m.op().name(), "mul");
  EXPECT_EQ(m.shape(), (vs::Shape{2, 3, 4}));
  EXPECT_EQ(sentinel.sess().run(ok).shape(), (vs::Shape{2, 3}));
}

TEST_P(OpsBuildErrors, BiasAddRankAndSizeErrorsUseTensorFlowsWording) {
  vs::Graph g;
  Sentinel sentinel(g, options());
  vs::Tensor a = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{2, 3}));
  vs::Tensor vec3 = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{3}));
  vs::Tensor vec4 = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{4}));
  vs::Tensor row = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{1, 3}));
  sentinel.mark();
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::bias_add(a, vec4); }),
            "Dimensions must be equal, but are 3 and 4 for 'BiasAdd' (op: 'BiasAdd') with input "
            "shapes: [2,3], [4].");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::bias_add(a, row); }),
            "Shape must be rank 1 but is rank 2 for 'BiasAdd' (op: 'BiasAdd') with input shapes: "
            "[2,3], [1,3].");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::bias_add(vec3, vec3); }),
            "Shape must be at least rank 2 but is rank 1 for 'BiasAdd' (op: 'BiasAdd') with "
            "input shapes: [3], [3].");
  EXPECT_TRUE(sentinel.unchanged());
  vs::Tensor ok = vs::bias_add(a, vec3);
  EXPECT_EQ(ok.op().name(), "BiasAdd");
  EXPECT_EQ(sentinel.sess().run(ok).shape(), (vs::Shape{2, 3}));
}

// TF's BiasAddShape checks the value's rank before the bias's.
TEST_P(OpsBuildErrors, BiasAddChecksTheValueRankFirst) {
  vs::Graph g;
  Sentinel sentinel(g, options());
  vs::Tensor vec3 = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{3}));
  vs::Tensor row = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{1, 3}));
  sentinel.mark();
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::bias_add(vec3, row); }),
            "Shape must be at least rank 2 but is rank 1 for 'BiasAdd' (op: 'BiasAdd') with "
            "input shapes: [3], [1,3].");
  EXPECT_TRUE(sentinel.unchanged());
}

TEST_P(OpsBuildErrors, SoftmaxOfAScalar) {
  vs::Graph g;
  Sentinel sentinel(g, options());
  vs::Tensor s = vs::constant(g, 1.0f);
  sentinel.mark();
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::softmax(s); }),
            "Shape must be at least rank 1 but is rank 0 for 'Softmax' (op: 'Softmax') with "
            "input shapes: [].");
  EXPECT_TRUE(sentinel.unchanged());
  EXPECT_EQ(vs::softmax(sentinel.variable()).op().name(), "Softmax");
}

// TF's message ends with the axes Const's shape and value ("computed input tensors"),
// as shape inference reads the reduction indices.
TEST_P(OpsBuildErrors, ReduceAxisOutOfRangeUsesTensorFlowsWording) {
  vs::Graph g;
  Sentinel sentinel(g, options());
  vs::Tensor x = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{2, 3, 4}));
  sentinel.mark();
  const std::string sum_error =
      error_of<vs::ValueError>([&] { vs::reduce_sum(x, {.axes = {{3}}}); });
  EXPECT_EQ(sum_error,
            "Invalid reduction dimension 3 for input with 3 dimensions. for 'Sum' (op: 'Sum') "
            "with input shapes: [2,3,4], [1] and with computed input tensors: input[1] = <3>.");
  const std::string mean_error = error_of<vs::ValueError>([&] {
    vs::reduce_mean(x, {.axes = {{0, -4}}});
  });
  EXPECT_EQ(mean_error,
            "Invalid reduction dimension -4 for input with 3 dimensions. for 'Mean' (op: 'Mean') "
            "with input shapes: [2,3,4], [2] and with computed input tensors: input[1] = <0 -4>.");
  EXPECT_TRUE(sentinel.unchanged());
  vs::Tensor ok = vs::reduce_sum(x, {.axes = {{2}}});
  EXPECT_EQ(ok.op().name(), "Sum");
  EXPECT_EQ(ok.op().input(1).op().name(), "Sum/reduction_indices");
  EXPECT_EQ(sentinel.sess().run(ok).shape(), (vs::Shape{2, 3}));
}

// The part of TF's message before the axes tensor: a negative axis out of range, the
// exception type, and the graph left as it was.
TEST_P(OpsBuildErrors, ReduceAxisOutOfRangeIsAValueErrorThatLeavesTheGraphUsable) {
  vs::Graph g;
  Sentinel sentinel(g, options());
  vs::Tensor x = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{2, 3, 4}));
  sentinel.mark();
  const std::string error = error_of<vs::ValueError>([&] { vs::reduce_sum(x, {.axes = {{-4}}}); });
  EXPECT_TRUE(
      error.starts_with("Invalid reduction dimension -4 for input with 3 dimensions. for "
                        "'Sum' (op: 'Sum') with input shapes: [2,3,4]"))
      << error;
  EXPECT_TRUE(sentinel.unchanged());
  EXPECT_EQ(vs::reduce_sum(x).op().name(), "Sum");
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(OpsBuildErrors);

// ======================= run-time errors =======================

class OpsRunErrors : public vs::testing::BackendTest {};

TEST_P(OpsRunErrors, WrongFeedShapeOrDtypeNamesThePlaceholderAndChangesNothing) {
  vs::Graph g;
  vs::Variable v = g.variable(vs::HostTensor(std::vector<float>{1, 2, 3, 4, 5, 6}, vs::Shape{2, 3}),
                              {.name = "v"});
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 3}, "x");
  vs::Tensor p = vs::placeholder(g, vs::DType::kFloat64, vs::Shape{vs::kUnknownDim, 3}, "p");
  vs::Tensor update = vs::assign_add(v, x);
  vs::Tensor product =
      vs::matmul(p, vs::constant(g, vs::HostTensor(vs::DType::kFloat64, vs::Shape{3, 2})));
  vs::Session sess(g, options());
  sess.run(v.initializer());
  const vs::HostTensor before = sess.run(v);
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess.run(update, {{x, vs::HostTensor(vs::DType::kFloat32, vs::Shape{3, 2})}});
            }),
            "Cannot feed value of shape (3, 2) for Tensor 'x:0', which has shape '(2, 3)'");
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess.run(update, {{x, vs::HostTensor(vs::DType::kFloat64, vs::Shape{2, 3})}});
            }),
            "Cannot feed value of dtype float64 for Tensor 'x:0', which has dtype float32");
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess.run(product, {{p, vs::HostTensor(vs::DType::kFloat64, vs::Shape{4, 2})}});
            }),
            "Cannot feed value of shape (4, 2) for Tensor 'p:0', which has shape '(?, 3)'");
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess.run(product, {{p, vs::HostTensor(vs::DType::kFloat32, vs::Shape{4, 3})}});
            }),
            "Cannot feed value of dtype float32 for Tensor 'p:0', which has dtype float64");
  EXPECT_TRUE(sess.run(v) == before);
  sess.run(update, {{x, vs::HostTensor(std::vector<float>(6, 0.5f), vs::Shape{2, 3})}});
  EXPECT_EQ(values_of<float>(sess.run(v)),
            (std::vector<float>{1.5f, 2.5f, 3.5f, 4.5f, 5.5f, 6.5f}));
}

TEST_P(OpsRunErrors, MatMulInnerMismatchFoundAtRunTimeIsInvalidArgument) {
  vs::Graph g;
  vs::Variable v =
      g.variable(vs::HostTensor(std::vector<float>(10, 1.0f), vs::Shape{2, 5}), {.name = "v"});
  vs::Tensor a = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, vs::kUnknownDim}, "a");
  vs::Tensor b = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 5}, "b");
  vs::Tensor write = vs::assign(v, vs::matmul(a, b));
  vs::Session sess(g, options());
  sess.run(v.initializer());
  const std::string error = error_of<vs::InvalidArgumentError>([&] {
    sess.run(write, {{a, vs::HostTensor(vs::DType::kFloat32, vs::Shape{2, 3})},
                     {b, vs::HostTensor(vs::DType::kFloat32, vs::Shape{4, 5})}});
  });
  EXPECT_TRUE(error.starts_with("Matrix size-incompatible: In[0]: [2,3], In[1]: [4,5]")) << error;
  EXPECT_EQ(values_of<float>(sess.run(v)), std::vector<float>(10, 1.0f));
}

// TF's BCast: "Incompatible shapes: [2] vs. [3]", an InvalidArgumentError raised by the
// run, not a graph-building ValueError.
TEST_P(OpsRunErrors, IncompatibleBroadcastFoundAtRunTimeIsInvalidArgument) {
  vs::Graph g;
  vs::Variable v = g.variable(vs::HostTensor(std::vector<float>{1, 2, 3}), {.name = "v"});
  vs::Tensor q = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim}, "q");
  vs::Tensor sum = q + vs::constant(g, vs::HostTensor(std::vector<float>{10, 20, 30}));
  EXPECT_EQ(sum.shape(), (vs::Shape{3}));
  vs::Tensor write = vs::assign(v, sum);
  vs::Session sess(g, options());
  sess.run(v.initializer());
  const std::string error = error_of<vs::InvalidArgumentError>([&] {
    sess.run(write, {{q, vs::HostTensor(std::vector<float>{1, 2})}});
  });
  EXPECT_TRUE(error.starts_with("Incompatible shapes: [2] vs. [3]")) << error;
  EXPECT_EQ(values_of<float>(sess.run(v)), (std::vector<float>{1, 2, 3}));
  // A size-1 feed broadcasts.
  sess.run(write, {{q, vs::HostTensor(std::vector<float>{1})}});
  EXPECT_EQ(values_of<float>(sess.run(v)), (std::vector<float>{11, 21, 31}));
}

TEST_P(OpsRunErrors, AssignOfAWrongSizedValueIsInvalidArgumentAndChangesNothing) {
  vs::Graph g;
  vs::Variable v = g.variable(vs::HostTensor(std::vector<float>{1, 2}), {.name = "v"});
  vs::Tensor q = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim}, "q");
  vs::Tensor set = vs::assign(v, q);
  vs::Session sess(g, options());
  sess.run(v.initializer());
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess.run(set, {{q, vs::HostTensor(std::vector<float>{7, 8, 9})}});
            }),
            "Assign requires shapes of both tensors to match. lhs shape= [2] rhs shape= [3]");
  EXPECT_EQ(values_of<float>(sess.run(v)), (std::vector<float>{1, 2}));
}

// TF's DenseUpdateOp: "Parameters and update must be the same size".
TEST_P(OpsRunErrors, AssignAddOfAWrongSizedValueIsInvalidArgumentAndChangesNothing) {
  vs::Graph g;
  vs::Variable v = g.variable(vs::HostTensor(std::vector<float>{1, 2}), {.name = "v"});
  vs::Tensor q = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim}, "q");
  vs::Tensor add = vs::assign_add(v, q);
  vs::Session sess(g, options());
  sess.run(v.initializer());
  for (const std::vector<float>& bad : {std::vector<float>{7, 8, 9}, std::vector<float>{7}}) {
    SCOPED_TRACE(bad.size());
    const std::string error = error_of<vs::InvalidArgumentError>([&] {
      sess.run(add, {{q, vs::HostTensor(bad)}});
    });
    EXPECT_TRUE(error.starts_with("Parameters and update must be the same size")) << error;
    EXPECT_EQ(values_of<float>(sess.run(v)), (std::vector<float>{1, 2}));
  }
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(OpsRunErrors);
