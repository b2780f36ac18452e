// TF's math_ops wrappers: the elementwise binary ops and operators, matmul, the unary
// math functions, add_n, the reductions and cast.
#include <string>
#include <vector>

#include "host/graph/builders.h"
#include "host/graph/elementwise_builders.h"
#include "varscope/errors.h"
#include "varscope/ops.h"

namespace varscope {

using detail::Access;
using detail::OpType;
using detail::StackGuard;
using detail::TensorRef;
namespace attr_name = detail::attr_name;

namespace {

using detail::graph_of_input;
using detail::name_for_errors;
using detail::spec;
using detail::wrapper_scope;

}  // namespace

namespace {

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
  return detail::build_truediv(name.empty() ? "truediv" : name, x, y);
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
  return detail::build_truediv("truediv", x, y);
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

Tensor sigmoid(const Input& x, std::string_view name) {
  return detail::build_unary(OpType::kSigmoid, x, name);
}

Tensor tanh(const Input& x, std::string_view name) {
  return detail::build_unary(OpType::kTanh, x, name);
}

Tensor square(const Input& x, std::string_view name) {
  return detail::build_unary(OpType::kSquare, x, name);
}

Tensor exp(const Input& x, std::string_view name) {
  return detail::build_unary(OpType::kExp, x, name);
}

Tensor log(const Input& x, std::string_view name) {
  return detail::build_unary(OpType::kLog, x, name);
}

Tensor negative(const Input& x, std::string_view name) {
  return detail::build_unary(OpType::kNeg, x, name);
}

Tensor add_n(const std::vector<Tensor>& inputs, std::string_view name) {
  if (inputs.empty()) throw ValueError("inputs must be a list of at least one Tensor");
  auto g = Access::lock(inputs.front());
  return g->mutate([&] {
    std::vector<TensorRef> refs;
    for (const Tensor& t : inputs)
      refs.push_back(g->ref_of(t));
    const detail::OutputSpec first = spec(*g, refs.front());
    Shape shape = first.shape;
    for (const TensorRef& r : refs) {
      const detail::OutputSpec& s = spec(*g, r);
      if (s.dtype != first.dtype) {
        throw TypeError("AddN: inputs of " + std::string(dtype_name(first.dtype)) + " and " +
                        std::string(dtype_name(s.dtype)));
      }
      if (!s.shape.is_compatible_with(shape)) {
        throw ValueError("Shapes must be equal: " + shape.to_list_string() + " and " +
                         s.shape.to_list_string() + " (AddN)");
      }
      if (!shape.is_fully_defined()) shape = s.shape;
    }
    if (refs.size() == 1) return inputs.front();
    const int node = g->add_node(
        OpType::kAddN, wrapper_scope(*g, name, "AddN"), refs, {{first.dtype, shape}},
        {{attr_name::kN, static_cast<std::int64_t>(refs.size())}, {attr_name::kT, first.dtype}});
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
