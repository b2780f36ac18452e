// A NodeDef's attributes as varscope's Attrs for the op's row (the inverse of the GraphDef
// writer's set_attr), for import_graph_def.
#pragma once

#include <string>

#include "host/graph/op_defs.h"
#include "varscope_tf/node_def.pb.h"

namespace varscope::io {

// The row's attributes from `node` (whose imported name is `name`): TF's defaults for those
// it leaves out; TF's type attributes the row keeps implicit (an input's dtype says them) and
// TF's internal "_" attributes other than string lists are dropped; TF attributes varscope
// only knows at their defaults (container, shared_name, data_format, Truncate) are accepted
// at those. vs::ValueError with TF's texts for a missing, unknown or wrongly typed attribute,
// vs::UnimplementedError for a TF attribute varscope supports only at its default.
detail::Attrs attrs_from_node_def(const detail::OpDef& def,
                                  const ::varscope::tf::NodeDef& node,
                                  const std::string& name);

// The input whose dtype attribute `attr` of `op` states (TF's op signature), -1 for none.
int typed_input(detail::OpType op, std::string_view attr, int num_inputs);

}  // namespace varscope::io
