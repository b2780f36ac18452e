#include "host/graph/array/strided_slice_spec.h"

#include <algorithm>
#include <array>

namespace varscope::detail {
namespace {

constexpr int kNewAxis = -1;
constexpr int kShrinkAxis = -2;

std::string str(std::int64_t v) {
  return std::to_string(v);
}

// TF's TensorShape::DebugString: "[2]", "[]", "[2,3]".
std::string debug(const Shape& s) {
  return s.has_rank() ? s.to_list_string() : "<unknown>";
}

bool bit(std::int64_t mask, int i) {
  return i < 63 && ((mask >> i) & 1) != 0;
}

}  // namespace

StridedSliceSpec validate_strided_slice(const std::optional<std::vector<std::int64_t>>& begin,
                                        const std::optional<std::vector<std::int64_t>>& end,
                                        const std::vector<std::int64_t>& strides,
                                        const Shape& begin_shape,
                                        const Shape& end_shape,
                                        const Shape& strides_shape,
                                        const Shape& input,
                                        const StridedSliceMasks& masks) {
  StridedSliceSpec out;
  const auto n = static_cast<std::int64_t>(strides.size());
  auto wrong = [&](const std::optional<std::vector<std::int64_t>>& v, const Shape& s) {
    return v && !(s.rank() == 1 && static_cast<std::int64_t>(v->size()) == n && n < 32);
  };
  if (wrong(begin, begin_shape) || wrong(end, end_shape) || strides_shape.rank() != 1) {
    out.error = begin && end ? "Expected begin, end, and strides to be 1D equal size tensors, "
                               "but got shapes " +
                                   debug(begin_shape) + ", " + debug(end_shape) + ", and " +
                                   debug(strides_shape) + " instead."
                             : "Expected begin, end, and strides to be 1D equal size tensors, "
                               "but got shape " +
                                   debug(strides_shape) + " for strides.";
    return out;
  }
  if (masks.ellipsis != 0 && (masks.ellipsis & (masks.ellipsis - 1)) != 0) {
    out.error = "Multiple ellipses in slice spec not allowed";
    return out;
  }
  // Step 1: the ellipsis and the new axes after it; none given: one at the end.
  std::int64_t sparse_dims = n, ellipsis = masks.ellipsis, add_after_ellipsis = 0;
  bool ellipsis_seen = false;
  for (int i = 0; i < n; ++i) {
    if (ellipsis_seen && bit(masks.new_axis, i)) ++add_after_ellipsis;
    if (bit(ellipsis, i)) ellipsis_seen = true;
  }
  if (!ellipsis_seen) ellipsis |= std::int64_t{1} << sparse_dims++;

  // Step 2: the sparse spec made dense (TF's BuildDenseSpec).
  const int dims = input.rank();
  const auto d = static_cast<std::size_t>(dims);
  out.begin.assign(d, 0);
  out.end.assign(d, 0);
  out.strides.assign(d, 1);
  std::int64_t begin_mask = 0, end_mask = 0, shrink_mask = 0;
  std::vector<int> gather;
  int full = 0;
  for (int i = 0; i < sparse_dims; ++i) {
    const auto k = static_cast<std::size_t>(i);
    if (bit(ellipsis, i)) {
      const auto next = static_cast<int>(
          std::min<std::int64_t>(dims - (sparse_dims - i) + 1 + add_after_ellipsis, dims));
      for (; full < next; ++full) {
        begin_mask |= std::int64_t{1} << full;
        end_mask |= std::int64_t{1} << full;
        gather.push_back(full);
      }
    } else if (bit(masks.new_axis, i)) {
      gather.push_back(kNewAxis);
    } else {
      if (full == dims) {
        out.error = "Index out of range using input dim " + str(full) + "; input has only " +
                    str(dims) + " dims";
        return out;
      }
      const auto f = static_cast<std::size_t>(full);
      if (begin) out.begin[f] = (*begin)[k];
      if (end) out.end[f] = (*end)[k];
      out.strides[f] = strides[k];
      if (bit(masks.begin, i)) begin_mask |= std::int64_t{1} << full;
      if (bit(masks.end, i)) end_mask |= std::int64_t{1} << full;
      if (bit(masks.shrink_axis, i)) {
        gather.push_back(kShrinkAxis);
        shrink_mask |= std::int64_t{1} << full;
      } else {
        gather.push_back(full);
      }
      ++full;
    }
  }

  // Step 3: the implicit ranges made explicit, bounds checked; the processing shape.
  const bool known = begin.has_value() && end.has_value();
  for (int i = 0; i < dims; ++i) {
    const auto k = static_cast<std::size_t>(i);
    std::int64_t& b = out.begin[k];
    std::int64_t& e = out.end[k];
    const std::int64_t stride = out.strides[k];
    const std::int64_t dim = input.dim(i);
    if (stride == 0) {
      out.error = "strides[" + str(i) + "] must be non-zero";
      return out;
    }
    const bool shrink = bit(shrink_mask, i);
    if (dim < 0) {
      out.processing.push_back(shrink ? 1 : -1);
      continue;
    }
    const std::array<bool, 2> masked = {bit(begin_mask, i), bit(end_mask, i)};
    const std::array<std::int64_t, 2> valid = {stride > 0 ? 0 : -1, stride > 0 ? dim : dim - 1};
    auto canonical = [&](std::int64_t x, int c) {
      if (masked[static_cast<std::size_t>(c)]) {
        return stride > 0 ? valid[static_cast<std::size_t>(c)]
                          : valid[static_cast<std::size_t>((c + 1) & 1)];
      }
      const std::int64_t fwd = x < 0 ? dim + x : x;
      return std::clamp(fwd, valid[0], valid[1]);
    };
    if (shrink && stride <= 0) {
      out.error = "only stride 1 allowed on non-range indexing.";
      return out;
    }
    const bool both_masked = masked[0] && masked[1];
    if (known) {
      if (shrink) {
        // foo[-1] gives begin -1, end 0: end is recreated as begin + 1.
        b = b < 0 ? dim + b : b;
        e = b + 1;
        if (b < 0 || b >= dim) {
          out.error = "slice index " + str(b) + " of dimension " + str(i) + " out of bounds.";
          return out;
        }
      } else {
        b = canonical(b, 0);
        e = canonical(e, 1);
      }
    }
    std::int64_t interval = 0;
    bool known_interval = true;
    if (known) {
      interval = e - b;
    } else if (shrink) {
      interval = 1;
    } else if (both_masked) {
      interval = stride < 0 ? -dim : dim;
    } else {
      known_interval = false;
    }
    if (!known_interval) {
      out.processing.push_back(-1);
    } else if (interval == 0 || ((interval < 0) != (stride < 0))) {
      out.processing.push_back(0);
    } else {
      out.processing.push_back(interval / stride + (interval % stride != 0 ? 1 : 0));
    }
  }

  // Step 4: the final shape.
  for (int g : gather) {
    if (g >= 0) {
      out.final_dims.push_back(out.processing[static_cast<std::size_t>(g)]);
    } else if (g == kNewAxis) {
      out.final_dims.push_back(1);
    }
  }
  return out;
}

}  // namespace varscope::detail
