#include "host/graph/device_functions.h"

#include <utility>

#include "host/graph/device_spec.h"
#include "host/graph/graph_impl.h"
#include "varscope/errors.h"

namespace varscope::detail {
namespace {

// The marker: "\x01<frame>\x01", then the string scopes' spec ('\x01' is in no device spec).
constexpr char kMark = '\x01';

std::uint64_t frame_of(std::string_view device) {
  return std::stoull(std::string(device.substr(1, device.find(kMark, 1) - 1)));
}

std::string marked(std::uint64_t frame, std::string_view spec) {
  std::string out(1, kMark);  // appended piece by piece: GCC 12's -Wrestrict misfires on `+`
  out.append(std::to_string(frame));
  out.push_back(kMark);
  out.append(spec);
  return out;
}

}  // namespace

std::string open_device_function(GraphImpl& g,
                                 DeviceFunction fn,
                                 std::string outer,
                                 std::uint64_t frame) {
  std::string inside = marked(frame, "");
  g.device_function_layers.insert_or_assign(
      frame, GraphImpl::DeviceFunctionLayer{std::move(fn), std::move(outer)});
  return inside;
}

void close_device_function(GraphImpl& g, std::uint64_t frame) noexcept {
  g.device_function_layers.erase(frame);
}

bool has_device_function(std::string_view device) {
  return !device.empty() && device.front() == kMark;
}

std::string_view device_spec_part(std::string_view device) {
  return has_device_function(device) ? device.substr(device.find(kMark, 1) + 1) : device;
}

std::string merge_device(std::string_view device, std::string_view spec) {
  const std::string merged =
      DeviceSpec::parse(device_spec_part(device)).merged_with(DeviceSpec::parse(spec)).to_string();
  return has_device_function(device) ? marked(frame_of(device), merged) : merged;
}

std::string apply_device_functions(GraphImpl& g, int node, Node& built, const std::string& device) {
  std::string current(device_spec_part(device));
  std::string scope = device;
  while (has_device_function(scope)) {
    const auto it = g.device_function_layers.find(frame_of(scope));
    if (it == g.device_function_layers.end()) {
      throw InternalError("a device function scope that has ended");
    }
    const GraphImpl::DeviceFunctionLayer layer = it->second;  // a copy: the function may build
    built.device = current;                                   // op.device() for the function
    current = layer.fn(Access::operation(g.shared_from_this(), node));
    scope = layer.outer;
    const std::string_view around = device_spec_part(scope);
    if (!around.empty()) {  // TF skips an empty spec's merge: the string stays as written
      current = DeviceSpec::parse(around).merged_with(DeviceSpec::parse(current)).to_string();
    }
  }
  return current;
}

}  // namespace varscope::detail
