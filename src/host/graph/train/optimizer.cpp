// tf.train.Optimizer's skeleton (optimizer.py): compute_gradients, apply_gradients (slots,
// then "<name>/" with the hyperparameters, one "update_<var>/" scope per variable, the
// optimizer's finish, the global step's AssignAdd) and minimize; and the global step.
#include <algorithm>
#include <string>

#include "host/graph/builders.h"
#include "host/graph/gradients/grad_fns.h"
#include "host/graph/op_defs.h"
#include "host/graph/scope_guards.h"
#include "varscope/errors.h"
#include "varscope/gradients.h"
#include "varscope/initializers.h"
#include "varscope/ops.h"
#include "varscope/train.h"

namespace varscope::train {

using detail::Access;
using detail::GraphImpl;
using detail::OpType;
using detail::StackGuard;
using detail::TensorRef;

namespace {

// Python's str() of [str(v) for v in variables]: ["<tf.Variable 'w:0' shape=(2,)
// dtype=float32_ref>", ...] (repr of a str holding single quotes: double-quoted).
std::string variables_repr(const std::vector<GradAndVar>& grads_and_vars) {
  std::string out = "[";
  for (const auto& gv : grads_and_vars) {
    if (out.size() > 1) out += ", ";
    const Variable& v = gv.second;
    out += "\"<tf.Variable '" + v.name() + "' shape=" + v.shape().to_string() +
           " dtype=" + dtype_ref_name(v.dtype()) + ">\"";
  }
  return out + "]";
}

// [?] + shape[1:]: the values of an IndexedSlices of a tensor of `shape`.
Shape sparse_rows_shape(const Shape& shape) {
  if (!shape.has_rank() || shape.rank() == 0) return shape;
  std::vector<std::int64_t> dims = shape.dims();
  dims[0] = kUnknownDim;
  return Shape(dims);
}

// TF's apply_gradients appends its op to GraphKeys.TRAIN_OP ("train_op") unless it is there.
Operation in_train_op_collection(Graph& g, Operation op) {
  const std::vector<Operation> listed = g.get_collection_operations("train_op");
  if (std::find(listed.begin(), listed.end(), op) == listed.end()) {
    g.add_to_collection("train_op", op);
  }
  return op;
}

}  // namespace

Variable get_or_create_global_step(Graph& g) {
  GraphImpl& impl = *Access::impl(g);
  return impl.mutate([&] {
    const std::vector<Variable> found = impl.collection(kGlobalStepKey, std::nullopt);
    if (!found.empty()) return found.front();
    StackGuard at_root(impl, "");  // training_util.create_global_step: g.name_scope(None)
    GetVariableOptions o;
    o.shape = Shape{};
    o.dtype = DType::kInt64;
    o.initializer = zeros_initializer();
    o.trainable = false;
    o.collections = std::vector<std::string>{GraphKeys::kGlobalVariables, kGlobalStepKey};
    return g.get_variable(kGlobalStepKey, o);
  });
}

Variable get_global_step(const Graph& g) {
  const std::vector<Variable> found = g.get_collection(kGlobalStepKey);
  return found.empty() ? Variable() : found.front();
}

std::vector<GradAndVar> Optimizer::compute_gradients(const Tensor& loss,
                                                     const std::vector<Variable>& var_list,
                                                     Gate gate) {
  auto g = Access::lock(loss);
  return g->mutate([&] {
    if (loss.dtype() != DType::kFloat32 && loss.dtype() != DType::kFloat64) {
      // Optimizer._assert_valid_dtypes (TF 1.15's list, float16 and bfloat16 included).
      throw ValueError("Invalid type tf." + std::string(dtype_name(loss.dtype())) + " for " +
                       loss.name() +
                       ", expected: [tf.float32, tf.float64, tf.float16, tf.bfloat16].");
    }
    std::vector<Variable> vars =
        var_list.empty() ? g->collection(GraphKeys::kTrainableVariables, std::nullopt) : var_list;
    if (vars.empty()) throw ValueError("No variables to optimize.");
    for (const Variable& v : vars) {
      if (Access::lock(v) != g) throw ValueError("gradients: a variable of another graph");
    }
    const std::vector<Gradient> grads =
        detail::optimizer_gradients(*g, loss, vars, gate == Gate::kOp, gate == Gate::kGraph);
    std::vector<GradAndVar> out;
    for (std::size_t i = 0; i < vars.size(); ++i)
      out.emplace_back(grads[i], vars[i]);
    return out;
  });
}

Operation Optimizer::apply_gradients(const std::vector<GradAndVar>& grads_and_vars,
                                     const Variable& global_step,
                                     std::string_view name) {
  if (grads_and_vars.empty()) throw ValueError("No variables provided.");
  auto impl = Access::lock(grads_and_vars.front().second);
  Graph g = Access::graph(impl);
  return build_apply(g, grads_and_vars, global_step, name);
}

Operation Optimizer::build_apply(Graph& g,
                                 const std::vector<GradAndVar>& grads_and_vars,
                                 const Variable& global_step,
                                 std::string_view name) {
  const std::shared_ptr<GraphImpl>& impl = Access::impl(g);
  return impl->mutate([&] {
    // Should the outermost building call fail (this one, or minimize's around it), the
    // graph takes back the variables made here and will hand their ids out again: forget
    // them then, once the graph has. `this` outlives that moment: only this optimizer's
    // own calls open the building call that build_apply joins.
    impl->on_roll_back([this, slots = slots_.size(), non_slots = non_slots_.size()] {
      slots_.erase(slots_.begin() + static_cast<std::ptrdiff_t>(slots), slots_.end());
      non_slots_.erase(non_slots_.begin() + static_cast<std::ptrdiff_t>(non_slots),
                       non_slots_.end());
    });
    std::vector<GradAndVar> live;
    std::vector<int> grad_ops;
    for (const auto& [grad, var] : grads_and_vars) {
      if (!grad.valid()) continue;
      if (grad.dtype() != var.dtype()) {
        throw TypeError("Gradient of " + std::string(dtype_name(grad.dtype())) + " for " +
                        var.name() + " of " + std::string(dtype_name(var.dtype())));
      }
      // An IndexedSlices' rows are the variable's ([?] + its shape[1:]).
      const Shape want = grad.is_indexed_slices() ? sparse_rows_shape(var.shape()) : var.shape();
      if (!grad.values().shape().is_compatible_with(want)) {
        throw ValueError("Shapes " + grad.values().shape().to_list_string() + " and " +
                         want.to_list_string() + " are incompatible (" + var.name() + ")");
      }
      live.emplace_back(grad, var);
      grad_ops.push_back(Access::id(grad.op()));
      if (grad.is_indexed_slices())
        grad_ops.push_back(Access::id(grad.indexed_slices().indices.op()));
    }
    if (live.empty()) {
      throw ValueError("No gradients provided for any variable: " + variables_repr(grads_and_vars) +
                       ".");
    }
    std::vector<Variable> vars;
    for (const auto& gv : live)
      vars.push_back(gv.second);
    create_slots(g, vars);

    const std::string scope = impl->resolve_name_scope(name.empty() ? name_ : name);
    StackGuard in_scope(*impl, scope);
    prepare(g);
    // Every gradient is computed before any variable changes: the reads are not snapshots.
    // One NoOp gathers them (a varscope addition), so n updates need n edges, not n * n.
    const int ready =
        detail::add_op(*impl, OpType::kNoOp, "gradients_ready", {}, {}, std::move(grad_ops));
    const std::vector<Operation> after{Access::operation(impl, ready)};
    std::vector<Operation> updates;
    for (const auto& [grad, var] : live) {
      StackGuard in_update(*impl, impl->resolve_name_scope("update_" + var.op_name()));
      detail::ColocateGuard at_variable(*impl, Access::id(var.op()));
      updates.push_back(grad.is_indexed_slices()
                            ? apply_sparse_duplicate_indices(g, grad.indexed_slices(), var, after)
                            : apply_dense(g, grad.dense(), var, after));
    }
    std::vector<int> deps;
    for (const Operation& op : finish(g, updates))
      deps.push_back(Access::id(op));
    if (!global_step.valid()) {
      const int node = detail::build_group(*impl, detail::scope_string(scope), std::move(deps));
      return in_train_op_collection(g, Access::operation(impl, node));
    }
    const int update = detail::build_group(
        *impl, detail::scope_string(impl->resolve_name_scope("update")), std::move(deps));
    detail::ColocateGuard at_step(*impl, Access::id(global_step.op()));
    const DType step_dtype = global_step.dtype();
    const TensorRef one = detail::build_constant(
        *impl, HostTensor(std::int64_t{1}).cast(step_dtype), {}, {}, false, "value");
    const int node = detail::add_op(
        *impl, OpType::kAssignAdd, detail::scope_string(scope),
        {{Access::id(global_step.op()), 0}, one},
        {{detail::attr_name::kT, step_dtype}, {detail::attr_name::kUseLocking, false}}, {update});
    return in_train_op_collection(g, Access::operation(impl, node));
  });
}

Operation Optimizer::minimize(const Tensor& loss,
                              const Variable& global_step,
                              const std::vector<Variable>& var_list,
                              std::string_view name,
                              Gate gate) {
  auto g = Access::lock(loss);
  return g->mutate([&] {
    const std::vector<GradAndVar> grads = compute_gradients(loss, var_list, gate);
    const bool none = std::none_of(grads.begin(), grads.end(),
                                   [](const GradAndVar& gv) { return gv.first.valid(); });
    if (none) {  // minimize's own text, before apply_gradients'
      const Shape& s = loss.shape();
      throw ValueError(
          "No gradients provided for any variable, check your graph for ops that do not "
          "support gradients, between variables " +
          variables_repr(grads) + " and loss Tensor(\"" + loss.name() +
          "\", shape=" + s.to_string() + ", dtype=" + std::string(dtype_name(loss.dtype())) + ").");
    }
    return apply_gradients(grads, global_step, name);
  });
}

Variable Optimizer::get_slot(const Variable& var, std::string_view slot_name) const {
  const std::string key = var.op_name() + "|" + std::string(slot_name);
  for (const auto& [k, v] : slots_) {
    if (k == key) return v;
  }
  return {};
}

std::vector<Operation> Optimizer::finish(Graph&, const std::vector<Operation>& updates) {
  return updates;
}

// slot_creator.create_zeros_slot: in variable_scope(None, default_name="<var>/<op_name>")
// (uniquified: "<var>/Adam_1"), get_variable("", zeros, not trainable); the store key is
// the scope's name with a trailing '/', the variable's name the scope's.
Variable Optimizer::zeros_slot(Graph& g,
                               const Variable& var,
                               std::string_view slot_name,
                               std::string_view op_name) {
  Variable found = get_slot(var, slot_name);
  if (found.valid()) return found;
  GetVariableOptions o;
  o.shape = var.shape();
  o.dtype = var.dtype();
  o.initializer = zeros_initializer();
  o.trainable = false;
  Variable slot;
  {
    // slot_creator: colocate_with(primary), so the slot lives where its variable does.
    detail::ColocateGuard at_primary(*Access::impl(g), Access::id(var.op()));
    VariableScopeOptions scope_options;
    scope_options.default_name = var.op_name() + "/" + std::string(op_name);
    auto in_slot = g.variable_scope(std::nullopt, scope_options);
    slot = g.get_variable("", o);
  }
  slots_.emplace_back(var.op_name() + "|" + std::string(slot_name), slot);
  return slot;
}

Variable Optimizer::non_slot(Graph& g,
                             const HostTensor& initial_value,
                             std::string_view name,
                             const Variable& colocate_with) {
  Variable found = find_non_slot(name);
  if (found.valid()) return found;
  VariableOptions o;
  o.trainable = false;
  o.name = std::string(name);
  detail::ColocateGuard at_variable(*Access::impl(g), Access::id(colocate_with.op()));
  Variable v = g.variable(initial_value, o);
  non_slots_.emplace_back(std::string(name), v);
  return v;
}

Variable Optimizer::find_non_slot(std::string_view name) const {
  for (const auto& [k, v] : non_slots_) {
    if (k == name) return v;
  }
  return {};
}

}  // namespace varscope::train
