// The gradients of Max, Min and Cumsum, after TF 1.15's math_grad.py, with TF's node names.
// Where TF reshapes to the kept-dims shape (Shape, DynamicStitch, Reshape) and lets the
// division broadcast, a BroadcastToShape of that Reshape's name spreads the tensor to the
// input's shape (as the Sum gradient's "Tile"; docs/differences.md).
#include <string_view>

#include "host/graph/builders.h"
#include "host/graph/gradients/grad_fns.h"
#include "host/graph/op_defs.h"

namespace varscope::detail::grad {

constexpr TensorRef kNone{};  // TF's None: no gradient to that input

// TF's _MinOrMaxGrad: the gradient is shared among the elements equal to the result
// (indicators = Cast(Equal(y, x)) divided by their count, "Sum"), times the incoming one.
std::vector<TensorRef> min_or_max(const GradInputs& in) {
  GraphImpl& g = in.g;
  const Node& n = g.node(in.node);
  const TensorRef x = n.inputs.at(0), axes = n.inputs.at(1), y{in.node, 0};
  const DType dtype = spec_of(g, x).dtype;
  const auto spread = [&](TensorRef t, std::string_view name) {
    return grad_node(g, OpType::kBroadcastToShape, name, {t, x, axes},
                     {{attr_name::kT, dtype}, {attr_name::kMean, false}});
  };
  const TensorRef y_full = spread(y, "Reshape");
  const TensorRef dy_full = spread(in.dys[0], "Reshape_1");
  const TensorRef equal = build_binary(g, OpType::kEqual, "Equal", y_full, x);
  const TensorRef indicators =
      grad_node(g, OpType::kCast, "Cast", {equal},
                {{attr_name::kSrcT, DType::kBool}, {attr_name::kDstT, dtype}});
  const TensorRef count = grad_node(g, OpType::kSum, "Sum", {indicators, axes},
                                    {{attr_name::kT, dtype}, {attr_name::kKeepDims, false}});
  const TensorRef share =
      build_binary(g, OpType::kRealDiv, "truediv", indicators, spread(count, "Reshape_2"));
  return {build_binary(g, OpType::kMul, "mul", share, dy_full), kNone};
}

// TF's _CumsumGrad: the gradient's cumsum in the other direction ("Cumsum").
std::vector<TensorRef> cumsum(const GradInputs& in) {
  GraphImpl& g = in.g;
  const Node& n = g.node(in.node);
  return {grad_node(g, OpType::kCumsum, "Cumsum", {in.dys[0], n.inputs.at(1)},
                    {{attr_name::kExclusive, attr<bool>(n, attr_name::kExclusive)},
                     {attr_name::kReverse, !attr<bool>(n, attr_name::kReverse)},
                     {attr_name::kT, spec_of(g, in.dys[0]).dtype}}),
          kNone};
}

}  // namespace varscope::detail::grad
