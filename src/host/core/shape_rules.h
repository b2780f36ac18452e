// The shape rules both graph building and the run-time checks apply: NumPy broadcasting,
// (batch) matrix products and reduction axes. A rule returns its result or what failed;
// each caller words the failure as its own error (graph-time ValueError, run-time
// InvalidArgumentError), since TF's texts differ between the two.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "varscope/shape.h"

namespace varscope::detail {

// NumPy broadcasting; an unknown dim broadcasts with anything, an unknown rank gives an
// unknown rank. nullopt when the shapes do not broadcast.
std::optional<Shape> broadcast(const Shape& a, const Shape& b);
// The first pair of dims (aligned from the right, 1 for a missing one) that does not
// broadcast: what TF's messages name. {1, 1} when every pair broadcasts.
std::pair<std::int64_t, std::int64_t> first_broadcast_mismatch(const Shape& a, const Shape& b);

// TF's BCast gradient reduction indices (BroadcastGradientArgs): the axes of the broadcast
// output that each operand's gradient sums over, ascending (none for equal shapes; an axis
// where both are 1 for both). nullopt when the shapes do not broadcast.
struct GradientReduceAxes {
  std::vector<std::int64_t> x, y;
};
std::optional<GradientReduceAxes> gradient_reduce_axes(std::span<const std::int64_t> x,
                                                       std::span<const std::int64_t> y);

// MatMul (batched = false: both operands rank 2) and BatchMatMulV2 (batched: rank >= 2,
// batch dims broadcast). transpose_* are MatMul's transpose_a/b and BatchMatMulV2's adj_x/y.
struct MatMulShape {
  enum class Failure {
    kNone,
    kRank,       // an operand's rank: `bad_rank`
    kInnerDims,  // k of a (`k_a`) differs from k of b (`k_b`)
    kBatchDims,  // the batch dims do not broadcast: `mismatch`
  };
  Failure failure = Failure::kNone;
  int bad_rank = 0;
  std::int64_t m = 0, k_a = 0, k_b = 0, n = 0;
  Shape batch_a, batch_b;  // the leading dims (empty for rank 2)
  std::pair<std::int64_t, std::int64_t> mismatch{1, 1};
  Shape out;  // kNone: [broadcast batch..., m, n]; unknown rank when an operand's is
};
MatMulShape matmul_shape(
    const Shape& a, const Shape& b, bool transpose_a, bool transpose_b, bool batched);

// Reduction axes of a known rank: each in [-rank, rank), normalised to [0, rank).
struct ReductionAxes {
  enum class Failure {
    kNone,
    kOutOfRange,  // `bad_axis` as given
    kDuplicate,   // `bad_axis` normalised (only when duplicates are refused)
  };
  Failure failure = Failure::kNone;
  std::int64_t bad_axis = 0;
  std::vector<bool> reduced;  // per input dim
};
ReductionAxes reduction_axes(int rank, std::span<const std::int64_t> axes, bool allow_duplicates);
// The output shape: reduced dims dropped, or kept as 1 with keep_dims.
Shape reduced_shape(const Shape& input, const std::vector<bool>& reduced, bool keep_dims);

}  // namespace varscope::detail
