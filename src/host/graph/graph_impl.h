// The graph's state behind the public handles. Private to the library.
#pragma once

#include <atomic>
#include <compare>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <memory_resource>
#include <mutex>
#include <new>
#include <optional>
#include <shared_mutex>
#include <source_location>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "host/graph/handle_access.h"
#include "host/graph/name_table.h"
#include "host/graph/op_type.h"
#include "host/graph/scope_counts.h"
#include "varscope/errors.h"
#include "varscope/graph.h"

namespace varscope::detail {

using AttrValue = std::variant<std::int64_t,
                               double,
                               bool,
                               std::string,
                               DType,
                               Shape,
                               HostTensor,
                               std::vector<std::string>,
                               std::vector<std::int64_t>>;  // TF's list(int)
using Attrs = std::vector<std::pair<std::string, AttrValue>>;

struct OutputSpec {
  DType dtype;
  Shape shape;
};

struct Node {
  std::string name;
  OpType op = OpType::kNoOp;
  std::string type;  // TF's name of `op` (op_defs.h), for names, DOT and messages
  std::vector<TensorRef> inputs;
  std::vector<int> control_inputs;
  std::vector<OutputSpec> outputs;
  std::string device;  // TF's canonical spec from the tf.device scopes it was built in
  Attrs attrs;
  int variable = -1;  // for VariableV2 nodes: index into GraphImpl::variables
  // The tf.control_dependencies scopes open when it was built (their ids): TF's
  // "op_in_group", which spares ops whose inputs were built in the same scope. Shared by
  // every node built under the same scopes; null when none was open.
  std::shared_ptr<const std::vector<std::uint64_t>> control_scopes;

  const AttrValue* find_attr(std::string_view attr) const;
};

// What a random initializer's chain computes (random -> Mul(scale) -> Add(shift), for a
// uniform range with Sub(max, min) as the scale), recorded by the builder that made it, so
// that the planner can run the chain as one pass (a fused step) when nothing else uses
// its intermediate values.
struct AffineRandom {
  int random = -1;  // the RandomUniform / RandomStandardNormal / TruncatedNormal node
  int mul = -1;
  int sub = -1;                // RandomUniform's range; -1 for the normals
  std::vector<int> constants;  // the scalar Consts the chain reads (its scale and shift)
  // As the unfused ops compute them: a float32 range is rounded as the Sub op rounds it.
  double scale = 1.0;
  double shift = 0.0;
};

struct VariableRecord {
  std::string store_key;  // "" for tf.Variable
  int node = -1;          // VariableV2
  int assign = -1;        // "<v>/Assign"
  int read = -1;          // "<v>/read"
  TensorRef initial_value;
  DType dtype = DType::kFloat32;
  Shape shape;
  bool trainable = true;
  std::source_location defined_at;
  std::optional<SaveSliceInfo> slice;  // a part of a partitioned variable
};

// A partitioned variable (partitioned_variables.cpp): its parts, ordered by offset.
struct PartitionedRecord {
  std::string name;
  Shape shape;
  DType dtype = DType::kFloat32;
  std::vector<int> parts;  // indices into GraphImpl::variables
  std::vector<std::int64_t> partitions;
};

struct VariableScopeData {
  std::string name;
  std::string original_name_scope;
  Reuse reuse = Reuse::kFalse;  // resolved: kFalse, kTrue or kAuto
  std::optional<Initializer> initializer;
  DType dtype = DType::kFloat32;
  std::optional<Partitioner> partitioner;
};

// One open tf.control_dependencies scope: the ops it adds (those no outer scope adds).
struct ControlScope {
  std::uint64_t id = 0;
  std::vector<int> ops;
};

// One open scope guard and what its exit restores.
struct Frame {
  std::uint64_t id = 0;
  std::string saved_name_stack;
  std::shared_ptr<VariableScopeData> saved_scope;  // null for a name-scope frame
  std::string opened_scope_name;                   // variable scope frames
  bool by_object = false;                          // entered with a VariableScope object
  std::size_t counts_mark = 0;
  std::optional<std::string> saved_device;  // device-scope frames: the device before them
  // control-dependencies frames: the scopes open before them
  std::optional<std::vector<ControlScope>> saved_controls;
};

struct GraphImpl : std::enable_shared_from_this<GraphImpl> {
  GraphImpl();

