// The summary ops' cases (src/host/graph/op_rows/summary_ops.cpp): their output is a string,
// so each case checks the bytes against the host-side builders of varscope/summary.h, which
// summary_ops_test holds to TF 1.15's (no double reference, no gradient: TF's
// NotDifferentiable).
#include "op_cases/op_case.h"
#include "varscope/summary.h"

namespace varscope::testing {
namespace {

const std::vector<double> kValues = {-1.5, 0.0, 0.25, 3.0};

std::string bytes_of(const HostTensor& t) {
  EXPECT_EQ(t.dtype(), DType::kString);
  EXPECT_EQ(t.shape(), Shape());
  return t.dtype() == DType::kString ? t.data<std::string>()[0] : std::string();
}

Tensor values(Graph& g, DType dtype) {
  return constant(g, HostTensor(kValues).cast(dtype), {.name = "values"});
}

}  // namespace

std::vector<OpCase> summary_cases() {
  using P = const std::vector<Tensor>&;
  return {
      {.op = vd::OpType::kScalarSummary,
       .inputs = {},
       .build = [](Graph& g, P, DType dtype) -> OpOutput {
         return {summary::scalar("loss", constant(g, HostTensor(0.75).cast(dtype)))};
       },
       .property =
           [](const HostTensor& got) {
             EXPECT_EQ(bytes_of(got), summary::scalar_proto("loss", 0.75));
           }},
      {.op = vd::OpType::kHistogramSummary,
       .inputs = {},
       .build = [](Graph& g, P, DType dtype) -> OpOutput {
         return {summary::histogram("w", values(g, dtype))};
       },
       .property =
           [](const HostTensor& got) {
             EXPECT_EQ(bytes_of(got), summary::histogram_proto("w", kValues));
           }},
      {.op = vd::OpType::kMergeSummary,
       .inputs = {},
       .build = [](Graph& g, P, DType dtype) -> OpOutput {
         const Tensor s = summary::scalar("loss", constant(g, HostTensor(0.75).cast(dtype)));
         return {summary::merge({s, summary::histogram("w", values(g, dtype))})};
       },
       .property =
           [](const HostTensor& got) {
             const std::vector<std::string> parts = {summary::scalar_proto("loss", 0.75),
                                                     summary::histogram_proto("w", kValues)};
             EXPECT_EQ(bytes_of(got), summary::merge_protos(parts));
           }},
  };
}

}  // namespace varscope::testing
