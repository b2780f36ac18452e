// TensorBoard's summary ops (TF's core/ops/logging_ops.cc): each outputs a serialized
// tf.Summary, a string scalar. Their kernel (execute_summary.cpp) runs on the host whatever
// the session's device, as TF places these CPU-only ops on the CPU; no CUDA kernel exists.
#include "host/graph/op_rows/op_rows.h"

namespace varscope::detail::op_rows {
namespace {

// TF's shape_inference::ScalarShape: the inputs' shapes are the kernel's to check.
std::vector<OutputSpec> summary_shape(const ShapeContext&) {
  return {{DType::kString, Shape()}};
}

// TF 1.15's realnumbertypes, in its order.
constexpr DTypeSet kSummaryTypes{
    "float32, float64, int32, uint8, int16, int8, int64, bfloat16, uint16, float16, uint32, "
    "uint64"};

// clang-format off
constexpr OpDef kRows[] = {
    {.op = OpType::kScalarSummary, .name = "ScalarSummary", .inputs = "tags, values",
     .outputs = "summary", .attrs = {{kTypeT}}, .num_attrs = 1, .types = kSummaryTypes,
     .shape = summary_shape, .kernel = kernel_of(K::kSummary), .grad = grad::not_differentiable},
    {.op = OpType::kHistogramSummary, .name = "HistogramSummary", .inputs = "tag, values",
     .outputs = "summary", .attrs = {{kTypeT}}, .num_attrs = 1, .types = kSummaryTypes,
     .shape = summary_shape, .kernel = kernel_of(K::kSummary), .grad = grad::not_differentiable},
    {.op = OpType::kMergeSummary, .name = "MergeSummary", .inputs = "inputs",
     .outputs = "summary", .attrs = {{{a::kN, T::kInt}}}, .num_attrs = 1,
     .shape = summary_shape, .kernel = kernel_of(K::kSummary), .grad = grad::not_differentiable},
};
// clang-format on

}  // namespace

std::span<const OpDef> summary_ops() {
  return kRows;
}

}  // namespace varscope::detail::op_rows