  // ---- calls that change the graph (mutation.cpp) ----
  // Every public call that changes the graph runs `change` through here. It holds the graph
  // for writing (Session::run holds it for reading: a run never sees a half-built node),
  // reports an earlier improper nesting, and when `change` throws, undoes all it did —
  // nodes, names in use, variables, the store, collections, initializer records, frames —
  // so a failed call leaves the graph exactly as it was, names included. std::bad_alloc
  // becomes vs::ResourceExhaustedError, any other non-vs exception vs::InternalError. A
  // call made inside another (same thread) joins it.
  template <typename F>
  decltype(auto) mutate(F&& change);
  std::shared_lock<std::shared_mutex> lock_for_reading() const {
    return std::shared_lock<std::shared_mutex>(mutex_);
  }
  // Holds the graph for writing unless this thread already does (scope guards' exits).
  std::unique_lock<std::shared_mutex> lock_for_writing() const {
    if (writer_.load(std::memory_order_relaxed) == std::this_thread::get_id()) return {};
    return std::unique_lock<std::shared_mutex>(mutex_);
  }

  // ---- names (names.cpp) ----
  std::string unique_name(std::string_view name, bool mark_as_used = true);
  // A copy of `s` that lives as long as the graph.
  std::string_view intern(std::string_view s);
  // TF's Graph.name_scope resolution: validates, uniquifies, returns the new stack
  // (no trailing '/'; "" for the root). Does not change name_stack.
  std::string resolve_name_scope(std::optional<std::string_view> name);
  // resolve_name_scope's validation alone: vs::ValueError for a name it would refuse.
  void check_scope_name(std::string_view name) const;
  // Op names: "x/" verbatim without the '/', otherwise unique_name; validated.
  std::string op_name(std::string_view name_or_scope);

  // ---- scope guards (scopes.cpp) ----
  NameScope enter_name_scope(std::optional<std::string_view> name);
  // tf.device(spec): merged into the current device (std::nullopt clears it).
  DeviceScope enter_device_scope(std::optional<std::string_view> spec);
  // tf.control_dependencies(ops) (std::nullopt: None, which clears the open scopes).
  // `ops` are nodes of this graph.
  ControlDependencies enter_control_dependencies(const std::optional<std::vector<int>>& ops);
  VariableScopeGuard enter_variable_scope(const std::string* name,
                                          const VariableScope* scope,
                                          const VariableScopeOptions& options);
  void exit_frame(std::uint64_t id) noexcept;
  // Every public building call starts here: reports an earlier improper nesting.
  void check_nesting();

  // ---- nodes (graph.cpp) ----
  // `attrs` must be those op_def(op) defines (else vs::InternalError).
  int add_node(OpType op,
               std::string_view name_or_scope,
               std::vector<TensorRef> inputs,
               std::vector<OutputSpec> outputs,
               Attrs attrs = {},
               std::vector<int> control_inputs = {});
  const Node& node(int id) const { return nodes.at(static_cast<std::size_t>(id)); }
  // A new node's control inputs: the open tf.control_dependencies scopes' (as TF prunes
  // them for its data `inputs`), then the builder's own.
  std::vector<int> control_inputs_from_scopes(const std::vector<TensorRef>& inputs,
                                              std::vector<int> explicit_inputs) const;
  std::shared_ptr<const std::vector<std::uint64_t>> control_scope_ids();
  // TF's Tensor.set_shape on an output its shape function could not infer (a gradient whose
  // shape TF states, e.g. _TileGrad's): the static shape becomes `shape`.
  void set_output_shape(TensorRef r, Shape shape) {
    nodes.at(static_cast<std::size_t>(r.node)).outputs.at(static_cast<std::size_t>(r.index)).shape =
        std::move(shape);
  }
  Tensor tensor(TensorRef ref);
  // The graph that owns a handle; vs::ValueError when it is another graph.
  TensorRef ref_of(const Tensor& t);

