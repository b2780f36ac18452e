// The shape functions of Slice, Pad (constant), Tile and Range: TF 1.15's shape inference at
// graph building, TF's kernels' checks at run time.
#include <cmath>
#include <cstdlib>
#include <string>

#include "host/graph/array/array_shape_fns.h"
#include "host/graph/array/shape_helpers.h"
#include "host/graph/op_defs.h"
#include "varscope/errors.h"

namespace varscope::detail::shape_fn {

using namespace helpers;  // NOLINT: this file is their user

std::vector<OutputSpec> slice(const ShapeContext& c) {
  const Shape& in = c.shape(0);
  const DType dtype = c.dtype(0);
  if (c.at_run_time()) {  // TF's SharedSliceValidation
    const std::int64_t rank = in.rank();
    const Shape& bs = c.shape(1);
    const Shape& ss = c.shape(2);
    if (bs.rank() != 1 || ss.rank() != 1 || bs.dim(0) != rank || ss.dim(0) != rank) {
      c.fail("Expected begin and size arguments to be 1-D tensors of size " + str(rank) +
             ", but got shapes " + bs.to_list_string() + " and " + ss.to_list_string() +
             " instead.");
    }
    const auto begin = *c.int_values(1);
    const auto size = *c.int_values(2);
    std::vector<std::int64_t> dims;
    for (int i = 0; i < rank; ++i) {
      const std::int64_t b = begin[static_cast<std::size_t>(i)], dim = in.dim(i);
      std::int64_t s = size[static_cast<std::size_t>(i)];
      if (s == -1) s = dim - b;
      if (b < 0 || b > dim) {
        c.fail("Expected begin[" + str(i) + "] in [0, " + str(dim) + "], but got " + str(b));
      }
      if (s < 0 || s > dim - b) {
        c.fail("Expected size[" + str(i) + "] in [0, " + str(dim - b) + "], but got " + str(s));
      }
      dims.push_back(s);
    }
    return {{dtype, Shape(std::move(dims))}};
  }
  with_rank(c, 1, 1);
  with_rank(c, 2, 1);
  Shape lengths;
  const std::string error = merge(c.shape(1), c.shape(2), lengths);
  if (!error.empty()) c.fail(error);
  std::int64_t rank = lengths.has_rank() ? lengths.dim(0) : kUnknownDim;
  if (rank >= 0) with_rank(c, 0, rank);
  if (rank < 0 && in.has_rank()) rank = in.rank();
  const auto begin = c.int_values(1);
  const auto size = c.int_values(2);
  if (rank < 0) return {{dtype, Shape::unknown_rank()}};
  std::vector<std::int64_t> dims(static_cast<std::size_t>(rank), kUnknownDim);
  if (size) {
    for (std::size_t i = 0; i < dims.size(); ++i) {
      const std::int64_t s = (*size)[i];
      if (s >= 0) {
        dims[i] = s;
      } else if (s == -1 && begin && in.has_rank() && in.dim(static_cast<int>(i)) >= 0) {
        const std::int64_t left = in.dim(static_cast<int>(i)) - (*begin)[i];
        if (left < 0) {
          c.fail("Negative dimension size caused by subtracting " + str((*begin)[i]) + " from " +
                 str(in.dim(static_cast<int>(i))));
        }
        dims[i] = left;
      }
    }
  }
  return {{dtype, Shape(std::move(dims))}};
}

std::vector<OutputSpec> pad(const ShapeContext& c) {
  const Shape& in = c.shape(0);
  const DType dtype = c.dtype(0);
  const Shape& ps = c.shape(1);
  if (c.at_run_time()) {  // TF's PadOp
    if (ps.rank() != 2 || ps.dim(1) != 2) {
      c.fail("paddings must be a matrix with 2 columns: " + ps.to_list_string());
    }
    if (ps.dim(0) != in.rank()) {
      c.fail("The first dimension of paddings must be the rank of inputs" + ps.to_list_string() +
             " " + in.to_list_string());
    }
    const auto p = *c.int_values(1);
    std::vector<std::int64_t> dims;
    for (int i = 0; i < in.rank(); ++i) {
      const std::int64_t before = p[std::size_t(2 * i)], after = p[std::size_t(2 * i + 1)];
      if (before < 0 || after < 0) {
        c.fail("Paddings must be non-negative: " + str(before) + " " + str(after));
      }
      dims.push_back(in.dim(i) + before + after);
    }
    return {{dtype, Shape(std::move(dims))}};
  }
  with_rank(c, 1, 2);
  if (ps.has_rank() && ps.dim(1) >= 0 && ps.dim(1) != 2) {
    c.fail("Dimension must be 2 but is " + str(ps.dim(1)));
  }
  std::int64_t n = ps.has_rank() ? ps.dim(0) : kUnknownDim;
  if (n >= 0) {
    with_rank(c, 0, n);
  } else if (in.has_rank()) {
    n = in.rank();
  }
  const auto p = c.int_values(1);
  if (!p) return {{dtype, n >= 0 ? unknown_of_rank(n) : Shape::unknown_rank()}};
  std::vector<std::int64_t> dims;
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t before = (*p)[std::size_t(2 * i)], after = (*p)[std::size_t(2 * i + 1)];
    if (before < 0 || after < 0) c.fail("Paddings must be non-negative");
    const std::int64_t d = in.has_rank() ? in.dim(static_cast<int>(i)) : kUnknownDim;
    dims.push_back(d < 0 ? kUnknownDim : d + before + after);
  }
  return {{dtype, Shape(std::move(dims))}};
}

