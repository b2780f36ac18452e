// The node behind hvd.allreduce and hvd.broadcast, for the public builders and the
// collectives' own gradients (which build collectives of their incoming gradients).
#pragma once

#include <string>
#include <string_view>

#include "host/graph/graph_impl.h"
#include "host/graph/op_defs.h"

namespace varscope::detail {

// mpi_ops.py's ops: a node of `op` named "<prefix><named_after normalized>" in the current name
// scope, of `attrs` after T (the input's dtype); ignore_name_scope false and process_set_id 0
// unless `attrs` give them. TF's dtype check first: a bad input changes nothing.
TensorRef build_horovod_collective(GraphImpl& g,
                                   OpType op,
                                   TensorRef input,
                                   std::string_view named_after,
                                   std::string_view prefix,
                                   Attrs attrs);

// A tensor's name as TF prints it ("<op>:<index>"), which Horovod names its nodes after.
inline std::string tensor_name(const GraphImpl& g, TensorRef r) {
  return g.node(r.node).name + ":" + std::to_string(r.index);
}

}  // namespace varscope::detail
