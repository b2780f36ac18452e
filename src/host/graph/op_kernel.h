// Which kernel a node of an op type runs, and whether that kernel's work may be recorded
// into a CUDA Graph: two columns of the op table (op_defs.h). Several op types share one
// kernel family (the binary ops, the reductions, ...); the family's functor says which.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <utility>

#include "kernels/elementwise.h"
#include "kernels/reduce.h"
#include "kernels/training.h"
#include "kernels/unary.h"
#include "varscope/dtype.h"

namespace varscope::detail {

// A set of dtypes, written as TF writes an attribute's allowed values ("float32, int64"):
// the text is kept for TF's error message; names varscope has no DType for (qint8,
// variant, ...) are in the text but can never match.
class DTypeSet {
 public:
  constexpr DTypeSet() = default;
  constexpr explicit DTypeSet(std::string_view tf_list) : text_(tf_list) {
    std::size_t start = 0;
    while (start < tf_list.size()) {
      std::size_t end = tf_list.find(", ", start);
      if (end == std::string_view::npos) end = tf_list.size();
      bits_ |= bit_of(tf_list.substr(start, end - start));
      start = end + 2;
    }
  }
  constexpr bool empty() const { return text_.empty(); }  // empty: any dtype
  constexpr bool contains(DType d) const {
    return empty() || (bits_ & (1u << static_cast<unsigned>(d))) != 0;
  }
  constexpr std::string_view text() const { return text_; }

 private:
  static constexpr std::uint32_t bit_of(std::string_view name) {
    constexpr std::array<std::pair<std::string_view, DType>, 12> kNames = {{
        {"float16", DType::kFloat16},
        {"bfloat16", DType::kBFloat16},
        {"float32", DType::kFloat32},
        {"float64", DType::kFloat64},
        {"int8", DType::kInt8},
        {"int16", DType::kInt16},
        {"int32", DType::kInt32},
        {"int64", DType::kInt64},
        {"uint8", DType::kUInt8},
        {"bool", DType::kBool},
        {"complex64", DType::kComplex64},
        {"string", DType::kString},
    }};
    for (const auto& [n, d] : kNames) {
      if (n == name) return 1u << static_cast<unsigned>(d);
    }
    return 0;
  }
  std::string_view text_;
  std::uint32_t bits_ = 0;
};

// The executor's kernel families (host/runtime/execute_step.cpp hands each to its concept's
// execute_*.cpp).
enum class OpKind {
  kConst,
  kPlaceholder,
  kVariable,
  kIdentity,
  kAssign,
  kAssignAdd,
  kAssignSub,
  kNoOp,
  kIsVariableInitialized,
  kFill,
  kRandomUniform,
  kRandomNormal,
  kTruncatedNormal,
  kRandomUniformInt,
  kBinary,
  kFusedRandom,  // a random initializer's chain (random op, Mul, Add, Sub) in one pass
  kMatMul,
  kUnary,
  kSoftmax,
  kReduce,
  kCast,
  kSelect,     // Select, SelectV2 (kernels/select.h)
  kArgReduce,  // ArgMax, ArgMin (kernels/axis_ops.h)
  kScan,       // Cumsum (kernels/axis_ops.h)
  // Gradients, losses and updates.
  kActivationGrad,
  kAddN,
  kFillLike,  // OnesLike, ZerosLike
  kSumToShape,
  kBroadcastToShape,
  kXent,
  kL2Loss,  // sum(x^2) / 2: the unary Square, then a reduce that halves
  kApplyUpdate,
  kScatter,  // ScatterAdd, ScatterSub: the segment-sum kernel into the variable
  // Shapes and data movement (execute_array.cpp).
  kAlias,      // the input's buffer with the output's shape: Reshape, ExpandDims, Squeeze, ...
  kShapeOf,    // Shape, Size, Rank: computed on the host from the input's shape
  kHostArray,  // InvertPermutation, Range: computed on the host from the inputs' values
  kCopy,       // strided copies (kernels/copy.h): Transpose, Pack, Concat, Split, Slice, Pad, ...
  // Convolution and pooling (execute_conv.cpp; kernels/conv.h).
  kConv,       // Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter
  kPool,       // MaxPool, AvgPool, MaxPoolGrad, AvgPoolGrad
  kBatchNorm,  // FusedBatchNormV3, FusedBatchNormGradV3
  // Across processes, through dist::Communicator (execute_collective.cpp).
  kCollective,  // HorovodAllreduce, HorovodBroadcast
  // On the host, whatever the session's device (execute_summary.cpp): string outputs.
  kSummary,  // ScalarSummary, HistogramSummary, MergeSummary
};

// What varscope's kernels compute: float32 and float64 math, and the integer types of the
// numeric dispatch. A plan needing another dtype is refused before it runs.
constexpr DTypeSet kComputesFloat{"float32, float64"};
constexpr DTypeSet kComputesNumeric{"float32, float64, int32, int64"};
constexpr DTypeSet kComputesAny{};  // copies and host-side ops: every dtype
constexpr DTypeSet kComputesBool{"bool"};
// Comparisons: their output is bool whatever their inputs (the kernel's list is in
// VS_BINARY_OPS).
constexpr DTypeSet kComputesNumericBool{"float32, float64, int32, int64, bool"};
constexpr DTypeSet kComputesInteger{"int32, int64"};

// A kernel family, the dtypes it computes and, for the families with several functors, the
// one the op runs.
struct OpKernel {
  OpKind kind = OpKind::kNoOp;
  DTypeSet computes{};
  kernels::BinaryOp binary = kernels::BinaryOp::kAdd;
  kernels::UnaryOp unary = kernels::UnaryOp::kRelu;
  kernels::ReduceOp reduce = kernels::ReduceOp::kSum;
  kernels::ActivationGrad activation_grad = kernels::ActivationGrad::kRelu;
  kernels::UpdateRule update = kernels::UpdateRule::kGradientDescent;
};

constexpr OpKernel kernel_of(OpKind kind, DTypeSet computes = kComputesAny) {
  return {.kind = kind, .computes = computes};
}
// `computes`: the element types of the op's line in VS_BINARY_OPS / VS_UNARY_OPS.
constexpr OpKernel binary_kernel(kernels::BinaryOp op, DTypeSet computes = kComputesNumeric) {
  return {.kind = OpKind::kBinary, .computes = computes, .binary = op};
}
constexpr OpKernel unary_kernel(kernels::UnaryOp op, DTypeSet computes = kComputesFloat) {
  return {.kind = OpKind::kUnary, .computes = computes, .unary = op};
}
constexpr OpKernel reduce_kernel(kernels::ReduceOp op) {
  return {.kind = OpKind::kReduce, .computes = kComputesNumeric, .reduce = op};
}
constexpr OpKernel activation_grad_kernel(kernels::ActivationGrad op) {
  return {.kind = OpKind::kActivationGrad, .computes = kComputesFloat, .activation_grad = op};
}
constexpr OpKernel update_kernel(kernels::UpdateRule rule) {
  return {.kind = OpKind::kApplyUpdate, .computes = kComputesFloat, .update = rule};
}

// SessionOptions::use_cuda_graph: whether a node's work can be recorded once and replayed.
enum class Capture : std::uint8_t {
  kYes,
  kNo,
  // Only when the input the kernel needs on the host (Fill's value, a reduction's axes) is a
  // Const: a computed one would be read back from the device mid-run.
  kIfHostConstants,
};

}  // namespace varscope::detail
