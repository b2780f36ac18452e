// What one Session::run signature executes: the steps (which nodes, in order, with which
// kernel), the planner's fusions, and where each value lives (slots). Built by planner.cpp,
// run by run.cpp and execute_step.cpp, recorded and replayed by graph_replay.cpp.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "host/graph/graph_impl.h"
#include "host/graph/op_kernel.h"
#include "host/runtime/backend.h"
#include "host/runtime/placement.h"

namespace varscope::detail {

using Feeds = std::vector<std::pair<TensorRef, HostTensor>>;

// A run-time value in backend memory. `variable` >= 0 marks a reference to a variable's
// storage (a VariableV2 output), which ops other than Assign may read only when initialized.
// A string value is never in backend memory: `host` holds it (data is null).
struct Value {
  std::shared_ptr<void> data;
  DType dtype = DType::kFloat32;
  Shape shape;
  int variable = -1;
  std::shared_ptr<const HostTensor> host{};  // DType::kString only
};

// A node's kernel (its op's row of the op table: OpKernel's kind and functor), where its
// values come from and go, and what the planner's fusions changed.
struct Step : OpKernel {
  int node = -1;
  std::vector<int> inputs;  // slot of each data input
  int output = -1;          // slot of output 0; output i is output + i
  int device = 0;           // the session's device it runs on (DevicePlacer)
  // A copy of input 0's value onto `device` for `node`, which runs there (a cross-device
  // edge, TF's _Send/_Recv pair). Between CPU devices it passes the buffer, as TF's
  // in-process rendezvous does.
  bool device_copy = false;

