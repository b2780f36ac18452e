// The public op functions: argument checks, TF's default names, then the shared recipes.
#include "varscope/ops.h"

#include <algorithm>

#include "host/graph/builders.h"
#include "varscope/errors.h"

namespace varscope {

using detail::Access;
using detail::GraphImpl;
using detail::OpType;
using detail::StackGuard;
using detail::TensorRef;
namespace attr_name = detail::attr_name;

namespace {

using detail::graph_of_input;
using detail::spec;
using detail::wrapper_scope;

// The op name shape errors quote, as TF's wrapper would have named the op. TF enters the
// name scope before it checks shapes, so an invalid name is reported first.
std::string name_for_errors(GraphImpl& g, std::string_view name, std::string_view default_name) {
  g.check_scope_name(name);
  return g.unique_name(name.empty() ? default_name : name, /*mark_as_used=*/false);
}

}  // namespace

Tensor constant(Graph& g, const HostTensor& value, const ConstantOptions& options) {
  GraphImpl& impl = *Access::impl(g);
  return impl.mutate([&] {
    return impl.tensor(detail::build_constant(impl, value, options.dtype, options.shape,
                                              options.verify_shape, options.name));
  });
}

Tensor placeholder(Graph& g, DType dtype, std::optional<Shape> shape, std::string_view name) {
  GraphImpl& impl = *Access::impl(g);
  return impl.mutate([&] {
    Shape s = shape.value_or(Shape::unknown_rank());
    const int node =
        impl.add_node(OpType::kPlaceholder, wrapper_scope(impl, name, "Placeholder"), {},
                      {{dtype, s}}, {{attr_name::kDType, dtype}, {attr_name::kShape, s}});
    return impl.tensor({node, 0});
  });
}

Tensor random_normal(Graph& g, const Shape& shape, const RandomOptions& o) {
  GraphImpl& impl = *Access::impl(g);
  return impl.mutate([&] {
    return impl.tensor(detail::build_random_normal(impl, shape, o.mean, o.stddev, o.dtype, o.seed,
                                                   /*truncated=*/false, o.name));
  });
}

Tensor truncated_normal(Graph& g, const Shape& shape, const RandomOptions& o) {
  GraphImpl& impl = *Access::impl(g);
  return impl.mutate([&] {
    return impl.tensor(detail::build_random_normal(impl, shape, o.mean, o.stddev, o.dtype, o.seed,
                                                   /*truncated=*/true, o.name));
  });
}

Tensor random_uniform(Graph& g, const Shape& shape, const RandomUniformOpOptions& o) {
  GraphImpl& impl = *Access::impl(g);
  return impl.mutate([&] {
    return impl.tensor(
        detail::build_random_uniform(impl, shape, o.minval, o.maxval, o.dtype, o.seed, o.name));
  });
}

Tensor identity(const Input& x, std::string_view name) {
  if (x.is_literal()) throw ValueError("identity needs a Tensor input to know its graph");
  auto g = Access::lock(x.tensor());
  return g->mutate([&] {
    const TensorRef in = g->ref_of(x.tensor());
    const detail::OutputSpec out = spec(*g, in);
    const int node = g->add_node(OpType::kIdentity, wrapper_scope(*g, name, "Identity"), {in},
                                 {out}, {{attr_name::kT, out.dtype}});
    return g->tensor({node, 0});
  });
}

Tensor add(const Input& x, const Input& y, std::string_view name) {
  return detail::build_binary_op(OpType::kAdd, name.empty() ? "Add" : name, x, y);
}
Tensor subtract(const Input& x, const Input& y, std::string_view name) {
  return detail::build_binary_op(OpType::kSub, name.empty() ? "Sub" : name, x, y);
}
Tensor multiply(const Input& x, const Input& y, std::string_view name) {
  return detail::build_binary_op(OpType::kMul, name.empty() ? "Mul" : name, x, y);
}
Tensor divide(const Input& x, const Input& y, std::string_view name) {
  return detail::build_binary_op(OpType::kRealDiv, name.empty() ? "truediv" : name, x, y);
}

Tensor operator+(const Input& x, const Input& y) {
  return detail::build_binary_op(OpType::kAddV2, "add", x, y);
}
Tensor operator-(const Input& x, const Input& y) {
  return detail::build_binary_op(OpType::kSub, "sub", x, y);
}
Tensor operator*(const Input& x, const Input& y) {
  return detail::build_binary_op(OpType::kMul, "mul", x, y);
}
Tensor operator/(const Input& x, const Input& y) {
  return detail::build_binary_op(OpType::kRealDiv, "truediv", x, y);
}

Tensor matmul(const Input& a, const Input& b, const MatMulOptions& options) {
  if (a.is_literal() && b.is_literal()) {
    throw ValueError("matmul needs at least one Tensor input to know its graph");
  }
  auto g = Access::lock(a.is_literal() ? b.tensor() : a.tensor());
  return g->mutate([&] {
    const TensorRef ar = a.is_literal() ? TensorRef{} : g->ref_of(a.tensor());
    const TensorRef br = b.is_literal() ? TensorRef{} : g->ref_of(b.tensor());
    const Shape sa = a.is_literal() ? a.literal().shape() : spec(*g, ar).shape;
    const Shape sb = b.is_literal() ? b.literal().shape() : spec(*g, br).shape;
    const DType da = a.is_literal() ? a.literal().dtype() : spec(*g, ar).dtype;
    const DType db = b.is_literal() ? b.literal().dtype() : spec(*g, br).dtype;
    const std::string op_name = name_for_errors(*g, options.name, "MatMul");
    const bool batched = (sa.has_rank() && sa.rank() > 2) || (sb.has_rank() && sb.rank() > 2);
    const OpType op = batched ? OpType::kBatchMatMulV2 : OpType::kMatMul;
    const std::string type(detail::op_def(op).name);
    auto fail = [&](const std::string& what) {
      throw ValueError(what + " for '" + op_name + "' (op: '" + type + "') with input shapes: " +
                       sa.to_list_string() + ", " + sb.to_list_string() + ".");
    };
    if (da != db) {
      throw TypeError("Input 'b' of '" + type + "' Op has type " + std::string(dtype_name(db)) +
                      " that does not match type " + std::string(dtype_name(da)) +
                      " of argument 'a'.");
    }
    const detail::MatMulShape rule =
        detail::matmul_shape(sa, sb, options.transpose_a, options.transpose_b, batched);
    using Failure = detail::MatMulShape::Failure;
    if (rule.failure == Failure::kRank) {
      fail(std::string(batched ? "Shape must be at least rank 2" : "Shape must be rank 2") +
           " but is rank " + std::to_string(rule.bad_rank));
    }
    if (rule.failure == Failure::kInnerDims) {
      fail("Dimensions must be equal, but are " + std::to_string(rule.k_a) + " and " +
           std::to_string(rule.k_b));
    }
    if (rule.failure == Failure::kBatchDims) {
      // The broadcast's wording, but TF names the operands' full shapes, not their batch parts.
      fail("Dimensions must be equal, but are " + std::to_string(rule.mismatch.first) + " and " +
           std::to_string(rule.mismatch.second));
    }
    const Shape& out = rule.out;

    const std::string scope = wrapper_scope(*g, options.name, "MatMul");
    StackGuard in_scope(*g, scope.substr(0, scope.size() - 1));
    const TensorRef ai =
        a.is_literal() ? detail::build_constant(*g, a.literal(), {}, {}, false, "a") : ar;
    const TensorRef bi =
        b.is_literal() ? detail::build_constant(*g, b.literal(), {}, {}, false, "b") : br;
    detail::Attrs attrs = batched ? detail::Attrs{{attr_name::kAdjX, options.transpose_a},
                                                  {attr_name::kAdjY, options.transpose_b},
                                                  {attr_name::kT, da}}
                                  : detail::Attrs{{attr_name::kTransposeA, options.transpose_a},
                                                  {attr_name::kTransposeB, options.transpose_b},
                                                  {attr_name::kT, da}};
    const int node = g->add_node(op, scope, {ai, bi}, {{da, out}}, std::move(attrs));
    return g->tensor({node, 0});
  });
}

namespace {

// state_ops.assign / assign_add: the value must have the variable's dtype and shape.
Tensor build_assign(OpType op, const Variable& ref, const Input& value, std::string_view name) {
  const std::string type(detail::op_def(op).name);
  auto g = Access::lock(ref);
  return g->mutate([&] {
    const detail::VariableRecord& var = g->variables.at(static_cast<std::size_t>(ref.id()));
    const std::string op_name = name_for_errors(*g, name, type);
    HostTensor literal;
    TensorRef value_ref;
    DType dtype;
    Shape shape;
    if (value.is_literal()) {
      literal = value.literal();
      if (literal.dtype() != var.dtype) {
        literal = value.literal().cast(var.dtype);
      }
      dtype = literal.dtype();
      shape = literal.shape();
    } else {
      value_ref = g->ref_of(value.tensor());
      dtype = spec(*g, value_ref).dtype;
      shape = spec(*g, value_ref).shape;
    }
    const std::string shapes = " for '" + op_name + "' (op: '" + type +
                               "') with input shapes: " + var.shape.to_list_string() + ", " +
                               shape.to_list_string() + ".";
    if (dtype != var.dtype) {
      throw TypeError("Input 'value' of '" + type + "' Op has type " +
                      std::string(dtype_name(dtype)) + " that does not match type " +
                      std::string(dtype_name(var.dtype)) + " of argument 'ref'.");
    }
    if (shape.has_rank() && var.shape.has_rank()) {
      if (shape.rank() != var.shape.rank()) {
        throw ValueError("Shapes must be equal rank, but are " + std::to_string(var.shape.rank()) +
                         " and " + std::to_string(shape.rank()) + shapes);
      }
      for (int d = 0; d < shape.rank(); ++d) {
        if (!Shape({shape.dim(d)}).is_compatible_with(Shape({var.shape.dim(d)}))) {
          throw ValueError(
              "Dimension " + std::to_string(d) + " in both shapes must be equal, but are " +
              std::to_string(var.shape.dim(d)) + " and " + std::to_string(shape.dim(d)) +
              ". Shapes are " + var.shape.to_list_string() + " and " + shape.to_list_string() +
              "." + shapes);
        }
      }
    }
    const std::string scope = wrapper_scope(*g, name, type);
    StackGuard in_scope(*g, scope.substr(0, scope.size() - 1));
    if (value.is_literal()) value_ref = detail::build_constant(*g, literal, {}, {}, false, "value");
    const int node = g->add_node(op, scope, {{var.node, 0}, value_ref}, {{var.dtype, var.shape}},
                                 {{attr_name::kT, var.dtype}, {attr_name::kUseLocking, true}});
    return g->tensor({node, 0});
  });
}

}  // namespace

Tensor assign(const Variable& ref, const Input& value, std::string_view name) {
  return build_assign(OpType::kAssign, ref, value, name);
}

Tensor assign_add(const Variable& ref, const Input& value, std::string_view name) {
  return build_assign(OpType::kAssignAdd, ref, value, name);
}

Operation group(const std::vector<Operation>& inputs, std::string_view name) {
  if (inputs.empty()) throw ValueError("group needs at least one input to know its graph");
  auto g = Access::lock(inputs.front());
  return g->mutate([&] {
    std::vector<int> deps;
    for (const Operation& op : inputs) {
      if (Access::lock(op) != g) throw ValueError("group: all inputs must be from the same graph");
      deps.push_back(Access::id(op));
    }
    const int node = g->add_node(OpType::kNoOp, wrapper_scope(*g, name, "group_deps"), {}, {}, {},
                                 std::move(deps));
    return Access::operation(g, node);
  });
}

}  // namespace varscope

