// The copying ops' steps as strided copies (kernels/copy.h): from a node, its inputs' shapes,
// the values read on the host and its outputs (the run-time shape function's), the copies
// to make. Pure index math, no backend: execute_copy.cpp runs the copies.
#pragma once

#include <cstddef>
#include <vector>

#include "host/graph/graph_impl.h"
#include "kernels/copy.h"

namespace varscope::detail {

struct CopyPart {
  int input = 0;                  // the data input read
  int output = 0;                 // the output written
  kernels::StridedCopyArgs args;  // src/dst still null: the executor sets them
};

struct CopySteps {
  std::vector<int> zeroed_outputs;  // filled with zeros before the copies (Pad)
  std::vector<CopyPart> parts;
};

// Whether input i of an op is read on the host (a shape, axis, perm, ...), not copied.
bool is_host_input(OpType op, int i, int num_inputs);

// Throws vs::UnimplementedError for ranks the copies do not handle (rank > 8; Tile of
// rank > 4).
CopySteps copy_steps(const Node& n,
                     const std::vector<const Shape*>& in_shapes,
                     const std::vector<HostTensor>& host,
                     const std::vector<OutputSpec>& outputs,
                     std::size_t element_size);

}  // namespace varscope::detail
