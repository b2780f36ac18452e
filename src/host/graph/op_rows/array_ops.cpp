// Shapes and data movement.
#include "host/graph/op_rows/op_rows.h"

namespace varscope::detail::op_rows {
namespace {

// TF's FillShape: the dims input's value (a Const), the value input's dtype.
std::vector<OutputSpec> fill_shape(const ShapeContext& c) {
  return {{c.dtype(1), c.value_as_shape(0)}};
}

// clang-format off
constexpr OpDef kRows[] = {
    {.op = OpType::kFill, .name = "Fill", .inputs = "dims, value", .outputs = "output",
     .attrs = {{kTypeT}}, .num_attrs = 1, .shape = fill_shape, .kernel = kernel_of(K::kFill),
     .grad = grad::not_differentiable, .capture = Capture::kIfHostConstants},
    {.op = OpType::kOnesLike, .name = "OnesLike", .inputs = "x", .outputs = "y",
     .attrs = {{kTypeT}}, .num_attrs = 1, .types = kOnesLikeTypes, .shape = shape_fn::same_as_input,
     .kernel = kernel_of(K::kFillLike), .grad = grad::not_differentiable},
    {.op = OpType::kZerosLike, .name = "ZerosLike", .inputs = "x", .outputs = "y",
     .attrs = {{kTypeT}}, .num_attrs = 1, .shape = shape_fn::same_as_input,
     .kernel = kernel_of(K::kFillLike), .grad = grad::not_differentiable},
};
// clang-format on

}  // namespace

std::span<const OpDef> array_ops() {
  return kRows;
}

}  // namespace varscope::detail::op_rows
