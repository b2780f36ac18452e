// Graph: the name table, the scope stacks, the variable store and the op nodes, as in
// TF1 graph mode. Building a graph never touches a device. One thread at a time may build
// a given graph (TF's scope stacks are per thread; here they are per graph); building two
// different graphs on two threads is fine.
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <string_view>
#include <vector>

#include "varscope/initializers.h"
#include "varscope/partitioned_variable.h"
#include "varscope/scope.h"
#include "varscope/tensor.h"
#include "varscope/variable.h"

namespace varscope {

namespace detail {
struct GraphImpl;
struct Access;
}  // namespace detail

// A device function (tf.device(function)): an op to its device string.
using DeviceFunction = std::function<std::string(const Operation&)>;

class Graph {
 public:
  Graph();

  // --- names (TF's Graph.unique_name / name_scope) ---
  // "<name scope>/<name>" made unique: case-insensitive, "_1", "_2", ... skipping names
  // already taken explicitly. mark_as_used=false only peeks.
  std::string unique_name(std::string_view name, bool mark_as_used = true);
  // The current name scope without the trailing '/' ("" at the root).
  std::string get_name_scope() const;
  // tf.name_scope(name): relative names are uniquified ("V1/", then "V1_1/"); a name ending
  // in '/' is absolute and taken verbatim; "" or std::nullopt returns to the root.
  NameScope name_scope(std::optional<std::string_view> name);
  // tf.name_scope(name, default_name): default_name when name is std::nullopt.
  NameScope name_scope(std::optional<std::string_view> name, std::string_view default_name);

  // tf.device(spec): ops built in the scope record the device ("/gpu:1" is recorded as
  // "/device:GPU:1"); nested scopes merge field by field, the inner one winning
  // ("/job:w/task:1" then "/gpu:0" gives "/job:w/task:1/device:GPU:0"); std::nullopt clears
  // it (TF's tf.device(None)). A bad spec is TF's vs::ValueError. Placement is recorded (and
  // written to GraphDefs): a Session still runs every op on its one device.
  DeviceScope device(std::optional<std::string_view> spec);
  // tf.device(function): each op built in the scope is handed to `fn`, whose string becomes
  // its device, as TF 1.15 applies its device function stack: the string scopes inside this
  // one first (fn sees their merged spec as op.device()), then fn, whose string replaces it
  // and is kept as written ("/cpu:0" stays "/cpu:0", as in TF), then the string scopes around
  // it merged in field by field (a bad string is then TF's vs::ValueError), then an outer
  // function; tf.device(std::nullopt) stops the walk. Ops colocated with another (a
  // variable's reads and Assign, slots, ops on ref inputs, initializers) never reach it: they
  // follow their op. `fn` must not build ops; its exception fails the building call, which
  // changes nothing. An empty function is vs::ValueError (E285).
  DeviceScope device(DeviceFunction fn);

  // tf.control_dependencies(control_inputs): ops built in the scope get control inputs on
  // `control_inputs`, and on those of the scopes around it, as TF adds them: an op already
  // named by an outer scope is not added again, an op that is also a data input is not
  // added, and an op with a data input built inside a scope gets none of that scope's.
  // std::nullopt clears every open scope (TF's control_dependencies(None)). A variable's own
  // ops take none (TF builds them in init_scope). An invalid Operation or one of another
  // graph is vs::ValueError.
  ControlDependencies control_dependencies(std::optional<std::vector<Operation>> control_inputs);

  // --- variable scopes (tf.variable_scope) ---
  VariableScopeGuard variable_scope(std::string_view name, VariableScopeOptions options = {});
  VariableScopeGuard variable_scope(const VariableScope& scope, VariableScopeOptions options = {});
  // tf.variable_scope(None, default_name=...): needs options.default_name.
  VariableScopeGuard variable_scope(std::nullopt_t, VariableScopeOptions options);
  VariableScope get_variable_scope() const;

