// Variables, constants, placeholders and NoOp.
#include "host/graph/op_rows/op_rows.h"

namespace varscope::detail::op_rows {
namespace {

// clang-format off
constexpr OpDef kRows[] = {
    // uploaded once, by the plain first run, then cached
    {.op = OpType::kConst, .name = "Const", .outputs = "output",
     .attrs = {{{a::kValue, T::kTensor}, {a::kDType, T::kDType}}}, .num_attrs = 2,
     .kernel = kernel_of(K::kConst), .grad = grad::not_differentiable, .capture = Capture::kYes},
    {.op = OpType::kPlaceholder, .name = "Placeholder", .outputs = "output",
     .attrs = {{{a::kDType, T::kDType}, {a::kShape, T::kShape}}}, .num_attrs = 2,
     .kernel = kernel_of(K::kPlaceholder), .grad = grad::not_differentiable,
     .capture = Capture::kYes},
    // one fixed allocation per variable
    {.op = OpType::kVariableV2, .name = "VariableV2", .outputs = "ref",
     .attrs = {{{a::kShape, T::kShape}, {a::kDType, T::kDType}}}, .num_attrs = 2,
     .kernel = kernel_of(K::kVariable), .grad = grad::not_differentiable, .capture = Capture::kYes},
    {.op = OpType::kIdentity, .name = "Identity", .inputs = "input", .outputs = "output",
     .attrs = {{kTypeT}}, .num_attrs = 1, .shape = shape_fn::same_as_input,
     .kernel = kernel_of(K::kIdentity), .grad = grad::identity, .capture = Capture::kYes},
    {.op = OpType::kAssign, .name = "Assign", .inputs = "ref, value", .outputs = "output_ref",
     .attrs = {{kTypeT, {a::kValidateShape, T::kBool}, {a::kUseLocking, T::kBool}}}, .num_attrs = 3,
     .kernel = kernel_of(K::kAssign), .grad = grad::not_differentiable, .capture = Capture::kYes},
    {.op = OpType::kAssignAdd, .name = "AssignAdd", .inputs = "ref, value", .outputs = "output_ref",
     .attrs = {{kTypeT, {a::kUseLocking, T::kBool}}}, .num_attrs = 2, .types = kNumberTypes,
     .kernel = kernel_of(K::kAssignAdd, kComputesNumeric), .grad = grad::not_differentiable,
     .capture = Capture::kYes},
    {.op = OpType::kNoOp, .name = "NoOp", .kernel = kernel_of(K::kNoOp),
     .grad = grad::not_differentiable, .capture = Capture::kYes},
    // answers from host state at run time
    {.op = OpType::kIsVariableInitialized, .name = "IsVariableInitialized", .inputs = "ref",
     .outputs = "is_initialized", .attrs = {{{a::kDType, T::kDType}}}, .num_attrs = 1,
     .kernel = kernel_of(K::kIsVariableInitialized), .grad = grad::not_differentiable,
     .capture = Capture::kNo},
};
// clang-format on

}  // namespace

std::span<const OpDef> state_ops() {
  return kRows;
}

}  // namespace varscope::detail::op_rows
