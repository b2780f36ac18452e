// Elementwise math, matrix products, reductions and casts; varscope's own gradient helpers.
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
};
// clang-format on

}  // namespace

std::span<const OpDef> math_ops() {
  return kRows;
}

}  // namespace varscope::detail::op_rows