std::vector<OutputSpec> tile(const ShapeContext& c) {
  const Shape& in = c.shape(0);
  const DType dtype = c.dtype(0);
  const Shape& ms = c.shape(1);
  if (c.at_run_time()) {  // TF's TileOp
    if (ms.rank() != 1 || ms.dim(0) != in.rank()) {
      c.fail("Expected multiples argument to be a vector of length " + str(in.rank()) +
             " but got length " + str(ms.rank() == 1 ? ms.dim(0) : ms.num_elements()));
    }
    const auto m = *c.int_values(1);
    std::vector<std::int64_t> dims;
    for (int i = 0; i < in.rank(); ++i) {
      const std::int64_t k = m[static_cast<std::size_t>(i)];
      if (k < 0) c.fail("Expected multiples[" + str(i) + "] >= 0, but got " + str(k));
      std::int64_t d = 0;
      if (__builtin_mul_overflow(in.dim(i), k, &d)) {
        c.fail("Tile of dimension " + str(i) + " (" + str(in.dim(i)) + " x " + str(k) +
               ") overflows int64");
      }
      dims.push_back(d);
    }
    return {{dtype, Shape(std::move(dims))}};
  }
  with_rank(c, 1, 1);
  std::int64_t rank = in.has_rank() ? in.rank() : kUnknownDim;
  if (rank >= 0 && ms.has_rank() && ms.dim(0) >= 0 && ms.dim(0) != rank) {
    c.fail("Shape must be rank " + str(rank) + " but is rank " + str(ms.dim(0)));
  }
  if (rank < 0 && ms.has_rank()) rank = ms.dim(0);
  if (rank < 0) return {{dtype, Shape::unknown_rank()}};
  const auto m = c.int_values(1);
  std::vector<std::int64_t> dims(static_cast<std::size_t>(rank), kUnknownDim);
  for (std::size_t i = 0; m && i < dims.size(); ++i) {
    const std::int64_t d = in.has_rank() ? in.dim(static_cast<int>(i)) : kUnknownDim;
    std::int64_t out = 0;
    if (d >= 0 && (*m)[i] >= 0 && !__builtin_mul_overflow(d, (*m)[i], &out)) dims[i] = out;
  }
  return {{dtype, Shape(std::move(dims))}};
}

std::vector<OutputSpec> range(const ShapeContext& c) {
  const DType dtype = c.attr<DType>(attr_name::kTidx);
  for (int i = 0; i < 3; ++i) {
    if (c.shape(i).has_rank() && c.shape(i).rank() != 0) {
      static constexpr const char* kNames[] = {"start", "limit", "delta"};
      c.fail(
          "Shape must be rank 0 but is rank " + str(c.shape(i).rank()),
          std::string(kNames[i]) + " must be a scalar, not shape " + c.shape(i).to_list_string());
    }
  }
  const HostTensor* start = c.value(0);
  const HostTensor* limit = c.value(1);
  const HostTensor* delta = c.value(2);
  if (!start || !limit || !delta) return {{dtype, Shape{kUnknownDim}}};
  const double s = start->element_as_double(0), l = limit->element_as_double(0),
               d = delta->element_as_double(0);
  if (d == 0) c.fail("Requires delta != 0");
  if (d > 0 && s > l)
    c.fail("Requires start <= limit when delta > 0: " + str(std::int64_t(s)) + "/" +
           str(std::int64_t(l)));
  if (d < 0 && s < l)
    c.fail("Requires start >= limit when delta < 0: " + str(std::int64_t(s)) + "/" +
           str(std::int64_t(l)));
  std::int64_t size = 0;
  if (is_integer(dtype)) {
    const auto si = static_cast<std::int64_t>(s), li = static_cast<std::int64_t>(l),
               di = static_cast<std::int64_t>(d);
    size = (std::abs(li - si) + std::abs(di) - 1) / std::abs(di);
  } else {
    size = static_cast<std::int64_t>(std::ceil(std::abs((l - s) / d)));
  }
  return {{dtype, Shape{size}}};
}

