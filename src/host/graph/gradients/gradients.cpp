// tf.gradients (gradients_util._GradientsHelper): the ops between xs and ys, visited from the
// ys back in reverse creation order (a graph's nodes are created after their inputs), each
// output's gradients summed (AddN in the call's scope), then the op's gradient function under
// "<op>_grad".
#include "varscope/gradients.h"

#include <algorithm>
#include <string>
#include <unordered_map>

#include "host/graph/gradients/grad_fns.h"
#include "host/graph/op_defs.h"
#include "varscope/errors.h"

namespace varscope {

using detail::Access;
using detail::GraphImpl;
using detail::OpType;
using detail::StackGuard;
using detail::TensorRef;

namespace {

// Gradients collected per node output, summed when the node is visited.
using Pending = std::unordered_map<int, std::vector<std::vector<TensorRef>>>;

TensorRef aggregate(GraphImpl& g, std::vector<TensorRef>& grads) {
  if (grads.empty()) return {};
  if (grads.size() > 1) {
    const detail::OutputSpec s = detail::spec_of(g, grads.front());
    const TensorRef sum =
        detail::grad_node(g, OpType::kAddN, "AddN", grads, s,
                          {{detail::attr_name::kN, static_cast<std::int64_t>(grads.size())},
                           {detail::attr_name::kT, s.dtype}});
    grads.assign(1, sum);
  }
  return grads.front();
}

std::vector<TensorRef> build_gradients(GraphImpl& g,
                                       const std::vector<TensorRef>& ys,
                                       const std::vector<TensorRef>& xs,
                                       const std::vector<Tensor>& grad_ys,
                                       std::string_view name) {
  if (!grad_ys.empty() && grad_ys.size() != ys.size()) {
    throw ValueError("Passed " + std::to_string(grad_ys.size()) + " grad_ys for " +
                     std::to_string(ys.size()) + " ys");
  }
  const int n = static_cast<int>(g.num_nodes());
  // Forward from the xs (through consumers), backward from the ys (through inputs).
  std::vector<std::vector<int>> consumers(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    for (const TensorRef& in : g.node(i).inputs)
      consumers[static_cast<std::size_t>(in.node)].push_back(i);
  }
  std::vector<char> forward(static_cast<std::size_t>(n), 0), backward(forward);
  std::vector<int> stack;
  for (const TensorRef& x : xs)
    stack.push_back(x.node);
  while (!stack.empty()) {
    const int v = stack.back();
    stack.pop_back();
    if (forward[static_cast<std::size_t>(v)]) continue;
    forward[static_cast<std::size_t>(v)] = 1;
    for (int c : consumers[static_cast<std::size_t>(v)])
      stack.push_back(c);
  }
  for (const TensorRef& y : ys)
    stack.push_back(y.node);
  while (!stack.empty()) {
    const int v = stack.back();
    stack.pop_back();
    if (backward[static_cast<std::size_t>(v)]) continue;
    backward[static_cast<std::size_t>(v)] = 1;
    for (const TensorRef& in : g.node(v).inputs)
      stack.push_back(in.node);
  }
  auto relevant = [&](int v) {
    return forward[static_cast<std::size_t>(v)] && backward[static_cast<std::size_t>(v)];
  };

  const std::string scope = g.resolve_name_scope(name.empty() ? "gradients" : name);
  StackGuard in_scope(g, scope);
  Pending pending;
  auto add_grad = [&](TensorRef t, TensorRef grad) {
    if (grad.node < 0 || !relevant(t.node)) return;
    auto& per_output = pending[t.node];
    per_output.resize(g.node(t.node).outputs.size());
    per_output[static_cast<std::size_t>(t.index)].push_back(grad);
  };
  for (std::size_t i = 0; i < ys.size(); ++i) {
    const detail::OutputSpec& ys_spec = detail::spec_of(g, ys[i]);
    TensorRef seed;
    if (!grad_ys.empty() && grad_ys[i].valid()) {
      seed = g.ref_of(grad_ys[i]);
      if (detail::spec_of(g, seed).dtype != ys_spec.dtype) {
        throw TypeError("grad_ys[" + std::to_string(i) + "] has dtype " +
                        std::string(dtype_name(detail::spec_of(g, seed).dtype)) + " where ys has " +
                        std::string(dtype_name(ys_spec.dtype)));
      }
    } else {
      seed =
          detail::grad_node(g, OpType::kOnesLike, "grad_ys_" + std::to_string(i), {ys[i]}, ys_spec);
    }
    add_grad(ys[i], seed);
  }

  int last = -1;
  for (const TensorRef& y : ys)
    last = std::max(last, y.node);
  for (int v = last; v >= 0; --v) {
    auto it = pending.find(v);
    if (!relevant(v) || it == pending.end()) continue;
    const detail::Node& node = g.node(v);
    std::vector<TensorRef> dys;
    bool any = false;
    for (auto& grads : it->second) {
      dys.push_back(aggregate(g, grads));
      any = any || dys.back().node >= 0;
    }
    if (!any || node.inputs.empty()) continue;
    const bool any_relevant_input =
        std::any_of(node.inputs.begin(), node.inputs.end(),
                    [&](const TensorRef& in) { return relevant(in.node); });
    if (!any_relevant_input) continue;
    const detail::GradFn grad_fn = detail::op_def(node.op).grad;
    if (grad_fn == nullptr) {
      throw NotFoundError("No gradient defined for operation '" + node.name +
                          "' (op type: " + node.type + ")");
    }
    if (dys[0].node < 0) continue;  // a gradient of the xent ops' backprop output alone: none
    const std::string op_scope = g.resolve_name_scope(node.name + "_grad");
    StackGuard in_op_scope(g, op_scope);
    const std::vector<TensorRef> dxs = grad_fn(detail::GradInputs{g, v, dys});
    for (std::size_t i = 0; i < dxs.size() && i < node.inputs.size(); ++i)
      add_grad(node.inputs[i], dxs[i]);
  }

  std::vector<TensorRef> out;
  for (const TensorRef& x : xs) {
    auto it = pending.find(x.node);
    if (it == pending.end()) {
      out.push_back({});
      continue;
    }
    out.push_back(aggregate(g, it->second[static_cast<std::size_t>(x.index)]));
  }
  return out;
}

std::vector<Tensor> run(const std::vector<Tensor>& ys,
                        const std::vector<Tensor>& xs,
                        const std::vector<Variable>& vars,
                        const std::vector<Tensor>& grad_ys,
                        std::string_view name) {
  if (ys.empty()) throw ValueError("gradients needs at least one y");
  auto g = Access::lock(ys.front());
  return g->mutate([&] {
    std::vector<TensorRef> y_refs, x_refs;
    for (const Tensor& y : ys)
      y_refs.push_back(g->ref_of(y));
    for (const Tensor& x : xs)
      x_refs.push_back(g->ref_of(x));
    for (const Variable& v : vars) {
      if (Access::lock(v) != g) throw ValueError("gradients: a variable of another graph");
      x_refs.push_back({g->variables.at(static_cast<std::size_t>(v.id())).node, 0});
    }
    const std::vector<TensorRef> refs = build_gradients(*g, y_refs, x_refs, grad_ys, name);
    std::vector<Tensor> out;
    for (const TensorRef& r : refs)
      out.push_back(r.node < 0 ? Tensor() : g->tensor(r));
    return out;
  });
}

}  // namespace

std::vector<Tensor> gradients(const std::vector<Tensor>& ys,
                              const std::vector<Tensor>& xs,
                              const std::vector<Tensor>& grad_ys,
                              std::string_view name) {
  return run(ys, xs, {}, grad_ys, name);
}

std::vector<Tensor> gradients(const std::vector<Tensor>& ys,
                              const std::vector<Variable>& xs,
                              const std::vector<Tensor>& grad_ys,
                              std::string_view name) {
  return run(ys, {}, xs, grad_ys, name);
}

}  // namespace varscope
