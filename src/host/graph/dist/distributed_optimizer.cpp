// hvd.DistributedOptimizer (horovod/tensorflow/__init__.py, Horovod >= 0.20): the inner
// optimizer's gradients, each allreduced in "<name>_Allreduce/cond[_N]/", and the inner
// optimizer's apply_gradients. Horovod's tf.cond (taken when size() > 1) is not built: the
// allreduce of one rank is the identity (docs/differences.md).
#include <string>
#include <vector>

#include "host/graph/graph_impl.h"
#include "varscope/dist.h"

namespace varscope::dist {

using detail::Access;

namespace {

// type(optimizer).__name__: Horovod names the optimizer after the inner one's Python class.
std::string tf_class_name(const train::Optimizer& inner) {
  if (dynamic_cast<const train::AdamOptimizer*>(&inner) != nullptr) return "AdamOptimizer";
  if (dynamic_cast<const train::MomentumOptimizer*>(&inner) != nullptr) return "MomentumOptimizer";
  if (dynamic_cast<const train::GradientDescentOptimizer*>(&inner) != nullptr) {
    return "GradientDescentOptimizer";
  }
  return inner.name() + "Optimizer";  // TF's other optimizers: "<default name>Optimizer"
}

}  // namespace

DistributedOptimizer::DistributedOptimizer(train::Optimizer& inner, ReduceOp op)
    : inner_(inner), op_(op), name_("Distributed" + tf_class_name(inner)) {}

std::vector<train::GradAndVar> DistributedOptimizer::compute_gradients(
    const Tensor& loss, const std::vector<Variable>& var_list, train::Optimizer::Gate gate) {
  auto impl = Access::lock(loss);
  Graph g = Access::graph(impl);
  return impl->mutate([&] {
    std::vector<train::GradAndVar> grads = inner_.compute_gradients(loss, var_list, gate);
    auto in_allreduce = g.name_scope(name_ + "_Allreduce");
    // Horovod's sparse_as_dense=True: every IndexedSlices made dense first (tf.convert_to_tensor
    // in "<name>_Allreduce/"), then allreduced as a dense gradient and applied densely.
    for (auto& [grad, var] : grads) {
      if (grad.is_indexed_slices()) grad = to_dense(grad.indexed_slices());
    }
    for (auto& [grad, var] : grads) {
      if (!grad.valid()) continue;  // None stays None, and opens no cond
      auto in_cond = g.name_scope("cond");
      grad = allreduce(grad, op_);
    }
    return grads;
  });
}

Operation DistributedOptimizer::apply_gradients(
    const std::vector<train::GradAndVar>& grads_and_vars,
    const Variable& global_step,
    std::string_view name) {
  return inner_.apply_gradients(grads_and_vars, global_step, name);
}

Operation DistributedOptimizer::minimize(const Tensor& loss,
                                         const Variable& global_step,
                                         const std::vector<Variable>& var_list,
                                         std::string_view name) {
  auto impl = Access::lock(loss);
  return impl->mutate(
      [&] { return apply_gradients(compute_gradients(loss, var_list), global_step, name); });
}

}  // namespace varscope::dist
