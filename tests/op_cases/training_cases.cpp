// The training ops' cases (src/host/graph/op_rows/training_ops.cpp), in OpType order.
#include <algorithm>

#include "op_cases/op_case.h"

namespace varscope::testing {
namespace {

// ScatterAdd / ScatterSub of updates [3, 2] into a [4, 2] variable at rows {2, 0, 2} (row 2
// twice, rows 1 and 3 never).
OpOutput scatter_case(Graph& g, vd::OpType op, const Tensor& updates, DType t) {
  Variable v =
      g.variable(cases::values_of(t, {1, 2, 3, 4, 5, 6, 7, 8}, Shape{4, 2}), {.name = "v"});
  const Tensor ids = constant(g, HostTensor(std::vector<std::int32_t>{2, 0, 2}));
  const auto& impl = vd::Access::impl(g);
  const Tensor out = impl->mutate([&] {
    const int node =
        vd::add_op(*impl, op, vd::op_def(op).name,
                   {{vd::Access::id(v.op()), 0}, impl->ref_of(ids), impl->ref_of(updates)},
                   {{vd::attr_name::kT, t},
                    {vd::attr_name::kTindices, DType::kInt32},
                    {vd::attr_name::kUseLocking, false}});
    return impl->tensor({node, 0});
  });
  return {v.value(), {out.op()}};
}

std::vector<double> scatter_reference(const Values& v, double sign) {
  std::vector<double> y{1, 2, 3, 4, 5, 6, 7, 8};
  const int ids[] = {2, 0, 2};
  for (int j = 0; j < 3; ++j)
    for (int c = 0; c < 2; ++c)
      y[std::size_t(ids[j] * 2 + c)] += sign * v[0][std::size_t(j * 2 + c)];
  return y;
}

}  // namespace

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
      // The distinct values of the fed numbers truncated to integers, in order of first
      // appearance (the fed values repeat after truncation).
      {.op = OpType::kUnique,
       .inputs = {Shape{8}},
       .lo = -3,
       .hi = 3,
       .build = [](Graph& g, P p, DType) -> OpOutput {
         const auto& impl = vd::Access::impl(g);
         const Tensor ids = cast(p[0], DType::kInt32);
         return {impl->mutate([&] {
           const int node = vd::add_op(
               *impl, OpType::kUnique, "Unique", {impl->ref_of(ids)},
               {{vd::attr_name::kT, DType::kInt32}, {vd::attr_name::kOutIdx, DType::kInt32}});
           return impl->tensor({node, 0});
         })};
       },
       .reference =
           [](const Values& v) {
             std::vector<double> y;
             for (double x : v[0]) {
               const double id = std::trunc(x);
               if (std::find(y.begin(), y.end(), id) == y.end()) y.push_back(id);
             }
             return y;
           },
       .no_gradient = {true}},
      {.op = OpType::kScatterAdd,
       .inputs = {Shape{3, 2}},
       .build = [](Graph& g, P p,
                   DType t) { return scatter_case(g, OpType::kScatterAdd, p[0], t); },
       .reference = [](const Values& v) { return scatter_reference(v, 1.0); }},
      {.op = OpType::kScatterSub,
       .inputs = {Shape{3, 2}},
       .build = [](Graph& g, P p,
                   DType t) { return scatter_case(g, OpType::kScatterSub, p[0], t); },
       .reference = [](const Values& v) { return scatter_reference(v, -1.0); }},
      // Momentum's sparse update of rows {2, 0, 2}: Unique and UnsortedSegmentSum sum row 2's
      // two gradient rows, then accum = g and var -= lr * accum on rows 0 and 2 alone.
      {.op = OpType::kSparseApplyMomentum,
       .inputs = {Shape{3, 2}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         Variable v =
             g.variable(values_of(t, {1, 2, 3, 4, 5, 6, 7, 8}, Shape{4, 2}), {.name = "v"});
         const Tensor ids = constant(g, HostTensor(std::vector<std::int32_t>{2, 0, 2}));
         const Tensor shape = constant(g, HostTensor(std::vector<std::int32_t>{4, 2}));
         train::MomentumOptimizer opt(0.5, 0.9);
         return {v.value(),
                 {opt.apply_gradients({{IndexedSlices{p[0], ids, shape, Shape{4, 2}}, v}})}};
       },
       .reference =
           [](const Values& v) {
             const std::vector<double> moved = scatter_reference(v, -0.5);
             return moved;
           }},
  };
}

}  // namespace varscope::testing
