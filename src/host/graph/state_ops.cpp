// TF's state_ops and control_flow_ops.group: assign, assign_add, assign_sub and group.
#include <string>
#include <vector>

#include "host/graph/builders.h"
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

using detail::spec;
using detail::wrapper_scope;

}  // namespace

namespace {

// state_ops.assign / assign_add: the value must have the variable's dtype and shape.
Tensor build_assign(OpType op,
                    const Variable& ref,
                    const Input& value,
                    std::string_view name,
                    bool use_locking = true) {
  const std::string type(detail::op_def(op).name);
  auto g = Access::lock(ref);
  return g->mutate([&] {
    const detail::VariableRecord& var = g->variables.at(static_cast<std::size_t>(ref.id()));
    g->check_scope_name(name);
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
    if (dtype != var.dtype) {
      throw TypeError("Input 'value' of '" + type + "' Op has type " +
                      std::string(dtype_name(dtype)) + " that does not match type " +
                      std::string(dtype_name(var.dtype)) + " of argument 'ref'.");
    }
    const std::string scope = wrapper_scope(*g, name, type);
    StackGuard in_scope(*g, scope.substr(0, scope.size() - 1));
    if (value.is_literal()) value_ref = detail::build_constant(*g, literal, {}, {}, false, "value");
    // The shape function merges the value's shape with the variable's (TF's texts).
    const int node =
        detail::add_op(*g, op, scope, {{var.node, 0}, value_ref},
                       {{attr_name::kT, var.dtype}, {attr_name::kUseLocking, use_locking}});
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

Tensor assign_sub(const Variable& ref, const Input& value, std::string_view name) {
  return build_assign(OpType::kAssignSub, ref, value, name, /*use_locking=*/false);
}

Operation no_op(Graph& graph, std::string_view name) {
  const auto& g = Access::impl(graph);
  return g->mutate([&] {
    g->check_scope_name(name);
    const int node =
        detail::add_op(*g, OpType::kNoOp, name.empty() ? std::string_view("NoOp") : name, {}, {});
    return Access::operation(g, node);
  });
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
    const int node =
        detail::build_group(*g, wrapper_scope(*g, name, "group_deps"), std::move(deps));
    return Access::operation(g, node);
  });
}

}  // namespace varscope
