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
// none). varscope's own gradient helpers (SumToShape, BroadcastToShape) are written as the
// TF ops they stand for, so a training graph imports and trains in TF.
std::string write_graph(const Graph& graph,
                        std::string_view logdir,
                        std::string_view name,
                        const WriteGraphOptions& options = {});

// The GraphDef's bytes (binary protobuf), as write_graph would write with as_text false.
std::string graph_def_bytes(const Graph& graph);

struct ExportMetaGraphOptions {
  bool as_text = false;  // TF's default: binary (".meta")
};

// tf.train.export_meta_graph(filename, as_text): TF's MetaGraphDef, written atomically: the
// graph as write_graph writes it and every variable collection ("variables",
// "trainable_variables", "global_step", ...) as TF's VariableDefs. It holds no SaverDef, so
// TF's import_meta_graph makes a Saver over the variables; its restore reads a checkpoint
// that vs::Saver wrote in TF's format (the names are TF's).
void export_meta_graph(const Graph& graph,
                       std::string_view filename,
                       const ExportMetaGraphOptions& options = {});

}  // namespace varscope

#pragma GCC visibility pop
