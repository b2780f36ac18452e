// tf.compat.v1.train.init_from_checkpoint (TF 1.15's python/training/checkpoint_utils.py):
// the assignment map's rules and ValueError texts; the values are read first, then every
// mapped variable gets a Const "checkpoint_initializer" and a new Assign as its initializer
// (TF: a RestoreV2 op and the saveable's assign), all in one graph change.
#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "host/graph/builders.h"
#include "host/graph/graph_impl.h"
#include "host/graph/op_defs.h"
#include "host/io/checkpoint_source.h"
#include "varscope/checkpoint.h"
#include "varscope/errors.h"

namespace varscope::train {
namespace {

using detail::CheckpointSource;
using detail::CheckpointTensorInfo;

// str(variable_map) in Python: {'a': [2, 3], 'b': []}.
std::string python_repr(const std::map<std::string, CheckpointTensorInfo>& tensors) {
  std::string out = "{";
  bool first = true;
  for (const auto& [name, info] : tensors) {
    if (!first) out += ", ";
    first = false;
    out += "'" + name + "': [";
    const auto& dims = info.shape.dims();
    for (std::size_t i = 0; i < dims.size(); ++i)
      out += (i ? ", " : "") + std::to_string(dims[i]);
    out += "]";
  }
  return out + "}";
}

std::string list_repr(const Shape& shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.dims().size(); ++i)
    out += (i ? ", " : "") + std::to_string(shape.dims()[i]);
  return out + "]";
}

// A substring that is empty rather than out of range, as Python slices are.
std::string py_slice(const std::string& s, std::size_t from) {
  return from >= s.size() ? std::string() : s.substr(from);
}

[[noreturn]] void partitioned_unsupported(const std::string& name) {
  throw UnimplementedError(
      "init_from_checkpoint: " + name + " is a partitioned variable (" + name +
      "/part_0, ...); init_from_checkpoint of partitioned variables is not supported yet");
}

}  // namespace

