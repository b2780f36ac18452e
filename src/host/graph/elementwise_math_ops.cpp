// TF's elementwise math wrappers of issue 24 (varscope/math_ops.h): the unary functions,
// maximum/minimum/pow/squared_difference, the comparisons and logical ops, and the integer
// quotients; each one node through its op-table row.
#include <string>

#include "host/graph/elementwise_builders.h"
#include "host/graph/scope_guards.h"
#include "varscope/errors.h"
#include "varscope/math_ops.h"

namespace varscope {

using detail::OpType;
using detail::TensorRef;

namespace detail {

void check_bool_input(OpType op, std::string_view input, DType dtype) {
  if (dtype == DType::kBool) return;
  throw TypeError("Input '" + std::string(input) + "' of '" + std::string(op_def(op).name) +
                  "' Op has type " + std::string(dtype_name(dtype)) +
                  " that does not match expected type of bool.");
}

Tensor build_elementwise(OpType op, std::string_view scope_name, const Input& x, const Input& y) {
  const OpDef& def = op_def(op);
  if (x.is_literal() && y.is_literal()) {
    throw ValueError(std::string(def.name) + " needs at least one Tensor input to know its graph");
  }
  auto g = Access::lock(x.is_literal() ? y.tensor() : x.tensor());
  return g->mutate([&] {
    // TF enters the name scope first: an invalid name is reported before any other error.
    g->check_scope_name(scope_name);
    const TensorRef xr = x.is_literal() ? TensorRef{} : g->ref_of(x.tensor());
    const TensorRef yr = y.is_literal() ? TensorRef{} : g->ref_of(y.tensor());
    // Literals take the dtype of the tensor beside them (op_def_library's inference).
    const DType dtype = x.is_literal() ? spec(*g, yr).dtype : spec(*g, xr).dtype;
    const HostTensor xl = x.is_literal() ? x.literal().cast(dtype) : HostTensor();
    const HostTensor yl = y.is_literal() ? y.literal().cast(dtype) : HostTensor();
    const DType dx = x.is_literal() ? dtype : spec(*g, xr).dtype;
    const DType dy = y.is_literal() ? dtype : spec(*g, yr).dtype;
    const bool typed = def.num_attrs > 0;  // LogicalAnd and LogicalOr: bool, no T
    if (!typed) {
      check_bool_input(op, "x", dx);
      check_bool_input(op, "y", dy);
    } else {
      check_input_dtype(def, 0, dx);
      if (dx != dy) {
        throw TypeError("Input 'y' of '" + std::string(def.name) + "' Op has type " +
                        std::string(dtype_name(dy)) + " that does not match type " +
                        std::string(dtype_name(dx)) + " of argument 'x'.");
      }
    }
    const std::string stack = g->resolve_name_scope(scope_name);
    StackGuard in_scope(*g, stack);
    const TensorRef xi = x.is_literal() ? build_constant(*g, xl, {}, {}, false, "x") : xr;
    const TensorRef yi = y.is_literal() ? build_constant(*g, yl, {}, {}, false, "y") : yr;
    Attrs attrs;
    if (typed) attrs.emplace_back(attr_name::kT, dx);
    const int node = add_op(*g, op, scope_string(stack), {xi, yi}, std::move(attrs));
    return g->tensor({node, 0});
  });
}

// Select / SelectV2 as gen_math_ops makes them: name scope entered, literal branches
// converted to the other branch's dtype as Consts "t" and "e", TF's type checks.
Tensor build_select(
    OpType op, std::string_view name, const Input& c, const Input& t, const Input& e) {
  const OpDef& def = op_def(op);
  if (c.is_literal()) throw ValueError(std::string(def.name) + " needs a Tensor condition");
  auto g = Access::lock(c.tensor());
  return g->mutate([&] {
    g->check_scope_name(name);
    const TensorRef cr = g->ref_of(c.tensor());
    check_bool_input(op, "condition", spec(*g, cr).dtype);
    if (t.is_literal() && e.is_literal()) {
      throw ValueError(std::string(def.name) + " needs a Tensor t or e to know its dtype");
    }
    const TensorRef tr = t.is_literal() ? TensorRef{} : g->ref_of(t.tensor());
    const TensorRef er = e.is_literal() ? TensorRef{} : g->ref_of(e.tensor());
    const DType dtype = t.is_literal() ? spec(*g, er).dtype : spec(*g, tr).dtype;
    const DType de = e.is_literal() ? dtype : spec(*g, er).dtype;
    if (de != dtype) {
      throw TypeError("Input 'e' of '" + std::string(def.name) + "' Op has type " +
                      std::string(dtype_name(de)) + " that does not match type " +
                      std::string(dtype_name(dtype)) + " of argument 't'.");
    }
    const std::string stack = g->resolve_name_scope(name.empty() ? def.name : name);
    StackGuard in_scope(*g, stack);
    const TensorRef ti =
        t.is_literal() ? build_constant(*g, t.literal().cast(dtype), {}, {}, false, "t") : tr;
    const TensorRef ei =
        e.is_literal() ? build_constant(*g, e.literal().cast(dtype), {}, {}, false, "e") : er;
    const int node = add_op(*g, op, scope_string(stack), {cr, ti, ei}, {{attr_name::kT, dtype}});
    return g->tensor({node, 0});
  });
}

Tensor build_truediv(std::string_view scope_name, const Input& x, const Input& y) {
  if (x.is_literal() && y.is_literal()) {
    throw ValueError("truediv needs at least one Tensor input to know its graph");
  }
  const DType dtype = x.is_literal() ? y.tensor().dtype() : x.tensor().dtype();
  if (is_floating(dtype)) return build_binary_op(OpType::kRealDiv, scope_name, x, y);
  if (!is_integer(dtype)) {
    throw TypeError("Invalid dtype tf." + std::string(dtype_name(dtype)) + " in __truediv__");
  }
  const DType to =
      dtype == DType::kInt32 || dtype == DType::kInt64 ? DType::kFloat64 : DType::kFloat32;
  auto g = Access::lock(x.is_literal() ? y.tensor() : x.tensor());
  return g->mutate([&] {
    g->check_scope_name(scope_name);
    if (!x.is_literal() && !y.is_literal() && x.tensor().dtype() != y.tensor().dtype()) {
      throw TypeError("x and y must have the same dtype, got tf." +
                      std::string(dtype_name(x.tensor().dtype())) + " != tf." +
                      std::string(dtype_name(y.tensor().dtype())));
    }
    const std::string stack = g->resolve_name_scope(scope_name);
    StackGuard in_scope(*g, stack);
    const auto operand = [&](const Input& in, std::string_view name) {
      return in.is_literal() ? build_constant(*g, in.literal().cast(dtype), {}, {}, false, name)
                             : g->ref_of(in.tensor());
    };
    const TensorRef xi = operand(x, "x");
    const TensorRef yi = operand(y, "y");
    const auto cast = [&](TensorRef r, std::string_view name) {
      const int node = g->add_node(OpType::kCast, name, {r}, {{to, spec(*g, r).shape}},
                                   {{attr_name::kSrcT, dtype}, {attr_name::kDstT, to}});
      return TensorRef{node, 0};
    };
    const TensorRef cx = cast(xi, "Cast");
    const TensorRef cy = cast(yi, "Cast");
    return g->tensor(build_binary(*g, OpType::kRealDiv, scope_string(stack), cx, cy));
  });
}

}  // namespace detail

namespace {

Tensor binary(OpType op,
              std::string_view name,
              std::string_view default_name,
              const Input& x,
              const Input& y) {
  return detail::build_elementwise(op, name.empty() ? default_name : name, x, y);
}

}  // namespace

// --- unary ---
Tensor sqrt(const Input& x, std::string_view name) {
  return detail::build_unary(OpType::kSqrt, x, name);
}
Tensor rsqrt(const Input& x, std::string_view name) {
  return detail::build_unary(OpType::kRsqrt, x, name);
}
Tensor log1p(const Input& x, std::string_view name) {
  return detail::build_unary(OpType::kLog1p, x, name);
}
Tensor abs(const Input& x, std::string_view name) {
  return detail::build_unary(OpType::kAbs, x, name);
}
Tensor sign(const Input& x, std::string_view name) {
  return detail::build_unary(OpType::kSign, x, name);
}
Tensor reciprocal(const Input& x, std::string_view name) {
  return detail::build_unary(OpType::kReciprocal, x, name);
}
Tensor floor(const Input& x, std::string_view name) {
  return detail::build_unary(OpType::kFloor, x, name);
}
Tensor ceil(const Input& x, std::string_view name) {
  return detail::build_unary(OpType::kCeil, x, name);
}
Tensor round(const Input& x, std::string_view name) {
  // math_ops.round: an integer tensor is its own rounding (x itself, no node).
  if (!x.is_literal() && is_integer(x.tensor().dtype())) return x.tensor();
  return detail::build_unary(OpType::kRound, x, name);
}

Tensor logical_not(const Input& x, std::string_view name) {
  const detail::OpDef& def = detail::op_def(OpType::kLogicalNot);
  auto g = detail::graph_of_input(x, def.name);
  return g->mutate([&] {
    const TensorRef in = g->ref_of(x.tensor());
    detail::check_bool_input(OpType::kLogicalNot, "x", detail::spec(*g, in).dtype);
    const int node = detail::add_op(*g, OpType::kLogicalNot,
                                    detail::wrapper_scope(*g, name, def.name), {in}, {});
    return g->tensor({node, 0});
  });
}

// --- binary ---
Tensor maximum(const Input& x, const Input& y, std::string_view name) {
  return binary(OpType::kMaximum, name, "Maximum", x, y);
}
Tensor minimum(const Input& x, const Input& y, std::string_view name) {
  return binary(OpType::kMinimum, name, "Minimum", x, y);
}
Tensor pow(const Input& x, const Input& y, std::string_view name) {
  return binary(OpType::kPow, name, "Pow", x, y);
}
Tensor div_no_nan(const Input& x, const Input& y, std::string_view name) {
  return binary(OpType::kDivNoNan, name, "div_no_nan", x, y);
}

Tensor squared_difference(const Input& x, const Input& y, std::string_view name) {
  return binary(OpType::kSquaredDifference, name, "SquaredDifference", x, y);
}
Tensor equal(const Input& x, const Input& y, std::string_view name) {
  return binary(OpType::kEqual, name, "Equal", x, y);
}
Tensor not_equal(const Input& x, const Input& y, std::string_view name) {
  return binary(OpType::kNotEqual, name, "NotEqual", x, y);
}
Tensor greater(const Input& x, const Input& y, std::string_view name) {
  return binary(OpType::kGreater, name, "Greater", x, y);
}
Tensor greater_equal(const Input& x, const Input& y, std::string_view name) {
  return binary(OpType::kGreaterEqual, name, "GreaterEqual", x, y);
}
Tensor less(const Input& x, const Input& y, std::string_view name) {
  return binary(OpType::kLess, name, "Less", x, y);
}
Tensor less_equal(const Input& x, const Input& y, std::string_view name) {
  return binary(OpType::kLessEqual, name, "LessEqual", x, y);
}
Tensor logical_and(const Input& x, const Input& y, std::string_view name) {
  return binary(OpType::kLogicalAnd, name, "LogicalAnd", x, y);
}
Tensor logical_or(const Input& x, const Input& y, std::string_view name) {
  return binary(OpType::kLogicalOr, name, "LogicalOr", x, y);
}
Tensor truncatediv(const Input& x, const Input& y, std::string_view name) {
  return binary(OpType::kTruncateDiv, name, "TruncateDiv", x, y);
}
Tensor floordiv(const Input& x, const Input& y, std::string_view name) {
  return binary(OpType::kFloorDiv, name, "floordiv", x, y);
}
Tensor where(const Input& condition, const Input& x, const Input& y, std::string_view name) {
  return detail::build_select(OpType::kSelect, name, condition, x, y);
}
Tensor where_v2(const Input& condition, const Input& x, const Input& y, std::string_view name) {
  return detail::build_select(OpType::kSelectV2, name, condition, x, y);
}

Tensor clip_by_value(const Input& t,
                     const Input& clip_value_min,
                     const Input& clip_value_max,
                     std::string_view name) {
  auto g = detail::graph_of_input(t, "clip_by_value");
  return g->mutate([&] {
    // clip_ops.clip_by_value: Minimum(t, max) in the scope, then Maximum(., min) named as the
    // scope; a broadcast that widens t is refused.
    g->check_scope_name(name);
    const std::string stack = g->resolve_name_scope(name.empty() ? "clip_by_value" : name);
    detail::StackGuard in_scope(*g, stack);
    const Tensor t_min = detail::build_elementwise(OpType::kMinimum, "Minimum", t, clip_value_max);
    const auto check = [&](const Tensor& r) {
      if (!t.tensor().shape().is_compatible_with(r.shape())) {
        throw ValueError("Shapes " + t.tensor().shape().to_string() + " and " +
                         r.shape().to_string() + " are not compatible");
      }
    };
    check(t_min);
    const Tensor t_max = detail::build_elementwise(OpType::kMaximum, detail::scope_string(stack),
                                                   t_min, clip_value_min);
    check(t_max);
    return t_max;
  });
}

Tensor floormod(const Input& x, const Input& y, std::string_view name) {
  return binary(OpType::kFloorMod, name, "FloorMod", x, y);
}

}  // namespace varscope
