// The three optimizers' slots, hyperparameter Consts and fused update ops (TF's
// gradient_descent.py, momentum.py, adam.py over training_ops' ApplyGradientDescent,
// ApplyMomentum and ApplyAdam).
#include <algorithm>
#include <string>

#include "host/graph/builders.h"
#include "host/graph/op_defs.h"
#include "host/graph/scope_guards.h"
#include "varscope/ops.h"
#include "varscope/train.h"

namespace varscope::train {

using detail::Access;
using detail::GraphImpl;
using detail::OpType;
using detail::TensorRef;
namespace attr_name = detail::attr_name;

namespace {

// ops.convert_to_tensor(<python float>, name=...): a float32 Const in the current scope.
Tensor hyperparameter(Graph& g, double value, std::string_view name) {
  GraphImpl& impl = *Access::impl(g);
  return impl.tensor(
      detail::build_constant(impl, HostTensor(static_cast<float>(value)), {}, {}, false, name));
}

TensorRef ref(const Tensor& t) {
  return Access::ref(t);
}
TensorRef var_ref(const Variable& v) {
  return {Access::id(v.op()), 0};
}

// One Apply<Rule> node named `type` in the current scope ("<opt>/update_<var>/"), after
// every gradient.
Operation apply_node(Graph& g,
                     OpType op,
                     std::vector<TensorRef> inputs,
                     detail::Attrs attrs,
                     const std::vector<Operation>& after) {
  GraphImpl& impl = *Access::impl(g);
  std::vector<int> deps;
  for (const Operation& o : after)
    deps.push_back(Access::id(o));
  const int node = detail::add_op(impl, op, detail::op_def(op).name, std::move(inputs),
                                  std::move(attrs), std::move(deps));
  return Access::operation(Access::impl(g), node);
}

}  // namespace

// ---- GradientDescent ----
GradientDescentOptimizer::GradientDescentOptimizer(double learning_rate, std::string name)
    : Optimizer(std::move(name)), learning_rate_(learning_rate) {}

void GradientDescentOptimizer::prepare(Graph& g) {
  lr_t_ = hyperparameter(g, learning_rate_, "learning_rate");
}

Operation GradientDescentOptimizer::apply_dense(Graph& g,
                                                const Tensor& grad,
                                                const Variable& var,
                                                const std::vector<Operation>& after) {
  const Tensor lr = cast(lr_t_, var.dtype());
  return apply_node(g, OpType::kApplyGradientDescent, {var_ref(var), ref(lr), ref(grad)},
                    {{attr_name::kT, var.dtype()}, {attr_name::kUseLocking, false}}, after);
}

// ---- Momentum ----
MomentumOptimizer::MomentumOptimizer(double learning_rate,
                                     double momentum,
                                     bool use_nesterov,
                                     std::string name)
    : Optimizer(std::move(name)),
      learning_rate_(learning_rate),
      momentum_(momentum),
      use_nesterov_(use_nesterov) {}

void MomentumOptimizer::create_slots(Graph& g, const std::vector<Variable>& vars) {
  for (const Variable& v : vars)
    zeros_slot(g, v, "momentum", name_);
}

void MomentumOptimizer::prepare(Graph& g) {
  lr_t_ = hyperparameter(g, learning_rate_, "learning_rate");
  momentum_t_ = hyperparameter(g, momentum_, "momentum");
}

Operation MomentumOptimizer::apply_dense(Graph& g,
                                         const Tensor& grad,
                                         const Variable& var,
                                         const std::vector<Operation>& after) {
  const Variable accum = get_slot(var, "momentum");
  const Tensor lr = cast(lr_t_, var.dtype());
  const Tensor momentum = cast(momentum_t_, var.dtype());
  return apply_node(g, OpType::kApplyMomentum,
                    {var_ref(var), var_ref(accum), ref(lr), ref(grad), ref(momentum)},
                    {{attr_name::kT, var.dtype()},
                     {attr_name::kUseLocking, false},
                     {attr_name::kUseNesterov, use_nesterov_}},
                    after);
}

// ---- Adam ----
AdamOptimizer::AdamOptimizer(
    double learning_rate, double beta1, double beta2, double epsilon, std::string name)
    : Optimizer(std::move(name)),
      learning_rate_(learning_rate),
      beta1_(beta1),
      beta2_(beta2),
      epsilon_(epsilon) {}

// The beta powers first (non-slot, float32, named in the current name scope), then "m" and
// "v" of each variable in order: TF's creation order. Both slots are made with op name
// "Adam" (adam.py), so the second is uniquified to "<var>/Adam_1".
void AdamOptimizer::create_slots(Graph& g, const std::vector<Variable>& vars) {
  // Colocated with the first variable by name (adam.py: min(var_list, key=lambda x: x.name)).
  const Variable& first =
      *std::min_element(vars.begin(), vars.end(),
                        [](const Variable& a, const Variable& b) { return a.name() < b.name(); });
  non_slot(g, HostTensor(static_cast<float>(beta1_)), "beta1_power", first);
  non_slot(g, HostTensor(static_cast<float>(beta2_)), "beta2_power", first);
  for (const Variable& v : vars) {
    zeros_slot(g, v, "m", name_);
    zeros_slot(g, v, "v", name_);
  }
}

void AdamOptimizer::prepare(Graph& g) {
  lr_t_ = hyperparameter(g, learning_rate_, "learning_rate");
  beta1_t_ = hyperparameter(g, beta1_, "beta1");
  beta2_t_ = hyperparameter(g, beta2_, "beta2");
  epsilon_t_ = hyperparameter(g, epsilon_, "epsilon");
}

Operation AdamOptimizer::apply_dense(Graph& g,
                                     const Tensor& grad,
                                     const Variable& var,
                                     const std::vector<Operation>& after) {
  const DType dtype = var.dtype();
  const Variable m = get_slot(var, "m");
  const Variable v = get_slot(var, "v");
  const Tensor b1p = cast(find_non_slot("beta1_power").value(), dtype);
  const Tensor b2p = cast(find_non_slot("beta2_power").value(), dtype);
  const Tensor lr = cast(lr_t_, dtype);
  const Tensor beta1 = cast(beta1_t_, dtype);
  const Tensor beta2 = cast(beta2_t_, dtype);
  const Tensor epsilon = cast(epsilon_t_, dtype);
  return apply_node(
      g, OpType::kApplyAdam,
      {var_ref(var), var_ref(m), var_ref(v), ref(b1p), ref(b2p), ref(lr), ref(beta1), ref(beta2),
       ref(epsilon), ref(grad)},
      {{attr_name::kT, dtype}, {attr_name::kUseLocking, false}, {attr_name::kUseNesterov, false}},
      after);
}

// beta1_power *= beta1, beta2_power *= beta2, after every update ("<name>/Assign",
// "<name>/Assign_1").
std::vector<Operation> AdamOptimizer::finish(Graph& g, const std::vector<Operation>& updates) {
  GraphImpl& impl = *Access::impl(g);
  std::vector<int> deps;
  for (const Operation& o : updates)
    deps.push_back(Access::id(o));
  std::vector<Operation> out = updates;
  auto power_update = [&](const Variable& power, const Tensor& beta, const char* mul_name,
                          const char* assign_name) {
    const TensorRef product =
        detail::build_binary(impl, OpType::kMul, mul_name, ref(power.value()), ref(beta));
    const int node = detail::add_op(impl, OpType::kAssign, assign_name, {var_ref(power), product},
                                    {{attr_name::kT, power.dtype()},
                                     {attr_name::kValidateShape, true},
                                     {attr_name::kUseLocking, false}},
                                    deps);
    out.push_back(Access::operation(Access::impl(g), node));
  };
  // Both under colocate_with(beta1_power).
  detail::ColocateGuard at_power(impl, Access::id(find_non_slot("beta1_power").op()));
  power_update(find_non_slot("beta1_power"), beta1_t_, "mul", "Assign");
  power_update(find_non_slot("beta2_power"), beta2_t_, "mul_1", "Assign_1");
  return out;
}

}  // namespace varscope::train
