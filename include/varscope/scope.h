// Scopes as RAII guards: the C++ shape of Python's `with tf.name_scope(...)` and
// `with tf.variable_scope(...) as scope`. Guards are movable, not copyable; their
// destructors never throw. A guard destroyed while an inner one is still open (possible
// only by moving guards around) closes the inner ones too and marks the graph: its next
// call throws vs::RuntimeError("Improper nesting of variable_scope.").
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "varscope/dtype.h"
#include "varscope/initializers.h"
#include "varscope/partitioners.h"

namespace varscope {

namespace detail {
struct GraphImpl;
struct Access;
struct VariableScopeData;
}  // namespace detail

class Variable;

// tf.variable_scope's reuse argument. kFalse means the same as kInherit, as in TF since
// 1.1 ("We don't allow non-inheriting scopes, False = None here."). A scope's resolved
// reuse (VariableScope::reuse) is kFalse, kTrue or kAuto.
enum class Reuse { kInherit, kFalse, kTrue, kAuto };

// The `with tf.name_scope(...) as scope` guard; name() is the yielded string ("V1_1/").
class NameScope {
 public:
  NameScope(NameScope&& other) noexcept;
  NameScope& operator=(NameScope&&) = delete;
  NameScope(const NameScope&) = delete;
  NameScope& operator=(const NameScope&) = delete;
  ~NameScope();

  const std::string& name() const { return name_; }

 private:
  friend struct detail::Access;
  NameScope(std::shared_ptr<detail::GraphImpl> graph, std::uint64_t frame, std::string name);

  std::shared_ptr<detail::GraphImpl> graph_;
  std::uint64_t frame_ = 0;
  std::string name_{};
};

// The `with tf.device(spec)` guard (Graph::device): ops built while it lives take its
// merged device spec; it restores the previous one when it ends.
class DeviceScope {
 public:
  DeviceScope(DeviceScope&& other) noexcept;
  DeviceScope& operator=(DeviceScope&&) = delete;
  DeviceScope(const DeviceScope&) = delete;
  DeviceScope& operator=(const DeviceScope&) = delete;
  ~DeviceScope();

  const std::string& device() const { return device_; }  // the merged, canonical spec

 private:
  friend struct detail::Access;
  DeviceScope(std::shared_ptr<detail::GraphImpl> graph, std::uint64_t frame, std::string device);

  std::shared_ptr<detail::GraphImpl> graph_;
  std::uint64_t frame_ = 0;
  std::string device_{};
};

// The `with tf.control_dependencies(ops)` guard (Graph::control_dependencies): ops built
// while it lives run after `ops` (TF's pruning: not an op whose data input was itself built
// inside the same guard). It restores the previous scopes when it ends.
class ControlDependencies {
 public:
  ControlDependencies(ControlDependencies&& other) noexcept;
  ControlDependencies& operator=(ControlDependencies&&) = delete;
  ControlDependencies(const ControlDependencies&) = delete;
  ControlDependencies& operator=(const ControlDependencies&) = delete;
  ~ControlDependencies();

 private:
  friend struct detail::Access;
  ControlDependencies(std::shared_ptr<detail::GraphImpl> graph, std::uint64_t frame);

  std::shared_ptr<detail::GraphImpl> graph_;
  std::uint64_t frame_ = 0;
};

// A variable scope object (TF's VariableScope): a cheap handle; copies share the scope,
// so reuse_variables() through any copy is seen by all of them.
class VariableScope {
 public:
  VariableScope() = default;

  const std::string& name() const;                 // "outer/inner"; "" at the root
  const std::string& original_name_scope() const;  // "outer/inner/"; "" at the root
  Reuse reuse() const;                             // kFalse, kTrue or kAuto
  const std::optional<Initializer>& initializer() const;
  DType dtype() const;
  const std::optional<Partitioner>& partitioner() const;

  void reuse_variables();
  void set_initializer(Initializer initializer);
  void set_dtype(DType dtype);
  void set_partitioner(std::optional<Partitioner> partitioner);

  // Variables of this scope and below (collection filtered by "<name>/").
  std::vector<Variable> get_collection(const std::string& key) const;
  std::vector<Variable> global_variables() const;
  std::vector<Variable> trainable_variables() const;
  std::vector<Variable> local_variables() const;

  bool valid() const { return data_ != nullptr; }
  // Same scope object (Python `is`).
  bool operator==(const VariableScope& o) const { return data_ == o.data_; }

 protected:
  friend struct detail::Access;
  VariableScope(std::weak_ptr<detail::GraphImpl> graph,
                std::shared_ptr<detail::VariableScopeData> data)
      : graph_(std::move(graph)), data_(std::move(data)) {}
  const detail::VariableScopeData& data() const;

  std::weak_ptr<detail::GraphImpl> graph_;
  std::shared_ptr<detail::VariableScopeData> data_;
};

struct VariableScopeOptions {
  // Used when the scope is given as std::nullopt: uniquified ("layer", "layer_1", ...).
  std::optional<std::string> default_name{};
  Reuse reuse = Reuse::kInherit;
  std::optional<Initializer> initializer{};  // default for get_variable inside; inherited
  std::optional<DType> dtype{};              // default for get_variable inside; inherited
  // default for get_partitioned_variable inside; inherited
  std::optional<Partitioner> partitioner{};
  // false: enter no new name scope (for re-entering a captured scope); not inherited.
  bool auxiliary_name_scope = true;
};

// The `with tf.variable_scope(...) as scope` guard: it is the entered VariableScope.
class VariableScopeGuard : public VariableScope {
 public:
  VariableScopeGuard(VariableScopeGuard&& other) noexcept;
  VariableScopeGuard& operator=(VariableScopeGuard&&) = delete;
  VariableScopeGuard(const VariableScopeGuard&) = delete;
  VariableScopeGuard& operator=(const VariableScopeGuard&) = delete;
  ~VariableScopeGuard();

 private:
  friend struct detail::Access;
  VariableScopeGuard(std::shared_ptr<detail::GraphImpl> graph,
                     std::shared_ptr<detail::VariableScopeData> data,
                     std::uint64_t frame);

  std::shared_ptr<detail::GraphImpl> owner_;
  std::uint64_t frame_ = 0;
};

}  // namespace varscope

#pragma GCC visibility pop
