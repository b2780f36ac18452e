// Elementwise math, matrix products, reductions and casts; varscope's own gradient helpers.
#include <optional>
#include <string>

#include "host/core/shape_rules.h"
#include "host/graph/op_rows/op_rows.h"

namespace varscope::detail::op_rows {
namespace {

// TF's MatMulShape and BatchMatMulV2Shape; the run accepts any rank >= 2 (a MatMul of
// unknown rank may be fed a batch) and words failures as the kernels do.
std::vector<OutputSpec> matmul_shape_fn(const ShapeContext& c) {
  const bool batched = c.find_attr(a::kAdjX) != nullptr;
  const bool ta = c.attr<bool>(batched ? a::kAdjX : a::kTransposeA);
  const bool tb = c.attr<bool>(batched ? a::kAdjY : a::kTransposeB);
  const Shape& x = c.shape(0);
  const Shape& y = c.shape(1);
  const MatMulShape rule = matmul_shape(x, y, ta, tb, batched || c.at_run_time());
  auto shapes = [&] { return x.to_list_string() + " vs. " + y.to_list_string(); };
  switch (rule.failure) {
    case MatMulShape::Failure::kRank:
      c.fail(std::string(batched ? "Shape must be at least rank 2" : "Shape must be rank 2") +
                 " but is rank " + std::to_string(rule.bad_rank),
             "In[0] and In[1] must be at least rank 2: " + shapes());
    case MatMulShape::Failure::kInnerDims:
      c.fail("Dimensions must be equal, but are " + std::to_string(rule.k_a) + " and " +
                 std::to_string(rule.k_b),
             "Matrix size-incompatible: In[0]: " + x.to_list_string() +
                 ", In[1]: " + y.to_list_string());
    case MatMulShape::Failure::kBatchDims:
      // The broadcast's wording; TF names the operands' full shapes, not their batch parts.
      c.fail("Dimensions must be equal, but are " + std::to_string(rule.mismatch.first) + " and " +
                 std::to_string(rule.mismatch.second),
             "In[0] and In[1] must have compatible batch dimensions: " + shapes());
    case MatMulShape::Failure::kNone:
      break;
  }
  return {{c.dtype(0), rule.out}};
}

// TF's ReductionShape: axes from a Const (graph building) or read on the host (the run).
// Graph building accepts a repeated axis; the run refuses it, as TF does.
std::vector<OutputSpec> reduction_shape(const ShapeContext& c) {
  const Shape& x = c.shape(0);
  const bool keep_dims = c.attr<bool>(a::kKeepDims);
  const std::optional<std::vector<std::int64_t>> axes = c.int_values(1);
  if (!x.has_rank()) return {{c.dtype(0), Shape::unknown_rank()}};
  const int rank = x.rank();
  if (!axes) {
    return {{c.dtype(0), keep_dims ? Shape(std::vector<std::int64_t>(static_cast<std::size_t>(rank),
                                                                     kUnknownDim))
                                   : Shape::unknown_rank()}};
  }
  const ReductionAxes rule = reduction_axes(rank, *axes, !c.at_run_time());
  const std::string bad = std::to_string(rule.bad_axis);  // short: no allocation
  if (rule.failure == ReductionAxes::Failure::kOutOfRange) {
    c.fail("Invalid reduction dimension " + bad + " for input with " + std::to_string(rank) +
               " dimensions.",
           "Invalid reduction dimension (" + bad + " for input with " + std::to_string(rank) +
               " dimension(s)");
  }
  if (rule.failure == ReductionAxes::Failure::kDuplicate) {
    c.fail("Invalid reduction arguments: Axes contains duplicate dimension: " + bad);
  }
  return {{c.dtype(0), reduced_shape(x, rule.reduced, keep_dims)}};
}

std::vector<OutputSpec> cast_shape(const ShapeContext& c) {
  return {{c.attr<DType>(a::kDstT), c.shape(0)}};
}

// The kernel's text: the first input of another shape than the last.
std::string add_n_run_text(const ShapeContext& c) {
  const int last = c.num_inputs() - 1;
  int i = 0;
  while (i < last && c.shape(i) == c.shape(last))
    ++i;
  return "AddN: inputs must be of one shape: " + c.shape(i).to_list_string() + " vs. " +
         c.shape(last).to_list_string();
}

// TF's AddN: every input merged into one shape, from the last to the first.
std::vector<OutputSpec> add_n_shape(const ShapeContext& c) {
  const int last = c.num_inputs() - 1;
  Shape out = c.shape(last);
  for (int i = last - 1; i >= 0; --i) {
    out = merge(c, c.shape(i), out, add_n_run_text, i);
  }
  return {{c.dtype(0), std::move(out)}};
}

// TF's BroadcastBinaryOpShapeFn: NumPy broadcasting, in the inputs' dtype (`out_bool`:
// bool, the comparisons).
std::vector<OutputSpec> broadcast_to(const ShapeContext& c, DType out) {
  const Shape& x = c.shape(0);
  const Shape& y = c.shape(1);
  std::optional<Shape> shape = broadcast(x, y);
  if (!shape) {
    const auto [a, b] = first_broadcast_mismatch(x, y);
    c.fail("Dimensions must be equal, but are " + std::to_string(a) + " and " + std::to_string(b),
           "Incompatible shapes: " + x.to_list_string() + " vs. " + y.to_list_string());
  }
  return {{out, std::move(*shape)}};
}
std::vector<OutputSpec> broadcasting(const ShapeContext& c) {
  return broadcast_to(c, c.dtype(0));
}
std::vector<OutputSpec> comparison(const ShapeContext& c) {
  return broadcast_to(c, DType::kBool);
}

// Select's run-time wording for shapes that do not merge (TF's SelectOp kernel).
std::string select_run_text(const ShapeContext& c) {
  return "'then' and 'else' must have the same size.  but received: " +
         c.shape(1).to_list_string() + " vs. " + c.shape(2).to_list_string();
}

// TF 1.15's Select: `t` and `e` of one shape; `condition` a scalar, of that shape, or a
// vector over its first dimension.
std::vector<OutputSpec> select_shape(const ShapeContext& c) {
  const Shape& cond = c.shape(0);
  Shape data = merge(c, c.shape(1), c.shape(2), select_run_text);
  if (!cond.has_rank() || cond.rank() == 0) return {{c.dtype(1), data}};
  if (cond.rank() != 1 || (data.has_rank() && data.rank() == 0)) {
    data = merge(c, data, cond, select_run_text);
  } else if (data.has_rank()) {
    merge(c, cond, Shape{data.dim(0)}, select_run_text);
  }
  return {{c.dtype(1), std::move(data)}};
}

// SelectV2: the three inputs broadcast.
std::vector<OutputSpec> select_v2_shape(const ShapeContext& c) {
  std::optional<Shape> shape = broadcast(c.shape(0), c.shape(1));
  Shape first = shape ? *shape : Shape::unknown_rank();
  const auto check = [&](const Shape& x, const Shape& y) {
    std::optional<Shape> out = broadcast(x, y);
    if (!out) {
      const auto [a, b] = first_broadcast_mismatch(x, y);
      c.fail("Dimensions must be equal, but are " + std::to_string(a) + " and " + std::to_string(b),
             "condition, then and else must be broadcastable: " + c.shape(0).to_list_string() +
                 " vs. " + c.shape(1).to_list_string() + " vs. " + c.shape(2).to_list_string());
    }
    return std::move(*out);
  };
  first = check(c.shape(0), c.shape(1));
  return {{c.dtype(1), check(first, c.shape(2))}};
}

// clang-format off
constexpr OpDef kRows[] = {
    {.op = OpType::kMatMul, .name = "MatMul", .inputs = "a, b", .outputs = "product",
     .attrs = {{{a::kTransposeA, T::kBool}, {a::kTransposeB, T::kBool}, kTypeT}}, .num_attrs = 3,
     .types = kMatMulTypes, .shape = matmul_shape_fn,
     .kernel = kernel_of(K::kMatMul, kComputesFloat), .grad = grad::matmul,
     .capture = Capture::kYes},
    {.op = OpType::kBatchMatMulV2, .name = "BatchMatMulV2", .inputs = "x, y", .outputs = "output",
     .attrs = {{{a::kAdjX, T::kBool}, {a::kAdjY, T::kBool}, kTypeT}}, .num_attrs = 3,
     .types = kMatMulTypes, .shape = matmul_shape_fn,
     .kernel = kernel_of(K::kMatMul, kComputesFloat), .grad = grad::matmul,
     .capture = Capture::kYes},
    {.op = OpType::kAdd, .name = "Add", .inputs = "x, y", .outputs = "z", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kAddTypes, .shape = shape_fn::broadcast_binary,
     .kernel = binary_kernel(BinaryOp::kAdd), .grad = grad::add, .capture = Capture::kYes},
    {.op = OpType::kAddV2, .name = "AddV2", .inputs = "x, y", .outputs = "z", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kAddV2Types, .shape = shape_fn::broadcast_binary,
     .kernel = binary_kernel(BinaryOp::kAdd), .grad = grad::add, .capture = Capture::kYes},
    {.op = OpType::kSub, .name = "Sub", .inputs = "x, y", .outputs = "z", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kBinaryMoreTypes, .shape = shape_fn::broadcast_binary,
     .kernel = binary_kernel(BinaryOp::kSub), .grad = grad::sub, .capture = Capture::kYes},
    {.op = OpType::kMul, .name = "Mul", .inputs = "x, y", .outputs = "z", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kBinaryMoreTypes, .shape = shape_fn::broadcast_binary,
     .kernel = binary_kernel(BinaryOp::kMul), .grad = grad::mul, .capture = Capture::kYes},
    {.op = OpType::kRealDiv, .name = "RealDiv", .inputs = "x, y", .outputs = "z",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kBinaryMoreTypes,
     .shape = shape_fn::broadcast_binary, .kernel = binary_kernel(BinaryOp::kDiv),
     .grad = grad::real_div, .capture = Capture::kYes},
    {.op = OpType::kDivNoNan, .name = "DivNoNan", .inputs = "x, y", .outputs = "z",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kDivNoNanTypes,
     .shape = shape_fn::broadcast_binary, .kernel = binary_kernel(BinaryOp::kDivNoNan),
     .grad = grad::div_no_nan, .capture = Capture::kYes},
    {.op = OpType::kSigmoid, .name = "Sigmoid", .inputs = "x", .outputs = "y", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kUnaryComplexTypes, .shape = shape_fn::same_as_input,
     .kernel = unary_kernel(UnaryOp::kSigmoid), .grad = grad::activation, .capture = Capture::kYes},
    {.op = OpType::kTanh, .name = "Tanh", .inputs = "x", .outputs = "y", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kUnaryComplexTypes, .shape = shape_fn::same_as_input,
     .kernel = unary_kernel(UnaryOp::kTanh), .grad = grad::activation, .capture = Capture::kYes},
    {.op = OpType::kSum, .name = "Sum", .inputs = "input, reduction_indices", .outputs = "output",
     .attrs = {{kTypeT, {a::kKeepDims, T::kBool}}}, .num_attrs = 2, .types = kNumberTypes,
     .shape = reduction_shape, .kernel = reduce_kernel(ReduceOp::kSum), .grad = grad::reduction,
     .capture = Capture::kIfHostConstants},
    {.op = OpType::kMean, .name = "Mean", .inputs = "input, reduction_indices", .outputs = "output",
     .attrs = {{kTypeT, {a::kKeepDims, T::kBool}}}, .num_attrs = 2, .types = kNumberTypes,
     .shape = reduction_shape, .kernel = reduce_kernel(ReduceOp::kMean), .grad = grad::reduction,
     .capture = Capture::kIfHostConstants},
    {.op = OpType::kMax, .name = "Max", .inputs = "input, reduction_indices", .outputs = "output",
     .attrs = {{kTypeT, {a::kKeepDims, T::kBool}}}, .num_attrs = 2, .types = kNumberTypes,
     .shape = reduction_shape, .kernel = reduce_kernel(ReduceOp::kMax), .grad = grad::min_or_max,
     .capture = Capture::kIfHostConstants},
    {.op = OpType::kMin, .name = "Min", .inputs = "input, reduction_indices", .outputs = "output",
     .attrs = {{kTypeT, {a::kKeepDims, T::kBool}}}, .num_attrs = 2, .types = kNumberTypes,
     .shape = reduction_shape, .kernel = reduce_kernel(ReduceOp::kMin), .grad = grad::min_or_max,
     .capture = Capture::kIfHostConstants},
    {.op = OpType::kProd, .name = "Prod", .inputs = "input, reduction_indices", .outputs = "output",
     .attrs = {{kTypeT, {a::kKeepDims, T::kBool}}}, .num_attrs = 2, .types = kNumberTypes,
     .shape = reduction_shape, .kernel = reduce_kernel(ReduceOp::kProd), .grad = grad::prod,
     .capture = Capture::kIfHostConstants},
    {.op = OpType::kCast, .name = "Cast", .inputs = "x", .outputs = "y",
     .attrs = {{{a::kSrcT, T::kDType}, {a::kDstT, T::kDType}}}, .num_attrs = 2, .shape = cast_shape,
     .kernel = kernel_of(K::kCast, kComputesNumeric), .grad = grad::cast, .capture = Capture::kYes},
    {.op = OpType::kSquare, .name = "Square", .inputs = "x", .outputs = "y", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kUnaryTypes, .shape = shape_fn::same_as_input,
     .kernel = unary_kernel(UnaryOp::kSquare), .grad = grad::square, .capture = Capture::kYes},
    {.op = OpType::kExp, .name = "Exp", .inputs = "x", .outputs = "y", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kUnaryComplexTypes, .shape = shape_fn::same_as_input,
     .kernel = unary_kernel(UnaryOp::kExp), .grad = grad::exp, .capture = Capture::kYes},
    {.op = OpType::kLog, .name = "Log", .inputs = "x", .outputs = "y", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kUnaryComplexTypes, .shape = shape_fn::same_as_input,
     .kernel = unary_kernel(UnaryOp::kLog), .grad = grad::log, .capture = Capture::kYes},
    {.op = OpType::kLog1p, .name = "Log1p", .inputs = "x", .outputs = "y", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kUnaryComplexTypes, .shape = shape_fn::same_as_input,
     .kernel = unary_kernel(UnaryOp::kLog1p), .grad = grad::log1p, .capture = Capture::kYes},
    {.op = OpType::kNeg, .name = "Neg", .inputs = "x", .outputs = "y", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kUnaryTypes, .shape = shape_fn::same_as_input,
     .kernel = unary_kernel(UnaryOp::kNeg), .grad = grad::neg, .capture = Capture::kYes},
    {.op = OpType::kSigmoidGrad, .name = "SigmoidGrad", .inputs = "y, dy", .outputs = "z",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kUnaryComplexTypes,
     .shape = shape_fn::merge_both_inputs,
     .kernel = activation_grad_kernel(ActivationGrad::kSigmoid), .grad = grad::sigmoid_grad},
    {.op = OpType::kTanhGrad, .name = "TanhGrad", .inputs = "y, dy", .outputs = "z",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kUnaryComplexTypes,
     .shape = shape_fn::merge_both_inputs, .kernel = activation_grad_kernel(ActivationGrad::kTanh),
     .grad = grad::tanh_grad},
    {.op = OpType::kAddN, .name = "AddN", .inputs = "inputs", .outputs = "sum",
     .attrs = {{{a::kN, T::kInt}, kTypeT}}, .num_attrs = 2, .types = kAddNTypes,
     .shape = add_n_shape, .kernel = kernel_of(K::kAddN, kComputesNumeric), .grad = grad::identity},
    // varscope's own: TF's Shape + BroadcastGradientArgs + Sum + Reshape in one op.
    {.op = OpType::kSumToShape, .name = "SumToShape", .inputs = "x, like", .outputs = "y",
     .attrs = {{kTypeT}}, .num_attrs = 1, .shape = shape_fn::shape_of_input1,
     .kernel = kernel_of(K::kSumToShape, kComputesNumeric), .grad = grad::sum_to_shape},
    // varscope's own: TF's Reshape + Tile (and RealDiv for Mean) in one op.
    {.op = OpType::kBroadcastToShape, .name = "BroadcastToShape",
     .inputs = "x, like, reduction_indices", .outputs = "y",
     .attrs = {{kTypeT, {a::kMean, T::kBool}}}, .num_attrs = 2, .shape = shape_fn::shape_of_input1,
     .kernel = kernel_of(K::kBroadcastToShape, kComputesNumeric), .grad = grad::broadcast_to_shape},
    // Issue 24: elementwise math (kernels/unary.h and elementwise.h functors).
    {.op = OpType::kSqrt, .name = "Sqrt", .inputs = "x", .outputs = "y", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kUnaryComplexTypes, .shape = shape_fn::same_as_input,
     .kernel = unary_kernel(UnaryOp::kSqrt), .grad = grad::sqrt, .capture = Capture::kYes},
    {.op = OpType::kRsqrt, .name = "Rsqrt", .inputs = "x", .outputs = "y", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kUnaryComplexTypes, .shape = shape_fn::same_as_input,
     .kernel = unary_kernel(UnaryOp::kRsqrt), .grad = grad::rsqrt, .capture = Capture::kYes},
    {.op = OpType::kAbs, .name = "Abs", .inputs = "x", .outputs = "y", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kAbsTypes, .shape = shape_fn::same_as_input,
     .kernel = unary_kernel(UnaryOp::kAbs, kComputesNumeric), .grad = grad::abs,
     .capture = Capture::kYes},
    {.op = OpType::kSign, .name = "Sign", .inputs = "x", .outputs = "y", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kUnaryTypes, .shape = shape_fn::same_as_input,
     .kernel = unary_kernel(UnaryOp::kSign, kComputesNumeric), .grad = grad::not_differentiable,
     .capture = Capture::kYes},
    {.op = OpType::kReciprocal, .name = "Reciprocal", .inputs = "x", .outputs = "y",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kUnaryTypes, .shape = shape_fn::same_as_input,
     .kernel = unary_kernel(UnaryOp::kReciprocal), .grad = grad::reciprocal,
     .capture = Capture::kYes},
    {.op = OpType::kFloor, .name = "Floor", .inputs = "x", .outputs = "y", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kFloorTypes, .shape = shape_fn::same_as_input,
     .kernel = unary_kernel(UnaryOp::kFloor), .grad = grad::not_differentiable,
     .capture = Capture::kYes},
    {.op = OpType::kCeil, .name = "Ceil", .inputs = "x", .outputs = "y", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kFloorTypes, .shape = shape_fn::same_as_input,
     .kernel = unary_kernel(UnaryOp::kCeil), .grad = grad::not_differentiable,
     .capture = Capture::kYes},
    {.op = OpType::kRound, .name = "Round", .inputs = "x", .outputs = "y", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kUnaryTypes, .shape = shape_fn::same_as_input,
     .kernel = unary_kernel(UnaryOp::kRound, kComputesNumeric), .grad = grad::not_differentiable,
     .capture = Capture::kYes},
    {.op = OpType::kSqrtGrad, .name = "SqrtGrad", .inputs = "y, dy", .outputs = "z",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kUnaryComplexTypes,
     .shape = shape_fn::merge_both_inputs,
     .kernel = binary_kernel(BinaryOp::kSqrtGrad, kComputesFloat), .capture = Capture::kYes},
    {.op = OpType::kRsqrtGrad, .name = "RsqrtGrad", .inputs = "y, dy", .outputs = "z",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kUnaryComplexTypes,
     .shape = shape_fn::merge_both_inputs,
     .kernel = binary_kernel(BinaryOp::kRsqrtGrad, kComputesFloat), .capture = Capture::kYes},
    {.op = OpType::kReciprocalGrad, .name = "ReciprocalGrad", .inputs = "y, dy", .outputs = "z",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kUnaryComplexTypes,
     .shape = shape_fn::merge_both_inputs,
     .kernel = binary_kernel(BinaryOp::kReciprocalGrad, kComputesFloat), .capture = Capture::kYes},
    {.op = OpType::kMaximum, .name = "Maximum", .inputs = "x, y", .outputs = "z",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kMaximumTypes, .shape = broadcasting,
     .kernel = binary_kernel(BinaryOp::kMaximum), .grad = grad::maximum, .capture = Capture::kYes},
    {.op = OpType::kMinimum, .name = "Minimum", .inputs = "x, y", .outputs = "z",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kMaximumTypes, .shape = broadcasting,
     .kernel = binary_kernel(BinaryOp::kMinimum), .grad = grad::minimum, .capture = Capture::kYes},
    {.op = OpType::kPow, .name = "Pow", .inputs = "x, y", .outputs = "z", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kPowTypes, .shape = broadcasting,
     .kernel = binary_kernel(BinaryOp::kPow, kComputesFloat), .grad = grad::pow,
     .capture = Capture::kYes},
    {.op = OpType::kSquaredDifference, .name = "SquaredDifference", .inputs = "x, y",
     .outputs = "z", .attrs = {{kTypeT}}, .num_attrs = 1, .types = kUnaryTypes,
     .shape = broadcasting, .kernel = binary_kernel(BinaryOp::kSquaredDifference),
     .grad = grad::squared_difference, .capture = Capture::kYes},
    {.op = OpType::kEqual, .name = "Equal", .inputs = "x, y", .outputs = "z", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kEqualTypes, .shape = comparison,
     .kernel = binary_kernel(BinaryOp::kEqual, kComputesNumericBool),
     .grad = grad::not_differentiable, .capture = Capture::kYes},
    {.op = OpType::kNotEqual, .name = "NotEqual", .inputs = "x, y", .outputs = "z",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kEqualTypes, .shape = comparison,
     .kernel = binary_kernel(BinaryOp::kNotEqual, kComputesNumericBool),
     .grad = grad::not_differentiable, .capture = Capture::kYes},
    {.op = OpType::kGreater, .name = "Greater", .inputs = "x, y", .outputs = "z",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kReluGradTypes, .shape = comparison,
     .kernel = binary_kernel(BinaryOp::kGreater, kComputesNumericBool),
     .grad = grad::not_differentiable, .capture = Capture::kYes},
    {.op = OpType::kGreaterEqual, .name = "GreaterEqual", .inputs = "x, y", .outputs = "z",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kReluGradTypes, .shape = comparison,
     .kernel = binary_kernel(BinaryOp::kGreaterEqual, kComputesNumericBool),
     .grad = grad::not_differentiable, .capture = Capture::kYes},
    {.op = OpType::kLess, .name = "Less", .inputs = "x, y", .outputs = "z", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kReluGradTypes, .shape = comparison,
     .kernel = binary_kernel(BinaryOp::kLess, kComputesNumericBool),
     .grad = grad::not_differentiable, .capture = Capture::kYes},
    {.op = OpType::kLessEqual, .name = "LessEqual", .inputs = "x, y", .outputs = "z",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kReluGradTypes, .shape = comparison,
     .kernel = binary_kernel(BinaryOp::kLessEqual, kComputesNumericBool),
     .grad = grad::not_differentiable, .capture = Capture::kYes},
    {.op = OpType::kLogicalAnd, .name = "LogicalAnd", .inputs = "x, y", .outputs = "z",
     .shape = comparison, .kernel = binary_kernel(BinaryOp::kLogicalAnd, kComputesBool),
     .grad = grad::not_differentiable, .capture = Capture::kYes},
    {.op = OpType::kLogicalOr, .name = "LogicalOr", .inputs = "x, y", .outputs = "z",
     .shape = comparison, .kernel = binary_kernel(BinaryOp::kLogicalOr, kComputesBool),
     .grad = grad::not_differentiable, .capture = Capture::kYes},
    {.op = OpType::kLogicalNot, .name = "LogicalNot", .inputs = "x", .outputs = "y",
     .shape = shape_fn::same_as_input, .kernel = unary_kernel(UnaryOp::kLogicalNot, kComputesBool),
     .grad = grad::not_differentiable, .capture = Capture::kYes},
    {.op = OpType::kTruncateDiv, .name = "TruncateDiv", .inputs = "x, y", .outputs = "z",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kBinaryMoreTypes, .shape = broadcasting,
     .kernel = binary_kernel(BinaryOp::kTruncateDiv, kComputesInteger),
     .grad = grad::not_differentiable, .capture = Capture::kYes},
    {.op = OpType::kFloorDiv, .name = "FloorDiv", .inputs = "x, y", .outputs = "z",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kBinaryMoreTypes, .shape = broadcasting,
     .kernel = binary_kernel(BinaryOp::kFloorDiv), .grad = grad::not_differentiable,
     .capture = Capture::kYes},
    {.op = OpType::kFloorMod, .name = "FloorMod", .inputs = "x, y", .outputs = "z",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kFloorModTypes, .shape = broadcasting,
     .kernel = binary_kernel(BinaryOp::kFloorMod), .grad = grad::not_differentiable,
     .capture = Capture::kYes},
    {.op = OpType::kSelect, .name = "Select", .inputs = "condition, t, e", .outputs = "output",
     .attrs = {{kTypeT}}, .num_attrs = 1, .shape = select_shape,
     .kernel = kernel_of(K::kSelect, kComputesNumericBool), .grad = grad::select,
     .capture = Capture::kYes},
    {.op = OpType::kSelectV2, .name = "SelectV2", .inputs = "condition, t, e", .outputs = "output",
     .attrs = {{kTypeT}}, .num_attrs = 1, .shape = select_v2_shape,
     .kernel = kernel_of(K::kSelect, kComputesNumericBool), .grad = grad::select_v2,
     .capture = Capture::kYes},
};
// clang-format on

}  // namespace

std::span<const OpDef> math_ops() {
  return kRows;
}

}  // namespace varscope::detail::op_rows
