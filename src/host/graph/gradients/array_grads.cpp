// The gradients of the shape and data-movement ops, after TF 1.15's array_grad.py, with its
// node names ("Reshape_grad/Shape", "transpose_grad/InvertPermutation").
#include "host/graph/array/array_builders.h"
#include "host/graph/array/strided_slice_spec.h"
#include "host/graph/gradients/grad_fns.h"
#include "host/graph/scope_guards.h"

namespace varscope::detail::grad {

// _ReshapeGrad, and _ReshapeToInput for ExpandDims and Squeeze:
// reshape(grad, shape(op.inputs[0])).
std::vector<TensorRef> reshape_to_input(const GradInputs& in) {
  GraphImpl& g = in.g;
  const Node& n = g.node(in.node);
  const TensorRef x = n.inputs.at(0);
  const TensorRef shape = build_shape(g, x, DType::kInt32, "");
  std::vector<TensorRef> out{build_reshape(g, in.dys.at(0), shape, "")};
  if (n.inputs.size() > 1) out.push_back({});  // the shape (dim) input gets None
  return out;
}

// _TransposeGrad: transpose(grad, invert_permutation(perm)). TF's shape inference folds the
// constant InvertPermutation and knows dx's dims; here they are unknown until the run
// (docs/differences.md).
std::vector<TensorRef> transpose(const GradInputs& in) {
  GraphImpl& g = in.g;
  const Node& n = g.node(in.node);
  const TensorRef perm = n.inputs.at(1);
  const DType tperm = spec_of(g, perm).dtype;
  const TensorRef inverse{
      add_op(g, OpType::kInvertPermutation, wrapper_scope(g, "", "InvertPermutation"), {perm},
             {{attr_name::kT, tperm}}),
      0};
  const TensorRef dx = build_transpose(g, in.dys.at(0), inverse, "transpose");
  return {dx, {}};
}

}  // namespace varscope::detail::grad

namespace varscope::detail::grad {
namespace {

const Node& node_of(const GradInputs& in) {
  return in.g.node(in.node);
}

// array_ops.rank(x) as TF 1.15 builds it: a Const "Rank" when the rank is known.
TensorRef build_rank(GraphImpl& g, TensorRef x) {
  const std::string scope = wrapper_scope(g, "", "Rank");
  const Shape& s = spec_of(g, x).shape;
  if (s.has_rank()) return build_constant(g, HostTensor(s.rank()), {}, {}, false, scope);
  return {add_op(g, OpType::kRank, scope, {x}, {{attr_name::kT, spec_of(g, x).dtype}}), 0};
}

TensorRef reshape_to_list(GraphImpl& g, TensorRef x, const std::vector<std::int64_t>& shape) {
  const std::string scope = wrapper_scope(g, "", "Reshape");
  TensorRef s;
  {
    StackGuard in_scope(g, scope_stack(scope));
    s = build_int_constant(g, shape, false, "shape");
  }
  return build_reshape(g, x, s, scope);
}

}  // namespace

bool fills_missing_output_grads(OpType op) {
  return op == OpType::kUnpack || op == OpType::kSplit || op == OpType::kSplitV ||
         op == OpType::kFusedBatchNormV3 || op == OpType::kDynamicPartition;
}

// _PackGrad: unstack(grad, num=N, axis=axis).
std::vector<TensorRef> pack(const GradInputs& in) {
  const Node& n = node_of(in);
  return build_unstack(in.g, in.dys.at(0), attr<std::int64_t>(n, attr_name::kN),
                       attr<std::int64_t>(n, attr_name::kAxis), "");
}

// _UnpackGrad: stack(grads, axis=axis) (tf.gradients gave zeros for the missing ones).
std::vector<TensorRef> unpack(const GradInputs& in) {
  std::vector<ListItem> items;
  for (const TensorRef& dy : in.dys)
    items.push_back(ListItem::of(dy));
  return {build_stack(in.g, items, attr<std::int64_t>(node_of(in), attr_name::kAxis), "")};
}

// _SplitGrad: None, concat(grads, split_dim).
std::vector<TensorRef> split(const GradInputs& in) {
  return {{}, build_concat_v2(in.g, in.dys, node_of(in).inputs.at(0), "")};
}

// _SplitVGrad: concat(grads, split_dim), None, None.
std::vector<TensorRef> split_v(const GradInputs& in) {
  return {build_concat_v2(in.g, in.dys, node_of(in).inputs.at(2), ""), {}, {}};
}

// _ConcatGradV2 as one Slice per input ("concat_grad/Slice", "Slice_1", as TF), their begin
// and size Consts computed here from the inputs' sizes along the axis; TF computes them in
// the graph (Rank, FloorMod, ShapeN, ConcatOffset: docs/differences.md).
std::vector<TensorRef> concat_v2(const GradInputs& in) {
  GraphImpl& g = in.g;
  const Node& n = node_of(in);
  const std::size_t count = n.inputs.size() - 1;
  const TensorRef axis_ref = n.inputs.back();
  const Node& axis_node = g.node(axis_ref.node);
  const Shape& first = spec_of(g, n.inputs[0]).shape;
  if (axis_node.op != OpType::kConst || !first.has_rank()) {
    throw UnimplementedError("The gradient of " + n.name +
                             " needs a constant axis and inputs of known rank");
  }
  const int rank = first.rank();
  std::int64_t axis = static_cast<std::int64_t>(
      attr<HostTensor>(axis_node, attr_name::kValue).element_as_double(0));
  if (axis < 0) axis += rank;
  std::vector<TensorRef> out;
  std::int64_t offset = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const Shape& s = spec_of(g, n.inputs[i]).shape;
    const std::int64_t size = s.dim(static_cast<int>(axis));
    if (size < 0 && i + 1 < count) {
      throw UnimplementedError("The gradient of " + n.name + " needs the sizes of its inputs " +
                               "along the axis (input " + std::to_string(i) + " has " +
                               s.to_string() + ")");
    }
    std::vector<std::int64_t> begin(static_cast<std::size_t>(rank), 0);
    std::vector<std::int64_t> sizes(static_cast<std::size_t>(rank), -1);
    begin[static_cast<std::size_t>(axis)] = offset;
    sizes[static_cast<std::size_t>(axis)] = size;
    out.push_back(build_slice_literal(g, in.dys.at(0), begin, sizes, ""));
    offset += size;
  }
  out.push_back({});
  return out;
}

