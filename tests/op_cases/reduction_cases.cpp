// The cases of Max, Min, Prod (op_rows/math_ops.cpp), ArgMax, ArgMin, Cumsum and Cumprod
// (op_rows/axis_ops.cpp).
#include <algorithm>

#include "op_cases/op_case.h"

namespace varscope::testing {
namespace {

using namespace cases;

// x as [outer, n, inner], folded along the middle axis by `f` from `start`.
template <class F>
std::vector<double> fold(
    const std::vector<double>& x, int outer, int n, int inner, double start, F f) {
  std::vector<double> out(static_cast<std::size_t>(outer * inner), start);
  for (int o = 0; o < outer; ++o)
    for (int k = 0; k < n; ++k)
      for (int i = 0; i < inner; ++i) {
        double& acc = out[std::size_t(o * inner + i)];
        acc = f(acc, x[std::size_t((o * n + k) * inner + i)]);
      }
  return out;
}

// The index of the first best element along the middle axis.
template <class Better>
std::vector<double> arg(const std::vector<double>& x, int outer, int n, int inner, Better better) {
  std::vector<double> out;
  for (int o = 0; o < outer; ++o)
    for (int i = 0; i < inner; ++i) {
      int best = 0;
      for (int k = 1; k < n; ++k) {
        if (better(x[std::size_t((o * n + k) * inner + i)],
                   x[std::size_t((o * n + best) * inner + i)]))
          best = k;
      }
      out.push_back(best);
    }
  return out;
}

}  // namespace

std::vector<OpCase> reduction_cases() {
  using P = const std::vector<Tensor>&;
  const auto max = [](double a, double b) { return std::max(a, b); };
  const auto min = [](double a, double b) { return std::min(a, b); };
  return {
      {.op = OpType::kMax,
       .inputs = {Shape{2, 3, 4}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {reduce_max(p[0], {.axes = std::vector<int>{-1}, .keepdims = true})};
       },
       .reference = [=](const Values& v) { return fold(v[0], 6, 4, 1, -INFINITY, max); }},
      {.op = OpType::kMin,
       .inputs = {Shape{2, 3, 4}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {reduce_min(p[0], {.axes = std::vector<int>{0, 1}})};
       },
       .reference = [=](const Values& v) { return fold(v[0], 1, 6, 4, INFINITY, min); }},
      {.op = OpType::kProd,
       .inputs = {Shape{3, 4}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {reduce_prod(p[0], {.axes = std::vector<int>{0}})};
       },
       .reference =
           [](const Values& v) {
             return fold(v[0], 1, 3, 4, 1.0, [](double a, double b) { return a * b; });
           }},
      {.op = OpType::kArgMax,
       .inputs = {Shape{3, 5}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {argmax(p[0], {.axis = 1})}; },
       .reference =
           [](const Values& v) {
             return arg(v[0], 3, 5, 1, [](double a, double b) { return a > b; });
           }},
      {.op = OpType::kArgMin,
       .inputs = {Shape{3, 5}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {argmin(p[0], {.axis = -2, .output_type = DType::kInt32})};
       },
       .reference =
           [](const Values& v) {
             return arg(v[0], 1, 3, 5, [](double a, double b) { return a < b; });
           }},
      {.op = OpType::kCumsum,
       .inputs = {Shape{2, 4, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {cumsum(p[0], {.axis = 1, .exclusive = true, .reverse = true})};
       },
       .reference =
           [](const Values& v) {
             std::vector<double> out(v[0].size());
             for (int o = 0; o < 2; ++o)
               for (int i = 0; i < 3; ++i) {
                 double sum = 0;
                 for (int k = 3; k >= 0; --k) {
                   const std::size_t at = std::size_t((o * 4 + k) * 3 + i);
                   out[at] = sum;
                   sum += v[0][at];
                 }
               }
             return out;
           }},
      {.op = OpType::kCumprod,
       .inputs = {Shape{3, 4}},
       .lo = 0.5,
       .hi = 2,  // away from 0: the gradient divides by x, as TF's
       .build = [](Graph&, P p, DType) -> OpOutput { return {cumprod(p[0], {.axis = -1})}; },
       .reference =
           [](const Values& v) {
             std::vector<double> out(v[0].size());
             for (std::size_t r = 0; r < 3; ++r) {
               double running = 1;
               for (std::size_t c = 0; c < 4; ++c)
                 out[r * 4 + c] = running *= v[0][r * 4 + c];
             }
             return out;
           }},
  };
}

}  // namespace varscope::testing
