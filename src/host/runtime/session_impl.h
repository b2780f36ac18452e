// A session's state: its backend, the variables' storage, cached constants and plans.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "host/graph/graph_impl.h"
#include "host/runtime/backend.h"
#include "varscope/session.h"

namespace varscope::detail {

// A run-time value in backend memory. `variable` >= 0 marks a reference to a variable's
// storage (a VariableV2 output), which ops other than Assign may read only when initialized.
struct Value {
  std::shared_ptr<void> data;
  DType dtype = DType::kFloat32;
  Shape shape;
  int variable = -1;
};

enum class OpKind {
  kConst,
  kPlaceholder,
  kVariable,
  kIdentity,
  kAssign,
  kAssignAdd,
  kNoOp,
  kIsVariableInitialized,
  kFill,
  kRandomUniform,
  kRandomNormal,
  kTruncatedNormal,
  kRandomUniformInt,
  kBinary,
  kFusedRandom,  // a random op with the Mul/Add (and Sub) that scale it, in one pass
  kMatMul,
  kUnary,
  kSoftmax,
  kReduce,
  kCast,
};

struct Step {
  int node = -1;
  OpKind kind = OpKind::kNoOp;
  kernels::BinaryOp binary = kernels::BinaryOp::kAdd;
  kernels::UnaryOp unary = kernels::UnaryOp::kRelu;
  kernels::ReduceOp reduce = kernels::ReduceOp::kSum;
  std::vector<int> inputs;  // slot of each data input
  int output = -1;          // slot of output 0; output i is output + i

  // Set by the planner's fusions (see fuse_initializers in executor.cpp).
  int random_node = -1;          // kFusedRandom: the random op (its seeds and its stream)
  kernels::Affine affine;        // kFusedRandom: the folded Mul and Add
  int into_variable = -1;        // a producer that writes straight into this variable
  bool assign_in_place = false;  // an Assign whose value is already in the variable
  int host_axes = -1;            // kReduce: the Const node of the axes, read on the host
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
};

// use_cuda_graph: whether a step's work can be recorded once and replayed (graph_replay.cpp).
bool capturable(const Step& step);

struct VariableStorage {
  std::shared_ptr<void> data;
  bool initialized = false;
};

class SessionImpl {
 public:
  SessionImpl(std::shared_ptr<GraphImpl> graph, const SessionOptions& options);
  // With a given backend (tests use one that records instead of launching).
  SessionImpl(std::shared_ptr<GraphImpl> graph,
              std::unique_ptr<runtime::Backend> backend,
              bool use_cuda_graph);

  using Feeds = std::vector<std::pair<TensorRef, HostTensor>>;

  std::vector<HostTensor> run(const std::vector<TensorRef>& fetches,
                              const Feeds& feeds,
                              const std::vector<int>& targets);
  VariableStorage& storage(int variable);  // allocated on first use; caller holds mu

  std::shared_ptr<GraphImpl> graph;
  // Declared before the buffers and graphs (plans_): destroyed after them.
  std::unique_ptr<runtime::Backend> backend;
  std::mutex mu;
  std::vector<VariableStorage> variables;
  std::uint64_t graph_launches = 0;  // runs done as one graph launch; caller holds mu

 private:
  Plan& plan_for(const std::vector<TensorRef>& fetches,
                 const Feeds& feeds,
                 const std::vector<int>& targets);
  Plan build_plan(const std::vector<TensorRef>& fetches,
                  const Feeds& feeds,
                  const std::vector<int>& targets) const;
  // `temporaries`, when given, receives the size of every temporary the run allocates.
  std::vector<HostTensor> run_plain(const Plan& plan,
                                    const Feeds& feeds,
                                    std::vector<std::size_t>* temporaries);
  // use_cuda_graph (graph_replay.cpp): the plain first run, the recording, the replays.
  std::vector<HostTensor> run_recorded(Plan& plan, const Feeds& feeds);
  std::vector<HostTensor> capture(Plan& plan, CapturedRun& run, const Feeds& feeds);
  std::vector<HostTensor> replay(CapturedRun& run, const Feeds& feeds);
  void load_feeds(const Plan& plan, const Feeds& feeds, std::vector<Value>& slots);
  void check_fetches(const Plan& plan, const std::vector<Value>& slots) const;
  void execute(const Step& step, std::vector<Value>& slots);
  // Persistent memory (variables, constants).
  std::shared_ptr<void> allocate(std::size_t bytes);
  // A run's values: fresh memory, or while capturing, the recording's next buffer.
  std::shared_ptr<void> temporary(std::size_t bytes);
  const Value& read(const Step& step, std::size_t input, std::vector<Value>& slots) const;
  [[noreturn]] void throw_uninitialized(int variable, int node) const;
  HostTensor to_host(const Value& v);
  void random(const Step& step, std::vector<Value>& slots);
  void matmul(const Step& step, std::vector<Value>& slots);
  void reduce(const Step& step, std::vector<Value>& slots);

  std::unordered_map<int, Value> constants_;
  std::unordered_map<int, std::uint64_t> rng_offsets_;
  std::unordered_map<int, std::uint64_t> rng_seeds_;
  std::map<std::string, Plan> plans_;

  bool use_graphs_ = false;
  // Set for the duration of one run (see run_plain and capture).
  std::vector<std::size_t>* record_temporaries_ = nullptr;
  CapturedRun* capturing_ = nullptr;  // temporary() hands out its buffers, in order
  std::size_t next_buffer_ = 0;
  std::vector<GraphCheck>* record_checks_ = nullptr;
};

}  // namespace varscope::detail
