// Saver: variables to and from checkpoints (TF's tensor bundle or safetensors), keyed by op
// name; for TF checkpoints also the `checkpoint` state file and max_to_keep, as TF's Saver.
#include "host/io/saver.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "host/io/checkpoint_source.h"
#include "host/io/safetensors.h"
#include "host/io/tf/bundle.h"
#include "host/io/tf/checkpoint_state.h"
#include "varscope/errors.h"
#include "varscope/saver.h"
#include "varscope/tensor_files.h"
#include "varscope/version.h"

namespace varscope {
namespace {

// The checkpoint key of a variable: its op name, with the longest matching graph-side
// prefix of the prefix map replaced by its checkpoint-side prefix.
std::string checkpoint_key(const std::string& op_name,
                           const std::map<std::string, std::string>& prefix_map) {
  const std::pair<const std::string, std::string>* best = nullptr;
  for (const auto& entry : prefix_map) {
    if (op_name.starts_with(entry.second) &&
        (best == nullptr || entry.second.size() > best->second.size())) {
      best = &entry;
    }
  }
  if (best == nullptr) return op_name;
  return best->first + op_name.substr(best->second.size());
}

std::string describe(DType dtype, const Shape& shape) {
  return "dtype " + std::string(dtype_name(dtype)) + " and shape " + shape.to_string();
}

std::string join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += separator;
    out += parts[i];
  }
  return out;
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// TF's checkpoint_management.remove_checkpoint for a V2 prefix: its index and data files
// (and a .meta TF may have left), errors ignored.
void remove_checkpoint(const std::string& prefix) {
  namespace fs = std::filesystem;
  std::error_code ignored;
  fs::remove(io::tf::index_filename(prefix), ignored);
  fs::remove(prefix + ".meta", ignored);
  const fs::path p(prefix);
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  const std::string stem = p.filename().string() + ".data-";
  for (fs::directory_iterator it(dir, ignored), end; !ignored && it != end; it.increment(ignored)) {
    const std::string name = it->path().filename().string();
    // <prefix>.data-?????-of-?????
    if (name.size() == stem.size() + 14 && name.starts_with(stem) &&
        name.compare(stem.size() + 5, 4, "-of-") == 0)
      fs::remove(it->path(), ignored);
  }
}

bool is_safetensors(const std::string& path) {
  return path.ends_with(".safetensors");
}

// The parts' values, fetched in order.
std::map<std::string, std::vector<HostTensor>> fetch_parts(Session& session,
                                                           const io::SlicedVarList& sliced) {
  std::map<std::string, std::vector<HostTensor>> out;
  for (const auto& [key, parts] : sliced)
    for (const Variable& part : parts)
      out[key].push_back(session.run(part));
  return out;
}

}  // namespace

namespace io {

void save_bundle(Session& session,
                 const std::map<std::string, Variable>& var_list,
                 const SlicedVarList& sliced,
                 const std::string& prefix,
                 const SinkFilter& filter) {
  std::map<std::string, HostTensor> values;
  for (const auto& [key, variable] : var_list)
    values.emplace(key, session.run(variable));
  const std::map<std::string, std::vector<HostTensor>> parts = fetch_parts(session, sliced);
  // TF's BundleWriter creates the prefix's directory (one level); any failure shows when the
  // data file is opened.
  const std::string dir = tf::dirname(prefix);
  if (!dir.empty()) (void)::mkdir(dir.c_str(), 0777);
  tf::BundleWriter writer(prefix);
  for (const auto& [key, value] : values)
    writer.add(key, value);
  // TF's SaveV2 with shape_and_slices: one full entry with slices, one entry per part.
  for (const auto& [key, variables] : sliced) {
    for (std::size_t i = 0; i < variables.size(); ++i) {
      const SaveSliceInfo info = *variables[i].save_slice_info();
      writer.add_slice(key, Shape(info.full_shape), tf::slice_of(info), parts.at(key)[i]);
    }
  }
  writer.finish(filter);
}

void save_variables(Session& session,
                    const Graph& graph,
                    const std::map<std::string, Variable>& var_list,
                    const SlicedVarList& sliced,
                    const std::string& path,
                    const SinkFilter& filter) {
  // Every value is fetched before the file is touched: an uninitialized variable fails here.
  std::map<std::string, HostTensor> values;
  for (const auto& [key, variable] : var_list)
    values.emplace(key, session.run(variable));
  // A partitioned variable is stored whole, under its full name.
  for (const auto& [key, parts] : fetch_parts(session, sliced)) {
    const std::vector<Variable>& variables = sliced.at(key);
    const SaveSliceInfo first = *variables.front().save_slice_info();
    HostTensor whole(parts.front().dtype(), Shape(first.full_shape));
    for (std::size_t i = 0; i < parts.size(); ++i)
      tf::copy_slice_into(tf::slice_of(*variables[i].save_slice_info()), parts[i], whole);
    values.emplace(key, std::move(whole));
  }
  const std::optional<std::int64_t> seed = graph.seed();
  const std::map<std::string, std::string> metadata{
      {"format_version", kCheckpointFormatVersion},
      {"varscope_version", std::string(version())},
      {"backend", session.device_description()},
      {"device", session.device() == DeviceKind::kCuda ? "cuda" : "cpu"},
      {"graph_seed", seed ? std::to_string(*seed) : "none"},
  };
  write_safetensors_file(path, values, metadata, filter);
}

}  // namespace io