namespace {

void init_from_checkpoint_impl(Graph& graph,
                               const std::string& ckpt_dir_or_file,
                               const std::map<std::string, AssignmentTarget>& assignment_map) {
  const std::shared_ptr<detail::GraphImpl> impl = detail::Access::impl(graph);
  const std::shared_ptr<const CheckpointSource> reader =
      detail::open_checkpoint(detail::resolve_checkpoint_path(ckpt_dir_or_file));
  const auto& variable_map = reader->tensors();

  // The variable store: get_variable full name -> variable.
  std::map<std::string, int> store_vars;
  {
    const auto lock = impl->lock_for_reading();
    for (std::size_t i = 0; i < impl->variables.size(); ++i) {
      if (!impl->variables[i].store_key.empty())
        store_vars.emplace(impl->variables[i].store_key, static_cast<int>(i));
    }
  }
  auto has_parts = [&](const std::string& name) { return store_vars.contains(name + "/part_0"); };

  std::vector<std::pair<Variable, std::string>> plan;  // variable, checkpoint name
  auto check_shape = [&](const Variable& var, const std::string& tensor_name) {
    const Shape& ckpt_shape = variable_map.at(tensor_name).shape;
    if (!var.shape().is_compatible_with(ckpt_shape)) {
      throw ValueError("Shape of variable " + var.name() + " (" + var.shape().to_string() +
                       ") doesn't match with shape of tensor " + tensor_name + " (" +
                       list_repr(ckpt_shape) + ") from checkpoint reader.");
    }
  };
  for (const auto& [tensor_name_in_ckpt, target] : assignment_map) {
    std::optional<Variable> var;
    std::string current_name;
    if (const auto* v = std::get_if<Variable>(&target)) {
      var = *v;
    } else if (std::holds_alternative<std::vector<Variable>>(target)) {
      partitioned_unsupported(tensor_name_in_ckpt);
    } else {
      current_name = std::get<std::string>(target);
      if (const auto it = store_vars.find(current_name); it != store_vars.end())
        var = detail::Access::variable(impl, it->second);
      else if (has_parts(current_name))
        partitioned_unsupported(current_name);
    }
    if (var) {
      if (!var->valid() || !(var->graph() == graph))
        throw ValueError("init_from_checkpoint: a variable of another graph");
      if (!variable_map.contains(tensor_name_in_ckpt)) {
        throw ValueError("Tensor " + tensor_name_in_ckpt + " is not found in " + ckpt_dir_or_file +
                         " checkpoint " + python_repr(variable_map));
      }
      check_shape(*var, tensor_name_in_ckpt);
      plan.emplace_back(*var, tensor_name_in_ckpt);
      continue;
    }
    std::string scopes;
    if (const std::size_t slash = current_name.rfind('/'); slash != std::string::npos)
      scopes = current_name.substr(0, slash);
    if (!tensor_name_in_ckpt.ends_with("/")) {
      throw ValueError("Assignment map with scope only name " + scopes +
                       " should map to scope only " + tensor_name_in_ckpt +
                       ". Should be 'scope/': 'other_scope/'.");
    }
    std::vector<std::string> scope_variables;
    for (const auto& entry : store_vars) {
      std::string var_name = entry.first;
      if (!scopes.empty() && !var_name.starts_with(scopes + "/")) continue;
      if (const std::size_t part = var_name.find("/part_"); part != std::string::npos)
        var_name.resize(part);
      scope_variables.push_back(var_name);
    }
    std::sort(scope_variables.begin(), scope_variables.end());
    scope_variables.erase(std::unique(scope_variables.begin(), scope_variables.end()),
                          scope_variables.end());
    for (const std::string& var_name : scope_variables) {
      std::string full_tensor_name = py_slice(var_name, scopes.size());
      if (current_name != "/") full_tensor_name = py_slice(full_tensor_name, 1);
      if (tensor_name_in_ckpt != "/") full_tensor_name = tensor_name_in_ckpt + full_tensor_name;
      if (full_tensor_name.ends_with("/")) full_tensor_name.pop_back();
      if (!variable_map.contains(full_tensor_name)) {
        throw ValueError("Tensor " + full_tensor_name + " (" +
                         py_slice(var_name, scopes.size() + 1) + " in " + tensor_name_in_ckpt +
                         ") is not found in " + ckpt_dir_or_file + " checkpoint");
      }
      const auto it = store_vars.find(var_name);
      if (it == store_vars.end()) partitioned_unsupported(var_name);
      const Variable v = detail::Access::variable(impl, it->second);
      check_shape(v, full_tensor_name);
      plan.emplace_back(v, full_tensor_name);
    }
  }

  // Every value read (checksums verified) and checked before the graph changes.
  std::vector<HostTensor> values;
  for (const auto& [var, name] : plan) {
    const CheckpointTensorInfo& info = variable_map.at(name);
    if (info.dtype != var.dtype()) {
      throw InvalidArgumentError("tensor_name = " + name + "; expected dtype " +
                                 std::string(dtype_name(var.dtype())) +
                                 " does not equal original dtype " + info.dtype_name);
    }
    values.push_back(reader->read(name));
  }

  impl->mutate([&] {
    std::vector<std::pair<int, int>> made;  // (const node, assign node) per plan entry
    for (std::size_t i = 0; i < plan.size(); ++i) {
      const detail::VariableRecord& rec =
          impl->variables[static_cast<std::size_t>(plan[i].first.id())];
      const detail::Node& old_assign = impl->node(rec.assign);
      const detail::TensorRef value = detail::build_constant(
          *impl, values[i], std::nullopt, std::nullopt, false, "checkpoint_initializer");
      detail::Attrs attrs = old_assign.attrs;
      const int assign = detail::add_op(*impl, detail::OpType::kAssign, "Assign",
                                        {{rec.node, 0}, value}, std::move(attrs));
      made.emplace_back(value.node, assign);
    }
    // Nothing below throws: the records change only once every node is in place.
    for (std::size_t i = 0; i < plan.size(); ++i) {
      detail::VariableRecord& rec = impl->variables[static_cast<std::size_t>(plan[i].first.id())];
      rec.initial_value = {made[i].first, 0};
      rec.assign = made[i].second;
    }
  });
}

}  // namespace

void init_from_checkpoint(Graph& graph,
                          const std::string& ckpt_dir_or_file,
                          const std::map<std::string, AssignmentTarget>& assignment_map) {
  detail::checkpoint_api(
      [&] { init_from_checkpoint_impl(graph, ckpt_dir_or_file, assignment_map); });
}

}  // namespace varscope::train