// _SliceGrad: pad(grad, concat([reshape(begin, [rank, 1]),
//                               reshape(shape(x) - shape(y) - begin, [rank, 1])], 1)).
std::vector<TensorRef> slice(const GradInputs& in) {
  GraphImpl& g = in.g;
  const Node& n = node_of(in);
  const TensorRef x = n.inputs.at(0), begin = n.inputs.at(1);
  const TensorRef rank = build_rank(g, x);
  const TensorRef slice_size = build_shape(g, {in.node, 0}, DType::kInt32, "");
  const TensorRef shape = build_stack(g, {ListItem::of(rank), ListItem::of(1)}, 0, "");
  const TensorRef before = build_reshape(g, begin, shape, "");
  const TensorRef x_shape = build_shape(g, x, DType::kInt32, "");
  const TensorRef sub = build_binary(g, OpType::kSub, "sub", x_shape, slice_size);
  const TensorRef left = build_binary(g, OpType::kSub, "sub", sub, begin);
  const TensorRef after = build_reshape(g, left, shape, "");
  const TensorRef paddings = build_concat(g, {before, after}, 1, "");
  return {build_pad(g, in.dys.at(0), paddings, ""), {}, {}};
}

// _PadGrad: slice(grad, reshape(slice(paddings, [0, 0], stack([rank(x), 1])), [-1]),
//                 shape(x)).
std::vector<TensorRef> pad(const GradInputs& in) {
  GraphImpl& g = in.g;
  const Node& n = node_of(in);
  const TensorRef x = n.inputs.at(0), paddings = n.inputs.at(1);
  const TensorRef rank = build_rank(g, x);
  const TensorRef size = build_stack(g, {ListItem::of(rank), ListItem::of(1)}, 0, "");
  const std::string scope = wrapper_scope(g, "", "Slice");
  TensorRef zero;
  {
    StackGuard in_scope(g, scope_stack(scope));
    zero = build_int_constant(g, {0, 0}, false, "begin");
  }
  const TensorRef before = build_slice(g, paddings, zero, size, scope);
  const TensorRef begin = reshape_to_list(g, before, {-1});
  const TensorRef sizes = build_shape(g, x, DType::kInt32, "");
  return {build_slice(g, in.dys.at(0), begin, sizes, ""), {}};
}