Saver::Saver(const Graph& graph, SaverOptions options) : graph_(graph), options_(options) {
  next_checkpoint_time_ = now_seconds() + options_.keep_checkpoint_every_n_hours * 3600;
  std::vector<Variable> variables;
  if (options.variables) {
    variables = *options.variables;
  } else if (options.name_map.empty()) {
    variables = graph.global_variables();
  }
  auto add = [&](const std::string& key, const Variable& variable) {
    if (!variable.valid()) throw ValueError("Saver was given an empty Variable handle");
    if (!(variable.graph() == graph)) {
      throw ValueError("Variable " + variable.name() + " is not an element of this graph.");
    }
    const bool part = variable.save_slice_info().has_value();
    if (part ? var_list_.contains(key) : sliced_.contains(key))
      throw ValueError("At least two variables have the same name: " + key);
    if (part) {  // a part: keyed by its partitioned variable's name
      std::vector<Variable>& parts = sliced_[key];
      if (std::find(parts.begin(), parts.end(), variable) == parts.end()) parts.push_back(variable);
      return;
    }
    const auto [it, inserted] = var_list_.emplace(key, variable);
    // The same variable listed twice (two handles of one shared variable) is harmless.
    if (!inserted && !(it->second == variable)) {
      throw ValueError("At least two variables have the same name: " + key);
    }
  };
  for (const Variable& v : variables) {
    const std::optional<SaveSliceInfo> slice = v.save_slice_info();
    add(checkpoint_key(slice ? slice->full_name : v.op_name(), options.prefix_map), v);
  }
  for (const auto& [key, v] : options.name_map)
    add(key, v);
  for (auto& [key, parts] : sliced_) {  // TF's order: by offset
    std::sort(parts.begin(), parts.end(), [](const Variable& a, const Variable& b) {
      return a.save_slice_info()->var_offset < b.save_slice_info()->var_offset;
    });
  }
}

std::string Saver::save(Session& session,
                        const std::string& path,
                        const SaveOptions& options) const {
  return detail::checkpoint_api([&] { return save_checkpoint(session, path, options); });
}

std::string Saver::save_checkpoint(Session& session,
                                   const std::string& path,
                                   const SaveOptions& options) const {
  std::string file = path;
  if (options.global_step) {
    std::string step(1, '-');
    step.append(std::to_string(*options.global_step));
    file = is_safetensors(path) ? path.substr(0, path.size() - 12) + step + ".safetensors"
                                : path + step;
  }
  if (is_safetensors(file)) {
    io::save_variables(session, graph_, var_list_, sliced_, file, {});
    return file;
  }
  io::save_bundle(session, var_list_, sliced_, file, {});
  if (!options.write_state) return file;

  // TF's Saver._RecordLastCheckpoint, update_checkpoint_state_internal and
  // _MaybeDeleteOldCheckpoints, in that order.
  if (options_.max_to_keep > 0) {
    std::erase_if(last_checkpoints_, [&](const auto& p) { return p.first == file; });
    last_checkpoints_.emplace_back(file, now_seconds());
    if (last_checkpoints_.size() > static_cast<std::size_t>(options_.max_to_keep)) {
      to_be_deleted_.push_back(last_checkpoints_.front());
      last_checkpoints_.erase(last_checkpoints_.begin());
    }
  }
  const std::string dir = io::tf::dirname(file);
  auto state_path = [&](const std::string& p) {
    // Relative paths are relative to the directory (TF's relpath); an absolute path stays
    // absolute unless save_relative_paths.
    if (!options_.save_relative_paths && p.starts_with("/")) return p;
    return std::filesystem::path(p).filename().string();
  };
  io::tf::CheckpointState state;
  state.model_checkpoint_path = state_path(file);
  for (const auto& entry : last_checkpoints_)
    state.all_model_checkpoint_paths.push_back(state_path(entry.first));
  if (state.all_model_checkpoint_paths.empty() ||
      state.all_model_checkpoint_paths.back() != state.model_checkpoint_path)
    state.all_model_checkpoint_paths.push_back(state.model_checkpoint_path);
  io::tf::write_checkpoint_state(dir, state);
  if (!to_be_deleted_.empty()) {
    const auto oldest = to_be_deleted_.front();
    to_be_deleted_.erase(to_be_deleted_.begin());
    if (oldest.second > next_checkpoint_time_) {
      next_checkpoint_time_ += options_.keep_checkpoint_every_n_hours * 3600;
    } else {
      remove_checkpoint(oldest.first);
    }
  }
  return file;
}

