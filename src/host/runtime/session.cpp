// Session: device choice, handle checks, and the public run() forms.
#include "varscope/session.h"

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

std::unique_ptr<runtime::Backend> make_backend(const SessionOptions& options) {
  // A bad count is refused on either device (only the option: nothing else is read here).
  runtime::cpu::choose_cpu_threads({.option = options.cpu_threads});
  if (choose_device(options) == DeviceKind::kCuda) {
    return runtime::make_cuda_backend(options.cuda_device, options.stream, options.allow_tf32);
  }
  // Work the caller meant to order on its stream would silently run elsewhere.
  if (options.stream != nullptr) {
    throw InvalidArgumentError(
        "SessionOptions.stream is set, but this session runs on the CPU backend, which has no "
        "stream; leave it null or ask for DeviceKind::kCuda");
  }
  return runtime::make_cpu_backend(options.cpu_threads);
}

}  // namespace

SessionImpl::SessionImpl(std::shared_ptr<GraphImpl> g, const SessionOptions& options)
    : SessionImpl(std::move(g),
                  make_backend(options),
                  options.use_cuda_graph,
                  options.device_count,
                  options.allow_soft_placement) {}

SessionImpl::SessionImpl(std::shared_ptr<GraphImpl> g,
                         std::unique_ptr<runtime::Backend> b,
                         bool use_cuda_graph,
                         const std::map<std::string, int>& device_count,
                         bool allow_soft_placement)
    : graph(std::move(g)),
      backend(std::move(b)),
      placer(backend->kind(), device_count, allow_soft_placement) {
  // The CPU backend declines: the option is a no-op there.
  use_graphs_ = use_cuda_graph && backend->enable_graphs();
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
  impl().backend->activate();
  detail::VariableStorage& s = impl().storage(id);
  impl().backend->copy_from_host(s.data.get(), value.raw_data(), value.nbytes());
  s.initialized = true;
}

void Session::load_variable(const Variable& variable, const DeviceTensorView& value) {
  const int id = checked_load(impl(), variable, value.dtype, value.shape);
  const std::size_t bytes = detail::view_bytes(value, "Session::load_variable");
  std::lock_guard<std::mutex> lock(impl().mu);
  impl().require_device_views("Session::load_variable");
  impl().backend->activate();
  detail::VariableStorage& s = impl().storage(id);
  if (bytes != 0) impl().backend->copy(s.data.get(), value.data, bytes);
  impl().backend->synchronize();
  s.initialized = true;
}

void* Session::data_ptr(const Variable& variable) {
  const int id = checked_variable(impl(), variable);
  std::lock_guard<std::mutex> lock(impl().mu);
  impl().backend->activate();
  const bool allocated = static_cast<std::size_t>(id) < impl().variables.size() &&
                         impl().variables[static_cast<std::size_t>(id)].data;
  void* data = impl().storage(id).data.get();
  // A new allocation is stream-ordered: usable from another stream only once it is done.
  if (!allocated) impl().backend->synchronize();
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
  impl().backend->activate();
  impl().backend->synchronize();
}

void* Session::stream() const {
  return impl().backend->native_stream();
}

DeviceKind Session::device() const {
  return impl().backend->kind();
}
std::string Session::device_description() const {
  return impl().backend->description();
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
