// Variables: tf.get_variable (named by variable_scope, shared through the store) and
// tf.Variable (named by the name scope, never shared). A Variable is a cheap handle;
// every handle of one store entry compares equal and names one device allocation.
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "varscope/dtype.h"
#include "varscope/initializers.h"
#include "varscope/partitioners.h"
#include "varscope/shape.h"
#include "varscope/tensor.h"

namespace varscope {

namespace detail {
struct GraphImpl;
struct Access;
}  // namespace detail

class Graph;

// tf.GraphKeys collection names.
struct GraphKeys {
  static constexpr const char* kGlobalVariables = "variables";
  static constexpr const char* kLocalVariables = "local_variables";
  static constexpr const char* kModelVariables = "model_variables";
  static constexpr const char* kMetricVariables = "metric_variables";
  static constexpr const char* kTrainableVariables = "trainable_variables";
  // Collections of tensors and ops (Graph::add_to_collection).
  static constexpr const char* kLosses = "losses";
  static constexpr const char* kRegularizationLosses = "regularization_losses";
  static constexpr const char* kUpdateOps = "update_ops";
  static constexpr const char* kSummaries = "summaries";  // vs::summary's ops
};

struct GetVariableOptions {
  std::optional<Shape> shape{};              // unset = TF's shape=None
  std::optional<DType> dtype{};              // unset = the scope's dtype (float32 at the root)
  std::optional<Initializer> initializer{};  // unset = the scope's, else glorot_uniform / zeros
  std::optional<bool> trainable{};           // unset = true
  // Replace GLOBAL_VARIABLES (trainable variables still join TRAINABLE_VARIABLES).
  std::optional<std::vector<std::string>> collections{};
  bool validate_shape = true;
  // Graph::get_partitioned_variable: unset = the scope's. get_variable refuses a partitioner
  // in effect (TF would return a PartitionedVariable there), except for a scalar shape.
  std::optional<Partitioner> partitioner{};
};

struct VariableOptions {
  std::string name{};  // empty: "Variable", uniquified
  bool trainable = true;
  std::optional<std::vector<std::string>> collections{};
  std::optional<DType> dtype{};  // converts a HostTensor initial value; must match a Tensor's
  bool validate_shape = true;
};

class Variable {
 public:
  Variable() = default;

  std::string name() const;     // "v_scope/Weights:0"
  std::string op_name() const;  // "v_scope/Weights" (the checkpoint key)
  Operation op() const;         // the VariableV2 node
  DType dtype() const;          // base dtype; TF prints the ref dtype (see dtype_ref_name)
  Shape shape() const;
  bool trainable() const;
  Operation initializer() const;  // "<v>/Assign"
  Tensor value() const;           // "<v>/read:0", what ops read
  Tensor initial_value() const;
  Graph graph() const;
  // The store key for get_variable variables ("foo/v", even when the op is "foo/v_1");
  // empty for tf.Variable.
  std::string store_name() const;
  // A part of a partitioned variable: where it lies in the whole (TF's _save_slice_info).
  std::optional<SaveSliceInfo> save_slice_info() const;

  // An op reading a variable reads its snapshot, as TF's ref variables do.
  operator Tensor() const { return value(); }

  bool valid() const { return id_ >= 0; }
  int id() const { return id_; }
  // Same variable (Python `is` on get_variable results).
  bool operator==(const Variable& o) const {
    return id_ == o.id_ && !graph_.owner_before(o.graph_) && !o.graph_.owner_before(graph_);
  }

 private:
  friend struct detail::Access;
  Variable(std::weak_ptr<detail::GraphImpl> g, int id) : graph_(std::move(g)), id_(id) {}

  std::weak_ptr<detail::GraphImpl> graph_;
  int id_ = -1;
};

}  // namespace varscope

#pragma GCC visibility pop
