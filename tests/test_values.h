// Test inputs of any dtype: values given as doubles, or drawn at random.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "varscope/host_tensor.h"

namespace varscope::testing {

// `values` converted to `dtype` as static_cast would (through a float64 tensor).
inline HostTensor of_dtype(DType dtype, const std::vector<double>& values, const Shape& shape) {
  return HostTensor(values, shape).cast(dtype);
}

// Uniform values in [lo, hi] (integers for integer dtypes), never all zero.
inline HostTensor random_tensor(
    std::mt19937& rng, DType dtype, const Shape& shape, double lo = -2.0, double hi = 2.0) {
  std::vector<double> v(static_cast<std::size_t>(shape.num_elements()));
  if (is_integer(dtype)) {
    std::uniform_int_distribution<std::int64_t> dist(static_cast<std::int64_t>(lo),
                                                     static_cast<std::int64_t>(hi));
    for (double& x : v)
      x = static_cast<double>(dist(rng));
  } else {
    std::uniform_real_distribution<double> dist(lo, hi);
    for (double& x : v)
      x = dist(rng);
  }
  if (!v.empty() && std::all_of(v.begin(), v.end(), [](double x) { return x == 0.0; })) {
    v[0] = 1.0;
  }
  return of_dtype(dtype, v, shape);
}

// Magnitudes in [0.5, 2] with either sign: safe divisors.
inline HostTensor random_divisor(std::mt19937& rng, DType dtype, const Shape& shape) {
  std::uniform_real_distribution<double> mag(0.5, 2.0);
  std::bernoulli_distribution negative(0.5);
  std::vector<double> v(static_cast<std::size_t>(shape.num_elements()));
  for (double& x : v)
    x = negative(rng) ? -mag(rng) : mag(rng);
  return of_dtype(dtype, v, shape);
}

}  // namespace varscope::testing