std::vector<std::string> Saver::last_checkpoints() const {
  std::vector<std::string> out;
  for (const auto& entry : last_checkpoints_)
    out.push_back(entry.first);
  return out;
}

void Saver::restore(Session& session, const std::string& path) const {
  detail::checkpoint_api([&] { restore_checkpoint(session, path); });
}

void Saver::restore_checkpoint(Session& session, const std::string& path) const {
  // 1. The checkpoint opened: a safetensors file validated whole, a bundle's whole index
  // (vs::DataLossError names the problem).
  const std::shared_ptr<const detail::CheckpointSource> source = detail::open_checkpoint(path);
  const auto& infos = source->tensors();

  // 2. Every key present, with its variable's dtype and shape.
  std::vector<std::string> missing;
  std::vector<std::string> mismatched;
  for (const auto& [key, variable] : var_list_) {
    const auto it = infos.find(key);
    const std::string op_name = variable.op_name();
    if (it == infos.end()) {
      missing.push_back(key == op_name ? key : key + " (for variable " + op_name + ")");
      continue;
    }
    const detail::CheckpointTensorInfo& info = it->second;
    if (info.dtype != variable.dtype() || info.shape != variable.shape()) {
      mismatched.push_back("checkpoint entry " + key + " has dtype " + info.dtype_name +
                           " and shape " + info.shape.to_string() + ", but variable " + op_name +
                           " has " + describe(variable.dtype(), variable.shape()));
    }
  }
  for (const auto& [key, parts] : sliced_) {
    const auto it = infos.find(key);
    if (it == infos.end()) {
      missing.push_back(key);
      continue;
    }
    const detail::CheckpointTensorInfo& info = it->second;
    const Shape full(parts.front().save_slice_info()->full_shape);
    if (info.dtype != parts.front().dtype() || info.shape != full) {
      mismatched.push_back("checkpoint entry " + key + " has dtype " + info.dtype_name +
                           " and shape " + info.shape.to_string() + ", but partitioned variable " +
                           key + " has " + describe(parts.front().dtype(), full));
    }
  }
  if (!missing.empty()) {
    throw NotFoundError(std::string(missing.size() == 1 ? "Key " : "Keys ") + join(missing, ", ") +
                        " not found in checkpoint " + path);
  }
  if (!mismatched.empty()) {
    throw InvalidArgumentError("Cannot restore from checkpoint " + path + ": " +
                               join(mismatched, "; "));
  }
  // Every value read and its checksum verified before anything is loaded.
  std::map<std::string, HostTensor> tensors;
  for (const auto& entry : var_list_)
    tensors.emplace(entry.first, source->read(entry.first));
  std::vector<std::pair<Variable, HostTensor>> part_values;
  for (const auto& [key, parts] : sliced_) {
    const HostTensor whole = source->read(key);
    for (const Variable& part : parts) {
      HostTensor value(part.dtype(), part.shape());
      io::tf::copy_slice_out(io::tf::slice_of(*part.save_slice_info()), whole, value);
      part_values.emplace_back(part, std::move(value));
    }
  }

  // 3. Every variable belongs to this session's graph (throws otherwise, before any write).
  for (const auto& entry : var_list_)
    (void)session.is_initialized(entry.second);
  for (const auto& entry : part_values)
    (void)session.is_initialized(entry.first);

  // 4. Only now, the writes.
  for (const auto& [key, variable] : var_list_)
    session.load_variable(variable, tensors.at(key));
  for (const auto& [part, value] : part_values)
    session.load_variable(part, value);
}

}  // namespace varscope
