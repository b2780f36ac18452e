// The plan's dead steps: a product, slice or identity whose outputs no step reads and no
// fetch names does nothing a run can observe, yet TF's gradients keep many of them alive
// through control edges. `tuple` (gradients_impl) groups each op's input gradients behind a
// NoOp, so the gradient of concat([x, h]) · W slices out x's part even where x is a
// placeholder and h's where h is the zero state, and the product that feeds only such slices
// (an RNN's first layer at its first step) runs too. Such a step becomes a no-op: it stays in
// the plan, so the control edges on it still order the device schedule, but reads nothing.
// It is kept where it reads a variable directly (reading an uninitialized variable is an
// error the run must still raise), and where the run names it as a target (asked for, as TF
// runs it: a benchmark's product). The pass runs before the plan's other rewrites of products
// (column_slices.cpp, shared_b_layouts.cpp), which then see only live steps.
#include <unordered_set>
#include <vector>

#include "host/graph/op_defs.h"
#include "host/runtime/plan.h"

namespace varscope::detail {
namespace {

// Ops with no effect but their outputs (and no error once the plan's shapes are known).
bool pure(const GraphImpl& graph, const Step& step) {
  const OpType op = graph.node(step.node).op;
  return (op == OpType::kMatMul || op == OpType::kSlice || op == OpType::kIdentity) &&
         (step.kind == OpKind::kMatMul || step.kind == OpKind::kCopy ||
          step.kind == OpKind::kIdentity) &&
         !step.device_copy && !step.check_shapes && step.into_variable < 0 && !step.sum_of_products;
}

}  // namespace

void plan_dead_steps(const GraphImpl& graph, const std::vector<int>& targets, Plan& plan) {
  const std::unordered_set<int> targeted(targets.begin(), targets.end());
  const auto slots = static_cast<std::size_t>(plan.num_slots);
  std::vector<int> readers(slots, 0);
  std::vector<bool> variable_slot(slots, false);
  for (const Step& step : plan.steps) {
    for (int slot : step.inputs)
      ++readers[static_cast<std::size_t>(slot)];
    if (step.kind == OpKind::kVariable && step.output >= 0) {
      variable_slot[static_cast<std::size_t>(step.output)] = true;
    }
  }
  for (int slot : plan.fetch_slots)
    ++readers[static_cast<std::size_t>(slot)];
  // Last to first: a step's readers come after it, so one pass frees whole chains (the
  // slices, then the identity they read, then the product).
  for (auto it = plan.steps.rbegin(); it != plan.steps.rend(); ++it) {
    Step& step = *it;
    if (!pure(graph, step) || step.output < 0 || targeted.contains(step.node)) continue;
    const auto outputs = graph.node(step.node).outputs.size();
    bool read = false;
    for (std::size_t o = 0; o < outputs; ++o)
      read = read || readers[static_cast<std::size_t>(step.output) + o] > 0;
    bool reads_variable = false;
    for (int slot : step.inputs)
      reads_variable = reads_variable || variable_slot[static_cast<std::size_t>(slot)];
    if (read || reads_variable) continue;
    for (int slot : step.inputs)
      --readers[static_cast<std::size_t>(slot)];
    step.kind = OpKind::kNoOp;
    step.inputs.clear();
  }
}

}  // namespace varscope::detail
