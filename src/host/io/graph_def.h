// The GraphDef writer's form for TensorBoard (summary.cpp's add_graph).
#pragma once

#include <string>

#include "varscope/graph.h"

namespace varscope::io {

// graph_def_bytes, except that varscope's own ops (SumToShape, BroadcastToShape) are written
// under their own op types rather than refused: TensorBoard draws any op, TF imports none.
std::string graph_def_bytes_for_tensorboard(const Graph& graph);

}  // namespace varscope::io
