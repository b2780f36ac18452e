// The optimizers' updates of an IndexedSlices gradient, as TF 1.15's _apply_sparse (in the
// "<opt>/update_<var>/" scope, colocated with the variable): the repeated indices summed
// first (_deduplicate_indexed_slices), then GradientDescent's ScatterSub, Momentum's
// SparseApplyMomentum and Adam's scatter_add form (m and v decayed whole, the named rows
// added, the variable updated whole: TF's sparse Adam).
#include <string>

#include "host/graph/array/array_builders.h"
#include "host/graph/builders.h"
#include "host/graph/gradients/grad_fns.h"
#include "host/graph/op_defs.h"
#include "varscope/math_ops.h"
#include "varscope/ops.h"
#include "varscope/train.h"

namespace varscope::train {

using detail::Access;
using detail::GraphImpl;
using detail::OpType;
using detail::TensorRef;
namespace attr_name = detail::attr_name;

namespace {

TensorRef ref(const Tensor& t) {
  return Access::ref(t);
}
TensorRef var_ref(const Variable& v) {
  return {Access::id(v.op()), 0};
}
std::vector<int> ids_of(const std::vector<Operation>& ops) {
  std::vector<int> ids;
  for (const Operation& o : ops)
    ids.push_back(Access::id(o));
  return ids;
}

// A state op named `name` in the current scope; its output is the updated ref.
Tensor state_node(Graph& g,
                  OpType op,
                  std::string_view name,
                  std::vector<TensorRef> inputs,
                  detail::Attrs attrs,
                  std::vector<int> deps) {
  GraphImpl& impl = *Access::impl(g);
  const int node =
      detail::add_op(impl, op, name, std::move(inputs), std::move(attrs), std::move(deps));
  return impl.tensor({node, 0});
}

Tensor scatter(Graph& g,
               OpType op,
               std::string_view name,
               const Variable& var,
               const Tensor& indices,
               const Tensor& updates,
               std::vector<int> deps) {
  return state_node(g, op, name, {var_ref(var), ref(indices), ref(updates)},
                    {{attr_name::kT, var.dtype()},
                     {attr_name::kTindices, indices.dtype()},
                     {attr_name::kUseLocking, false}},
                    std::move(deps));
}

Tensor assign(Graph& g,
              OpType op,
              std::string_view name,
              const Variable& var,
              const Tensor& value,
              std::vector<int> deps) {
  detail::Attrs attrs{{attr_name::kT, var.dtype()}, {attr_name::kUseLocking, false}};
  if (op == OpType::kAssign) attrs.push_back({attr_name::kValidateShape, true});
  return state_node(g, op, name, {var_ref(var), ref(value)}, std::move(attrs), std::move(deps));
}

}  // namespace

// _deduplicate_indexed_slices: unique(indices), then unsorted_segment_sum(values, idx,
// shape(unique)[0]).
Operation Optimizer::apply_sparse_duplicate_indices(Graph& g,
                                                    const IndexedSlices& grad,
                                                    const Variable& var,
                                                    const std::vector<Operation>& after) {
  GraphImpl& impl = *Access::impl(g);
  const DType index_dtype = grad.indices.dtype();
  const int unique =
      detail::add_op(impl, OpType::kUnique, "Unique", {ref(grad.indices)},
                     {{attr_name::kT, index_dtype}, {attr_name::kOutIdx, DType::kInt32}});
  const TensorRef unique_shape = detail::build_shape(impl, {unique, 0}, DType::kInt32, "");
  const Shape& values_shape = grad.values.shape();
  detail::IndexedSlicesRef positions{{unique, 1}, unique_shape, Shape::unknown_rank()};
  if (values_shape.has_rank() && values_shape.rank() >= 1) {
    std::vector<std::int64_t> dims = values_shape.dims();
    dims[0] = kUnknownDim;
    positions.shape = Shape(dims);
  }
  const TensorRef summed = detail::densify(impl, ref(grad.values), positions);
  IndexedSlices deduplicated{impl.tensor(summed), impl.tensor({unique, 0}), grad.dense_shape,
                             grad.shape};
  return apply_sparse(g, deduplicated, var, after);
}

// ---- GradientDescent: var.scatter_sub(values * lr), repeated indices as they are ----
Operation GradientDescentOptimizer::apply_sparse_duplicate_indices(
    Graph& g, const IndexedSlices& grad, const Variable& var, const std::vector<Operation>& after) {
  return apply_sparse(g, grad, var, after);
}

Operation GradientDescentOptimizer::apply_sparse(Graph& g,
                                                 const IndexedSlices& grad,
                                                 const Variable& var,
                                                 const std::vector<Operation>& after) {
  const Tensor delta = grad.values * cast(lr_t_, var.dtype());
  return scatter(g, OpType::kScatterSub, "ScatterSub", var, grad.indices, delta, ids_of(after))
      .op();
}

// ---- Momentum: SparseApplyMomentum ----
Operation MomentumOptimizer::apply_sparse(Graph& g,
                                          const IndexedSlices& grad,
                                          const Variable& var,
                                          const std::vector<Operation>& after) {
  const Variable accum = get_slot(var, "momentum");
  const Tensor lr = cast(lr_t_, var.dtype());
  const Tensor momentum = cast(momentum_t_, var.dtype());
  return state_node(g, OpType::kSparseApplyMomentum, "SparseApplyMomentum",
                    {var_ref(var), var_ref(accum), ref(lr), ref(grad.values), ref(grad.indices),
                     ref(momentum)},
                    {{attr_name::kT, var.dtype()},
                     {attr_name::kTindices, grad.indices.dtype()},
                     {attr_name::kUseLocking, false},
                     {attr_name::kUseNesterov, use_nesterov_}},
                    ids_of(after))
      .op();
}

// ---- Adam: _apply_sparse_shared with scatter_add ----
Operation AdamOptimizer::apply_sparse(Graph& g,
                                      const IndexedSlices& grad,
                                      const Variable& var,
                                      const std::vector<Operation>& after) {
  const DType dtype = var.dtype();
  const std::vector<int> deps = ids_of(after);
  const Tensor b1p = cast(find_non_slot("beta1_power").value(), dtype);
  const Tensor b2p = cast(find_non_slot("beta2_power").value(), dtype);
  const Tensor lr_t = cast(lr_t_, dtype);
  const Tensor beta1 = cast(beta1_t_, dtype);
  const Tensor beta2 = cast(beta2_t_, dtype);
  const Tensor epsilon = cast(epsilon_t_, dtype);
  // lr = lr_t * sqrt(1 - beta2_power) / (1 - beta1_power), in Python's order.
  const Tensor root = sqrt(1.0 - b2p);
  const Tensor scaled_lr = lr_t * root;
  const Tensor lr = scaled_lr / (1.0 - b1p);
  // m_t = assign(m, m * beta1); then scatter_add(m, indices, values * (1 - beta1)).
  const Variable m = get_slot(var, "m");
  const Tensor m_scaled_values = grad.values * (1.0 - beta1);
  const Tensor m_decayed = assign(g, OpType::kAssign, "Assign", m, m * beta1, deps);
  const Tensor m_t = scatter(g, OpType::kScatterAdd, "ScatterAdd", m, grad.indices, m_scaled_values,
                             {Access::id(m_decayed.op())});
  // The same for v with values^2 and beta2.
  const Variable v = get_slot(var, "v");
  const Tensor squared = grad.values * grad.values;
  const Tensor v_scaled_values = squared * (1.0 - beta2);
  const Tensor v_decayed = assign(g, OpType::kAssign, "Assign_1", v, v * beta2, deps);
  const Tensor v_t = scatter(g, OpType::kScatterAdd, "ScatterAdd_1", v, grad.indices,
                             v_scaled_values, {Access::id(v_decayed.op())});
  // var -= lr * m_t / (sqrt(v_t) + epsilon)
  const Tensor v_sqrt = sqrt(v_t);
  const Tensor step = lr * m_t;
  const Tensor denominator = v_sqrt + epsilon;
  const Tensor var_update =
      assign(g, OpType::kAssignSub, "AssignSub", var, step / denominator, deps);
  GraphImpl& impl = *Access::impl(g);
  const int group = detail::build_group(
      impl, detail::scope_string(impl.resolve_name_scope("group_deps")),
      {Access::id(var_update.op()), Access::id(m_t.op()), Access::id(v_t.op())});
  return Access::operation(Access::impl(g), group);
}

}  // namespace varscope::train