  // ---- variables (variables.cpp) ----
  Variable get_variable(std::string_view name,
                        const GetVariableOptions& options,
                        bool local,
                        std::source_location where);
  // _VariableStore._get_single_variable for `full_name` (the scope already applied); `slice`
  // set for a part of a partitioned variable (initializers see the full shape).
  Variable get_single_variable(const std::string& full_name,
                               std::string_view name,
                               const GetVariableOptions& options,
                               bool local,
                               std::source_location where,
                               const SaveSliceInfo* slice);
  // tf.get_variable with a partitioner (partitioned_variables.cpp).
  int get_partitioned_variable(std::string_view name,
                               const GetVariableOptions& options,
                               std::source_location where);
  // Builds a variable's initial value inside its name scope.
  using InitialValue = std::function<TensorRef(GraphImpl&)>;
  // tf.Variable's construction: name scope `name` (default "Variable"), the initial value
  // (under "<v>/Initializer/" when `callable`), then VariableV2, Assign and read.
  Variable create_variable(std::string_view name,
                           const std::string& store_key,
                           const InitialValue& initial_value,
                           bool callable,
                           bool trainable,
                           const std::vector<std::string>& collection_keys,
                           bool validate_shape,
                           std::source_location where);
  // An imported VariableV2 node (import_graph_def) as a variable of the graph: in no
  // collection, not in the store, no initializer until import_meta_graph gives it one.
  // Returns its index in `variables`.
  int adopt_variable(int node);
  std::vector<Variable> collection(const std::string& key,
                                   const std::optional<std::string>& scope) const;
  Operation variables_initializer(const std::vector<Variable>& vars, std::string_view name);

  // ---- seeds ----
  // TF's get_seed(op_seed), with the op seed derived from `op_name` when only the graph
  // seed is set. Returns {seed, seed2}; {0, 0} means nondeterministic.
  std::pair<std::int64_t, std::int64_t> op_seeds(std::optional<std::int64_t> op_seed,
                                                 std::string_view op_name) const;

  std::size_t num_nodes() const { return nodes.size(); }
  // The node named `name`; null when there is none.
  const int* find_node(std::string_view name) const { return nodes_by_name.find(name); }

  // ---- random initializer chains (builders.cpp records, the planner fuses) ----
  void record_affine_random(int add_node, AffineRandom chain) {
    affine_randoms.emplace(add_node, std::move(chain));
    if (journaling_) journal_.affine.push_back(add_node);
  }
  // Collections: `variable` joins `key` (variables.cpp).
  void add_to_collection(std::string_view key, int variable);
  // Collections of tensors and ops (LOSSES, UPDATE_OPS, ...): `element` joins `key`; an
  // index of -1 is the op itself (graph.cpp).
  void add_element_to_collection(std::string_view key, TensorRef element);
  // The store: `full_name` names `variable` from now on (variables.cpp).
  void add_to_store(std::string_view full_name, int variable);
  // State outside the graph that a building call changes (an optimizer's slots): `undo`
  // runs, newest first, if the outermost call fails and the graph is rolled back, after the
  // graph is (never before: a nested call's catch would see the graph still holding what
  // it made). It must not throw. Outside a building call it is dropped.
  void on_roll_back(std::function<void()> undo) {
    if (journaling_) journal_.undo.push_back(std::move(undo));
  }
  // The chain whose Add is `add_node`; null when that node ends none.
  const AffineRandom* affine_random(int add_node) const {
    if (affine_randoms.empty()) return nullptr;
    auto it = affine_randoms.find(add_node);
    return it == affine_randoms.end() ? nullptr : &it->second;
  }

  std::string name_stack;
  std::string device;  // the tf.device scopes' merged spec, canonical; "" for none
  // ops.colocate_with: the ops new ones are colocated with (ColocateGuard, colocation.cpp).
  std::vector<int> colocation;
  // Op::colocation_groups: the "loc:@" entries of the op's `_class`, else "loc:@<its name>".
  std::vector<std::string> colocation_groups(int node) const;
  // What Graph._create_op_helper does with the colocation stack (and op_def_library with an
  // op's ref inputs): the `_class` attribute and the colocated ops' device.
  void apply_colocation(Node& n) const;
  // The open tf.control_dependencies scopes, outermost first (add_node applies them).
  std::vector<ControlScope> control_scopes;
  void set_control_scopes(std::vector<ControlScope> scopes) {
    control_scopes = std::move(scopes);
    open_control_ids.reset();
  }

  std::shared_ptr<VariableScopeData> root_scope;
  std::shared_ptr<VariableScopeData> current_scope;
  ScopeCounts scope_counts;
  std::vector<Frame> frames;
  std::uint64_t next_frame_id = 1;
  // The tf.device(function) scopes open now, by the frame that opened each: the function and
  // the device string around it (device_functions.h).
  struct DeviceFunctionLayer {
    DeviceFunction fn;
    std::string outer;
  };
  std::unordered_map<std::uint64_t, DeviceFunctionLayer> device_function_layers;
  int open_object_frames = 0;
  bool improper_nesting = false;

