// The random ops' cases (src/host/graph/op_rows/random_ops.cpp), in OpType order.
#include "op_cases/op_case.h"

namespace varscope::testing {

std::vector<OpCase> random_cases() {
  using namespace cases;
  using P = const std::vector<Tensor>&;
  return {
      {.op = OpType::kRandomUniform,
       .inputs = {},
       .build = [](Graph& g, P, DType t) -> OpOutput {
         return {random_uniform(g, Shape{8000}, {.dtype = t, .seed = 7})};
       },
       .property =
           [](const HostTensor& got) {
             for (std::int64_t i = 0; i < got.num_elements(); ++i) {
               ASSERT_GE(got.element_as_double(i), 0.0);
               ASSERT_LT(got.element_as_double(i), 1.0);
             }
             expect_moments(got, 0.5, std::sqrt(1.0 / 12), 0.02);
           }},
      {.op = OpType::kRandomStandardNormal,
       .inputs = {},
       .build = [](Graph& g, P, DType t) -> OpOutput {
         return {random_normal(g, Shape{8000}, {.dtype = t, .seed = 7})};
       },
       .property = [](const HostTensor& got) { expect_moments(got, 0.0, 1.0, 0.05); }},
      {.op = OpType::kTruncatedNormal,
       .inputs = {},
       .build = [](Graph& g, P, DType t) -> OpOutput {
         return {truncated_normal(g, Shape{8000}, {.dtype = t, .seed = 7})};
       },
       .property =
           [](const HostTensor& got) {
             for (std::int64_t i = 0; i < got.num_elements(); ++i)
               ASSERT_LE(std::abs(got.element_as_double(i)), 2.0);
             expect_moments(got, 0.0, 0.8796, 0.05);  // the standard normal cut at +-2
           }},
      {.op = OpType::kRandomUniformInt,
       .inputs = {},
       .build = [](Graph& g, P, DType t) -> OpOutput {
         const DType i = t == DType::kFloat32 ? DType::kInt32 : DType::kInt64;
         return {random_uniform(g, Shape{4000}, {.minval = -3, .maxval = 5, .dtype = i})};
       },
       .property =
           [](const HostTensor& got) {
             std::vector<int> seen(8, 0);
             for (std::int64_t i = 0; i < got.num_elements(); ++i) {
               const double x = got.element_as_double(i);
               ASSERT_TRUE(x >= -3 && x < 5 && x == std::floor(x)) << x;
               ++seen[std::size_t(x + 3)];
             }
             for (int count : seen)
               EXPECT_GT(count, 400);
           }},
  };
}

}  // namespace varscope::testing
