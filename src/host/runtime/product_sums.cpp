// A weight shared by the steps of an unrolled RNN gets its gradient as TF builds it: an AddN
// of one MatMul(x_t, dy_t, transpose_a=True) per step (through an Identity where the optimizer
// gates gradients, GATE_OP's tuple/control_dependency). Where those products have no other
// data use, the AddN runs as one product of the stacked x_t and dy_t (the same sum over a
// longer K), with no per-step product and no chain of adds. The products move from their
// places in the plan to the AddN's: sound because they have no side effects and no variable
// is written in between (their inputs may be a variable's buffer, through an Identity).
#include <algorithm>
#include <unordered_set>
#include <utility>

#include "host/graph/op_defs.h"
#include "host/runtime/plan.h"

namespace varscope::detail {
namespace {

// Whether `in` is a product x^T dy that an AddN may fold: a rank-2 MatMul with
// transpose_a=True only, of known shapes, on the AddN's device, reading no variable's storage
// directly (whose read error names the MatMul).
bool foldable_product(const GraphImpl& g,
                      const TensorRef& in,
                      int device,
                      const std::unordered_map<int, int>& device_of) {
  const Node& p = g.node(in.node);
  if (p.op != OpType::kMatMul || in.index != 0) return false;
  const DType dtype = p.outputs[0].dtype;
  if (dtype != DType::kFloat32 && dtype != DType::kFloat64) return false;
  if (!attr<bool>(p, attr_name::kTransposeA) || attr<bool>(p, attr_name::kTransposeB)) {
    return false;
  }
  if (device_of.at(in.node) != device) return false;
  return std::all_of(p.inputs.begin(), p.inputs.end(), [&](const TensorRef& x) {
    const OutputSpec& spec = g.node(x.node).outputs.at(static_cast<std::size_t>(x.index));
    return spec.shape.rank() == 2 && spec.shape.is_fully_defined() &&
           op_def(g.node(x.node).op).kernel.kind != OpKind::kVariable;
  });
}

}  // namespace

ProductSums plan_product_sums(const GraphImpl& g,
                              const std::vector<int>& order,
                              const std::vector<TensorRef>& fetches,
                              const std::vector<int>& targets,
                              const Fed& fed,
                              const std::unordered_map<int, int>& device_of) {
  ProductSums out;
  std::unordered_map<int, int> data_uses, position;
  std::unordered_set<int> pinned;  // fetched or targeted: their own step stays
  for (const TensorRef& f : fetches)
    pinned.insert(f.node);
  pinned.insert(targets.begin(), targets.end());
  // writes_before[i]: how many of the first i steps write a variable (an op with a ref input,
  // or the value it assigns, which the plan may produce straight into the variable).
  std::unordered_set<int> writers;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const Node& n = g.node(order[i]);
    position[order[i]] = static_cast<int>(i);
    for (const TensorRef& in : n.inputs) {
      if (!fed.contains({in.node, in.index})) ++data_uses[in.node];
    }
    if (ref_inputs(n.op) > 0) {
      writers.insert(order[i]);
      if (n.inputs.size() > 1) writers.insert(n.inputs[1].node);
    }
  }
  std::vector<int> writes_before(order.size() + 1, 0);
  for (std::size_t i = 0; i < order.size(); ++i)
    writes_before[i + 1] = writes_before[i] + (writers.contains(order[i]) ? 1 : 0);
  const auto single = [&](const TensorRef& t) {
    return !fed.contains({t.node, t.index}) && data_uses[t.node] == 1 && !pinned.contains(t.node);
  };
  for (int node : order) {
    const Node& n = g.node(node);
    if (n.op != OpType::kAddN || n.inputs.size() < 2) continue;
    const int device = device_of.at(node);
    std::vector<int> terms, absorbed;
    int first = position.at(node);
    bool ok = true;
    for (TensorRef t : n.inputs) {
      while (ok && g.node(t.node).op == OpType::kIdentity && single(t)) {
        ok = device_of.at(t.node) == device;
        absorbed.push_back(t.node);
        t = g.node(t.node).inputs.at(0);
      }
      ok = ok && single(t) && foldable_product(g, t, device, device_of);
      if (!ok) break;
      terms.push_back(t.node);
      absorbed.push_back(t.node);
      first = std::min(first, position.at(t.node));
    }
    if (!ok || writes_before[static_cast<std::size_t>(position.at(node))] !=
                   writes_before[static_cast<std::size_t>(first)]) {
      continue;
    }
    out.terms.emplace(node, std::move(terms));
    out.absorbed.emplace(node, std::move(absorbed));
  }
  return out;
}

}  // namespace varscope::detail
