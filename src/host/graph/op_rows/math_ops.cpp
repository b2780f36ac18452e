// Elementwise math, matrix products, reductions and casts; varscope's own gradient helpers.
#include "host/graph/op_rows/op_rows.h"

namespace varscope::detail::op_rows {
namespace {

// clang-format off
constexpr OpDef kRows[] = {
    {.op = OpType::kMatMul, .name = "MatMul", .inputs = "a, b", .outputs = "product",
     .attrs = {{{a::kTransposeA, T::kBool}, {a::kTransposeB, T::kBool}, kTypeT}}, .num_attrs = 3,
     .types = kMatMulTypes, .kernel = kernel_of(K::kMatMul, kComputesFloat), .grad = grad::matmul,
     .capture = Capture::kYes},
    {.op = OpType::kBatchMatMulV2, .name = "BatchMatMulV2", .inputs = "x, y", .outputs = "output",
     .attrs = {{{a::kAdjX, T::kBool}, {a::kAdjY, T::kBool}, kTypeT}}, .num_attrs = 3,
     .types = kMatMulTypes, .kernel = kernel_of(K::kMatMul, kComputesFloat), .grad = grad::matmul,
     .capture = Capture::kYes},
    {.op = OpType::kAdd, .name = "Add", .inputs = "x, y", .outputs = "z", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kAddTypes, .kernel = binary_kernel(BinaryOp::kAdd), .grad = grad::add,
     .capture = Capture::kYes},
    {.op = OpType::kAddV2, .name = "AddV2", .inputs = "x, y", .outputs = "z", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kAddV2Types, .kernel = binary_kernel(BinaryOp::kAdd),
     .grad = grad::add, .capture = Capture::kYes},
    {.op = OpType::kSub, .name = "Sub", .inputs = "x, y", .outputs = "z", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kBinaryMoreTypes, .kernel = binary_kernel(BinaryOp::kSub),
     .grad = grad::sub, .capture = Capture::kYes},
    {.op = OpType::kMul, .name = "Mul", .inputs = "x, y", .outputs = "z", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kBinaryMoreTypes, .kernel = binary_kernel(BinaryOp::kMul),
     .grad = grad::mul, .capture = Capture::kYes},
    {.op = OpType::kRealDiv, .name = "RealDiv", .inputs = "x, y", .outputs = "z",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kBinaryMoreTypes,
     .kernel = binary_kernel(BinaryOp::kDiv), .grad = grad::real_div, .capture = Capture::kYes},
    {.op = OpType::kSigmoid, .name = "Sigmoid", .inputs = "x", .outputs = "y", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kUnaryComplexTypes, .shape = shape_fn::same_as_input,
     .kernel = unary_kernel(UnaryOp::kSigmoid), .grad = grad::activation, .capture = Capture::kYes},
    {.op = OpType::kTanh, .name = "Tanh", .inputs = "x", .outputs = "y", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kUnaryComplexTypes, .shape = shape_fn::same_as_input,
     .kernel = unary_kernel(UnaryOp::kTanh), .grad = grad::activation, .capture = Capture::kYes},
    {.op = OpType::kSum, .name = "Sum", .inputs = "input, reduction_indices", .outputs = "output",
     .attrs = {{kTypeT, {a::kKeepDims, T::kBool}}}, .num_attrs = 2, .types = kNumberTypes,
     .kernel = reduce_kernel(ReduceOp::kSum), .grad = grad::reduction,
     .capture = Capture::kIfHostConstants},
    {.op = OpType::kMean, .name = "Mean", .inputs = "input, reduction_indices", .outputs = "output",
     .attrs = {{kTypeT, {a::kKeepDims, T::kBool}}}, .num_attrs = 2, .types = kNumberTypes,
     .kernel = reduce_kernel(ReduceOp::kMean), .grad = grad::reduction,
     .capture = Capture::kIfHostConstants},
    {.op = OpType::kCast, .name = "Cast", .inputs = "x", .outputs = "y",
     .attrs = {{{a::kSrcT, T::kDType}, {a::kDstT, T::kDType}}}, .num_attrs = 2,
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
    {.op = OpType::kNeg, .name = "Neg", .inputs = "x", .outputs = "y", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kUnaryTypes, .shape = shape_fn::same_as_input,
     .kernel = unary_kernel(UnaryOp::kNeg), .grad = grad::neg, .capture = Capture::kYes},
    {.op = OpType::kSigmoidGrad, .name = "SigmoidGrad", .inputs = "y, dy", .outputs = "z",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kUnaryComplexTypes,
     .kernel = activation_grad_kernel(ActivationGrad::kSigmoid), .grad = grad::sigmoid_grad},
    {.op = OpType::kTanhGrad, .name = "TanhGrad", .inputs = "y, dy", .outputs = "z",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kUnaryComplexTypes,
     .kernel = activation_grad_kernel(ActivationGrad::kTanh), .grad = grad::tanh_grad},
    {.op = OpType::kAddN, .name = "AddN", .inputs = "inputs", .outputs = "sum",
     .attrs = {{{a::kN, T::kInt}, kTypeT}}, .num_attrs = 2, .types = kAddNTypes,
     .kernel = kernel_of(K::kAddN, kComputesNumeric), .grad = grad::identity},
    // varscope's own: TF's Shape + BroadcastGradientArgs + Sum + Reshape in one op.
    {.op = OpType::kSumToShape, .name = "SumToShape", .inputs = "x, like", .outputs = "y",
     .attrs = {{kTypeT}}, .num_attrs = 1, .kernel = kernel_of(K::kSumToShape, kComputesNumeric),
     .grad = grad::sum_to_shape},
    // varscope's own: TF's Reshape + Tile (and RealDiv for Mean) in one op.
    {.op = OpType::kBroadcastToShape, .name = "BroadcastToShape",
     .inputs = "x, like, reduction_indices", .outputs = "y",
     .attrs = {{kTypeT, {a::kMean, T::kBool}}}, .num_attrs = 2,
     .kernel = kernel_of(K::kBroadcastToShape, kComputesNumeric), .grad = grad::broadcast_to_shape},
};
// clang-format on

}  // namespace

std::span<const OpDef> math_ops() {
  return kRows;
}

}  // namespace varscope::detail::op_rows
