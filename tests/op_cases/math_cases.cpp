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
      {.op = OpType::kLog1p,
       .inputs = {Shape{2, 3}},
       .lo = -0.5,
       .hi = 3,
       .build = [](Graph&, P p, DType) -> OpOutput { return {log1p(p[0])}; },
       .reference =
           [](const Values& v) { return map(v[0], [](double x) { return std::log1p(x); }); }},
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
      // Issue 24: elementwise math.
      {.op = OpType::kSqrt,
       .inputs = {Shape{2, 3}},
       .lo = 0.25,
       .hi = 3,
       .build = [](Graph&, P p, DType) -> OpOutput { return {sqrt(p[0])}; },
       .reference =
           [](const Values& v) { return map(v[0], [](double x) { return std::sqrt(x); }); }},
      {.op = OpType::kRsqrt,
       .inputs = {Shape{2, 3}},
       .lo = 0.25,
       .hi = 3,
       .build = [](Graph&, P p, DType) -> OpOutput { return {rsqrt(p[0])}; },
       .reference =
           [](const Values& v) { return map(v[0], [](double x) { return 1 / std::sqrt(x); }); }},
      {.op = OpType::kAbs,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {abs(p[0])}; },
       .reference =
           [](const Values& v) { return map(v[0], [](double x) { return std::abs(x); }); }},
      {.op = OpType::kSign,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {sign(p[0])}; },
       .reference =
           [](const Values& v) {
             return map(v[0], [](double x) { return double((x > 0) - (x < 0)); });
           }},
      {.op = OpType::kReciprocal,
       .inputs = {Shape{2, 3}},
       .lo = 0.25,
       .hi = 3,
       .build = [](Graph&, P p, DType) -> OpOutput { return {reciprocal(p[0])}; },
       .reference = [](const Values& v) { return map(v[0], [](double x) { return 1 / x; }); }},
      {.op = OpType::kFloor,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {floor(p[0])}; },
       .reference =
           [](const Values& v) { return map(v[0], [](double x) { return std::floor(x); }); }},
      {.op = OpType::kCeil,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {ceil(p[0])}; },
       .reference =
           [](const Values& v) { return map(v[0], [](double x) { return std::ceil(x); }); }},
      // Halves round to even: 2.5 -> 2, -0.5 -> -0 (x * 2 puts some values on halves).
      {.op = OpType::kRound,
       .inputs = {Shape{2, 4}},
       .lo = -3,
       .hi = 3,
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         const Tensor halves =
             constant(g, values_of(t, {0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49, 3.5}, Shape{2, 4}));
         return {round(p[0] * 0.0 + halves + round(p[0]) * 0.0)};
       },
       .reference = [](const Values&) { return std::vector<double>{0, 2, 2, -0.0, -2, -2, 0, 4}; }},
      {.op = OpType::kSqrtGrad,
       .inputs = {Shape{2, 3}, Shape{2, 3}},
       .lo = 0.25,
       .hi = 3,
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         return {internal_node(g, OpType::kSqrtGrad, {p[0], p[1]}, t, Shape{2, 3})};
       },
       .reference =
           [](const Values& v) {
             return zip(v[0], v[1], [](double y, double dy) { return 0.5 * dy / y; });
           }},
      {.op = OpType::kRsqrtGrad,
       .inputs = {Shape{2, 3}, Shape{2, 3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         return {internal_node(g, OpType::kRsqrtGrad, {p[0], p[1]}, t, Shape{2, 3})};
       },
       .reference =
           [](const Values& v) {
             return zip(v[0], v[1], [](double y, double dy) { return -0.5 * dy * y * y * y; });
           }},
      {.op = OpType::kReciprocalGrad,
       .inputs = {Shape{2, 3}, Shape{2, 3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         return {internal_node(g, OpType::kReciprocalGrad, {p[0], p[1]}, t, Shape{2, 3})};
       },
       .reference =
           [](const Values& v) {
             return zip(v[0], v[1], [](double y, double dy) { return -dy * y * y; });
           }},
      {.op = OpType::kMaximum,
       .inputs = {Shape{2, 3}, Shape{3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {maximum(p[0], p[1])}; },
       .reference =
           [](const Values& v) {
             return broadcast(v[0], v[1], 3, false,
                              [](double a, double b) { return a < b ? b : a; });
           }},
      {.op = OpType::kMinimum,
       .inputs = {Shape{2, 3}, Shape{2, 1}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {minimum(p[0], p[1])}; },
       .reference =
           [](const Values& v) {
             return broadcast(v[0], v[1], 3, true,
                              [](double a, double b) { return b < a ? b : a; });
           }},
      {.op = OpType::kPow,
       .inputs = {Shape{2, 3}, Shape{3}},
       .lo = 0.5,
       .hi = 2,
       .build = [](Graph&, P p, DType) -> OpOutput { return {pow(p[0], p[1])}; },
       .reference =
           [](const Values& v) {
             return broadcast(v[0], v[1], 3, false,
                              [](double a, double b) { return std::pow(a, b); });
           }},
      // y is 0 where p[1] < 1.25 (about half the elements): DivNoNan gives 0 there, and so
      // does its gradient; elsewhere y >= 1.25.
      {.op = OpType::kDivNoNan,
       .inputs = {Shape{2, 3}, Shape{2, 3}},
       .lo = 0.5,
       .hi = 2,
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {div_no_nan(p[0], multiply(p[1], floor(divide(p[1], 1.25))))};
       },
       .reference =
           [](const Values& v) {
             return zip(v[0], v[1], [](double a, double b) {
               const double y = b * std::floor(b / 1.25);
               return y == 0 ? 0.0 : a / y;
             });
           }},
      {.op = OpType::kSquaredDifference,
       .inputs = {Shape{2, 3}, Shape{3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {squared_difference(p[0], p[1])}; },
       .reference =
           [](const Values& v) {
             return broadcast(v[0], v[1], 3, false,
                              [](double a, double b) { return (a - b) * (a - b); });
           }},
      // Comparisons give bool (0 or 1 here); equality through a maximum, so that both answers
      // occur.
      {.op = OpType::kEqual,
       .inputs = {Shape{2, 3}, Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {equal(p[0], maximum(p[0], p[1]))}; },
       .reference =
           [](const Values& v) {
             return zip(v[0], v[1], [](double a, double b) { return double(a >= b); });
           }},
      {.op = OpType::kNotEqual,
       .inputs = {Shape{2, 3}, Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {not_equal(p[0], maximum(p[0], p[1]))};
       },
       .reference =
           [](const Values& v) {
             return zip(v[0], v[1], [](double a, double b) { return double(a < b); });
           }},
      {.op = OpType::kGreater,
       .inputs = {Shape{2, 3}, Shape{3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {greater(p[0], p[1])}; },
       .reference =
           [](const Values& v) {
             return broadcast(v[0], v[1], 3, false,
                              [](double a, double b) { return double(a > b); });
           }},
      {.op = OpType::kGreaterEqual,
       .inputs = {Shape{2, 3}, Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {greater_equal(p[0], maximum(p[0], p[1]))};
       },
       .reference =
           [](const Values& v) {
             return zip(v[0], v[1], [](double a, double b) { return double(a >= b); });
           }},
      {.op = OpType::kLess,
       .inputs = {Shape{2, 3}, Shape{2, 1}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {less(p[0], p[1])}; },
       .reference =
           [](const Values& v) {
             return broadcast(v[0], v[1], 3, true,
                              [](double a, double b) { return double(a < b); });
           }},
      {.op = OpType::kLessEqual,
       .inputs = {Shape{2, 3}, Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {less_equal(p[0], minimum(p[0], p[1]))};
       },
       .reference =
           [](const Values& v) {
             return zip(v[0], v[1], [](double a, double b) { return double(a <= b); });
           }},
      {.op = OpType::kLogicalAnd,
       .inputs = {Shape{2, 3}, Shape{3}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {logical_and(greater(p[0], 0.0), greater(p[1], 0.0))};
       },
       .reference =
           [](const Values& v) {
             return broadcast(v[0], v[1], 3, false,
                              [](double a, double b) { return double(a > 0 && b > 0); });
           }},
      {.op = OpType::kLogicalOr,
       .inputs = {Shape{2, 3}, Shape{3}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {logical_or(greater(p[0], 0.0), greater(p[1], 0.0))};
       },
       .reference =
           [](const Values& v) {
             return broadcast(v[0], v[1], 3, false,
                              [](double a, double b) { return double(a > 0 || b > 0); });
           }},
      {.op = OpType::kLogicalNot,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {logical_not(greater(p[0], 0.0))}; },
       .reference =
           [](const Values& v) { return map(v[0], [](double a) { return double(a <= 0); }); }},
      // Integer quotients of truncated inputs by divisors of both signs.
      {.op = OpType::kTruncateDiv,
       .inputs = {Shape{6}},
       .lo = -20,
       .hi = 20,
       .build = [](Graph& g, P p, DType) -> OpOutput {
         const Tensor y = constant(g, HostTensor(std::vector<std::int32_t>{3, -3, 7, -7, 2, -2}));
         return {truncatediv(cast(p[0], DType::kInt32), y)};
       },
       .reference =
           [](const Values& v) {
             const double y[] = {3, -3, 7, -7, 2, -2};
             std::vector<double> out;
             for (std::size_t i = 0; i < 6; ++i)
               out.push_back(std::trunc(std::trunc(v[0][i]) / y[i]));
             return out;
           }},
      {.op = OpType::kFloorDiv,
       .inputs = {Shape{2, 3}, Shape{3}},
       .lo = 0.5,
       .hi = 4,
       .build = [](Graph&, P p, DType) -> OpOutput { return {floordiv(p[0] * -3.0, p[1])}; },
       .reference =
           [](const Values& v) {
             return broadcast(v[0], v[1], 3, false,
                              [](double a, double b) { return std::floor(-a * 3 / b); });
           }},
      {.op = OpType::kFloorMod,
       .inputs = {Shape{2, 3}, Shape{3}},
       .lo = 0.5,
       .hi = 4,
       .build = [](Graph&, P p, DType) -> OpOutput { return {floormod(p[0] * -3.0, p[1])}; },
       .reference =
           [](const Values& v) {
             return broadcast(v[0], v[1], 3, false, [](double a, double b) {
               const double m = std::fmod(-a * 3, b);
               return m != 0 && (m < 0) != (b < 0) ? m + b : m;
             });
           }},
      // TF1's Select with a vector condition over the rows; SelectV2 broadcasting all three.
      {.op = OpType::kSelect,
       .inputs = {Shape{2}, Shape{2, 3}, Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {where(greater(p[0], 0.0), p[1], p[2])};
       },
       .reference =
           [](const Values& v) {
             std::vector<double> out;
             for (std::size_t i = 0; i < 6; ++i)
               out.push_back(v[0][i / 3] > 0 ? v[1][i] : v[2][i]);
             return out;
           },
       .no_gradient = {true, false, false}},
      {.op = OpType::kSelectV2,
       .inputs = {Shape{3}, Shape{2, 3}, Shape{2, 1}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {where_v2(greater(p[0], 0.0), p[1], p[2])};
       },
       .reference =
           [](const Values& v) {
             std::vector<double> out;
             for (std::size_t i = 0; i < 6; ++i)
               out.push_back(v[0][i % 3] > 0 ? v[1][i] : v[2][i / 3]);
             return out;
           },
       .no_gradient = {true, false, false}},
  };
}

}  // namespace varscope::testing
