// Helpers of the array ops' shape functions (copy_shape_fns.cpp, slice_shape_fns.cpp): TF's
// InferenceContext checks with TF's texts.
#pragma once

#include <string>
#include <vector>

#include "host/graph/shape_fn.h"

namespace varscope::detail::shape_fn::helpers {

inline std::string str(std::int64_t v) {
  return std::to_string(v);
}

inline std::string join(const std::vector<std::int64_t>& v) {
  std::string out;
  for (std::int64_t x : v) {
    if (!out.empty()) out += ',';
    out += str(x);
  }
  return out;
}

inline Shape unknown_of_rank(std::int64_t rank) {
  return Shape(std::vector<std::int64_t>(static_cast<std::size_t>(rank), kUnknownDim));
}

// TF's InferenceContext::Merge: an empty text when a and b merge (into `out`).
inline std::string merge(const Shape& a, const Shape& b, Shape& out) {
  if (!a.has_rank()) {
    out = b;
    return {};
  }
  if (!b.has_rank()) {
    out = a;
    return {};
  }
  if (a.rank() != b.rank()) {
    return "Shapes must be equal rank, but are " + str(a.rank()) + " and " + str(b.rank());
  }
  std::vector<std::int64_t> dims(a.dims());
  for (int i = 0; i < a.rank(); ++i) {
    const std::int64_t x = a.dim(i), y = b.dim(i);
    if (x >= 0 && y >= 0 && x != y) {
      return "Dimension " + str(i) + " in both shapes must be equal, but are " + str(x) + " and " +
             str(y) + ". Shapes are " + a.to_list_string() + " and " + b.to_list_string() + ".";
    }
    dims[static_cast<std::size_t>(i)] = x >= 0 ? x : y;
  }
  out = Shape(std::move(dims));
  return {};
}

inline Shape sub_shape(const Shape& s, int begin, int end) {
  return Shape(std::vector<std::int64_t>(s.dims().begin() + begin, s.dims().begin() + end));
}

inline Shape with_dim(const Shape& s, int axis, std::int64_t dim) {
  std::vector<std::int64_t> dims(s.dims());
  dims[static_cast<std::size_t>(axis)] = dim;
  return Shape(std::move(dims));
}

// TF's WithRank(input(i), rank).
inline void with_rank(const ShapeContext& c, int i, std::int64_t rank) {
  const Shape& s = c.shape(i);
  if (s.has_rank() && s.rank() != rank) {
    c.fail("Shape must be rank " + str(rank) + " but is rank " + str(s.rank()));
  }
}

}  // namespace varscope::detail::shape_fn::helpers
