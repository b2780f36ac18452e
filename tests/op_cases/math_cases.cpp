// The math ops' cases (src/host/graph/op_rows/math_ops.cpp), in OpType order.
#include "op_cases/op_case.h"

namespace varscope::testing {

std::vector<OpCase> math_cases() {
  using namespace cases;
  using P = const std::vector<Tensor>&;
  return {
      {.op = OpType::kMatMul,
       .inputs = {Shape{2, 3}, Shape{3, 4}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {matmul(p[0], p[1])}; },
       .reference = [](const Values& v) { return cases::matmul(v[0], v[1], 1, 2, 3, 4); }},
      {.op = OpType::kBatchMatMulV2,
       .inputs = {Shape{2, 2, 3}, Shape{2, 3, 2}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {matmul(p[0], p[1])}; },
       .reference = [](const Values& v) { return cases::matmul(v[0], v[1], 2, 2, 3, 2); }},
      {.op = OpType::kAdd,
       .inputs = {Shape{2, 3}, Shape{3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {add(p[0], p[1])}; },
       .reference =
           [](const Values& v) {
             return broadcast(v[0], v[1], 3, false, [](double a, double b) { return a + b; });
           }},
      {.op = OpType::kAddV2,
       .inputs = {Shape{2, 3}, Shape{2, 1}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {p[0] + p[1]}; },
       .reference =
           [](const Values& v) {
             return broadcast(v[0], v[1], 3, true, [](double a, double b) { return a + b; });
           }},
      {.op = OpType::kSub,
       .inputs = {Shape{2, 3}, Shape{1, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {subtract(p[0], p[1])}; },
       .reference =
           [](const Values& v) {
             return broadcast(v[0], v[1], 3, false, [](double a, double b) { return a - b; });
           }},
      {.op = OpType::kMul,
       .inputs = {Shape{2, 3}, Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {multiply(p[0], p[1])}; },
       .reference =
           [](const Values& v) {
             return zip(v[0], v[1], [](double a, double b) { return a * b; });
           }},
      {.op = OpType::kRealDiv,
       .inputs = {Shape{2, 3}, Shape{3}},
       .lo = 0.5,
       .hi = 2,
       .build = [](Graph&, P p, DType) -> OpOutput { return {divide(p[0], p[1])}; },
       .reference =
           [](const Values& v) {
             return broadcast(v[0], v[1], 3, false, [](double a, double b) { return a / b; });
           }},
      {.op = OpType::kSigmoid,
       .inputs = {Shape{2, 5}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {sigmoid(p[0])}; },
       .reference =
           [](const Values& v) {
             return map(v[0], [](double x) { return 1 / (1 + std::exp(-x)); });
           }},
      {.op = OpType::kTanh,
       .inputs = {Shape{2, 5}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {tanh(p[0])}; },
       .reference =
           [](const Values& v) { return map(v[0], [](double x) { return std::tanh(x); }); }},
      {.op = OpType::kSum,
       .inputs = {Shape{2, 3, 4}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {reduce_sum(p[0], {.axes = std::vector<int>{1}})};
       },
       .reference =
           [](const Values& v) {
             std::vector<double> out(8, 0.0);
             for (int i = 0; i < 2; ++i)
               for (int j = 0; j < 3; ++j)
                 for (int k = 0; k < 4; ++k)
                   out[std::size_t(i * 4 + k)] += v[0][std::size_t(i * 12 + j * 4 + k)];
             return out;
           }},
      {.op = OpType::kMean,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {reduce_mean(p[0], {.axes = std::vector<int>{0}})};
       },
       .reference =
           [](const Values& v) {
             std::vector<double> out(3);
             for (int j = 0; j < 3; ++j)
               out[std::size_t(j)] = (v[0][std::size_t(j)] + v[0][std::size_t(3 + j)]) / 2;
             return out;
           }},
      {.op = OpType::kCast,
       .inputs = {Shape{5}},
       .build = [](Graph&, P p, DType t) -> OpOutput {
         return {cast(p[0], t == DType::kFloat32 ? DType::kFloat64 : DType::kFloat32)};
       },
       .reference = [](const Values& v) { return v[0]; },
       .no_finite_differences = "a float32 result: gradients_test checks Cast's gradient"},
      {.op = OpType::kSquare,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {square(p[0])}; },
       .reference = [](const Values& v) { return map(v[0], [](double x) { return x * x; }); }},
      {.op = OpType::kExp,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {exp(p[0])}; },
       .reference =
           [](const Values& v) { return map(v[0], [](double x) { return std::exp(x); }); }},
      {.op = OpType::kLog,
       .inputs = {Shape{2, 3}},
       .lo = 0.25,
       .hi = 3,
       .build = [](Graph&, P p, DType) -> OpOutput { return {log(p[0])}; },
       .reference =
           [](const Values& v) { return map(v[0], [](double x) { return std::log(x); }); }},
      {.op = OpType::kNeg,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {negative(p[0])}; },
       .reference = [](const Values& v) { return map(v[0], [](double x) { return -x; }); }},
      {.op = OpType::kSigmoidGrad,
       .inputs = {Shape{2, 3}, Shape{2, 3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         return {internal_node(g, OpType::kSigmoidGrad, {p[0], p[1]}, t, Shape{2, 3})};
       },
       .reference =
           [](const Values& v) {
             return zip(v[0], v[1], [](double y, double dy) { return dy * y * (1 - y); });
           }},
      {.op = OpType::kTanhGrad,
       .inputs = {Shape{2, 3}, Shape{2, 3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         return {internal_node(g, OpType::kTanhGrad, {p[0], p[1]}, t, Shape{2, 3})};
       },
       .reference =
           [](const Values& v) {
             return zip(v[0], v[1], [](double y, double dy) { return dy * (1 - y * y); });
           }},
      {.op = OpType::kAddN,
       .inputs = {Shape{2, 3}, Shape{2, 3}, Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {add_n({p[0], p[1], p[2]})};
       },
       .reference =
           [](const Values& v) {
             return zip(zip(v[0], v[1], std::plus<>()), v[2], std::plus<>());
           }},
      {.op = OpType::kSumToShape,
       .inputs = {Shape{2, 3}, Shape{3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         return {internal_node(g, OpType::kSumToShape, {p[0], p[1]}, t, Shape{3})};
       },
       .reference =
           [](const Values& v) {
             std::vector<double> out(3);
             for (int j = 0; j < 3; ++j)
               out[std::size_t(j)] = v[0][std::size_t(j)] + v[0][std::size_t(3 + j)];
             return out;
           },
       .no_gradient = {false, true}},  // `like` gives only its shape
      {.op = OpType::kBroadcastToShape,
       .inputs = {Shape{2}, Shape{2, 3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         const Tensor axes = constant(g, HostTensor(std::vector<std::int32_t>{1}));
         return {internal_node(g, OpType::kBroadcastToShape, {p[0], p[1], axes}, t, Shape{2, 3},
                               {{vd::attr_name::kT, t}, {vd::attr_name::kMean, true}})};
       },
       .reference =
           [](const Values& v) {
             std::vector<double> out;
             for (int i = 0; i < 6; ++i)
               out.push_back(v[0][std::size_t(i / 3)] / 3);
             return out;
           },
       .no_gradient = {false, true}},
  };
}

}  // namespace varscope::testing
