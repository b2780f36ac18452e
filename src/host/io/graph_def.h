// The GraphDef writer's pieces for the other TF file writers: TensorBoard's add_graph
// (summary.cpp) and export_meta_graph (meta_graph.cpp).
#pragma once

#include <string>

#include "varscope/graph.h"
#include "varscope_tf/graph.pb.h"

namespace varscope::io {

// graph_def_bytes, except that varscope's own ops (SumToShape, BroadcastToShape) are written
// under their own op types rather than refused: TensorBoard draws any op, TF imports none.
std::string graph_def_bytes_for_tensorboard(const Graph& graph);
// The GraphDef that graph_def_bytes serializes (export_meta_graph puts it in a MetaGraphDef).
::varscope::tf::GraphDef graph_def_proto(const Graph& graph);
// A message's bytes with maps in key order, as TF writes graph files.
std::string serialize_deterministic(const google::protobuf::MessageLite& message);

}  // namespace varscope::io
