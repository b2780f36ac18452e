// The op types a graph may hold, in one table: each one's TF type name, its attributes
// with their types, and the shape rule of its output. Builders create nodes through it,
// the planner switches on the enum, and attributes are read only through attr<T>().
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "host/graph/graph_impl.h"
#include "host/graph/op_type.h"

namespace varscope::detail {

// The attribute names the library writes and reads (TF's spellings); char arrays, so
// that they make an Attrs entry's std::string.
namespace attr_name {
inline constexpr char kT[] = "T";
inline constexpr char kDType[] = "dtype";
inline constexpr char kShape[] = "shape";
inline constexpr char kValue[] = "value";
inline constexpr char kSeed[] = "seed";
inline constexpr char kSeed2[] = "seed2";
inline constexpr char kTout[] = "Tout";
inline constexpr char kTransposeA[] = "transpose_a";
inline constexpr char kTransposeB[] = "transpose_b";
inline constexpr char kAdjX[] = "adj_x";
inline constexpr char kAdjY[] = "adj_y";
inline constexpr char kKeepDims[] = "keep_dims";
inline constexpr char kUseLocking[] = "use_locking";
inline constexpr char kValidateShape[] = "validate_shape";
inline constexpr char kSrcT[] = "SrcT";
inline constexpr char kDstT[] = "DstT";
inline constexpr char kN[] = "N";
inline constexpr char kTlabels[] = "Tlabels";
inline constexpr char kUseNesterov[] = "use_nesterov";
inline constexpr char kMean[] = "mean";  // BroadcastToShape: divide by the reduced count
}  // namespace attr_name

// The alternatives of AttrValue, in its order.
enum class AttrType : std::uint8_t {
  kInt,
  kFloat,
  kBool,
  kString,
  kDType,
  kShape,
  kTensor,
  kStrings
};

struct AttrDef {
  std::string_view name;
  AttrType type = AttrType::kInt;
};

// Which rule of host/core/shape_rules.h (or which attribute) gives the output's shape.
enum class ShapeFn : std::uint8_t {
  kNone,         // no output (NoOp)
  kFromAttrs,    // Const's value, Placeholder's and VariableV2's shape
  kShapeInput,   // random ops and Fill: the shape the builder was given
  kSameAsInput,  // unary ops, Identity, Assign*, Cast (with its DstT)
  kScalar,       // IsVariableInitialized
  kBroadcast,    // elementwise binary ops: broadcast()
  kMatMul,       // matmul_shape()
  kReduction,    // reduction_axes() and reduced_shape()
  kSecondInput,  // SumToShape, BroadcastToShape: the shape of input 1
  kLoss,         // the xent ops: [batch] and [batch, classes]
};

struct OpDef {
  OpType op;
  std::string_view name;  // TF's type name: node names, DOT, messages
  std::array<AttrDef, 3> attrs;
  int num_attrs = 0;
  ShapeFn shape = ShapeFn::kNone;
};

const OpDef& op_def(OpType op);
// Throws vs::InternalError when `attrs` holds an attribute the op does not define or one of
// another type (names starting with '_' are TF's free-form internal attributes).
void check_attrs(const OpDef& def, std::string_view node_name, const Attrs& attrs);

[[noreturn]] void throw_attr_error(const Node& node, std::string_view name, bool missing);

// A node's attribute of type T; vs::InternalError naming the node and the attribute when it
// is missing or of another type (a library bug, never a user's).
template <typename T>
const T& attr(const Node& node, std::string_view name) {
  const AttrValue* v = node.find_attr(name);
  if (v == nullptr) [[unlikely]]
    throw_attr_error(node, name, /*missing=*/true);
  const T* value = std::get_if<T>(v);
  if (value == nullptr) [[unlikely]]
    throw_attr_error(node, name, /*missing=*/false);
  return *value;
}

}  // namespace varscope::detail
