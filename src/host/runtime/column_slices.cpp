// The plan's sliced products: a product x · Wᵀ whose only reader is a Slice of some of its
// columns computes only those columns, from the matching rows of W. TF's ConcatV2 gradient
// slices the input gradient of concat([x, h]) · W per input; where x needs no gradient (an
// RNN's first layer reads a placeholder) the plan keeps only h's slice, and the product
// that made both halves did twice the work (a 2-layer LSTM step: a sixth of its GEMM time).
// The graph is unchanged; the Slice's readers read the product (or the Identities between,
// which pass the cut value on: TF's gradients put one after each input gradient). Slices no
// step reads are gone by then (dead_steps.cpp).
#include <unordered_map>
#include <utility>
#include <vector>

#include "host/graph/op_defs.h"
#include "host/runtime/plan.h"

namespace varscope::detail {
namespace {

// A host-known Const input of `n` (not fed: a feed's slot is not a Const's output).
const HostTensor* const_input(
    const GraphImpl& graph, const Node& n, int i, const Plan& plan, int slot) {
  const Node& c = graph.node(n.inputs.at(static_cast<std::size_t>(i)).node);
  if (c.op != OpType::kConst) return nullptr;
  for (int fed : plan.feed_slots) {
    if (fed == slot) return nullptr;
  }
  return &attr<HostTensor>(c, attr_name::kValue);
}

// The product x · Wᵀ whose columns may be cut: 2-D, known shapes, one matrix.
bool cuttable(const GraphImpl& graph, const Step& step) {
  if (step.kind != OpKind::kMatMul || step.device_copy || step.check_shapes ||
      step.into_variable >= 0) {
    return false;
  }
  const Node& n = graph.node(step.node);
  if (n.op != OpType::kMatMul || attr<bool>(n, attr_name::kTransposeA) ||
      !attr<bool>(n, attr_name::kTransposeB)) {
    return false;
  }
  const DType dtype = n.outputs[0].dtype;
  return (dtype == DType::kFloat32 || dtype == DType::kFloat64) && n.outputs[0].shape.rank() == 2 &&
         n.outputs[0].shape.is_fully_defined();
}

}  // namespace

void plan_column_slices(const GraphImpl& graph, Plan& plan) {
  // Readers of each slot; a fetched slot counts as two (it must keep every column).
  std::vector<int> readers(static_cast<std::size_t>(plan.num_slots), 0);
  for (const Step& step : plan.steps) {
    for (int slot : step.inputs)
      ++readers[static_cast<std::size_t>(slot)];
  }
  for (int slot : plan.fetch_slots)
    readers[static_cast<std::size_t>(slot)] += 2;
  std::unordered_map<int, std::size_t> producer;  // output 0's slot -> step
  std::unordered_map<int, const Step*> identity;  // an Identity's output slot -> its step
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    const Step& step = plan.steps[i];
    if (cuttable(graph, step)) producer[step.output] = i;
    if (step.kind == OpKind::kIdentity && !step.device_copy) identity[step.output] = &step;
  }
  std::unordered_map<int, int> renamed;  // a removed Slice's output slot -> the product's
  std::vector<bool> removed(plan.steps.size(), false);
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    const Step& slice = plan.steps[i];
    const Node& n = graph.node(slice.node);
    if (n.op != OpType::kSlice || slice.kind != OpKind::kCopy || slice.device_copy ||
        slice.check_shapes) {
      continue;
    }
    // What the Slice reads: the product, or (TF's gradients: `tuple`) Identities of it,
    // each read only by the next.
    const int read = slice.inputs.at(0);
    int source = read;
    bool one_reader = true;
    for (auto id = identity.find(source); id != identity.end() && one_reader;
         id = identity.find(source)) {
      one_reader =
          readers[static_cast<std::size_t>(source)] == 1 && id->second->device == slice.device;
      source = id->second->inputs.at(0);
    }
    auto p = producer.find(source);
    if (!one_reader || p == producer.end() || readers[static_cast<std::size_t>(source)] != 1) {
      continue;
    }
    Step& product = plan.steps[p->second];
    if (product.device != slice.device) continue;
    const HostTensor* begin = const_input(graph, n, 1, plan, slice.inputs.at(1));
    const HostTensor* size = const_input(graph, n, 2, plan, slice.inputs.at(2));
    if (begin == nullptr || size == nullptr || begin->num_elements() != 2 ||
        size->num_elements() != 2) {
      continue;
    }
    const Shape& full = graph.node(product.node).outputs[0].shape;
    const auto at = [](const HostTensor* t, int d) {
      return static_cast<std::int64_t>(t->element_as_double(d));
    };
    const std::int64_t rows = at(size, 0) < 0 ? full.dim(0) - at(begin, 0) : at(size, 0);
    const std::int64_t first = at(begin, 1);
    const std::int64_t count = at(size, 1) < 0 ? full.dim(1) - first : at(size, 1);
    // Every row; a column range inside the product (the Slice's own checks passed at build).
    if (at(begin, 0) != 0 || rows != full.dim(0) || first < 0 || count < 0 ||
        first + count > full.dim(1)) {
      continue;
    }
    product.columns_begin = first;
    product.columns = count;
    renamed[slice.output] = read;  // the product's columns, or an Identity passing them on
    removed[i] = true;
  }
  if (renamed.empty()) return;
  std::vector<Step> kept;
  kept.reserve(plan.steps.size());
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    if (removed[i]) continue;
    Step& step = plan.steps[i];
    for (int& slot : step.inputs) {
      if (auto r = renamed.find(slot); r != renamed.end()) slot = r->second;
    }
    kept.push_back(std::move(step));
  }
  plan.steps = std::move(kept);
  for (int& slot : plan.fetch_slots) {
    if (auto r = renamed.find(slot); r != renamed.end()) slot = r->second;
  }
}

}  // namespace varscope::detail