  std::vector<VariableRecord> variables;
  std::vector<PartitionedRecord> partitioned;
  std::map<std::string, int, std::less<>> partitioned_by_name;  // name -> index in partitioned
  struct KeyHash {  // lets collections be searched with a string_view
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::unordered_map<std::string, std::vector<int>, KeyHash, std::equal_to<>> collections;
  std::unordered_map<std::string, std::vector<TensorRef>, KeyHash, std::equal_to<>>
      element_collections;

  std::optional<std::int64_t> graph_seed;

 private:
  // What a failed call undoes (mutation.cpp): sizes before it, and a journal of the table
  // entries it added or changed, kept only while a call runs.
  struct Mark {
    std::size_t nodes = 0, variables = 0, frames = 0, counts = 0;
  };
  struct CollectionChange {
    std::vector<int>* ids;
    std::size_t size_before;
    bool created;  // the key did not exist before
  };
  struct Journal {
    std::vector<std::pair<std::string_view, int>> names;  // key, count before (-1: new)
    std::vector<std::string_view> store;                  // keys added
    std::vector<std::pair<const std::string*, CollectionChange>> collections;
    // element_collections: key, size before (npos: the key was new)
    std::vector<std::pair<std::string, std::size_t>> elements;
    std::vector<int> affine;                  // chains recorded
    std::vector<std::function<void()>> undo;  // on_roll_back's hooks
  };
  Mark begin_mutation();
  void end_mutation() noexcept;
  void roll_back(const Mark& mark) noexcept;

  mutable std::shared_mutex mutex_;
  std::atomic<std::thread::id> writer_{};
  bool journaling_ = false;
  Journal journal_;

  // The tables whose keys live in the arena or view the nodes: changed only through the
  // member functions above (names.cpp, graph.cpp, variables.cpp), which keep them so.
  // The arena is declared first (destroyed last): the keys of names_in_use and store point
  // into it. A graph only grows, so its names are never freed one by one.
  std::pmr::monotonic_buffer_resource arena;
  // A deque: a node never moves, so nodes_by_name's keys can view the nodes' own names.
  std::deque<Node> nodes;
  NameTable nodes_by_name;  // keys view Node::name
  NameTable names_in_use;   // lower-cased full names
  std::string lowered;      // unique_name's scratch key, kept to reuse its capacity
  NameTable store;          // get_variable full name -> variable
  std::unordered_map<int, AffineRandom> affine_randoms;  // keyed by the chain's Add node
  // The ids of control_scopes, shared by the nodes built under them (add_node makes it).
  std::shared_ptr<const std::vector<std::uint64_t>> open_control_ids;
};

template <typename F>
decltype(auto) GraphImpl::mutate(F&& change) {
  if (writer_.load(std::memory_order_relaxed) == std::this_thread::get_id()) return change();
  std::unique_lock<std::shared_mutex> lock(mutex_);
  check_nesting();
  const Mark mark = begin_mutation();
  try {
    if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
      change();
      end_mutation();
    } else {
      auto result = change();
      end_mutation();
      return result;
    }
  } catch (const Error&) {
    roll_back(mark);
    throw;
  } catch (const std::bad_alloc&) {
    roll_back(mark);
    throw ResourceExhaustedError("Out of memory while building the graph; it is unchanged");
  } catch (const std::exception& e) {
    roll_back(mark);
    throw InternalError(std::string("Unexpected error while building the graph (it is "
                                    "unchanged): ") +
                        e.what());
  }
}

// Python's int(s) for an output index: surrounding whitespace, a sign, decimal digits with
// single underscores between them; nullopt for anything else ("0abc", "0.9", "0 junk").
// Values beyond an int saturate (no tensor has that many outputs either way).
std::optional<int> python_int(std::string_view s);

inline Tensor GraphImpl::tensor(TensorRef ref) {
  return Access::tensor(shared_from_this(), ref);
}

// The yielded form of a name stack: "a/b/" or "".
inline std::string scope_string(const std::string& stack) {
  return stack.empty() ? std::string() : stack + "/";
}

}  // namespace varscope::detail
