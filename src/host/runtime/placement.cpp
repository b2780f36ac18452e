// TF 1.15's placer, for one process: which device of the session each op runs on.
#include "host/runtime/placement.h"

#include <algorithm>

#include "host/graph/device_spec.h"
#include "varscope/errors.h"

namespace varscope::detail {

namespace {

constexpr int kMaxDevices = 64;
constexpr std::string_view kLoc = "loc:@";

int count_of(const std::map<std::string, int>& counts, const std::string& type, int absent) {
  auto it = counts.find(type);
  if (it == counts.end()) return absent;
  if (it->second < 0 || it->second > kMaxDevices) {
    throw InvalidArgumentError("SessionOptions.device_count[\"" + type +
                               "\"] must be between 0 and " + std::to_string(kMaxDevices) +
                               ", got " + std::to_string(it->second));
  }
  return it->second;
}

// The device asked for by the op, or by the op its `_class` colocates it with (TF's placer
// puts a colocation group on one device: an initializer follows its variable).
const std::string* requested_device(const GraphImpl& g, const Node& n, const Node** asked_by) {
  *asked_by = &n;
  if (!n.device.empty()) return &n.device;
  const AttrValue* klass = n.find_attr("_class");
  const auto* groups = klass ? std::get_if<std::vector<std::string>>(klass) : nullptr;
  if (groups != nullptr) {
    for (const std::string& group : *groups) {
      if (!group.starts_with(kLoc)) continue;
      const int* with = g.find_node(std::string_view(group).substr(kLoc.size()));
      if (with == nullptr || g.node(*with).device.empty()) continue;
      *asked_by = &g.node(*with);
      return &(*asked_by)->device;
    }
  }
  return nullptr;
}

}  // namespace

int DevicePlacer::gpu_count(DeviceKind kind, const std::map<std::string, int>& device_count) {
  return kind == DeviceKind::kCuda ? count_of(device_count, "GPU", 1) : 0;
}

DevicePlacer::DevicePlacer(DeviceKind kind,
                           const std::map<std::string, int>& device_count,
                           bool soft,
                           int gpus_available)
    : soft_(soft) {
  // TF always has one CPU device, whatever the count asks.
  const int cpus = std::max(1, count_of(device_count, "CPU", 1));
  const int gpus = std::min(gpu_count(kind, device_count), std::max(0, gpus_available));
  gpus_ = gpus;
  for (int i = 0; i < cpus; ++i)
    devices_.push_back({"CPU", i});
  for (int i = 0; i < gpus; ++i)
    devices_.push_back({"GPU", i});
  if (gpus > 0) default_device_ = cpus;
  for (const Device& d : devices_)
    names_.push_back("/job:localhost/replica:0/task:0/device:" + d.type + ":" +
                     std::to_string(d.index));
}

const DevicePlacer& DevicePlacer::one_cpu() {
  static const DevicePlacer placer(DeviceKind::kCpu, {}, false);
  return placer;
}

int DevicePlacer::place(const GraphImpl& g, int node) const {
  const Node* asked_by = nullptr;
  const std::string* requested = requested_device(g, g.node(node), &asked_by);
  if (requested == nullptr) return default_device_;
  const DeviceSpec spec = DeviceSpec::parse(*requested);
  const bool local = (!spec.job || *spec.job == "localhost") && spec.replica.value_or(0) == 0 &&
                     spec.task.value_or(0) == 0;
  if (local) {
    for (std::size_t i = 0; i < devices_.size(); ++i) {
      const Device& d = devices_[i];
      if ((!spec.type || *spec.type == d.type) && (!spec.index || *spec.index == d.index)) {
        return static_cast<int>(i);
      }
    }
    if (soft_) return default_device_;
  }
  std::string available;
  for (const std::string& name : names_)
    available += (available.empty() ? "" : ", ") + name;
  const std::string& op = asked_by->name;
  throw InvalidArgumentError("Cannot assign a device for operation " + op + ": node " + op +
                             " was explicitly assigned to " + *requested +
                             " but available devices are [ " + available +
                             " ]. Make sure the device specification refers to a valid "
                             "device.\n\t [[" +
                             op + "]]");
}

}  // namespace varscope::detail
