// SessionOptions::use_cuda_graph: a plan's work recorded once per feed shapes and replayed
// with one launch. The recording happens through the backend's capture calls; the steps
// run the same way in all three phases (execute_step.cpp), only their RunContext differs.
#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "host/runtime/session_impl.h"
#include "varscope/errors.h"

namespace varscope::detail {
namespace {

// The key of a plan's recordings: the feeds' shapes (dtypes are fixed by the plan's checks).
std::vector<std::int64_t> feed_shapes(const std::vector<std::pair<TensorRef, HostTensor>>& feeds) {
  std::vector<std::int64_t> key;
  for (const auto& [ref, value] : feeds) {
    key.push_back(value.shape().rank());
    for (std::int64_t d : value.shape().dims())
      key.push_back(d);
  }
  return key;
}

// Each recording keeps its temporaries allocated: a few feed shapes per plan, not unbounded.
constexpr std::size_t kMaxGraphsPerPlan = 8;

}  // namespace

bool capturable(const Step& step, Capture capture) {
  // A fused random chain is stateful as its random op is: never recorded.
  if (step.kind == OpKind::kFusedRandom) return false;
  switch (capture) {
    case Capture::kYes:
      return true;
    case Capture::kNo:
      return false;
    case Capture::kIfHostConstants:
      if (step.kind == OpKind::kReduce) return step.host_axes >= 0;
      // The convolution and pool gradients read their sizes input only where the graph did
      // not know the output's shape.
      if (step.kind == OpKind::kConv || step.kind == OpKind::kPool) return !step.check_shapes;
      return step.host_consts[1] >= 0;
  }
  return false;
}

std::vector<HostTensor> SessionImpl::run_recorded(Plan& plan, const Feeds& feeds) {
  // use_cuda_graph, per feed shapes: a plain first run (it uploads the constants, loads the
  // kernels and notes the temporaries' sizes), then a run that records and launches a
  // graph, then replays.
  std::vector<std::int64_t> shapes = feed_shapes(feeds);
  auto it = plan.graphs.find(shapes);
  if (it == plan.graphs.end()) {
    if (plan.graphs.size() >= kMaxGraphsPerPlan) return run_plain(plan, feeds, nullptr);
    CapturedRun first;
    std::vector<HostTensor> out = run_plain(plan, feeds, &first.temporaries);
    plan.graphs.emplace(std::move(shapes), std::move(first));  // only after a run that worked
    return out;
  }
  CapturedRun& recording = it->second;
  if (recording.graph) return replay(recording, feeds);
  if (recording.nothing_to_capture) return run_plain(plan, feeds, nullptr);
  return capture(plan, recording, feeds);
}

std::vector<HostTensor> SessionImpl::capture(Plan& plan, CapturedRun& rec, const Feeds& feeds) {
  std::vector<Value> slots(static_cast<std::size_t>(plan.num_slots));
  // Executing under capture records the device work but runs none of it, while the host
  // side (initialized flags) moves on: put it back if the graph is not launched.
  std::vector<bool> initialized;
  for (const VariableStorage& v : variables)
    initialized.push_back(v.initialized);
  RunContext ctx(main_backend(), rec);
  auto undo = [&] {
    if (ctx.capturing()) main_backend().abort_capture();  // never leave the stream capturing
    ctx.capture_ended();
    for (std::size_t i = 0; i < initialized.size() && i < variables.size(); ++i)
      variables[i].initialized = initialized[i];
    slots.clear();
    rec.buffers.clear();
  };
  try {
    // Everything that allocates or waits happens before recording starts: the graph's
    // buffers (alive as long as it is), then the feeds copied into the first of them
    // (run_steps starts the capture after the feeds).
    for (std::size_t bytes : rec.temporaries)
      rec.buffers.push_back(allocate(main_backend(), bytes));
    run_steps(plan, host_feeds(feeds), slots, ctx);
    ctx.check_all_buffers_taken();
    ctx.capture_ended();
    std::unique_ptr<runtime::Backend::Graph> graph = main_backend().end_capture();
    if (graph) main_backend().launch(*graph);
    rec.graph = std::move(graph);
  } catch (const InternalError&) {
    // A device call failed while recording (work a graph cannot hold): nothing ran and the
    // host state is back, so this run and every later one of the plan use plain launches.
    undo();
    plan.capturable = false;
    plan.graphs.clear();  // `rec` is gone from here on
    return run_plain(plan, feeds, nullptr);
  } catch (...) {
    undo();  // e.g. an uninitialized read: reported as a plain run would, nothing changed
    throw;
  }
  if (rec.graph) {
    ++graph_launches;
    rec.checks = ctx.take_checks();
    for (int slot : plan.feed_slots)
      rec.feeds.push_back(slots[static_cast<std::size_t>(slot)]);
    for (int slot : plan.fetch_slots)
      rec.fetches.push_back(slots[static_cast<std::size_t>(slot)]);
  } else {
    // No device work at all (e.g. fetching a variable): plain runs cost no more.
    rec.nothing_to_capture = true;
    rec.buffers.clear();
  }
  return fetch_to_host(plan, slots);
}

std::vector<HostTensor> SessionImpl::replay(CapturedRun& rec, const Feeds& feeds) {
  // The host-side checks of the recorded run, in its order, counting the variables it
  // initializes on the way; all before anything changes.
  std::vector<int> assigned;
  for (const GraphCheck& c : rec.checks) {
    if (c.kind == GraphCheck::kAssign) {
      assigned.push_back(c.variable);
    } else if (!variables[static_cast<std::size_t>(c.variable)].initialized &&
               std::find(assigned.begin(), assigned.end(), c.variable) == assigned.end()) {
      throw_uninitialized(c.variable, c.kind == GraphCheck::kRead ? c.node : -1);
    }
  }
  for (std::size_t i = 0; i < feeds.size(); ++i) {
    const HostTensor& value = feeds[i].second;
    main_backend().copy_from_host(rec.feeds[i].data.get(), value.raw_data(), value.nbytes());
  }
  main_backend().launch(*rec.graph);
  ++graph_launches;
  for (int v : assigned)
    variables[static_cast<std::size_t>(v)].initialized = true;
  std::vector<HostTensor> out;
  for (const Value& v : rec.fetches)
    out.push_back(to_host(v, main_backend()));
  main_backend().synchronize();
  return out;
}

}  // namespace varscope::detail
