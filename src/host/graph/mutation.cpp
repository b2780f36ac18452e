// A failed call leaves the graph exactly as it was (GraphImpl::mutate): the mark taken
// before a call, and the undo of what it did.
#include "host/graph/graph_impl.h"

namespace varscope::detail {

GraphImpl::Mark GraphImpl::begin_mutation() {
  writer_.store(std::this_thread::get_id(), std::memory_order_relaxed);
  journaling_ = true;
  // Scopes opened (and closed) inside the call count in the scope counts: journal them.
  scope_counts.set_journaling(true);
  return Mark{nodes.size(), variables.size(), frames.size(), scope_counts.mark()};
}

void GraphImpl::end_mutation() noexcept {
  journaling_ = false;
  journal_.names.clear();
  journal_.store.clear();
  journal_.collections.clear();
  journal_.elements.clear();
  journal_.affine.clear();
  journal_.undo.clear();
  // Kept only while an object re-entry, which restores the counts on exit, is open.
  if (open_object_frames == 0) scope_counts.set_journaling(false);
  writer_.store(std::thread::id(), std::memory_order_relaxed);
}

void GraphImpl::roll_back(const Mark& mark) noexcept {
  // Newest first, so that each undo sees the state its change saw.
  for (auto it = journal_.affine.rbegin(); it != journal_.affine.rend(); ++it)
    affine_randoms.erase(*it);
  for (auto it = journal_.collections.rbegin(); it != journal_.collections.rend(); ++it) {
    it->second.ids->resize(it->second.size_before);
    if (it->second.created) collections.erase(collections.find(*it->first));
  }
  for (auto it = journal_.elements.rbegin(); it != journal_.elements.rend(); ++it) {
    auto found = element_collections.find(it->first);
    if (it->second == std::string::npos) {
      element_collections.erase(found);
    } else {
      found->second.resize(it->second);
    }
  }
  for (auto it = journal_.store.rbegin(); it != journal_.store.rend(); ++it)
    store.erase(*it);
  variables.erase(variables.begin() + static_cast<std::ptrdiff_t>(mark.variables), variables.end());
  while (nodes.size() > mark.nodes) {
    nodes_by_name.erase(nodes.back().name);
    nodes.pop_back();
  }
  for (auto it = journal_.names.rbegin(); it != journal_.names.rend(); ++it) {
    if (it->second < 0) {
      names_in_use.erase(it->first);
    } else if (int* count = names_in_use.find(it->first)) {
      *count = it->second;
    }
  }
  // The scope counts: scopes the call opened, and subscopes its exits closed.
  scope_counts.undo_to(mark.counts);
  // A scope entered by the failed call (only a failure after its commit leaves one).
  while (frames.size() > mark.frames) {
    Frame& f = frames.back();
    name_stack = std::move(f.saved_name_stack);
    if (f.saved_scope) current_scope = std::move(f.saved_scope);
    if (f.by_object) --open_object_frames;  // end_mutation stops the journal at 0
    if (f.saved_device) device = std::move(*f.saved_device);
    if (f.saved_controls) set_control_scopes(std::move(*f.saved_controls));
    frames.pop_back();
  }
  // State outside the graph last: its hooks see the graph as it was before the call.
  for (auto it = journal_.undo.rbegin(); it != journal_.undo.rend(); ++it)
    (*it)();
  end_mutation();
}

}  // namespace varscope::detail
