// Every op type a graph may hold; its definition (TF name, attributes, shape rule) is in
// op_defs.h.
#pragma once

#include <cstdint>

namespace varscope::detail {

enum class OpType : std::uint8_t {
  kConst,
  kPlaceholder,
  kVariableV2,
  kIdentity,
  kAssign,
  kAssignAdd,
  kNoOp,
  kIsVariableInitialized,
  kFill,
  kRandomUniform,
  kRandomStandardNormal,
  kTruncatedNormal,
  kRandomUniformInt,
  kMatMul,
  kBatchMatMulV2,
  kAdd,
  kAddV2,
  kBiasAdd,
  kSub,
  kMul,
  kRealDiv,
  kRelu,
  kSigmoid,
  kTanh,
  kSoftmax,
  kSum,
  kMean,
  kCast,
  // Loss and gradient ops (training).
  kSquare,
  kExp,
  kLog,
  kNeg,
  kReluGrad,
  kSigmoidGrad,
  kTanhGrad,
  kAddN,
  kOnesLike,
  kZerosLike,
  kSumToShape,        // sums a broadcast gradient back to the shape of its second input
  kBroadcastToShape,  // spreads a reduction's gradient back over the reduced axes
  kSoftmaxXent,
  kSparseSoftmaxXent,
  // Optimizer updates: one pass over the variable, its slots and the gradient.
  kApplyGradientDescent,
  kApplyMomentum,
  kApplyAdam,
  // Shapes and data movement (op_rows/array_ops.cpp).
  kReshape,
  kExpandDims,
  kSqueeze,
  kShape,
  kSize,
  kRank,
  kStopGradient,
  kTranspose,
  kInvertPermutation,
  kPack,
  kUnpack,
  kConcatV2,
  kSplit,
  kSplitV,
  kSlice,
  kPad,
  kTile,
  kRange,
  kPlaceholderWithDefault,
  kOneHot,
  kGatherV2,
};
inline constexpr int kNumOpTypes = static_cast<int>(OpType::kGatherV2) + 1;

}  // namespace varscope::detail
