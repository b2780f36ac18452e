// tf.train.import_meta_graph: the MetaGraphDef's graph, then its variable collections from
// TF's VariableDefs, so the imported variables are the graph's own, and its node lists.
#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "host/graph/graph_impl.h"
#include "host/io/graph_def_import.h"
#include "host/io/graph_def_lowering.h"
#include "varscope/errors.h"
#include "varscope/graph_def.h"
#include "varscope_tf/meta_graph.pb.h"

namespace varscope::train {
namespace {

namespace tfp = ::varscope::tf;
using detail::GraphImpl;

// The collections whose values are VariableDefs (TF's proto registry for ops.GraphKeys).
constexpr std::array<std::string_view, 7> kVariableCollections = {
    "variables",   "trainable_variables",      "local_variables", "model_variables",
    "global_step", "moving_average_variables", "metric_variables"};

// The graph node that a VariableDef's tensor or op name ("w:0", "w/Assign") names.
class Names {
 public:
  Names(const GraphImpl& g, const tfp::GraphDef& def, const io::ImportedGraph& imported) : g_(g) {
    for (int i = 0; i < def.node_size(); ++i) {
      const int id = imported.node_of[static_cast<std::size_t>(i)];
      if (id >= 0) by_name_.emplace(def.node(i).name(), id);
    }
  }
  // -1 for an empty name; vs::ValueError when the graph has no such node.
  int node(std::string_view name, std::string_view field, const std::string& variable) const {
    if (name.empty()) return -1;
    if (const std::size_t colon = name.rfind(':'); colon != std::string_view::npos)
      name = name.substr(0, colon);
    const auto it = by_name_.find(name);
    if (it == by_name_.end()) {
      throw ValueError("VariableDef of '" + variable + "': its " + std::string(field) + " '" +
                       std::string(name) + "' is not in the graph");
    }
    return it->second;
  }
  // The imported node named `name`; -1 when there is none.
  int find(std::string_view name) const {
    const auto it = by_name_.find(name);
    return it == by_name_.end() ? -1 : it->second;
  }
  const GraphImpl& graph() const { return g_; }

 private:
  const GraphImpl& g_;
  std::unordered_map<std::string_view, int> by_name_;
};

// variables.py's Variable._init_from_proto: the variable's record from its VariableDef.
int variable_from_def(GraphImpl& g, const Names& names, const std::string& bytes, bool trainable) {
  tfp::VariableDef def;
  if (!def.ParseFromString(bytes))
    throw InvalidArgumentError("A variable collection holds a VariableDef that does not parse");
  const std::string& name = def.variable_name();
  if (def.is_resource()) {
    throw UnimplementedError("Variable '" + name +
                             "' is a resource variable: varscope imports TF1's ref variables "
                             "(VariableV2) only");
  }
  const int node = names.node(name, "variable_name", name);
  const detail::Node& n = g.node(node);
  if (n.op != detail::OpType::kVariableV2 || n.variable < 0)
    throw ValueError("VariableDef of '" + name + "' names a " + n.type + " node, not a VariableV2");
  detail::VariableRecord& rec = g.variables.at(static_cast<std::size_t>(n.variable));
  const int assign = names.node(def.initializer_name(), "initializer_name", name);
  if (assign >= 0) {
    const detail::Node& a = g.node(assign);
    if (a.op != detail::OpType::kAssign || a.inputs.empty() || a.inputs[0].node != node) {
      throw ValueError("VariableDef of '" + name + "': its initializer '" + a.name +
                       "' is not an Assign to the variable");
    }
    rec.assign = assign;
    rec.initial_value = a.inputs.at(1);
  }
  const int read = names.node(def.snapshot_name(), "snapshot_name", name);
  if (read >= 0) rec.read = read;
  if (!def.initial_value_name().empty()) {
    const int init = names.node(def.initial_value_name(), "initial_value_name", name);
    rec.initial_value = {init, 0};
  }
  rec.trainable = rec.trainable || trainable || def.trainable();
  return n.variable;
}

// Graph.as_graph_element for a node_list entry: "op" or "op:i", TF's errors otherwise.
detail::TensorRef graph_element(const GraphImpl& g, const Names& names, const std::string& name) {
  const std::size_t colon = name.find(':');
  const int node = names.find(std::string_view(name).substr(0, colon));
  if (colon == std::string::npos) {
    if (node < 0)
      throw NotFoundError("The name '" + name + "' refers to an Operation not in the graph.");
    return {node, -1};
  }
  const std::optional<int> index = detail::python_int(std::string_view(name).substr(colon + 1));
  if (!index || name.find(':', colon + 1) != std::string::npos)
    throw ValueError("The name '" + name + "' has an invalid output index.");
  if (node < 0) {
    throw NotFoundError("The name '" + name +
                        "' refers to a Tensor which does not exist. The operation, '" +
                        name.substr(0, colon) + "', does not exist in the graph.");
  }
  const int outputs = static_cast<int>(g.node(node).outputs.size());
  if (*index < 0 || *index >= outputs) {
    throw NotFoundError(
        "The name '" + name + "' refers to a Tensor which does not exist. The operation, '" +
        name.substr(0, colon) + "', exists but only has " + std::to_string(outputs) + " outputs.");
  }
  return {node, *index};
}

}  // namespace

void import_meta_graph(Graph& graph, std::string_view path) {
  const auto& g = detail::Access::impl(graph);
  auto meta =
      io::parse_proto<tfp::MetaGraphDef>(io::read_whole_file(std::string(path)), "MetaGraphDef");
  // The Saver's own ops (string tensors): vs::Saver stands in for them.
  std::string saver_scope;
  const std::string& restore = meta.saver_def().restore_op_name();
  if (const std::size_t slash = restore.rfind('/'); slash != std::string::npos)
    saver_scope = restore.substr(0, slash + 1);
  io::raise_lowered_helpers(*meta.mutable_graph_def());
  g->mutate([&] {
    ImportGraphDefOptions options;
    options.name = "";
    const io::ImportedGraph imported =
        io::import_graph_def_proto(*g, meta.graph_def(), options, saver_scope);
    const Names names(*g, meta.graph_def(), imported);
    for (std::string_view key : kVariableCollections) {
      const auto it = meta.collection_def().find(std::string(key));
      if (it == meta.collection_def().end()) continue;
      const bool trainable = key == "trainable_variables";
      for (const std::string& bytes : it->second.bytes_list().value())
        g->add_to_collection(key, variable_from_def(*g, names, bytes, trainable));
    }
    // import_scoped_meta_graph: the node lists (train_op, losses, update_ops, summaries, ...)
    // by name, in sorted key order as TF adds them.
    std::map<std::string_view, const tfp::CollectionDef*> lists;
    for (const auto& [key, def] : meta.collection_def())
      if (def.has_node_list()) lists.emplace(key, &def);
    for (const auto& [key, def] : lists) {
      for (const std::string& name : def->node_list().value()) {
        if (!saver_scope.empty() && name.starts_with(saver_scope)) continue;  // not imported
        g->add_element_to_collection(key, graph_element(*g, names, name));
      }
    }
  });
}

}  // namespace varscope::train
