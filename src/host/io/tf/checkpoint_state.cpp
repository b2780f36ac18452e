// The `checkpoint` state file, through protobuf's text format (the printer escapes strings as
// Python's text_format does: C escapes, bytes outside printable ASCII in octal).
#include "host/io/tf/checkpoint_state.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <filesystem>
#include <string>

#include "varscope/errors.h"
#include "varscope_tf/checkpoint_state.pb.h"

namespace varscope::io::tf {
namespace fs = std::filesystem;

std::string join_path(const std::string& dir, const std::string& name) {
  if (!name.empty() && name.front() == '/') return name;
  if (dir.empty() || dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

std::string dirname(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return "";
  std::string head = path.substr(0, slash + 1);
  // Python strips the trailing slashes unless the head is all slashes.
  if (head.find_first_not_of('/') != std::string::npos) {
    while (!head.empty() && head.back() == '/')
      head.pop_back();
  }
  return head;
}

std::optional<CheckpointState> read_checkpoint_state(const std::string& dir) {
  const std::string path = join_path(dir, kCheckpointStateName);
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  InputFile file(path);
  if (file.size() > (16u << 20))
    throw DataLossError("Checkpoint state file " + path + " is over 16 MiB; not a state file");
  std::string text(file.size(), '\0');
  if (!file.read_at(0, std::as_writable_bytes(std::span<char>(text.data(), text.size()))))
    throw DataLossError("Checkpoint state file " + path + " shrank while being read");
  varscope::tf::CheckpointState proto;
  google::protobuf::TextFormat::Parser parser;
  class Quiet : public google::protobuf::io::ErrorCollector {
    void AddError(int, int, const std::string&) override {}
  } quiet;
  parser.RecordErrorsTo(&quiet);
  if (!parser.ParseFromString(text, &proto))
    throw DataLossError("Checkpoint state file " + path + " is not a text CheckpointState");
  if (proto.model_checkpoint_path().empty())
    throw ValueError("Invalid checkpoint state loaded from " + dir);
  CheckpointState state;
  state.model_checkpoint_path = proto.model_checkpoint_path();
  state.all_model_checkpoint_paths.assign(proto.all_model_checkpoint_paths().begin(),
                                          proto.all_model_checkpoint_paths().end());
  return state;
}

std::string resolve_state_path(const std::string& dir, const std::string& path) {
  const std::string joined = join_path(dir, path);
  const fs::path base =
      fs::absolute(dir.empty() ? fs::path(".") : fs::path(dir)).lexically_normal();
  const fs::path full = fs::absolute(fs::path(joined)).lexically_normal();
  const fs::path rel = full.lexically_relative(base);
  if (path.empty() || rel.empty() || *rel.begin() == ".." || rel == ".") {
    throw InvalidArgumentError("The checkpoint state file " + join_path(dir, kCheckpointStateName) +
                               " names " + path +
                               ", which is outside its directory; varscope reads only "
                               "checkpoints beside their state file");
  }
  return joined;
}

std::string checkpoint_state_text(const CheckpointState& state) {
  varscope::tf::CheckpointState proto;
  proto.set_model_checkpoint_path(state.model_checkpoint_path);
  for (const std::string& p : state.all_model_checkpoint_paths)
    proto.add_all_model_checkpoint_paths(p);
  std::string text;
  google::protobuf::TextFormat::PrintToString(proto, &text);
  return text;
}

void write_checkpoint_state(const std::string& dir,
                            const CheckpointState& state,
                            const SinkFilter& filter) {
  const std::string text = checkpoint_state_text(state);
  write_file_atomically(
      join_path(dir, kCheckpointStateName),
      [&](const ByteSink& sink) {
        sink(std::as_bytes(std::span<const char>(text.data(), text.size())));
      },
      filter);
}

}  // namespace varscope::io::tf
