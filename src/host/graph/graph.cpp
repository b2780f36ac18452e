// Graph: the public facade over GraphImpl, and the node table.
#include "varscope/graph.h"

#include <algorithm>

#include "host/graph/device_functions.h"
#include "host/graph/graph_impl.h"
#include "host/graph/op_defs.h"
#include "varscope/errors.h"

namespace varscope {
namespace detail {
namespace {

constexpr std::int64_t kMaxInt32 = 2147483647;        // _MAXINT32 = 2**31 - 1
constexpr std::int64_t kDefaultGraphSeed = 87654321;  // DEFAULT_GRAPH_SEED

// Python's `seed % _MAXINT32`: never negative.
std::int64_t truncate_seed(std::int64_t seed) {
  return ((seed % kMaxInt32) + kMaxInt32) % kMaxInt32;
}

// FNV-1a: stable across platforms and runs, unlike std::hash.
std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

std::optional<int> python_int(std::string_view s) {
  auto space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  while (!s.empty() && space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && space(s.back()))
    s.remove_suffix(1);
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || s.front() == '_' || s.back() == '_') return std::nullopt;
  std::int64_t value = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '_') {
      if (s[i - 1] == '_') return std::nullopt;  // one underscore between digits
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    // Past any output index the exact value no longer matters: saturate.
    value = std::min<std::int64_t>(value * 10 + (c - '0'), kMaxInt32);
  }
  return static_cast<int>(negative ? -value : value);
}

GraphImpl::GraphImpl()
    : root_scope(std::make_shared<VariableScopeData>()), current_scope(root_scope) {}

std::vector<int> GraphImpl::control_inputs_from_scopes(const std::vector<TensorRef>& inputs,
                                                       std::vector<int> explicit_inputs) const {
  if (control_scopes.empty()) return explicit_inputs;
  // Graph._control_dependencies_for_inputs: a scope adds its ops unless a data input was
  // built inside it; an op that is already a data input is not added. The builder's own
  // control inputs (an inner scope in TF's code) come after the open scopes'.
  auto built_in = [&](std::uint64_t scope, int input_node) {
    const auto& ids = node(input_node).control_scopes;
    return ids && std::find(ids->begin(), ids->end(), scope) != ids->end();
  };
  auto is_input = [&](int op) {
    return std::any_of(inputs.begin(), inputs.end(), [op](TensorRef r) { return r.node == op; });
  };
  std::vector<int> out;
  for (const ControlScope& scope : control_scopes) {
    if (std::any_of(inputs.begin(), inputs.end(),
                    [&](TensorRef r) { return built_in(scope.id, r.node); })) {
      continue;
    }
    for (int op : scope.ops) {
      if (!is_input(op) && std::find(out.begin(), out.end(), op) == out.end()) out.push_back(op);
    }
  }
  for (int op : explicit_inputs) {
    if (std::find(out.begin(), out.end(), op) == out.end()) out.push_back(op);
  }
  return out;
}

std::shared_ptr<const std::vector<std::uint64_t>> GraphImpl::control_scope_ids() {
  if (control_scopes.empty()) return nullptr;
  if (!open_control_ids) {
    std::vector<std::uint64_t> ids;
    for (const ControlScope& scope : control_scopes)
      ids.push_back(scope.id);
    open_control_ids = std::make_shared<const std::vector<std::uint64_t>>(std::move(ids));
  }
  return open_control_ids;
}

int GraphImpl::add_node(OpType op,
                        std::string_view name_or_scope,
                        std::vector<TensorRef> inputs,
                        std::vector<OutputSpec> outputs,
                        Attrs attrs,
                        std::vector<int> control_inputs) {
  Node n;
  n.name = op_name(name_or_scope);
  // Only an absolute "x/" name can collide: TF's C API refuses it the same way.
  if (nodes_by_name.contains(n.name)) {
    throw ValueError("Duplicate node name in graph: '" + n.name + "'");
  }
  const OpDef& def = op_def(op);
  check_attrs(def, n.name, attrs);
  n.op = op;
  n.type = std::string(def.name);
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  n.attrs = std::move(attrs);
  n.control_inputs = control_inputs_from_scopes(n.inputs, control_inputs);
  n.control_scopes = control_scope_ids();
  n.device = device;
  // Inside tf.device(function): the functions place the op once it is built; a colocated op
  // follows its op instead (TF's colocate_with empties the device function stack).
  const bool by_functions = has_device_function(device);
  const bool colocated = !colocation.empty() || ref_inputs(n.op) > 0;
  if (by_functions) n.device = colocated ? std::string() : std::string(device_spec_part(device));
  apply_colocation(n);
  const int id = static_cast<int>(nodes.size());
  nodes.push_back(std::move(n));
  try {
    nodes_by_name.try_emplace(nodes.back().name, id);  // the probe above left these in cache
    if (by_functions && !colocated) {
      std::string placed = apply_device_functions(*this, id, nodes.back(), device);
      nodes.back().device = std::move(placed);
    }
  } catch (...) {  // out of memory, or a device function failed: no trace of the node
    nodes_by_name.erase(nodes.back().name);
    nodes.pop_back();
    throw;
  }
  return id;
}

TensorRef GraphImpl::ref_of(const Tensor& t) {
  auto g = Access::lock(t);
  if (g.get() != this) {
    throw ValueError("Tensor " + t.name() + " must be from the same graph as the op being built.");
  }
  return Access::ref(t);
}

std::pair<std::int64_t, std::int64_t> GraphImpl::op_seeds(std::optional<std::int64_t> op_seed,
                                                          std::string_view name) const {
  std::int64_t seed = 0;
  std::int64_t seed2 = 0;
  if (graph_seed) {
    seed = truncate_seed(*graph_seed);
    seed2 = op_seed
                ? truncate_seed(*op_seed)
                : static_cast<std::int64_t>(fnv1a(name) % static_cast<std::uint64_t>(kMaxInt32));
  } else if (op_seed) {
    seed = kDefaultGraphSeed;
    seed2 = truncate_seed(*op_seed);
  } else {
    return {0, 0};  // nondeterministic
  }
  if (seed == 0 && seed2 == 0) return {0, kMaxInt32};  // (0, 0) would mean nondeterministic
  return {seed, seed2};
}

}  // namespace detail

