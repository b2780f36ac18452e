// Graphviz DOT of a graph, with options: Graph::to_dot() draws every op; these make big
// models readable.
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <string>

#include "varscope/graph.h"

namespace varscope {

struct DotOptions {
  // One node "<variable>/Initializer" per variable in place of its initializer's ops
  // ("<variable>/Initializer/...", "<variable>/initial_value") and its Assign.
  bool collapse_initializers = false;
  // Variables read in more than one name scope (shared through variable scopes, e.g. two
  // towers with one set of weights) drawn bold red, the ops that read them outlined red.
  bool mark_shared_variables = false;
};

// With default options, the same text as graph.to_dot().
std::string to_dot(const Graph& graph, const DotOptions& options);

}  // namespace varscope

#pragma GCC visibility pop
