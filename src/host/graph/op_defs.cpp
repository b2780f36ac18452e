#include "host/graph/op_defs.h"

#include "varscope/errors.h"

namespace varscope::detail {
namespace {

namespace a = attr_name;
using T = AttrType;

constexpr AttrDef kTypeT{a::kT, T::kDType};
constexpr AttrDef kSeed{a::kSeed, T::kInt};
constexpr AttrDef kSeed2{a::kSeed2, T::kInt};

// Indexed by OpType (checked below).
constexpr std::array<OpDef, kNumOpTypes> kDefs = {{
    {OpType::kConst,
     "Const",
     {{{a::kValue, T::kTensor}, {a::kDType, T::kDType}}},
     2,
     ShapeFn::kFromAttrs},
    {OpType::kPlaceholder,
     "Placeholder",
     {{{a::kDType, T::kDType}, {a::kShape, T::kShape}}},
     2,
     ShapeFn::kFromAttrs},
    {OpType::kVariableV2,
     "VariableV2",
     {{{a::kShape, T::kShape}, {a::kDType, T::kDType}}},
     2,
     ShapeFn::kFromAttrs},
    {OpType::kIdentity, "Identity", {{kTypeT}}, 1, ShapeFn::kSameAsInput},
    {OpType::kAssign,
     "Assign",
     {{kTypeT, {a::kValidateShape, T::kBool}, {a::kUseLocking, T::kBool}}},
     3,
     ShapeFn::kSameAsInput},
    {OpType::kAssignAdd,
     "AssignAdd",
     {{kTypeT, {a::kUseLocking, T::kBool}}},
     2,
     ShapeFn::kSameAsInput},
    {OpType::kNoOp, "NoOp", {}, 0, ShapeFn::kNone},
    {OpType::kIsVariableInitialized,
     "IsVariableInitialized",
     {{{a::kDType, T::kDType}}},
     1,
     ShapeFn::kScalar},
    {OpType::kFill, "Fill", {{kTypeT}}, 1, ShapeFn::kShapeInput},
    {OpType::kRandomUniform,
     "RandomUniform",
     {{{a::kDType, T::kDType}, kSeed, kSeed2}},
     3,
     ShapeFn::kShapeInput},
    {OpType::kRandomStandardNormal,
     "RandomStandardNormal",
     {{{a::kDType, T::kDType}, kSeed, kSeed2}},
     3,
     ShapeFn::kShapeInput},
    {OpType::kTruncatedNormal,
     "TruncatedNormal",
     {{{a::kDType, T::kDType}, kSeed, kSeed2}},
     3,
     ShapeFn::kShapeInput},
    {OpType::kRandomUniformInt,
     "RandomUniformInt",
     {{{a::kTout, T::kDType}, kSeed, kSeed2}},
     3,
     ShapeFn::kShapeInput},
    {OpType::kMatMul,
     "MatMul",
     {{{a::kTransposeA, T::kBool}, {a::kTransposeB, T::kBool}, kTypeT}},
     3,
     ShapeFn::kMatMul},
    {OpType::kBatchMatMulV2,
     "BatchMatMulV2",
     {{{a::kAdjX, T::kBool}, {a::kAdjY, T::kBool}, kTypeT}},
     3,
     ShapeFn::kMatMul},
    {OpType::kAdd, "Add", {{kTypeT}}, 1, ShapeFn::kBroadcast},
    {OpType::kAddV2, "AddV2", {{kTypeT}}, 1, ShapeFn::kBroadcast},
    {OpType::kBiasAdd, "BiasAdd", {{kTypeT}}, 1, ShapeFn::kBroadcast},
    {OpType::kSub, "Sub", {{kTypeT}}, 1, ShapeFn::kBroadcast},
    {OpType::kMul, "Mul", {{kTypeT}}, 1, ShapeFn::kBroadcast},
    {OpType::kRealDiv, "RealDiv", {{kTypeT}}, 1, ShapeFn::kBroadcast},
    {OpType::kRelu, "Relu", {{kTypeT}}, 1, ShapeFn::kSameAsInput},
    {OpType::kSigmoid, "Sigmoid", {{kTypeT}}, 1, ShapeFn::kSameAsInput},
    {OpType::kTanh, "Tanh", {{kTypeT}}, 1, ShapeFn::kSameAsInput},
    {OpType::kSoftmax, "Softmax", {{kTypeT}}, 1, ShapeFn::kSameAsInput},
    {OpType::kSum, "Sum", {{kTypeT, {a::kKeepDims, T::kBool}}}, 2, ShapeFn::kReduction},
    {OpType::kMean, "Mean", {{kTypeT, {a::kKeepDims, T::kBool}}}, 2, ShapeFn::kReduction},
    {OpType::kCast,
     "Cast",
     {{{a::kSrcT, T::kDType}, {a::kDstT, T::kDType}}},
     2,
     ShapeFn::kSameAsInput},
    {OpType::kSquare, "Square", {{kTypeT}}, 1, ShapeFn::kSameAsInput},
    {OpType::kExp, "Exp", {{kTypeT}}, 1, ShapeFn::kSameAsInput},
    {OpType::kLog, "Log", {{kTypeT}}, 1, ShapeFn::kSameAsInput},
    {OpType::kNeg, "Neg", {{kTypeT}}, 1, ShapeFn::kSameAsInput},
    {OpType::kReluGrad, "ReluGrad", {{kTypeT}}, 1, ShapeFn::kSameAsInput},
    {OpType::kSigmoidGrad, "SigmoidGrad", {{kTypeT}}, 1, ShapeFn::kSameAsInput},
    {OpType::kTanhGrad, "TanhGrad", {{kTypeT}}, 1, ShapeFn::kSameAsInput},
    {OpType::kAddN, "AddN", {{{a::kN, T::kInt}, kTypeT}}, 2, ShapeFn::kSameAsInput},
    {OpType::kOnesLike, "OnesLike", {{kTypeT}}, 1, ShapeFn::kSameAsInput},
    {OpType::kZerosLike, "ZerosLike", {{kTypeT}}, 1, ShapeFn::kSameAsInput},
    {OpType::kSumToShape, "SumToShape", {{kTypeT}}, 1, ShapeFn::kSecondInput},
    {OpType::kBroadcastToShape,
     "BroadcastToShape",
     {{kTypeT, {a::kMean, T::kBool}}},
     2,
     ShapeFn::kSecondInput},
    {OpType::kSoftmaxXent, "SoftmaxCrossEntropyWithLogits", {{kTypeT}}, 1, ShapeFn::kLoss},
    {OpType::kSparseSoftmaxXent,
     "SparseSoftmaxCrossEntropyWithLogits",
     {{kTypeT, {a::kTlabels, T::kDType}}},
     2,
     ShapeFn::kLoss},
    {OpType::kApplyGradientDescent,
     "ApplyGradientDescent",
     {{kTypeT, {a::kUseLocking, T::kBool}}},
     2,
     ShapeFn::kSameAsInput},
    {OpType::kApplyMomentum,
     "ApplyMomentum",
     {{kTypeT, {a::kUseLocking, T::kBool}, {a::kUseNesterov, T::kBool}}},
     3,
     ShapeFn::kSameAsInput},
    {OpType::kApplyAdam,
     "ApplyAdam",
     {{kTypeT, {a::kUseLocking, T::kBool}, {a::kUseNesterov, T::kBool}}},
     3,
     ShapeFn::kSameAsInput},
}};

constexpr bool indexed_by_op() {
  for (int i = 0; i < kNumOpTypes; ++i) {
    if (static_cast<int>(kDefs[static_cast<std::size_t>(i)].op) != i) return false;
  }
  return true;
}
static_assert(indexed_by_op(), "kDefs must list the ops in OpType's order");

}  // namespace

const OpDef& op_def(OpType op) {
  return kDefs[static_cast<std::size_t>(op)];
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
