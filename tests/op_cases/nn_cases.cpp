// The nn ops' cases (src/host/graph/op_rows/nn_ops.cpp), in OpType order.
#include "op_cases/op_case.h"

namespace varscope::testing {

std::vector<OpCase> nn_cases() {
  using namespace cases;
  using P = const std::vector<Tensor>&;
  return {
      {.op = OpType::kBiasAdd,
       .inputs = {Shape{2, 3}, Shape{3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {bias_add(p[0], p[1])}; },
       .reference =
           [](const Values& v) {
             return broadcast(v[0], v[1], 3, false, [](double a, double b) { return a + b; });
           }},
      {.op = OpType::kRelu,
       .inputs = {Shape{2, 5}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {relu(p[0])}; },
       .reference =
           [](const Values& v) { return map(v[0], [](double x) { return x > 0 ? x : 0.0; }); }},
      {.op = OpType::kSoftmax,
       .inputs = {Shape{2, 4}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {softmax(p[0])}; },
       .reference = [](const Values& v) { return softmax_rows(v[0], 4); }},
      {.op = OpType::kReluGrad,
       .inputs = {Shape{2, 3}, Shape{2, 3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         return {internal_node(g, OpType::kReluGrad, {p[0], p[1]}, t, Shape{2, 3})};
       },
       .reference =
           [](const Values& v) {
             return zip(v[0], v[1], [](double dy, double f) { return f > 0 ? dy : 0.0; });
           }},
      // Labels are distributions: TF's backprop (softmax - labels) is the gradient only then.
      {.op = OpType::kSoftmaxXent,
       .inputs = {Shape{2, 4}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         const Tensor labels =
             constant(g, values_of(t, {0.1, 0.2, 0.3, 0.4, 0.7, 0, 0.25, 0.05}, Shape{2, 4}));
         return {softmax_cross_entropy_with_logits(labels, p[0])};
       },
       .reference =
           [](const Values& v) {
             const std::vector<double> labels = {0.1, 0.2, 0.3, 0.4, 0.7, 0, 0.25, 0.05};
             const std::vector<double> s = softmax_rows(v[0], 4);
             std::vector<double> loss(2, 0.0);
             for (std::size_t i = 0; i < 8; ++i)
               loss[i / 4] -= labels[i] * std::log(s[i]);
             return loss;
           }},
      {.op = OpType::kSparseSoftmaxXent,
       .inputs = {Shape{2, 4}},
       .build = [](Graph& g, P p, DType) -> OpOutput {
         const Tensor labels = constant(g, HostTensor(std::vector<std::int32_t>{1, 3}));
         return {sparse_softmax_cross_entropy_with_logits(labels, p[0])};
       },
       .reference =
           [](const Values& v) {
             const std::vector<double> s = softmax_rows(v[0], 4);
             return std::vector<double>{-std::log(s[1]), -std::log(s[4 + 3])};
           }},
      // Issue 24: activations and their gradient ops.
      {.op = OpType::kLeakyRelu,
       .inputs = {Shape{2, 5}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {leaky_relu(p[0])}; },
       .reference =
           [](const Values& v) {
             return map(v[0], [](double x) { return x > 0 ? x : x * double(0.2f); });
           }},
      {.op = OpType::kElu,
       .inputs = {Shape{2, 5}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {elu(p[0])}; },
       .reference =
           [](const Values& v) {
             return map(v[0], [](double x) { return x < 0 ? std::exp(x) - 1 : x; });
           }},
      {.op = OpType::kSoftplus,
       .inputs = {Shape{2, 5}},
       .lo = -4,
       .hi = 4,
       .build = [](Graph&, P p, DType) -> OpOutput { return {softplus(p[0])}; },
       .reference =
           [](const Values& v) {
             return map(v[0], [](double x) { return std::log1p(std::exp(x)); });
           }},
      {.op = OpType::kRelu6,
       .inputs = {Shape{2, 5}},
       .lo = -3,
       .hi = 9,
       .build = [](Graph&, P p, DType) -> OpOutput { return {relu6(p[0])}; },
       .reference =
           [](const Values& v) {
             return map(v[0], [](double x) { return std::min(std::max(x, 0.0), 6.0); });
           }},
      {.op = OpType::kEluGrad,
       .inputs = {Shape{2, 3}, Shape{2, 3}},
       .lo = -0.9,
       .hi = 2,
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         return {internal_node(g, OpType::kEluGrad, {p[0], p[1]}, t, Shape{2, 3})};
       },
       .reference =
           [](const Values& v) {
             return zip(v[0], v[1], [](double dy, double y) { return y < 0 ? dy * (y + 1) : dy; });
           }},
      {.op = OpType::kRelu6Grad,
       .inputs = {Shape{2, 3}, Shape{2, 3}},
       .lo = -3,
       .hi = 9,
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         return {internal_node(g, OpType::kRelu6Grad, {p[0], p[1]}, t, Shape{2, 3})};
       },
       .reference =
           [](const Values& v) {
             return zip(v[0], v[1], [](double dy, double f) { return f > 0 && f < 6 ? dy : 0.0; });
           }},
      {.op = OpType::kLeakyReluGrad,
       .inputs = {Shape{2, 3}, Shape{2, 3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         return {internal_node(g, OpType::kLeakyReluGrad, {p[0], p[1]}, t, Shape{2, 3},
                               {{vd::attr_name::kAlpha, 0.5}, {vd::attr_name::kT, t}})};
       },
       .reference =
           [](const Values& v) {
             return zip(v[0], v[1], [](double dy, double f) { return f > 0 ? dy : dy * 0.5; });
           }},
  };
}

}  // namespace varscope::testing
