// The training ops' cases (src/host/graph/op_rows/training_ops.cpp), in OpType order.
#include "op_cases/op_case.h"

namespace varscope::testing {

std::vector<OpCase> training_cases() {
  using namespace cases;
  using P = const std::vector<Tensor>&;
  return {
      {.op = OpType::kApplyGradientDescent,
       .inputs = {Shape{3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         Variable v = g.variable(values_of(t, {1, 2, 3}, Shape{3}), {.name = "v"});
         train::GradientDescentOptimizer opt(0.5);
         return {v.value(), {opt.apply_gradients({{p[0], v}})}};
       },
       .reference =
           [](const Values& v) {
             return zip({1, 2, 3}, v[0], [](double w, double dw) { return w - 0.5 * dw; });
           }},
      {.op = OpType::kApplyMomentum,
       .inputs = {Shape{3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         Variable v = g.variable(values_of(t, {1, 2, 3}, Shape{3}), {.name = "v"});
         train::MomentumOptimizer opt(0.5, 0.9);
         return {v.value(), {opt.apply_gradients({{p[0], v}})}};
       },
       .reference =
           [](const Values& v) {
             // accum = 0.9 * 0 + g, then var -= lr * accum.
             return zip({1, 2, 3}, v[0], [](double w, double dw) { return w - 0.5 * dw; });
           }},
      {.op = OpType::kApplyAdam,
       .inputs = {Shape{3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         Variable v = g.variable(values_of(t, {1, 2, 3}, Shape{3}), {.name = "v"});
         train::AdamOptimizer opt(0.1);
         return {v.value(), {opt.apply_gradients({{p[0], v}})}};
       },
       .reference =
           [](const Values& v) {
             // TF's ApplyAdam at the first step (beta powers = beta1, beta2). The
             // hyperparameters are float32 tensors cast to the variable's dtype, as in TF.
             const auto f32 = [](double x) { return double(float(x)); };
             const double b1 = f32(0.9), b2 = f32(0.999);
             const double lr_t = f32(0.1) * std::sqrt(1 - b2) / (1 - b1);
             return zip({1, 2, 3}, v[0], [&](double w, double dw) {
               const double m = (1 - b1) * dw, s = (1 - b2) * dw * dw;
               return w - m * lr_t / (std::sqrt(s) + f32(1e-8));
             });
           }},
  };
}

}  // namespace varscope::testing
