// What the ops_test sources share: host values, tolerances and Near(), the broadcasting reference.
#pragma once

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

namespace ops_test {

using vs::testing::of_dtype;
using vs::testing::random_divisor;
using vs::testing::random_tensor;
using Dims = std::vector<std::int64_t>;
using BinaryFn = std::function<double(double, double)>;

inline constexpr std::int64_t kTwoTo31 = std::int64_t{1} << 31;
inline constexpr std::int64_t kTwoTo53 = std::int64_t{1} << 53;

using varscope::testing::error_of;

inline std::string str(const vs::Shape& s) {
  return s.to_list_string();
}

// ---- host values ----

inline std::vector<double> doubles(const vs::HostTensor& t) {
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
inline Tol math_tol(vs::DType dtype) {
  return dtype == vs::DType::kFloat32 ? Tol{1e-5, 1e-6} : Tol{1e-12, 1e-13};
}

// One correctly rounded operation (+ - * /): within an epsilon of the exact value.
inline Tol ulp_tol(vs::DType dtype) {
  return dtype == vs::DType::kFloat32
             ? Tol{std::numeric_limits<float>::epsilon(), std::numeric_limits<float>::min()}
             : Tol{std::numeric_limits<double>::epsilon(), std::numeric_limits<double>::min()};
}

inline constexpr Tol kExact{0.0, 0.0};

// dtype, shape, then |got - want| <= atol + rtol * max(|want|, scale) element by element
// (scale: the magnitude of the terms that were summed, for sums and products). NaN must
// meet NaN, an infinity the same infinity.
inline ::testing::AssertionResult Near(const vs::HostTensor& got,
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

inline std::int64_t count_of(const Dims& d) {
  std::int64_t n = 1;
  for (std::int64_t x : d)
    n *= x;
  return n;
}

inline Dims unravel(std::int64_t i, const Dims& dims) {
  Dims c(dims.size());
  for (std::size_t d = dims.size(); d-- > 0;) {
    c[d] = i % dims[d];
    i /= dims[d];
  }
  return c;
}

// NumPy's rule, assuming the shapes are compatible.
inline vs::Shape broadcast_shape(const vs::Shape& a, const vs::Shape& b) {
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
inline std::int64_t source_index(const Dims& c, const vs::Shape& s) {
  const std::size_t offset = c.size() - s.dims().size();
  std::int64_t index = 0;
  for (std::size_t d = 0; d < s.dims().size(); ++d) {
    const std::int64_t dim = s.dims()[d];
    index = index * dim + (dim == 1 ? 0 : c[offset + d]);
  }
  return index;
}

inline std::vector<double> broadcast_ref(const std::vector<double>& x,
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

inline std::vector<double> map(const std::vector<double>& x,
                               const std::function<double(double)>& f) {
  std::vector<double> out(x.size());
  std::transform(x.begin(), x.end(), out.begin(), f);
  return out;
}

inline const std::vector<vs::DType> kFloatTypes{vs::DType::kFloat32, vs::DType::kFloat64};

}  // namespace ops_test
