// A session's state: its backends (one, or one per GPU), the variables' storage, cached
// constants and plans.
// Session::run goes: run.cpp (feed checks, plan cache, run loop) -> planner.cpp (a new
// signature's plan) -> execute_step.cpp (each step on the backend, by concept:
// execute_state/array/math/nn.cpp); graph_replay.cpp when
// SessionOptions::use_cuda_graph records and replays runs.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "host/graph/graph_impl.h"
#include "host/runtime/backend.h"
#include "host/runtime/placement.h"
#include "host/runtime/plan.h"
#include "host/runtime/run_context.h"
#include "varscope/session.h"

namespace varscope::detail {

struct VariableStorage {
  std::shared_ptr<void> data;
  bool initialized = false;
};

// The bytes of a device view; vs::InvalidArgumentError naming `what` for a shape that is not
// fully defined or a null pointer to a non-empty tensor.
std::size_t view_bytes(const DeviceTensorView& view, const std::string& what);

class DeviceWorkers;  // device_workers.h

class SessionImpl {
 public:
  SessionImpl(std::shared_ptr<GraphImpl> graph, const SessionOptions& options);
  // With given backends (tests use ones that record instead of launching): one, or one per
  // GPU of a CUDA session (GPU:i on backends[i]; fewer than device_count asks gives fewer
  // GPU devices, as TF). vs::InternalError for several backends of the CPU kind.
  SessionImpl(std::shared_ptr<GraphImpl> graph,
              std::vector<std::unique_ptr<runtime::Backend>> backends,
              bool use_cuda_graph,
              const std::map<std::string, int>& device_count = {},
              bool allow_soft_placement = false);
  SessionImpl(std::shared_ptr<GraphImpl> graph,
              std::unique_ptr<runtime::Backend> backend,
              bool use_cuda_graph,
              const std::map<std::string, int>& device_count = {},
              bool allow_soft_placement = false);

  using Feeds = detail::Feeds;

  std::vector<HostTensor> run(const std::vector<TensorRef>& fetches,
                              const Feeds& feeds,
                              const std::vector<int>& targets);
  // ---- device_io.cpp: Session::run_async; caller holds no lock ----
  void run_async(const std::vector<TensorRef>& fetches,
                 const std::vector<DeviceTensorView>& outputs,
                 const std::vector<std::pair<TensorRef, DeviceTensorView>>& feeds,
                 const std::vector<int>& targets);
  // vs::InvalidArgumentError naming `what` unless this session runs on CUDA.
  void require_device_views(const std::string& what) const;
  // Allocated on first use (never while recording: vs::InternalError); caller holds mu.
  VariableStorage& storage(int variable, const RunContext* ctx = nullptr);

  std::shared_ptr<GraphImpl> graph;
  // Declared before the buffers and graphs (plans_): destroyed after them. One backend, or
  // one per GPU of a CUDA session of several (GPU:i on backends[i]).
  std::vector<std::unique_ptr<runtime::Backend>> backends;
  DevicePlacer placer;  // the session's devices
  // ---- device_backends.cpp: which backend runs what ----
  // The default device's backend (GPU:0's on CUDA): the session's stream, the caller's
  // device views, CUDA Graphs.
  runtime::Backend& main_backend() const { return *backends.front(); }
  bool several_backends() const { return backends.size() > 1; }
  // The backend of device `device` (a placer index): GPU:i's is backends[i]; the CPU devices
  // share backends[0] (a CUDA session runs its CPU-placed ops on GPU:0, as it always did).
  runtime::Backend& backend_of(int device) const;
  // The backend that holds the variable's storage: its VariableV2 op's device's. Several
  // backends: the placer reads the graph (the caller holds its read lock).
  runtime::Backend& variable_backend(int variable) const;
  // `later`'s work from now on waits for `earlier`'s so far (an event recorded on `earlier`,
  // waited for on `later`'s stream: no host wait); nothing when they are one backend.
  static void order_after(runtime::Backend& later, runtime::Backend& earlier);
  // Calls activate() on every backend; synchronize() on every backend.
  void activate_all();
  void synchronize_all();
  std::mutex mu;
  std::vector<VariableStorage> variables;
  std::uint64_t graph_launches = 0;  // runs done as one graph launch; caller holds mu

