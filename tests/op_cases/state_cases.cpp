// The state ops' cases (src/host/graph/op_rows/state_ops.cpp), in OpType order.
#include "op_cases/op_case.h"

namespace varscope::testing {

std::vector<OpCase> state_cases() {
  using namespace cases;
  using P = const std::vector<Tensor>&;
  return {
      {.op = OpType::kConst,
       .inputs = {},
       .build = [](Graph& g, P, DType t) -> OpOutput {
         return {constant(g, values_of(t, {1.5, -2, 3.25}, Shape{3}))};
       },
       .reference =
           [](const Values&) {
             return std::vector<double>{1.5, -2, 3.25};
           }},
      {.op = OpType::kPlaceholder,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {p[0]}; },
       .reference = [](const Values& v) { return v[0]; }},
      {.op = OpType::kVariableV2,
       .inputs = {},
       .build = [](Graph& g, P, DType t) -> OpOutput {
         return {g.variable(values_of(t, {4, 5}, Shape{2}), {.name = "v"}).value()};
       },
       .reference =
           [](const Values&) {
             return std::vector<double>{4, 5};
           }},
      {.op = OpType::kIdentity,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {identity(p[0])}; },
       .reference = [](const Values& v) { return v[0]; }},
      {.op = OpType::kAssign,
       .inputs = {Shape{2, 3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         Variable v = g.variable(HostTensor(t, Shape{2, 3}), {.name = "v"});
         return {assign(v, p[0])};
       },
       .reference = [](const Values& v) { return v[0]; }},
      {.op = OpType::kAssignAdd,
       .inputs = {Shape{2, 3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         Variable w = g.variable(values_of(t, {1, 1, 1, 1, 1, 1}, Shape{2, 3}), {.name = "w"});
         return {assign_add(w, p[0])};
       },
       .reference = [](const Values& v) { return map(v[0], [](double x) { return x + 1; }); }},
      {.op = OpType::kAssignSub,
       .inputs = {Shape{2, 3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         Variable w = g.variable(values_of(t, {1, 1, 1, 1, 1, 1}, Shape{2, 3}), {.name = "w"});
         return {assign_sub(w, p[0])};
       },
       .reference = [](const Values& v) { return map(v[0], [](double x) { return 1 - x; }); }},
      {.op = OpType::kNoOp,
       .inputs = {Shape{3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         Variable v = g.variable(HostTensor(t, Shape{3}), {.name = "v"});
         return {v.value(), {group({assign(v, p[0]).op()})}};
       },
       .reference = [](const Values& v) { return v[0]; }},
      {.op = OpType::kIsVariableInitialized,
       .inputs = {},
       .build = [](Graph& g, P, DType t) -> OpOutput {
         Variable v = g.variable(HostTensor(t, Shape{2}), {.name = "v"});
         return {g.is_variable_initialized(v)};
       },
       .property =
           [](const HostTensor& got) {
             ASSERT_EQ(got.dtype(), DType::kBool);
             EXPECT_EQ(got.element_as_double(0), 1.0);
           }},
  };
}

}  // namespace varscope::testing
