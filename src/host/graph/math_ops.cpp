// TF's math_ops wrappers: the elementwise binary ops and operators, matmul, the unary
// math functions, add_n, the reductions and cast.
#include <string>
#include <vector>

#include "host/graph/builders.h"
#include "host/graph/elementwise_builders.h"
#include "host/graph/scope_guards.h"
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
using detail::spec;
using detail::wrapper_scope;

}  // namespace

namespace {

// The op's shape function checks the axes (a Const) against the input's rank.
Tensor build_reduce(OpType op, const Input& x, const ReduceOptions& o) {
  const std::string type(detail::op_def(op).name);
  auto g = graph_of_input(x, type.c_str());
  return g->mutate([&] {
    const TensorRef in = g->ref_of(x.tensor());
    const detail::OutputSpec s = spec(*g, in);
    detail::check_input_dtype(detail::op_def(op), 0, s.dtype);
    g->check_scope_name(o.name);
    // math_ops._ReductionDims: all axes become a Const built before the op, outside its
    // scope; explicit axes are converted inside it as "<op>/reduction_indices".
    TensorRef axes_ref;
    if (!o.axes) {
      if (!s.shape.has_rank()) {
        throw ValueError(type + " of a tensor of unknown rank needs explicit axes");
      }
      std::vector<std::int32_t> all(static_cast<std::size_t>(s.shape.rank()));
      for (std::size_t a = 0; a < all.size(); ++a)
        all[a] = static_cast<std::int32_t>(a);
      axes_ref = detail::build_constant(*g, HostTensor(all), {}, {}, false, "Const");
    }
    const std::string scope = wrapper_scope(*g, o.name, type);
    StackGuard in_scope(*g, scope.substr(0, scope.size() - 1));
    if (o.axes) {
      std::vector<std::int32_t> given(o.axes->begin(), o.axes->end());
      axes_ref = detail::build_constant(*g, HostTensor(given), {}, {}, false, "reduction_indices");
    }
    const int node = detail::add_op(*g, op, scope, {in, axes_ref},
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
    g->check_scope_name(options.name);
    const bool batched = (sa.has_rank() && sa.rank() > 2) || (sb.has_rank() && sb.rank() > 2);
    const OpType op = batched ? OpType::kBatchMatMulV2 : OpType::kMatMul;
    const std::string type(detail::op_def(op).name);
    if (da != db) {
      throw TypeError("Input 'b' of '" + type + "' Op has type " + std::string(dtype_name(db)) +
                      " that does not match type " + std::string(dtype_name(da)) +
                      " of argument 'a'.");
    }
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
    const int node = detail::add_op(*g, op, scope, {ai, bi}, std::move(attrs));
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
    const DType dtype = spec(*g, refs.front()).dtype;
    for (const TensorRef& r : refs) {
      const DType d = spec(*g, r).dtype;
      if (d != dtype) {
        throw TypeError("AddN: inputs of " + std::string(dtype_name(dtype)) + " and " +
                        std::string(dtype_name(d)));
      }
    }
    // math_ops.add_n of one tensor: the tensor itself, or its Identity when named.
    if (refs.size() == 1) return name.empty() ? inputs.front() : identity(inputs.front(), name);
    const int node = detail::add_op(
        *g, OpType::kAddN, wrapper_scope(*g, name, "AddN"), refs,
        {{attr_name::kN, static_cast<std::int64_t>(refs.size())}, {attr_name::kT, dtype}});
    return g->tensor({node, 0});
  });
}

Tensor reduce_sum(const Input& x, const ReduceOptions& options) {
  return build_reduce(OpType::kSum, x, options);
}

Tensor reduce_mean(const Input& x, const ReduceOptions& options) {
  return build_reduce(OpType::kMean, x, options);
}

Tensor reduce_max(const Input& x, const ReduceOptions& options) {
  return build_reduce(OpType::kMax, x, options);
}

Tensor reduce_min(const Input& x, const ReduceOptions& options) {
  return build_reduce(OpType::kMin, x, options);
}

Tensor reduce_prod(const Input& x, const ReduceOptions& options) {
  return build_reduce(OpType::kProd, x, options);
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
    // bool casts to numbers (accuracy's Equal, dropout's mask); nothing casts to bool yet.
    if (!(supported(s.dtype) || s.dtype == DType::kBool) || !supported(dtype)) {
      throw UnimplementedError("Cast from " + std::string(dtype_name(s.dtype)) + " to " +
                               std::string(dtype_name(dtype)) + " is not supported");
    }
    const int node = detail::add_op(*g, OpType::kCast, wrapper_scope(*g, name, "Cast"), {in},
                                    {{attr_name::kSrcT, s.dtype}, {attr_name::kDstT, dtype}});
    return g->tensor({node, 0});
  });
}

}  // namespace varscope
