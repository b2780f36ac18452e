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

// ops.colocate_with(op): ops built inside take the op's colocation groups (`_class`) and its
// device; the tf.device scopes are reset, as TF resets its device function stack.
// `ignore_existing` drops the enclosing colocate_with scopes; node -1 pushes nothing
// (colocate_with(None, ignore_existing=True)).
class ColocateGuard {
 public:
  ColocateGuard(GraphImpl& g, int node, bool ignore_existing = false)
      : g_(g), saved_device_(std::move(g.device)), saved_(g.colocation) {
    g_.device.clear();
    if (ignore_existing) g_.colocation.clear();
    if (node >= 0) g_.colocation.push_back(node);
  }
  ~ColocateGuard() {
    g_.device = std::move(saved_device_);
    g_.colocation = std::move(saved_);
  }
  ColocateGuard(const ColocateGuard&) = delete;
  ColocateGuard& operator=(const ColocateGuard&) = delete;

 private:
  GraphImpl& g_;
  std::string saved_device_;
  std::vector<int> saved_;
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
