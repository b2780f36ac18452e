// Checkpoints of either format behind CheckpointSource, and the reader API over it
// (varscope/checkpoint.h): load_checkpoint, list_variables, latest_checkpoint.
#include <sys/stat.h>

#include <string>
#include <utility>

#include "host/io/checkpoint_source.h"
#include "host/io/tf/bundle.h"
#include "host/io/tf/checkpoint_state.h"
#include "host/io/tf/table.h"
#include "varscope/checkpoint.h"
#include "varscope/errors.h"
#include "varscope/tensor_files.h"

namespace varscope {
namespace detail {
namespace {

bool is_regular_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}
bool is_directory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

[[noreturn]] void throw_not_found(const std::string& key) {
  throw NotFoundError("Key " + key + " not found in checkpoint");
}

class BundleSource final : public CheckpointSource {
 public:
  explicit BundleSource(const std::string& prefix) : reader_(prefix) {
    for (const auto& [name, info] : reader_.tensors()) {
      tensors_.emplace(name, CheckpointTensorInfo{info.dtype,
                                                  info.dtype ? std::string(dtype_name(*info.dtype))
                                                             : io::tf::tf_dtype_name(info.tf_dtype),
                                                  info.shape});
    }
  }
  const std::string& path() const override { return reader_.prefix(); }
  const std::map<std::string, CheckpointTensorInfo>& tensors() const override { return tensors_; }
  HostTensor read(const std::string& name) const override { return reader_.read(name); }

 private:
  io::tf::BundleReader reader_;
  std::map<std::string, CheckpointTensorInfo> tensors_;
};

class SafetensorsSource final : public CheckpointSource {
 public:
  explicit SafetensorsSource(std::string path)
      : path_(std::move(path)), values_(read_safetensors(path_)) {
    for (const auto& [name, t] : values_)
      tensors_.emplace(
          name, CheckpointTensorInfo{t.dtype(), std::string(dtype_name(t.dtype())), t.shape()});
  }
  const std::string& path() const override { return path_; }
  const std::map<std::string, CheckpointTensorInfo>& tensors() const override { return tensors_; }
  HostTensor read(const std::string& name) const override {
    const auto it = values_.find(name);
    if (it == values_.end()) throw_not_found(name);
    return it->second;
  }

 private:
  std::string path_;
  std::map<std::string, HostTensor> values_;
  std::map<std::string, CheckpointTensorInfo> tensors_;
};

}  // namespace

std::shared_ptr<const CheckpointSource> open_checkpoint(const std::string& path) {
  if (path.ends_with(".safetensors")) return std::make_shared<SafetensorsSource>(path);
  if (is_regular_file(io::tf::index_filename(path))) return std::make_shared<BundleSource>(path);
  if (is_regular_file(path)) {
    if (io::tf::looks_like_table(path)) return std::make_shared<BundleSource>(path);  // V1
    return std::make_shared<SafetensorsSource>(path);
  }
  throw NotFoundError(
      "Unsuccessful TensorSliceReader constructor: Failed to find any "
      "matching files for " +
      path);
}

std::string resolve_checkpoint_path(const std::string& ckpt_dir_or_file) {
  if (!is_directory(ckpt_dir_or_file)) return ckpt_dir_or_file;
  const std::optional<std::string> latest = train::latest_checkpoint(ckpt_dir_or_file);
  if (!latest) {
    throw ValueError("Couldn't find 'checkpoint' file or checkpoints in given directory " +
                     ckpt_dir_or_file);
  }
  return *latest;
}

}  // namespace detail

namespace train {

CheckpointReader::CheckpointReader(std::shared_ptr<const detail::CheckpointSource> source)
    : source_(std::move(source)) {}

const std::string& CheckpointReader::path() const {
  return source_->path();
}

std::map<std::string, Shape> CheckpointReader::variable_to_shape_map() const {
  std::map<std::string, Shape> out;
  for (const auto& [name, info] : source_->tensors())
    out.emplace(name, info.shape);
  return out;
}

std::map<std::string, DType> CheckpointReader::variable_to_dtype_map() const {
  std::map<std::string, DType> out;
  for (const auto& [name, info] : source_->tensors()) {
    if (info.dtype) out.emplace(name, *info.dtype);
  }
  return out;
}

bool CheckpointReader::has_tensor(const std::string& name) const {
  return source_->tensors().contains(name);
}

HostTensor CheckpointReader::get_tensor(const std::string& name) const {
  return detail::checkpoint_api([&] { return source_->read(name); });
}

CheckpointReader load_checkpoint(const std::string& ckpt_dir_or_file) {
  return detail::checkpoint_api([&] {
    return CheckpointReader(
        detail::open_checkpoint(detail::resolve_checkpoint_path(ckpt_dir_or_file)));
  });
}

std::vector<std::pair<std::string, Shape>> list_variables(const std::string& ckpt_dir_or_file) {
  std::vector<std::pair<std::string, Shape>> out;
  for (auto& entry : load_checkpoint(ckpt_dir_or_file).variable_to_shape_map())
    out.emplace_back(entry.first, std::move(entry.second));
  return out;
}

std::optional<std::string> latest_checkpoint(const std::string& checkpoint_dir) {
  return detail::checkpoint_api([&]() -> std::optional<std::string> {
    const std::optional<io::tf::CheckpointState> state =
        io::tf::read_checkpoint_state(checkpoint_dir);
    if (!state) return std::nullopt;
    const std::string path =
        io::tf::resolve_state_path(checkpoint_dir, state->model_checkpoint_path);
    // A V2 prefix (its .index) or a V1 file; TF logs an error and returns None otherwise.
    if (detail::is_regular_file(io::tf::index_filename(path)) || detail::is_regular_file(path))
      return path;
    return std::nullopt;
  });
}

}  // namespace train
}  // namespace varscope
