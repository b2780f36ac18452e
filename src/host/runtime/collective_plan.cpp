// The plan's collectives: gradient fusion at plan time (Horovod fuses at run time in its
// background thread; a plan knows every allreduce in advance) and the plan's fingerprint.
#include <algorithm>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "host/core/byte_size.h"
#include "host/graph/dist/collective_attrs.h"
#include "host/graph/op_defs.h"
#include "host/runtime/plan.h"
#include "varscope/dist.h"

namespace varscope::detail {
namespace {

bool is_allreduce(const GraphImpl& g, const Step& s) {
  return s.kind == OpKind::kCollective && g.node(s.node).op == OpType::kHorovodAllreduce;
}

// "HorovodAllreduce_x_0 float32 [2, 3]": what every rank must run in the same order.
std::string fingerprint_line(const Node& n) {
  const OutputSpec& out = n.outputs.at(0);
  return n.name + " " + std::string(dtype_name(out.dtype)) + " " + out.shape.to_list_string();
}

// Which steps (transitively) consume an allreduce that itself consumes none: those run after
// the fused allreduces; `fusable[i]` marks such an allreduce.
void classify(const GraphImpl& g,
              const std::vector<Step>& steps,
              std::vector<bool>& after,
              std::vector<bool>& fusable) {
  std::unordered_map<int, std::size_t> by_slot, by_node;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    by_node[steps[i].node] = i;
    const int outputs = static_cast<int>(g.node(steps[i].node).outputs.size());
    for (int k = 0; k < outputs; ++k)
      by_slot[steps[i].output + k] = i;
  }
  after.assign(steps.size(), false);
  fusable.assign(steps.size(), false);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    bool needs = false;
    auto consider = [&](std::size_t j) { needs = needs || fusable[j] || after[j]; };
    for (int slot : steps[i].inputs) {
      if (auto it = by_slot.find(slot); it != by_slot.end() && it->second < i) consider(it->second);
    }
    for (int c : g.node(steps[i].node).control_inputs) {
      if (auto it = by_node.find(c); it != by_node.end()) consider(it->second);
    }
    if (needs) {
      after[i] = true;
    } else if (is_allreduce(g, steps[i])) {
      fusable[i] = true;
    }
  }
}

std::int64_t static_bytes(const Node& n) {
  const OutputSpec& out = n.outputs.at(0);
  if (!out.shape.is_fully_defined()) return -1;
  return static_cast<std::int64_t>(byte_size(out.shape.num_elements(), out.dtype));
}

}  // namespace

void plan_collectives(const GraphImpl& g, Plan& plan) {
  std::vector<Step>& steps = plan.steps;
  if (std::none_of(steps.begin(), steps.end(),
                   [](const Step& s) { return s.kind == OpKind::kCollective; })) {
    return;
  }
  std::vector<bool> after, fusable;
  classify(g, steps, after, fusable);
  std::vector<Step> before_part, fused_part, after_part;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    (fusable[i] ? fused_part : after[i] ? after_part : before_part).push_back(std::move(steps[i]));
  }
  // Buckets of consecutive allreduces with one dtype and reduce_op, within the threshold; a
  // tensor of unknown size is a bucket of its own.
  const auto threshold = static_cast<std::int64_t>(dist::fusion_threshold());
  std::size_t start = 0;
  std::int64_t bucket_bytes = 0;
  auto key = [&](const Step& s) {
    const Node& n = g.node(s.node);
    return std::make_pair(n.outputs.at(0).dtype, attr<std::int64_t>(n, collective_attr::kReduceOp));
  };
  for (std::size_t i = 0; i <= fused_part.size(); ++i) {
    const std::int64_t bytes = i < fused_part.size() ? static_bytes(g.node(fused_part[i].node)) : 0;
    const bool joins = i > start && i < fused_part.size() && bytes >= 0 && bucket_bytes >= 0 &&
                       key(fused_part[i]) == key(fused_part[start]) &&
                       bucket_bytes + bytes <= threshold;
    if (i > start && !joins) {  // close [start, i): its last step runs the bucket
      for (std::size_t m = start; m < i; ++m) {
        const Step& s = fused_part[m];
        fused_part[i - 1].fused.push_back({s.node, s.inputs.at(0), s.output});
      }
      start = i;
      bucket_bytes = 0;
    }
    if (i < fused_part.size())
      bucket_bytes = bytes < 0 || bucket_bytes < 0 ? -1 : bucket_bytes + bytes;
  }
  // Every other collective (broadcasts; allreduces of allreduced values) runs alone.
  for (std::vector<Step>* part : {&before_part, &after_part}) {
    for (Step& s : *part) {
      if (s.kind == OpKind::kCollective) s.fused.push_back({s.node, s.inputs.at(0), s.output});
    }
  }
  steps = std::move(before_part);
  for (std::vector<Step>* part : {&fused_part, &after_part}) {
    for (Step& s : *part)
      steps.push_back(std::move(s));
  }
  std::string fingerprint;
  Step* first = nullptr;
  for (Step& s : steps) {
    if (s.kind != OpKind::kCollective) continue;
    if (first == nullptr) first = &s;
    fingerprint += fingerprint_line(g.node(s.node)) + "\n";
  }
  first->fingerprint = std::move(fingerprint);
}

}  // namespace varscope::detail
