// Runs on the caller's device buffers (Session::run_async): feeds are used in place (no step
// writes its inputs), fetches are copied device to device into the caller's buffers, and
// nothing waits for the stream. Temporaries are freed in stream order, so returning early is
// safe.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "host/core/byte_size.h"
#include "host/runtime/run_context.h"
#include "host/runtime/session_impl.h"
#include "varscope/errors.h"

namespace varscope::detail {

std::size_t view_bytes(const DeviceTensorView& view, const std::string& what) {
  if (!view.shape.is_fully_defined()) {
    throw InvalidArgumentError(what + ": a DeviceTensorView needs a fully defined shape, got " +
                               view.shape.to_string());
  }
  if (view.dtype == DType::kString) {
    throw InvalidArgumentError(what +
                               ": a DeviceTensorView cannot hold strings: varscope keeps "
                               "string tensors on the host (use HostTensor)");
  }
  const std::size_t bytes = byte_size(view.shape.num_elements(), view.dtype);
  if (view.data == nullptr && bytes != 0) {
    throw InvalidArgumentError(what + ": the DeviceTensorView of shape " + view.shape.to_string() +
                               " has a null data pointer");
  }
  return bytes;
}

void SessionImpl::require_device_views(const std::string& what) const {
  if (main_backend().kind() != DeviceKind::kCuda) {
    throw InvalidArgumentError(what +
                               ": a DeviceTensorView needs a CUDA session; this session runs "
                               "on the CPU backend (use HostTensor feeds and fetches there)");
  }
}

void SessionImpl::run_async(const std::vector<TensorRef>& fetches,
                            const std::vector<DeviceTensorView>& outputs,
                            const std::vector<std::pair<TensorRef, DeviceTensorView>>& feeds,
                            const std::vector<int>& targets) {
  std::lock_guard<std::mutex> lock(mu);
  if (fetches.size() != outputs.size()) {
    throw InvalidArgumentError("Session::run_async: " + std::to_string(fetches.size()) +
                               " fetches but " + std::to_string(outputs.size()) + " outputs");
  }
  if (!feeds.empty() || !outputs.empty()) require_device_views("Session::run_async");
  activate_all();
  // Everything the caller gave is checked before anything is enqueued.
  RunSignature signature{fetches, {}, targets};
  for (const auto& [ref, view] : feeds) {
    const Node& n = graph->node(ref.node);
    view_bytes(view, "Feed for " + n.name + ":" + std::to_string(ref.index));
    check_feed(ref, view.dtype, view.shape);
    signature.fed.push_back(ref);
  }
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const Node& n = graph->node(fetches[i].node);
    const std::string name = n.name + ":" + std::to_string(fetches[i].index);
    view_bytes(outputs[i], "Output for " + name);
    const OutputSpec& spec = n.outputs.at(static_cast<std::size_t>(fetches[i].index));
    if (outputs[i].dtype != spec.dtype || !outputs[i].shape.is_compatible_with(spec.shape)) {
      throw InvalidArgumentError(
          "Cannot fetch Tensor '" + name + "' of dtype " + std::string(dtype_name(spec.dtype)) +
          " and shape " + spec.shape.to_string() + " into a DeviceTensorView of dtype " +
          std::string(dtype_name(outputs[i].dtype)) + " and shape " + outputs[i].shape.to_string());
    }
  }
  const Plan& plan = plan_for(std::move(signature));
  RunContext ctx(main_backend());
  ctx.slot_devices = slot_devices(plan);
  std::vector<Value> slots(static_cast<std::size_t>(plan.num_slots));
  // The caller's buffers are the feeds' slots: no step writes its inputs, and they are
  // never freed here. They are the main backend's memory (stream() order): several GPUs copy
  // a feed of another device's tensor there.
  const FeedLoader device_feeds = [this, &feeds](std::size_t i, RunContext& feed_ctx) {
    const DeviceTensorView& view = feeds[i].second;
    const Value v{std::shared_ptr<void>(view.data, [](void*) {}), view.dtype, view.shape, -1};
    return copy_across(v, main_backend(), feed_ctx.backend(), feed_ctx);
  };
  run_steps(plan, device_feeds, slots, ctx);
  // A value's shape is known only now where the graph's is partial: check all, then copy.
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const Value& v = slots[static_cast<std::size_t>(plan.fetch_slots[i])];
    if (v.shape != outputs[i].shape) {
      throw InvalidArgumentError("Cannot fetch a value of shape " + v.shape.to_string() +
                                 " into a DeviceTensorView of shape " +
                                 outputs[i].shape.to_string());
    }
  }
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const auto slot = static_cast<std::size_t>(plan.fetch_slots[i]);
    const Value& v = slots[slot];
    const std::size_t bytes = byte_size(v.shape.num_elements(), v.dtype);
    if (bytes == 0) continue;
    // Several GPUs: a value of another device is copied on stream() after it is made.
    runtime::Backend& from =
        ctx.slot_devices != nullptr ? backend_of(ctx.slot_devices->at(slot)) : main_backend();
    if (&from == &main_backend()) {
      main_backend().copy(outputs[i].data, v.data.get(), bytes);
    } else {
      order_after(main_backend(), from);
      main_backend().copy_peer(outputs[i].data, v.data.get(), bytes);
      order_after(from, main_backend());
    }
  }
}

}  // namespace varscope::detail