 private:
  // ---- device_backends.cpp ----
  // Several backends: each slot's device (a step's outputs on its device, a feed on its
  // tensor's producer's); vs::InternalError where a step would take a variable of another
  // GPU by reference (graph building colocates them). Stored in slot_devices_ by plan_for.
  std::vector<int> plan_slot_devices(const Plan& plan, const RunSignature& run) const;
  // `v` (memory of `from`) copied into a new buffer of `to`, on `to`'s stream: `to` waits
  // for an event of `from`, and `from` for one of `to` after the copy (`from` may free or
  // overwrite the source only once the copy has read it). No host wait.
  Value copy_across(const Value& v, runtime::Backend& from, runtime::Backend& to, RunContext& ctx);
  // A device_copy step between two backends.
  void execute_device_copy(const Step& step, std::vector<Value>& slots, RunContext& ctx);

  // ---- run.cpp ----
  // Feed i's value in backend memory: a host tensor copied in, or a caller's device buffer.
  using FeedLoader = std::function<Value(std::size_t i, RunContext& ctx)>;
  Plan& plan_for(RunSignature run);
  // The one loop of every run (plain, recorded, asynchronous): the feeds into their slots,
  // the steps, the fetches' checks. `ctx` is the run's mode.
  void run_steps(const Plan& plan,
                 const FeedLoader& load_feed,
                 std::vector<Value>& slots,
                 RunContext& ctx);
  void run_feeds_and_steps(const Plan& plan,
                           const FeedLoader& load_feed,
                           std::vector<Value>& slots,
                           RunContext& ctx);
  void join_backends();  // several GPUs: the main backend waits for the others' work
  // device_schedule.cpp: a plan's devices on a thread each (plan.device_steps), each step
  // after what it waits for; the error of the earliest failing step in plan order, as a run
  // in order would raise it.
  void run_devices_in_parallel(const Plan& plan, std::vector<Value>& slots, RunContext& ctx);
  // The steps in plan order; a plain CPU run drops each value after its last reader.
  void run_in_order(const Plan& plan, std::vector<Value>& slots, RunContext& ctx);
  FeedLoader host_feeds(const Feeds& feeds);
  // `temporaries`, when given, receives the size of every temporary the run allocates.
  std::vector<HostTensor> run_plain(const Plan& plan,
                                    const Feeds& feeds,
                                    std::vector<std::size_t>* temporaries);
  // The fetched values copied to the host, once the stream has finished.
  std::vector<HostTensor> fetch_to_host(const Plan& plan, const std::vector<Value>& slots);
  // vs::InvalidArgumentError unless a value of `dtype` and `shape` may feed `ref`.
  void check_feed(const TensorRef& ref, DType dtype, const Shape& shape) const;
  void check_fetches(const Plan& plan, const std::vector<Value>& slots, RunContext& ctx) const;
  [[noreturn]] void throw_uninitialized(int variable, int node) const;
  // A value of backend `on` (of the step's device: `ctx`'s) copied to the host.
  HostTensor to_host(const Value& v, runtime::Backend& on);
  HostTensor to_host(const Value& v, const RunContext& ctx) { return to_host(v, ctx.backend()); }
  // The plan's slot devices (plan_slot_devices) where the session has several backends.
  const std::vector<int>* slot_devices(const Plan& plan) const;

  // ---- graph_replay.cpp (use_cuda_graph): the plain first run, the recording, the replays ----
  std::vector<HostTensor> run_recorded(Plan& plan, const Feeds& feeds);
  std::vector<HostTensor> capture(Plan& plan, CapturedRun& run, const Feeds& feeds);
  std::vector<HostTensor> replay(CapturedRun& run, const Feeds& feeds);

