// control_flow_ops.group (TF 1.15): a NoOp after its inputs on their common device; inputs on
// several devices get one NoOp per device first (sorted by device, "" first), then the root.
#include <algorithm>
#include <map>

#include "host/graph/builders.h"
#include "host/graph/device_functions.h"
#include "host/graph/scope_guards.h"

namespace varscope::detail {

namespace {

// _GroupControlDeps: `with ops.device(dev)` merges the inputs' device into the scope's.
int group_on_device(GraphImpl& g,
                    const std::string& device,
                    std::string_view name,
                    std::vector<int> deps) {
  std::string merged = device.empty() ? g.device : merge_device(g.device, device);
  std::swap(g.device, merged);
  struct Restore {
    GraphImpl& g;
    std::string& saved;
    ~Restore() { std::swap(g.device, saved); }
  } restore{g, merged};
  return add_op(g, OpType::kNoOp, name, {}, {}, std::move(deps));
}

}  // namespace

int build_group(GraphImpl& g, const std::string& scope, std::vector<int> deps) {
  std::map<std::string, std::vector<int>> by_device;  // std::map: TF's sorted(devices)
  for (int d : deps)
    by_device[g.node(d).device].push_back(d);
  if (by_device.size() <= 1) {
    const std::string device = by_device.empty() ? std::string() : by_device.begin()->first;
    return group_on_device(g, device, scope, std::move(deps));
  }
  std::vector<int> per_device;
  {
    StackGuard in_group(g, scope.substr(0, scope.size() - 1));
    for (auto& [device, ops] : by_device)
      per_device.push_back(group_on_device(g, device, "NoOp", std::move(ops)));
  }
  return add_op(g, OpType::kNoOp, scope, {}, {}, std::move(per_device));
}

}  // namespace varscope::detail
