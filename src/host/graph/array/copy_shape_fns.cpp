// The shape functions of the copying ops (Pack, Unpack, ConcatV2, Split, SplitV; Slice, Pad,
// Tile: slice_shape_fns.cpp): TF 1.15's shape inference at graph building, TF's kernels' checks at
// run time (docs/errors.md E120-).
#include <string>

#include "host/graph/array/array_shape_fns.h"
#include "host/graph/array/shape_helpers.h"
#include "host/graph/op_defs.h"
#include "varscope/errors.h"

namespace varscope::detail::shape_fn {
using namespace helpers;  // NOLINT: this file is their user

std::vector<OutputSpec> pack(const ShapeContext& c) {
  const int n = c.num_inputs();
  const std::int64_t axis_attr = c.attr<std::int64_t>(attr_name::kAxis);
  if (c.at_run_time()) {  // TF's PackOp
    const Shape& first = c.shape(0);
    for (int i = 1; i < n; ++i) {
      if (c.shape(i) != first) {
        c.fail("Shapes of all inputs must match: values[0].shape = " + first.to_list_string() +
               " != values[" + str(i) + "].shape = " + c.shape(i).to_list_string());
      }
    }
    const std::int64_t expanded = first.rank() + 1;
    const std::int64_t axis = axis_attr < 0 ? axis_attr + expanded : axis_attr;
    if (axis < 0 || axis >= expanded) {
      c.fail("axis = " + str(axis_attr) + " not in [" + str(-expanded) + ", " + str(expanded) +
             ")");
    }
    std::vector<std::int64_t> dims(first.dims());
    dims.insert(dims.begin() + axis, n);
    return {{c.dtype(0), Shape(std::move(dims))}};
  }
  Shape cur = c.shape(n - 1);
  for (int i = n - 2; i >= 0; --i) {
    const std::string error = merge(c.shape(i), cur, cur);
    if (!error.empty()) c.fail(error + "\n\tFrom merging shape " + str(i) + " with other shapes.");
  }
  if (!cur.has_rank()) return {{c.dtype(0), Shape::unknown_rank()}};
  const std::int64_t rank = cur.rank();
  const std::int64_t axis = axis_attr < 0 ? axis_attr + rank + 1 : axis_attr;
  if (axis < 0 || axis > rank) c.fail("Invalid axis: " + str(axis_attr));
  std::vector<std::int64_t> dims(cur.dims());
  dims.insert(dims.begin() + axis, n);
  return {{c.dtype(0), Shape(std::move(dims))}};
}

std::vector<OutputSpec> unpack(const ShapeContext& c) {
  const Shape& s = c.shape(0);
  const std::int64_t num = c.attr<std::int64_t>(attr_name::kNum);
  const std::int64_t axis_attr = c.attr<std::int64_t>(attr_name::kAxis);
  Shape out = Shape::unknown_rank();
  if (s.has_rank()) {
    const std::int64_t rank = s.rank();
    const std::int64_t axis = axis_attr < 0 ? axis_attr + rank : axis_attr;
    if (axis < 0 || axis >= rank) {
      c.fail(
          "Invalid axis: " + str(axis_attr) + "; must be in [" + str(-rank) + "," + str(rank) + ")",
          "axis = " + str(axis_attr) + " not in [" + str(-rank) + ", " + str(rank) + ")");
    }
    const std::int64_t d = s.dim(static_cast<int>(axis));
    if (d >= 0 && d != num) {
      c.fail("Dimension must be " + str(num) + " but is " + str(d),
             "Input shape axis " + str(axis) + " must equal " + str(num) + ", got shape " +
                 s.to_list_string());
    }
    std::vector<std::int64_t> dims(s.dims());
    dims.erase(dims.begin() + axis);
    out = Shape(std::move(dims));
  }
  return std::vector<OutputSpec>(static_cast<std::size_t>(num), {c.dtype(0), out});
}

std::vector<OutputSpec> concat_v2(const ShapeContext& c) {
  const int n = c.num_inputs() - 1;  // values, then axis
  const DType dtype = c.dtype(0);
  if (c.at_run_time()) {  // TF's ConcatBaseOp
    const auto axis_value = c.int_values(n);
    if (axis_value->size() != 1) {
      c.fail("concat_dim tensor should be a scalar integer, but got shape " +
             c.shape(n).to_list_string());
    }
    const Shape& first = c.shape(0);
    const std::int64_t rank = first.rank();
    const std::int64_t axis_attr = (*axis_value)[0];
    const std::int64_t axis = axis_attr < 0 ? axis_attr + rank : axis_attr;
    if (axis < 0 || axis >= rank) {
      c.fail("ConcatOp : Expected concatenating dimensions in the range [" + str(-rank) + ", " +
             str(rank) + "), but got " + str(axis_attr));
    }
    std::int64_t total = 0;
    for (int i = 0; i < n; ++i) {
      const Shape& s = c.shape(i);
      if (s.rank() != rank) {
        c.fail("ConcatOp : Ranks of all input tensors should match: shape[0] = " +
               first.to_list_string() + " vs. shape[" + str(i) + "] = " + s.to_list_string());
      }
      for (int d = 0; d < rank; ++d) {
        if (d != axis && s.dim(d) != first.dim(d)) {
          c.fail("ConcatOp : Dimensions of inputs should match: shape[0] = " +
                 first.to_list_string() + " vs. shape[" + str(i) + "] = " + s.to_list_string());
        }
      }
      total += s.dim(static_cast<int>(axis));
    }
    return {{dtype, with_dim(first, static_cast<int>(axis), total)}};
  }
  // TF's ConcatShapeHelper. All inputs of one rank first.
  std::int64_t rank = -1;
  for (int i = 0; i < n; ++i) {
    if (rank < 0 && c.shape(i).has_rank()) {
      rank = c.shape(i).rank();
    } else if (rank >= 0) {
      with_rank(c, i, rank);
    }
  }
  const auto axis_value = c.int_values(n);
  if (!axis_value) {
    if (rank < 0) return {{dtype, Shape::unknown_rank()}};
    if (rank == 0) c.fail("Can't concatenate scalars (use tf.stack instead)");
    return {{dtype, unknown_of_rank(rank)}};
  }
  const std::int64_t axis = (*axis_value)[0];
  const std::int64_t min_rank = axis < 0 ? -axis : axis + 1;
  auto at_least = [&](int i) {
    const Shape& s = c.shape(i);
    if (s.has_rank() && s.rank() < min_rank) {
      c.fail("Shape must be at least rank " + str(min_rank) + " but is rank " + str(s.rank()));
    }
  };
  at_least(n - 1);
  if (rank < 0) return {{dtype, Shape::unknown_rank()}};
  const int a = static_cast<int>(axis < 0 ? axis + rank : axis);
  // An input of unknown rank has `rank` unknown dims (TF's WithRank above).
  auto known_rank = [&](int i) {
    return c.shape(i).has_rank() ? c.shape(i) : unknown_of_rank(rank);
  };
  const Shape last = known_rank(n - 1);
  Shape before = sub_shape(last, 0, a), after = sub_shape(last, a + 1, static_cast<int>(rank));
  std::int64_t middle = last.dim(a);
  for (int i = n - 2; i >= 0; --i) {
    at_least(i);
    const Shape s = known_rank(i);
    std::string error = merge(sub_shape(s, 0, a), before, before);
    if (error.empty()) error = merge(sub_shape(s, a + 1, static_cast<int>(rank)), after, after);
    if (!error.empty()) c.fail(error);
    middle = (middle < 0 || s.dim(a) < 0) ? kUnknownDim : middle + s.dim(a);
  }
  std::vector<std::int64_t> dims(before.dims());
  dims.push_back(middle);
  dims.insert(dims.end(), after.dims().begin(), after.dims().end());
  return {{dtype, Shape(std::move(dims))}};
}

namespace {

// TF's MakeDimForScalarInputWithNegativeIndexing of the split axis; nullopt when unknown.
std::optional<std::int64_t> split_axis(const ShapeContext& c, int input, const Shape& value) {
  const auto v = c.int_values(input);
  if (!v) return std::nullopt;
  std::int64_t axis = (*v)[0];
  if (value.has_rank()) {
    const std::int64_t rank = value.rank();
    if (axis < -rank || axis >= rank) {
      c.fail("Dimension size, given by scalar input " + str(axis) + " must be in range [" +
                 str(-rank) + ", " + str(rank) + ")",
             "-input rank(-" + str(rank) + ") <= split_dim < input rank (" + str(rank) +
                 "), but got " + str(axis));
    }
    if (axis < 0) axis += rank;
  }
  return axis;
}

}  // namespace

std::vector<OutputSpec> split(const ShapeContext& c) {
  const Shape& value = c.shape(1);
  const DType dtype = c.dtype(1);
  const std::int64_t num = c.attr<std::int64_t>(attr_name::kNumSplit);
  const auto n = static_cast<std::size_t>(num);
  const auto axis = split_axis(c, 0, value);
  if (!axis || !value.has_rank()) {
    return std::vector<OutputSpec>(
        n, {dtype, value.has_rank() ? unknown_of_rank(value.rank()) : Shape::unknown_rank()});
  }
  const int a = static_cast<int>(*axis);
  const std::int64_t size = value.dim(a);
  if (size >= 0 && size % num != 0) {
    c.fail("Dimension size must be evenly divisible by " + str(num) + " but is " + str(size) +
               "\n\tNumber of ways to split should evenly divide the split dimension",
           "Number of ways to split should evenly divide the split dimension, but got split_dim " +
               str(a) + " (size = " + str(size) + ") and num_split " + str(num));
  }
  return std::vector<OutputSpec>(n, {dtype, with_dim(value, a, size < 0 ? size : size / num)});
}

std::vector<OutputSpec> split_v(const ShapeContext& c) {
  const Shape& value = c.shape(0);
  const DType dtype = c.dtype(0);
  const auto n = static_cast<std::size_t>(c.attr<std::int64_t>(attr_name::kNumSplit));
  const auto axis = split_axis(c, 2, value);
  if (!axis || !value.has_rank()) {
    return std::vector<OutputSpec>(
        n, {dtype, value.has_rank() ? unknown_of_rank(value.rank()) : Shape::unknown_rank()});
  }
  const int a = static_cast<int>(*axis);
  const auto sizes = c.int_values(1);
  if (!sizes) return std::vector<OutputSpec>(n, {dtype, with_dim(value, a, kUnknownDim)});
  if (sizes->size() != n) c.fail("size_splits must have num_split elements");
  std::int64_t total = 0;
  int minus_one = -1;
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t s = (*sizes)[i];
    if (s == -1) {
      if (minus_one >= 0) c.fail("size_splits can only have one -1");
      minus_one = static_cast<int>(i);
    } else if (s < 0) {
      c.fail("Split size at index " + str(static_cast<std::int64_t>(i)) +
             " must be >= 0. Got: " + str(s));
    } else {
      total += s;
    }
  }
  const std::int64_t size = value.dim(a);
  if (c.at_run_time()) {  // TF's SplitVOpBase
    if (minus_one >= 0 ? total > size : total != size) {
      c.fail(
          "Determined shape must either match input shape along split_dim exactly if fully "
          "specified, or be less than the size of the input along split_dim if not fully "
          "specified.  Got: " +
          str(total));
    }
  } else if (size >= 0 && (minus_one >= 0 ? total > size : total != size)) {
    c.fail("can't split axis of size " + str(size) + " into pieces of size [" + join(*sizes) + "]");
  }
  std::vector<OutputSpec> out;
  for (std::size_t i = 0; i < n; ++i) {
    std::int64_t s = (*sizes)[i];
    if (s == -1) s = size >= 0 ? size - total : kUnknownDim;
    out.push_back({dtype, with_dim(value, a, s)});
  }
  return out;
}

}  // namespace varscope::detail::shape_fn
