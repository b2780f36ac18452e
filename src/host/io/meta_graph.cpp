// tf.train.export_meta_graph: the GraphDef, the collections and a Saver's graph and SaverDef
// in TF's MetaGraphDef (proto/varscope_tf/meta_graph.proto).
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "host/graph/graph_impl.h"
#include "host/io/file.h"
#include "host/io/graph_def.h"
#include "host/io/saver_graph.h"
#include "varscope/errors.h"
#include "varscope/graph_def.h"
#include "varscope_tf/meta_graph.pb.h"

namespace varscope {
namespace {

namespace tfp = ::varscope::tf;

std::string tensor_name(const detail::GraphImpl& g, detail::TensorRef r) {
  return g.node(r.node).name + ":" + std::to_string(r.index);
}

// variables.py's Variable.to_proto.
std::string variable_def(const detail::GraphImpl& g, const detail::VariableRecord& v) {
  tfp::VariableDef def;
  def.set_variable_name(g.node(v.node).name + ":0");
  if (v.initial_value.node >= 0) def.set_initial_value_name(tensor_name(g, v.initial_value));
  if (v.assign >= 0) def.set_initializer_name(g.node(v.assign).name);
  if (v.read >= 0) def.set_snapshot_name(g.node(v.read).name + ":0");
  def.set_trainable(v.trainable);
  return io::serialize_deterministic(def);
}

}  // namespace

void export_meta_graph(const Graph& graph,
                       std::string_view filename,
                       const ExportMetaGraphOptions& options) {
  tfp::MetaGraphDef meta;
  *meta.mutable_graph_def() = io::graph_def_proto(graph);  // holds the graph while it reads
  {
    const auto& g = detail::Access::impl(graph);
    auto reading = g->lock_for_reading();
    // meta_graph.add_collection_def: variables as VariableDefs ("bytes_list"), ops and
    // tensors by name ("node_list": "train", "loss:0"), keys in sorted order.
    std::set<std::string_view> keys;
    for (const auto& [key, members] : g->collections)
      if (!members.empty()) keys.insert(key);
    for (const auto& [key, elements] : g->element_collections)
      if (!elements.empty()) keys.insert(key);
    for (std::string_view key : keys) {
      tfp::CollectionDef& def = (*meta.mutable_collection_def())[std::string(key)];
      if (const auto vars = g->collections.find(key);
          vars != g->collections.end() && !vars->second.empty()) {
        for (int v : vars->second)
          def.mutable_bytes_list()->add_value(
              variable_def(*g, g->variables.at(static_cast<std::size_t>(v))));
        continue;  // a key is one kind in TF; varscope keeps variables and tensors apart
      }
      for (const detail::TensorRef& element : g->element_collections.find(key)->second) {
        def.mutable_node_list()->add_value(element.index < 0 ? g->node(element.node).name
                                                             : tensor_name(*g, element));
      }
    }
  }
  if (options.saver != nullptr) io::add_saver_graph(graph, *options.saver, meta);
  std::string bytes;
  if (options.as_text) {
    if (!google::protobuf::TextFormat::PrintToString(meta, &bytes))
      throw InternalError("export_meta_graph: the MetaGraphDef did not print");
  } else {
    bytes = io::serialize_deterministic(meta);
  }
  io::write_file_atomically(std::string(filename), [&](const io::ByteSink& sink) {
    sink(std::as_bytes(std::span(bytes.data(), bytes.size())));
  });
}

}  // namespace varscope
