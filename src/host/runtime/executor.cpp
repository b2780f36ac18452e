// Plans (which nodes a run needs, in order) and the execution of each op on the backend.
#include <algorithm>
#include <random>
#include <unordered_set>
#include <utility>

#include "host/graph/builders.h"
#include "host/runtime/session_impl.h"
#include "varscope/errors.h"

namespace varscope::detail {
namespace {

// The kernel of a node, decided once per plan.
OpKind classify(const Node& n, Step* step) {
  static const std::unordered_map<std::string, OpKind> kinds = {
      {"Const", OpKind::kConst},
      {"Placeholder", OpKind::kPlaceholder},
      {"VariableV2", OpKind::kVariable},
      {"Identity", OpKind::kIdentity},
      {"Assign", OpKind::kAssign},
      {"AssignAdd", OpKind::kAssignAdd},
      {"NoOp", OpKind::kNoOp},
      {"IsVariableInitialized", OpKind::kIsVariableInitialized},
      {"Fill", OpKind::kFill},
      {"RandomUniform", OpKind::kRandomUniform},
      {"RandomStandardNormal", OpKind::kRandomNormal},
      {"TruncatedNormal", OpKind::kTruncatedNormal},
      {"RandomUniformInt", OpKind::kRandomUniformInt},
      {"MatMul", OpKind::kMatMul},
      {"BatchMatMulV2", OpKind::kMatMul},
      {"Softmax", OpKind::kSoftmax},
      {"Cast", OpKind::kCast},
  };
  static const std::unordered_map<std::string, kernels::BinaryOp> binaries = {
      {"Add", kernels::BinaryOp::kAdd},     {"AddV2", kernels::BinaryOp::kAdd},
      {"BiasAdd", kernels::BinaryOp::kAdd}, {"Sub", kernels::BinaryOp::kSub},
      {"Mul", kernels::BinaryOp::kMul},     {"RealDiv", kernels::BinaryOp::kDiv},
  };
  static const std::unordered_map<std::string, kernels::UnaryOp> unaries = {
      {"Relu", kernels::UnaryOp::kRelu},
      {"Sigmoid", kernels::UnaryOp::kSigmoid},
      {"Tanh", kernels::UnaryOp::kTanh},
  };
  if (auto it = kinds.find(n.type); it != kinds.end()) return it->second;
  if (auto it = binaries.find(n.type); it != binaries.end()) {
    step->binary = it->second;
    return OpKind::kBinary;
  }
  if (auto it = unaries.find(n.type); it != unaries.end()) {
    step->unary = it->second;
    return OpKind::kUnary;
  }
  if (n.type == "Sum" || n.type == "Mean") {
    step->reduce = n.type == "Sum" ? kernels::ReduceOp::kSum : kernels::ReduceOp::kMean;
    return OpKind::kReduce;
  }
  throw UnimplementedError("Op type '" + n.type + "' (node '" + n.name +
                           "') has no kernel in this runtime yet");
}

std::string signature(const std::vector<TensorRef>& fetches,
                      const std::vector<std::pair<TensorRef, HostTensor>>& feeds,
                      const std::vector<int>& targets) {
  std::string key;
  for (const auto& f : fetches)
    key += std::to_string(f.node) + ":" + std::to_string(f.index) + ",";
  key += "|";
  for (const auto& [ref, value] : feeds) {
    key += std::to_string(ref.node) + ":" + std::to_string(ref.index) + ",";
  }
  key += "|";
  for (int t : targets)
    key += std::to_string(t) + ",";
  return key;
}

std::int64_t host_integer(const HostTensor& t) {
  return static_cast<std::int64_t>(t.element_as_double(0));
}

// Runs `f` when the scope ends, however it ends.
template <typename F>
class OnExit {
 public:
  explicit OnExit(F f) : f_(std::move(f)) {}
  ~OnExit() { f_(); }
  OnExit(const OnExit&) = delete;
  OnExit& operator=(const OnExit&) = delete;

