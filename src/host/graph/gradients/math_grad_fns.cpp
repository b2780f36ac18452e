// The gradients of issue 24's elementwise math and activations, after TF 1.15's
// math_grad.py and nn_grad.py, with TF's node names ("SqrtGrad", "Sign" and "mul", ...).
// Where TF needs Shape, BroadcastGradientArgs, Sum and Reshape, one SumToShape named "Sum"
// stands in (as in grad_fns.cpp).
#include <string>

#include "host/graph/builders.h"
#include "host/graph/gradients/grad_fns.h"
#include "host/graph/op_defs.h"

namespace varscope::detail::grad {
namespace {

TensorRef input(const GradInputs& in, int i) {
  return in.g.node(in.node).inputs.at(static_cast<std::size_t>(i));
}
TensorRef output(const GradInputs& in, int i) {
  return {in.node, i};
}
// A gradient op of the two inputs' dtype and the first one's shape.
TensorRef grad_op(const GradInputs& in, OpType op, TensorRef a, TensorRef b, Attrs attrs = {}) {
  const OutputSpec s = spec_of(in.g, a);
  if (!attrs.empty()) attrs.emplace_back(attr_name::kT, s.dtype);
  return grad_node(in.g, op, op_def(op).name, {a, b}, s, std::move(attrs));
}
// dy summed back to the shape of `like`; dy itself when the shapes are known and equal.
TensorRef sum_to(GraphImpl& g, TensorRef dy, TensorRef like) {
  const Shape& ds = spec_of(g, dy).shape;
  const Shape& ls = spec_of(g, like).shape;
  if (ds.is_fully_defined() && ls.is_fully_defined() && ds == ls) return dy;
  return grad_node(g, OpType::kSumToShape, "Sum", {dy, like}, {spec_of(g, dy).dtype, ls});
}

}  // namespace

std::vector<TensorRef> sqrt(const GradInputs& in) {  // SqrtGrad(y, dy)
  return {grad_op(in, OpType::kSqrtGrad, output(in, 0), in.dys[0])};
}

std::vector<TensorRef> rsqrt(const GradInputs& in) {  // RsqrtGrad(y, dy)
  return {grad_op(in, OpType::kRsqrtGrad, output(in, 0), in.dys[0])};
}

std::vector<TensorRef> reciprocal(const GradInputs& in) {  // ReciprocalGrad(y, dy)
  return {grad_op(in, OpType::kReciprocalGrad, output(in, 0), in.dys[0])};
}

std::vector<TensorRef> abs(const GradInputs& in) {  // grad * sign(x)
  const TensorRef x = input(in, 0);
  const TensorRef sign = grad_node(in.g, OpType::kSign, "Sign", {x}, spec_of(in.g, x));
  return {build_binary(in.g, OpType::kMul, "mul", in.dys[0], sign)};
}

std::vector<TensorRef> leaky_relu(const GradInputs& in) {  // LeakyReluGrad(dy, x), alpha
  const double alpha = attr<double>(in.g.node(in.node), attr_name::kAlpha);
  return {
      grad_op(in, OpType::kLeakyReluGrad, in.dys[0], input(in, 0), {{attr_name::kAlpha, alpha}})};
}

std::vector<TensorRef> elu(const GradInputs& in) {  // EluGrad(dy, y)
  return {grad_op(in, OpType::kEluGrad, in.dys[0], output(in, 0))};
}

std::vector<TensorRef> softplus(const GradInputs& in) {  // grad * sigmoid(x)
  const TensorRef x = input(in, 0);
  const TensorRef s = grad_node(in.g, OpType::kSigmoid, "Sigmoid", {x}, spec_of(in.g, x));
  return {build_binary(in.g, OpType::kMul, "mul", in.dys[0], s)};
}

std::vector<TensorRef> relu6(const GradInputs& in) {  // Relu6Grad(dy, y)
  return {grad_op(in, OpType::kRelu6Grad, in.dys[0], output(in, 0))};
}

// x_grad = (2 * grad) * (x - y); gx = x_grad summed to x, gy = -(x_grad summed to y).
std::vector<TensorRef> squared_difference(const GradInputs& in) {
  GraphImpl& g = in.g;
  const TensorRef x = input(in, 0), y = input(in, 1), dy = in.dys[0];
  const DType dtype = spec_of(g, dy).dtype;
  const TensorRef two = build_constant(g, HostTensor(2.0).cast(dtype), {}, {}, false, "scalar");
  const TensorRef scaled = build_binary(g, OpType::kMul, "Mul", two, dy);
  const TensorRef diff = build_binary(g, OpType::kSub, "sub", x, y);
  const TensorRef x_grad = build_binary(g, OpType::kMul, "mul_1", scaled, diff);
  const TensorRef gx = sum_to(g, x_grad, x);
  const TensorRef gy_sum = sum_to(g, x_grad, y);
  return {gx, grad_node(g, OpType::kNeg, "Neg", {gy_sum}, spec_of(g, gy_sum))};
}

}  // namespace varscope::detail::grad
