// The `checkpoint` state file beside a model's checkpoints: a text-format CheckpointState
// (model_checkpoint_path: "...", all_model_checkpoint_paths: "..."), read and written as
// TensorFlow's checkpoint_management.py does.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "host/io/file.h"

namespace varscope::io::tf {

inline constexpr const char* kCheckpointStateName = "checkpoint";

struct CheckpointState {
  std::string model_checkpoint_path;
  std::vector<std::string> all_model_checkpoint_paths;
};

// os.path.join(dir, name) for the state file's directory ("" is the current directory).
std::string join_path(const std::string& dir, const std::string& name);
// os.path.dirname.
std::string dirname(const std::string& path);

// `dir`/checkpoint, or nullopt when there is none. Text protobuf errors are
// vs::DataLossError; an empty model_checkpoint_path is vs::ValueError ("Invalid checkpoint
// state loaded from <dir>", TF's text). Paths as written.
std::optional<CheckpointState> read_checkpoint_state(const std::string& dir);

// A path from the state file, as TF resolves it (relative: joined to `dir`), after checking
// that it stays inside `dir` (vs::InvalidArgumentError otherwise).
std::string resolve_state_path(const std::string& dir, const std::string& path);

// text_format.MessageToString(CheckpointState), byte for byte.
std::string checkpoint_state_text(const CheckpointState& state);
// Replaces `dir`/checkpoint atomically.
void write_checkpoint_state(const std::string& dir,
                            const CheckpointState& state,
                            const SinkFilter& filter = {});

}  // namespace varscope::io::tf
