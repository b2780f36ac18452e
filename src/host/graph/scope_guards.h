// The guards op builders use to build inside TF's Python context managers: a name scope,
// no device, no control dependencies. Each restores what it replaced on exit.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "host/graph/graph_impl.h"

namespace varscope::detail {

// Ops built with no device, whatever the tf.device scope (get_variable's initializer ops,
// which TF colocates with their variable instead).
class NoDeviceGuard {
 public:
  explicit NoDeviceGuard(GraphImpl& g) : g_(g), saved_(std::move(g.device)) { g_.device.clear(); }
  ~NoDeviceGuard() { g_.device = std::move(saved_); }
  NoDeviceGuard(const NoDeviceGuard&) = delete;
  NoDeviceGuard& operator=(const NoDeviceGuard&) = delete;

 private:
  GraphImpl& g_;
  std::string saved_;
};

// ops.init_scope() around a variable's construction: no tf.control_dependencies scope
// applies to its ops (TF lifts them out); restored on exit.
class NoControlScopesGuard {
 public:
  explicit NoControlScopesGuard(GraphImpl& g) : g_(g), saved_(std::move(g.control_scopes)) {
    g_.set_control_scopes({});
  }
  ~NoControlScopesGuard() { g_.set_control_scopes(std::move(saved_)); }
  NoControlScopesGuard(const NoControlScopesGuard&) = delete;
  NoControlScopesGuard& operator=(const NoControlScopesGuard&) = delete;

 private:
  GraphImpl& g_;
  std::vector<ControlScope> saved_;
};

// `with ops.name_scope(...)` inside op wrappers: sets the stack, restores it on exit.
class StackGuard {
 public:
  StackGuard(GraphImpl& g, std::string new_stack) : g_(g), saved_(std::move(g.name_stack)) {
    g_.name_stack = std::move(new_stack);
  }
  ~StackGuard() { g_.name_stack = std::move(saved_); }
  StackGuard(const StackGuard&) = delete;
  StackGuard& operator=(const StackGuard&) = delete;

 private:
  GraphImpl& g_;
  std::string saved_;
};

}  // namespace varscope::detail
