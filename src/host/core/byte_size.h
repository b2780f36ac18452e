// The one place a tensor's element count becomes a byte count: every allocation of tensor
// data goes through it, so no product can wrap around to a small buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#include "varscope/dtype.h"
#include "varscope/errors.h"

namespace varscope::detail {

// `count` elements of `dtype` in bytes; vs::ResourceExhaustedError when that does not fit
// in a size_t (no machine could hold it), vs::InternalError for a negative count.
inline std::size_t byte_size(std::int64_t count, DType dtype) {
  if (count < 0) throw InternalError("A negative element count: " + std::to_string(count));
  const std::size_t element = dtype_size(dtype);
  const auto n = static_cast<std::uint64_t>(count);
  if (element != 0 && n > std::numeric_limits<std::size_t>::max() / element) {
    throw ResourceExhaustedError("OOM when allocating " + std::to_string(count) + " elements of " +
                                 std::string(dtype_name(dtype)) + ": the size overflows");
  }
  return static_cast<std::size_t>(n) * element;
}

}  // namespace varscope::detail