// _TileGrad: reduce_sum(reshape(grad, split_shape), range(0, size(split_shape), 2)) with
// split_shape = reshape(transpose(stack([multiples, shape(x)])), [-1]), of x's shape.
std::vector<TensorRef> tile(const GradInputs& in) {
  GraphImpl& g = in.g;
  const Node& n = node_of(in);
  const TensorRef x = n.inputs.at(0), multiples = n.inputs.at(1);
  const TensorRef x_shape = build_shape(g, x, DType::kInt32, "");
  const TensorRef stacked = build_stack(g, {ListItem::of(multiples), ListItem::of(x_shape)}, 0, "");
  const std::string scope = wrapper_scope(g, "", "transpose");
  TensorRef perm;
  {
    StackGuard in_scope(g, scope_stack(scope));
    perm = build_int_constant(g, {1, 0}, false, "perm");
  }
  const TensorRef transposed = build_transpose(g, stacked, perm, scope);
  const TensorRef split_shape = reshape_to_list(g, transposed, {-1});
  const Shape& ss = spec_of(g, split_shape).shape;
  if (!ss.is_fully_defined()) {
    throw UnimplementedError("The gradient of " + n.name + " needs the rank of its input");
  }
  const TensorRef size = build_constant(g, HostTensor(static_cast<int>(ss.num_elements())), {}, {},
                                        false, wrapper_scope(g, "", "Size"));
  const TensorRef axes =
      build_range(g, ListItem::of(std::int64_t{0}), ListItem::of(size), ListItem::of(2), "");
  const TensorRef reshaped = build_reshape(g, in.dys.at(0), split_shape, "");
  const OutputSpec& xs = spec_of(g, x);
  const TensorRef sum = grad_node(g, OpType::kSum, "Sum", {reshaped, axes},
                                  {{attr_name::kT, xs.dtype}, {attr_name::kKeepDims, false}});
  // TF's set_shape(input shape): the reduction over computed axes cannot infer it. The node
  // is this call's own, so a failure still takes it back.
  g.set_output_shape(sum, xs.shape);
  return {sum, {}};
}

namespace {

StridedSliceMasks masks_of(const Node& n) {
  return {attr<std::int64_t>(n, attr_name::kBeginMask), attr<std::int64_t>(n, attr_name::kEndMask),
          attr<std::int64_t>(n, attr_name::kEllipsisMask),
          attr<std::int64_t>(n, attr_name::kNewAxisMask),
          attr<std::int64_t>(n, attr_name::kShrinkAxisMask)};
}

}  // namespace

// _StridedSliceGrad: StridedSliceGrad(shape(x, out_type=begin.dtype), begin, end, strides,
// grad) with the op's masks.
std::vector<TensorRef> strided_slice(const GradInputs& in) {
  GraphImpl& g = in.g;
  const Node& n = node_of(in);
  const TensorRef begin = n.inputs.at(1), end = n.inputs.at(2), strides = n.inputs.at(3);
  const DType index = spec_of(g, begin).dtype;
  const TensorRef x_shape = build_shape(g, n.inputs.at(0), index, "");
  Attrs attrs{{attr_name::kT, spec_of(g, in.dys.at(0)).dtype}, {attr_name::kIndex, index}};
  for (const auto& a : n.attrs) {
    if (a.first.ends_with("_mask")) attrs.push_back(a);
  }
  return {grad_node(g, OpType::kStridedSliceGrad, "StridedSliceGrad",
                    {x_shape, begin, end, strides, in.dys.at(0)}, std::move(attrs)),
          {},
          {},
          {}};
}

// _StridedSliceGradGrad: the same slice of the gradient (gen_array_ops.strided_slice).
std::vector<TensorRef> strided_slice_grad(const GradInputs& in) {
  const Node& n = node_of(in);
  return {{},
          {},
          {},
          {},
          build_strided_slice(in.g, in.dys.at(0), n.inputs.at(1), n.inputs.at(2), n.inputs.at(3),
                              masks_of(n), "")};
}

}  // namespace varscope::detail::grad
