// name_scope and variable_scope guards: TF's variable_scope / _pure_variable_scope
// (variable_scope.py) entered and exited through a stack of frames.
#include <algorithm>

#include "host/graph/device_functions.h"
#include "host/graph/device_spec.h"
#include "host/graph/graph_impl.h"
#include "varscope/errors.h"

namespace varscope {
namespace detail {
namespace {

bool truthy(Reuse r) {
  return r == Reuse::kTrue || r == Reuse::kAuto;
}

std::string last_component(const std::string& name) {
  std::size_t slash = name.rfind('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

}  // namespace

void GraphImpl::check_nesting() {
  if (improper_nesting) {
    improper_nesting = false;
    throw RuntimeError("Improper nesting of variable_scope.");
  }
}

NameScope GraphImpl::enter_name_scope(std::optional<std::string_view> name) {
  return mutate([&] {
    std::string new_stack = resolve_name_scope(name);
    Frame frame;
    frame.id = next_frame_id++;
    frame.saved_name_stack = std::exchange(name_stack, std::move(new_stack));
    frames.push_back(std::move(frame));
    // TF yields "" only for the root reset (None or ""); the absolute "/" yields "/".
    std::string yielded = (!name || name->empty()) ? std::string() : name_stack + "/";
    return Access::name_scope(shared_from_this(), frames.back().id, std::move(yielded));
  });
}

DeviceScope GraphImpl::enter_device_scope(std::optional<std::string_view> spec) {
  return mutate([&] {
    // _apply_device_functions: each scope merges its spec into the outer ones'; None resets.
    // (inside a device function scope, the string scopes opened inside it)
    std::string merged = spec ? merge_device(device, *spec) : std::string();
    Frame frame;
    frame.id = next_frame_id++;
    frame.saved_name_stack = name_stack;
    frame.saved_device = std::exchange(device, merged);
    frames.push_back(std::move(frame));
    return Access::device_scope(shared_from_this(), frames.back().id,
                                std::string(device_spec_part(device)));
  });
}

ControlDependencies GraphImpl::enter_control_dependencies(
    const std::optional<std::vector<int>>& ops) {
  return mutate([&] {
    // Graph.control_dependencies: ops already named by an open scope are dropped; None
    // starts an empty stack.
    std::vector<ControlScope> scopes;
    if (ops) scopes = control_scopes;
    ControlScope added;
    added.id = next_frame_id++;
    auto named = [&](int op) {
      auto in = [op](const std::vector<int>& v) {
        return std::find(v.begin(), v.end(), op) != v.end();
      };
      return in(added.ops) || std::any_of(scopes.begin(), scopes.end(),
                                          [&](const ControlScope& c) { return in(c.ops); });
    };
    for (int op : ops.value_or(std::vector<int>{})) {
      if (!named(op)) added.ops.push_back(op);
    }
    scopes.push_back(std::move(added));
    Frame frame;
    frame.id = scopes.back().id;
    frame.saved_name_stack = name_stack;
    frame.saved_controls = std::exchange(control_scopes, {});
    set_control_scopes(std::move(scopes));
    frames.push_back(std::move(frame));
    return Access::control_dependencies(shared_from_this(), frames.back().id);
  });
}

VariableScopeGuard GraphImpl::enter_variable_scope(const std::string* name,
                                                   const VariableScope* scope,
                                                   const VariableScopeOptions& options) {
  return mutate([&] {
    if (name == nullptr && scope == nullptr && !options.default_name) {
      throw TypeError("If default_name is None then name_or_scope is required");
    }
    std::shared_ptr<VariableScopeData> captured;
    if (scope != nullptr) {
      captured = Access::data(*scope);
      if (!captured) throw ValueError("variable_scope: the VariableScope handle is empty");
    }
    // "We don't allow non-inheriting scopes, False = None here."
    const Reuse reuse_arg = options.reuse == Reuse::kFalse ? Reuse::kInherit : options.reuse;
    if (name == nullptr && scope == nullptr && truthy(reuse_arg)) {
      throw ValueError("reuse=True cannot be used without a name_or_scope");
    }

    // 1. The name scope. auxiliary_name_scope=false re-enters the current one exactly.
    std::string new_stack = name_stack;
    std::string old_name_scope;  // what the name scope yielded
    if (captured) {
      std::string ns = last_component(captured->name);
      if (!ns.empty() && options.auxiliary_name_scope) new_stack = resolve_name_scope(ns);
    } else if (name != nullptr) {
      // An empty name enters no name scope at all (TF: `if name_scope or current_name_scope`).
      if (options.auxiliary_name_scope && !name->empty()) new_stack = resolve_name_scope(*name);
      old_name_scope =
          (name->empty() && options.auxiliary_name_scope) ? *name : scope_string(new_stack);
    } else {
      if (options.auxiliary_name_scope) new_stack = resolve_name_scope(*options.default_name);
      old_name_scope = scope_string(new_stack);
    }

    // 2. The variable scope object.
    auto data = std::make_shared<VariableScopeData>();
    const VariableScopeData& parent = *current_scope;
    if (captured) {
      data->name = captured->name;
      data->original_name_scope = captured->original_name_scope;
      data->reuse = truthy(reuse_arg) ? reuse_arg : captured->reuse;
      data->initializer = captured->initializer;
      data->dtype = captured->dtype;
      data->partitioner = captured->partitioner;
    } else {
      std::string local;
      if (name != nullptr) {
        local = *name;
      } else {
        // _get_unique_variable_scope: per-scope counts, independent of graph names.
        const std::string& prefix = *options.default_name;
        std::string base = parent.name.empty() ? prefix : parent.name + "/" + prefix;
        local = prefix;
        if (scope_counts.count(base) > 0) {
          int idx = 1;
          while (scope_counts.count(base + "_" + std::to_string(idx)) > 0)
            ++idx;
          local = prefix + "_" + std::to_string(idx);
        }
      }
      data->name = parent.name.empty() ? local : parent.name + "/" + local;
      data->original_name_scope = old_name_scope;
      data->reuse = truthy(reuse_arg) ? reuse_arg : parent.reuse;
      data->initializer = parent.initializer;
      data->dtype = parent.dtype;
      data->partitioner = parent.partitioner;
    }
    if (options.initializer) data->initializer = options.initializer;
    if (options.dtype) data->dtype = *options.dtype;
    if (options.partitioner) data->partitioner = options.partitioner;

    // 3. Commit: nothing above changed the graph except the name table, as in TF.
    Frame frame;
    frame.id = next_frame_id++;
    frame.saved_name_stack = std::exchange(name_stack, std::move(new_stack));
    frame.saved_scope = std::exchange(current_scope, data);
    frame.opened_scope_name = data->name;
    frame.by_object = captured != nullptr;
    if (frame.by_object) {
      if (open_object_frames++ == 0) scope_counts.set_journaling(true);
    }
    scope_counts.open(data->name);
    // An object re-entry restores, on exit, the counts as they are after its own increment.
    frame.counts_mark = scope_counts.mark();
    frames.push_back(std::move(frame));
    return Access::scope_guard(shared_from_this(), std::move(data), frames.back().id);
  });
}

void GraphImpl::exit_frame(std::uint64_t id) noexcept {
  const auto lock = lock_for_writing();
  // From the innermost frame: a proper exit finds its frame at once, however deep.
  auto rit =
      std::find_if(frames.rbegin(), frames.rend(), [id](const Frame& f) { return f.id == id; });
  if (rit == frames.rend()) return;  // already closed by an outer guard's improper exit
  if (rit != frames.rbegin()) improper_nesting = true;
  const std::size_t keep = static_cast<std::size_t>(frames.rend() - rit) - 1;
  while (frames.size() > keep) {
    Frame& f = frames.back();
    if (f.saved_scope) {
      if (f.by_object) {
        scope_counts.undo_to(f.counts_mark);
        // Inside a building call the journal stays: a failure undoes the call's changes.
        if (--open_object_frames == 0 && !journaling_) scope_counts.set_journaling(false);
      } else {
        scope_counts.close_subscopes(f.opened_scope_name);
      }
      current_scope = std::move(f.saved_scope);
    }
    name_stack = std::move(f.saved_name_stack);
    if (f.saved_device) {
      device = std::move(*f.saved_device);
      close_device_function(*this, f.id);  // a tf.device(function) frame's layer ends with it
    }
    if (f.saved_controls) set_control_scopes(std::move(*f.saved_controls));
    frames.pop_back();
  }
}

std::shared_ptr<GraphImpl> Access::lock(const VariableScope& s) {
  if (!s.data_) throw ValueError("VariableScope handle is empty");
  auto g = s.graph_.lock();
  if (!g)
    throw FailedPreconditionError("The graph of variable scope '" + s.data_->name +
                                  "' has been destroyed");
  return g;
}

}  // namespace detail

// ---- guards ----

NameScope::NameScope(std::shared_ptr<detail::GraphImpl> graph,
                     std::uint64_t frame,
                     std::string name)
    : graph_(std::move(graph)), frame_(frame), name_(std::move(name)) {}

NameScope::NameScope(NameScope&& other) noexcept
    : graph_(std::move(other.graph_)), frame_(other.frame_), name_(std::move(other.name_)) {}

NameScope::~NameScope() {
  if (graph_) graph_->exit_frame(frame_);
}

DeviceScope::DeviceScope(std::shared_ptr<detail::GraphImpl> graph,
                         std::uint64_t frame,
                         std::string device)
    : graph_(std::move(graph)), frame_(frame), device_(std::move(device)) {}

DeviceScope::DeviceScope(DeviceScope&& other) noexcept
    : graph_(std::move(other.graph_)), frame_(other.frame_), device_(std::move(other.device_)) {}

DeviceScope::~DeviceScope() {
  if (graph_) graph_->exit_frame(frame_);
}

ControlDependencies::ControlDependencies(std::shared_ptr<detail::GraphImpl> graph,
                                         std::uint64_t frame)
    : graph_(std::move(graph)), frame_(frame) {}

ControlDependencies::ControlDependencies(ControlDependencies&& other) noexcept
    : graph_(std::move(other.graph_)), frame_(other.frame_) {}

ControlDependencies::~ControlDependencies() {
  if (graph_) graph_->exit_frame(frame_);
}

VariableScopeGuard::VariableScopeGuard(std::shared_ptr<detail::GraphImpl> graph,
                                       std::shared_ptr<detail::VariableScopeData> data,
                                       std::uint64_t frame)
    : VariableScope(graph, std::move(data)), owner_(std::move(graph)), frame_(frame) {}

VariableScopeGuard::VariableScopeGuard(VariableScopeGuard&& other) noexcept
    : VariableScope(other.graph_, other.data_),
      owner_(std::move(other.owner_)),
      frame_(other.frame_) {}

VariableScopeGuard::~VariableScopeGuard() {
  if (owner_) owner_->exit_frame(frame_);
}

// ---- VariableScope ----

const detail::VariableScopeData& VariableScope::data() const {
  if (!data_) throw ValueError("VariableScope handle is empty");
  return *data_;
}

const std::string& VariableScope::name() const {
  return data().name;
}
const std::string& VariableScope::original_name_scope() const {
  return data().original_name_scope;
}
Reuse VariableScope::reuse() const {
  return data().reuse;
}
const std::optional<Initializer>& VariableScope::initializer() const {
  return data().initializer;
}
DType VariableScope::dtype() const {
  return data().dtype;
}
const std::optional<Partitioner>& VariableScope::partitioner() const {
  return data().partitioner;
}

void VariableScope::reuse_variables() {
  data();
  data_->reuse = Reuse::kTrue;
}
void VariableScope::set_initializer(Initializer initializer) {
  data();
  data_->initializer = std::move(initializer);
}
void VariableScope::set_dtype(DType dtype) {
  data();
  data_->dtype = dtype;
}
void VariableScope::set_partitioner(std::optional<Partitioner> partitioner) {
  data();
  data_->partitioner = std::move(partitioner);
}

std::vector<Variable> VariableScope::get_collection(const std::string& key) const {
  auto g = detail::Access::lock(*this);
  return g->collection(key, data_->name.empty() ? std::string() : data_->name + "/");
}
std::vector<Variable> VariableScope::global_variables() const {
  return get_collection(GraphKeys::kGlobalVariables);
}
std::vector<Variable> VariableScope::trainable_variables() const {
  return get_collection(GraphKeys::kTrainableVariables);
}
std::vector<Variable> VariableScope::local_variables() const {
  return get_collection(GraphKeys::kLocalVariables);
}

}  // namespace varscope
