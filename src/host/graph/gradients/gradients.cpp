// tf.gradients (gradients_util._GradientsHelper): the ops between xs and ys, visited in TF's
// ready-queue order from the ys back (an op once every use of its outputs has given its
// gradient), each output's gradients summed (AddN in the call's scope), then the op's
// gradient function under "<op>_grad"; with gate_gradients, an op's input gradients gated
// by a tuple (gradients/<op>_grad/tuple/control_dependency_N), as the optimizers ask.
#include "varscope/gradients.h"

#include <algorithm>
#include <deque>
#include <string>
#include <unordered_map>

#include "host/graph/builders.h"
#include "host/graph/gradients/grad_fns.h"
#include "host/graph/op_defs.h"
#include "host/graph/scope_guards.h"
#include "varscope/errors.h"
#include "varscope/indexed_slices.h"

namespace varscope::detail {

std::vector<TensorRef> gate_tuple(GraphImpl& g, const std::vector<TensorRef>& tensors) {
  std::vector<int> gating;
  for (const TensorRef& t : tensors) {
    if (t.node >= 0) gating.push_back(t.node);
  }
  std::sort(gating.begin(), gating.end());  // node ids are TF's op._id: creation order
  gating.erase(std::unique(gating.begin(), gating.end()), gating.end());
  if (gating.empty()) {  // every one None: TF prints the Python list
    std::string list;
    for (std::size_t i = 0; i < tensors.size(); ++i)
      list += i == 0 ? "None" : ", None";
    throw ValueError("Must have at least one Tensor: [" + list + "]");
  }
  StackGuard in_tuple(g, g.resolve_name_scope("tuple"));
  const int gate =
      build_group(g, scope_string(g.resolve_name_scope("group_deps")), std::move(gating));
  std::vector<TensorRef> out;
  for (const TensorRef& t : tensors) {
    if (t.node < 0) {
      out.push_back(t);
      continue;
    }
    const std::string name = scope_string(g.resolve_name_scope("control_dependency"));
    ColocateGuard at_tensor(g, t.node);  // with_dependencies: colocate_with(output_tensor)
    out.push_back(
        {add_op(g, OpType::kIdentity, name, {t}, {{attr_name::kT, spec_of(g, t).dtype}}, {gate}),
         0});
  }
  return out;
}

}  // namespace varscope::detail

namespace varscope {

using detail::Access;
using detail::GraphImpl;
using detail::OpType;
using detail::StackGuard;
using detail::TensorRef;

namespace {

// Gradients collected per node output, summed when the node is visited.
using Pending = std::unordered_map<int, std::vector<std::vector<TensorRef>>>;

// The xs' gradients; those that are TF's IndexedSlices are in `sparse`, to be made dense
// in the caller's scope.
std::vector<TensorRef> build_gradients(GraphImpl& g,
                                       const std::vector<TensorRef>& ys,
                                       const std::vector<TensorRef>& xs,
                                       const std::vector<Tensor>& grad_ys,
                                       std::string_view name,
                                       bool gate_gradients,
                                       detail::IndexedSlicesMap& sparse) {
  const auto aggregate = [&](GraphImpl& graph, std::vector<TensorRef>& grads) {
    return detail::aggregate_gradients(graph, grads, sparse);
  };
  if (!grad_ys.empty() && grad_ys.size() != ys.size()) {
    throw ValueError("Passed " + std::to_string(grad_ys.size()) + " grad_ys for " +
                     std::to_string(ys.size()) + " ys");
  }
  const int n = static_cast<int>(g.num_nodes());
  const auto at = [](int v) { return static_cast<std::size_t>(v); };
  // _MarkReachedOps: forward from the xs' ops, through the consumers of floating outputs.
  std::vector<std::vector<int>> consumers(at(n));
  for (int i = 0; i < n; ++i) {
    for (const TensorRef& in : g.node(i).inputs) {
      if (is_floating(detail::spec_of(g, in).dtype)) consumers[at(in.node)].push_back(i);
    }
  }
  std::vector<char> reached(at(n), 0), between(at(n), 0);
  std::vector<int> stack;
  for (const TensorRef& x : xs)
    stack.push_back(x.node);
  while (!stack.empty()) {
    const int v = stack.back();
    stack.pop_back();
    if (reached[at(v)]) continue;
    reached[at(v)] = 1;
    for (int c : consumers[at(v)])
      stack.push_back(c);
  }
  // _PendingCount: the reached ops on a path back from the ys; each counts its uses by them.
  std::deque<int> queue;
  for (const TensorRef& y : ys)
    queue.push_back(y.node);
  while (!queue.empty()) {
    const int v = queue.front();
    queue.pop_front();
    if (!reached[at(v)] || between[at(v)]) continue;
    between[at(v)] = 1;
    for (const TensorRef& in : g.node(v).inputs)
      queue.push_back(in.node);
  }
  std::vector<int> pending(at(n), 0);
  for (int v = 0; v < n; ++v) {
    if (!between[at(v)]) continue;
    for (const TensorRef& in : g.node(v).inputs) {
      if (between[at(in.node)]) ++pending[at(in.node)];
    }
  }
  // _StopOps: an x's op none of whose inputs waits on a gradient gets no gradient function.
  std::vector<char> stop(at(n), 0);
  for (const TensorRef& x : xs) {
    const std::vector<TensorRef>& ins = g.node(x.node).inputs;
    stop[at(x.node)] = std::none_of(ins.begin(), ins.end(),
                                    [&](const TensorRef& in) { return pending[at(in.node)] > 0; });
  }

  const std::string scope = g.resolve_name_scope(name.empty() ? "gradients" : name);
  StackGuard in_scope(g, scope);
  Pending grads;
  auto add_grad = [&](TensorRef t, TensorRef grad) {
    if (grad.node < 0 || !between[at(t.node)]) return;
    auto& per_output = grads[t.node];
    per_output.resize(g.node(t.node).outputs.size());
    per_output[at(t.index)].push_back(grad);
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
      seed = detail::grad_node(g, OpType::kOnesLike, "grad_ys_" + std::to_string(i), {ys[i]});
    }
    add_grad(ys[i], seed);
  }