  // --- variables ---
  // tf.get_variable: named "<variable scope>/<name>", ignoring name scopes; shared
  // according to the scope's reuse. `where` is reported by "Originally defined at:".
  Variable get_variable(std::string_view name,
                        const GetVariableOptions& options = {},
                        std::source_location where = std::source_location::current());
  // tf.get_variable with a partitioner (options.partitioner, else the scope's): the parts
  // "<scope>/<name>/part_<i>" with TF's shapes (the first dim % n parts one longer), slice
  // information and collections; shared by the scope's reuse, as TF (with reuse=True an
  // existing one is returned without a partitioner).
  PartitionedVariable get_partitioned_variable(
      std::string_view name,
      const GetVariableOptions& options = {},
      std::source_location where = std::source_location::current());
  // tf.get_local_variable: not trainable, in LOCAL_VARIABLES instead of GLOBAL_VARIABLES.
  Variable get_local_variable(std::string_view name,
                              const GetVariableOptions& options = {},
                              std::source_location where = std::source_location::current());
  // tf.Variable(initial_value): named by the name scope, never shared.
  Variable variable(const Tensor& initial_value,
                    const VariableOptions& options = {},
                    std::source_location where = std::source_location::current());
  // A literal initial value becomes the Const "<v>/initial_value".
  Variable variable(const HostTensor& initial_value,
                    const VariableOptions& options = {},
                    std::source_location where = std::source_location::current());
  // A callable initial value builds its ops under "<v>/Initializer/".
  Variable variable(const std::function<Tensor()>& initial_value,
                    const VariableOptions& options = {},
                    std::source_location where = std::source_location::current());

  // --- collections (tf.get_collection, tf.global_variables(scope), ...) ---
  // `scope` filters by TF's rule: re.match(scope, v.name), a regex anchored at the start.
  std::vector<Variable> get_collection(const std::string& key,
                                       const std::optional<std::string>& scope = {}) const;
  std::vector<Variable> global_variables(const std::optional<std::string>& scope = {}) const;
  std::vector<Variable> trainable_variables(const std::optional<std::string>& scope = {}) const;
  std::vector<Variable> local_variables(const std::optional<std::string>& scope = {}) const;
  // Collections of tensors and ops (tf.add_to_collection: LOSSES, UPDATE_OPS, SUMMARIES,
  // ...), in the order added; `scope` filters their names ("loss/value:0", "update") as
  // above. Adding the same element twice keeps both, as TF. A handle of another graph is
  // vs::ValueError.
  void add_to_collection(const std::string& key, const Tensor& value);
  void add_to_collection(const std::string& key, const Operation& op);
  std::vector<Tensor> get_collection_tensors(const std::string& key,
                                             const std::optional<std::string>& scope = {}) const;
  std::vector<Operation> get_collection_operations(
      const std::string& key, const std::optional<std::string>& scope = {}) const;

  // --- initialization ops ---
  // A NoOp "init" (then "init_1", ...) depending on each variable's "<v>/Assign".
  Operation global_variables_initializer();
  Operation local_variables_initializer();
  Operation variables_initializer(const std::vector<Variable>& variables,
                                  std::string_view name = "init");
  // tf.is_variable_initialized: an "IsVariableInitialized" op with a scalar bool output.
  Tensor is_variable_initialized(const Variable& variable);

  // --- seeds (tf.set_random_seed) ---
  // Affects random ops created afterwards. With a graph seed and no op seed, an op's seed
  // is derived from its full name, so unrelated ops do not shift each other's values.
  void set_random_seed(std::int64_t seed);
  std::optional<std::int64_t> seed() const;

  // --- inspection ---
  std::vector<Operation> operations() const;  // in creation order
  std::size_t num_operations() const;
  Operation get_operation_by_name(std::string_view name) const;  // vs::NotFoundError
  Tensor get_tensor_by_name(std::string_view name) const;        // "op:0"; vs::NotFoundError

  // Graphviz DOT of the graph, one cluster per name scope (TensorBoard's grouping).
  std::string to_dot() const;

  bool operator==(const Graph& o) const { return impl_ == o.impl_; }

 private:
  friend struct detail::Access;
  explicit Graph(std::shared_ptr<detail::GraphImpl> impl) : impl_(std::move(impl)) {}
  // The state; vs::FailedPreconditionError for a moved-from Graph.
  const std::shared_ptr<detail::GraphImpl>& impl() const;

  std::shared_ptr<detail::GraphImpl> impl_;
};

}  // namespace varscope

#pragma GCC visibility pop
