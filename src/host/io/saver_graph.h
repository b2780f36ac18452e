// The graph TF 1.15's tf.train.Saver adds for its variables (BulkSaverBuilder, format V2), as
// NodeDefs for a MetaGraphDef: varscope's graphs hold no string tensors, so these nodes
// exist only in the file, where TF's import_meta_graph rebuilds a Saver from them.
#pragma once

#include "varscope/graph.h"
#include "varscope/saver.h"
#include "varscope_tf/meta_graph.pb.h"

namespace varscope::io {

// Appends the Saver's nodes to meta.graph_def ("save/" scope, uniquified against the nodes
// already there, as TF's name_scope) and sets meta.saver_def. vs::ValueError (TF's text)
// when the Saver has no variables or one is of another graph; meta is then unchanged.
void add_saver_graph(const Graph& graph, const Saver& saver, ::varscope::tf::MetaGraphDef& meta);

}  // namespace varscope::io