  // TF's ready queue: an op is visited once every use of its outputs has given its
  // gradient, so its AddN (in the call's scope) is made in TF's order.
  std::vector<char> queued(at(n), 0);
  for (const TensorRef& y : ys) {
    if (pending[at(y.node)] == 0 && between[at(y.node)] && !queued[at(y.node)]) {
      queued[at(y.node)] = 1;
      queue.push_back(y.node);
    }
  }
  while (!queue.empty()) {
    const int v = queue.front();
    queue.pop_front();
    const detail::Node& node = g.node(v);
    std::vector<TensorRef> dys;
    bool any = false;
    if (auto it = grads.find(v); it != grads.end()) {
      for (auto& per_output : it->second) {
        dys.push_back(aggregate(g, per_output));
        any = any || dys.back().node >= 0;
      }
    }
    if (any && !stop[at(v)] && !node.inputs.empty()) {
      const detail::GradFn grad_fn = detail::op_def(node.op).grad;
      if (grad_fn == nullptr) {
        throw NotFoundError("No gradient defined for operation '" + node.name +
                            "' (op type: " + node.type + ")");
      }
      // TF's ZerosLikeOutsideLoop ("gradients/zeros_like"), for the array ops of several
      // outputs: the outputs no gradient reached get zeros.
      if (detail::grad::fills_missing_output_grads(node.op)) {
        dys.resize(node.outputs.size());
        for (std::size_t i = 0; i < dys.size(); ++i) {
          if (dys[i].node >= 0) continue;
          const TensorRef y{v, static_cast<int>(i)};
          dys[i] = detail::grad_node(g, OpType::kZerosLike, "zeros_like", {y});
        }
      }
      if (dys[0].node >= 0) {  // a gradient of the xent ops' backprop output alone: none
        const std::string op_scope = g.resolve_name_scope(node.name + "_grad");
        StackGuard in_op_scope(g, op_scope);
        // IndexedSlices pass through the identity gradients; other gradient functions
        // take them dense (TF converts them where the function first uses them).
        if (grad_fn != &detail::grad::identity) {
          for (TensorRef& dy : dys) {
            auto it = dy.node >= 0 && dy.index == 0 ? sparse.find(dy.node) : sparse.end();
            if (it != sparse.end()) dy = detail::densify(g, dy, it->second);
          }
        }
        std::vector<TensorRef> dxs = grad_fn(detail::GradInputs{g, v, dys, &sparse});
        const auto given =
            std::count_if(dxs.begin(), dxs.end(), [](TensorRef t) { return t.node >= 0; });
        if (gate_gradients && given > 1) {
          // with ops.device(None), colocate_with(None, ignore_existing=True): tuple(in_grads)
          detail::ColocateGuard lifted(g, -1, /*ignore_existing=*/true);
          dxs = detail::gate_tuple(g, dxs);
        }
        for (std::size_t i = 0; i < dxs.size() && i < node.inputs.size(); ++i)
          add_grad(node.inputs[i], dxs[i]);
      }
    }
    for (const TensorRef& in : node.inputs) {
      if (--pending[at(in.node)] == 0 && between[at(in.node)]) queue.push_back(in.node);
    }
  }

