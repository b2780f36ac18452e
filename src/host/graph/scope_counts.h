// TF's per-graph variable-scope counts (_VariableScopeStore.variable_scopes_count), kept as
// a trie over '/'-separated names so that closing a scope's subscopes costs the size of
// that subtree, not of the whole table. Object re-entries restore the counts they saw on
// entry; a journal of changes makes that restore cost what changed, not a full copy.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace varscope::detail {

class ScopeCounts {
 public:
  // count[name] += 1
  void open(std::string_view name);
  // count[k] = 0 for every k that starts with name + "/"
  void close_subscopes(std::string_view name);
  int count(std::string_view name) const;

  // Journal: changes after mark() can be undone with undo_to(mark).
  std::size_t mark() const { return journal_.size(); }
  void undo_to(std::size_t mark);
  // Journaling is needed only while an object re-entry is open; turning it off drops
  // the journal.
  void set_journaling(bool on) {
    journaling_ = on;
    if (!on) journal_.clear();
  }

 private:
  // Lets children be found by string_view, without building a std::string per lookup.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Node;
  using Children = std::unordered_map<std::string, std::unique_ptr<Node>, Hash, std::equal_to<>>;
  struct Node {
    int count = 0;
    Children children;
  };
  struct Change {
    Node* node;
    bool was_increment;  // else: a close that moved the children out
    Children closed_children;
  };

  Node* find(std::string_view name) const;

  Node root_;
  std::vector<Change> journal_;
  bool journaling_ = false;
};

}  // namespace varscope::detail
