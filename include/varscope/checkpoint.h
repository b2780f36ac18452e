// Reading checkpoints, TensorFlow's way (tf.train.load_checkpoint, list_variables,
// latest_checkpoint, tf.compat.v1.train.init_from_checkpoint). Either format is read: a
// TensorFlow checkpoint (tensor bundle V2: `<prefix>.index` + `<prefix>.data-*-of-*`, as
// written by TF's Saver or by vs::Saver) or a `.safetensors` file; a directory means the
// checkpoint its `checkpoint` state file names. See docs/tf-checkpoint-format.md.
// Errors:
//   vs::NotFoundError         no checkpoint at the path, a missing data file, a missing key
//   vs::DataLossError         a corrupt or truncated file, naming the problem
//   vs::UnimplementedError    TF's pre-2017 V1 format, big-endian or snappy-compressed
//                             bundles, a tensor of a dtype varscope has no DType for
//   vs::InvalidArgumentError  a `checkpoint` state file naming a path outside its directory
//   vs::ValueError            init_from_checkpoint's assignment-map errors (TF's texts)
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "varscope/dtype.h"
#include "varscope/graph.h"
#include "varscope/host_tensor.h"
#include "varscope/shape.h"
#include "varscope/variable.h"

namespace varscope {
namespace detail {
class CheckpointSource;
}  // namespace detail

namespace train {

// tf.train.load_checkpoint's reader (pywrap CheckpointReader). Cheap to copy. The index (or
// the safetensors header and data) is validated when it is made; get_tensor verifies the
// tensor's checksum.
class CheckpointReader {
 public:
  // The checkpoint read: a bundle prefix or a .safetensors path.
  const std::string& path() const;
  // Every tensor; the parts of partitioned variables are not listed (their variable is,
  // with its full shape).
  std::map<std::string, Shape> variable_to_shape_map() const;
  // Tensors of a dtype varscope has no DType for (strings, complex128, ...) are left out.
  std::map<std::string, DType> variable_to_dtype_map() const;
  bool has_tensor(const std::string& name) const;
  // The full value (a partitioned variable's parts assembled). vs::NotFoundError "Key <name>
  // not found in checkpoint" for a name not there.
  HostTensor get_tensor(const std::string& name) const;

 private:
  friend CheckpointReader load_checkpoint(const std::string&);
  explicit CheckpointReader(std::shared_ptr<const detail::CheckpointSource> source);
  std::shared_ptr<const detail::CheckpointSource> source_;
};

// A bundle prefix ("dir/model.ckpt-3"), a .safetensors file, or a directory (its latest
// checkpoint; vs::ValueError when it has none).
CheckpointReader load_checkpoint(const std::string& ckpt_dir_or_file);
// (name, shape) of every tensor, sorted by name.
std::vector<std::pair<std::string, Shape>> list_variables(const std::string& ckpt_dir_or_file);
// The path `checkpoint_dir`/checkpoint names as model_checkpoint_path, joined to the
// directory when relative; nullopt when there is no state file or its checkpoint's files are
// gone. A path outside the directory is vs::InvalidArgumentError.
std::optional<std::string> latest_checkpoint(const std::string& checkpoint_dir);

// What a checkpoint name maps to: a variable name or scope ("scope/"), a variable, or the
// parts of a partitioned variable.
using AssignmentTarget = std::variant<std::string, Variable, std::vector<Variable>>;

// tf.compat.v1.train.init_from_checkpoint on `graph` (TF uses the default graph): each
// mapped variable's initializer now assigns the checkpoint's value (a new Const
// "checkpoint_initializer" and Assign; variable.initializer() and initial_value() return
// them). Keys are checkpoint names; {"old_scope/": "new_scope/"} maps every get_variable
// variable under new_scope/ to old_scope/<rest>, {"/": "scope/"} to the checkpoint's root,
// {"ckpt/name": "graph/name"} or {"ckpt/name": variable} one variable. The values are read
// when this is called (TF reads them when the initializer runs). On any error (TF's
// ValueError texts) the graph is unchanged.
void init_from_checkpoint(Graph& graph,
                          const std::string& ckpt_dir_or_file,
                          const std::map<std::string, AssignmentTarget>& assignment_map);

}  // namespace train
}  // namespace varscope

#pragma GCC visibility pop
