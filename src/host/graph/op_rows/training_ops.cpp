// The optimizers' update ops: one pass over the variable, its slots and the gradient.
#include "host/graph/op_rows/op_rows.h"

namespace varscope::detail::op_rows {
namespace {

// clang-format off
constexpr OpDef kRows[] = {
    {.op = OpType::kApplyGradientDescent, .name = "ApplyGradientDescent",
     .inputs = "var, alpha, delta", .outputs = "out",
     .attrs = {{kTypeT, {a::kUseLocking, T::kBool}}}, .num_attrs = 2, .types = kNumberTypes,
     .kernel = update_kernel(UpdateRule::kGradientDescent)},
    {.op = OpType::kApplyMomentum, .name = "ApplyMomentum",
     .inputs = "var, accum, lr, grad, momentum", .outputs = "out",
     .attrs = {{kTypeT, {a::kUseLocking, T::kBool}, {a::kUseNesterov, T::kBool}}}, .num_attrs = 3,
     .types = kNumberTypes, .kernel = update_kernel(UpdateRule::kMomentum)},
    {.op = OpType::kApplyAdam, .name = "ApplyAdam",
     .inputs = "var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad",
     .outputs = "out", .attrs = {{kTypeT, {a::kUseLocking, T::kBool}, {a::kUseNesterov, T::kBool}}},
     .num_attrs = 3, .types = kNumberTypes, .kernel = update_kernel(UpdateRule::kAdam)},
};
// clang-format on

}  // namespace

std::span<const OpDef> training_ops() {
  return kRows;
}

}  // namespace varscope::detail::op_rows