  // ---- execute_step.cpp: one step on the backend, handed to its concept's executor ----
  void execute(const Step& step, std::vector<Value>& slots, RunContext& ctx);
  // A step's input, refused when it reads an uninitialized variable.
  const Value& read(const Step& step,
                    std::size_t input,
                    std::vector<Value>& slots,
                    RunContext& ctx) const;
  // A scalar input needed on the host: a Const's value when the planner found one (no copy
  // from the device), else read and copied back.
  HostTensor host_input(const Step& step,
                        std::size_t input,
                        std::vector<Value>& slots,
                        RunContext& ctx);
  // The step's outputs for this run: the graph's where the planner found every input's
  // shape known (Step::check_shapes), else the node's shape function's given the run's
  // inputs (`input1`: input 1's value, read on the host), which refuses them in TF's
  // run-time words; kept in the step for the next run of the same shapes.
  const std::vector<OutputSpec>& run_outputs(const Step& step,
                                             std::span<const Value* const> inputs,
                                             const HostTensor* input1 = nullptr) const;
  // execute_state.cpp: constants, variables, assignments, the optimizers' updates.
  void execute_state(const Step& step, std::vector<Value>& slots, RunContext& ctx);
  void apply_update(const Step& step, std::vector<Value>& slots, RunContext& ctx);
  // execute_array.cpp: fills and the random streams.
  void execute_array(const Step& step, std::vector<Value>& slots, RunContext& ctx);
  void random(const Step& step, std::vector<Value>& slots, RunContext& ctx);
  // execute_math.cpp: elementwise ops, reductions, AddN, the gradient reshapers;
  // execute_matmul.cpp: the matrix products.
  void execute_math(const Step& step, std::vector<Value>& slots, RunContext& ctx);
  void binary(const Step& step, std::vector<Value>& slots, RunContext& ctx);
  void matmul(const Step& step, std::vector<Value>& slots, RunContext& ctx);
  void sum_of_products(const Step& step, std::vector<Value>& slots, RunContext& ctx);
  const void* shared_b_layout(const Step& step,
                              const Value& w,
                              std::vector<Value>& slots,
                              RunContext& ctx);
  void reduce(const Step& step, std::vector<Value>& slots, RunContext& ctx);
  void select(const Step& step, std::vector<Value>& slots, RunContext& ctx);  // execute_select.cpp
  // ArgMax/ArgMin and Cumsum (execute_axis.cpp).
  void axis_op(const Step& step, std::vector<Value>& slots, RunContext& ctx);
  // execute_nn.cpp: softmax, the activations' gradients, the losses.
  void execute_nn(const Step& step, std::vector<Value>& slots, RunContext& ctx);
  // execute_copy.cpp: the shape and data-movement steps.
  void execute_copy(const Step& step, std::vector<Value>& slots, RunContext& ctx);
  // execute_conv.cpp: convolution and pooling, forward and backward.
  void execute_conv(const Step& step, std::vector<Value>& slots, RunContext& ctx);
  // ScalarSummary, HistogramSummary, MergeSummary on the host (execute_summary.cpp).
  void execute_summary(const Step& step, std::vector<Value>& slots, RunContext& ctx);
  // HorovodAllreduce, HorovodBroadcast through dist::Communicator (execute_collective.cpp).
  void execute_collective(const Step& step, std::vector<Value>& slots, RunContext& ctx);
  void execute_batch_norm(const Step& step, std::vector<Value>& slots, RunContext& ctx);
  void segment_sum(const Step& step, std::vector<Value>& slots, RunContext& ctx, OutputSpec spec);
  void gather(const Step& step,
              std::vector<Value>& slots,
              RunContext& ctx,
              const std::vector<HostTensor>& host,
              OutputSpec spec);
  // execute_sparse.cpp: Unique, ScatterAdd / ScatterSub, SparseApplyMomentum's checks (its
  // indices in range; `inner`: elements per gradient row).
  void unique(const Step& step,
              std::vector<Value>& slots,
              RunContext& ctx,
              const std::vector<HostTensor>& host,
              std::vector<OutputSpec> specs);
  void scatter(const Step& step, std::vector<Value>& slots, RunContext& ctx);
  void check_sparse_apply(const Step& step,
                          const Value& var,
                          const Value& grad,
                          const Value& indices,
                          const RunContext& ctx,
                          std::int64_t& inner);
  // execute_data_flow.cpp
  void gather_rows(RunContext& ctx,
                   const void* src,
                   std::int64_t num_rows,
                   std::int64_t row,
                   std::size_t element_size,
                   const std::vector<std::int64_t>& rows,
                   void* dst);
  void dynamic_partition(const Step& step,
                         std::vector<Value>& slots,
                         RunContext& ctx,
                         const std::vector<HostTensor>& host,
                         std::vector<OutputSpec> specs);
  void parallel_dynamic_stitch(const Step& step,
                               std::vector<Value>& slots,
                               RunContext& ctx,
                               const std::vector<HostTensor>& host,
                               OutputSpec spec);
  void one_hot(const Step& step,
               std::vector<Value>& slots,
               RunContext& ctx,
               const std::vector<HostTensor>& host,
               OutputSpec spec);

  // Guards the maps below and variable allocation while devices run in parallel.
  std::mutex run_state_mu_;
  std::shared_ptr<DeviceWorkers> workers_;  // started by the first run on several devices
  std::unordered_map<int, Value> constants_;
  std::unordered_map<int, std::uint64_t> rng_offsets_;
  std::unordered_map<int, std::uint64_t> rng_seeds_;
  std::map<RunSignature, Plan> plans_;
  std::map<const Plan*, std::vector<int>> slot_devices_;  // several backends: per plan
  bool use_graphs_ = false;
};

}  // namespace varscope::detail
