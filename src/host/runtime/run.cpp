// Session::run's loop: feeds checked before anything runs, the plan of the run's signature
// (built once, planner.cpp), the feeds loaded into their slots, each step executed
// (execute_step.cpp), the fetches checked and copied to the host.
#include <chrono>
#include <string>
#include <utility>

#include "host/core/byte_size.h"
#include "host/runtime/run_context.h"
#include "host/runtime/session_impl.h"
#include "varscope/errors.h"

namespace varscope::detail {

std::shared_ptr<void> allocate(runtime::Backend& backend, std::size_t bytes) {
  runtime::Backend* b = &backend;
  return std::shared_ptr<void>(b->allocate(bytes), [b](void* p) { b->deallocate(p); });
}

std::shared_ptr<void> RunContext::temporary(std::size_t bytes) {
  if (recording_ != nullptr) {
    // Recording: no allocation may happen now. The run takes the buffers allocated for it
    // before, sized after the plain first run, which made the same requests in this order.
    const std::size_t i = next_buffer_++;
    if (i >= recording_->buffers.size() || recording_->temporaries[i] != bytes) {
      throw InternalError("A recorded run asked for other temporaries than its first run");
    }
    return recording_->buffers[i];
  }
  if (sizes_ != nullptr) sizes_->push_back(bytes);
  return allocate(*backend_, bytes);
}

void RunContext::check_all_buffers_taken() const {
  if (recording_ != nullptr && next_buffer_ != recording_->buffers.size()) {
    throw InternalError("A recorded run asked for other temporaries than its first run");
  }
}

std::vector<HostTensor> SessionImpl::run(const std::vector<TensorRef>& fetches,
                                         const Feeds& feeds,
                                         const std::vector<int>& targets) {
  std::lock_guard<std::mutex> lock(mu);
  // Another thread may be building the graph: the run sees it before or after each call.
  const auto reading = graph->lock_for_reading();
  activate_all();
  // Feeds are checked before anything runs, so a bad feed changes nothing.
  RunSignature signature{fetches, {}, targets};
  for (const auto& [ref, value] : feeds) {
    check_feed(ref, value.dtype(), value.shape());
    signature.fed.push_back(ref);
  }
  Plan& plan = plan_for(std::move(signature));
  if (!use_graphs_ || !plan.capturable) return run_plain(plan, feeds, nullptr);

  return run_recorded(plan, feeds);
}

void SessionImpl::check_feed(const TensorRef& ref, DType dtype, const Shape& shape) const {
  const Node& n = graph->node(ref.node);
  const OutputSpec& spec = n.outputs.at(static_cast<std::size_t>(ref.index));
  const std::string name = n.name + ":" + std::to_string(ref.index);
  if (dtype != spec.dtype) {
    throw InvalidArgumentError("Cannot feed value of dtype " + std::string(dtype_name(dtype)) +
                               " for Tensor '" + name + "', which has dtype " +
                               std::string(dtype_name(spec.dtype)));
  }
  if (!shape.is_compatible_with(spec.shape)) {
    throw InvalidArgumentError("Cannot feed value of shape " + shape.to_string() + " for Tensor '" +
                               name + "', which has shape '" + spec.shape.to_string() + "'");
  }
}

Plan& SessionImpl::plan_for(RunSignature run) {
  auto it = plans_.find(run);
  if (it == plans_.end()) {
    Plan plan = build_plan(*graph, run, placer);
    // Before the plan is kept: a refused plan is built again (and refused) by the next run.
    std::vector<int> devices;
    if (several_backends()) devices = plan_slot_devices(plan, run);
    it = plans_.emplace(std::move(run), std::move(plan)).first;
    if (several_backends()) slot_devices_[&it->second] = std::move(devices);
  }
  return it->second;
}

const std::vector<int>* SessionImpl::slot_devices(const Plan& plan) const {
  if (!several_backends()) return nullptr;
  return &slot_devices_.at(&plan);
}

void SessionImpl::run_steps(const Plan& plan,
                            const FeedLoader& load_feed,
                            std::vector<Value>& slots,
                            RunContext& ctx) {
  // Several GPUs: the run's work on each comes after what stream() (GPU:0's) holds, and
  // stream() waits for all of it at the end: the session's stream order covers the run.
  if (several_backends()) {
    for (std::size_t b = 1; b < backends.size(); ++b)
      order_after(*backends[b], main_backend());
    try {
      run_feeds_and_steps(plan, load_feed, slots, ctx);
    } catch (...) {
      try {
        join_backends();
      } catch (...) {  // the run's own error says more
      }
      throw;
    }
    join_backends();
    return;
  }
  run_feeds_and_steps(plan, load_feed, slots, ctx);
}

void SessionImpl::join_backends() {
  for (std::size_t b = 1; b < backends.size(); ++b)
    order_after(main_backend(), *backends[b]);
}

void SessionImpl::run_feeds_and_steps(const Plan& plan,
                                      const FeedLoader& load_feed,
                                      std::vector<Value>& slots,
                                      RunContext& ctx) {
  for (std::size_t i = 0; i < plan.feed_slots.size(); ++i) {
    const auto slot = static_cast<std::size_t>(plan.feed_slots[i]);
    // Several GPUs: a feed goes to its tensor's device.
    if (ctx.slot_devices != nullptr) ctx.use(backend_of(ctx.slot_devices->at(slot)));
    slots[slot] = load_feed(i, ctx);
  }
  ctx.start_steps();
  // Several CPU devices may run side by side (where it pays: Plan::DeviceTiming); a
  // recording or a GPU backend runs in order (several GPUs: one host thread enqueues for
  // all of them, their streams run side by side).
  if (!plan.device_steps.empty() && ctx.plain() && !several_backends() &&
      main_backend().kind() == DeviceKind::kCpu) {
    Plan::DeviceTiming& timing = plan.device_timing;
    const std::uint32_t phase = timing.runs++ % 1024;
    if (phase == 0) timing = {timing.runs, 0, 0};
    const bool timed = phase < 8;
    const bool side_by_side = timed ? phase % 2 == 0 : timing.side_by_side_s <= timing.in_order_s;
    const auto start = std::chrono::steady_clock::now();
    if (side_by_side) {
      run_devices_in_parallel(plan, slots, ctx);
    } else {
      run_in_order(plan, slots, ctx);
    }
    if (timed) {  // each way's fastest run: a busy machine's slow outliers do not decide
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
      double& best = side_by_side ? timing.side_by_side_s : timing.in_order_s;
      if (best == 0 || took.count() < best) best = took.count();
    }
  } else {
    run_in_order(plan, slots, ctx);
  }
  check_fetches(plan, slots, ctx);
}

void SessionImpl::run_in_order(const Plan& plan, std::vector<Value>& slots, RunContext& ctx) {
  // Dropped values go back to the CPU backend's cache while still in the CPU's caches
  // (slot_releases.cpp). A recording keeps every buffer it was handed; a GPU run keeps its
  // values too (a buffer freed while queued work still reads it is safe only if reuse is
  // ordered by the stream, which no GPU here has shown).
  const bool release =
      ctx.plain() && !several_backends() && main_backend().kind() == DeviceKind::kCpu;
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    execute(plan.steps[i], slots, ctx);
    if (!release) continue;
    for (int slot : plan.release_after[i])
      slots[static_cast<std::size_t>(slot)] = Value{};
  }
}