  // Set by the planner's fusions (planner.cpp).
  int random_node = -1;                // kFusedRandom: the random op (its seeds and stream)
  OpKind random_kind = OpKind::kNoOp;  // kFusedRandom: the random op's own kind
  kernels::Affine affine;              // kFusedRandom: the folded Mul and Add
  int into_variable = -1;              // a producer that writes straight into this variable
  bool assign_in_place = false;        // an Assign whose value is already in the variable
  int host_axes = -1;                  // kReduce: the Const node of the axes, read on the host
  // kAddN of MatMul(x_i, dy_i, transpose_a=True) terms: the inputs are x_0, dy_0, x_1, dy_1,
  // ..., summed as one product of the stacked x_i and dy_i.
  bool sum_of_products = false;
  // kMatMul x · W or x · Wᵀ of few rows sharing W with other products (shared_b_layouts.cpp):
  // the slot of op(W) laid out for the CPU GEMM (rows padded where cpu/gemm_layout.h asks),
  // written by the first of them to run on the CPU; -1 where there is none.
  int shared_b = -1;
  // kMatMul x · Wᵀ whose only reader was a Slice of its columns [columns_begin, +columns)
  // (column_slices.cpp): only those columns are computed, from the same rows of W, and the
  // Slice's readers read the product. columns < 0: every column.
  std::int64_t columns_begin = 0, columns = -1;
  // The run calls the node's shape function (its run-time check): an input's shape was not
  // fully known when the node was built, or (Sum, Mean) the axes are not a Const.
  bool check_shapes = false;
  // check_shapes: the input shapes the shape function last passed and its outputs for them
  // (a loop feeds one batch shape: one call per plan, not per run). Runs hold the session's
  // lock.
  mutable std::vector<Shape> checked_inputs;
  mutable std::vector<OutputSpec> checked_outputs;
  // kFill (input 1: the value) and kRandomUniformInt (inputs 1, 2: the bounds): the Const
  // node of input i, read on the host at run time (no device copy, no sync; capturable).
  int host_consts[3] = {-1, -1, -1};
  // kConv, kPool: the backend's prepared primitive (kernels::PreparedSlot), built on the first
  // run and rebuilt when the shapes change.
  mutable kernels::PreparedSlot prepared;
  // kCollective (collective_plan.cpp): the allreduces fused into one call, run by the bucket's
  // last step (empty on the others, which do nothing); a broadcast lists itself.
  struct CollectiveMember {
    int node = -1, input = -1, output = -1;  // the node, its input's slot, its output's slot
  };
  std::vector<CollectiveMember> fused;
  // The plan's first collective: every collective of the plan, in order ("name dtype shape"
  // lines), exchanged with the other ranks on the plan's first run.
  std::string fingerprint;
  mutable bool fingerprint_checked = false;
};

// use_cuda_graph: one host-side check a run made, in order, to be made again on a replay.
struct GraphCheck {
  enum Kind { kRead, kFetch, kAssign };  // kAssign: the run initializes the variable
  Kind kind = kRead;
  int variable = -1;
  int node = -1;  // kRead: the op that reads (named in the message)
};

// use_cuda_graph: a plan's recording for one set of feed shapes.
struct CapturedRun {
  std::vector<std::size_t> temporaries;  // bytes of each temporary of the first run, in order
  bool nothing_to_capture = false;       // the capture recorded no work at all
  // The graph replays fixed addresses: these buffers (the temporaries, the feeds among them)
  // live as long as it does. Feeds are copied in before a launch, fetches read after it.
  std::vector<std::shared_ptr<void>> buffers;
  std::vector<Value> feeds, fetches;
  std::vector<GraphCheck> checks;
  std::unique_ptr<runtime::Backend::Graph> graph;  // null until captured; destroyed first
};

// What one (fetches, feeds, targets) signature runs: only the nodes it needs, in order.
struct Plan {
  std::vector<Step> steps;
  int num_slots = 0;
  std::vector<int> feed_slots;   // one per feed, in the order given
  std::vector<int> fetch_slots;  // one per fetch
  // use_cuda_graph: whether the steps can be recorded (every step capturable()),
  // and the recordings, keyed by the feeds' shapes (rank, dims, rank, dims, ...).
  bool capturable = false;
  std::map<std::vector<std::int64_t>, CapturedRun> graphs;
  // Several CPU devices (device_schedule.cpp): each device's steps, in plan order, run by a
  // thread of their own; a step first waits until each other device it depends on has
  // finished that many of its steps. Empty: the steps run in order on the calling thread.
  struct DeviceWait {
    int device = 0;
    int steps = 0;
  };
  std::vector<std::vector<int>> device_steps;
  std::vector<std::vector<DeviceWait>> waits;  // per step
  // The slots whose values a CPU run in plan order drops after each step (slot_releases.cpp).
  std::vector<std::vector<int>> release_after;
  // Whether side by side pays (run.cpp): a small model's steps cost less than the threads'
  // handoffs. The plan's first 8 runs alternate (side by side first), timing their steps; the
  // faster way is kept, and timed again every 1024 runs (the cost follows the feeds' shapes).
  // Either way gives the same values. Runs hold the session's lock.
  struct DeviceTiming {
    std::uint32_t runs = 0;
    double side_by_side_s = 0, in_order_s = 0;
  };
  mutable DeviceTiming device_timing;
};

// What a run fetches, which tensors it feeds (in the order given) and which ops it runs:
// the plan cache's key. A run's values play no part in its plan.
struct RunSignature {
  std::vector<TensorRef> fetches;
  std::vector<TensorRef> fed;
  std::vector<int> targets;
  auto operator<=>(const RunSignature&) const = default;
};

// A run's fed tensors, (node, output), and the slot of each.
using Fed = std::map<std::pair<int, int>, int>;

// The AddNs of MatMul(x_i, dy_i, transpose_a=True) products that run as one product of the
// stacked x_i and dy_i (product_sums.cpp), chosen by the planner from the run's nodes in
// order.
struct ProductSums {
  std::unordered_map<int, std::vector<int>> terms;     // AddN node -> its MatMul nodes
  std::unordered_map<int, std::vector<int>> absorbed;  // AddN node -> every node it runs
};
ProductSums plan_product_sums(const GraphImpl& g,
                              const std::vector<int>& order,
                              const std::vector<TensorRef>& fetches,
                              const std::vector<int>& targets,
                              const Fed& fed,
                              const std::unordered_map<int, int>& device_of);

// Plans a run (planner.cpp): each node on the device `placer` gives it, a copy step where a
// value crosses devices. Refuses an unfed Placeholder the run needs, and (the placer) an op
// on a device the session lacks.
Plan build_plan(const GraphImpl& graph,
                const RunSignature& run,
                const DevicePlacer& placer = DevicePlacer::one_cpu());
// The collectives of a plan (collective_plan.cpp): allreduces that depend on no other allreduce
// run together, after what they need and before what needs them, fused into buckets of at most
// dist::fusion_threshold() bytes; the first collective carries the plan's fingerprint.
void plan_collectives(const GraphImpl& graph, Plan& plan);
// The plan's products, slices and identities that no step reads and neither a fetch nor a
// target names (dead_steps.cpp): each becomes a no-op, kept for the control edges on it.
void plan_dead_steps(const GraphImpl& graph, const std::vector<int>& targets, Plan& plan);
// The plan's products x · Wᵀ whose only reader is a Slice of their columns (column_slices.cpp):
// only those columns computed, the Slice removed.
void plan_column_slices(const GraphImpl& graph, Plan& plan);
// The plan's products x · W and x · Wᵀ of few rows that share a W the CPU GEMM wants laid out
// anew (shared_b_layouts.cpp): op(W) copied once per run on the CPU, the products run on it.
void plan_shared_b_layouts(const GraphImpl& graph, Plan& plan);

// Fills plan.release_after (slot_releases.cpp): each slot after the last step that reads it,
// a slot no step reads after the step that makes it; never a fetched slot.
void plan_slot_releases(const GraphImpl& graph, Plan& plan);

// Fills plan.device_steps and plan.waits where the steps are on several devices
// (device_schedule.cpp): a step waits for the other devices' steps that make its inputs and
// its control inputs; collectives and fused random steps wait for every earlier step.
void plan_device_schedule(const GraphImpl& graph, Plan& plan);

// use_cuda_graph: whether a step's work can be recorded once and replayed, given its op's
// Capture column (graph_replay.cpp).
bool capturable(const Step& step, Capture capture);

}  // namespace varscope::detail
