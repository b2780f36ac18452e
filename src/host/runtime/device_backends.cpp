// Sessions of several GPUs (device_count {"GPU": n} on CUDA): which backend runs each step,
// holds each variable and each feed, and how a value crosses from one GPU to another: a copy
// on the destination's stream, after an event of the source's stream, and the source's
// stream then waits for the copy (it frees or overwrites the source only after it was read).
// All host code: the CPU tests drive it with recording backends (session_multi_gpu_test).
// A session of one backend takes none of these paths and runs as before.
#include <algorithm>
#include <string>
#include <vector>

#include "host/core/byte_size.h"
#include "host/graph/op_defs.h"
#include "host/runtime/session_impl.h"
#include "varscope/errors.h"

namespace varscope::detail {

runtime::Backend& SessionImpl::backend_of(int device) const {
  if (!several_backends()) return main_backend();
  // GPU:i is placer device (number of CPUs) + i; its backend is backends[i].
  const int gpu = device - (placer.size() - placer.gpus());
  if (gpu < 0) return main_backend();  // a CPU device
  return *backends.at(static_cast<std::size_t>(gpu));
}

runtime::Backend& SessionImpl::variable_backend(int variable) const {
  if (!several_backends()) return main_backend();
  const VariableRecord& rec = graph->variables.at(static_cast<std::size_t>(variable));
  return backend_of(placer.place(*graph, rec.node));
}

void SessionImpl::activate_all() {
  for (const auto& b : backends)
    b->activate();
}

void SessionImpl::synchronize_all() {
  for (const auto& b : backends)
    b->synchronize();
}

std::vector<int> SessionImpl::plan_slot_devices(const Plan& plan, const RunSignature& run) const {
  std::vector<int> device(static_cast<std::size_t>(plan.num_slots), 0);
  for (std::size_t i = 0; i < plan.feed_slots.size(); ++i) {
    device[static_cast<std::size_t>(plan.feed_slots[i])] = placer.place(*graph, run.fed[i].node);
  }
  for (const Step& s : plan.steps) {
    // The slots the step writes (as device_schedule.cpp counts them).
    const int outputs = s.device_copy || s.kind == OpKind::kFusedRandom
                            ? 1
                            : static_cast<int>(graph->node(s.node).outputs.size());
    for (int i = 0; i < outputs && s.output >= 0; ++i)
      device[static_cast<std::size_t>(s.output + i)] = s.device;
    for (const Step::CollectiveMember& m : s.fused)
      device[static_cast<std::size_t>(m.output)] = s.device;
  }
  // A variable is never copied: an op taking one by reference must run on its backend.
  // Graph building and import put such ops with their variable (TF's colocation), so this
  // guards an invariant: a kernel on one GPU must not get another GPU's pool memory.
  for (const Step& s : plan.steps) {
    if (s.device_copy) continue;
    const Node& n = graph->node(s.node);
    // A bucket's last step reduces every member's input in one buffer of its own GPU.
    for (const Step::CollectiveMember& m : s.fused) {
      const int from = device[static_cast<std::size_t>(m.input)];
      if (&backend_of(from) == &backend_of(s.device)) continue;
      throw UnimplementedError(
          graph->node(m.node).name + " on " + placer.names().at(static_cast<std::size_t>(from)) +
          " and " + n.name + " on " + placer.names().at(static_cast<std::size_t>(s.device)) +
          ": varscope runs a session's Horovod collectives on one GPU (Horovod's model is one "
          "process per GPU)");
    }
    const int refs = std::min(ref_inputs(n.op), static_cast<int>(s.inputs.size()));
    for (int i = 0; i < refs; ++i) {
      const int from = device[static_cast<std::size_t>(s.inputs[static_cast<std::size_t>(i)])];
      if (&backend_of(from) == &backend_of(s.device)) continue;
      const std::string& var = graph->node(n.inputs[static_cast<std::size_t>(i)].node).name;
      throw InternalError(n.name + " on " + placer.names().at(static_cast<std::size_t>(s.device)) +
                          " takes " + var + " of " +
                          placer.names().at(static_cast<std::size_t>(from)) +
                          " by reference, which no GPU can reach on another");
    }
  }
  return device;
}

void SessionImpl::order_after(runtime::Backend& later, runtime::Backend& earlier) {
  if (&later != &earlier) later.wait_event(earlier.record_event());
}

Value SessionImpl::copy_across(const Value& v,
                               runtime::Backend& from,
                               runtime::Backend& to,
                               RunContext& ctx) {
  if (v.dtype == DType::kString || &from == &to) return Value{v.data, v.dtype, v.shape, -1, v.host};
  runtime::Backend& step_backend = ctx.backend();
  ctx.use(to);
  const std::size_t bytes = byte_size(v.shape.num_elements(), v.dtype);
  Value out{ctx.temporary(bytes), v.dtype, v.shape, -1};
  ctx.use(step_backend);
  order_after(to, from);
  to.copy_peer(out.data.get(), v.data.get(), bytes);
  order_after(from, to);
  return out;
}

void SessionImpl::execute_device_copy(const Step& step,
                                      std::vector<Value>& slots,
                                      RunContext& ctx) {
  const int from = ctx.slot_devices->at(static_cast<std::size_t>(step.inputs.at(0)));
  const Value& in = read(step, 0, slots, ctx);  // an uninitialized variable is refused here
  slots[static_cast<std::size_t>(step.output)] =
      copy_across(in, backend_of(from), ctx.backend(), ctx);
}

}  // namespace varscope::detail
