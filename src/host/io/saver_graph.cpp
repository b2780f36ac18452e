// saver.py's BaseSaverBuilder._build_internal with BulkSaverBuilder's one RestoreV2, node for
// node: the file name (Const, two PlaceholderWithDefaults), SaveV2 and the
// control_dependency that names its output, RestoreV2 on the CPU, one Assign per variable and
// control_flow_ops.group's restore_all.
#include "host/io/saver_graph.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <string>
#include <unordered_set>
#include <vector>

#include "host/io/tf/bundle.h"
#include "varscope/errors.h"

namespace varscope::io {
namespace {

namespace tfp = ::varscope::tf;

constexpr char kCpu[] = "/device:CPU:0";  // BulkSaverBuilder.bulk_restore's device

// TF's name_scope("save"): "save", or "save_<n>" when a node or scope of that name (compared
// lower-cased, as Graph.unique_name) exists.
std::string saver_scope(const tfp::GraphDef& def) {
  std::unordered_set<std::string> used;
  for (const tfp::NodeDef& n : def.node()) {
    std::string name = n.name();
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (std::size_t slash = name.find('/'); slash != std::string::npos;
         slash = name.find('/', slash + 1))
      used.insert(name.substr(0, slash));
    used.insert(std::move(name));
  }
  std::string scope = "save";
  for (int i = 1; used.contains(scope); ++i)
    scope = "save_" + std::to_string(i);
  return scope;
}

// TF's numbering of a repeated name or output: `base` for 0, else base + separator + i.
std::string numbered(std::string base, char separator, std::size_t i) {
  if (i == 0) return base;
  base += separator;
  base += std::to_string(i);
  return base;
}

tfp::NodeDef& add_node(tfp::GraphDef& def,
                       const std::string& name,
                       const char* op,
                       const std::string& device = "") {
  tfp::NodeDef& n = *def.add_node();
  n.set_name(name);
  n.set_op(op);
  n.set_device(device);
  return n;
}

void set_string_type(tfp::NodeDef& n, const char* attr) {
  (*n.mutable_attr())[attr].set_type(tfp::DT_STRING);
}

// A string Const: a scalar, or a vector of `values`.
void add_string_const(tfp::GraphDef& def,
                      const std::string& name,
                      const std::vector<std::string>* values,
                      const std::string& scalar = "",
                      const std::string& device = "") {
  tfp::NodeDef& n = add_node(def, name, "Const", device);
  set_string_type(n, "dtype");
  tfp::TensorProto& t = *(*n.mutable_attr())["value"].mutable_tensor();
  t.set_dtype(tfp::DT_STRING);
  t.mutable_tensor_shape();  // a scalar's shape is present and empty
  if (values == nullptr) {
    t.add_string_val(scalar);
    return;
  }
  t.mutable_tensor_shape()->add_dim()->set_size(static_cast<std::int64_t>(values->size()));
  for (const std::string& v : *values)
    t.add_string_val(v);
}

void add_placeholder_with_default(tfp::GraphDef& def,
                                  const std::string& name,
                                  const std::string& input) {
  tfp::NodeDef& n = add_node(def, name, "PlaceholderWithDefault");
  n.add_input(input);
  set_string_type(n, "dtype");
  (*n.mutable_attr())["shape"].mutable_shape();
}

void set_dtypes(tfp::NodeDef& n, const std::vector<Variable>& variables) {
  auto& list = *(*n.mutable_attr())["dtypes"].mutable_list();
  for (const Variable& v : variables)
    list.add_type(tf::tf_data_type(v.dtype()));
}

// The Assign's colocation: the variable's own group (an imported variable keeps TF's, e.g.
// a slot's primary), else the variable itself.
std::vector<std::string> colocation(const Variable& v) {
  const Operation op = v.op();
  if (op.has_attr("_class")) return op.attr_strings("_class");
  return {"loc:@" + v.op_name()};
}

void add_class(tfp::NodeDef& n, const std::vector<std::string>& groups) {
  auto& list = *(*n.mutable_attr())["_class"].mutable_list();
  for (const std::string& g : groups)
    list.add_s(g);
}

// control_flow_ops.group(*assigns, name=restore_all): one NoOp for one device, else a NoOp
// per device (sorted, "" first) under the name and the named NoOp over them.
void add_group(tfp::GraphDef& def,
               const std::string& name,
               const std::map<std::string, std::vector<std::string>>& by_device) {
  const auto no_op = [&](const std::string& op_name, const std::string& device,
                         std::vector<std::string> deps) {
    std::sort(deps.begin(), deps.end());  // TF's NodeDefs list control inputs sorted
    tfp::NodeDef& n = add_node(def, op_name, "NoOp", device);
    for (const std::string& d : deps)
      n.add_input("^" + d);
  };
  if (by_device.size() == 1) {
    no_op(name, by_device.begin()->first, by_device.begin()->second);
    return;
  }
  std::vector<std::string> groups;
  for (const auto& [device, deps] : by_device) {
    groups.push_back(numbered(name + "/NoOp", '_', groups.size()));
    no_op(groups.back(), device, deps);
  }
  no_op(name, "", groups);
}

}  // namespace

void add_saver_graph(const Graph& graph, const Saver& saver, tfp::MetaGraphDef& meta) {
  // TF's saveables sorted by key: a plain variable under its key with an empty slice spec, a
  // partitioned one as each part under the whole's key with the part's slice spec.
  std::map<std::string, std::vector<std::pair<Variable, std::string>>> saveables;
  for (const auto& [key, v] : saver.var_list())
    saveables[key].emplace_back(v, "");
  for (const auto& [key, parts] : saver.sliced_var_list())
    for (const Variable& part : parts)
      saveables[key].emplace_back(part, part.save_slice_info().value().spec());
  std::vector<std::string> names, slices;
  std::vector<Variable> variables;
  for (const auto& [key, entries] : saveables) {
    for (const auto& [v, slice] : entries) {
      if (!(v.graph() == graph)) {
        throw ValueError("Variable " + v.name() + " is not an element of this graph.");
      }
      names.push_back(key);
      slices.push_back(slice);
      variables.push_back(v);
    }
  }
  if (variables.empty()) throw ValueError("No variables to save");
  tfp::GraphDef& def = *meta.mutable_graph_def();
  const std::string s = saver_scope(def) + "/";

  add_string_const(def, s + "filename/input", nullptr, "model");
  add_placeholder_with_default(def, s + "filename", s + "filename/input");
  add_placeholder_with_default(def, s + "Const", s + "filename");

  add_string_const(def, s + "SaveV2/tensor_names", &names);
  add_string_const(def, s + "SaveV2/shape_and_slices", &slices);
  tfp::NodeDef& save = add_node(def, s + "SaveV2", "SaveV2");
  for (const char* in : {"Const", "SaveV2/tensor_names", "SaveV2/shape_and_slices"})
    save.add_input(s + in);
  // TF saves a plain variable by its ref, a part of a partitioned one through its read.
  for (std::size_t i = 0; i < variables.size(); ++i)
    save.add_input(slices[i].empty() ? variables[i].op_name() : variables[i].value().op().name());
  set_dtypes(save, variables);

  tfp::NodeDef& saved = add_node(def, s + "control_dependency", "Identity");
  saved.add_input(s + "Const");
  saved.add_input("^" + s + "SaveV2");
  set_string_type(saved, "T");
  add_class(saved, {"loc:@" + s + "Const"});

  add_string_const(def, s + "RestoreV2/tensor_names", &names, "", kCpu);
  add_string_const(def, s + "RestoreV2/shape_and_slices", &slices, "", kCpu);
  tfp::NodeDef& restore = add_node(def, s + "RestoreV2", "RestoreV2", kCpu);
  for (const char* in : {"Const", "RestoreV2/tensor_names", "RestoreV2/shape_and_slices"})
    restore.add_input(s + in);
  set_dtypes(restore, variables);

  std::map<std::string, std::vector<std::string>> assigns_by_device;
  for (std::size_t i = 0; i < variables.size(); ++i) {
    const Variable& v = variables[i];
    const std::string device = v.op().device();
    const std::string name = numbered(s + "Assign", '_', i);
    tfp::NodeDef& assign = add_node(def, name, "Assign", device);
    assign.add_input(v.op_name());
    assign.add_input(numbered(s + "RestoreV2", ':', i));
    auto& attrs = *assign.mutable_attr();
    attrs["T"].set_type(tf::tf_data_type(v.dtype()));
    add_class(assign, colocation(v));
    attrs["use_locking"].set_b(true);
    attrs["validate_shape"].set_b(v.shape().is_fully_defined());
    assigns_by_device[device].push_back(name);
  }
  add_group(def, s + "restore_all", assigns_by_device);

  tfp::SaverDef& saver_def = *meta.mutable_saver_def();
  saver_def.set_filename_tensor_name(s + "Const:0");
  saver_def.set_save_tensor_name(s + "control_dependency:0");
  saver_def.set_restore_op_name(s + "restore_all");
  saver_def.set_max_to_keep(saver.options().max_to_keep);
  saver_def.set_keep_checkpoint_every_n_hours(
      static_cast<float>(saver.options().keep_checkpoint_every_n_hours));
  saver_def.set_version(tfp::SaverDef::V2);
}

}  // namespace varscope::io
