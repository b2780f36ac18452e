// Session: runs a graph on a CUDA device or on the CPU backend (TF1's tf.Session).
// It owns one allocation per variable for its lifetime; every handle of a shared variable
// resolves to it. Session::run may be called from several threads; calls are serialized.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "varscope/graph.h"
#include "varscope/tensor.h"
#include "varscope/variable.h"

namespace varscope {

namespace detail {
class SessionImpl;
}  // namespace detail

enum class DeviceKind { kAuto, kCpu, kCuda };

struct SessionOptions {
  // kAuto: CUDA when a device is usable, else the CPU backend. The environment variable
  // VARSCOPE_DEVICE=cpu|cuda overrides kAuto. Asking for CUDA where there is none throws
  // vs::UnavailableError naming the CUDA error.
  DeviceKind device = DeviceKind::kAuto;
  int cuda_device = 0;
  // A cudaStream_t to enqueue all work on (CUDA only); null: the session makes its own.
  void* stream = nullptr;
  bool allow_tf32 = false;
};

// Values for placeholders (or any tensor) for one run.
using FeedDict = std::vector<std::pair<Tensor, HostTensor>>;

class Session {
 public:
  explicit Session(const Graph& graph, SessionOptions options = {});
  ~Session();
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;

  // Runs an op for its effects, e.g. g.global_variables_initializer().
  void run(const Operation& target, const FeedDict& feeds = {});
  // Fetches one tensor; a Variable fetches its current value.
  HostTensor run(const Tensor& fetch, const FeedDict& feeds = {});
  HostTensor run(const Variable& variable);
  std::vector<HostTensor> run(const std::vector<Tensor>& fetches,
                              const FeedDict& feeds = {},
                              const std::vector<Operation>& targets = {});

  // tf.report_uninitialized_variables: op names (no ":0") of the uninitialized variables,
  // in order; by default of global_variables() + local_variables().
  std::vector<std::string> report_uninitialized_variables(
      const std::optional<std::vector<Variable>>& variables = std::nullopt);
  bool is_initialized(const Variable& variable);

  // Writes a host value into the variable's storage and marks it initialized (what a
  // checkpoint restore does). The value must have the variable's dtype and shape, else
  // vs::InvalidArgumentError and nothing changes.
  void load_variable(const Variable& variable, const HostTensor& value);

  // Where the variable lives: a device pointer on CUDA, a host pointer on the CPU backend.
  // Every handle of one variable gives the same pointer.
  void* data_ptr(const Variable& variable);

  DeviceKind device() const;
  std::string device_description() const;

 private:
  // The state; vs::FailedPreconditionError for a moved-from Session.
  detail::SessionImpl& impl() const;

  std::unique_ptr<detail::SessionImpl> impl_;
};

}  // namespace varscope
