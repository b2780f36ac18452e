// The op table's rows, one file per concept (as TF's core/ops/*_ops.cc): every fact
// about an op type in its row (op_defs.h). op_defs.cpp indexes them by OpType and checks
// that every op type has exactly one row. Rows are packed by tools/pack_op_table.py
// (clang-format would give each field its own line).
#pragma once

#include <span>

#include "host/graph/gradients/grad_fns.h"
#include "host/graph/op_defs.h"

namespace varscope::detail::op_rows {

std::span<const OpDef> state_ops();  // variables, constants, placeholders, NoOp
std::span<const OpDef> array_ops();  // shapes and data movement
std::span<const OpDef> random_ops();
std::span<const OpDef> math_ops();      // elementwise math, matmul, reductions, casts
std::span<const OpDef> nn_ops();        // activations, softmax, losses
std::span<const OpDef> conv_ops();      // convolution, pooling
std::span<const OpDef> training_ops();  // optimizer updates
std::span<const OpDef> axis_ops();      // ArgMax, ArgMin, Cumsum, Cumprod
// DynamicPartition, ParallelDynamicStitch
std::span<const OpDef> data_flow_ops();
// HorovodAllreduce, HorovodBroadcast (Horovod's collectives)
std::span<const OpDef> collective_ops();
// ScalarSummary, HistogramSummary, MergeSummary (host-only)
std::span<const OpDef> summary_ops();

namespace a = attr_name;
using T = AttrType;
using K = OpKind;
using kernels::ActivationGrad;
using kernels::BinaryOp;
using kernels::ReduceOp;
using kernels::UnaryOp;
using kernels::UpdateRule;

inline constexpr AttrDef kTypeT{a::kT, T::kDType};
inline constexpr AttrDef kSeed{a::kSeed, T::kInt};
inline constexpr AttrDef kSeed2{a::kSeed2, T::kInt};

// TF 1.15's allowed values of the type attributes (op_def_registry), in TF's order: the
// text is what TF's type errors list.
inline constexpr DTypeSet kNumberTypes{
    "float32, float64, int32, uint8, int16, int8, complex64, int64, qint8, quint8, qint32, "
    "bfloat16, uint16, complex128, float16, uint32, uint64"};
inline constexpr DTypeSet kFloatTypes{"float16, bfloat16, float32, float64"};
inline constexpr DTypeSet kRandomTypes{"float16, bfloat16, float32, float64"};
inline constexpr DTypeSet kIndexTypes{"int32, int64"};
inline constexpr DTypeSet kMatMulTypes{
    "bfloat16, float16, float32, float64, int32, int64, complex64, complex128"};
inline constexpr DTypeSet kAddTypes{
    "bfloat16, float16, float32, float64, uint8, int8, int16, int32, int64, complex64, "
    "complex128, string"};
inline constexpr DTypeSet kAddV2Types{
    "bfloat16, float16, float32, float64, uint8, int8, int16, int32, int64, complex64, "
    "complex128"};
inline constexpr DTypeSet kBinaryMoreTypes{
    "bfloat16, float16, float32, float64, uint8, int8, uint16, int16, int32, int64, complex64, "
    "complex128"};
inline constexpr DTypeSet kRealNumberTypes{
    "float32, float64, int32, uint8, int16, int8, int64, bfloat16, uint16, float16, uint32, "
    "uint64, qint8"};
inline constexpr DTypeSet kReluGradTypes{
    "float32, float64, int32, uint8, int16, int8, int64, bfloat16, uint16, float16, uint32, "
    "uint64"};
inline constexpr DTypeSet kUnaryComplexTypes{
    "bfloat16, float16, float32, float64, complex64, complex128"};
inline constexpr DTypeSet kUnaryTypes{
    "bfloat16, float16, float32, float64, int32, int64, complex64, complex128"};
inline constexpr DTypeSet kAddNTypes{
    "float32, float64, int32, uint8, int16, int8, complex64, int64, qint8, quint8, qint32, "
    "bfloat16, uint16, complex128, float16, uint32, uint64, variant"};
inline constexpr DTypeSet kOnesLikeTypes{
    "bfloat16, float16, float32, float64, int8, uint8, int16, uint16, int32, int64, complex64, "
    "complex128, bool"};
inline constexpr DTypeSet kDivNoNanTypes{"float16, float32, float64, complex64, complex128"};
inline constexpr DTypeSet kXentTypes{"float16, bfloat16, float32, float64"};
inline constexpr DTypeSet kAbsTypes{
    "bfloat16, float16, float32, float64, int8, int16, int32, int64"};
inline constexpr DTypeSet kFloorTypes{"bfloat16, float16, float32, float64"};
inline constexpr DTypeSet kMaximumTypes{"bfloat16, float16, float32, float64, int32, int64"};
inline constexpr DTypeSet kPowTypes{
    "bfloat16, float32, float16, float64, int32, int64, complex64, complex128"};
inline constexpr DTypeSet kEqualTypes{
    "bfloat16, float16, float32, float64, uint8, int8, int16, int32, int64, complex64, quint8, "
    "qint8, qint32, string, bool, complex128"};
inline constexpr DTypeSet kFloorModTypes{"int32, int64, bfloat16, float16, float32, float64"};
inline constexpr DTypeSet kBoolOnly{"bool"};

}  // namespace varscope::detail::op_rows
