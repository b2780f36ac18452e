// The random ops: Philox streams keyed by (seed, seed2).
#include "host/graph/op_rows/op_rows.h"

namespace varscope::detail::op_rows {
namespace {

// clang-format off
constexpr OpDef kRows[] = {
    // Stateful: the Philox offset advances on the host at every run, so a replay would
    // repeat the recorded run's numbers where TF draws new ones.
    {.op = OpType::kRandomUniform, .name = "RandomUniform", .inputs = "shape", .outputs = "output",
     .attrs = {{{a::kDType, T::kDType}, kSeed, kSeed2}}, .num_attrs = 3, .types = kRandomTypes,
     .shape = shape_fn::random, .kernel = kernel_of(K::kRandomUniform, kComputesFloat),
     .grad = grad::not_differentiable},
    {.op = OpType::kRandomStandardNormal, .name = "RandomStandardNormal", .inputs = "shape",
     .outputs = "output", .attrs = {{{a::kDType, T::kDType}, kSeed, kSeed2}}, .num_attrs = 3,
     .types = kRandomTypes, .shape = shape_fn::random,
     .kernel = kernel_of(K::kRandomNormal, kComputesFloat), .grad = grad::not_differentiable},
    {.op = OpType::kTruncatedNormal, .name = "TruncatedNormal", .inputs = "shape",
     .outputs = "output", .attrs = {{{a::kDType, T::kDType}, kSeed, kSeed2}}, .num_attrs = 3,
     .types = kRandomTypes, .shape = shape_fn::random,
     .kernel = kernel_of(K::kTruncatedNormal, kComputesFloat), .grad = grad::not_differentiable},
    {.op = OpType::kRandomUniformInt, .name = "RandomUniformInt", .inputs = "shape, minval, maxval",
     .outputs = "output", .attrs = {{{a::kTout, T::kDType}, kSeed, kSeed2}}, .num_attrs = 3,
     .types = kIndexTypes, .shape = shape_fn::random,
     .kernel = kernel_of(K::kRandomUniformInt, kIndexTypes), .grad = grad::not_differentiable},
};
// clang-format on

}  // namespace

std::span<const OpDef> random_ops() {
  return kRows;
}

}  // namespace varscope::detail::op_rows
