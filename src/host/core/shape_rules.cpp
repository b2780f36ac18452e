#include "host/core/shape_rules.h"

#include <algorithm>

namespace varscope::detail {
namespace {

// Dim i of the result's `rank` dims, aligned from the right; 1 where `d` has none.
std::int64_t aligned_dim(const std::vector<std::int64_t>& d, std::size_t rank, std::size_t i) {
  return i < rank - d.size() ? 1 : d[i - (rank - d.size())];
}

bool broadcastable(std::int64_t x, std::int64_t y) {
  return x == 1 || y == 1 || x == kUnknownDim || y == kUnknownDim || x == y;
}

}  // namespace

std::optional<Shape> broadcast(const Shape& a, const Shape& b) {
  if (!a.has_rank() || !b.has_rank()) return Shape::unknown_rank();
  const auto& da = a.dims();
  const auto& db = b.dims();
  const std::size_t rank = std::max(da.size(), db.size());
  std::vector<std::int64_t> out(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t x = aligned_dim(da, rank, i);
    const std::int64_t y = aligned_dim(db, rank, i);
    if (x == 1) {
      out[i] = y;
    } else if (y == 1) {
      out[i] = x;
    } else if (x == kUnknownDim) {
      out[i] = y;  // y is known and > 1, or unknown too
    } else if (y == kUnknownDim || x == y) {
      out[i] = x;
    } else {
      return std::nullopt;
    }
  }
  return Shape(std::move(out));
}

std::optional<GradientReduceAxes> gradient_reduce_axes(std::span<const std::int64_t> x,
                                                       std::span<const std::int64_t> y) {
  GradientReduceAxes axes;
  if (std::equal(x.begin(), x.end(), y.begin(), y.end())) return axes;
  const std::size_t rank = std::max(x.size(), y.size());
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t a = i < rank - x.size() ? 1 : x[i - (rank - x.size())];
    const std::int64_t b = i < rank - y.size() ? 1 : y[i - (rank - y.size())];
    if (a != 1 && b != 1 && a != b) return std::nullopt;
    if (a == 1) axes.x.push_back(static_cast<std::int64_t>(i));
    if (b == 1) axes.y.push_back(static_cast<std::int64_t>(i));
  }
  return axes;
}

std::pair<std::int64_t, std::int64_t> first_broadcast_mismatch(const Shape& a, const Shape& b) {
  if (!a.has_rank() || !b.has_rank()) return {1, 1};
  const auto& da = a.dims();
  const auto& db = b.dims();
  const std::size_t rank = std::max(da.size(), db.size());
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t x = aligned_dim(da, rank, i);
    const std::int64_t y = aligned_dim(db, rank, i);
    if (!broadcastable(x, y)) return {x, y};
  }
  return {1, 1};
}

MatMulShape matmul_shape(
    const Shape& a, const Shape& b, bool transpose_a, bool transpose_b, bool batched) {
  MatMulShape r;
  r.out = Shape::unknown_rank();
  if (!a.has_rank() || !b.has_rank()) return r;
  for (const Shape* s : {&a, &b}) {
    if (batched ? s->rank() < 2 : s->rank() != 2) {
      r.failure = MatMulShape::Failure::kRank;
      r.bad_rank = s->rank();
      return r;
    }
  }
  const auto& x = a.dims();
  const auto& y = b.dims();
  r.m = x[x.size() - (transpose_a ? 1 : 2)];
  r.k_a = x[x.size() - (transpose_a ? 2 : 1)];
  r.k_b = y[y.size() - (transpose_b ? 1 : 2)];
  r.n = y[y.size() - (transpose_b ? 2 : 1)];
  r.batch_a = Shape(std::vector<std::int64_t>(x.begin(), x.end() - 2));
  r.batch_b = Shape(std::vector<std::int64_t>(y.begin(), y.end() - 2));
  if (r.k_a != kUnknownDim && r.k_b != kUnknownDim && r.k_a != r.k_b) {
    r.failure = MatMulShape::Failure::kInnerDims;
    return r;
  }
  std::optional<Shape> batch = broadcast(r.batch_a, r.batch_b);
  if (!batch) {
    r.failure = MatMulShape::Failure::kBatchDims;
    r.mismatch = first_broadcast_mismatch(r.batch_a, r.batch_b);
    return r;
  }
  std::vector<std::int64_t> dims = batch->dims();
  dims.push_back(r.m);
  dims.push_back(r.n);
  r.out = Shape(std::move(dims));
  return r;
}

ReductionAxes reduction_axes(int rank, std::span<const std::int64_t> axes, bool allow_duplicates) {
  ReductionAxes r;
  r.reduced.assign(static_cast<std::size_t>(rank), false);
  for (std::int64_t a : axes) {
    if (a < -rank || a >= rank) {
      r.failure = ReductionAxes::Failure::kOutOfRange;
      r.bad_axis = a;
      return r;
    }
    const auto axis = static_cast<std::size_t>(a < 0 ? a + rank : a);
    if (r.reduced[axis] && !allow_duplicates) {
      r.failure = ReductionAxes::Failure::kDuplicate;
      r.bad_axis = static_cast<std::int64_t>(axis);
      return r;
    }
    r.reduced[axis] = true;
  }
  return r;
}

Shape reduced_shape(const Shape& input, const std::vector<bool>& reduced, bool keep_dims) {
  std::vector<std::int64_t> dims;
  for (int d = 0; d < input.rank(); ++d) {
    if (!reduced[static_cast<std::size_t>(d)]) {
      dims.push_back(input.dim(d));
    } else if (keep_dims) {
      dims.push_back(1);
    }
  }
  return Shape(std::move(dims));
}

}  // namespace varscope::detail
