// The nn ops' cases (src/host/graph/op_rows/nn_ops.cpp), in OpType order.
#include <algorithm>
#include <cmath>

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
      // TF's gradient of BiasAdd (TF-built graphs import it): the sum over all but the last dim.
      {.op = OpType::kBiasAddGrad,
       .inputs = {Shape{2, 2, 3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         return {internal_node(g, OpType::kBiasAddGrad, {p[0]}, t, Shape{3})};
       },
       .reference =
           [](const Values& v) {
             std::vector<double> out(3, 0.0);
             for (std::size_t i = 0; i < v[0].size(); ++i)
               out[i % 3] += v[0][i];
             return out;
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
      // Issue 24: log_softmax, l2_loss, and the composite nn functions, each under an op type
      // it builds.
      {.op = OpType::kLogSoftmax,
       .inputs = {Shape{2, 4}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {log_softmax(p[0])}; },
       .reference =
           [](const Values& v) {
             return map(softmax_rows(v[0], 4), [](double s) { return std::log(s); });
           }},
      {.op = OpType::kL2Loss,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {l2_loss(p[0])}; },
       .reference =
           [](const Values& v) {
             double sum = 0;
             for (double x : v[0])
               sum += x * x;
             return std::vector<double>{sum / 2};
           }},
      {.op = OpType::kRsqrt,  // l2_normalize over the rows
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {l2_normalize(p[0], 1)}; },
       .reference =
           [](const Values& v) {
             std::vector<double> y;
             for (std::size_t r = 0; r < 2; ++r) {
               double sum = 0;
               for (std::size_t c = 0; c < 3; ++c)
                 sum += v[0][r * 3 + c] * v[0][r * 3 + c];
               for (std::size_t c = 0; c < 3; ++c)
                 y.push_back(v[0][r * 3 + c] / std::sqrt(std::max(sum, 1e-12)));
             }
             return y;
           }},
      {.op = OpType::kSelect,  // sigmoid_cross_entropy_with_logits(labels, logits)
       .inputs = {Shape{2, 3}, Shape{2, 3}},
       .lo = -3,
       .hi = 3,
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {sigmoid_cross_entropy_with_logits(p[0], p[1])};
       },
       .reference =
           [](const Values& v) {
             return zip(v[0], v[1], [](double z, double x) {
               return std::max(x, 0.0) - x * z + std::log1p(std::exp(-std::abs(x)));
             });
           }},
      {.op = OpType::kSquaredDifference,  // moments over axis 1: mean + variance
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         const Moments m = moments(p[0], {1});
         return {m.mean + m.variance};
       },
       .reference =
           [](const Values& v) {
             std::vector<double> y;
             for (std::size_t r = 0; r < 2; ++r) {
               double mean = 0, var = 0;
               for (std::size_t c = 0; c < 3; ++c)
                 mean += v[0][r * 3 + c] / 3;
               for (std::size_t c = 0; c < 3; ++c)
                 var += (v[0][r * 3 + c] - mean) * (v[0][r * 3 + c] - mean) / 3;
               y.push_back(mean + var);
             }
             return y;
           }},
      // dropout of ones: every element is 0 or 1 / keep_prob, about keep_prob of them kept.
      {.op = OpType::kRandomUniform,
       .inputs = {},
       .build = [](Graph& g, P, DType t) -> OpOutput {
         const Tensor ones = constant(g, HostTensor(1.0), {.dtype = t, .shape = Shape{4000}});
         return {dropout(ones, 0.75, {.seed = 5})};
       },
       .property =
           [](const HostTensor& got) {
             std::int64_t kept = 0;
             for (std::int64_t i = 0; i < got.num_elements(); ++i) {
               const double v = got.element_as_double(i);
               if (v != 0) {
                 ASSERT_NEAR(v, 1 / 0.75, 1e-6);
                 ++kept;
               }
             }
             EXPECT_NEAR(static_cast<double>(kept) / 4000, 0.75, 0.03);
           }},
  };
}

}  // namespace varscope::testing
