// varscope's own gradient helpers as the TF ops they stand for, for write_graph: TF imports
// only its own ops, and these two are TF's gradient subgraphs folded into one op each.
#pragma once

#include <string>

#include "varscope/dtype.h"
#include "varscope_tf/graph.pb.h"

namespace varscope::io {

// SumToShape(dy, like): dy summed down to like's shape, as TF's broadcasting gradients do it:
// Shape, Shape_1, BroadcastGradientArgs, Sum, then a Reshape named `name` (so the node's
// consumers read it unchanged). Inputs are GraphDef input strings ("x", "x:1").
void lower_sum_to_shape(const std::string& name,
                        const std::string& dy,
                        const std::string& like,
                        DType dtype,
                        ::varscope::tf::GraphDef& def);

// BroadcastToShape(dy, like, axes): a reduction's gradient spread back over the reduced
// axes, as TF's _SumGrad / _MeanGrad: reduced_shape (Shape, Size, Add, FloorMod, Range, Fill,
// DynamicStitch), Reshape and Tile by the safe quotient, then for a mean the division by the
// reduced count (Prod, Cast, RealDiv). The last node is named `name`.
void lower_broadcast_to_shape(const std::string& name,
                              const std::string& dy,
                              const std::string& like,
                              const std::string& axes,
                              DType axes_dtype,
                              DType dtype,
                              bool mean,
                              ::varscope::tf::GraphDef& def);

}  // namespace varscope::io

namespace varscope::io {

// The inverse, for import_graph_def: each subgraph that lower_sum_to_shape or
// lower_broadcast_to_shape wrote (its nodes under "<name>/" with their op types, read by
// nothing outside it) becomes the one SumToShape / BroadcastToShape node `name` again, so a
// varscope training graph imports. Anything else is left as it is.
void raise_lowered_helpers(::varscope::tf::GraphDef& def);

}  // namespace varscope::io
