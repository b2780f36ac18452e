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
  kAssignSub,
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
  // Elementwise math and activations (issue 24): kernels::UnaryOp / BinaryOp functors.
  kSqrt,
  kRsqrt,
  kAbs,
  kSign,
  kReciprocal,
  kFloor,
  kCeil,
  kRound,
  kLeakyRelu,
  kElu,
  kSoftplus,
  kRelu6,
  kSqrtGrad,
  kRsqrtGrad,
  kReciprocalGrad,
  kEluGrad,
  kRelu6Grad,
  kLeakyReluGrad,
  kMaximum,
  kMinimum,
  kPow,
  kSquaredDifference,
  kEqual,
  kNotEqual,
  kGreater,
  kGreaterEqual,
  kLess,
  kLessEqual,
  kLogicalAnd,
  kLogicalOr,
  kLogicalNot,
  kTruncateDiv,
  kFloorDiv,
  kFloorMod,
  kDivNoNan,
  kSelect,
  kSelectV2,
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
  // Issue 24's nn ops (op_rows/nn_ops.cpp).
  kLogSoftmax,
  kL2Loss,
  kLog1p,
  // Convolution and pooling (op_rows/conv_ops.cpp; kernels/conv.h).
  kShapeN,
  kConv2D,
  kConv2DBackpropInput,
  kConv2DBackpropFilter,
  kMaxPool,
  kAvgPool,
  kMaxPoolGrad,
  kAvgPoolGrad,
  kStridedSlice,
  kStridedSliceGrad,
  kUnsortedSegmentSum,
  // Reductions and ops along one axis (op_rows/math_ops.cpp, op_rows/axis_ops.cpp).
  kMax,
  kMin,
  kProd,
  kArgMax,
  kArgMin,
  kCumsum,
  kCumprod,
  // Batch normalization (op_rows/conv_ops.cpp; execute_conv.cpp).
  kFusedBatchNormV3,
  kFusedBatchNormGradV3,
  // TF's gradient ops that TF-built training graphs hold (issue 26: import_meta_graph).
  kBiasAddGrad,            // op_rows/nn_ops.cpp: the SumToShape kernel to the last dim
  kBroadcastGradientArgs,  // op_rows/array_ops.cpp: computed on the host
  kPreventGradient,        // op_rows/array_ops.cpp: an alias whose gradient is refused
  // Partitioning and stitching (op_rows/data_flow_ops.cpp; execute_data_flow.cpp).
  kDynamicPartition,
  kParallelDynamicStitch,
  // Horovod's collectives across processes (op_rows/collective_ops.cpp; issue 27).
  kHorovodAllreduce,
  kHorovodBroadcast,
  // TensorBoard's summaries, host-only (op_rows/summary_ops.cpp; execute_summary.cpp).
  kScalarSummary,
  kHistogramSummary,
  kMergeSummary,
  // IndexedSlices gradients applied sparsely (op_rows/training_ops.cpp; issue 25): Unique
  // deduplicates the ids, the scatters and SparseApplyMomentum update the rows they name.
  kUnique,
  kScatterAdd,
  kScatterSub,
  kSparseApplyMomentum,
  kOpTypeEnd,  // not an op: one past the last (new op types go above it)
};
inline constexpr int kNumOpTypes = static_cast<int>(OpType::kOpTypeEnd);

}  // namespace varscope::detail
