// tf.compat.v1.train.init_from_checkpoint (TF 1.15's python/training/checkpoint_utils.py):
// the assignment map's rules and ValueError texts; the values are read first, then every
// mapped variable gets a Const "checkpoint_initializer" and a new Assign as its initializer
// (TF: a RestoreV2 op and the saveable's assign), all in one graph change. A partitioned
// variable's parts each take their slice of the checkpoint's tensor (TF: the part's
// save_slice_info spec in the RestoreV2).
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "host/graph/builders.h"
#include "host/graph/graph_impl.h"
#include "host/graph/op_defs.h"
#include "host/io/checkpoint_source.h"
#include "host/io/tf/bundle.h"
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

// TensorShape::DebugString: [7,2].
std::string tf_shape_string(const Shape& shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.dims().size(); ++i)
    out += (i ? "," : "") + std::to_string(shape.dims()[i]);
  return out + "]";
}

// A substring that is empty rather than out of range, as Python slices are.
std::string py_slice(const std::string& s, std::size_t from) {
  return from >= s.size() ? std::string() : s.substr(from);
}

// One variable, or one part of a partitioned variable, and what initializes it.
struct Target {
  Variable var;
  std::string tensor;                  // the checkpoint's name
  std::optional<SaveSliceInfo> slice;  // a part: its place in the checkpoint's tensor
};

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
  // TF's _collect_partitioned_variable: name/part_0, name/part_1, ... while they exist.
  auto parts_of = [&](const std::string& name) {
    std::vector<Variable> parts;
    for (auto it = store_vars.find(name + "/part_0"); it != store_vars.end();
         it = store_vars.find(name + "/part_" + std::to_string(parts.size())))
      parts.push_back(detail::Access::variable(impl, it->second));
    return parts;
  };

  std::vector<Target> plan;
  auto check_shape = [&](const Variable& var, const std::string& tensor_name) {
    const Shape& ckpt_shape = variable_map.at(tensor_name).shape;
    if (!var.shape().is_compatible_with(ckpt_shape)) {
      throw ValueError("Shape of variable " + var.name() + " (" + var.shape().to_string() +
                       ") doesn't match with shape of tensor " + tensor_name + " (" +
                       list_repr(ckpt_shape) + ") from checkpoint reader.");
    }
  };
  // TF's _set_variable_or_list_initializer: the parts of one partitioned variable each
  // restore their slice (its full shape must be the checkpoint tensor's).
  auto add_parts = [&](const std::vector<Variable>& parts, const std::string& tensor_name) {
    std::optional<std::string> whole;
    for (const Variable& part : parts) {
      if (!part.valid() || !(part.graph() == graph))
        throw ValueError("init_from_checkpoint: a variable of another graph");
      std::optional<SaveSliceInfo> info = part.save_slice_info();
      if (!info) {
        throw ValueError("init_from_checkpoint: " + part.name() +
                         " in a list of variables is not a part of a partitioned variable");
      }
      if (whole && *whole != info->full_name) {
        throw ValueError("Slices must all be from the same tensor: " + *whole +
                         " != " + info->full_name);
      }
      whole = info->full_name;
      const Shape& ckpt_shape = variable_map.at(tensor_name).shape;
      if (Shape(info->full_shape) != ckpt_shape) {
        throw InvalidArgumentError(
            "tensor_name = " + tensor_name + "; shape in shape_and_slice spec " +
            tf_shape_string(Shape(info->full_shape)) +
            " does not match the shape stored in checkpoint: " + tf_shape_string(ckpt_shape));
      }
      plan.push_back({part, tensor_name, std::move(info)});
    }
  };
  for (const auto& [tensor_name_in_ckpt, target] : assignment_map) {
    std::optional<Variable> var;
    std::vector<Variable> parts;
    std::string current_name;
    if (const auto* v = std::get_if<Variable>(&target)) {
      var = *v;
    } else if (const auto* list = std::get_if<std::vector<Variable>>(&target)) {
      parts = *list;
    } else {
      current_name = std::get<std::string>(target);
      if (const auto it = store_vars.find(current_name); it != store_vars.end())
        var = detail::Access::variable(impl, it->second);
      else
        parts = parts_of(current_name);
    }
    if (var || !parts.empty()) {
      if (var && (!var->valid() || !(var->graph() == graph)))
        throw ValueError("init_from_checkpoint: a variable of another graph");
      if (!variable_map.contains(tensor_name_in_ckpt)) {
        throw ValueError("Tensor " + tensor_name_in_ckpt + " is not found in " + ckpt_dir_or_file +
                         " checkpoint " + python_repr(variable_map));
      }
      if (var) {
        check_shape(*var, tensor_name_in_ckpt);
        plan.push_back({*var, tensor_name_in_ckpt, std::nullopt});
      } else {
        add_parts(parts, tensor_name_in_ckpt);
      }
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
      if (const auto it = store_vars.find(var_name); it != store_vars.end()) {
        const Variable v = detail::Access::variable(impl, it->second);
        check_shape(v, full_tensor_name);
        plan.push_back({v, full_tensor_name, std::nullopt});
      } else {
        add_parts(parts_of(var_name), full_tensor_name);
      }
    }
  }

  // Every value read (checksums verified) and checked before the graph changes; a part's
  // is its slice of the whole.
  std::vector<HostTensor> values;
  for (const Target& t : plan) {
    const CheckpointTensorInfo& info = variable_map.at(t.tensor);
    if (info.dtype != t.var.dtype()) {
      throw InvalidArgumentError("tensor_name = " + t.tensor + "; expected dtype " +
                                 std::string(dtype_name(t.var.dtype())) +
                                 " does not equal original dtype " + info.dtype_name);
    }
    HostTensor whole = reader->read(t.tensor);
    if (!t.slice) {
      values.push_back(std::move(whole));
      continue;
    }
    HostTensor part(t.var.dtype(), Shape(t.slice->var_shape));
    io::tf::copy_slice_out(io::tf::slice_of(*t.slice), whole, part);
    values.push_back(std::move(part));
  }

  impl->mutate([&] {
    std::vector<std::pair<int, int>> made;  // (const node, assign node) per plan entry
    for (std::size_t i = 0; i < plan.size(); ++i) {
      const detail::VariableRecord& rec =
          impl->variables[static_cast<std::size_t>(plan[i].var.id())];
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
      detail::VariableRecord& rec = impl->variables[static_cast<std::size_t>(plan[i].var.id())];
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
