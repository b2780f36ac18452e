#include "host/graph/op_defs.h"

#include "host/graph/gradients/grad_fns.h"
#include "varscope/errors.h"

namespace varscope::detail {
namespace {

namespace a = attr_name;
using T = AttrType;

constexpr AttrDef kTypeT{a::kT, T::kDType};
constexpr AttrDef kSeed{a::kSeed, T::kInt};
constexpr AttrDef kSeed2{a::kSeed2, T::kInt};

// TF 1.15's allowed values of the type attributes (op_def_registry), in TF's order: the
// text is what TF's type errors list.
constexpr DTypeSet kNumberTypes{
    "float32, float64, int32, uint8, int16, int8, complex64, int64, qint8, quint8, qint32, "
    "bfloat16, uint16, complex128, float16, uint32, uint64"};
constexpr DTypeSet kFloatTypes{"float16, bfloat16, float32, float64"};
constexpr DTypeSet kRandomTypes{"float16, bfloat16, float32, float64"};
constexpr DTypeSet kIndexTypes{"int32, int64"};
constexpr DTypeSet kMatMulTypes{
    "bfloat16, float16, float32, float64, int32, int64, complex64, complex128"};
constexpr DTypeSet kAddTypes{
    "bfloat16, float16, float32, float64, uint8, int8, int16, int32, int64, complex64, "
    "complex128, string"};
constexpr DTypeSet kAddV2Types{
    "bfloat16, float16, float32, float64, uint8, int8, int16, int32, int64, complex64, "
    "complex128"};
constexpr DTypeSet kBinaryMoreTypes{
    "bfloat16, float16, float32, float64, uint8, int8, uint16, int16, int32, int64, complex64, "
    "complex128"};
constexpr DTypeSet kRealNumberTypes{
    "float32, float64, int32, uint8, int16, int8, int64, bfloat16, uint16, float16, uint32, "
    "uint64, qint8"};
constexpr DTypeSet kReluGradTypes{
    "float32, float64, int32, uint8, int16, int8, int64, bfloat16, uint16, float16, uint32, "
    "uint64"};
constexpr DTypeSet kUnaryComplexTypes{"bfloat16, float16, float32, float64, complex64, complex128"};
constexpr DTypeSet kUnaryTypes{
    "bfloat16, float16, float32, float64, int32, int64, complex64, complex128"};
constexpr DTypeSet kAddNTypes{
    "float32, float64, int32, uint8, int16, int8, complex64, int64, qint8, quint8, qint32, "
    "bfloat16, uint16, complex128, float16, uint32, uint64, variant"};
constexpr DTypeSet kOnesLikeTypes{
    "bfloat16, float16, float32, float64, int8, uint8, int16, uint16, int32, int64, complex64, "
    "complex128, bool"};
constexpr DTypeSet kXentTypes{"float16, bfloat16, float32, float64"};

using K = OpKind;
using kernels::ActivationGrad;
using kernels::BinaryOp;
using kernels::ReduceOp;
using kernels::UnaryOp;
using kernels::UpdateRule;

// One row per op type, indexed by OpType (checked below).
// Rows are packed by hand (clang-format would give each field its own line).
// clang-format off
constexpr std::array<OpDef, kNumOpTypes> kDefs = {{
    // uploaded once, by the plain first run, then cached
    {.op = OpType::kConst, .name = "Const", .outputs = "output",
     .attrs = {{{a::kValue, T::kTensor}, {a::kDType, T::kDType}}}, .num_attrs = 2,
     .shape = ShapeFn::kFromAttrs, .kernel = kernel_of(K::kConst), .grad = grad::not_differentiable,
     .capture = Capture::kYes},
    {.op = OpType::kPlaceholder, .name = "Placeholder", .outputs = "output",
     .attrs = {{{a::kDType, T::kDType}, {a::kShape, T::kShape}}}, .num_attrs = 2,
     .shape = ShapeFn::kFromAttrs, .kernel = kernel_of(K::kPlaceholder),
     .grad = grad::not_differentiable, .capture = Capture::kYes},
    // one fixed allocation per variable
    {.op = OpType::kVariableV2, .name = "VariableV2", .outputs = "ref",
     .attrs = {{{a::kShape, T::kShape}, {a::kDType, T::kDType}}}, .num_attrs = 2,
     .shape = ShapeFn::kFromAttrs, .kernel = kernel_of(K::kVariable),
     .grad = grad::not_differentiable, .capture = Capture::kYes},
    {.op = OpType::kIdentity, .name = "Identity", .inputs = "input", .outputs = "output",
     .attrs = {{kTypeT}}, .num_attrs = 1, .shape = ShapeFn::kSameAsInput,
     .kernel = kernel_of(K::kIdentity), .grad = grad::identity, .capture = Capture::kYes},
    {.op = OpType::kAssign, .name = "Assign", .inputs = "ref, value", .outputs = "output_ref",
     .attrs = {{kTypeT, {a::kValidateShape, T::kBool}, {a::kUseLocking, T::kBool}}}, .num_attrs = 3,
     .shape = ShapeFn::kSameAsInput, .kernel = kernel_of(K::kAssign), .capture = Capture::kYes},
    {.op = OpType::kAssignAdd, .name = "AssignAdd", .inputs = "ref, value", .outputs = "output_ref",
     .attrs = {{kTypeT, {a::kUseLocking, T::kBool}}}, .num_attrs = 2, .types = kNumberTypes,
     .shape = ShapeFn::kSameAsInput, .kernel = kernel_of(K::kAssignAdd, kComputesNumeric),
     .capture = Capture::kYes},
    {.op = OpType::kNoOp, .name = "NoOp", .kernel = kernel_of(K::kNoOp),
     .grad = grad::not_differentiable, .capture = Capture::kYes},
    // answers from host state at run time
    {.op = OpType::kIsVariableInitialized, .name = "IsVariableInitialized", .inputs = "ref",
     .outputs = "is_initialized", .attrs = {{{a::kDType, T::kDType}}}, .num_attrs = 1,
     .shape = ShapeFn::kScalar, .kernel = kernel_of(K::kIsVariableInitialized),
     .grad = grad::not_differentiable, .capture = Capture::kNo},
    {.op = OpType::kFill, .name = "Fill", .inputs = "dims, value", .outputs = "output",
     .attrs = {{kTypeT}}, .num_attrs = 1, .shape = ShapeFn::kShapeInput,
     .kernel = kernel_of(K::kFill), .grad = grad::not_differentiable,
     .capture = Capture::kIfHostConstants},
    // Stateful: the Philox offset advances on the host at every run, so a replay would
    // repeat the recorded run's numbers where TF draws new ones.
    {.op = OpType::kRandomUniform, .name = "RandomUniform", .inputs = "shape", .outputs = "output",
     .attrs = {{{a::kDType, T::kDType}, kSeed, kSeed2}}, .num_attrs = 3, .types = kRandomTypes,
     .shape = ShapeFn::kShapeInput, .kernel = kernel_of(K::kRandomUniform, kComputesFloat),
     .grad = grad::not_differentiable},
    {.op = OpType::kRandomStandardNormal, .name = "RandomStandardNormal", .inputs = "shape",
     .outputs = "output", .attrs = {{{a::kDType, T::kDType}, kSeed, kSeed2}}, .num_attrs = 3,
     .types = kRandomTypes, .shape = ShapeFn::kShapeInput,
     .kernel = kernel_of(K::kRandomNormal, kComputesFloat), .grad = grad::not_differentiable},
    {.op = OpType::kTruncatedNormal, .name = "TruncatedNormal", .inputs = "shape",
     .outputs = "output", .attrs = {{{a::kDType, T::kDType}, kSeed, kSeed2}}, .num_attrs = 3,
     .types = kRandomTypes, .shape = ShapeFn::kShapeInput,
     .kernel = kernel_of(K::kTruncatedNormal, kComputesFloat), .grad = grad::not_differentiable},
    {.op = OpType::kRandomUniformInt, .name = "RandomUniformInt", .inputs = "shape, minval, maxval",
     .outputs = "output", .attrs = {{{a::kTout, T::kDType}, kSeed, kSeed2}}, .num_attrs = 3,
     .types = kIndexTypes, .shape = ShapeFn::kShapeInput,
     .kernel = kernel_of(K::kRandomUniformInt, kIndexTypes), .grad = grad::not_differentiable},
    {.op = OpType::kMatMul, .name = "MatMul", .inputs = "a, b", .outputs = "product",
     .attrs = {{{a::kTransposeA, T::kBool}, {a::kTransposeB, T::kBool}, kTypeT}}, .num_attrs = 3,
     .types = kMatMulTypes, .shape = ShapeFn::kMatMul,
     .kernel = kernel_of(K::kMatMul, kComputesFloat), .grad = grad::matmul,
     .capture = Capture::kYes},
    {.op = OpType::kBatchMatMulV2, .name = "BatchMatMulV2", .inputs = "x, y", .outputs = "output",
     .attrs = {{{a::kAdjX, T::kBool}, {a::kAdjY, T::kBool}, kTypeT}}, .num_attrs = 3,
     .types = kMatMulTypes, .shape = ShapeFn::kMatMul,
     .kernel = kernel_of(K::kMatMul, kComputesFloat), .grad = grad::matmul,
     .capture = Capture::kYes},
    {.op = OpType::kAdd, .name = "Add", .inputs = "x, y", .outputs = "z", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kAddTypes, .shape = ShapeFn::kBroadcast,
     .kernel = binary_kernel(BinaryOp::kAdd), .grad = grad::add, .capture = Capture::kYes},
    {.op = OpType::kAddV2, .name = "AddV2", .inputs = "x, y", .outputs = "z", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kAddV2Types, .shape = ShapeFn::kBroadcast,
     .kernel = binary_kernel(BinaryOp::kAdd), .grad = grad::add, .capture = Capture::kYes},
    {.op = OpType::kBiasAdd, .name = "BiasAdd", .inputs = "value, bias", .outputs = "output",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kNumberTypes, .shape = ShapeFn::kBroadcast,
     .kernel = binary_kernel(BinaryOp::kAdd), .grad = grad::bias_add, .capture = Capture::kYes},
    {.op = OpType::kSub, .name = "Sub", .inputs = "x, y", .outputs = "z", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kBinaryMoreTypes, .shape = ShapeFn::kBroadcast,
     .kernel = binary_kernel(BinaryOp::kSub), .grad = grad::sub, .capture = Capture::kYes},
    {.op = OpType::kMul, .name = "Mul", .inputs = "x, y", .outputs = "z", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kBinaryMoreTypes, .shape = ShapeFn::kBroadcast,
     .kernel = binary_kernel(BinaryOp::kMul), .grad = grad::mul, .capture = Capture::kYes},
    {.op = OpType::kRealDiv, .name = "RealDiv", .inputs = "x, y", .outputs = "z",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kBinaryMoreTypes, .shape = ShapeFn::kBroadcast,
     .kernel = binary_kernel(BinaryOp::kDiv), .grad = grad::real_div, .capture = Capture::kYes},
    {.op = OpType::kRelu, .name = "Relu", .inputs = "features", .outputs = "activations",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kRealNumberTypes, .shape = ShapeFn::kSameAsInput,
     .kernel = unary_kernel(UnaryOp::kRelu), .grad = grad::activation, .capture = Capture::kYes},
    {.op = OpType::kSigmoid, .name = "Sigmoid", .inputs = "x", .outputs = "y", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kUnaryComplexTypes, .shape = ShapeFn::kSameAsInput,
     .kernel = unary_kernel(UnaryOp::kSigmoid), .grad = grad::activation, .capture = Capture::kYes},
    {.op = OpType::kTanh, .name = "Tanh", .inputs = "x", .outputs = "y", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kUnaryComplexTypes, .shape = ShapeFn::kSameAsInput,
     .kernel = unary_kernel(UnaryOp::kTanh), .grad = grad::activation, .capture = Capture::kYes},
    {.op = OpType::kSoftmax, .name = "Softmax", .inputs = "logits", .outputs = "softmax",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kFloatTypes, .shape = ShapeFn::kSameAsInput,
     .kernel = kernel_of(K::kSoftmax, kComputesFloat), .grad = grad::softmax,
     .capture = Capture::kYes},
    {.op = OpType::kSum, .name = "Sum", .inputs = "input, reduction_indices", .outputs = "output",
     .attrs = {{kTypeT, {a::kKeepDims, T::kBool}}}, .num_attrs = 2, .types = kNumberTypes,
     .shape = ShapeFn::kReduction, .kernel = reduce_kernel(ReduceOp::kSum), .grad = grad::reduction,
     .capture = Capture::kIfHostConstants},
    {.op = OpType::kMean, .name = "Mean", .inputs = "input, reduction_indices", .outputs = "output",
     .attrs = {{kTypeT, {a::kKeepDims, T::kBool}}}, .num_attrs = 2, .types = kNumberTypes,
     .shape = ShapeFn::kReduction, .kernel = reduce_kernel(ReduceOp::kMean),
     .grad = grad::reduction, .capture = Capture::kIfHostConstants},
    {.op = OpType::kCast, .name = "Cast", .inputs = "x", .outputs = "y",
     .attrs = {{{a::kSrcT, T::kDType}, {a::kDstT, T::kDType}}}, .num_attrs = 2,
     .shape = ShapeFn::kSameAsInput, .kernel = kernel_of(K::kCast, kComputesNumeric),
     .grad = grad::cast, .capture = Capture::kYes},
    {.op = OpType::kSquare, .name = "Square", .inputs = "x", .outputs = "y", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kUnaryTypes, .shape = ShapeFn::kSameAsInput,
     .kernel = unary_kernel(UnaryOp::kSquare), .grad = grad::square, .capture = Capture::kYes},
    {.op = OpType::kExp, .name = "Exp", .inputs = "x", .outputs = "y", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kUnaryComplexTypes, .shape = ShapeFn::kSameAsInput,
     .kernel = unary_kernel(UnaryOp::kExp), .grad = grad::exp, .capture = Capture::kYes},
    {.op = OpType::kLog, .name = "Log", .inputs = "x", .outputs = "y", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kUnaryComplexTypes, .shape = ShapeFn::kSameAsInput,
     .kernel = unary_kernel(UnaryOp::kLog), .grad = grad::log, .capture = Capture::kYes},
    {.op = OpType::kNeg, .name = "Neg", .inputs = "x", .outputs = "y", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kUnaryTypes, .shape = ShapeFn::kSameAsInput,
     .kernel = unary_kernel(UnaryOp::kNeg), .grad = grad::neg, .capture = Capture::kYes},
    // The gradient ops: no gradient of their own yet (second-order gradients).
    // Training steps are not yet checked under capture (updates read scalars on the host).
    {.op = OpType::kReluGrad, .name = "ReluGrad", .inputs = "gradients, features",
     .outputs = "backprops", .attrs = {{kTypeT}}, .num_attrs = 1, .types = kReluGradTypes,
     .shape = ShapeFn::kSameAsInput, .kernel = activation_grad_kernel(ActivationGrad::kRelu)},
    {.op = OpType::kSigmoidGrad, .name = "SigmoidGrad", .inputs = "y, dy", .outputs = "z",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kUnaryComplexTypes,
     .shape = ShapeFn::kSameAsInput, .kernel = activation_grad_kernel(ActivationGrad::kSigmoid)},
    {.op = OpType::kTanhGrad, .name = "TanhGrad", .inputs = "y, dy", .outputs = "z",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kUnaryComplexTypes,
     .shape = ShapeFn::kSameAsInput, .kernel = activation_grad_kernel(ActivationGrad::kTanh)},
    {.op = OpType::kAddN, .name = "AddN", .inputs = "inputs", .outputs = "sum",
     .attrs = {{{a::kN, T::kInt}, kTypeT}}, .num_attrs = 2, .types = kAddNTypes,
     .shape = ShapeFn::kSameAsInput, .kernel = kernel_of(K::kAddN, kComputesNumeric),
     .grad = grad::identity},
    {.op = OpType::kOnesLike, .name = "OnesLike", .inputs = "x", .outputs = "y",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kOnesLikeTypes, .shape = ShapeFn::kSameAsInput,
     .kernel = kernel_of(K::kFillLike), .grad = grad::not_differentiable},
    {.op = OpType::kZerosLike, .name = "ZerosLike", .inputs = "x", .outputs = "y",
     .attrs = {{kTypeT}}, .num_attrs = 1, .shape = ShapeFn::kSameAsInput,
     .kernel = kernel_of(K::kFillLike), .grad = grad::not_differentiable},
    // varscope's own: TF's Shape + BroadcastGradientArgs + Sum + Reshape in one op.
    {.op = OpType::kSumToShape, .name = "SumToShape", .inputs = "x, like", .outputs = "y",
     .attrs = {{kTypeT}}, .num_attrs = 1, .shape = ShapeFn::kSecondInput,
     .kernel = kernel_of(K::kSumToShape, kComputesNumeric)},
    // varscope's own: TF's Reshape + Tile (and RealDiv for Mean) in one op.
    {.op = OpType::kBroadcastToShape, .name = "BroadcastToShape",
     .inputs = "x, like, reduction_indices", .outputs = "y",
     .attrs = {{kTypeT, {a::kMean, T::kBool}}}, .num_attrs = 2, .shape = ShapeFn::kSecondInput,
     .kernel = kernel_of(K::kBroadcastToShape, kComputesNumeric)},
    {.op = OpType::kSoftmaxXent, .name = "SoftmaxCrossEntropyWithLogits",
     .inputs = "features, labels", .outputs = "loss, backprop", .attrs = {{kTypeT}},
     .num_attrs = 1, .types = kXentTypes,
     .shape = ShapeFn::kLoss, .kernel = kernel_of(K::kXent, kComputesFloat),
     .grad = grad::softmax_xent},
    {.op = OpType::kSparseSoftmaxXent, .name = "SparseSoftmaxCrossEntropyWithLogits",
     .inputs = "features, labels", .outputs = "loss, backprop",
     .attrs = {{kTypeT, {a::kTlabels, T::kDType}}}, .num_attrs = 2, .types = kXentTypes,
     .shape = ShapeFn::kLoss, .kernel = kernel_of(K::kXent, kComputesFloat),
     .grad = grad::softmax_xent},
    {.op = OpType::kApplyGradientDescent, .name = "ApplyGradientDescent",
     .inputs = "var, alpha, delta", .outputs = "out",
     .attrs = {{kTypeT, {a::kUseLocking, T::kBool}}}, .num_attrs = 2,
     .types = kNumberTypes, .shape = ShapeFn::kSameAsInput,
     .kernel = update_kernel(UpdateRule::kGradientDescent)},
    {.op = OpType::kApplyMomentum, .name = "ApplyMomentum",
     .inputs = "var, accum, lr, grad, momentum", .outputs = "out",
     .attrs = {{kTypeT, {a::kUseLocking, T::kBool}, {a::kUseNesterov, T::kBool}}}, .num_attrs = 3,
     .types = kNumberTypes, .shape = ShapeFn::kSameAsInput,
     .kernel = update_kernel(UpdateRule::kMomentum)},
    {.op = OpType::kApplyAdam, .name = "ApplyAdam",
     .inputs = "var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad",
     .outputs = "out",
     .attrs = {{kTypeT, {a::kUseLocking, T::kBool}, {a::kUseNesterov, T::kBool}}}, .num_attrs = 3,
     .types = kNumberTypes, .shape = ShapeFn::kSameAsInput,
     .kernel = update_kernel(UpdateRule::kAdam)},
}};
// clang-format on

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
