// Activations, softmax and the softmax cross-entropy losses.
#include <string>

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

// TF's BiasAddGradShape: the gradient's last dimension (NHWC); the run words a failure as
// the kernel does.
std::vector<OutputSpec> bias_add_grad_shape(const ShapeContext& c) {
  const Shape& grad = c.shape(0);
  if (!grad.has_rank()) return {{c.dtype(0), Shape{kUnknownDim}}};
  if (grad.rank() < 2) {
    c.fail("Shape must be at least rank 2 but is rank " + std::to_string(grad.rank()),
           "Input tensor must be at least 2D: " + grad.to_list_string());
  }
  return {{c.dtype(0), Shape{grad.dim(grad.rank() - 1)}}};
}

// TF's BiasAddShape; the run words failures as the kernel does.
std::vector<OutputSpec> bias_add_shape(const ShapeContext& c) {
  const Shape& value = c.shape(0);
  const Shape& bias = c.shape(1);
  // The value's rank is checked before the bias's.
  if (value.has_rank() && value.rank() < 2) {
    c.fail("Shape must be at least rank 2 but is rank " + std::to_string(value.rank()),
           "Input tensor must be at least 2D: " + value.to_list_string());
  }
  if (bias.has_rank() && bias.rank() != 1) {
    c.fail("Shape must be rank 1 but is rank " + std::to_string(bias.rank()),
           "Biases must be 1D: " + bias.to_list_string());
  }
  if (value.has_rank() && bias.has_rank()) {
    const std::int64_t channels = value.dim(value.rank() - 1);
    const std::int64_t n = bias.dim(0);
    if (channels != kUnknownDim && n != kUnknownDim && channels != n) {
      c.fail("Dimensions must be equal, but are " + std::to_string(channels) + " and " +
                 std::to_string(n),
             "Must provide as many biases as the last dimension of the input tensor: " +
                 bias.to_list_string() + " vs. " + value.to_list_string());
    }
  }
  return {{c.dtype(0), value}};
}

// TF's L2Loss: a scalar whatever the input's shape.
std::vector<OutputSpec> l2_loss_shape(const ShapeContext& c) {
  return {{c.dtype(0), Shape({})}};
}

// The softmax cross-entropy losses: logits [batch, classes]; labels of the same shape, or
// (sparse) [batch] of class ids. The batch merges: logits [?, 4] with labels [2] give a loss
// of [2], as TF's.
std::vector<OutputSpec> xent_shape(const ShapeContext& c) {
  const bool sparse = c.find_attr(a::kTlabels) != nullptr;
  const Shape& logits = c.shape(0);
  const Shape& labels = c.shape(1);
  if (logits.has_rank() && logits.rank() != 2) {
    c.fail("Shape must be rank 2 but is rank " + std::to_string(logits.rank()),
           "logits must be 2-dimensional, got shape " + logits.to_list_string());
  }
  Shape backprop = logits;
  if (sparse) {
    auto run_text = [&] {
      return "labels must be 1-D with the logits' batch size: " + labels.to_list_string();
    };
    if (labels.has_rank() && labels.rank() != 1) {
      c.fail("Shape must be rank 1 but is rank " + std::to_string(labels.rank()), run_text());
    }
    if (logits.has_rank() && labels.has_rank()) {
      const std::int64_t x = logits.dim(0), y = labels.dim(0);
      if (x != kUnknownDim && y != kUnknownDim && x != y) {
        c.fail(
            "Dimensions must be equal, but are " + std::to_string(x) + " and " + std::to_string(y),
            run_text());
      }
      if (x == kUnknownDim) backprop = Shape({y, logits.dim(1)});
    }
  } else if (labels.has_rank()) {
    // TF broadcasts the two ("Dimensions must be equal"); the kernel needs one shape.
    auto run_text = [&] {
      return "logits and labels must be broadcastable: logits_size=" + logits.to_list_string() +
             " labels_size=" + labels.to_list_string();
    };
    if (labels.rank() != 2) {
      c.fail("Shape must be rank 2 but is rank " + std::to_string(labels.rank()), run_text());
    }
    std::vector<std::int64_t> dims = labels.dims();
    for (int d = 0; d < 2 && logits.has_rank(); ++d) {
      const std::int64_t x = logits.dim(d), y = labels.dim(d);
      if (x != kUnknownDim && y != kUnknownDim && x != y) {
        c.fail(
            "Dimensions must be equal, but are " + std::to_string(x) + " and " + std::to_string(y),
            run_text());
      }
      if (x != kUnknownDim) dims[static_cast<std::size_t>(d)] = x;
    }
    backprop = Shape(std::move(dims));
  }
  const Shape loss = backprop.has_rank() ? Shape({backprop.dim(0)}) : Shape::unknown_rank();
  return {{c.dtype(0), loss}, {c.dtype(0), std::move(backprop)}};
}

