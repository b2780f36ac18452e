// import_graph_def's core, for import_meta_graph: a parsed GraphDef into a graph.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "host/graph/graph_impl.h"
#include "varscope/graph_def.h"
#include "varscope_tf/graph.pb.h"

namespace varscope::io {

struct ImportedGraph {
  std::string prefix;        // "import/" ("" for name "")
  std::vector<int> node_of;  // GraphDef node index -> graph node (-1: skipped)
  std::vector<ImportedElement> returned;
};

// Runs inside g.mutate(). Nodes whose GraphDef name starts with `skip_scope` (when not empty)
// are left out; an imported node that reads one is an "Unknown input node" error.
ImportedGraph import_graph_def_proto(detail::GraphImpl& g,
                                     const ::varscope::tf::GraphDef& def,
                                     const ImportGraphDefOptions& options,
                                     std::string_view skip_scope = {});

// The whole file (up to protobuf's 2GB); vs errors as InputFile's.
std::string read_whole_file(const std::string& path);

// The message in `bytes`: binary protobuf, else the text format; vs::InvalidArgumentError
// naming `what` when it is neither.
template <typename Message>
Message parse_proto(std::string_view bytes, std::string_view what);

}  // namespace varscope::io
