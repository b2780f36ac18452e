// Shapes and data movement.
#include "host/graph/array/array_shape_fns.h"
#include "host/graph/op_rows/op_rows.h"

namespace varscope::detail::op_rows {
namespace {

// clang-format off
constexpr OpDef kRows[] = {
    {.op = OpType::kFill, .name = "Fill", .inputs = "dims, value", .outputs = "output",
     .attrs = {{kTypeT}}, .num_attrs = 1, .kernel = kernel_of(K::kFill),
     .grad = grad::not_differentiable, .capture = Capture::kIfHostConstants},
    {.op = OpType::kOnesLike, .name = "OnesLike", .inputs = "x", .outputs = "y",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kOnesLikeTypes, .shape = shape_fn::same_as_input,
     .kernel = kernel_of(K::kFillLike), .grad = grad::not_differentiable},
    {.op = OpType::kZerosLike, .name = "ZerosLike", .inputs = "x", .outputs = "y",
     .attrs = {{kTypeT}}, .num_attrs = 1, .shape = shape_fn::same_as_input,
     .kernel = kernel_of(K::kFillLike), .grad = grad::not_differentiable},
    {.op = OpType::kReshape, .name = "Reshape", .inputs = "tensor, shape", .outputs = "output",
     .attrs = {{kTypeT, {a::kTshape, T::kDType}}}, .num_attrs = 2, .shape = shape_fn::reshape,
     .kernel = kernel_of(K::kAlias), .grad = grad::reshape_to_input,
     .capture = Capture::kIfHostConstants},
    {.op = OpType::kExpandDims, .name = "ExpandDims", .inputs = "input, dim", .outputs = "output",
     .attrs = {{kTypeT, {a::kTdim, T::kDType}}}, .num_attrs = 2, .shape = shape_fn::expand_dims,
     .kernel = kernel_of(K::kAlias), .grad = grad::reshape_to_input,
     .capture = Capture::kIfHostConstants},
    {.op = OpType::kSqueeze, .name = "Squeeze", .inputs = "input", .outputs = "output",
     .attrs = {{kTypeT, {a::kSqueezeDims, T::kTensor}}}, .num_attrs = 2, .shape = shape_fn::squeeze,
     .kernel = kernel_of(K::kAlias), .grad = grad::reshape_to_input, .capture = Capture::kYes},
    {.op = OpType::kShape, .name = "Shape", .inputs = "input", .outputs = "output",
     .attrs = {{kTypeT, {a::kOutType, T::kDType}}}, .num_attrs = 2, .shape = shape_fn::shape,
     .kernel = kernel_of(K::kShapeOf), .grad = grad::not_differentiable},
    {.op = OpType::kSize, .name = "Size", .inputs = "input", .outputs = "output",
     .attrs = {{kTypeT, {a::kOutType, T::kDType}}}, .num_attrs = 2,
     .shape = shape_fn::scalar_of_out_type, .kernel = kernel_of(K::kShapeOf),
     .grad = grad::not_differentiable},
    {.op = OpType::kRank, .name = "Rank", .inputs = "input", .outputs = "output",
     .attrs = {{kTypeT}}, .num_attrs = 1, .shape = shape_fn::rank, .kernel = kernel_of(K::kShapeOf),
     .grad = grad::not_differentiable},
    {.op = OpType::kStopGradient, .name = "StopGradient", .inputs = "input", .outputs = "output",
     .attrs = {{kTypeT}}, .num_attrs = 1, .shape = shape_fn::same_as_input,
     .kernel = kernel_of(K::kAlias), .grad = grad::not_differentiable, .capture = Capture::kYes},
    {.op = OpType::kTranspose, .name = "Transpose", .inputs = "x, perm", .outputs = "y",
     .attrs = {{kTypeT, {a::kTperm, T::kDType}}}, .num_attrs = 2, .shape = shape_fn::transpose,
     .kernel = kernel_of(K::kTranspose), .grad = grad::transpose,
     .capture = Capture::kIfHostConstants},
    {.op = OpType::kInvertPermutation, .name = "InvertPermutation", .inputs = "x", .outputs = "y",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kIndexTypes,
     .shape = shape_fn::invert_permutation, .kernel = kernel_of(K::kHostArray),
     .grad = grad::not_differentiable},
};
// clang-format on

}  // namespace

std::span<const OpDef> array_ops() {
  return kRows;
}

}  // namespace varscope::detail::op_rows