namespace varscope {
namespace {

Tensor build_unary(OpType op, const Input& x, std::string_view name) {
  const std::string type(detail::op_def(op).name);
  auto g = graph_of_input(x, type.c_str());
  return g->mutate([&] {
    const TensorRef in = g->ref_of(x.tensor());
    const detail::OutputSpec out = spec(*g, in);
    detail::check_input_dtype(detail::op_def(op), 0, out.dtype);
    if (op == OpType::kSoftmax && out.shape.has_rank() && out.shape.rank() < 1) {
      throw ValueError("Shape must be at least rank 1 but is rank 0 for '" +
                       name_for_errors(*g, name, type) +
                       "' (op: 'Softmax') with input shapes: [].");
    }
    const int node =
        g->add_node(op, wrapper_scope(*g, name, type), {in}, {out}, {{attr_name::kT, out.dtype}});
    return g->tensor({node, 0});
  });
}

Tensor build_reduce(OpType op, const Input& x, const ReduceOptions& o) {
  const std::string type(detail::op_def(op).name);
  auto g = graph_of_input(x, type.c_str());
  return g->mutate([&] {
    const TensorRef in = g->ref_of(x.tensor());
    const detail::OutputSpec s = spec(*g, in);
    const std::string op_name = name_for_errors(*g, o.name, type);
    std::vector<int> axes;
    Shape out = Shape::unknown_rank();
    if (s.shape.has_rank()) {
      const int rank = s.shape.rank();
      std::vector<std::int64_t> given;
      if (o.axes) {
        given.assign(o.axes->begin(), o.axes->end());
      } else {
        for (int a = 0; a < rank; ++a)
          given.push_back(a);
      }
      // Graph building accepts a repeated axis; the run refuses it (as TF does).
      const detail::ReductionAxes rule = detail::reduction_axes(rank, given, true);
      if (rule.failure != detail::ReductionAxes::Failure::kNone) {
        // TF's context: every input shape, then the constant axes it read.
        std::string listed;
        for (int g2 : *o.axes) {
          if (!listed.empty()) listed += ' ';
          listed += std::to_string(g2);
        }
        throw ValueError("Invalid reduction dimension " + std::to_string(rule.bad_axis) +
                         " for input with " + std::to_string(rank) + " dimensions. for '" +
                         op_name + "' (op: '" + type + "') with input shapes: " +
                         s.shape.to_list_string() + ", [" + std::to_string(o.axes->size()) +
                         "] and with computed input tensors: input[1] = <" + listed + ">.");
      }
      for (std::int64_t a : given)
        axes.push_back(static_cast<int>(a < 0 ? a + rank : a));
      out = detail::reduced_shape(s.shape, rule.reduced, o.keepdims);
    } else if (!o.axes) {
      throw ValueError(type + " of a tensor of unknown rank needs explicit axes");
    } else {
      axes = *o.axes;
    }
    std::vector<std::int32_t> axes32(axes.begin(), axes.end());
    // math_ops._ReductionDims: all axes become a Const built before the op, outside its
    // scope; explicit axes are converted inside it as "<op>/reduction_indices".
    TensorRef axes_ref;
    if (!o.axes) axes_ref = detail::build_constant(*g, HostTensor(axes32), {}, {}, false, "Const");
    const std::string scope = wrapper_scope(*g, o.name, type);
    StackGuard in_scope(*g, scope.substr(0, scope.size() - 1));
    if (o.axes) {
      std::vector<std::int32_t> given(o.axes->begin(), o.axes->end());
      axes_ref = detail::build_constant(*g, HostTensor(given), {}, {}, false, "reduction_indices");
    }
    const int node = g->add_node(op, scope, {in, axes_ref}, {{s.dtype, out}},
                                 {{attr_name::kT, s.dtype}, {attr_name::kKeepDims, o.keepdims}});
    return g->tensor({node, 0});
  });
}

}  // namespace

Tensor relu(const Input& features, std::string_view name) {
  return build_unary(OpType::kRelu, features, name);
}
Tensor sigmoid(const Input& x, std::string_view name) {
  return build_unary(OpType::kSigmoid, x, name);
}
Tensor tanh(const Input& x, std::string_view name) {
  return build_unary(OpType::kTanh, x, name);
}
Tensor softmax(const Input& logits, std::string_view name) {
  return build_unary(OpType::kSoftmax, logits, name);
}

Tensor bias_add(const Input& value, const Input& bias, std::string_view name) {
  auto g = graph_of_input(value, "bias_add");
  return g->mutate([&] {
    const TensorRef v = g->ref_of(value.tensor());
    const detail::OutputSpec vs = spec(*g, v);
    const HostTensor literal = bias.is_literal() ? bias.literal().cast(vs.dtype) : HostTensor();
    const TensorRef b = bias.is_literal() ? TensorRef{} : g->ref_of(bias.tensor());
    const Shape bshape = bias.is_literal() ? literal.shape() : spec(*g, b).shape;
    const DType bdtype = bias.is_literal() ? literal.dtype() : spec(*g, b).dtype;
    const std::string op_name = name_for_errors(*g, name, "BiasAdd");
    const std::string shapes = " for '" + op_name +
                               "' (op: 'BiasAdd') with input shapes: " + vs.shape.to_list_string() +
                               ", " + bshape.to_list_string() + ".";
    if (bdtype != vs.dtype) {
      // TF converts the bias to the value's dtype first; a Tensor of another dtype fails there.
      throw ValueError("Tensor conversion requested dtype " + std::string(dtype_name(vs.dtype)) +
                       " for Tensor with dtype " + std::string(dtype_name(bdtype)) +
                       ": 'Tensor(\"" + bias.tensor().name() + "\", shape=" + bshape.to_string() +
                       ", dtype=" + std::string(dtype_name(bdtype)) + ")'");
    }
    // BiasAddShape checks the value's rank before the bias's.
    if (vs.shape.has_rank() && vs.shape.rank() < 2) {
      throw ValueError("Shape must be at least rank 2 but is rank " +
                       std::to_string(vs.shape.rank()) + shapes);
    }
    if (bshape.has_rank() && bshape.rank() != 1) {
      throw ValueError("Shape must be rank 1 but is rank " + std::to_string(bshape.rank()) +
                       shapes);
    }
    if (vs.shape.has_rank() && bshape.has_rank()) {
      const std::int64_t c = vs.shape.dim(vs.shape.rank() - 1);
      const std::int64_t n = bshape.dim(0);
      if (c != kUnknownDim && n != kUnknownDim && c != n) {
        throw ValueError("Dimensions must be equal, but are " + std::to_string(c) + " and " +
                         std::to_string(n) + shapes);
      }
    }
    const std::string scope = wrapper_scope(*g, name, "BiasAdd");
    StackGuard in_scope(*g, scope.substr(0, scope.size() - 1));
    const TensorRef bi =
        bias.is_literal() ? detail::build_constant(*g, literal, {}, {}, false, "bias") : b;
    const int node =
        g->add_node(OpType::kBiasAdd, scope, {v, bi}, {vs}, {{attr_name::kT, vs.dtype}});
    return g->tensor({node, 0});
  });
}

Tensor reduce_sum(const Input& x, const ReduceOptions& options) {
  return build_reduce(OpType::kSum, x, options);
}
Tensor reduce_mean(const Input& x, const ReduceOptions& options) {
  return build_reduce(OpType::kMean, x, options);
}

Tensor cast(const Input& x, DType dtype, std::string_view name) {
  auto g = graph_of_input(x, "cast");
  return g->mutate([&] {
    const TensorRef in = g->ref_of(x.tensor());
    const detail::OutputSpec s = spec(*g, in);
    if (s.dtype == dtype) return x.tensor();  // tf.cast returns x itself
    auto supported = [](DType d) {
      return d == DType::kFloat32 || d == DType::kFloat64 || d == DType::kInt32 ||
             d == DType::kInt64;
    };
    if (!supported(s.dtype) || !supported(dtype)) {
      throw UnimplementedError("Cast from " + std::string(dtype_name(s.dtype)) + " to " +
                               std::string(dtype_name(dtype)) + " is not supported");
    }
    const int node =
        g->add_node(OpType::kCast, wrapper_scope(*g, name, "Cast"), {in}, {{dtype, s.shape}},
                    {{attr_name::kSrcT, s.dtype}, {attr_name::kDstT, dtype}});
    return g->tensor({node, 0});
  });
}

}  // namespace varscope
