// Saver: a graph's variables to and from a safetensors file (TF1's tf.train.Saver idea), one
// entry per variable keyed by its op name ("v_scope/Weights", no ":0"), with a __metadata__
// of provenance. The file format itself is varscope/tensor_files.h.
// Writes are atomic: the bytes go to a temp file in the same directory, which is fsync'ed and
// renamed over the target, so a failed or interrupted write leaves the old file intact.
// Reads validate the whole file before returning anything. Errors:
//   vs::DataLossError         a corrupt or truncated file, naming the problem
//   vs::NotFoundError         a missing file, or a checkpoint without a requested name
//   vs::InvalidArgumentError  a checkpoint entry whose shape or dtype differs from its variable
//   vs::UnimplementedError    a well-formed file holding a dtype varscope has no DType for
//   vs::InternalError         an OS failure, naming the call, the path and the OS error
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "varscope/graph.h"
#include "varscope/session.h"
#include "varscope/variable.h"

namespace varscope {

// __metadata__ keys a Saver writes ("format_version" is kCheckpointFormatVersion).
inline constexpr const char* kCheckpointFormatVersion = "1";

struct SaverOptions {
  // The variables saved and restored, each under its op name. Unset: the graph's
  // global_variables() when the Saver is made, unless name_map is given (then only those).
  std::optional<std::vector<Variable>> variables{};
  // Explicit checkpoint names, {"ckpt_name": var} (TF's var_list dict), added to the above.
  std::map<std::string, Variable> name_map{};
  // {"old_scope/": "new_scope/"}: a variable whose op name starts with "new_scope/" is stored
  // under "old_scope/..." (TF's assignment_map prefix form), for restoring into a renamed
  // graph. The longest matching graph-side prefix wins; other variables keep their names.
  // Not applied to name_map entries.
  std::map<std::string, std::string> prefix_map{};
};

class Saver {
 public:
  // Resolves the checkpoint key of every variable now, as tf.train.Saver does. Throws
  // vs::ValueError when two variables get the same key or a variable is of another graph.
  explicit Saver(const Graph& graph, SaverOptions options = {});

  // Checkpoint key -> variable.
  const std::map<std::string, Variable>& var_list() const { return var_list_; }

  // Fetches every variable (vs::FailedPreconditionError if one is uninitialized, before
  // the file is touched), then writes `path` atomically. __metadata__ holds format_version,
  // varscope_version, backend (the session's device description), device ("cpu"/"cuda")
  // and graph_seed ("none" when unset).
  void save(Session& session, const std::string& path) const;

  // Reads and validates the whole file and checks that every key is present with its
  // variable's shape and dtype; only then loads the values (and marks the variables
  // initialized). On any error no variable is changed. Extra entries are ignored.
  void restore(Session& session, const std::string& path) const;

 private:
  Graph graph_;
  std::map<std::string, Variable> var_list_;
};

}  // namespace varscope

#pragma GCC visibility pop
