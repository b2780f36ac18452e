// Session: runs a graph on a CUDA device or on the CPU backend (TF1's tf.Session).
// It owns one allocation per variable for its lifetime; every handle of a shared variable
// resolves to it. Session::run may be called from several threads; calls are serialized.
//
// Streams (CUDA). A session enqueues all of its device work, in call order, on one stream:
// stream() -- SessionOptions::stream when given, else one the session creates (non-blocking:
// it does not wait for the legacy default stream). A session of several GPUs
// (SessionOptions::device_count) has a stream per GPU; stream() is GPU:0's. A run's work on
// the others comes after what stream() held when it started, and stream() waits for it
// (events, no host wait), so what is said below of stream() holds for the whole session.
//  - run(...) with host feeds and fetches is synchronous: it returns when the stream has
//    finished everything the session enqueued so far (earlier run_async work included).
//  - run_async(...) enqueues and returns at once. Its feed buffers are read, and its output
//    buffers written, when the stream gets there: keep them alive and untouched until then
//    (synchronize(), or cudaStreamWaitEvent on your stream with an event recorded on
//    stream()). Work of yours that writes a feed buffer must come before it in stream
//    order: enqueue it on stream() (or pass your stream as SessionOptions::stream), or make
//    stream() wait for it (cudaStreamWaitEvent) or finish it before the call.
//  - Reading a variable's memory (data_ptr) from your own kernel: enqueue the kernel on
//    stream(); on another stream, order it after the session's work with an event.
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "varscope/device.h"
#include "varscope/device_tensor_view.h"
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
  // A cudaStream_t to enqueue all work on (CUDA only; a CPU session refuses a non-null one
  // with vs::InvalidArgumentError); null: the session makes its own. The session never
  // destroys a stream it is given, which must outlive the session.
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
  // TF's ConfigProto(device_count={"CPU": 2}): the session's devices by type. "CPU": n gives
  // /device:CPU:0 .. CPU:n-1 (at least one, as TF); "GPU": n (CUDA sessions; default 1)
  // gives /device:GPU:0 .. GPU:n-1, GPU:i being CUDA device cuda_device + i, each with its
  // own stream and memory; as TF, no more GPUs than there are from cuda_device on (an op
  // asking for a missing one fails placement). Ops run where Graph::device and colocation
  // put them, variables live on their op's device, and a value crossing devices is copied:
  // between GPUs on the destination's stream, ordered by CUDA events (no host wait); the CPU
  // devices share one CPU backend (a copy between them passes the buffer), or on a CUDA
  // session run on GPU:0. With several GPUs, stream(), `stream` and device views are
  // GPU:0's, and use_cuda_graph gives plain launches (docs/differences.md). A count below 0
  // or above 64 is vs::InvalidArgumentError.
  std::map<std::string, int> device_count{};
  // TF's allow_soft_placement: an op asking for a device the session lacks (another index
  // or type, not another job or task) runs on the default device (GPU:0 on a CUDA session,
  // else CPU:0) instead of failing the run with TF's "Cannot assign a device" error.
  bool allow_soft_placement = false;
  // The CPU backend's threads (ignored by a CUDA session); 0: automatic. First set wins:
  // this option, the environment variable VARSCOPE_CPU_THREADS, OMP_NUM_THREADS, then the
  // machine: the CPUs of the process's affinity mask (taskset), capped by the cgroup CPU
  // quota (a container's --cpus), rounded up. Results are bit-identical whatever the count.
  // A count below 0 or above 1024 (here or in VARSCOPE_CPU_THREADS) is refused with
  // vs::InvalidArgumentError. device_description() says the count and where it came from.
  int cpu_threads = 0;
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

  // The same from device memory of the session's device, copied device to device: returns
  // when the copy is done. The view must have the variable's dtype and shape, and its data
  // must be ready in stream() order (see Streams above). CUDA sessions only: a CPU session
  // throws vs::InvalidArgumentError. Nothing changes on error.
  void load_variable(const Variable& variable, const DeviceTensorView& value);

  // Where the variable lives: a device pointer on CUDA (of the variable's GPU, ready in its
  // stream's order, where the session has several), a host pointer on the CPU backend.
  // Every handle of one variable gives the same pointer. Before the variable is initialized
  // (by its initializer or load_variable) the memory holds no defined values, and writing it
  // through this pointer does not make the variable initialized: use load_variable.
  void* data_ptr(const Variable& variable);

  // Runs on device buffers and returns without waiting (see Streams above): feeds are read
  // from, and fetches[i] written into outputs[i], the caller's device memory, with no host
  // copy. Each output must have its fetch's dtype and shape. Host-side checks (handles,
  // dtypes, shapes, uninitialized variables) throw before the failing step is enqueued; work
  // enqueued by earlier steps of the same call still runs. Always plain launches (no CUDA
  // Graph replay). A CPU session refuses device views (vs::InvalidArgumentError); with none
  // (targets only) it runs synchronously.
  void run_async(const std::vector<Tensor>& fetches,
                 const std::vector<DeviceTensorView>& outputs,
                 const DeviceFeedDict& feeds = {},
                 const std::vector<Operation>& targets = {});
  // Waits until the session's stream has finished everything enqueued so far; a no-op on
  // the CPU backend.
  void synchronize();
  // The cudaStream_t the session enqueues on; nullptr on the CPU backend.
  void* stream() const;

  DeviceKind device() const;
  std::string device_description() const;
  // tf.Session.list_devices(): the devices' full names, CPUs first
  // ("/job:localhost/replica:0/task:0/device:CPU:0").
  std::vector<std::string> list_devices() const;
  // The device the op runs on (TF's placer; log_device_placement's answer): its full name;
  // vs::InvalidArgumentError with TF's text where a run of it would fail placement.
  std::string assigned_device(const Operation& op);

  // How many runs did their device work as one CUDA Graph launch (use_cuda_graph), the run
  // that captured a graph included; always 0 on the CPU backend.
  std::uint64_t cuda_graph_launches() const;

 private:
  // The state; vs::FailedPreconditionError for a moved-from Session.
  detail::SessionImpl& impl() const;

  std::unique_ptr<detail::SessionImpl> impl_;
};

}  // namespace varscope

#pragma GCC visibility pop