using detail::Access;

Graph::Graph() : impl_(std::make_shared<detail::GraphImpl>()) {}

const std::shared_ptr<detail::GraphImpl>& Graph::impl() const {
  if (!impl_) throw FailedPreconditionError("This Graph was moved from and holds no graph");
  return impl_;
}

std::string Graph::unique_name(std::string_view name, bool mark_as_used) {
  return impl()->mutate([&] { return impl()->unique_name(name, mark_as_used); });
}

std::string Graph::get_name_scope() const {
  return impl()->name_stack;
}

DeviceScope Graph::device(std::optional<std::string_view> spec) {
  return impl()->enter_device_scope(spec);
}

DeviceScope Graph::device(DeviceFunction fn) {
  if (!fn) throw ValueError("tf.device needs a device name or a function, got an empty function");
  const auto& g = impl();
  return g->mutate([&] {
    detail::Frame frame;
    frame.id = g->next_frame_id++;
    frame.saved_name_stack = g->name_stack;
    std::string inside = detail::open_device_function(*g, std::move(fn), g->device, frame.id);
    frame.saved_device = std::exchange(g->device, std::move(inside));
    g->frames.push_back(std::move(frame));
    return detail::Access::device_scope(g, g->frames.back().id, std::string());
  });
}

ControlDependencies Graph::control_dependencies(
    std::optional<std::vector<Operation>> control_inputs) {
  const auto& g = impl();
  std::optional<std::vector<int>> ops;
  if (control_inputs) {
    ops.emplace();
    for (const Operation& op : *control_inputs) {
      if (!op.valid()) throw ValueError("control_dependencies: an Operation handle is empty");
      if (Access::lock(op) != g) {
        throw ValueError("Operation '" + op.name() + "' is not an element of this graph.");
      }
      ops->push_back(op.id());
    }
  }
  return g->enter_control_dependencies(ops);
}

