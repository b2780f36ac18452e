// The shape functions of StridedSlice, StridedSliceGrad and UnsortedSegmentSum: TF 1.15's
// shape inference at graph building, its kernels' checks at run time.
#include <string>

#include "host/graph/array/array_shape_fns.h"
#include "host/graph/array/shape_helpers.h"
#include "host/graph/array/strided_slice_spec.h"
#include "host/graph/op_defs.h"

namespace varscope::detail::shape_fn {

using namespace helpers;  // NOLINT: this file is their user

namespace {

StridedSliceMasks masks_of(const ShapeContext& c) {
  return {c.attr<std::int64_t>(attr_name::kBeginMask), c.attr<std::int64_t>(attr_name::kEndMask),
          c.attr<std::int64_t>(attr_name::kEllipsisMask),
          c.attr<std::int64_t>(attr_name::kNewAxisMask),
          c.attr<std::int64_t>(attr_name::kShrinkAxisMask)};
}

// The slice's final shape over `input`: inputs `first`..`first + 2` are begin, end and
// strides. Unknown (rank) where TF's shape inference gives up.
Shape sliced_shape(const ShapeContext& c, const Shape& input, int first) {
  const Shape& bs = c.shape(first);
  const Shape& es = c.shape(first + 1);
  const Shape& ss = c.shape(first + 2);
  if (c.at_run_time()) {
    const StridedSliceSpec spec =
        validate_strided_slice(c.int_values(first), c.int_values(first + 1),
                               *c.int_values(first + 2), bs, es, ss, input, masks_of(c));
    if (!spec.error.empty()) c.fail(spec.error);
    return Shape(spec.final_dims);
  }
  for (int i = first; i < first + 3; ++i)
    with_rank(c, i, 1);
  Shape lengths;
  std::string error = merge(bs, es, lengths);
  if (error.empty()) error = merge(lengths, ss, lengths);
  if (!error.empty()) c.fail(error);
  const auto strides = c.int_values(first + 2);
  if (!input.has_rank() || !lengths.has_rank() || lengths.dim(0) < 0 || !strides) {
    return Shape::unknown_rank();
  }
  // TF's shape refiner runs the function again once the values it asked for are known:
  // first without begin and end (the errors not about them name only the strides), then
  // with them.
  const Shape& b = bs.has_rank() ? bs : lengths;
  const Shape& e = es.has_rank() ? es : lengths;
  const Shape& st = ss.has_rank() ? ss : lengths;
  const StridedSliceMasks masks = masks_of(c);
  StridedSliceSpec spec =
      validate_strided_slice(std::nullopt, std::nullopt, *strides, b, e, st, input, masks);
  if (!spec.error.empty()) c.fail(spec.error);
  const auto begin = c.int_values(first);
  const auto end = c.int_values(first + 1);
  if (!begin || !end) return Shape(spec.final_dims);
  spec = validate_strided_slice(begin, end, *strides, b, e, st, input, masks);
  if (!spec.error.empty()) c.fail(spec.error);
  return Shape(spec.final_dims);
}

}  // namespace

std::vector<OutputSpec> strided_slice(const ShapeContext& c) {
  return {{c.dtype(0), sliced_shape(c, c.shape(0), 1)}};
}

std::vector<OutputSpec> strided_slice_grad(const ShapeContext& c) {
  const DType dtype = c.dtype(4);
  if (!c.at_run_time()) return {{dtype, c.value_as_shape(0)}};
  const Shape& ss = c.shape(0);
  if (ss.rank() != 1) {
    c.fail("shape must be 1-D, got shape.shape = " + ss.to_list_string());
  }
  const Shape input(*c.int_values(0));
  const Shape dy_should_be = sliced_shape(c, input, 1);
  if (dy_should_be != c.shape(4)) {
    c.fail("shape of dy was " + c.shape(4).to_list_string() + " instead of " +
           dy_should_be.to_list_string());
  }
  return {{dtype, input}};
}

std::vector<OutputSpec> unsorted_segment_sum(const ShapeContext& c) {
  const Shape& data = c.shape(0);
  const Shape& ids = c.shape(1);
  const DType dtype = c.dtype(0);
  const auto count = c.int_values(2);
  if (c.at_run_time()) {  // TF's UnsortedSegmentReductionOp
    if (c.shape(2).num_elements() != 1) {
      c.fail("num_segments should be a scalar, not shape " + c.shape(2).to_list_string());
    }
    bool prefix = data.rank() >= ids.rank();
    for (int i = 0; prefix && i < ids.rank(); ++i)
      prefix = data.dim(i) == ids.dim(i);
    if (!prefix) {
      c.fail("data.shape = " + data.to_list_string() +
             " does not start with segment_ids.shape = " + ids.to_list_string());
    }
    if ((*count)[0] < 0) {
      c.fail("Dimension size, given by scalar input 2, must be non-negative but is " +
             str((*count)[0]));
    }
  } else {
    with_rank(c, 2, 0);
  }
  if (!ids.has_rank()) return {{dtype, Shape::unknown_rank()}};
  if (data.has_rank()) {
    if (data.rank() < ids.rank()) {
      c.fail("Shape must be at least rank " + str(ids.rank()) + " but is rank " + str(data.rank()));
    }
    Shape unused;
    const std::string error = merge(sub_shape(data, 0, ids.rank()), ids, unused);
    if (!error.empty()) c.fail(error);
  }
  const std::int64_t segments = count ? (*count)[0] : kUnknownDim;
  if (segments < 0 && count) {
    c.fail("Dimension size, given by scalar input 2, must be non-negative but is " + str(segments));
  }
  if (!data.has_rank()) return {{dtype, Shape::unknown_rank()}};
  std::vector<std::int64_t> dims{segments};
  dims.insert(dims.end(), data.dims().begin() + ids.rank(), data.dims().end());
  return {{dtype, Shape(std::move(dims))}};
}

}  // namespace varscope::detail::shape_fn
