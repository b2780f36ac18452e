// The optimizers' update ops: one pass over the variable, its slots and the gradient.
#include <string>

#include "host/graph/op_rows/op_rows.h"

namespace varscope::detail::op_rows {
namespace {

// TF's Apply* shape functions: the output is the variable; the gradient (input `kGrad`)
// merges with it. The run words a mismatch as the kernels do.
template <int kGrad>
std::vector<OutputSpec> apply_shape(const ShapeContext& c) {
  return {{c.dtype(0), merge(c, c.shape(0), c.shape(kGrad), [](const ShapeContext& c) {
             return "var and grad do not have the same shape" + c.shape(0).to_list_string() + " " +
                    c.shape(kGrad).to_list_string();
           })}};
}

// clang-format off
constexpr OpDef kRows[] = {
    {.op = OpType::kApplyGradientDescent, .name = "ApplyGradientDescent",
     .inputs = "var, alpha, delta", .outputs = "out",
     .attrs = {{kTypeT, {a::kUseLocking, T::kBool}}}, .num_attrs = 2, .types = kNumberTypes,
     .shape = apply_shape<2>, .kernel = update_kernel(UpdateRule::kGradientDescent)},
    {.op = OpType::kApplyMomentum, .name = "ApplyMomentum",
     .inputs = "var, accum, lr, grad, momentum", .outputs = "out",
     .attrs = {{kTypeT, {a::kUseLocking, T::kBool}, {a::kUseNesterov, T::kBool}}}, .num_attrs = 3,
     .types = kNumberTypes, .shape = apply_shape<3>,
     .kernel = update_kernel(UpdateRule::kMomentum)},
    {.op = OpType::kApplyAdam, .name = "ApplyAdam",
     .inputs = "var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad",
     .outputs = "out", .attrs = {{kTypeT, {a::kUseLocking, T::kBool}, {a::kUseNesterov, T::kBool}}},
     .num_attrs = 3, .types = kNumberTypes, .shape = apply_shape<9>,
     .kernel = update_kernel(UpdateRule::kAdam)},
};
// clang-format on

}  // namespace

std::span<const OpDef> training_ops() {
  return kRows;
}

}  // namespace varscope::detail::op_rows
