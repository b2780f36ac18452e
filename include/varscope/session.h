// Session: runs a graph on a CUDA device or on the CPU backend (TF1's tf.Session).
// It owns one allocation per variable for its lifetime; every handle of a shared variable
// resolves to it. Session::run may be called from several threads; calls are serialized.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "varscope/device.h"
#include "varscope/graph.h"
#include "varscope/tensor.h"
#include "varscope/variable.h"

namespace varscope {

namespace detail {
class SessionImpl;
}  // namespace detail

struct SessionOptions {
  // kAuto: CUDA when a device is usable, else the CPU backend. The environment variable
  // VARSCOPE_DEVICE=cpu|cuda overrides kAuto. Asking for CUDA where there is none throws
  // vs::UnavailableError naming the CUDA error.
  DeviceKind device = DeviceKind::kAuto;
  int cuda_device = 0;
  // A cudaStream_t to enqueue all work on (CUDA only); null: the session makes its own.
  void* stream = nullptr;
  bool allow_tf32 = false;
  // CUDA only; no effect on the CPU backend, so one program runs on both. The first run of
  // a (fetches, feeds, targets) signature with given feed shapes uses plain launches; the
  // next one records its work into a CUDA Graph, and later runs with the same feed shapes
  // replay it: one launch instead of one per op. Feed values may change between runs; the
  // host-side checks (feeds, uninitialized variables) still run every time. Always plain
  // launches: plans with random ops (each run must draw new numbers), Fill,
  // IsVariableInitialized, or a reduction whose axes are not a constant; and sessions on an
  // external `stream` (other work on it would be recorded into our graph). Each captured
  // signature and shape keeps its temporaries allocated while the session lives (up to 8
  // shapes per signature), and cuBLAS gets a fixed workspace (4 MiB, 32 MiB from sm_90).
  bool use_cuda_graph = false;
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

  // How many runs did their device work as one CUDA Graph launch (use_cuda_graph), the run
  // that captured a graph included; always 0 on the CPU backend.
  std::uint64_t cuda_graph_launches() const;

 private:
  // The state; vs::FailedPreconditionError for a moved-from Session.
  detail::SessionImpl& impl() const;

  std::unique_ptr<detail::SessionImpl> impl_;
};

}  // namespace varscope
