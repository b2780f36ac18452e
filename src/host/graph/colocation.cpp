// TF 1.15's ops.colocate_with as Graph._create_op_helper applies it: a new op takes the sorted
// union of the colocation groups of the ops it is colocated with as its `_class` attribute,
// and their device unless a tf.device scope opened inside colocate_with gave it another one
// (TF keeps that one and logs a warning).
#include <algorithm>

#include "host/graph/graph_impl.h"
#include "host/graph/op_defs.h"

namespace varscope::detail {

namespace {
constexpr std::string_view kClass = "_class";
constexpr std::string_view kLoc = "loc:@";
}  // namespace

std::vector<std::string> GraphImpl::colocation_groups(int id) const {
  const Node& n = node(id);
  std::vector<std::string> groups;
  if (const AttrValue* klass = n.find_attr(kClass)) {
    if (const auto* list = std::get_if<std::vector<std::string>>(klass)) {
      for (const std::string& s : *list)
        if (s.starts_with(kLoc)) groups.push_back(s);
    }
  }
  if (groups.empty()) groups.push_back(std::string(kLoc) + n.name);
  return groups;
}

void GraphImpl::apply_colocation(Node& n) const {
  // op_def_library builds an op inside colocate_with(each ref input).
  const int refs = std::min<int>(ref_inputs(n.op), static_cast<int>(n.inputs.size()));
  if (colocation.empty() && refs == 0) return;
  std::vector<int> stack = colocation;
  if (refs > 0) {
    n.device.clear();  // colocate_with resets the tf.device scopes
    for (int i = 0; i < refs; ++i)
      stack.push_back(n.inputs[static_cast<std::size_t>(i)].node);
  }
  std::vector<std::string> groups;
  for (int with : stack) {
    for (std::string& g : colocation_groups(with))
      groups.push_back(std::move(g));
    const std::string& device = node(with).device;
    if (!device.empty() && (n.device.empty() || n.device == device)) n.device = device;
  }
  std::sort(groups.begin(), groups.end());
  groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
  std::erase_if(n.attrs, [](const auto& a) { return a.first == kClass; });
  n.attrs.emplace_back(std::string(kClass), std::move(groups));
}

}  // namespace varscope::detail
