// Sessions of several CPU devices: each device's steps run on a thread of their own, in plan
// order, and a step first waits for the steps of other devices it depends on (the producers
// of its inputs, its control inputs' steps). Cross-device values pass through the planner's
// copy steps, which run on the destination device after their source, as in order.
#include <algorithm>
#include <atomic>
#include <exception>
#include <limits>
#include <mutex>
#include <system_error>
#include <unordered_map>

#include "host/runtime/device_workers.h"
#include "host/runtime/session_impl.h"

namespace varscope::detail {
namespace {

// The slots step `s` writes: its outputs; a collective bucket's last step writes every
// member's output.
template <typename F>
void for_each_written_slot(const GraphImpl& graph, const Step& s, F&& f) {
  const int outputs = s.device_copy || s.kind == OpKind::kFusedRandom
                          ? 1
                          : static_cast<int>(graph.node(s.node).outputs.size());
  for (int i = 0; i < outputs; ++i)
    f(s.output + i);
  for (const Step::CollectiveMember& m : s.fused)
    f(m.output);
}

}  // namespace

void plan_device_schedule(const GraphImpl& graph, Plan& plan) {
  const std::vector<Step>& steps = plan.steps;
  int devices = 0;
  for (const Step& s : steps)
    devices = std::max(devices, s.device + 1);
  std::vector<int> position(steps.size());  // a step's place among its device's steps
  std::vector<std::vector<int>> device_steps(static_cast<std::size_t>(devices));
  for (std::size_t i = 0; i < steps.size(); ++i) {
    auto& mine = device_steps[static_cast<std::size_t>(steps[i].device)];
    position[i] = static_cast<int>(mine.size());
    mine.push_back(static_cast<int>(i));
  }
  const auto used = std::count_if(device_steps.begin(), device_steps.end(),
                                  [](const std::vector<int>& d) { return !d.empty(); });
  if (used < 2) return;  // one device: in order on the calling thread

  std::unordered_map<int, int> writer;                          // slot -> the step that writes it
  std::unordered_map<int, int> step_of;                         // node -> its (non-copy) step
  std::vector<int> seen(static_cast<std::size_t>(devices), 0);  // each device's steps before i
  plan.waits.assign(steps.size(), {});
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const Step& s = steps[i];
    // needs[d]: how many of device d's steps must be done first (0: none).
    std::vector<int> needs(static_cast<std::size_t>(devices), 0);
    const auto after = [&](int j) {
      const Step& p = steps[static_cast<std::size_t>(j)];
      if (p.device == s.device) return;  // its own thread runs them in order
      int& n = needs[static_cast<std::size_t>(p.device)];
      n = std::max(n, position[static_cast<std::size_t>(j)] + 1);
    };
    const auto after_everything_before = [&] {
      for (int d = 0; d < devices; ++d) {
        if (d == s.device) continue;
        int& n = needs[static_cast<std::size_t>(d)];
        n = std::max(n, seen[static_cast<std::size_t>(d)]);
      }
    };
    for (int slot : s.inputs) {
      if (auto w = writer.find(slot); w != writer.end()) after(w->second);
    }
    for (const Step::CollectiveMember& m : s.fused) {
      if (auto w = writer.find(m.input); w != writer.end()) after(w->second);
    }
    // Control inputs of a node whose work another step does (a folded random chain) or
    // collectives (every rank calls them in one order): everything before, as in order.
    if (s.kind == OpKind::kCollective || s.kind == OpKind::kFusedRandom) {
      after_everything_before();
    } else if (!s.device_copy) {
      for (int c : graph.node(s.node).control_inputs) {
        auto p = step_of.find(c);
        if (p != step_of.end()) {
          after(p->second);
        } else {
          after_everything_before();  // not a step of its own (folded, or fed)
        }
      }
    }
    for (int d = 0; d < devices; ++d) {
      if (needs[static_cast<std::size_t>(d)] > 0)
        plan.waits[i].push_back({d, needs[static_cast<std::size_t>(d)]});
    }
    for_each_written_slot(graph, s, [&](int slot) { writer[slot] = static_cast<int>(i); });
    if (!s.device_copy) step_of[s.node] = static_cast<int>(i);
    ++seen[static_cast<std::size_t>(s.device)];
  }
  plan.device_steps = std::move(device_steps);
}

void SessionImpl::run_devices_in_parallel(const Plan& plan,
                                          std::vector<Value>& slots,
                                          RunContext& ctx) {
  // storage() must not resize while threads hold references into `variables`.
  if (variables.size() < graph->variables.size()) variables.resize(graph->variables.size());
  const std::size_t devices = plan.device_steps.size();
  std::vector<std::atomic<int>> done(devices);
  // The earliest failing step in plan order: steps after it are skipped (a run in order would
  // never reach them), steps before it still run, so the error raised is the one a run in
  // order raises.
  std::atomic<int> stop_after{std::numeric_limits<int>::max()};
  std::mutex error_mu;
  std::exception_ptr error;
  int error_step = std::numeric_limits<int>::max();

  const auto skipped = [&](int i) { return i > stop_after.load(std::memory_order_acquire); };
  const auto run_device = [&](std::size_t d) {
    for (int i : plan.device_steps[d]) {
      for (const Plan::DeviceWait& w : plan.waits[static_cast<std::size_t>(i)]) {
        if (skipped(i)) break;  // a skipped step waits for nothing
        std::atomic<int>& other = done[static_cast<std::size_t>(w.device)];
        for (int seen = other.load(std::memory_order_acquire); seen < w.steps;
             seen = other.load(std::memory_order_acquire)) {
          other.wait(seen, std::memory_order_acquire);
        }
      }
      if (!skipped(i)) {
        try {
          execute(plan.steps[static_cast<std::size_t>(i)], slots, ctx);
        } catch (...) {
          std::lock_guard<std::mutex> lock(error_mu);
          if (i < error_step) {
            error_step = i;
            error = std::current_exception();
            stop_after.store(i, std::memory_order_release);
          }
        }
      }
      // Done or skipped: either way the steps waiting for it go on (a skipped step's
      // dependents come after it in plan order, so they are skipped too).
      done[d].fetch_add(1, std::memory_order_release);
      done[d].notify_all();
    }
  };
  const std::size_t workers = devices - 1;
  if (workers_ == nullptr || workers_->size() < workers) {
    try {
      workers_ = std::make_shared<DeviceWorkers>(workers);
    } catch (const std::system_error&) {  // no threads to be had: the steps in order
      for (const Step& step : plan.steps)
        execute(step, slots, ctx);
      return;
    }
  }
  workers_->run(devices, run_device);
  if (error) std::rethrow_exception(error);
}

}  // namespace varscope::detail
