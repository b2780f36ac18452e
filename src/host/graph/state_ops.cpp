// TF's state_ops and control_flow_ops.group: assign, assign_add and group.
#include <string>
#include <vector>

#include "host/graph/builders.h"
#include "varscope/errors.h"
#include "varscope/ops.h"

namespace varscope {

using detail::Access;
using detail::OpType;
using detail::StackGuard;
using detail::TensorRef;
namespace attr_name = detail::attr_name;

namespace {

using detail::name_for_errors;
using detail::spec;
using detail::wrapper_scope;

}  // namespace

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
