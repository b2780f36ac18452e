// Saver: a graph's variables to and from a checkpoint (TF1's tf.train.Saver), one entry per
// variable keyed by its op name ("v_scope/Weights", no ":0"), in either format:
//   - TensorFlow's own (tensor bundle V2: `<prefix>.index` + `<prefix>.data-00000-of-00001`),
//     which TF's Saver and tf.train.load_checkpoint read, with the `checkpoint` state file
//     beside it (docs/tf-checkpoint-format.md); any path not ending in ".safetensors";
//   - a safetensors file with a __metadata__ of provenance (varscope/tensor_files.h), for a
//     path ending in ".safetensors".
// restore() tells the formats apart from the files. Writes are atomic: each file goes to a
// temp file in the same directory, which is fsync'ed and renamed over the target (for a TF
// checkpoint the data file first, then the index, then the state file), so a failed or
// interrupted write leaves no half-written file visible.
// Reads validate what they read before anything changes. Errors:
//   vs::DataLossError         a corrupt or truncated file, naming the problem
//   vs::NotFoundError         a missing file, or a checkpoint without a requested name
//   vs::InvalidArgumentError  a checkpoint entry whose shape or dtype differs from its variable
//   vs::UnimplementedError    a well-formed file holding a dtype varscope has no DType for;
//                             TF's pre-2017 V1 format
//   vs::InternalError         an OS failure, naming the call, the path and the OS error
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
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
  // TF checkpoints only (as tf.train.Saver): how many recent checkpoints to keep (older ones'
  // files are deleted after each save; 0 keeps all), and one more kept per this many hours.
  int max_to_keep = 5;
  double keep_checkpoint_every_n_hours = 10000.0;
  // Paths in the `checkpoint` state file relative to its directory, so that a moved folder
  // keeps working. TF's default is false (then a path saved as absolute is written absolute;
  // docs/differences.md).
  bool save_relative_paths = true;
};

struct SaveOptions {
  // Appended to the path as "-<n>" (TF's global_step): "model.ckpt-100" (for a .safetensors
  // path, before the extension: "model-100.safetensors").
  std::optional<std::int64_t> global_step{};
  // TF checkpoints: record the checkpoint in <dir>/checkpoint (and apply max_to_keep).
  bool write_state = true;
};

class Saver {
 public:
  // Resolves the checkpoint key of every variable now, as tf.train.Saver does. Throws
  // vs::ValueError when two variables get the same key or a variable is of another graph.
  explicit Saver(const Graph& graph, SaverOptions options = {});

  // Checkpoint key -> variable, and the parts of partitioned variables by their full name
  // (saved as TF saves them: one full entry with slices, one entry per part; safetensors: the
  // whole).
  const std::map<std::string, Variable>& var_list() const { return var_list_; }
  // The options it was made with (export_meta_graph writes max_to_keep and
  // keep_checkpoint_every_n_hours into TF's SaverDef).
  const SaverOptions& options() const { return options_; }
  const std::map<std::string, std::vector<Variable>>& sliced_var_list() const { return sliced_; }

  // Fetches every variable (vs::FailedPreconditionError if one is uninitialized, before
  // any file is touched), then writes the checkpoint and returns its path (the prefix, or
  // the .safetensors file). A safetensors __metadata__ holds format_version,
  // varscope_version, backend (the session's device description), device ("cpu"/"cuda")
  // and graph_seed ("none" when unset).
  // One save at a time per Saver (it updates the list of kept checkpoints).
  std::string save(Session& session,
                   const std::string& path,
                   const SaveOptions& options = {}) const;

  // Reads the checkpoint at `path` (a TF prefix or a safetensors file) and checks that every
  // key is present with its variable's shape and dtype, reading and verifying every value;
  // only then loads them (and marks the variables initialized). On any error no variable is
  // changed. Extra entries are ignored.
  void restore(Session& session, const std::string& path) const;

  // The TF checkpoints this Saver keeps, oldest first (TF's last_checkpoints).
  std::vector<std::string> last_checkpoints() const;

 private:
  std::string save_checkpoint(Session& session,
                              const std::string& path,
                              const SaveOptions& options) const;
  void restore_checkpoint(Session& session, const std::string& path) const;

  Graph graph_;
  std::map<std::string, Variable> var_list_;
  std::map<std::string, std::vector<Variable>> sliced_;
  SaverOptions options_;
  // TF's Saver state, updated by save(): (prefix, time) of the kept checkpoints and of those
  // due for deletion, and when the next one is kept for keep_checkpoint_every_n_hours.
  mutable std::vector<std::pair<std::string, double>> last_checkpoints_;
  mutable std::vector<std::pair<std::string, double>> to_be_deleted_;
  mutable double next_checkpoint_time_ = 0;
};

}  // namespace varscope

#pragma GCC visibility pop
