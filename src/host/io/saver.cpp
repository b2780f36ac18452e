// Saver: variables to and from safetensors checkpoints, keyed by op name.
#include "host/io/saver.h"

#include <string>
#include <utility>
#include <vector>

#include "host/io/safetensors.h"
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

}  // namespace

namespace io {

void save_variables(Session& session,
                    const Graph& graph,
                    const std::map<std::string, Variable>& var_list,
                    const std::string& path,
                    const SinkFilter& filter) {
  // Every value is fetched before the file is touched: an uninitialized variable fails here.
  std::map<std::string, HostTensor> values;
  for (const auto& [key, variable] : var_list)
    values.emplace(key, session.run(variable));
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

Saver::Saver(const Graph& graph, SaverOptions options) : graph_(graph) {
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
    const auto [it, inserted] = var_list_.emplace(key, variable);
    // The same variable listed twice (two handles of one shared variable) is harmless.
    if (!inserted && !(it->second == variable)) {
      throw ValueError("At least two variables have the same name: " + key);
    }
  };
  for (const Variable& v : variables)
    add(checkpoint_key(v.op_name(), options.prefix_map), v);
  for (const auto& [key, v] : options.name_map)
    add(key, v);
}

void Saver::save(Session& session, const std::string& path) const {
  io::save_variables(session, graph_, var_list_, path, {});
}

void Saver::restore(Session& session, const std::string& path) const {
  // 1. The whole file, validated (vs::DataLossError names the problem).
  const std::map<std::string, HostTensor> tensors = read_safetensors(path);

  // 2. Every key present, with its variable's dtype and shape.
  std::vector<std::string> missing;
  std::vector<std::string> mismatched;
  for (const auto& [key, variable] : var_list_) {
    const auto it = tensors.find(key);
    const std::string op_name = variable.op_name();
    if (it == tensors.end()) {
      missing.push_back(key == op_name ? key : key + " (for variable " + op_name + ")");
      continue;
    }
    const HostTensor& value = it->second;
    if (value.dtype() != variable.dtype() || value.shape() != variable.shape()) {
      mismatched.push_back("checkpoint entry " + key + " has " +
                           describe(value.dtype(), value.shape()) + ", but variable " + op_name +
                           " has " + describe(variable.dtype(), variable.shape()));
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

  // 3. Every variable belongs to this session's graph (throws otherwise, before any write).
  for (const auto& entry : var_list_)
    (void)session.is_initialized(entry.second);

  // 4. Only now, the writes.
  for (const auto& [key, variable] : var_list_)
    session.load_variable(variable, tensors.at(key));
}

}  // namespace varscope
