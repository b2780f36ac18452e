// Activations, softmax and the softmax cross-entropy losses.
#include "host/graph/op_rows/op_rows.h"

namespace varscope::detail::op_rows {
namespace {

// TF: UnchangedShapeWithRankAtLeast(c, 1).
std::vector<OutputSpec> softmax_shape(const ShapeContext& c) {
  const Shape& logits = c.shape(0);
  if (logits.has_rank() && logits.rank() < 1) {
    c.fail("Shape must be at least rank 1 but is rank 0",
           "logits must have >= 1 dimension, got " + logits.to_list_string());
  }
  return {{c.dtype(0), logits}};
}

// clang-format off
constexpr OpDef kRows[] = {
    {.op = OpType::kBiasAdd, .name = "BiasAdd", .inputs = "value, bias", .outputs = "output",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kNumberTypes,
     .kernel = binary_kernel(BinaryOp::kAdd), .grad = grad::bias_add, .capture = Capture::kYes},
    {.op = OpType::kRelu, .name = "Relu", .inputs = "features", .outputs = "activations",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kRealNumberTypes,
     .shape = shape_fn::same_as_input, .kernel = unary_kernel(UnaryOp::kRelu),
     .grad = grad::activation, .capture = Capture::kYes},
    {.op = OpType::kSoftmax, .name = "Softmax", .inputs = "logits", .outputs = "softmax",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kFloatTypes, .shape = softmax_shape,
     .kernel = kernel_of(K::kSoftmax, kComputesFloat), .grad = grad::softmax,
     .capture = Capture::kYes},
    // The gradient ops, with TF's gradients of their own (second order). Training steps are
    // not yet checked under capture (updates read scalars on the host).
    {.op = OpType::kReluGrad, .name = "ReluGrad", .inputs = "gradients, features",
     .outputs = "backprops", .attrs = {{kTypeT}}, .num_attrs = 1, .types = kReluGradTypes,
     .kernel = activation_grad_kernel(ActivationGrad::kRelu), .grad = grad::relu_grad},
    {.op = OpType::kSoftmaxXent, .name = "SoftmaxCrossEntropyWithLogits",
     .inputs = "features, labels", .outputs = "loss, backprop", .attrs = {{kTypeT}}, .num_attrs = 1,
     .types = kXentTypes, .kernel = kernel_of(K::kXent, kComputesFloat),
     .grad = grad::softmax_xent},
    {.op = OpType::kSparseSoftmaxXent, .name = "SparseSoftmaxCrossEntropyWithLogits",
     .inputs = "features, labels", .outputs = "loss, backprop",
     .attrs = {{kTypeT, {a::kTlabels, T::kDType}}}, .num_attrs = 2, .types = kXentTypes,
     .kernel = kernel_of(K::kXent, kComputesFloat), .grad = grad::softmax_xent},
    // Issue 24: activations (kernels/unary.h functors) and their gradient ops.
    {.op = OpType::kLeakyRelu, .name = "LeakyRelu", .inputs = "features", .outputs = "activations",
     .attrs = {{{a::kAlpha, T::kFloat}, kTypeT}}, .num_attrs = 2, .types = kFloatTypes,
     .shape = shape_fn::same_as_input, .kernel = unary_kernel(UnaryOp::kLeakyRelu),
     .grad = grad::leaky_relu, .capture = Capture::kYes},
    {.op = OpType::kElu, .name = "Elu", .inputs = "features", .outputs = "activations",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kFloatTypes, .shape = shape_fn::same_as_input,
     .kernel = unary_kernel(UnaryOp::kElu), .grad = grad::elu, .capture = Capture::kYes},
    {.op = OpType::kSoftplus, .name = "Softplus", .inputs = "features", .outputs = "activations",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kFloatTypes, .shape = shape_fn::same_as_input,
     .kernel = unary_kernel(UnaryOp::kSoftplus), .grad = grad::softplus, .capture = Capture::kYes},
    {.op = OpType::kRelu6, .name = "Relu6", .inputs = "features", .outputs = "activations",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kReluGradTypes, .shape = shape_fn::same_as_input,
     .kernel = unary_kernel(UnaryOp::kRelu6), .grad = grad::relu6, .capture = Capture::kYes},
    {.op = OpType::kEluGrad, .name = "EluGrad", .inputs = "gradients, outputs",
     .outputs = "backprops", .attrs = {{kTypeT}}, .num_attrs = 1, .types = kFloatTypes,
     .kernel = binary_kernel(BinaryOp::kEluGrad, kComputesFloat), .capture = Capture::kYes},
    {.op = OpType::kRelu6Grad, .name = "Relu6Grad", .inputs = "gradients, features",
     .outputs = "backprops", .attrs = {{kTypeT}}, .num_attrs = 1, .types = kReluGradTypes,
     .kernel = binary_kernel(BinaryOp::kRelu6Grad, kComputesFloat), .capture = Capture::kYes},
    {.op = OpType::kLeakyReluGrad, .name = "LeakyReluGrad", .inputs = "gradients, features",
     .outputs = "backprops", .attrs = {{{a::kAlpha, T::kFloat}, kTypeT}}, .num_attrs = 2,
     .types = kFloatTypes, .kernel = binary_kernel(BinaryOp::kLeakyReluGrad, kComputesFloat),
     .capture = Capture::kYes},
};
// clang-format on

}  // namespace

std::span<const OpDef> nn_ops() {
  return kRows;
}

}  // namespace varscope::detail::op_rows
