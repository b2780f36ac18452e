// TF's IndexedSlices gradients: GatherV2's (array_grad._GatherV2Grad, axis 0), their sum
// with other gradients (backprop.aggregate_indexed_slices_gradients) and their conversion to
// a dense tensor (ops._indexed_slices_to_tensor: an UnsortedSegmentSum), with TF 1.15's
// node names.
#include <string>

#include "host/graph/array/array_builders.h"
#include "host/graph/array/strided_slice_spec.h"
#include "host/graph/gradients/grad_fns.h"
#include "host/graph/scope_guards.h"
#include "varscope/errors.h"

namespace varscope::detail {
namespace {

TensorRef build_size(GraphImpl& g, TensorRef x) {
  const std::string scope = wrapper_scope(g, "", "Size");
  const Shape& s = spec_of(g, x).shape;
  if (s.is_fully_defined() && s.num_elements() <= INT32_MAX) {
    return build_constant(g, HostTensor(static_cast<int>(s.num_elements())), {}, {}, false, scope);
  }
  return {add_op(g, OpType::kSize, scope, {x},
                 {{attr_name::kT, spec_of(g, x).dtype}, {attr_name::kOutType, DType::kInt32}}),
          0};
}

TensorRef build_expand_dims0(GraphImpl& g, TensorRef x) {
  const std::string scope = wrapper_scope(g, "", "ExpandDims");
  TensorRef dim;
  {
    StackGuard in_scope(g, scope_stack(scope));
    dim = build_int_constant(g, {0}, true, "dim");
  }
  return {add_op(g, OpType::kExpandDims, scope, {x, dim},
                 {{attr_name::kT, spec_of(g, x).dtype}, {attr_name::kTdim, DType::kInt32}}),
          0};
}

}  // namespace

TensorRef densify(GraphImpl& g,
                  TensorRef values,
                  const IndexedSlicesRef& slices,
                  std::string_view name) {
  StridedSliceMasks first;
  first.shrink_axis = 1;
  const TensorRef rows = build_index_slice(g, slices.dense_shape, {0}, {1}, {1}, first, "");
  const TensorRef out{
      add_op(g, OpType::kUnsortedSegmentSum, name.empty() ? "UnsortedSegmentSum" : name,
             {values, slices.indices, rows},
             {{attr_name::kT, spec_of(g, values).dtype},
              {attr_name::kTindices, spec_of(g, slices.indices).dtype},
              {attr_name::kTnumsegments, DType::kInt32}}),
      0};
  // TF's shape inference folds dense_shape[0] (a constant); here it is known only when run.
  if (slices.shape.has_rank()) g.set_output_shape(out, slices.shape);
  return out;
}

TensorRef aggregate_gradients(GraphImpl& g, std::vector<TensorRef>& grads, IndexedSlicesMap& map) {
  if (grads.empty()) return {};
  if (grads.size() == 1) return grads.front();
  auto sparse = [&](TensorRef t) { return map.find(t.node) != map.end() && t.index == 0; };
  bool any_dense = false, any_sparse = false;
  for (const TensorRef& t : grads) {
    any_dense = any_dense || !sparse(t);
    any_sparse = any_sparse || sparse(t);
  }
  const OutputSpec s = spec_of(g, grads.front());
  const Attrs attrs{{attr_name::kN, static_cast<std::int64_t>(grads.size())},
                    {attr_name::kT, s.dtype}};
  if (!any_sparse) {
    // _MultiDeviceAddN, for gradients on one device: colocated with the first one.
    ColocateGuard at_first(g, grads.front().node, /*ignore_existing=*/true);
    grads.assign(1, grad_node(g, OpType::kAddN, "AddN", grads, attrs));
    return grads.front();
  }
  if (!any_dense) {  // one IndexedSlices of the concatenated values and indices
    std::vector<TensorRef> values, indices;
    for (const TensorRef& t : grads) {
      values.push_back(t);
      indices.push_back(map.at(t.node).indices);
    }
    IndexedSlicesRef joined = map.at(grads.front().node);
    const TensorRef v = build_concat(g, values, 0, "");
    joined.indices = build_concat(g, indices, 0, "");
    map[v.node] = joined;
    grads.assign(1, v);
    return v;
  }
  // math_ops.add_n: the op's scope "AddN", its inputs converted as "inputs_<i>".
  const std::string scope = wrapper_scope(g, "", "AddN");
  std::vector<TensorRef> dense;
  {
    StackGuard in_scope(g, scope_stack(scope));
    for (std::size_t i = 0; i < grads.size(); ++i) {
      const TensorRef t = grads[i];
      dense.push_back(sparse(t) ? densify(g, t, map.at(t.node), "inputs_" + std::to_string(i)) : t);
    }
  }
  const TensorRef sum{add_op(g, OpType::kAddN, scope, dense, attrs), 0};
  grads.assign(1, sum);
  return sum;
}

namespace grad {

// _GatherV2Grad for axis 0: IndexedSlices(reshape(grad, concat([size, shape[1:]], 0)),
// reshape(indices, size), cast(shape(params, int64), int32)), size = expand_dims(size(
// indices), 0). Other axes: varscope has no gradient yet (docs/differences.md).
std::vector<TensorRef> gather_v2(const GradInputs& in) {
  GraphImpl& g = in.g;
  const Node& n = g.node(in.node);
  const TensorRef params = n.inputs.at(0), indices = n.inputs.at(1);
  const Node& axis_node = g.node(n.inputs.at(2).node);
  if (axis_node.op != OpType::kConst ||
      attr<HostTensor>(axis_node, attr_name::kValue).element_as_double(0) != 0) {
    throw UnimplementedError("The gradient of " + n.name +
                             " is implemented for a constant axis 0 only");
  }
  if (in.indexed_slices == nullptr) {
    throw InternalError("The gradient of " + n.name + " needs an IndexedSlices map");
  }
  const TensorRef shape64 = build_shape(g, params, DType::kInt64, "");
  const TensorRef params_shape{
      add_op(g, OpType::kCast, "Cast", {shape64},
             {{attr_name::kSrcT, DType::kInt64}, {attr_name::kDstT, DType::kInt32}}),
      0};
  const TensorRef size = build_expand_dims0(g, build_size(g, indices));
  StridedSliceMasks tail;
  tail.end = 1;
  const TensorRef params_tail = build_index_slice(g, params_shape, {1}, {0}, {1}, tail, "");
  const TensorRef values_shape = build_concat(g, {size, params_tail}, 0, "");
  const TensorRef values = build_reshape(g, in.dys.at(0), values_shape, "");
  const TensorRef flat_indices = build_reshape(g, indices, size, "");
  // The values' static shape, as TF's constant folding knows it: [size] + params' tail.
  const Shape& ps = spec_of(g, params).shape;
  const Shape& is = spec_of(g, indices).shape;
  if (ps.has_rank() && ps.rank() >= 1) {
    std::vector<std::int64_t> dims{is.is_fully_defined() ? is.num_elements() : kUnknownDim};
    dims.insert(dims.end(), ps.dims().begin() + 1, ps.dims().end());
    g.set_output_shape(values, Shape(dims));
  }
  (*in.indexed_slices)[values.node] = {flat_indices, params_shape, ps};
  return {values, {}, {}};
}

}  // namespace grad
}  // namespace varscope::detail
