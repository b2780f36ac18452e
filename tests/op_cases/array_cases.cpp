// The array ops' cases (src/host/graph/op_rows/array_ops.cpp), in OpType order.
#include "op_cases/op_case.h"

namespace varscope::testing {

std::vector<OpCase> array_cases() {
  using namespace cases;
  using P = const std::vector<Tensor>&;
  return {
      {.op = OpType::kFill,
       .inputs = {},
       .build = [](Graph& g, P, DType t) -> OpOutput {
         const auto& impl = vd::Access::impl(g);
         return {impl->mutate([&] {
           return impl->tensor(vd::build_fill(*impl, Shape{40, 30}, t, 2.5, "fill"));
         })};
       },
       .reference = [](const Values&) { return std::vector<double>(1200, 2.5); }},
      {.op = OpType::kOnesLike,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {ones_like(p[0])}; },
       .reference = [](const Values&) { return std::vector<double>(6, 1.0); }},
      {.op = OpType::kZerosLike,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {zeros_like(p[0])}; },
       .reference = [](const Values&) { return std::vector<double>(6, 0.0); }},
  };
}

}  // namespace varscope::testing
