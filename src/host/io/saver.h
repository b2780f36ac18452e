// The body of Saver::save, with the file sink reachable: tests pass a filter that fails
// midway to check that an interrupted save leaves the previous file intact.
#pragma once

#include <map>
#include <string>

#include "host/io/file.h"
#include "varscope/graph.h"
#include "varscope/session.h"
#include "varscope/variable.h"

namespace varscope::io {

// Parts of partitioned variables by their checkpoint key (the full name): TF's one full entry
// with slices in a bundle; the assembled whole in a safetensors file.
using SlicedVarList = std::map<std::string, std::vector<Variable>>;

// Saver::save: fetches every variable of `var_list` (checkpoint key -> variable), then writes
// them with the provenance metadata through `filter` (see write_file_atomically).
void save_variables(Session& session,
                    const Graph& graph,
                    const std::map<std::string, Variable>& var_list,
                    const SlicedVarList& sliced,
                    const std::string& path,
                    const SinkFilter& filter);

// Saver::save for a TF checkpoint: the variables' values as a tensor bundle at `prefix`,
// each file through `filter`.
void save_bundle(Session& session,
                 const std::map<std::string, Variable>& var_list,
                 const SlicedVarList& sliced,
                 const std::string& prefix,
                 const SinkFilter& filter);

}  // namespace varscope::io
