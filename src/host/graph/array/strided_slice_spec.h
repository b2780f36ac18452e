// TF 1.15's ValidateStridedSliceOp (strided_slice_op.cc): from begin, end and strides (a
// sparse spec with its five masks) and the input's (partial) shape, the dense spec — one
// canonical begin, end and stride per input dimension — and the processing and final
// shapes, or TF's error text. The shape functions of StridedSlice and StridedSliceGrad and
// their copies (runtime/copy_steps.cpp) share it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "varscope/shape.h"

namespace varscope::detail {

struct StridedSliceMasks {
  std::int64_t begin = 0, end = 0, ellipsis = 0, new_axis = 0, shrink_axis = 0;
};

struct StridedSliceSpec {
  std::string error;  // TF's text; empty: valid
  // Per input dimension; begin and end are canonical (clamped, non-negative) where the
  // dimension and the values are known.
  std::vector<std::int64_t> begin, end, strides;
  std::vector<std::int64_t> processing;  // the strided region's dims (-1: unknown)
  std::vector<std::int64_t> final_dims;  // processing without shrunk axes, with new ones
};

// `begin`/`end` nullopt: not known (graph building); `strides` must be known; `vector_shapes`
// are the shapes of begin, end and strides as TF prints them in its error ("[2]").
StridedSliceSpec validate_strided_slice(const std::optional<std::vector<std::int64_t>>& begin,
                                        const std::optional<std::vector<std::int64_t>>& end,
                                        const std::vector<std::int64_t>& strides,
                                        const Shape& begin_shape,
                                        const Shape& end_shape,
                                        const Shape& strides_shape,
                                        const Shape& input,
                                        const StridedSliceMasks& masks);

}  // namespace varscope::detail
