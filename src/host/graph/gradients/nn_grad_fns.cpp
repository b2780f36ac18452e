// The gradients of issue 24's nn ops and the math they build on, after TF 1.15's nn_grad.py
// and math_grad.py, with TF's node names.
#include <cstdint>
#include <vector>

#include "host/graph/builders.h"
#include "host/graph/gradients/grad_fns.h"
#include "host/graph/op_defs.h"
#include "host/graph/scope_guards.h"

namespace varscope::detail::grad {

// _LogSoftmaxGrad: grad - sum(grad, -1, keepdims) * exp(logsoftmax).
std::vector<TensorRef> log_softmax(const GradInputs& in) {
  GraphImpl& g = in.g;
  const TensorRef y{in.node, 0};
  const TensorRef dy = in.dys[0];
  const DType dtype = spec_of(g, y).dtype;
  const TensorRef softmax = grad_node(g, OpType::kExp, "Exp", {y});
  const TensorRef axes = build_constant(g, HostTensor(std::vector<std::int32_t>{-1}), {}, {}, false,
                                        "Sum/reduction_indices");
  const TensorRef sum = grad_node(g, OpType::kSum, "Sum", {dy, axes},
                                  {{attr_name::kT, dtype}, {attr_name::kKeepDims, true}});
  const TensorRef mul = build_binary(g, OpType::kMul, "mul", sum, softmax);
  return {build_binary(g, OpType::kSub, "sub", dy, mul)};
}

// _L2LossGrad: x * grad.
std::vector<TensorRef> l2_loss(const GradInputs& in) {
  const TensorRef x = in.g.node(in.node).inputs.at(0);
  return {build_binary(in.g, OpType::kMul, "mul", x, in.dys[0])};
}

// _Log1pGrad: grad * reciprocal(1 + x).
std::vector<TensorRef> log1p(const GradInputs& in) {
  GraphImpl& g = in.g;
  const TensorRef x = g.node(in.node).inputs.at(0);
  const DType dtype = spec_of(g, x).dtype;
  TensorRef one_plus_x;
  {
    const std::string stack = g.resolve_name_scope("add");
    StackGuard in_scope(g, stack);
    const TensorRef one = build_constant(g, HostTensor(1.0).cast(dtype), {}, {}, false, "x");
    one_plus_x = build_binary(g, OpType::kAddV2, scope_string(stack), one, x);
  }
  const TensorRef reciprocal = grad_node(g, OpType::kReciprocal, "Reciprocal", {one_plus_x});
  return {build_binary(g, OpType::kMul, "mul", in.dys[0], reciprocal)};
}

}  // namespace varscope::detail::grad
