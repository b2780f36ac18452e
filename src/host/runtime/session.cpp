// Session: device choice, handle checks, and the public run() forms.
#include "varscope/session.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "host/runtime/cpu/thread_count.h"
#include "host/runtime/session_impl.h"
#include "varscope/device.h"
#include "varscope/errors.h"

namespace varscope {
namespace detail {
namespace {

DeviceKind choose_device(const SessionOptions& options) {
  if (options.device != DeviceKind::kAuto) return options.device;
  if (const char* env = std::getenv("VARSCOPE_DEVICE"); env != nullptr && *env != '\0') {
    const std::string value(env);
    if (value == "cpu") return DeviceKind::kCpu;
    if (value == "cuda") return DeviceKind::kCuda;
    throw InvalidArgumentError("VARSCOPE_DEVICE must be 'cpu' or 'cuda', got '" + value + "'");
  }
  return cuda_available() ? DeviceKind::kCuda : DeviceKind::kCpu;
}

std::vector<std::unique_ptr<runtime::Backend>> make_backends(const SessionOptions& options) {
  // A bad count is refused on either device (only the option: nothing else is read here).
  runtime::cpu::choose_cpu_threads({.option = options.cpu_threads});
  std::vector<std::unique_ptr<runtime::Backend>> backends;
  if (choose_device(options) == DeviceKind::kCuda) {
    // GPU:i is CUDA device cuda_device + i. As TF, a count above the devices present gives
    // the devices present (an op asking for a missing one fails placement).
    const int asked = DevicePlacer::gpu_count(DeviceKind::kCuda, options.device_count);
    const int gpus = std::max(1, std::min(asked, cuda_device_count() - options.cuda_device));
    // The first checks cuda_device (vs::UnavailableError); the caller's stream is GPU:0's.
    backends.push_back(
        runtime::make_cuda_backend(options.cuda_device, options.stream, options.allow_tf32));
    for (int i = 1; i < gpus; ++i) {
      backends.push_back(
          runtime::make_cuda_backend(options.cuda_device + i, nullptr, options.allow_tf32));
    }
    return backends;
  }
  // Work the caller meant to order on its stream would silently run elsewhere.
  if (options.stream != nullptr) {
    throw InvalidArgumentError(
        "SessionOptions.stream is set, but this session runs on the CPU backend, which has no "
        "stream; leave it null or ask for DeviceKind::kCuda");
  }
  backends.push_back(runtime::make_cpu_backend(options.cpu_threads));
  return backends;
}

std::vector<std::unique_ptr<runtime::Backend>> one(std::unique_ptr<runtime::Backend> backend) {
  std::vector<std::unique_ptr<runtime::Backend>> backends;
  backends.push_back(std::move(backend));
  return backends;
}

// The backends' kind, checked to be one; several only for CUDA (vs::InternalError).
DeviceKind kind_of(const std::vector<std::unique_ptr<runtime::Backend>>& backends) {
  if (backends.empty()) throw InternalError("A session needs a backend");
  const DeviceKind kind = backends.front()->kind();
  for (const auto& b : backends) {
    if (b->kind() != kind) throw InternalError("A session's backends must be of one kind");
  }
  if (kind != DeviceKind::kCuda && backends.size() > 1) {
    throw InternalError("Only a CUDA session has one backend per device");
  }
  return kind;
}

}  // namespace

SessionImpl::SessionImpl(std::shared_ptr<GraphImpl> g, const SessionOptions& options)
    : SessionImpl(std::move(g),
                  make_backends(options),
                  options.use_cuda_graph,
                  options.device_count,
                  options.allow_soft_placement) {}

SessionImpl::SessionImpl(std::shared_ptr<GraphImpl> g,
                         std::unique_ptr<runtime::Backend> b,
                         bool use_cuda_graph,
                         const std::map<std::string, int>& device_count,
                         bool allow_soft_placement)
    : SessionImpl(
          std::move(g), one(std::move(b)), use_cuda_graph, device_count, allow_soft_placement) {}

SessionImpl::SessionImpl(std::shared_ptr<GraphImpl> g,
                         std::vector<std::unique_ptr<runtime::Backend>> b,
                         bool use_cuda_graph,
                         const std::map<std::string, int>& device_count,
                         bool allow_soft_placement)
    : graph(std::move(g)),
      backends(std::move(b)),
      placer(kind_of(backends),
             device_count,
             allow_soft_placement,
             static_cast<int>(backends.size())) {
  // The CPU backend declines: the option is a no-op there. Several GPUs: plain launches (a
  // capture records one stream; the copies between them would need a multi-stream capture).
  use_graphs_ = use_cuda_graph && !several_backends() && main_backend().enable_graphs();
  for (const auto& to : backends) {  // direct copies between the GPUs where they can
    for (const auto& from : backends) {
      if (to != from) to->allow_peer(*from);
    }
  }
}

}  // namespace detail

using detail::Access;
using detail::TensorRef;

namespace {

TensorRef checked_ref(const detail::SessionImpl& s, const Tensor& t) {
  if (Access::lock(t) != s.graph) {
    throw InvalidArgumentError("Tensor " + t.name() +
                               " is not an element of this session's graph.");
  }
  return Access::ref(t);
}

int checked_variable(const detail::SessionImpl& s, const Variable& v) {
  if (Access::lock(v) != s.graph) {
    throw InvalidArgumentError("Variable " + v.name() +
                               " is not an element of this session's graph.");
  }
  return v.id();
}

std::vector<int> checked_targets(const detail::SessionImpl& s,
                                 const std::vector<Operation>& targets) {
  std::vector<int> ids;
  for (const Operation& op : targets) {
    if (Access::lock(op) != s.graph) {
      throw InvalidArgumentError("Operation " + op.name() +
                                 " is not an element of this session's graph.");
    }
    ids.push_back(op.id());
  }
  return ids;
}

}  // namespace

Session::Session(const Graph& graph, SessionOptions options)
    : impl_(std::make_unique<detail::SessionImpl>(Access::impl(graph), options)) {}
Session::~Session() = default;

detail::SessionImpl& Session::impl() const {
  if (!impl_) throw FailedPreconditionError("This Session was moved from and holds no session");
  return *impl_;
}
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

std::vector<HostTensor> Session::run(const std::vector<Tensor>& fetches,
                                     const FeedDict& feeds,
                                     const std::vector<Operation>& targets) {
  std::vector<TensorRef> fetch_refs;
  for (const Tensor& t : fetches)
    fetch_refs.push_back(checked_ref(impl(), t));
  std::vector<std::pair<TensorRef, HostTensor>> feed_refs;
  for (const auto& [t, value] : feeds)
    feed_refs.emplace_back(checked_ref(impl(), t), value);
  const std::vector<int> target_ids = checked_targets(impl(), targets);
  return impl().run(fetch_refs, feed_refs, target_ids);
}

void Session::run(const Operation& target, const FeedDict& feeds) {
  run({}, feeds, {target});
}

HostTensor Session::run(const Tensor& fetch, const FeedDict& feeds) {
  return std::move(run(std::vector<Tensor>{fetch}, feeds).front());
}

HostTensor Session::run(const Variable& variable) {
  checked_variable(impl(), variable);
  return run(variable.op().output(0));
}

std::vector<std::string> Session::report_uninitialized_variables(
    const std::optional<std::vector<Variable>>& variables) {
  std::vector<Variable> list;
  if (variables) {
    list = *variables;
  } else {
    Graph g = Access::graph(impl().graph);
    list = g.global_variables();
    for (const Variable& v : g.local_variables())
      list.push_back(v);
  }
  std::vector<std::string> names;
  for (const Variable& v : list) {
    if (!is_initialized(v)) names.push_back(v.op_name());
  }
  return names;
}

bool Session::is_initialized(const Variable& variable) {
  const int id = checked_variable(impl(), variable);
  std::lock_guard<std::mutex> lock(impl().mu);
  return static_cast<std::size_t>(id) < impl().variables.size() &&
         impl().variables[static_cast<std::size_t>(id)].initialized;
}

namespace {

// The variable's id; vs::InvalidArgumentError unless a value of `dtype` and `shape` fits it.
int checked_load(const detail::SessionImpl& s,
                 const Variable& variable,
                 DType dtype,
                 const Shape& shape) {
  const int id = checked_variable(s, variable);
  const detail::VariableRecord& rec = s.graph->variables.at(static_cast<std::size_t>(id));
  if (dtype != rec.dtype || shape != rec.shape) {
    throw InvalidArgumentError(
        "Cannot load a value of dtype " + std::string(dtype_name(dtype)) + " and shape " +
        shape.to_string() + " into variable " + variable.op_name() + " of dtype " +
        std::string(dtype_name(rec.dtype)) + " and shape " + rec.shape.to_string());
  }
  return id;
}

}  // namespace

void Session::load_variable(const Variable& variable, const HostTensor& value) {
  const int id = checked_load(impl(), variable, value.dtype(), value.shape());
  std::lock_guard<std::mutex> lock(impl().mu);
  const auto reading = impl().graph->lock_for_reading();  // the placer reads the graph
  impl().activate_all();
  runtime::Backend& on = impl().variable_backend(id);
  detail::VariableStorage& s = impl().storage(id);
  on.copy_from_host(s.data.get(), value.raw_data(), value.nbytes());
  s.initialized = true;
}

void Session::load_variable(const Variable& variable, const DeviceTensorView& value) {
  const int id = checked_load(impl(), variable, value.dtype, value.shape);
  const std::size_t bytes = detail::view_bytes(value, "Session::load_variable");
  std::lock_guard<std::mutex> lock(impl().mu);
  impl().require_device_views("Session::load_variable");
  const auto reading = impl().graph->lock_for_reading();
  impl().activate_all();
  runtime::Backend& on = impl().variable_backend(id);
  detail::VariableStorage& s = impl().storage(id);
  // The view is stream() memory (the main backend's); a variable of another GPU copies it
  // after the work enqueued there so far.
  runtime::Backend& main = impl().main_backend();
  if (&on != &main) detail::SessionImpl::order_after(on, main);
  if (bytes != 0) {
    if (&on == &main) {
      on.copy(s.data.get(), value.data, bytes);
    } else {
      on.copy_peer(s.data.get(), value.data, bytes);
    }
  }
  on.synchronize();
  s.initialized = true;
}

void* Session::data_ptr(const Variable& variable) {
  const int id = checked_variable(impl(), variable);
  std::lock_guard<std::mutex> lock(impl().mu);
  const auto reading = impl().graph->lock_for_reading();
  impl().activate_all();
  runtime::Backend& on = impl().variable_backend(id);
  const bool allocated = static_cast<std::size_t>(id) < impl().variables.size() &&
                         impl().variables[static_cast<std::size_t>(id)].data;
  void* data = impl().storage(id).data.get();
  // A new allocation is stream-ordered: usable from another stream only once it is done.
  if (!allocated) on.synchronize();
  return data;
}

void Session::run_async(const std::vector<Tensor>& fetches,
                        const std::vector<DeviceTensorView>& outputs,
                        const DeviceFeedDict& feeds,
                        const std::vector<Operation>& targets) {
  std::vector<TensorRef> fetch_refs;
  for (const Tensor& t : fetches)
    fetch_refs.push_back(checked_ref(impl(), t));
  std::vector<std::pair<TensorRef, DeviceTensorView>> feed_refs;
  for (const auto& [t, view] : feeds)
    feed_refs.emplace_back(checked_ref(impl(), t), view);
  const std::vector<int> target_ids = checked_targets(impl(), targets);
  impl().run_async(fetch_refs, outputs, feed_refs, target_ids);
}

void Session::synchronize() {
  std::lock_guard<std::mutex> lock(impl().mu);
  impl().activate_all();
  impl().synchronize_all();
}

void* Session::stream() const {
  return impl().main_backend().native_stream();
}

DeviceKind Session::device() const {
  return impl().main_backend().kind();
}
std::string Session::device_description() const {
  std::string text;
  for (const auto& b : impl().backends)
    text += (text.empty() ? "" : "; ") + b->description();
  return text;
}

std::vector<std::string> Session::list_devices() const {
  return impl().placer.names();
}

std::string Session::assigned_device(const Operation& op) {
  const int id = checked_targets(impl(), {op}).front();
  detail::SessionImpl& s = impl();
  const auto reading = s.graph->lock_for_reading();
  return s.placer.names().at(static_cast<std::size_t>(s.placer.place(*s.graph, id)));
}

std::uint64_t Session::cuda_graph_launches() const {
  std::lock_guard<std::mutex> lock(impl().mu);
  return impl().graph_launches;
}

}  // namespace varscope
