// The gradients of issue 24's elementwise math and activations, after TF 1.15's
// math_grad.py and nn_grad.py, with TF's node names ("SqrtGrad", "Sign" and "mul", ...).
// Where TF needs Shape, BroadcastGradientArgs, Sum and Reshape, one SumToShape named "Sum"
// stands in (as in grad_fns.cpp).
#include <string>
#include <string_view>

#include "host/graph/builders.h"
#include "host/graph/gradients/grad_fns.h"
#include "host/graph/op_defs.h"
#include "host/graph/scope_guards.h"

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
  return grad_node(in.g, op, op_def(op).name, {a, b}, std::move(attrs));
}
// dy summed back to the shape of `like`; dy itself when the shapes are known and equal.
TensorRef sum_to(GraphImpl& g, TensorRef dy, TensorRef like, std::string_view name = "Sum") {
  const Shape& ds = spec_of(g, dy).shape;
  const Shape& ls = spec_of(g, like).shape;
  if (ds.is_fully_defined() && ls.is_fully_defined() && ds == ls) return dy;
  return grad_node(g, OpType::kSumToShape, name, {dy, like});
}

// An op through its row (shape function, TF's checks) named `name` in the current scope.
TensorRef row_op(GraphImpl& g, OpType op, std::string_view name, std::vector<TensorRef> inputs) {
  const DType dtype = spec_of(g, inputs.back()).dtype;
  return {add_op(g, op, name, std::move(inputs), {{attr_name::kT, dtype}}), 0};
}

// `x op value` as TF's operators make it: scope `name`, the value a Const "<name>/y".
TensorRef with_scalar(GraphImpl& g, OpType op, std::string_view name, TensorRef x, double value) {
  const std::string stack = g.resolve_name_scope(name);
  StackGuard in_scope(g, stack);
  const DType dtype = spec_of(g, x).dtype;
  const TensorRef y = build_constant(g, HostTensor(value).cast(dtype), {}, {}, false, "y");
  return row_op(g, op, scope_string(stack), {x, y});
}

TensorRef select_node(
    GraphImpl& g, OpType op, std::string_view name, TensorRef c, TensorRef t, TensorRef e) {
  return row_op(g, op, name, {c, t, e});
}

// TF 1.15's _MaximumMinimumGrad: the gradient goes to x where selector(x, y) holds, else
// to y; zeros of the gradient's shape ("zeros") fill the rest.
std::vector<TensorRef> maximum_minimum(const GradInputs& in, OpType selector) {
  GraphImpl& g = in.g;
  const TensorRef x = input(in, 0), y = input(in, 1), dy = in.dys[0];
  const TensorRef zeros = grad_node(g, OpType::kZerosLike, "zeros", {dy});
  const TensorRef mask = row_op(g, selector, op_def(selector).name, {x, y});
  const TensorRef gx = select_node(g, OpType::kSelect, "Select", mask, dy, zeros);
  const TensorRef rx = sum_to(g, gx, x);
  const TensorRef gy = select_node(g, OpType::kSelect, "Select", mask, zeros, dy);
  return {rx, sum_to(g, gy, y, "Sum_1")};  // TF makes both sums: the second is "Sum_1"
}

}  // namespace

std::vector<TensorRef> maximum(const GradInputs& in) {
  return maximum_minimum(in, OpType::kGreaterEqual);
}

std::vector<TensorRef> minimum(const GradInputs& in) {
  return maximum_minimum(in, OpType::kLessEqual);
}

// TF 1.15's _PowGrad: gx = grad * y * x^(y - 1); gy = grad * z * log(x) where x > 0, else 0.
std::vector<TensorRef> pow(const GradInputs& in) {
  GraphImpl& g = in.g;
  const TensorRef x = input(in, 0), y = input(in, 1), z = output(in, 0), dy = in.dys[0];
  const TensorRef grad_y = build_binary(g, OpType::kMul, "mul", dy, y);
  const TensorRef y_1 = with_scalar(g, OpType::kSub, "sub", y, 1.0);
  const TensorRef x_pow = row_op(g, OpType::kPow, "Pow", {x, y_1});
  const TensorRef gx = sum_to(g, build_binary(g, OpType::kMul, "mul_1", grad_y, x_pow), x);
  const TensorRef mask = with_scalar(g, OpType::kGreater, "Greater", x, 0.0);
  const OutputSpec sx = spec_of(g, x);
  const TensorRef ones = grad_node(g, OpType::kOnesLike, "ones_like", {x});
  const TensorRef safe_x = select_node(g, OpType::kSelect, "Select", mask, x, ones);
  const TensorRef log = grad_node(g, OpType::kLog, "Log", {safe_x});
  const TensorRef zeros = grad_node(g, OpType::kZerosLike, "zeros_like", {x});
  const TensorRef log_x = select_node(g, OpType::kSelect, "Select", mask, log, zeros);
  const TensorRef grad_z = build_binary(g, OpType::kMul, "mul_2", dy, z);
  const TensorRef gy = build_binary(g, OpType::kMul, "mul_3", grad_z, log_x);
  return {gx, sum_to(g, gy, y)};
}

// TF 1.15's _SelectGrad: (None, where(c, grad, zeros_like(t)), where(c, zeros_like(t), grad)).
std::vector<TensorRef> select(const GradInputs& in) {
  GraphImpl& g = in.g;
  const TensorRef c = input(in, 0), t = input(in, 1), dy = in.dys[0];
  const TensorRef zeros = grad_node(g, OpType::kZerosLike, "zeros_like", {t});
  return {TensorRef{}, select_node(g, OpType::kSelect, "Select", c, dy, zeros),
          select_node(g, OpType::kSelect, "Select", c, zeros, dy)};
}

// TF 1.15's _SelectGradV2: a scalar zero ("zeros"); each branch's part summed back to its
// shape.
std::vector<TensorRef> select_v2(const GradInputs& in) {
  GraphImpl& g = in.g;
  const TensorRef c = input(in, 0), t = input(in, 1), e = input(in, 2), dy = in.dys[0];
  const DType dtype = spec_of(g, dy).dtype;
  const TensorRef zeros = build_constant(g, HostTensor(0.0).cast(dtype), {}, {}, false, "zeros");
  const TensorRef gt = sum_to(g, select_node(g, OpType::kSelectV2, "SelectV2", c, dy, zeros), t);
  const TensorRef ge =
      sum_to(g, select_node(g, OpType::kSelectV2, "SelectV2", c, zeros, dy), e, "Sum_1");
  return {TensorRef{}, gt, ge};
}

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
  const TensorRef sign = grad_node(in.g, OpType::kSign, "Sign", {x});
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
  const TensorRef s = grad_node(in.g, OpType::kSigmoid, "Sigmoid", {x});
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
  return {gx, grad_node(g, OpType::kNeg, "Neg", {gy_sum})};
}

}  // namespace varscope::detail::grad