// clang-format off
constexpr OpDef kRows[] = {
    {.op = OpType::kBiasAdd, .name = "BiasAdd", .inputs = "value, bias", .outputs = "output",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kNumberTypes, .shape = bias_add_shape,
     .kernel = binary_kernel(BinaryOp::kAdd), .grad = grad::bias_add, .capture = Capture::kYes},
    // TF's gradient of BiasAdd, for TF-built graphs (varscope's own gradient is SumToShape).
    {.op = OpType::kBiasAddGrad, .name = "BiasAddGrad", .inputs = "out_backprop",
     .outputs = "output", .attrs = {{kTypeT}}, .num_attrs = 1, .types = kNumberTypes,
     .shape = bias_add_grad_shape, .kernel = kernel_of(K::kSumToShape, kComputesNumeric),
     .capture = Capture::kYes},
    {.op = OpType::kRelu, .name = "Relu", .inputs = "features", .outputs = "activations",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kRealNumberTypes,
     .shape = shape_fn::same_as_input, .kernel = unary_kernel(UnaryOp::kRelu),
     .grad = grad::activation, .capture = Capture::kYes},
    {.op = OpType::kSoftmax, .name = "Softmax", .inputs = "logits", .outputs = "softmax",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kFloatTypes, .shape = softmax_shape,
     .kernel = kernel_of(K::kSoftmax, kComputesFloat), .grad = grad::softmax,
     .capture = Capture::kYes},
    // Issue 24: log_softmax (the softmax kernel's log form) and l2_loss.
    {.op = OpType::kLogSoftmax, .name = "LogSoftmax", .inputs = "logits", .outputs = "logsoftmax",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kFloatTypes, .shape = softmax_shape,
     .kernel = kernel_of(K::kSoftmax, kComputesFloat), .grad = grad::log_softmax,
     .capture = Capture::kYes},
    {.op = OpType::kL2Loss, .name = "L2Loss", .inputs = "t", .outputs = "output",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kXentTypes, .shape = l2_loss_shape,
     .kernel = kernel_of(K::kL2Loss, kComputesFloat), .grad = grad::l2_loss,
     .capture = Capture::kYes},
    // The gradient ops, with TF's gradients of their own (second order). Training steps are
    // not yet checked under capture (updates read scalars on the host).
    {.op = OpType::kReluGrad, .name = "ReluGrad", .inputs = "gradients, features",
     .outputs = "backprops", .attrs = {{kTypeT}}, .num_attrs = 1, .types = kReluGradTypes,
     .shape = shape_fn::merge_both_inputs, .kernel = activation_grad_kernel(ActivationGrad::kRelu),
     .grad = grad::relu_grad},
    {.op = OpType::kSoftmaxXent, .name = "SoftmaxCrossEntropyWithLogits",
     .inputs = "features, labels", .outputs = "loss, backprop", .attrs = {{kTypeT}}, .num_attrs = 1,
     .types = kXentTypes, .shape = xent_shape, .kernel = kernel_of(K::kXent, kComputesFloat),
     .grad = grad::softmax_xent},
    {.op = OpType::kSparseSoftmaxXent, .name = "SparseSoftmaxCrossEntropyWithLogits",
     .inputs = "features, labels", .outputs = "loss, backprop",
     .attrs = {{kTypeT, {a::kTlabels, T::kDType}}}, .num_attrs = 2, .types = kXentTypes,
     .shape = xent_shape, .kernel = kernel_of(K::kXent, kComputesFloat),
     .grad = grad::softmax_xent},
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
     .shape = shape_fn::merge_both_inputs,
     .kernel = binary_kernel(BinaryOp::kEluGrad, kComputesFloat), .capture = Capture::kYes},
    {.op = OpType::kRelu6Grad, .name = "Relu6Grad", .inputs = "gradients, features",
     .outputs = "backprops", .attrs = {{kTypeT}}, .num_attrs = 1, .types = kReluGradTypes,
     .shape = shape_fn::merge_both_inputs,
     .kernel = binary_kernel(BinaryOp::kRelu6Grad, kComputesFloat), .capture = Capture::kYes},
    {.op = OpType::kLeakyReluGrad, .name = "LeakyReluGrad", .inputs = "gradients, features",
     .outputs = "backprops", .attrs = {{{a::kAlpha, T::kFloat}, kTypeT}}, .num_attrs = 2,
     .types = kFloatTypes, .shape = shape_fn::merge_both_inputs,
     .kernel = binary_kernel(BinaryOp::kLeakyReluGrad, kComputesFloat),
     .capture = Capture::kYes},
};
// clang-format on

}  // namespace

std::span<const OpDef> nn_ops() {
  return kRows;
}

}  // namespace varscope::detail::op_rows
