// The shape functions of the shape and data-movement ops (op_rows/array_ops.cpp): TF 1.15's
// shape inference at graph building (array_ops.cc) and TF's kernels' checks at run time,
// each in TF's words (docs/errors.md).
#pragma once

#include <vector>

#include "host/graph/shape_fn.h"

namespace varscope::detail::shape_fn {

std::vector<OutputSpec> reshape(const ShapeContext& c);
std::vector<OutputSpec> expand_dims(const ShapeContext& c);
std::vector<OutputSpec> squeeze(const ShapeContext& c);
std::vector<OutputSpec> shape(const ShapeContext& c);               // Shape: [rank] of out_type
std::vector<OutputSpec> scalar_of_out_type(const ShapeContext& c);  // Size
std::vector<OutputSpec> rank(const ShapeContext& c);                // Rank: an int32 scalar
std::vector<OutputSpec> transpose(const ShapeContext& c);
std::vector<OutputSpec> invert_permutation(const ShapeContext& c);
// copy_shape_fns.cpp
std::vector<OutputSpec> pack(const ShapeContext& c);
std::vector<OutputSpec> unpack(const ShapeContext& c);
std::vector<OutputSpec> concat_v2(const ShapeContext& c);
std::vector<OutputSpec> split(const ShapeContext& c);
std::vector<OutputSpec> split_v(const ShapeContext& c);
std::vector<OutputSpec> slice(const ShapeContext& c);
std::vector<OutputSpec> pad(const ShapeContext& c);
std::vector<OutputSpec> tile(const ShapeContext& c);
std::vector<OutputSpec> range(const ShapeContext& c);
// TF's BroadcastGradientArgs: two vectors of unknown length at graph building (TF's shape
// function); the run gives their lengths from the shapes' values, or TF's "Incompatible
// shapes: [2,3] vs. [4]".
std::vector<OutputSpec> broadcast_gradient_args(const ShapeContext& c);
std::vector<OutputSpec> placeholder_with_default(const ShapeContext& c);
std::vector<OutputSpec> one_hot(const ShapeContext& c);
std::vector<OutputSpec> gather_v2(const ShapeContext& c);
// strided_slice_shape_fns.cpp
std::vector<OutputSpec> strided_slice(const ShapeContext& c);
std::vector<OutputSpec> strided_slice_grad(const ShapeContext& c);
std::vector<OutputSpec> unsorted_segment_sum(const ShapeContext& c);

}  // namespace varscope::detail::shape_fn
