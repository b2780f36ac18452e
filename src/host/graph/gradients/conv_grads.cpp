// The gradients of Conv2D and the pools, after TF 1.15's nn_grad.py: the gradient ops get the
// forward op's attributes; Conv2D's take their sizes from one ShapeN of its two inputs
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

}  // namespace varscope::detail::grad
