// When a run's values may go: each slot's value is dropped after the last step that reads it,
// so its buffer goes back to the backend's cache while it is still in the CPU's caches, and
// the next step of that size writes there instead of into memory not touched for a whole run
// (an LSTM training step makes ~2,000 values; kept to the end, every step's output was a
// cache miss). A value no step reads goes right after the step that made it. Fetched slots
// stay. The values are shared: an Identity's slot and its input's hold one buffer, which goes
// when both are dropped.
#include <vector>

#include "host/runtime/plan.h"

namespace varscope::detail {

void plan_slot_releases(const GraphImpl& graph, Plan& plan) {
  const auto slots = static_cast<std::size_t>(plan.num_slots);
  constexpr int kNever = -1;
  std::vector<int> last(slots, kNever);  // the last step that reads or writes each slot
  const auto touch = [&](int slot, std::size_t step) {
    if (slot >= 0) last[static_cast<std::size_t>(slot)] = static_cast<int>(step);
  };
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    const Step& step = plan.steps[i];
    for (int slot : step.inputs)
      touch(slot, i);
    touch(step.shared_b, i);  // made by the first product that reads it, read by the rest
    for (const Step::CollectiveMember& m : step.fused) {
      touch(m.input, i);
      touch(m.output, i);
    }
    if (step.output >= 0 && !step.device_copy) {
      const std::size_t outputs = graph.node(step.node).outputs.size();
      for (std::size_t o = 0; o < outputs; ++o) {
        const int slot = step.output + static_cast<int>(o);
        if (last[static_cast<std::size_t>(slot)] == kNever) touch(slot, i);
      }
    } else if (step.output >= 0) {
      touch(step.output, i);
    }
  }
  for (int slot : plan.fetch_slots)
    last[static_cast<std::size_t>(slot)] = kNever;
  plan.release_after.assign(plan.steps.size(), {});
  for (std::size_t slot = 0; slot < slots; ++slot) {
    if (last[slot] != kNever) {
      plan.release_after[static_cast<std::size_t>(last[slot])].push_back(static_cast<int>(slot));
    }
  }
}

}  // namespace varscope::detail
