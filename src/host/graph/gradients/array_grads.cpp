// The gradients of the shape and data-movement ops, after TF 1.15's array_grad.py, with its
// node names ("Reshape_grad/Shape", "transpose_grad/InvertPermutation").
#include "host/graph/array/array_builders.h"
#include "host/graph/gradients/grad_fns.h"

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