SessionImpl::FeedLoader SessionImpl::host_feeds(const Feeds& feeds) {
  return [this, &feeds](std::size_t i, RunContext& ctx) {
    const HostTensor& value = feeds[i].second;
    if (value.dtype() == DType::kString)  // strings stay on the host
      return Value{nullptr, value.dtype(), value.shape(), -1, std::make_shared<HostTensor>(value)};
    Value v{ctx.temporary(value.nbytes()), value.dtype(), value.shape(), -1};
    ctx.backend().copy_from_host(v.data.get(), value.raw_data(), value.nbytes());
    return v;
  };
}

std::vector<HostTensor> SessionImpl::run_plain(const Plan& plan,
                                               const Feeds& feeds,
                                               std::vector<std::size_t>* temporaries) {
  RunContext ctx(main_backend(), temporaries);
  ctx.slot_devices = slot_devices(plan);
  std::vector<Value> slots(static_cast<std::size_t>(plan.num_slots));
  run_steps(plan, host_feeds(feeds), slots, ctx);
  return fetch_to_host(plan, slots);
}

std::vector<HostTensor> SessionImpl::fetch_to_host(const Plan& plan,
                                                   const std::vector<Value>& slots) {
  const std::vector<int>* devices = slot_devices(plan);
  std::vector<HostTensor> out;
  for (int slot : plan.fetch_slots) {
    const auto i = static_cast<std::size_t>(slot);
    out.push_back(
        to_host(slots[i], devices != nullptr ? backend_of(devices->at(i)) : main_backend()));
  }
  synchronize_all();
  return out;
}