  std::vector<TensorRef> out;
  for (const TensorRef& x : xs) {
    auto it = grads.find(x.node);
    if (it == grads.end()) {
      out.push_back({});
      continue;
    }
    out.push_back(aggregate(g, it->second[static_cast<std::size_t>(x.index)]));
  }
  return out;
}

// The gradients' refs (the values of those in `sparse`, TF's IndexedSlices).
std::vector<TensorRef> build_refs(GraphImpl& g,
                                  const std::vector<Tensor>& ys,
                                  const std::vector<Tensor>& xs,
                                  const std::vector<Variable>& vars,
                                  const std::vector<Tensor>& grad_ys,
                                  std::string_view name,
                                  bool gate_gradients,
                                  detail::IndexedSlicesMap& sparse) {
  std::vector<TensorRef> y_refs, x_refs;
  for (const Tensor& y : ys)
    y_refs.push_back(g.ref_of(y));
  for (const Tensor& x : xs)
    x_refs.push_back(g.ref_of(x));
  for (const Variable& v : vars) {
    if (Access::lock(v).get() != &g) throw ValueError("gradients: a variable of another graph");
    x_refs.push_back({g.variables.at(static_cast<std::size_t>(v.id())).node, 0});
  }
  return build_gradients(g, y_refs, x_refs, grad_ys, name, gate_gradients, sparse);
}

std::vector<Tensor> run(const std::vector<Tensor>& ys,
                        const std::vector<Tensor>& xs,
                        const std::vector<Variable>& vars,
                        const std::vector<Tensor>& grad_ys,
                        std::string_view name,
                        bool gate_gradients) {
  if (ys.empty()) throw ValueError("gradients needs at least one y");
  auto g = Access::lock(ys.front());
  return g->mutate([&] {
    detail::IndexedSlicesMap sparse;
    const std::vector<TensorRef> refs =
        build_refs(*g, ys, xs, vars, grad_ys, name, gate_gradients, sparse);
    // An IndexedSlices made dense as tf.convert_to_tensor would, in the caller's scope.
    std::vector<Tensor> out;
    for (const TensorRef& r : refs) {
      auto it = r.node >= 0 && r.index == 0 ? sparse.find(r.node) : sparse.end();
      out.push_back(r.node < 0           ? Tensor()
                    : it == sparse.end() ? g->tensor(r)
                                         : g->tensor(detail::densify(*g, r, it->second)));
    }
    return out;
  });
}

}  // namespace

namespace detail {

std::vector<Gradient> optimizer_gradients(GraphImpl& g,
                                          const Tensor& loss,
                                          const std::vector<Variable>& vars,
                                          bool gate_op,
                                          bool gate_graph) {
  IndexedSlicesMap sparse;
  std::vector<TensorRef> refs = build_refs(g, {loss}, {}, vars, {}, "gradients", gate_op, sparse);
  const std::vector<TensorRef> built = refs;
  // tuple() passes an IndexedSlices' values on through the gate, its indices as they are.
  if (gate_graph) refs = gate_tuple(g, refs);
  std::vector<Gradient> out;
  for (std::size_t i = 0; i < refs.size(); ++i) {
    const TensorRef r = refs[i], b = built[i];
    auto it = b.node >= 0 && b.index == 0 ? sparse.find(b.node) : sparse.end();
    if (r.node < 0) {
      out.emplace_back();
    } else if (it == sparse.end()) {
      out.emplace_back(g.tensor(r));
    } else {
      const IndexedSlicesRef& s = it->second;
      out.emplace_back(
          IndexedSlices{g.tensor(r), g.tensor(s.indices), g.tensor(s.dense_shape), s.shape});
    }
  }
  return out;
}

}  // namespace detail

Tensor to_dense(const IndexedSlices& slices, std::string_view name) {
  auto g = Access::lock(slices.values);
  return g->mutate([&] {
    if (!name.empty()) g->check_scope_name(name);
    const detail::IndexedSlicesRef s{g->ref_of(slices.indices), g->ref_of(slices.dense_shape),
                                     slices.shape};
    return g->tensor(detail::densify(*g, g->ref_of(slices.values), s, name));
  });
}

Gradient::Gradient(Tensor dense) : dense_(std::move(dense)) {}
Gradient::Gradient(IndexedSlices slices) : slices_(std::move(slices)), sparse_(true) {}

const Tensor& Gradient::dense() const {
  if (sparse_) {
    throw ValueError("The gradient " + slices_.values.name() +
                     " is an IndexedSlices, not a dense Tensor: convert it with vs::to_dense");
  }
  return dense_;
}

const IndexedSlices& Gradient::indexed_slices() const {
  if (!sparse_) {
    throw ValueError("The gradient " + (dense_.valid() ? dense_.name() : std::string("None")) +
                     " is not an IndexedSlices");
  }
  return slices_;
}

std::vector<Tensor> gradients(const std::vector<Tensor>& ys,
                              const std::vector<Tensor>& xs,
                              const std::vector<Tensor>& grad_ys,
                              std::string_view name,
                              bool gate_gradients) {
  return run(ys, xs, {}, grad_ys, name, gate_gradients);
}

std::vector<Tensor> gradients(const std::vector<Tensor>& ys,
                              const std::vector<Variable>& xs,
                              const std::vector<Tensor>& grad_ys,
                              std::string_view name,
                              bool gate_gradients) {
  return run(ys, {}, xs, grad_ys, name, gate_gradients);
}

}  // namespace varscope