NameScope Graph::name_scope(std::optional<std::string_view> name) {
  return impl()->enter_name_scope(name);
}

NameScope Graph::name_scope(std::optional<std::string_view> name, std::string_view default_name) {
  return impl()->enter_name_scope(name ? name : std::optional<std::string_view>(default_name));
}

VariableScopeGuard Graph::variable_scope(std::string_view name, VariableScopeOptions options) {
  const std::string n(name);
  return impl()->enter_variable_scope(&n, nullptr, options);
}

VariableScopeGuard Graph::variable_scope(const VariableScope& scope, VariableScopeOptions options) {
  if (Access::lock(scope) != impl()) {
    throw ValueError("variable_scope: the VariableScope '" + scope.name() +
                     "' belongs to another graph");
  }
  return impl()->enter_variable_scope(nullptr, &scope, options);
}

VariableScopeGuard Graph::variable_scope(std::nullopt_t, VariableScopeOptions options) {
  return impl()->enter_variable_scope(nullptr, nullptr, options);
}

VariableScope Graph::get_variable_scope() const {
  return Access::scope(impl(), impl()->current_scope);
}

std::vector<Variable> Graph::get_collection(const std::string& key,
                                            const std::optional<std::string>& scope) const {
  return impl()->collection(key, scope);
}
std::vector<Variable> Graph::global_variables(const std::optional<std::string>& scope) const {
  return impl()->collection(GraphKeys::kGlobalVariables, scope);
}
std::vector<Variable> Graph::trainable_variables(const std::optional<std::string>& scope) const {
  return impl()->collection(GraphKeys::kTrainableVariables, scope);
}
std::vector<Variable> Graph::local_variables(const std::optional<std::string>& scope) const {
  return impl()->collection(GraphKeys::kLocalVariables, scope);
}

Operation Graph::global_variables_initializer() {
  return impl()->variables_initializer(global_variables(), "init");
}
Operation Graph::local_variables_initializer() {
  return impl()->variables_initializer(local_variables(), "init");
}
Operation Graph::variables_initializer(const std::vector<Variable>& variables,
                                       std::string_view name) {
  return impl()->variables_initializer(variables, name);
}

void Graph::set_random_seed(std::int64_t seed) {
  impl()->graph_seed = seed;
}
std::optional<std::int64_t> Graph::seed() const {
  return impl()->graph_seed;
}

std::vector<Operation> Graph::operations() const {
  std::vector<Operation> ops;
  ops.reserve(impl()->num_nodes());
  for (std::size_t i = 0; i < impl()->num_nodes(); ++i) {
    ops.push_back(Access::operation(impl(), static_cast<int>(i)));
  }
  return ops;
}

std::size_t Graph::num_operations() const {
  return impl()->num_nodes();
}

Operation Graph::get_operation_by_name(std::string_view name) const {
  const int* id = impl()->find_node(name);
  if (id == nullptr) {
    throw NotFoundError("The name '" + std::string(name) +
                        "' refers to an Operation not in the graph.");
  }
  return Access::operation(impl(), *id);
}

Tensor Graph::get_tensor_by_name(std::string_view name) const {
  const std::size_t colon = name.find(':');
  if (colon == std::string_view::npos) {
    throw ValueError("The name '" + std::string(name) +
                     "' looks like an (invalid) Operation name, not a Tensor. Tensor names must "
                     "be of the form \"<op_name>:<output_index>\".");
  }
  // TF: `op_name, out_n = name.split(":"); out_n = int(out_n)`, before the op is looked up.
  const std::optional<int> index = detail::python_int(name.substr(colon + 1));
  if (!index || name.find(':', colon + 1) != std::string_view::npos) {
    throw ValueError("The name '" + std::string(name) + "' has an invalid output index.");
  }
  Operation op = get_operation_by_name(name.substr(0, colon));
  if (*index < 0 || *index >= op.num_outputs()) {
    throw NotFoundError("The name '" + std::string(name) +
                        "' refers to a Tensor which does not exist. The operation, '" + op.name() +
                        "', exists but only has " + std::to_string(op.num_outputs()) + " outputs.");
  }
  return op.output(*index);
}

}  // namespace varscope
