// Access: the one friend of the public handles (Tensor, Operation, Variable, scopes), through
// which the graph's internals make and open them. Its own header so that graph_impl.h keeps
// to the graph's state.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "varscope/graph.h"

namespace varscope::detail {

struct GraphImpl;
struct VariableScopeData;

// One output of a node: the handle Tensor's internal form.
struct TensorRef {
  int node = -1;
  int index = 0;
  auto operator<=>(const TensorRef&) const = default;
};

// Handles <-> internals.
struct Access {
  static const std::shared_ptr<GraphImpl>& impl(const Graph& g) { return g.impl(); }
  static Graph graph(std::shared_ptr<GraphImpl> impl) { return Graph(std::move(impl)); }
  static Tensor tensor(const std::shared_ptr<GraphImpl>& g, TensorRef r) {
    return Tensor(g, r.node, r.index);
  }
  static Operation operation(const std::shared_ptr<GraphImpl>& g, int node) {
    return Operation(g, node);
  }
  static Variable variable(const std::shared_ptr<GraphImpl>& g, int id) { return Variable(g, id); }
  static VariableScope scope(const std::shared_ptr<GraphImpl>& g,
                             std::shared_ptr<VariableScopeData> data) {
    return VariableScope(g, std::move(data));
  }
  static NameScope name_scope(std::shared_ptr<GraphImpl> g, std::uint64_t frame, std::string n) {
    return NameScope(std::move(g), frame, std::move(n));
  }
  static DeviceScope device_scope(std::shared_ptr<GraphImpl> g,
                                  std::uint64_t frame,
                                  std::string device) {
    return DeviceScope(std::move(g), frame, std::move(device));
  }
  static ControlDependencies control_dependencies(std::shared_ptr<GraphImpl> g,
                                                  std::uint64_t frame) {
    return ControlDependencies(std::move(g), frame);
  }
  static VariableScopeGuard scope_guard(std::shared_ptr<GraphImpl> g,
                                        std::shared_ptr<VariableScopeData> data,
                                        std::uint64_t frame) {
    return VariableScopeGuard(std::move(g), std::move(data), frame);
  }

  // Lock a handle's graph; vs::FailedPreconditionError when it is gone or the handle empty.
  static std::shared_ptr<GraphImpl> lock(const Tensor& t) { return lock(t.graph_, t.node_); }
  static std::shared_ptr<GraphImpl> lock(const Operation& o) { return lock(o.graph_, o.node_); }
  static std::shared_ptr<GraphImpl> lock(const Variable& v) { return lock(v.graph_, v.id_); }
  static PartitionedVariable partitioned(const std::shared_ptr<GraphImpl>& g, int id) {
    return PartitionedVariable(g, id);
  }
  static std::shared_ptr<GraphImpl> lock(const PartitionedVariable& v) {
    return lock(v.graph_, v.id_);
  }
  static int id(const PartitionedVariable& v) { return v.id_; }
  static std::shared_ptr<GraphImpl> lock(const VariableScope& s);
  static TensorRef ref(const Tensor& t) { return {t.node_, t.index_}; }
  static int id(const Operation& o) { return o.node_; }
  static const std::shared_ptr<VariableScopeData>& data(const VariableScope& s) { return s.data_; }

 private:
  static std::shared_ptr<GraphImpl> lock(const std::weak_ptr<GraphImpl>& g, int id);
};

}  // namespace varscope::detail
