// The gradients of Conv2D, the pools and FusedBatchNormV3, after TF 1.15's nn_grad.py: the gradient
// ops get the forward op's attributes; Conv2D's take their sizes from one ShapeN of its two inputs
// ("Conv2D_grad/ShapeN"), AvgPool's from shape(input) ("AvgPool_grad/Shape": a Const where
// the shape is known, as TF's array_ops.shape).
#include "host/graph/array/array_builders.h"
#include "host/graph/gradients/grad_fns.h"

namespace varscope::detail::grad {
namespace {

// The forward node's attributes but the ones the gradient op does not take.
Attrs attrs_of(const Node& n) {
  Attrs attrs;
  for (const auto& [name, value] : n.attrs) {
    if (!name.empty() && name.front() == '_') continue;
    attrs.emplace_back(name, value);
  }
  return attrs;
}

}  // namespace

std::vector<TensorRef> conv2d(const GradInputs& in) {
  GraphImpl& g = in.g;
  const Node& n = g.node(in.node);
  const TensorRef x = n.inputs.at(0), filter = n.inputs.at(1), dy = in.dys.at(0);
  const Attrs attrs = attrs_of(n);
  const int shapes = add_op(g, OpType::kShapeN, "ShapeN", {x, filter},
                            {{attr_name::kN, std::int64_t{2}},
                             {attr_name::kT, spec_of(g, x).dtype},
                             {attr_name::kOutType, DType::kInt32}});
  const TensorRef dx = grad_node(g, OpType::kConv2DBackpropInput, "Conv2DBackpropInput",
                                 {{shapes, 0}, filter, dy}, attrs);
  const TensorRef dfilter = grad_node(g, OpType::kConv2DBackpropFilter, "Conv2DBackpropFilter",
                                      {x, {shapes, 1}, dy}, attrs);
  return {dx, dfilter};
}

std::vector<TensorRef> max_pool(const GradInputs& in) {
  const Node& n = in.g.node(in.node);
  return {grad_node(in.g, OpType::kMaxPoolGrad, "MaxPoolGrad",
                    {n.inputs.at(0), {in.node, 0}, in.dys.at(0)}, attrs_of(n))};
}

std::vector<TensorRef> avg_pool(const GradInputs& in) {
  GraphImpl& g = in.g;
  const Node& n = g.node(in.node);
  const TensorRef shape = build_shape(g, n.inputs.at(0), DType::kInt32, "");
  return {grad_node(g, OpType::kAvgPoolGrad, "AvgPoolGrad", {shape, in.dys.at(0)}, attrs_of(n))};
}

// _FusedBatchNormV3Grad (TF 1.15's _BaseFusedBatchNormGrad): one FusedBatchNormGradV3 with
// the forward's attributes; training passes the forward's reserve spaces, inference the
// population mean and variance (inputs 3, 4). Its five outputs are the five inputs'
// gradients (the last two: reserve_space_4/5, as TF returns them when training; None
// otherwise).
std::vector<TensorRef> fused_batch_norm(const GradInputs& in) {
  GraphImpl& g = in.g;
  const Node& n = g.node(in.node);
  const bool training = attr<bool>(n, attr_name::kIsTraining);
  const TensorRef mean = training ? TensorRef{in.node, 3} : n.inputs.at(3);
  const TensorRef variance = training ? TensorRef{in.node, 4} : n.inputs.at(4);
  const TensorRef dx = grad_node(
      g, OpType::kFusedBatchNormGradV3, "FusedBatchNormGradV3",
      {in.dys.at(0), n.inputs.at(0), n.inputs.at(1), mean, variance, {in.node, 5}}, attrs_of(n));
  const TensorRef none{};  // no gradient
  return {dx,
          {dx.node, 1},
          {dx.node, 2},
          training ? TensorRef{dx.node, 3} : none,
          training ? TensorRef{dx.node, 4} : none};
}

}  // namespace varscope::detail::grad
