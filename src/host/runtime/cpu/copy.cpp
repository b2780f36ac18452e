#include "host/runtime/cpu/copy.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

#include "kernels/dtype_dispatch.h"
#include "varscope/errors.h"

namespace varscope::runtime::cpu {
namespace {

// Rows of the innermost dimension: the offsets of a row's first element from copy.h, then a
// strided (or, where both strides are 1, a memcpy) inner loop.
template <typename T>
void copy_rows(const kernels::StridedCopyArgs& a) {
  const std::int64_t inner = a.dims[a.rank - 1];
  const std::int64_t ss = a.src_strides[a.rank - 1], ds = a.dst_strides[a.rank - 1];
  const auto* src = static_cast<const T*>(a.src);
  auto* dst = static_cast<T*>(a.dst);
  for (std::int64_t row = 0; row < a.count; row += inner) {
    std::int64_t s = 0, d = 0;
    kernels::strided_copy_offsets(a, row, s, d);
    if (ss == 1 && ds == 1) {
      std::memcpy(dst + d, src + s, static_cast<std::size_t>(inner) * sizeof(T));
    } else {
      for (std::int64_t j = 0; j < inner; ++j)
        dst[d + j * ds] = src[s + j * ss];
    }
  }
}

}  // namespace

void strided_copy(const kernels::StridedCopyArgs& a) {
  if (a.count == 0) return;
  if (a.rank == 0) {  // a scalar
    std::memcpy(static_cast<std::byte*>(a.dst) + a.dst_offset * std::int64_t(a.element_size),
                static_cast<const std::byte*>(a.src) + a.src_offset * std::int64_t(a.element_size),
                a.element_size);
    return;
  }
  switch (a.element_size) {
    case 1:
      return copy_rows<std::uint8_t>(a);
    case 2:
      return copy_rows<std::uint16_t>(a);
    case 4:
      return copy_rows<std::uint32_t>(a);
    case 8:
      return copy_rows<std::uint64_t>(a);
    default:
      throw InternalError("strided copy of " + std::to_string(a.element_size) + "-byte elements");
  }
}

namespace {

template <typename T>
void one_hot_as(const kernels::OneHotArgs& a) {
  for (std::int64_t i = 0; i < a.count; ++i)
    kernels::one_hot_element<T>(a, i);
}

// Whole rows of `inner` elements where the index is valid (a memcpy each).
template <typename T>
void gather_as(const kernels::GatherArgs& a) {
  const auto* params = static_cast<const T*>(a.params);
  auto* out = static_cast<T*>(a.out);
  for (std::int64_t o = 0; o < a.outer; ++o) {
    for (std::int64_t j = 0; j < a.count_indices; ++j) {
      const std::int64_t index = a.indices_int64 ? static_cast<const std::int64_t*>(a.indices)[j]
                                                 : static_cast<const std::int32_t*>(a.indices)[j];
      T* dst = out + (o * a.count_indices + j) * a.inner;
      if (index >= 0 && index < a.axis_size) {
        std::memcpy(dst, params + (o * a.axis_size + index) * a.inner,
                    static_cast<std::size_t>(a.inner) * sizeof(T));
      } else {
        std::fill(dst, dst + a.inner, T(0));
      }
    }
  }
}

}  // namespace

void gather(const kernels::GatherArgs& a) {
  switch (a.element_size) {
    case 1:
      return gather_as<std::uint8_t>(a);
    case 2:
      return gather_as<std::uint16_t>(a);
    case 4:
      return gather_as<std::uint32_t>(a);
    case 8:
      return gather_as<std::uint64_t>(a);
    default:
      throw InternalError("gather of " + std::to_string(a.element_size) + "-byte elements");
  }
}

void one_hot(const kernels::OneHotArgs& a) {
  switch (a.element_size) {
    case 1:
      return one_hot_as<std::uint8_t>(a);
    case 2:
      return one_hot_as<std::uint16_t>(a);
    case 4:
      return one_hot_as<std::uint32_t>(a);
    case 8:
      return one_hot_as<std::uint64_t>(a);
    default:
      throw InternalError("one_hot of " + std::to_string(a.element_size) + "-byte elements");
  }
}

// Serial, in data order: the sums are the same on every run.
void segment_sum(const kernels::SegmentSumArgs& a) {
  const bool known = kernels::dispatch(kernels::kNumericTypes, a.dtype, [&](auto* type) {
    using T = std::remove_pointer_t<decltype(type)>;
    const auto* data = static_cast<const T*>(a.data);
    auto* out = static_cast<T*>(a.out);
    for (std::int64_t i = 0; i < a.count; ++i) {
      std::int64_t at = 0;
      if (kernels::segment_sum_target(a, i, at)) out[at] += data[i];
    }
  });
  if (!known) throw InternalError("segment_sum of " + std::string(dtype_name(a.dtype)));
}

}  // namespace varscope::runtime::cpu
