// Graph handles: Operation and Tensor, cheap handles to a node of a Graph and to one of its
// outputs. (Host values, the HostTensor, live in varscope/host_tensor.h.)
// Handles never dangle: using one after its graph is gone throws vs::FailedPreconditionError.
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "varscope/dtype.h"
#include "varscope/host_tensor.h"
#include "varscope/shape.h"

namespace varscope {

namespace detail {
struct GraphImpl;
struct Access;
}  // namespace detail

class Graph;

class Tensor;

class Operation {
 public:
  Operation() = default;

  std::string name() const;
  std::string type() const;
  std::string device() const;  // TF's canonical spec, "" when none was asked for
  int num_inputs() const;
  Tensor input(int i) const;
  int num_outputs() const;
  Tensor output(int i = 0) const;
  std::vector<Operation> control_inputs() const;
  Graph graph() const;

  // Attributes by TF's attr name ("seed", "seed2", "dtype", "transpose_a", ...);
  // vs::NotFoundError when absent, vs::InvalidArgumentError when of another kind.
  bool has_attr(const std::string& name) const;
  std::int64_t attr_int(const std::string& name) const;
  double attr_float(const std::string& name) const;
  bool attr_bool(const std::string& name) const;
  DType attr_dtype(const std::string& name) const;
  Shape attr_shape(const std::string& name) const;
  HostTensor attr_tensor(const std::string& name) const;
  std::vector<std::string> attr_strings(const std::string& name) const;
  std::string attr_string(const std::string& name) const;              // "padding"
  std::vector<std::int64_t> attr_ints(const std::string& name) const;  // "strides"

  bool valid() const { return node_ >= 0; }
  int id() const { return node_; }
  bool operator==(const Operation& o) const { return node_ == o.node_ && same_graph(o.graph_); }

 private:
  friend struct detail::Access;
  friend class Tensor;
  Operation(std::weak_ptr<detail::GraphImpl> g, int node) : graph_(std::move(g)), node_(node) {}
  bool same_graph(const std::weak_ptr<detail::GraphImpl>& other) const {
    return !graph_.owner_before(other) && !other.owner_before(graph_);
  }

  std::weak_ptr<detail::GraphImpl> graph_;
  int node_ = -1;
};

class Tensor {
 public:
  Tensor() = default;

  // "<op name>:<output index>", e.g. "v_scope/Weights:0".
  std::string name() const;
  Operation op() const { return Operation(graph_, node_); }
  int value_index() const { return index_; }
  DType dtype() const;
  Shape shape() const;
  Graph graph() const;

  bool valid() const { return node_ >= 0; }
  bool operator==(const Tensor& o) const { return index_ == o.index_ && op() == o.op(); }

 private:
  friend struct detail::Access;
  friend class Operation;
  Tensor(std::weak_ptr<detail::GraphImpl> g, int node, int index)
      : graph_(std::move(g)), node_(node), index_(index) {}

  std::weak_ptr<detail::GraphImpl> graph_;
  int node_ = -1;
  int index_ = 0;
};

}  // namespace varscope

#pragma GCC visibility pop
