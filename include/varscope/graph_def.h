// TF's GraphDef out: a graph as TensorFlow 1.15 serializes it (tf.io.write_graph), so TF
// imports it (tf.import_graph_def) and TensorBoard draws it grouped by scope.
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <string>
#include <string_view>

#include "varscope/graph.h"

namespace varscope {

struct WriteGraphOptions {
  bool as_text = true;  // TF's default: the text format (.pbtxt); false: binary (.pb)
};

// tf.io.write_graph(graph, logdir, name, as_text): creates `logdir` (and its parents) when
// missing and writes `logdir/name` atomically; returns that path. Every node with its TF op
// type, inputs ("x:1", "^control"), and attributes (TF's defaults where varscope keeps
// none). A node of an op TF does not have (varscope's gradient helpers SumToShape and
// BroadcastToShape) is vs::UnimplementedError naming it, and nothing is written.
std::string write_graph(const Graph& graph,
                        std::string_view logdir,
                        std::string_view name,
                        const WriteGraphOptions& options = {});

// The GraphDef's bytes (binary protobuf), as write_graph would write with as_text false.
std::string graph_def_bytes(const Graph& graph);

}  // namespace varscope

#pragma GCC visibility pop