void SessionImpl::check_fetches(const Plan& plan,
                                const std::vector<Value>& slots,
                                RunContext& ctx) const {
  for (int slot : plan.fetch_slots) {
    const Value& v = slots[static_cast<std::size_t>(slot)];
    if (v.variable < 0) continue;
    ctx.note({GraphCheck::kFetch, v.variable, -1});
    if (!variables[static_cast<std::size_t>(v.variable)].initialized) {
      throw_uninitialized(v.variable, -1);
    }
  }
}

VariableStorage& SessionImpl::storage(int variable, const RunContext* ctx) {
  if (variables.size() <= static_cast<std::size_t>(variable)) {
    variables.resize(static_cast<std::size_t>(variable) + 1);
  }
  VariableStorage& s = variables[static_cast<std::size_t>(variable)];
  if (!s.data) {
    // Cannot happen (the plain first run allocated it), and must not: memory allocated
    // while recording would belong to the graph.
    if (ctx != nullptr && ctx->recording()) {
      throw InternalError("A variable allocated while recording");
    }
    std::lock_guard<std::mutex> lock(run_state_mu_);  // devices in parallel: one allocates
    if (s.data) return s;
    const VariableRecord& rec = graph->variables.at(static_cast<std::size_t>(variable));
    if (rec.dtype == DType::kString) {
      throw UnimplementedError(
          "VariableV2 on string: varscope keeps strings on the host, "
          "where only Const, Placeholder, Identity and the summary ops "
          "take them (variable " +
          graph->node(rec.node).name + ")");
    }
    if (!rec.shape.is_fully_defined()) {
      throw UnimplementedError("Variable " + graph->node(rec.node).name +
                               " has no fully defined shape (validate_shape=false)");
    }
    s.data = allocate(variable_backend(variable), byte_size(rec.shape.num_elements(), rec.dtype));
  }
  return s;
}

void SessionImpl::throw_uninitialized(int variable, int node) const {
  const VariableRecord& rec = graph->variables[static_cast<std::size_t>(variable)];
  std::string message = "Attempting to use uninitialized value " + graph->node(rec.node).name;
  if (node >= 0) message += "\n\t [[{{node " + graph->node(node).name + "}}]]";
  throw FailedPreconditionError(message);
}

HostTensor SessionImpl::to_host(const Value& v, runtime::Backend& on) {
  if (v.dtype == DType::kString) return *v.host;
  HostTensor out(v.dtype, v.shape);
  on.copy_to_host(out.raw_data(), v.data.get(), out.nbytes());
  return out;
}

}  // namespace varscope::detail
