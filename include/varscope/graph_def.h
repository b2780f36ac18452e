// TF's GraphDef out and in: a graph as TensorFlow 1.15 serializes it (tf.io.write_graph), so
// TF imports it (tf.import_graph_def) and TensorBoard draws it grouped by scope; and a
// GraphDef or MetaGraphDef that TF wrote, into a varscope graph (tf.import_graph_def,
// tf.train.import_meta_graph).
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

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

class Saver;

struct ExportMetaGraphOptions {
  bool as_text = false;  // TF's default: binary (".meta")
  // The Saver whose graph and SaverDef the file carries (TF's saver.export_meta_graph);
  // nullptr: none (tf.train.export_meta_graph without a saver_def).
  const Saver* saver = nullptr;
};

// tf.train.export_meta_graph(filename, as_text): TF's MetaGraphDef, written atomically: the
// graph as write_graph writes it, every variable collection ("variables",
// "trainable_variables", "global_step", ...) as TF's VariableDefs, and every collection of
// ops and tensors ("train_op", "losses", "update_ops", "summaries", ...) as TF's node lists
// ("Adam", "loss:0"). With a `saver`, also the
// nodes TF 1.15's tf.train.Saver builds for its variables (the "save/" scope, uniquified:
// save/Const, save/SaveV2, save/control_dependency, save/RestoreV2, save/Assign_<n>,
// save/restore_all; these string-typed nodes exist only in the file) and its SaverDef
// (format V2, max_to_keep, keep_checkpoint_every_n_hours), so TF's import_meta_graph
// returns that Saver and its restore reads the checkpoints vs::Saver writes; without one,
// TF's import_meta_graph makes a Saver over the variables, which reads them too.
// Errors (nothing written): vs::ValueError "No variables to save" for a Saver without
// variables, and "Variable <v> is not an element of this graph." for one of another graph.
void export_meta_graph(const Graph& graph,
                       std::string_view filename,
                       const ExportMetaGraphOptions& options = {});

struct ImportGraphDefOptions {
  // The name scope of the imported nodes: std::nullopt is TF's default "import" (uniquified:
  // "import_1" when "import" is taken), inside the current name scope; "" imports at the
  // root under the GraphDef's own names (a taken name gets "_1", as TF's importer does).
  std::optional<std::string> name{};
  // GraphDef tensors ("x:0", or "x" for "x:0") replaced by this graph's tensors: their
  // consumers read the given tensor.
  std::map<std::string, Tensor> input_map{};
  // GraphDef names to return: "x:0" a tensor, "x" an operation.
  std::vector<std::string> return_elements{};
};

// A returned element: a Tensor for "x:0", an Operation for "x".
using ImportedElement = std::variant<Tensor, Operation>;

// tf.import_graph_def(graph_def, input_map, return_elements, name): the GraphDef in
// `graph_def` (binary protobuf, or the text format) is added to `graph`. Nodes may come in
// any order (they are built in dependency order); every node goes through its op's shape
// function; attributes TF leaves out get TF's defaults; device strings merge with the current
// tf.device scope; each VariableV2 becomes a variable of the graph in no collection (give it
// one with import_meta_graph). Returns return_elements' elements in order.
// Errors (TF's texts; nothing of the GraphDef is added on any of them, names included):
// vs::NotFoundError "Op type not registered 'Foo' in binary running varscope. ..." (the text
// lists the op types varscope imports); vs::ValueError for an invalid or repeated node name,
// an unknown input node, an output index a node does not have, control inputs before data
// inputs, a cycle ("<n> nodes in a cycle"), a missing, unknown or mistyped attribute, an input
// of another dtype than the node's type attribute, a shape function's refusal, input_map keys
// or return_elements the GraphDef does not have; vs::InvalidArgumentError for bytes that are
// no GraphDef and for a Const value that does not parse (wrong size, a dtype varscope lacks,
// over 2GB); vs::UnimplementedError for an attribute varscope supports only at TF's default
// (data_format, container, shared_name, Truncate).
std::vector<ImportedElement> import_graph_def(Graph& graph,
                                              std::string_view graph_def,
                                              const ImportGraphDefOptions& options = {});
// The same, reading the GraphDef from the file at `path` (.pb or .pbtxt).
std::vector<ImportedElement> import_graph_def_file(Graph& graph,
                                                   std::string_view path,
                                                   const ImportGraphDefOptions& options = {});

namespace train {

// tf.compat.v1.train.import_meta_graph(path): the MetaGraphDef's graph (binary, or the text
// format) imported at the root under its own names (import_graph_def with name ""), and its
// variable collections ("variables", "trainable_variables", "local_variables",
// "global_step", "model_variables": TF's VariableDefs) rebuilt, so the variables are the
// graph's own: get_collection, global_variables_initializer, vs::Saver (which restores TF's
// checkpoint) and get_global_step find them. A training graph TF built imports with its
// gradients/ nodes and optimizer updates (BiasAddGrad, BroadcastGradientArgs,
// PreventGradient, ApplyAdam, ...), so its train op runs. The SaverDef's nodes (its "save/"
// scope: string ops varscope does not have) are not imported; a vs::Saver over the graph
// stands in for them. The node lists ("train_op", "losses", summaries, ...) are rebuilt by
// name, but for entries in the Saver's scope; other kinds of collection are not imported.
// Errors: import_graph_def's, vs::ValueError for a VariableDef naming a node the graph
// does not have or one that is not a VariableV2 of the right kind, and TF's
// vs::NotFoundError ("The name '<n>' refers to an Operation not in the graph.") for a node
// list naming a node or output it does not have; the graph is then unchanged.
void import_meta_graph(Graph& graph, std::string_view path);

}  // namespace train

}  // namespace varscope

#pragma GCC visibility pop
