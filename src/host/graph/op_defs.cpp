#include "host/graph/op_defs.h"

#include <array>
#include <span>

#include "host/graph/op_rows/op_rows.h"
#include "varscope/errors.h"

namespace varscope::detail {
namespace {

// The rows of every concept's table, indexed by OpType. A missing or repeated row is a
// library bug: found on first use (and by op_table_test, which asks for every op type).
struct OpTable {
  std::array<const OpDef*, kNumOpTypes> rows{};
  OpTable() {
    for (std::span<const OpDef> part :
         {op_rows::state_ops(), op_rows::array_ops(), op_rows::random_ops(), op_rows::math_ops(),
          op_rows::nn_ops(), op_rows::conv_ops(), op_rows::training_ops(), op_rows::axis_ops(),
          op_rows::data_flow_ops(), op_rows::collective_ops(), op_rows::summary_ops()}) {
      for (const OpDef& def : part) {
        const auto i = static_cast<std::size_t>(def.op);
        if (i >= rows.size() || rows[i] != nullptr) {
          throw InternalError("Op " + std::string(def.name) + " has more than one row");
        }
        rows[i] = &def;
      }
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (rows[i] == nullptr) {
        throw InternalError("OpType " + std::to_string(i) + " has no row in the op table");
      }
    }
  }
};

}  // namespace

const OpDef& op_def(OpType op) {
  static const OpTable table;
  return *table.rows[static_cast<std::size_t>(op)];
}

// How many leading inputs of an op are TF ref inputs (a variable's storage, not a value).
int ref_inputs(OpType op) {
  switch (op) {
    case OpType::kAssign:
    case OpType::kAssignAdd:
    case OpType::kAssignSub:
    case OpType::kIsVariableInitialized:
    case OpType::kApplyGradientDescent:
    case OpType::kScatterAdd:
    case OpType::kScatterSub:
      return 1;
    case OpType::kApplyMomentum:
    case OpType::kSparseApplyMomentum:
      return 2;
    case OpType::kApplyAdam:
      return 3;
    default:
      return 0;
  }
}

std::string_view input_name(const OpDef& def, int index) {
  std::string_view names = def.inputs;
  for (int i = 0; i < index; ++i) {
    const std::size_t comma = names.find(", ");
    if (comma == std::string_view::npos) return names;  // a list input
    names.remove_prefix(comma + 2);
  }
  return names.substr(0, names.find(", "));
}

void check_dtype(const OpDef& def, std::string_view parameter, DType dtype) {
  if (def.types.contains(dtype)) return;
  throw TypeError("Value passed to parameter '" + std::string(parameter) + "' has DataType " +
                  std::string(dtype_name(dtype)) +
                  " not in list of allowed values: " + std::string(def.types.text()));
}

void check_input_dtype(const OpDef& def, int index, DType dtype) {
  check_dtype(def, input_name(def, index), dtype);
}

void check_attrs(const OpDef& def, std::string_view node_name, const Attrs& attrs) {
  for (const auto& [name, value] : attrs) {
    if (!name.empty() && name.front() == '_') continue;
    bool known = false;
    for (int i = 0; i < def.num_attrs && !known; ++i) {
      const AttrDef& d = def.attrs[static_cast<std::size_t>(i)];
      if (d.name != name) continue;
      if (value.index() != static_cast<std::size_t>(d.type)) {
        throw InternalError("Attr '" + name + "' of node '" + std::string(node_name) + "' (op " +
                            std::string(def.name) + ") has the wrong type");
      }
      known = true;
    }
    if (!known) {
      throw InternalError("Op " + std::string(def.name) + " defines no attr '" + name +
                          "' (node '" + std::string(node_name) + "')");
    }
  }
}

void throw_attr_error(const Node& node, std::string_view name, bool missing) {
  throw InternalError("Node '" + node.name + "' (op " + node.type + ") " +
                      (missing ? "has no attr '" : "has another type of attr '") +
                      std::string(name) + "'");
}

}  // namespace varscope::detail
