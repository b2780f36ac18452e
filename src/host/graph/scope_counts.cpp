#include "host/graph/scope_counts.h"

namespace varscope::detail {
namespace {

// Calls f(component) for each '/'-separated component, empty ones included, so that
// component paths compare exactly as TF's string prefixes do.
template <typename F>
void for_each_component(std::string_view name, F&& f) {
  std::size_t start = 0;
  while (true) {
    std::size_t slash = name.find('/', start);
    if (slash == std::string_view::npos) {
      f(name.substr(start));
      return;
    }
    f(name.substr(start, slash - start));
    start = slash + 1;
  }
}

}  // namespace

ScopeCounts::Node* ScopeCounts::find(std::string_view name) const {
  const Node* node = &root_;
  bool missing = false;
  for_each_component(name, [&](std::string_view part) {
    if (missing) return;
    auto it = node->children.find(part);
    if (it == node->children.end()) {
      missing = true;
    } else {
      node = it->second.get();
    }
  });
  return missing ? nullptr : const_cast<Node*>(node);
}

void ScopeCounts::open(std::string_view name) {
  Node* node = &root_;
  for_each_component(name, [&](std::string_view part) {
    auto it = node->children.find(part);
    if (it == node->children.end()) {
      it = node->children.emplace(std::string(part), std::make_unique<Node>()).first;
    }
    node = it->second.get();
  });
  ++node->count;
  if (journaling_) journal_.push_back(Change{node, true, {}});
}

void ScopeCounts::close_subscopes(std::string_view name) {
  Node* node = find(name);
  if (node == nullptr || node->children.empty()) return;
  if (journaling_) {
    journal_.push_back(Change{node, false, std::move(node->children)});
  }
  node->children.clear();
}

int ScopeCounts::count(std::string_view name) const {
  const Node* node = find(name);
  return node ? node->count : 0;
}

void ScopeCounts::undo_to(std::size_t mark) {
  while (journal_.size() > mark) {
    Change& c = journal_.back();
    if (c.was_increment) {
      --c.node->count;
    } else {
      // Whatever was opened under the node since the close has been undone to count 0,
      // so dropping it for the closed children loses nothing.
      c.node->children = std::move(c.closed_children);
    }
    journal_.pop_back();
  }
}

}  // namespace varscope::detail
