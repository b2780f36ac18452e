// The gradients of Max, Min, Prod and Cumsum, after TF 1.15's math_grad.py, with TF's node names.
// Where TF reshapes to the kept-dims shape (Shape, DynamicStitch, Reshape) and lets the
// division broadcast, a BroadcastToShape of that Reshape's name spreads the tensor to the
// input's shape (as the Sum gradient's "Tile"; docs/differences.md).
#include <string>
#include <string_view>
#include <vector>

#include "host/graph/array/array_builders.h"
#include "host/graph/builders.h"
#include "host/graph/gradients/grad_fns.h"
#include "host/graph/op_defs.h"
#include "host/graph/scope_guards.h"

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

namespace {

// A Reshape named `name` to a Const "<name>/shape" (TF computes these shapes in the graph).
TensorRef reshape_to(GraphImpl& g,
                     TensorRef x,
                     const std::vector<std::int64_t>& shape,
                     std::string_view name) {
  const std::string scope = wrapper_scope(g, name, name);
  TensorRef s;
  {
    StackGuard in_scope(g, scope_stack(scope));
    s = build_int_constant(g, shape, false, "shape");
  }
  return build_reshape(g, x, s, scope);
}

// An exclusive Cumprod along axis 0, its axis a Const "Cumprod[_N]/axis".
TensorRef exclusive_cumprod(GraphImpl& g, TensorRef x, bool reverse) {
  const std::string scope = wrapper_scope(g, "", "Cumprod");
  TensorRef axis;
  {
    StackGuard in_scope(g, scope_stack(scope));
    axis = build_constant(g, HostTensor(0), {}, {}, false, "axis");
  }
  return {add_op(g, OpType::kCumprod, scope, {x, axis},
                 {{attr_name::kExclusive, true},
                  {attr_name::kReverse, reverse},
                  {attr_name::kT, spec_of(g, x).dtype}}),
          0};
}

// A Cumsum or Cumprod of `x` along the tensor `axis`, named `name` in the current scope.
TensorRef scan_node(GraphImpl& g,
                    OpType op,
                    std::string_view name,
                    TensorRef x,
                    TensorRef axis,
                    bool exclusive,
                    bool reverse) {
  return grad_node(g, op, name, {x, axis},
                   {{attr_name::kExclusive, exclusive},
                    {attr_name::kReverse, reverse},
                    {attr_name::kT, spec_of(g, x).dtype}});
}

}  // namespace

// TF's _ProdGrad: each element's gradient is the product of the other elements of its
// group (no division: zeros are fine), from exclusive Cumprods from both ends of x
// transposed so that the reduced axes lead and reshaped to [reduced, other], times the
// gradient spread to x's shape ("Tile"). TF computes the permutation and the shapes in
// the graph (Shape, ListDiff, GatherV2, Pack, ...); here they are Consts, so the axes must
// be a Const and x's shape known (E146).
std::vector<TensorRef> prod(const GradInputs& in) {
  GraphImpl& g = in.g;
  const Node& n = g.node(in.node);
  const TensorRef x = n.inputs.at(0), axes = n.inputs.at(1);
  const OutputSpec xs = spec_of(g, x);
  const Node& axes_node = g.node(axes.node);
  if (axes_node.op != OpType::kConst || !xs.shape.is_fully_defined()) {
    throw UnimplementedError("The gradient of " + n.name +
                             " needs constant axes and an input of known shape");
  }
  const int rank = xs.shape.rank();
  const HostTensor& given = attr<HostTensor>(axes_node, attr_name::kValue);
  std::vector<bool> reduced(static_cast<std::size_t>(rank), false);
  std::vector<std::int64_t> perm, permuted_dims;
  std::int64_t reduced_num = 1, other_num = 1;
  for (std::int64_t i = 0; i < given.num_elements(); ++i) {
    auto d = static_cast<std::int64_t>(given.element_as_double(i));
    if (d < 0) d += rank;
    if (reduced[static_cast<std::size_t>(d)]) continue;  // the shape function checked the range
    reduced[static_cast<std::size_t>(d)] = true;
    perm.push_back(d);
    reduced_num *= xs.shape.dim(static_cast<int>(d));
  }
  for (int d = 0; d < rank; ++d) {
    if (reduced[static_cast<std::size_t>(d)]) continue;
    perm.push_back(d);
    other_num *= xs.shape.dim(d);
  }
  for (const std::int64_t d : perm)
    permuted_dims.push_back(xs.shape.dim(static_cast<int>(d)));
  const TensorRef dy = grad_node(g, OpType::kBroadcastToShape, "Tile", {in.dys[0], x, axes},
                                 {{attr_name::kT, xs.dtype}, {attr_name::kMean, false}});
  const TensorRef perm_ref = build_int_constant(g, perm, false, "concat");
  const TensorRef permuted = build_transpose(g, x, perm_ref, "transpose");
  const TensorRef matrix = reshape_to(g, permuted, {reduced_num, other_num}, "Reshape_2");
  const TensorRef left = exclusive_cumprod(g, matrix, false);
  const TensorRef right = exclusive_cumprod(g, matrix, true);
  const TensorRef others =
      reshape_to(g, build_binary(g, OpType::kMul, "mul", left, right), permuted_dims, "Reshape_3");
  const TensorRef inverse{
      add_op(g, OpType::kInvertPermutation, wrapper_scope(g, "", "InvertPermutation"), {perm_ref},
             {{attr_name::kT, spec_of(g, perm_ref).dtype}}),
      0};
  const TensorRef back = build_transpose(g, others, inverse, "transpose_1");
  return {
      reshape_to(g, build_binary(g, OpType::kMul, "mul_1", dy, back), xs.shape.dims(), "Reshape_4"),
      kNone};
}

// TF's _CumsumGrad: the gradient's cumsum in the other direction ("Cumsum").
std::vector<TensorRef> cumsum(const GradInputs& in) {
  GraphImpl& g = in.g;
  const Node& n = g.node(in.node);
  return {scan_node(g, OpType::kCumsum, "Cumsum", in.dys[0], n.inputs.at(1),
                    attr<bool>(n, attr_name::kExclusive), !attr<bool>(n, attr_name::kReverse)),
          kNone};
}

// TF's _CumprodGrad: cumsum(cumprod(x) * dy) in the other direction, divided by x (as TF,
// not defined where x is 0).
std::vector<TensorRef> cumprod(const GradInputs& in) {
  GraphImpl& g = in.g;
  const Node& n = g.node(in.node);
  const TensorRef x = n.inputs.at(0), axis = n.inputs.at(1);
  const bool exclusive = attr<bool>(n, attr_name::kExclusive);
  const bool reverse = attr<bool>(n, attr_name::kReverse);
  const TensorRef prod = scan_node(g, OpType::kCumprod, "Cumprod", x, axis, exclusive, reverse);
  const TensorRef weighted = build_binary(g, OpType::kMul, "mul", prod, in.dys[0]);
  const TensorRef sums =
      scan_node(g, OpType::kCumsum, "Cumsum", weighted, axis, exclusive, !reverse);
  return {build_binary(g, OpType::kRealDiv, "truediv", sums, x), kNone};
}

}  // namespace varscope::detail::grad
