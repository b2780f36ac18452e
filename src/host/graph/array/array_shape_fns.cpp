#include "host/graph/array/array_shape_fns.h"

#include <string>

#include "host/core/shape_rules.h"
#include "host/graph/op_defs.h"
#include "varscope/errors.h"

namespace varscope::detail::shape_fn {
namespace {

std::string str(std::int64_t v) {
  return std::to_string(v);
}

// TF's WithRank(input(i), rank): "Shape must be rank 1 but is rank 2".
void with_rank(const ShapeContext& c, int i, int rank) {
  const Shape& s = c.shape(i);
  if (s.has_rank() && s.rank() != rank) {
    c.fail("Shape must be rank " + str(rank) + " but is rank " + str(s.rank()));
  }
}

// Reshape's run-time rules (TF's ReshapeOp), all shapes and the shape value known.
Shape reshape_at_run_time(const ShapeContext& c, const std::vector<std::int64_t>& sizes) {
  const Shape& in = c.shape(0);
  if (c.shape(1).rank() != 1) {
    c.fail("sizes input must be 1-D, not " + c.shape(1).to_list_string());
  }
  // TF 1.15's ReshapeOp: sizes of 0 are left out of the product that infers the -1.
  std::vector<std::int64_t> dims(sizes);
  std::int64_t product = 1;
  int unknown = -1;
  bool overflow = false, sizes_have_zero = false;
  for (std::size_t d = 0; d < dims.size(); ++d) {
    if (dims[d] == -1) {
      if (unknown >= 0) {
        c.fail("Only one input size may be -1, not both " + str(unknown) + " and " + str(d));
      }
      unknown = static_cast<int>(d);
    } else if (dims[d] < 0) {
      c.fail("Size " + str(d) + " must be non-negative, not " + str(dims[d]));
    } else if (dims[d] == 0) {
      sizes_have_zero = true;
    } else if (__builtin_mul_overflow(product, dims[d], &product)) {
      overflow = true;
    }
  }
  if (overflow) {
    c.fail("Requested shape " + Shape(sizes).to_list_string() +
           " has more than 2**63 - 1 elements");
  }
  const std::int64_t n = in.num_elements();
  if (unknown >= 0) {
    std::int64_t in_count = 1;
    bool in_has_zero = false;
    for (std::int64_t d : in.dims()) {
      if (d > 0 || !sizes_have_zero) {
        if (__builtin_mul_overflow(in_count, d, &in_count)) overflow = true;
      } else {
        in_has_zero = true;
      }
    }
    if (overflow) c.fail("Input to reshape has more than 2**63 - 1 nonzero-dimension values");
    const std::int64_t missing = in_count / product;
    if (!in_has_zero && product * missing != in_count) {
      c.fail("Input to reshape is a tensor with " + str(in_count) +
             " values, but the requested shape requires a multiple of " + str(product));
    }
    dims[static_cast<std::size_t>(unknown)] = missing;
  }
  std::int64_t out_count = 1;
  for (std::int64_t d : dims)
    overflow = overflow || __builtin_mul_overflow(out_count, d, &out_count);
  if (overflow || out_count != n) {
    c.fail("Input to reshape is a tensor with " + str(n) + " values, but the requested shape has " +
           str(out_count));
  }
  return Shape(std::move(dims));
}

}  // namespace

std::vector<OutputSpec> reshape(const ShapeContext& c) {
  const DType dtype = c.dtype(0);
  if (c.at_run_time()) {
    return {{dtype, reshape_at_run_time(c, *c.int_values(1))}};
  }
  with_rank(c, 1, 1);
  // Python's constant_value_as_shape: a negative size other than -1 is refused first.
  if (const auto sizes = c.int_values(1)) {
    for (std::int64_t d : *sizes) {
      if (d < -1) throw ValueError("Invalid value in tensor used for shape: " + str(d));
    }
  }
  Shape out = c.value_as_shape(1);
  const Shape& in = c.shape(0);
  if (!in.has_rank() || !out.has_rank()) return {{dtype, out}};
  // TF's SetOutputShapeForReshape: the known elements of each side, and its unknown dim.
  auto known = [](const Shape& s, int& unknown_index, bool& too_many) {
    std::int64_t n = 1;
    for (int i = 0; i < s.rank(); ++i) {
      if (s.dim(i) < 0) {
        too_many = too_many || unknown_index >= 0;
        unknown_index = i;
      } else if (__builtin_mul_overflow(n, s.dim(i), &n)) {
        too_many = true;  // no inference past int64
      }
    }
    return n;
  };
  int in_unknown = -1, out_unknown = -1;
  bool too_many = false;
  const std::int64_t in_n = known(in, in_unknown, too_many);
  const std::int64_t out_n = known(out, out_unknown, too_many);
  if (too_many) return {{dtype, out}};
  if (in_unknown < 0 && out_unknown < 0) {
    if (in_n != out_n) {
      c.fail("Cannot reshape a tensor with " + str(in_n) + " elements to shape " +
             out.to_list_string() + " (" + str(out_n) + " elements)");
    }
  } else if (in_unknown < 0 && out_unknown >= 0 && out_n > 0) {
    if (in_n % out_n != 0) {
      c.fail("Dimension size must be evenly divisible by " + str(out_n) + " but is " + str(in_n));
    }
    std::vector<std::int64_t> dims = out.dims();
    dims[static_cast<std::size_t>(out_unknown)] = in_n / out_n;
    out = Shape(std::move(dims));
  } else if (in_unknown >= 0 && out_unknown < 0 && in_n != 0) {
    if (out_n % in_n != 0) {
      c.fail("Dimension size must be evenly divisible by " + str(in_n) + " but is " + str(out_n));
    }
  } else if (in_unknown >= 0 && out_unknown >= 0 && in_n == out_n) {
    std::vector<std::int64_t> dims = out.dims();
    dims[static_cast<std::size_t>(out_unknown)] = in.dim(in_unknown);
    out = Shape(std::move(dims));
  }
  return {{dtype, out}};
}

std::vector<OutputSpec> expand_dims(const ShapeContext& c) {
  const DType dtype = c.dtype(0);
  const Shape& in = c.shape(0);
  const auto dim = c.int_values(1);
  if (dim && dim->size() != 1) {
    c.fail("'dim' input must be a tensor with a single value",
           "'dim' must be a tensor with a single value");
  }
  if (!dim || !in.has_rank()) return {{dtype, Shape::unknown_rank()}};
  std::int64_t d = (*dim)[0];
  const int rank = in.rank();
  if (c.at_run_time()) {
    if (d < -1 - rank || d > rank) {
      c.fail("Tried to expand dim index " + str(d) + " for tensor with " + str(rank) +
             " dimensions.");
    }
  } else if (d < -rank - 1 || d > rank) {
    c.fail("dim " + str(d) + " not in the interval [" + str(-rank - 1) + ", " + str(rank) + "].");
  }
  if (d < 0) d += rank + 1;
  std::vector<std::int64_t> dims = in.dims();
  dims.insert(dims.begin() + d, 1);
  return {{dtype, Shape(std::move(dims))}};
}

std::vector<OutputSpec> squeeze(const ShapeContext& c) {
  const DType dtype = c.dtype(0);
  const Shape& in = c.shape(0);
  if (!in.has_rank()) return {{dtype, Shape::unknown_rank()}};
  const HostTensor& axes = c.attr<HostTensor>(attr_name::kSqueezeDims);
  const int rank = in.rank();
  std::vector<bool> squeezed(static_cast<std::size_t>(rank), false);
  for (std::int64_t i = 0; i < axes.num_elements(); ++i) {
    std::int64_t d = static_cast<std::int64_t>(axes.element_as_double(i));
    if (d < -rank || d >= rank) {
      c.fail("squeeze_dims[" + str(i) + "] not in [" + str(-rank) + "," + str(rank) + ").",
             "Tried to squeeze dim index " + str(d) + " for tensor with " + str(rank) +
                 " dimensions.");
    }
    if (d < 0) d += rank;
    squeezed[static_cast<std::size_t>(d)] = true;
  }
  const bool all = axes.num_elements() == 0;
  std::vector<std::int64_t> dims;
  for (int i = 0; i < rank; ++i) {
    const std::int64_t size = in.dim(i);
    if (all) {
      if (size < 0) return {{dtype, Shape::unknown_rank()}};
      if (size == 1) continue;
    } else if (squeezed[static_cast<std::size_t>(i)]) {
      if (size >= 0 && size != 1) {
        c.fail("Can not squeeze dim[" + str(i) + "], expected a dimension of 1, got " + str(size));
      }
      continue;  // an unknown dim is assumed 1, as TF
    }
    dims.push_back(size);
  }
  return {{dtype, Shape(std::move(dims))}};
}

std::vector<OutputSpec> shape(const ShapeContext& c) {
  const Shape& in = c.shape(0);
  return {{c.attr<DType>(attr_name::kOutType), Shape{in.has_rank() ? in.rank() : kUnknownDim}}};
}

std::vector<OutputSpec> scalar_of_out_type(const ShapeContext& c) {
  return {{c.attr<DType>(attr_name::kOutType), Shape()}};
}

std::vector<OutputSpec> rank(const ShapeContext&) {
  return {{DType::kInt32, Shape()}};
}

std::vector<OutputSpec> transpose(const ShapeContext& c) {
  const DType dtype = c.dtype(0);
  const Shape& in = c.shape(0);
  if (c.at_run_time()) {  // TF's TransposeOp
    const auto perm = c.int_values(1);
    if (c.shape(1).rank() != 1) c.fail("perm must be a vector, not " + c.shape(1).to_list_string());
    const int rank = in.rank();
    if (static_cast<std::int64_t>(perm->size()) != rank) {
      c.fail("transpose expects a vector of size " + str(rank) +
             ". But input(1) is a vector of size " + str(static_cast<std::int64_t>(perm->size())));
    }
    std::vector<bool> seen(static_cast<std::size_t>(rank), false);
    std::vector<std::int64_t> dims;
    for (std::int64_t p : *perm) {
      if (p < 0 || p >= rank) c.fail(str(p) + " is out of range [0 .. " + str(rank) + ")");
      seen[static_cast<std::size_t>(p)] = true;
      dims.push_back(in.dim(static_cast<int>(p)));
    }
    for (int d = 0; d < rank; ++d) {
      if (!seen[static_cast<std::size_t>(d)]) {
        std::string list;
        for (std::int64_t p : *perm) {
          if (!list.empty()) list += ',';
          list += str(p);
        }
        c.fail(str(d) + " is missing from {" + list + "}.");
      }
    }
    return {{dtype, Shape(std::move(dims))}};
  }
  // TF's TransposeShapeFn.
  with_rank(c, 1, 1);
  const Shape& perm_shape = c.shape(1);
  std::int64_t rank = 0;
  // The perm's value is asked for only where TF asks: its error context lists it then.
  std::optional<std::vector<std::int64_t>> perm;
  if (in.has_rank()) {
    rank = in.rank();
  } else if (perm_shape.has_rank() && perm_shape.dim(0) >= 0) {
    rank = perm_shape.dim(0);
  } else if ((perm = c.int_values(1))) {
    rank = static_cast<std::int64_t>(perm->size());
  } else {
    return {{dtype, Shape::unknown_rank()}};
  }
  if (!in.has_rank() && rank < 2)
    return {{dtype, Shape(std::vector<std::int64_t>(static_cast<std::size_t>(rank), kUnknownDim))}};
  if (perm_shape.has_rank() && perm_shape.dim(0) >= 0 && perm_shape.dim(0) != rank) {
    c.fail("Dimension must be " + str(rank) + " but is " + str(perm_shape.dim(0)));
  }
  if (!perm) perm = c.int_values(1);
  std::vector<std::int64_t> dims(static_cast<std::size_t>(rank), kUnknownDim);
  if (perm) {
    for (std::int64_t i = 0; i < rank; ++i) {
      const std::int64_t p = (*perm)[static_cast<std::size_t>(i)];
      if (p >= rank) {
        c.fail("perm dim " + str(p) + " is out of range of input rank " + str(rank));
      }
      // TF's Dim(input, p): a negative p counts from the end (the run refuses it).
      if (in.has_rank() && p >= -rank) {
        dims[static_cast<std::size_t>(i)] = in.dim(static_cast<int>(p < 0 ? p + rank : p));
      }
    }
  } else if (in.has_rank()) {
    // Without the permutation: all dims equal means the output has them too (TF).
    bool equal = true;
    for (int d = 1; d < in.rank(); ++d)
      equal = equal && in.dim(d) == in.dim(0);
    if (equal) return {{dtype, in}};
  }
  return {{dtype, Shape(std::move(dims))}};
}

std::vector<OutputSpec> invert_permutation(const ShapeContext& c) {
  if (c.at_run_time()) {  // TF's InvertPermutationOp
    if (c.shape(0).rank() != 1) c.fail("invert_permutation expects a 1D vector.");
    const auto x = *c.int_values(0);
    const auto n = static_cast<std::int64_t>(x.size());
    if (n > INT32_MAX) c.fail("x does not fit in int.");
    std::vector<bool> seen(x.size(), false);
    for (std::int64_t d : x) {
      if (d < 0 || d >= n) c.fail(str(d) + " is not between 0 and " + str(n));
      if (seen[static_cast<std::size_t>(d)]) c.fail(str(d) + " is duplicated in the input.");
      seen[static_cast<std::size_t>(d)] = true;
    }
    return {{c.dtype(0), c.shape(0)}};
  }
  with_rank(c, 0, 1);
  return {{c.dtype(0), c.shape(0).has_rank() ? c.shape(0) : Shape{kUnknownDim}}};
}

}  // namespace varscope::detail::shape_fn

namespace varscope::detail::shape_fn {

std::vector<OutputSpec> broadcast_gradient_args(const ShapeContext& c) {
  with_rank(c, 0, 1);
  with_rank(c, 1, 1);
  const DType t = c.dtype(0);
  std::vector<OutputSpec> out{{t, Shape{kUnknownDim}}, {t, Shape{kUnknownDim}}};
  if (!c.at_run_time()) return out;
  const auto x = c.int_values(0);
  const auto y = c.int_values(1);
  if (!x || !y) return out;
  const auto axes = gradient_reduce_axes(*x, *y);
  if (!axes) {
    const auto list = [](const std::vector<std::int64_t>& v) {
      std::string s(1, '[');
      for (std::int64_t d : v) {
        if (s.size() > 1) s += ',';
        s += str(d);
      }
      s += ']';
      return s;
    };
    c.fail("Incompatible shapes: " + list(*x) + " vs. " + list(*y));
  }
  out[0].shape = Shape{static_cast<std::int64_t>(axes->x.size())};
  out[1].shape = Shape{static_cast<std::int64_t>(axes->y.size())};
  return out;
}

}  // namespace varscope::detail::shape_fn
