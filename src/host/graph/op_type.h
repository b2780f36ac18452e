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
};
inline constexpr int kNumOpTypes = static_cast<int>(OpType::kCast) + 1;

}  // namespace varscope::detail
