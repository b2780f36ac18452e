// Shapes and data movement.
#include "host/graph/array/array_shape_fns.h"
#include "host/graph/op_rows/op_rows.h"

namespace varscope::detail::op_rows {
namespace {

// TF's FillShape: the dims input's value (a Const), the value input's dtype.
std::vector<OutputSpec> fill_shape(const ShapeContext& c) {
  return {{c.dtype(1), c.value_as_shape(0)}};
}

// TF's numeric types (UnsortedSegmentSum's T).
constexpr DTypeSet kSegmentSumTypes{
    "float32, float64, int32, uint8, int16, int8, complex64, int64, qint8, quint8, qint32, "
    "bfloat16, uint16, complex128, float16, uint32, uint64"};

// clang-format off
constexpr std::array<AttrDef, 7> kStridedSliceAttrs = {{
    kTypeT, {a::kIndex, T::kDType}, {a::kBeginMask, T::kInt}, {a::kEndMask, T::kInt},
    {a::kEllipsisMask, T::kInt}, {a::kNewAxisMask, T::kInt}, {a::kShrinkAxisMask, T::kInt}}};

constexpr OpDef kRows[] = {
    {.op = OpType::kFill, .name = "Fill", .inputs = "dims, value", .outputs = "output",
     .attrs = {{kTypeT}}, .num_attrs = 1, .shape = fill_shape, .kernel = kernel_of(K::kFill),
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
    {.op = OpType::kPreventGradient, .name = "PreventGradient", .inputs = "input",
     .outputs = "output", .attrs = {{kTypeT, {a::kMessage, T::kString}}}, .num_attrs = 2,
     .shape = shape_fn::same_as_input, .kernel = kernel_of(K::kAlias),
     .grad = grad::prevent_gradient, .capture = Capture::kYes},
    {.op = OpType::kBroadcastGradientArgs, .name = "BroadcastGradientArgs", .inputs = "s0, s1",
     .outputs = "r0, r1", .attrs = {{kTypeT}}, .num_attrs = 1, .types = kIndexTypes,
     .shape = shape_fn::broadcast_gradient_args, .kernel = kernel_of(K::kHostArray),
     .grad = grad::not_differentiable},
    {.op = OpType::kTranspose, .name = "Transpose", .inputs = "x, perm", .outputs = "y",
     .attrs = {{kTypeT, {a::kTperm, T::kDType}}}, .num_attrs = 2, .shape = shape_fn::transpose,
     .kernel = kernel_of(K::kCopy), .grad = grad::transpose, .capture = Capture::kIfHostConstants},
    {.op = OpType::kInvertPermutation, .name = "InvertPermutation", .inputs = "x", .outputs = "y",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kIndexTypes,
     .shape = shape_fn::invert_permutation, .kernel = kernel_of(K::kHostArray),
     .grad = grad::not_differentiable},
    {.op = OpType::kPack, .name = "Pack", .inputs = "values", .outputs = "output",
     .attrs = {{{a::kN, T::kInt}, kTypeT, {a::kAxis, T::kInt}}}, .num_attrs = 3,
     .shape = shape_fn::pack, .kernel = kernel_of(K::kCopy), .grad = grad::pack,
     .capture = Capture::kYes},
    {.op = OpType::kUnpack, .name = "Unpack", .inputs = "value", .outputs = "output",
     .attrs = {{{a::kNum, T::kInt}, kTypeT, {a::kAxis, T::kInt}}}, .num_attrs = 3,
     .shape = shape_fn::unpack, .kernel = kernel_of(K::kCopy), .grad = grad::unpack,
     .capture = Capture::kYes},
    {.op = OpType::kConcatV2, .name = "ConcatV2", .inputs = "values", .outputs = "output",
     .attrs = {{{a::kN, T::kInt}, kTypeT, {a::kTidx, T::kDType}}}, .num_attrs = 3,
     .shape = shape_fn::concat_v2, .kernel = kernel_of(K::kCopy), .grad = grad::concat_v2},
    {.op = OpType::kSplit, .name = "Split", .inputs = "split_dim, value", .outputs = "output",
     .attrs = {{{a::kNumSplit, T::kInt}, kTypeT}}, .num_attrs = 2, .shape = shape_fn::split,
     .kernel = kernel_of(K::kCopy), .grad = grad::split},
    {.op = OpType::kSplitV, .name = "SplitV", .inputs = "value, size_splits, split_dim",
     .outputs = "output", .attrs = {{{a::kNumSplit, T::kInt}, kTypeT, {a::kTlen, T::kDType}}},
     .num_attrs = 3, .shape = shape_fn::split_v, .kernel = kernel_of(K::kCopy),
     .grad = grad::split_v},
    {.op = OpType::kSlice, .name = "Slice", .inputs = "input, begin, size", .outputs = "output",
     .attrs = {{kTypeT, {a::kIndex, T::kDType}}}, .num_attrs = 2, .shape = shape_fn::slice,
     .kernel = kernel_of(K::kCopy), .grad = grad::slice},
    {.op = OpType::kPad, .name = "Pad", .inputs = "input, paddings", .outputs = "output",
     .attrs = {{kTypeT, {a::kTpaddings, T::kDType}}}, .num_attrs = 2, .shape = shape_fn::pad,
     .kernel = kernel_of(K::kCopy), .grad = grad::pad, .capture = Capture::kIfHostConstants},
    {.op = OpType::kTile, .name = "Tile", .inputs = "input, multiples", .outputs = "output",
     .attrs = {{kTypeT, {a::kTmultiples, T::kDType}}}, .num_attrs = 2, .shape = shape_fn::tile,
     .kernel = kernel_of(K::kCopy), .grad = grad::tile, .capture = Capture::kIfHostConstants},
    {.op = OpType::kRange, .name = "Range", .inputs = "start, limit, delta", .outputs = "output",
     .attrs = {{{a::kTidx, T::kDType}}}, .num_attrs = 1, .types = kIndexTypes,
     .shape = shape_fn::range, .kernel = kernel_of(K::kHostArray),
     .grad = grad::not_differentiable},
    {.op = OpType::kPlaceholderWithDefault, .name = "PlaceholderWithDefault", .inputs = "input",
     .outputs = "output", .attrs = {{{a::kDType, T::kDType}, {a::kShape, T::kShape}}},
     .num_attrs = 2, .shape = shape_fn::placeholder_with_default, .kernel = kernel_of(K::kAlias),
     .grad = grad::identity, .capture = Capture::kYes},
    {.op = OpType::kOneHot, .name = "OneHot", .inputs = "indices, depth, on_value, off_value",
     .outputs = "output", .attrs = {{{a::kAxis, T::kInt}, kTypeT, {a::kTI, T::kDType}}},
     .num_attrs = 3, .shape = shape_fn::one_hot, .kernel = kernel_of(K::kCopy),
     .grad = grad::not_differentiable},
    // The gradient is TF's IndexedSlices, densified where it meets another gradient or
    // leaves tf.gradients (gradients/indexed_slices.cpp).
    {.op = OpType::kGatherV2, .name = "GatherV2", .inputs = "params, indices, axis",
     .outputs = "output",
     .attrs = {{{a::kBatchDims, T::kInt}, {a::kTparams, T::kDType}, {a::kTindices, T::kDType}, {a::kTaxis, T::kDType}}},
     .num_attrs = 4, .shape = shape_fn::gather_v2, .kernel = kernel_of(K::kCopy),
     .grad = grad::gather_v2},
    {.op = OpType::kStridedSlice, .name = "StridedSlice", .inputs = "input, begin, end, strides",
     .outputs = "output", .attrs = kStridedSliceAttrs, .num_attrs = 7,
     .shape = shape_fn::strided_slice, .kernel = kernel_of(K::kCopy),
     .grad = grad::strided_slice},
    {.op = OpType::kStridedSliceGrad, .name = "StridedSliceGrad",
     .inputs = "shape, begin, end, strides, dy", .outputs = "output", .attrs = kStridedSliceAttrs,
     .num_attrs = 7, .shape = shape_fn::strided_slice_grad, .kernel = kernel_of(K::kCopy),
     .grad = grad::strided_slice_grad},
    {.op = OpType::kUnsortedSegmentSum, .name = "UnsortedSegmentSum",
     .inputs = "data, segment_ids, num_segments", .outputs = "output",
     .attrs = {{kTypeT, {a::kTindices, T::kDType}, {a::kTnumsegments, T::kDType}}},
     .num_attrs = 3, .types = kSegmentSumTypes, .shape = shape_fn::unsorted_segment_sum,
     .kernel = kernel_of(K::kCopy, kComputesNumeric)},
};
// clang-format on

}  // namespace

std::span<const OpDef> array_ops() {
  return kRows;
}

}  // namespace varscope::detail::op_rows