std::vector<OutputSpec> placeholder_with_default(const ShapeContext& c) {
  const Shape& in = c.shape(0);
  if (c.at_run_time()) return {{c.dtype(0), in}};
  const Shape& shape = c.attr<Shape>(attr_name::kShape);
  Shape unused;
  const std::string error = merge(in, shape, unused);
  if (!error.empty()) c.fail(error);
  return {{c.dtype(0), shape}};
}

std::vector<OutputSpec> gather_v2(const ShapeContext& c) {
  const Shape& params = c.shape(0);
  const Shape& indices = c.shape(1);
  const DType dtype = c.dtype(0);
  if (c.at_run_time()) {  // TF's GatherOp
    const std::int64_t rank = params.rank();
    const std::int64_t axis_attr = (*c.int_values(2))[0];
    const std::int64_t axis = axis_attr < 0 ? axis_attr + rank : axis_attr;
    if (axis < 0 || axis >= rank) {
      c.fail("Expected axis in the range [" + str(-rank) + ", " + str(rank) + "), but got " +
             str(axis_attr));
    }
    std::vector<std::int64_t> dims(params.dims().begin(), params.dims().begin() + axis);
    dims.insert(dims.end(), indices.dims().begin(), indices.dims().end());
    dims.insert(dims.end(), params.dims().begin() + axis + 1, params.dims().end());
    return {{dtype, Shape(std::move(dims))}};
  }
  if (params.has_rank() && params.rank() < 1) {
    c.fail("Shape must be at least rank 1 but is rank " + str(params.rank()));
  }
  with_rank(c, 2, 0);
  const auto axis_value = c.int_values(2);
  if (!axis_value) {
    if (params.has_rank() && indices.has_rank()) {
      return {{dtype, unknown_of_rank(params.rank() + indices.rank() - 1)}};
    }
    return {{dtype, Shape::unknown_rank()}};
  }
  const std::int64_t axis_attr = (*axis_value)[0];
  const std::int64_t min_rank = axis_attr < 0 ? -axis_attr : axis_attr + 1;
  if (params.has_rank() && params.rank() < min_rank) {
    c.fail("Shape must be at least rank " + str(min_rank) + " but is rank " + str(params.rank()));
  }
  if (!params.has_rank() || !indices.has_rank()) return {{dtype, Shape::unknown_rank()}};
  const std::int64_t axis = axis_attr < 0 ? axis_attr + params.rank() : axis_attr;
  std::vector<std::int64_t> dims(params.dims().begin(), params.dims().begin() + axis);
  dims.insert(dims.end(), indices.dims().begin(), indices.dims().end());
  dims.insert(dims.end(), params.dims().begin() + axis + 1, params.dims().end());
  return {{dtype, Shape(std::move(dims))}};
}

std::vector<OutputSpec> one_hot(const ShapeContext& c) {
  const std::int64_t axis = c.attr<std::int64_t>(attr_name::kAxis);
  const DType dtype = c.attr<DType>(attr_name::kT);
  const Shape& indices = c.shape(0);
  if (axis < -1) c.fail("axis must be >= -1");
  const auto depth = c.int_values(1);
  if (depth && (*depth)[0] < 0) {
    c.fail(
        "Dimension size, given by scalar input 1, must be non-negative but is " + str((*depth)[0]),
        "depth must be non-negative, got: " + str((*depth)[0]));
  }
  if (!indices.has_rank()) return {{dtype, Shape::unknown_rank()}};
  const int rank = indices.rank() + 1;
  if (c.at_run_time()) {
    if (axis >= rank) {
      c.fail("Expected axis to be -1 or between [0, " + str(rank) +
             ").  But received: " + str(axis));
    }
    for (int i = 2; i < 4; ++i) {
      if (c.shape(i).rank() != 0) {
        c.fail(std::string(i == 2 ? "on_value" : "off_value") +
               " must be a scalar, but got: " + c.shape(i).to_string());
      }
    }
  }
  const int at = static_cast<int>((axis + rank) % rank);
  std::vector<std::int64_t> dims(indices.dims());
  dims.insert(dims.begin() + at, depth ? (*depth)[0] : kUnknownDim);
  return {{dtype, Shape(std::move(dims))}};
}

}  // namespace varscope::detail::shape_fn