 private:
  F f_;
};

// Initializers are built as TF builds them: RandomStandardNormal -> Mul(stddev) ->
// Add(mean), RandomUniform -> Mul(Sub(max, min)) -> Add(min). When the intermediate
// values have no other use, one pass computes the same bits: the planner folds them.
struct Fusions {
  std::unordered_map<int, std::pair<int, kernels::Affine>> random;  // Add node -> random node
  std::unordered_set<int> folded;      // nodes whose work a fused step does
  std::unordered_set<int> single_use;  // nodes with exactly one consumer, not fetched
};

const HostTensor* scalar_const(const GraphImpl& g, TensorRef r) {
  const Node& n = g.node(r.node);
  if (n.type != "Const" || r.index != 0 || n.outputs[0].shape.rank() != 0) return nullptr;
  return &std::get<HostTensor>(*n.find_attr("value"));
}

Fusions fuse_initializers(const GraphImpl& g,
                          const std::vector<int>& order,
                          const std::vector<TensorRef>& fetches,
                          const std::vector<int>& targets,
                          const std::map<std::pair<int, int>, int>& fed) {
  Fusions out;
  std::unordered_map<int, int> uses;
  for (int node : order) {
    for (const TensorRef& in : g.node(node).inputs) {
      if (!fed.contains({in.node, in.index})) ++uses[in.node];
    }
    for (int c : g.node(node).control_inputs)
      uses[c] += 2;  // ordering matters: never fold
  }
  for (const TensorRef& f : fetches)
    uses[f.node] += 2;
  for (int t : targets)
    uses[t] += 2;
  for (const auto& [node, count] : uses) {
    if (count == 1) out.single_use.insert(node);
  }
  auto single = [&](TensorRef r) { return r.index == 0 && out.single_use.contains(r.node); };
  for (int node : order) {
    const Node& add = g.node(node);
    if ((add.type != "Add" && add.type != "AddV2") || !single(add.inputs[0])) continue;
    const HostTensor* shift = scalar_const(g, add.inputs[1]);
    const Node& mul = g.node(add.inputs[0].node);
    if (shift == nullptr || mul.type != "Mul" || !single(mul.inputs[0])) continue;
    const int random = mul.inputs[0].node;
    const std::string& type = g.node(random).type;
    const DType dtype = add.outputs[0].dtype;
    if (dtype != DType::kFloat32 && dtype != DType::kFloat64) continue;
    kernels::Affine affine{true, 0.0, shift->element_as_double(0)};
    std::vector<int> folded = {random, add.inputs[0].node};
    if (type == "RandomStandardNormal" || type == "TruncatedNormal") {
      const HostTensor* scale = scalar_const(g, mul.inputs[1]);
      if (scale == nullptr) continue;
      affine.scale = scale->element_as_double(0);
    } else if (type == "RandomUniform") {
      const Node& sub = g.node(mul.inputs[1].node);
      if (sub.type != "Sub" || !single(mul.inputs[1])) continue;
      const HostTensor* hi = scalar_const(g, sub.inputs[0]);
      const HostTensor* lo = scalar_const(g, sub.inputs[1]);
      if (hi == nullptr || lo == nullptr) continue;
      // The range as the Sub op computes it: rounded in the value's dtype.
      affine.scale = dtype == DType::kFloat32
                         ? static_cast<double>(static_cast<float>(hi->element_as_double(0)) -
                                               static_cast<float>(lo->element_as_double(0)))
                         : hi->element_as_double(0) - lo->element_as_double(0);
      folded.push_back(mul.inputs[1].node);
    } else {
      continue;
    }
    out.folded.insert(folded.begin(), folded.end());
    out.random.emplace(node, std::make_pair(random, affine));
  }
  return out;
}

}  // namespace

Plan& SessionImpl::plan_for(const std::vector<TensorRef>& fetches,
                            const Feeds& feeds,
                            const std::vector<int>& targets) {
  const std::string key = signature(fetches, feeds, targets);
  auto it = plans_.find(key);
  if (it == plans_.end()) it = plans_.emplace(key, build_plan(fetches, feeds, targets)).first;
  return it->second;
}

Plan SessionImpl::build_plan(const std::vector<TensorRef>& fetches,
                             const Feeds& feeds,
                             const std::vector<int>& targets) const {
  Plan plan;
  std::map<std::pair<int, int>, int> fed;  // tensor -> slot
  for (const auto& [ref, value] : feeds) {
    const int slot = plan.num_slots++;
    fed[{ref.node, ref.index}] = slot;
    plan.feed_slots.push_back(slot);
  }
  // Post-order DFS from what is fetched or targeted, not entering fed tensors' producers.
  std::unordered_map<int, int> output_slot;  // node -> slot of output 0
  std::vector<int> order;
  std::unordered_map<int, int> state;  // 1 = on the stack, 2 = done
  std::vector<std::pair<int, bool>> stack;
  auto push_root = [&](int node) { stack.push_back({node, false}); };
  for (const auto& f : fetches) {
    if (!fed.contains({f.node, f.index})) push_root(f.node);
  }
  for (int t : targets)
    push_root(t);
  while (!stack.empty()) {
    auto [node, expanded] = stack.back();
    stack.pop_back();
    if (expanded) {
      state[node] = 2;
      order.push_back(node);
      continue;
    }
    if (state[node] != 0) continue;
    state[node] = 1;
    stack.push_back({node, true});
    const Node& n = graph->node(node);
    for (int c : n.control_inputs) {
      if (state[c] == 0) stack.push_back({c, false});
    }
    for (const TensorRef& in : n.inputs) {
      if (!fed.contains({in.node, in.index}) && state[in.node] == 0)
        stack.push_back({in.node, false});
    }
  }
  const Fusions fusions = fuse_initializers(*graph, order, fetches, targets, fed);
  for (int node : order) {
    if (fusions.folded.contains(node)) continue;
    const Node& n = graph->node(node);
    Step step;
    step.node = node;
    step.kind = classify(n, &step);
    if (auto f = fusions.random.find(node); f != fusions.random.end()) {
      step.kind = OpKind::kFusedRandom;
      step.random_node = f->second.first;
      step.affine = f->second.second;
      step.output = plan.num_slots++;
      output_slot[node] = step.output;
      plan.steps.push_back(std::move(step));
      continue;
    }
    if (step.kind == OpKind::kPlaceholder) {
      throw InvalidArgumentError("You must feed a value for placeholder tensor '" + n.name +
                                 "' with dtype " + std::string(dtype_name(n.outputs[0].dtype)) +
                                 " and shape " + n.outputs[0].shape.to_list_string());
    }
    step.output = plan.num_slots;
    plan.num_slots += static_cast<int>(n.outputs.size());
    output_slot[node] = step.output;
    for (const TensorRef& in : n.inputs) {
      auto f = fed.find({in.node, in.index});
      step.inputs.push_back(f != fed.end() ? f->second : output_slot.at(in.node) + in.index);
    }
    if (step.kind == OpKind::kReduce) {
      const TensorRef axes = n.inputs.at(1);
      if (!fed.contains({axes.node, axes.index}) && graph->node(axes.node).type == "Const") {
        step.host_axes = axes.node;
      }
    }
    plan.steps.push_back(std::move(step));
  }
  for (const auto& f : fetches) {
    auto it = fed.find({f.node, f.index});
    plan.fetch_slots.push_back(it != fed.end() ? it->second : output_slot.at(f.node) + f.index);
  }
  // A value whose only use is an Assign is produced straight into the variable.
  std::unordered_map<int, Step*> step_of;
  for (Step& step : plan.steps)
    step_of[step.node] = &step;
  for (Step& step : plan.steps) {
    if (step.kind != OpKind::kAssign) continue;
    const Node& assign = graph->node(step.node);
    const TensorRef value = assign.inputs[1];
    auto producer = step_of.find(value.node);
    if (producer == step_of.end() || !fusions.single_use.contains(value.node)) continue;
    const OpKind k = producer->second->kind;
    const bool writes_fresh = k == OpKind::kFusedRandom || k == OpKind::kFill ||
                              k == OpKind::kRandomUniform || k == OpKind::kRandomNormal ||
                              k == OpKind::kTruncatedNormal || k == OpKind::kRandomUniformInt;
    const int variable = graph->node(assign.inputs[0].node).variable;
    if (!writes_fresh || variable < 0) continue;
    producer->second->into_variable = variable;
    step.assign_in_place = true;
  }
  plan.capturable = std::all_of(plan.steps.begin(), plan.steps.end(), capturable);
  return plan;
}

std::shared_ptr<void> SessionImpl::allocate(std::size_t bytes) {
  runtime::Backend* b = backend.get();
  return std::shared_ptr<void>(b->allocate(bytes), [b](void* p) { b->deallocate(p); });
}

std::shared_ptr<void> SessionImpl::temporary(std::size_t bytes) {
  if (capturing_ != nullptr) {
    // Recording: no allocation may happen now. The run takes the buffers allocated for it
    // before, sized after the plain first run, which made the same requests in this order.
    const std::size_t i = next_buffer_++;
    if (i >= capturing_->buffers.size() || capturing_->temporaries[i] != bytes) {
      throw InternalError("A recorded run asked for other temporaries than its first run");
    }
    return capturing_->buffers[i];
  }
  if (record_temporaries_ != nullptr) record_temporaries_->push_back(bytes);
  return allocate(bytes);
}

VariableStorage& SessionImpl::storage(int variable) {
  if (variables.size() <= static_cast<std::size_t>(variable)) {
    variables.resize(static_cast<std::size_t>(variable) + 1);
  }
  VariableStorage& s = variables[static_cast<std::size_t>(variable)];
  if (!s.data) {
    // Cannot happen (the plain first run allocated it), and must not: memory allocated
    // while recording would belong to the graph.
    if (capturing_ != nullptr) throw InternalError("A variable allocated while recording");
    const VariableRecord& rec = graph->variables.at(static_cast<std::size_t>(variable));
    if (!rec.shape.is_fully_defined()) {
      throw UnimplementedError("Variable " + graph->node(rec.node).name +
                               " has no fully defined shape (validate_shape=false)");
    }
    s.data = allocate(static_cast<std::size_t>(rec.shape.num_elements()) * dtype_size(rec.dtype));
  }
  return s;
}

const Value& SessionImpl::read(const Step& step,
                               std::size_t input,
                               std::vector<Value>& slots) const {
  const Value& v = slots[static_cast<std::size_t>(step.inputs[input])];
  if (v.variable >= 0) {
    if (record_checks_ != nullptr) {
      record_checks_->push_back({GraphCheck::kRead, v.variable, step.node});
    }
    if (!variables[static_cast<std::size_t>(v.variable)].initialized) {
      throw_uninitialized(v.variable, step.node);
    }
  }
  return v;
}

void SessionImpl::throw_uninitialized(int variable, int node) const {
  const VariableRecord& rec = graph->variables[static_cast<std::size_t>(variable)];
  std::string message = "Attempting to use uninitialized value " + graph->node(rec.node).name;
  if (node >= 0) message += "\n\t [[{{node " + graph->node(node).name + "}}]]";
  throw FailedPreconditionError(message);
}

HostTensor SessionImpl::to_host(const Value& v) {
  HostTensor out(v.dtype, v.shape);
  backend->copy_to_host(out.raw_data(), v.data.get(), out.nbytes());
  return out;
}

std::vector<HostTensor> SessionImpl::run(const std::vector<TensorRef>& fetches,
                                         const Feeds& feeds,
                                         const std::vector<int>& targets) {
  std::lock_guard<std::mutex> lock(mu);
  backend->activate();
  // Feeds are checked before anything runs, so a bad feed changes nothing.
  for (const auto& [ref, value] : feeds) {
    const Node& n = graph->node(ref.node);
    const OutputSpec& spec = n.outputs.at(static_cast<std::size_t>(ref.index));
    const std::string name = n.name + ":" + std::to_string(ref.index);
    if (value.dtype() != spec.dtype) {
      throw InvalidArgumentError("Cannot feed value of dtype " +
                                 std::string(dtype_name(value.dtype())) + " for Tensor '" + name +
                                 "', which has dtype " + std::string(dtype_name(spec.dtype)));
    }
    if (!value.shape().is_compatible_with(spec.shape)) {
      throw InvalidArgumentError("Cannot feed value of shape " + value.shape().to_string() +
                                 " for Tensor '" + name + "', which has shape '" +
                                 spec.shape.to_string() + "'");
    }
  }
  Plan& plan = plan_for(fetches, feeds, targets);
  if (!use_graphs_ || !plan.capturable) return run_plain(plan, feeds, nullptr);

  return run_recorded(plan, feeds);
}

void SessionImpl::load_feeds(const Plan& plan, const Feeds& feeds, std::vector<Value>& slots) {
  for (std::size_t i = 0; i < feeds.size(); ++i) {
    const HostTensor& value = feeds[i].second;
    Value& v = slots[static_cast<std::size_t>(plan.feed_slots[i])];
    v.data = temporary(value.nbytes());
    v.dtype = value.dtype();
    v.shape = value.shape();
    backend->copy_from_host(v.data.get(), value.raw_data(), value.nbytes());
  }
}

void SessionImpl::check_fetches(const Plan& plan, const std::vector<Value>& slots) const {
  for (int slot : plan.fetch_slots) {
    const Value& v = slots[static_cast<std::size_t>(slot)];
    if (v.variable < 0) continue;
    if (record_checks_ != nullptr) record_checks_->push_back({GraphCheck::kFetch, v.variable, -1});
    if (!variables[static_cast<std::size_t>(v.variable)].initialized) {
      throw_uninitialized(v.variable, -1);
    }
  }
}

std::vector<HostTensor> SessionImpl::run_plain(const Plan& plan,
                                               const Feeds& feeds,
                                               std::vector<std::size_t>* temporaries) {
  record_temporaries_ = temporaries;
  OnExit reset([this] { record_temporaries_ = nullptr; });
  std::vector<Value> slots(static_cast<std::size_t>(plan.num_slots));
  load_feeds(plan, feeds, slots);
  for (const Step& step : plan.steps)
    execute(step, slots);
  check_fetches(plan, slots);
  std::vector<HostTensor> out;
  for (int slot : plan.fetch_slots)
    out.push_back(to_host(slots[static_cast<std::size_t>(slot)]));
  backend->synchronize();
  return out;
}

void SessionImpl::execute(const Step& step, std::vector<Value>& slots) {
  // A NoOp has no output slot; a Placeholder is always fed (a plan with an unfed one is
  // never built).
  if (step.kind == OpKind::kNoOp || step.kind == OpKind::kPlaceholder) return;
  const Node& n = graph->node(step.node);
  Value& out = slots[static_cast<std::size_t>(step.output)];
  switch (step.kind) {
    case OpKind::kNoOp:
    case OpKind::kPlaceholder:
      return;
    case OpKind::kConst: {
      auto it = constants_.find(step.node);
      if (it == constants_.end()) {
        // Uploaded by the plain first run; an upload waits for the stream: not while recording.
        if (capturing_ != nullptr) throw InternalError("A constant uploaded while recording");
        const HostTensor& value = std::get<HostTensor>(*n.find_attr("value"));
        Value v{allocate(value.nbytes()), value.dtype(), value.shape(), -1};
        backend->copy_from_host(v.data.get(), value.raw_data(), value.nbytes());
        it = constants_.emplace(step.node, std::move(v)).first;
      }
      out = it->second;
      return;
    }
    case OpKind::kVariable: {
      const VariableRecord& rec = graph->variables.at(static_cast<std::size_t>(n.variable));
      out = Value{storage(n.variable).data, rec.dtype, rec.shape, n.variable};
      return;
    }
    case OpKind::kIdentity: {
      const Value& in = read(step, 0, slots);
      out = Value{in.data, in.dtype, in.shape, -1};
      return;
    }
    case OpKind::kAssign: {
      const Value& ref = slots[static_cast<std::size_t>(step.inputs[0])];
      const Value& value = read(step, 1, slots);
      if (ref.variable < 0) throw InternalError("Assign to a non-variable in node " + n.name);
      if (value.shape != ref.shape || value.dtype != ref.dtype) {
        throw InvalidArgumentError("Assign requires shapes of both tensors to match. lhs shape= " +
                                   ref.shape.to_list_string() +
                                   " rhs shape= " + value.shape.to_list_string());
      }
      if (!step.assign_in_place) {
        backend->copy(
            ref.data.get(), value.data.get(),
            static_cast<std::size_t>(value.shape.num_elements()) * dtype_size(value.dtype));
      }
      variables[static_cast<std::size_t>(ref.variable)].initialized = true;
      if (record_checks_ != nullptr) {
        record_checks_->push_back({GraphCheck::kAssign, ref.variable, step.node});
      }
      out = ref;
      return;
    }
    case OpKind::kAssignAdd: {
      const Value& ref = read(step, 0, slots);  // adding to an uninitialized value is a read
      const Value& value = read(step, 1, slots);
      if (value.shape.num_elements() != ref.shape.num_elements() || value.dtype != ref.dtype) {
        throw InvalidArgumentError("Parameters and update must be the same size\n\t [[{{node " +
                                   n.name + "}}]]");
      }
      kernels::Broadcast same;
      same.rank = 1;
      same.out_dims[0] = std::max<std::int64_t>(1, ref.shape.num_elements());
      same.x_strides[0] = 1;
      same.y_strides[0] = 1;
      backend->binary(kernels::BinaryOp::kAdd, ref.dtype, same, ref.data.get(), value.data.get(),
                      ref.data.get(), ref.shape.num_elements());
      out = ref;
      return;
    }
    case OpKind::kIsVariableInitialized: {
      const Value& ref = slots[static_cast<std::size_t>(step.inputs[0])];
      const bool initialized = variables[static_cast<std::size_t>(ref.variable)].initialized;
      const std::uint8_t byte = initialized ? 1 : 0;
      out = Value{temporary(1), DType::kBool, Shape(), -1};
      backend->copy_from_host(out.data.get(), &byte, 1);
      return;
    }
    case OpKind::kFill: {
      const HostTensor value = to_host(read(step, 1, slots));
      const OutputSpec& spec = n.outputs[0];
      out = step.into_variable >= 0
                ? Value{storage(step.into_variable).data, spec.dtype, spec.shape, -1}
                : Value{temporary(value.nbytes() *
                                  static_cast<std::size_t>(spec.shape.num_elements())),
                        spec.dtype, spec.shape, -1};
      backend->fill(out.data.get(), value.raw_data(), value.nbytes(), spec.shape.num_elements());
      return;
    }
    case OpKind::kRandomUniform:
    case OpKind::kRandomNormal:
    case OpKind::kTruncatedNormal:
    case OpKind::kRandomUniformInt:
    case OpKind::kFusedRandom:
      return random(step, slots);
    case OpKind::kUnary: {
      const Value& x = read(step, 0, slots);
      out = Value{temporary(static_cast<std::size_t>(x.shape.num_elements()) * dtype_size(x.dtype)),
                  x.dtype, x.shape, -1};
      backend->unary(step.unary, x.dtype, x.data.get(), out.data.get(), x.shape.num_elements());
      return;
    }
    case OpKind::kSoftmax: {
      const Value& x = read(step, 0, slots);
      const std::int64_t cols = x.shape.dim(x.shape.rank() - 1);
      const std::int64_t rows = cols == 0 ? 0 : x.shape.num_elements() / cols;
      out = Value{temporary(static_cast<std::size_t>(x.shape.num_elements()) * dtype_size(x.dtype)),
                  x.dtype, x.shape, -1};
      backend->softmax(x.dtype, x.data.get(), out.data.get(), rows, cols);
      return;
    }
    case OpKind::kCast: {
      const Value& x = read(step, 0, slots);
      const DType to = n.outputs[0].dtype;
      out = Value{temporary(static_cast<std::size_t>(x.shape.num_elements()) * dtype_size(to)), to,
                  x.shape, -1};
      backend->cast(x.dtype, to, x.data.get(), out.data.get(), x.shape.num_elements());
      return;
    }
    case OpKind::kMatMul:
      return matmul(step, slots);
    case OpKind::kReduce:
      return reduce(step, slots);
    case OpKind::kBinary: {
      const Value& x = read(step, 0, slots);
      const Value& y = read(step, 1, slots);
      Shape shape;
      try {
        shape = broadcast_shapes(x.shape, y.shape, n.name, n.type);
      } catch (const ValueError&) {  // fed shapes the graph could not know
        throw InvalidArgumentError("Incompatible shapes: " + x.shape.to_list_string() + " vs. " +
                                   y.shape.to_list_string() + "\n\t [[{{node " + n.name + "}}]]");
      }
      if (shape.rank() > kernels::kMaxRank) {
        throw UnimplementedError("elementwise ops on rank > 8 (node " + n.name + ")");
      }
      kernels::Broadcast bc;
      bc.rank = shape.rank();
      for (int d = 0; d < bc.rank; ++d)
        bc.out_dims[d] = shape.dim(d);
      auto strides = [&](const Shape& s, std::int64_t* out_strides) {
        std::int64_t stride = 1;
        for (int d = bc.rank - 1, sd = s.rank() - 1; d >= 0; --d, --sd) {
          const std::int64_t dim = sd >= 0 ? s.dim(sd) : 1;
          out_strides[d] = dim == 1 ? 0 : stride;
          stride *= dim;
        }
      };
      strides(x.shape, bc.x_strides);
      strides(y.shape, bc.y_strides);
      const std::int64_t count = shape.num_elements();
      out = Value{temporary(static_cast<std::size_t>(count) * dtype_size(x.dtype)), x.dtype, shape,
                  -1};
      backend->binary(step.binary, x.dtype, bc, x.data.get(), y.data.get(), out.data.get(), count);
      return;
    }
  }
}

void SessionImpl::random(const Step& step, std::vector<Value>& slots) {
  const int random_node = step.random_node >= 0 ? step.random_node : step.node;
  const Node& n = graph->node(random_node);
  const OutputSpec& spec = n.outputs[0];
  const std::int64_t count = spec.shape.num_elements();

  kernels::RandomSpec rs;
  rs.affine = step.affine;
  OpKind kind = step.kind;
  if (kind == OpKind::kFusedRandom) {
    Step unused;
    kind = classify(n, &unused);
  }
  switch (kind) {
    case OpKind::kRandomUniform:
      rs.dist = kernels::RandomDistribution::kUniform;
      break;
    case OpKind::kRandomNormal:
      rs.dist = kernels::RandomDistribution::kNormal;
      break;
    case OpKind::kTruncatedNormal:
      rs.dist = kernels::RandomDistribution::kTruncatedNormal;
      break;
    default:
      // Checked before anything is drawn: bad bounds change neither output nor stream.
      rs.dist = kernels::RandomDistribution::kUniformInt;
      rs.minval = host_integer(to_host(read(step, 1, slots)));
      rs.maxval = host_integer(to_host(read(step, 2, slots)));
      if (rs.minval >= rs.maxval) {
        throw InvalidArgumentError("Need minval < maxval: " + std::to_string(rs.minval) +
                                   " >= " + std::to_string(rs.maxval));
      }
      break;
  }

  // Exactly `count` elements: variables are allocated to size.
  Value& out = slots[static_cast<std::size_t>(step.output)];
  out = step.into_variable >= 0
            ? Value{storage(step.into_variable).data, spec.dtype, spec.shape, -1}
            : Value{temporary(static_cast<std::size_t>(count) * dtype_size(spec.dtype)), spec.dtype,
                    spec.shape, -1};

  // Philox stream: (seed, seed2) from the graph's seed rules; (0, 0) = nondeterministic,
  // drawn once per op and session. Re-running the op continues its stream (TF's behaviour).
  std::uint64_t& seed = rng_seeds_[random_node];
  if (seed == 0) {
    const auto s1 = static_cast<std::uint64_t>(std::get<std::int64_t>(*n.find_attr("seed")));
    const auto s2 = static_cast<std::uint64_t>(std::get<std::int64_t>(*n.find_attr("seed2")));
    seed = (s1 == 0 && s2 == 0)
               ? (std::uint64_t{std::random_device{}()} << 32 | std::random_device{}()) | 1
               : (s1 << 32) | s2;
  }
  std::uint64_t& offset = rng_offsets_[random_node];
  rs.seed = seed;
  rs.offset = offset;
  if (count > 0) backend->random(rs, spec.dtype, out.data.get(), count);
  offset += kernels::random_stream_words(count, dtype_size(spec.dtype));
}

void SessionImpl::matmul(const Step& step, std::vector<Value>& slots) {
  const Node& n = graph->node(step.node);
  const Value& a = read(step, 0, slots);
  const Value& b = read(step, 1, slots);
  const bool batched = n.type == "BatchMatMulV2";
  const bool ta = std::get<bool>(*n.find_attr(batched ? "adj_x" : "transpose_a"));
  const bool tb = std::get<bool>(*n.find_attr(batched ? "adj_y" : "transpose_b"));
  const auto& da = a.shape.dims();
  const auto& db = b.shape.dims();
  runtime::Backend::MatMulShape s;
  s.transpose_a = ta;
  s.transpose_b = tb;
  s.m = da[da.size() - (ta ? 1 : 2)];
  s.k = da[da.size() - (ta ? 2 : 1)];
  const std::int64_t kb = db[db.size() - (tb ? 1 : 2)];
  s.n = db[db.size() - (tb ? 2 : 1)];
  if (s.k != kb) {
    throw InvalidArgumentError("Matrix size-incompatible: In[0]: " + a.shape.to_list_string() +
                               ", In[1]: " + b.shape.to_list_string() + "\n\t [[{{node " + n.name +
                               "}}]]");
  }
  // Batch dims: equal on both sides, or one side without any (one matrix for all).
  const std::vector<std::int64_t> batch_a(da.begin(), da.end() - 2);
  const std::vector<std::int64_t> batch_b(db.begin(), db.end() - 2);
  auto product = [](const std::vector<std::int64_t>& d) {
    std::int64_t p = 1;
    for (std::int64_t x : d)
      p *= x;
    return p;
  };
  const std::int64_t na = product(batch_a), nb = product(batch_b);
  if (na != nb && na != 1 && nb != 1) {
    throw UnimplementedError("BatchMatMul broadcasting of batch shapes " +
                             Shape(batch_a).to_list_string() + " and " +
                             Shape(batch_b).to_list_string());
  }
  s.batch = std::max(na, nb);
  s.stride_a = na == 1 ? 0 : s.m * s.k;
  s.stride_b = nb == 1 ? 0 : s.k * s.n;
  s.stride_c = s.m * s.n;
  std::vector<std::int64_t> out_dims;
  try {
    out_dims = broadcast_shapes(Shape(batch_a), Shape(batch_b), n.name, n.type).dims();
  } catch (const ValueError&) {
    throw InvalidArgumentError("In[0] and In[1] must have compatible batch dimensions: " +
                               a.shape.to_list_string() + " vs. " + b.shape.to_list_string());
  }
  out_dims.push_back(s.m);
  out_dims.push_back(s.n);
  Value& out = slots[static_cast<std::size_t>(step.output)];
  out = Value{temporary(static_cast<std::size_t>(s.batch * s.m * s.n) * dtype_size(a.dtype)),
              a.dtype, Shape(std::move(out_dims)), -1};
  if (s.k == 0) {  // an empty sum: zeros
    const std::uint64_t zero = 0;
    backend->fill(out.data.get(), &zero, dtype_size(a.dtype), s.batch * s.m * s.n);
    return;
  }
  backend->matmul(a.dtype, s, a.data.get(), b.data.get(), out.data.get());
}

void SessionImpl::reduce(const Step& step, std::vector<Value>& slots) {
  const Node& n = graph->node(step.node);
  const Value& x = read(step, 0, slots);
  // Constant axes come from the graph, with no round trip through the device.
  const HostTensor axes_value =
      step.host_axes >= 0 ? std::get<HostTensor>(*graph->node(step.host_axes).find_attr("value"))
                          : to_host(read(step, 1, slots));
  const bool keepdims = std::get<bool>(*n.find_attr("keep_dims"));
  const int rank = x.shape.rank();
  if (rank > kernels::kMaxRank)
    throw UnimplementedError("reductions of rank > 8 (node " + n.name + ")");
  std::vector<bool> reduced(static_cast<std::size_t>(rank), false);
  for (std::int64_t i = 0; i < axes_value.num_elements(); ++i) {
    const auto a = static_cast<int>(axes_value.element_as_double(i));
    if (a < -rank || a >= rank) {
      throw InvalidArgumentError("Invalid reduction dimension (" + std::to_string(a) +
                                 " for input with " + std::to_string(rank) + " dimension(s)");
    }
    const auto axis = static_cast<std::size_t>(a < 0 ? a + rank : a);
    if (reduced[axis]) {
      throw InvalidArgumentError(
          "Invalid reduction arguments: Axes contains duplicate dimension: " +
          std::to_string(axis) + "\n\t [[{{node " + n.name + "}}]]");
    }
    reduced[axis] = true;
  }
  kernels::Reduction red;
  std::vector<std::int64_t> out_dims;
  std::int64_t stride = 1;
  std::vector<std::int64_t> strides(static_cast<std::size_t>(rank));
  for (int d = rank - 1; d >= 0; --d) {
    strides[static_cast<std::size_t>(d)] = stride;
    stride *= x.shape.dim(d);
  }
  for (int d = 0; d < rank; ++d) {
    const auto i = static_cast<std::size_t>(d);
    if (reduced[i]) {
      red.reduced_dims[red.reduced_rank] = x.shape.dim(d);
      red.reduced_strides[red.reduced_rank++] = strides[i];
      red.reduced_count *= x.shape.dim(d);
      if (keepdims) out_dims.push_back(1);
    } else {
      red.kept_dims[red.kept_rank] = x.shape.dim(d);
      red.kept_strides[red.kept_rank++] = strides[i];
      out_dims.push_back(x.shape.dim(d));
    }
  }
  Shape out_shape(std::move(out_dims));
  const std::int64_t count = out_shape.num_elements();
  Value& out = slots[static_cast<std::size_t>(step.output)];
  out = Value{temporary(static_cast<std::size_t>(count) * dtype_size(x.dtype)), x.dtype,
              std::move(out_shape), -1};
  backend->reduce(step.reduce, x.dtype, red, x.data.get(), out.data.get(), count);
}

}  // namespace varscope::detail
