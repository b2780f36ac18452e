// The gradient functions, after TF's math_grad.py, nn_grad.py and array_grad.py. Names
// follow TF's where the ops do ("MatMul_1", "Sum", "mul"); where TF needs Shape,
// BroadcastGradientArgs and Reshape, one SumToShape (or BroadcastToShape) op stands in.
#include "host/graph/gradients/grad_fns.h"

#include <array>
#include <string>

#include "host/graph/builders.h"
#include "host/graph/op_defs.h"
#include "varscope/errors.h"

namespace varscope::detail {

const OutputSpec& spec_of(const GraphImpl& g, TensorRef r) {
  return g.node(r.node).outputs.at(static_cast<std::size_t>(r.index));
}

TensorRef grad_node(
    GraphImpl& g, OpType op, std::string_view name, std::vector<TensorRef> inputs, Attrs attrs) {
  if (attrs.empty()) attrs.emplace_back(attr_name::kT, spec_of(g, inputs.front()).dtype);
  return {add_op(g, op, name, std::move(inputs), std::move(attrs)), 0};
}

namespace {

constexpr TensorRef kNone{};

const Node& node_of(const GradInputs& in) {
  return in.g.node(in.node);
}
TensorRef input(const GradInputs& in, int i) {
  return node_of(in).inputs.at(static_cast<std::size_t>(i));
}
TensorRef output(const GradInputs& in, int i) {
  return {in.node, i};
}

TensorRef binary(GraphImpl& g, OpType op, std::string_view name, TensorRef x, TensorRef y) {
  return build_binary(g, op, name, x, y);
}
TensorRef unary(GraphImpl& g, OpType op, std::string_view name, TensorRef x) {
  return grad_node(g, op, name, {x});
}

// dy summed back to the shape of `like` (NumPy broadcasting undone); dy itself when both
// shapes are known and equal, as TF's fast path.
TensorRef sum_to(GraphImpl& g, std::string_view name, TensorRef dy, TensorRef like) {
  const Shape& ds = spec_of(g, dy).shape;
  const Shape& ls = spec_of(g, like).shape;
  if (ds.is_fully_defined() && ls.is_fully_defined() && ds == ls) return dy;
  return grad_node(g, OpType::kSumToShape, name, {dy, like});
}

TensorRef matmul_node(
    GraphImpl& g, bool batched, std::string_view name, TensorRef a, TensorRef b, bool ta, bool tb) {
  const OutputSpec& sa = spec_of(g, a);
  const OpType op = batched ? OpType::kBatchMatMulV2 : OpType::kMatMul;
  Attrs attrs =
      batched ? Attrs{{attr_name::kAdjX, ta}, {attr_name::kAdjY, tb}, {attr_name::kT, sa.dtype}}
              : Attrs{{attr_name::kTransposeA, ta},
                      {attr_name::kTransposeB, tb},
                      {attr_name::kT, sa.dtype}};
  return grad_node(g, op, name, {a, b}, std::move(attrs));
}

}  // namespace

namespace grad {

// Pass-through gradients: Identity, and AddN's to every input.
std::vector<TensorRef> identity(const GradInputs& in) {
  return std::vector<TensorRef>(node_of(in).inputs.size(), in.dys[0]);
}

std::vector<TensorRef> not_differentiable(const GradInputs&) {
  return {};
}

std::vector<TensorRef> prevent_gradient(const GradInputs& in) {
  throw NotFoundError("Gradient explicitly disabled. Reason: " +
                      attr<std::string>(node_of(in), attr_name::kMessage));
}

std::vector<TensorRef> add(const GradInputs& in) {
  return {sum_to(in.g, "Sum", in.dys[0], input(in, 0)),
          sum_to(in.g, "Sum_1", in.dys[0], input(in, 1))};
}

std::vector<TensorRef> sub(const GradInputs& in) {
  const TensorRef dy = sum_to(in.g, "Sum_1", in.dys[0], input(in, 1));
  return {sum_to(in.g, "Sum", in.dys[0], input(in, 0)), unary(in.g, OpType::kNeg, "Neg", dy)};
}

std::vector<TensorRef> mul(const GradInputs& in) {
  const TensorRef x = input(in, 0), y = input(in, 1), dy = in.dys[0];
  return {sum_to(in.g, "Sum", binary(in.g, OpType::kMul, "Mul", dy, y), x),
          sum_to(in.g, "Sum_1", binary(in.g, OpType::kMul, "Mul_1", x, dy), y)};
}

std::vector<TensorRef> real_div(const GradInputs& in) {
  GraphImpl& g = in.g;
  const TensorRef x = input(in, 0), y = input(in, 1), dy = in.dys[0];
  const TensorRef dx = sum_to(g, "Sum", binary(g, OpType::kRealDiv, "RealDiv", dy, y), x);
  const TensorRef neg_x = unary(g, OpType::kNeg, "Neg", x);
  const TensorRef q = binary(g, OpType::kRealDiv, "RealDiv_1", neg_x, y);
  const TensorRef q2 = binary(g, OpType::kRealDiv, "RealDiv_2", q, y);
  return {dx, sum_to(g, "Sum_1", binary(g, OpType::kMul, "mul", dy, q2), y)};
}

// TF's _DivNoNanGrad: RealDiv's with DivNoNan in place of each division.
std::vector<TensorRef> div_no_nan(const GradInputs& in) {
  GraphImpl& g = in.g;
  const TensorRef x = input(in, 0), y = input(in, 1), dy = in.dys[0];
  const TensorRef dx = sum_to(g, "Sum", binary(g, OpType::kDivNoNan, "DivNoNan", dy, y), x);
  const TensorRef neg_x = unary(g, OpType::kNeg, "Neg", x);
  const TensorRef q = binary(g, OpType::kDivNoNan, "DivNoNan_1", neg_x, y);
  const TensorRef q2 = binary(g, OpType::kDivNoNan, "DivNoNan_2", q, y);
  return {dx, sum_to(g, "Sum_1", binary(g, OpType::kMul, "mul", dy, q2), y)};
}

// TF's _MatMulGrad / _BatchMatMulV2: the four transpose cases; batch dims broadcast in the
// forward product are summed back to each input's shape.
std::vector<TensorRef> matmul(const GradInputs& in) {
  GraphImpl& g = in.g;
  const Node& n = node_of(in);
  const bool batched = n.op == OpType::kBatchMatMulV2;
  const bool ta = attr<bool>(n, batched ? attr_name::kAdjX : attr_name::kTransposeA);
  const bool tb = attr<bool>(n, batched ? attr_name::kAdjY : attr_name::kTransposeB);
  const TensorRef a = input(in, 0), b = input(in, 1), dy = in.dys[0];
  TensorRef da, db;
  if (!ta && !tb) {
    da = matmul_node(g, batched, "MatMul", dy, b, false, true);
    db = matmul_node(g, batched, "MatMul_1", a, dy, true, false);
  } else if (!ta && tb) {
    da = matmul_node(g, batched, "MatMul", dy, b, false, false);
    db = matmul_node(g, batched, "MatMul_1", dy, a, true, false);
  } else if (ta && !tb) {
    da = matmul_node(g, batched, "MatMul", b, dy, false, true);
    db = matmul_node(g, batched, "MatMul_1", a, dy, false, false);
  } else {
    da = matmul_node(g, batched, "MatMul", b, dy, true, true);
    db = matmul_node(g, batched, "MatMul_1", dy, a, true, true);
  }
  if (!batched) return {da, db};
  return {sum_to(g, "Sum", da, a), sum_to(g, "Sum_1", db, b)};
}

std::vector<TensorRef> bias_add(const GradInputs& in) {
  return {in.dys[0],
          grad_node(in.g, OpType::kSumToShape, "BiasAddGrad", {in.dys[0], input(in, 1)})};
}

std::vector<TensorRef> activation(const GradInputs& in) {
  const Node& n = node_of(in);
  const TensorRef y = output(in, 0), dy = in.dys[0];
  switch (n.op) {
    case OpType::kRelu:
      return {grad_node(in.g, OpType::kReluGrad, "ReluGrad", {dy, y})};
    case OpType::kSigmoid:
      return {grad_node(in.g, OpType::kSigmoidGrad, "SigmoidGrad", {y, dy})};
    default:
      return {grad_node(in.g, OpType::kTanhGrad, "TanhGrad", {y, dy})};
  }
}

// (dy - sum(dy * softmax, -1, keepdims)) * softmax
std::vector<TensorRef> softmax(const GradInputs& in) {
  GraphImpl& g = in.g;
  const TensorRef y = output(in, 0), dy = in.dys[0];
  const OutputSpec s = spec_of(g, y);
  const TensorRef prod = binary(g, OpType::kMul, "mul", dy, y);
  const TensorRef axes = build_constant(g, HostTensor(std::vector<std::int32_t>{-1}), {}, {}, false,
                                        "Sum/reduction_indices");
  const TensorRef sum = grad_node(g, OpType::kSum, "Sum", {prod, axes},
                                  {{attr_name::kT, s.dtype}, {attr_name::kKeepDims, true}});
  const TensorRef diff = binary(g, OpType::kSub, "sub", dy, sum);
  return {binary(g, OpType::kMul, "mul_1", diff, y)};
}

std::vector<TensorRef> reduction(const GradInputs& in) {
  const Node& n = node_of(in);
  const bool mean = n.op == OpType::kMean;
  const TensorRef x = input(in, 0);
  return {grad_node(in.g, OpType::kBroadcastToShape, mean ? "truediv" : "Tile",
                    {in.dys[0], x, input(in, 1)},
                    {{attr_name::kT, spec_of(in.g, x).dtype}, {attr_name::kMean, mean}}),
          kNone};
}

std::vector<TensorRef> cast(const GradInputs& in) {
  const Node& n = node_of(in);
  const DType src = attr<DType>(n, attr_name::kSrcT);
  const DType dst = attr<DType>(n, attr_name::kDstT);
  auto floating = [](DType d) { return d == DType::kFloat32 || d == DType::kFloat64; };
  if (!floating(src) || !floating(dst)) return {kNone};
  const TensorRef dy = in.dys[0];
  return {grad_node(in.g, OpType::kCast, "Cast", {dy},
                    {{attr_name::kSrcT, dst}, {attr_name::kDstT, src}})};
}

std::vector<TensorRef> square(const GradInputs& in) {
  GraphImpl& g = in.g;
  const TensorRef x = input(in, 0);
  const DType dtype = spec_of(g, x).dtype;
  const TensorRef two = build_constant(g, HostTensor(2.0).cast(dtype), {}, {}, false, "Const");
  return {binary(g, OpType::kMul, "Mul_1", in.dys[0], binary(g, OpType::kMul, "Mul", x, two))};
}

std::vector<TensorRef> exp(const GradInputs& in) {
  return {binary(in.g, OpType::kMul, "mul", in.dys[0], output(in, 0))};
}

std::vector<TensorRef> log(const GradInputs& in) {
  return {binary(in.g, OpType::kRealDiv, "truediv", in.dys[0], input(in, 0))};
}

std::vector<TensorRef> neg(const GradInputs& in) {
  return {unary(in.g, OpType::kNeg, "Neg", in.dys[0])};
}

// dloss[:, None] * backprop; labels get none (TF1's wrapper stops their gradient).
std::vector<TensorRef> softmax_xent(const GradInputs& in) {
  GraphImpl& g = in.g;
  const TensorRef backprop = output(in, 1);
  const OutputSpec s = spec_of(g, backprop);
  const TensorRef axes =
      build_constant(g, HostTensor(std::vector<std::int32_t>{1}), {}, {}, false, "ExpandDims/dim");
  const TensorRef expanded =
      grad_node(g, OpType::kBroadcastToShape, "ExpandDims", {in.dys[0], backprop, axes},
                {{attr_name::kT, s.dtype}, {attr_name::kMean, false}});
  return {binary(g, OpType::kMul, "mul", expanded, backprop), kNone};
}

// ---- gradients of gradient ops (second order: gradient penalties, Hessian-vector products)

TensorRef scalar_const(GraphImpl& g, double v, DType dtype, std::string_view name) {
  return build_constant(g, HostTensor(v).cast(dtype), {}, {}, false, name);
}

// _ReluGradGrad: ReluGrad(grad, y) for dy, zeros_like(y) for y.
std::vector<TensorRef> relu_grad(const GradInputs& in) {
  const TensorRef y = input(in, 1);
  return {grad_node(in.g, OpType::kReluGrad, "ReluGrad", {in.dys[0], y}),
          grad_node(in.g, OpType::kZerosLike, "zeros_like", {y})};
}

// _SigmoidGradGrad: gb = grad * dy; (gb - 2 * gb * y, SigmoidGrad(y, grad)).
std::vector<TensorRef> sigmoid_grad(const GradInputs& in) {
  GraphImpl& g = in.g;
  const TensorRef y = input(in, 0), dy = input(in, 1), grad = in.dys[0];
  const OutputSpec s = spec_of(g, y);
  const TensorRef gb = binary(g, OpType::kMul, "mul", grad, dy);
  const TensorRef two = scalar_const(g, 2.0, s.dtype, "mul_1/x");
  const TensorRef twice =
      binary(g, OpType::kMul, "mul_2", binary(g, OpType::kMul, "mul_1", two, gb), y);
  return {binary(g, OpType::kSub, "sub", gb, twice),
          grad_node(g, OpType::kSigmoidGrad, "SigmoidGrad", {y, grad})};
}

// _TanhGradGrad: (grad * -2 * dy * y, TanhGrad(y, grad)).
std::vector<TensorRef> tanh_grad(const GradInputs& in) {
  GraphImpl& g = in.g;
  const TensorRef y = input(in, 0), dy = input(in, 1), grad = in.dys[0];
  const OutputSpec s = spec_of(g, y);
  const TensorRef minus_two = scalar_const(g, -2.0, s.dtype, "mul/y");
  const TensorRef a = binary(g, OpType::kMul, "mul", grad, minus_two);
  const TensorRef b = binary(g, OpType::kMul, "mul_1", a, dy);
  return {binary(g, OpType::kMul, "mul_2", b, y),
          grad_node(g, OpType::kTanhGrad, "TanhGrad", {y, grad})};
}

// SumToShape(dy, like) undid a NumPy broadcast (TF: Sum + Reshape, or BiasAddGrad): its
// gradient broadcasts back, grad * ones_like(dy) (TF: Reshape + Tile). `like` gets none.
std::vector<TensorRef> sum_to_shape(const GradInputs& in) {
  GraphImpl& g = in.g;
  const TensorRef dy = input(in, 0);
  const TensorRef ones = grad_node(g, OpType::kOnesLike, "ones_like", {dy});
  return {binary(g, OpType::kMul, "Tile", in.dys[0], ones), kNone};
}

// BroadcastToShape(dy, x, axes) spread a reduction's gradient (TF: Reshape + Tile, or
// truediv for Mean): its gradient reduces back over the same axes, Sum (or Mean, which
// divides by the same count), keeping dims where dy kept them.
std::vector<TensorRef> broadcast_to_shape(const GradInputs& in) {
  GraphImpl& g = in.g;
  const Node& n = node_of(in);
  const bool mean = attr<bool>(n, attr_name::kMean);
  const TensorRef dy = input(in, 0), x = input(in, 1);
  const OutputSpec s = spec_of(g, dy);
  const Shape& xs = spec_of(g, x).shape;
  const bool keep = s.shape.has_rank() && xs.has_rank() && s.shape.rank() == xs.rank();
  return {grad_node(g, mean ? OpType::kMean : OpType::kSum, mean ? "Mean" : "Sum",
                    {in.dys[0], input(in, 2)},
                    {{attr_name::kT, s.dtype}, {attr_name::kKeepDims, keep}}),
          kNone, kNone};
}

}  // namespace grad

}  // namespace varscope::detail
