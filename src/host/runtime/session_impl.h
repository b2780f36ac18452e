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
};

// What one (fetches, feeds, targets) signature runs: only the nodes it needs, in order.
struct Plan {
  std::vector<Step> steps;
  int num_slots = 0;
  std::vector<int> feed_slots;   // one per feed, in the order given
  std::vector<int> fetch_slots;  // one per fetch
};

struct VariableStorage {
  std::shared_ptr<void> data;
  bool initialized = false;
};

class SessionImpl {
 public:
  SessionImpl(std::shared_ptr<GraphImpl> graph, const SessionOptions& options);

  std::vector<HostTensor> run(const std::vector<TensorRef>& fetches,
                              const std::vector<std::pair<TensorRef, HostTensor>>& feeds,
                              const std::vector<int>& targets);
  VariableStorage& storage(int variable);  // allocated on first use; caller holds mu

  std::shared_ptr<GraphImpl> graph;
  std::unique_ptr<runtime::Backend> backend;  // declared before the buffers: destroyed after them
  std::mutex mu;
  std::vector<VariableStorage> variables;

 private:
  const Plan& plan_for(const std::vector<TensorRef>& fetches,
                       const std::vector<std::pair<TensorRef, HostTensor>>& feeds,
                       const std::vector<int>& targets);
  Plan build_plan(const std::vector<TensorRef>& fetches,
                  const std::vector<std::pair<TensorRef, HostTensor>>& feeds,
                  const std::vector<int>& targets) const;
  void execute(const Step& step, std::vector<Value>& slots);
  std::shared_ptr<void> allocate(std::size_t bytes);
  const Value& read(const Step& step, std::size_t input, std::vector<Value>& slots) const;
  HostTensor to_host(const Value& v);
  void random(const Step& step, std::vector<Value>& slots);
  void matmul(const Step& step, std::vector<Value>& slots);
  void reduce(const Step& step, std::vector<Value>& slots);

  std::unordered_map<int, Value> constants_;
  std::unordered_map<int, std::uint64_t> rng_offsets_;
  std::unordered_map<int, std::uint64_t> rng_seeds_;
  std::map<std::string, Plan> plans_;
};

}  // namespace varscope::detail
