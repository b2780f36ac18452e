#include "host/runtime/cpu/copy.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

#include "host/runtime/cpu/isa.h"
#include "host/runtime/cpu/thread_pool.h"
#include "kernels/dtype_dispatch.h"
#include "varscope/errors.h"

namespace varscope::runtime::cpu {
namespace {

// Rows of the innermost dimension: the offsets of a row's first element from copy.h, then a
// strided (or, where both strides are 1, a memcpy) inner loop. Rows split over the pool.
template <typename T>
void copy_rows(const kernels::StridedCopyArgs& a) {
  const std::int64_t inner = a.dims[a.rank - 1];
  const std::int64_t ss = a.src_strides[a.rank - 1], ds = a.dst_strides[a.rank - 1];
  const auto* src = static_cast<const T*>(a.src);
  auto* dst = static_cast<T*>(a.dst);
  const std::int64_t rows = inner == 0 ? 0 : a.count / inner;
  parallel_for(rows,
               std::max<std::int64_t>(1, kMinElementsPerThread / std::max<std::int64_t>(inner, 1)),
               [&](std::int64_t begin, std::int64_t end) {
                 for (std::int64_t row = begin; row < end; ++row) {
                   std::int64_t s = 0, d = 0;
                   kernels::strided_copy_offsets(a, row * inner, s, d);
                   if (ss == 1 && ds == 1) {
                     std::memcpy(dst + d, src + s, static_cast<std::size_t>(inner) * sizeof(T));
                   } else {
                     for (std::int64_t j = 0; j < inner; ++j)
                       dst[d + j * ds] = src[s + j * ss];
                   }
                 }
               });
}

// The dimension other than the innermost along which the source is contiguous (a
// transpose's), or -1: then reading row by row strides through memory a whole row per
// element, and square tiles over the two dimensions keep both sides in cache.
int contiguous_source_dim(const kernels::StridedCopyArgs& a) {
  const int last = a.rank - 1;
  if (a.src_strides[last] == 1 || a.dst_strides[last] != 1) return -1;
  for (int d = last - 1; d >= 0; --d)
    if (a.src_strides[d] == 1 && a.dims[d] > 1) return d;
  return -1;
}

using U32x8 = std::uint32_t __attribute__((vector_size(32), aligned(4)));

// out[i][j] = in[j][i] for an 8 x 8 block of 4-byte elements: in's rows `in_stride` apart,
// out's `out_stride` apart (AVX2's unpack, shuffle and 128-bit permute steps, as shuffles).
VS_CPU_INLINE void transpose_8x8(const std::uint32_t* in,
                                 std::int64_t in_stride,
                                 std::uint32_t* out,
                                 std::int64_t out_stride) {
  U32x8 r[8], t[8];
  for (int j = 0; j < 8; ++j)
    std::memcpy(&r[j], in + j * in_stride, sizeof(U32x8));
  for (int j = 0; j < 8; j += 2) {
    t[j] = __builtin_shufflevector(r[j], r[j + 1], 0, 8, 1, 9, 4, 12, 5, 13);
    t[j + 1] = __builtin_shufflevector(r[j], r[j + 1], 2, 10, 3, 11, 6, 14, 7, 15);
  }
  for (int j = 0; j < 8; j += 4) {
    r[j] = __builtin_shufflevector(t[j], t[j + 2], 0, 1, 8, 9, 4, 5, 12, 13);
    r[j + 1] = __builtin_shufflevector(t[j], t[j + 2], 2, 3, 10, 11, 6, 7, 14, 15);
    r[j + 2] = __builtin_shufflevector(t[j + 1], t[j + 3], 0, 1, 8, 9, 4, 5, 12, 13);
    r[j + 3] = __builtin_shufflevector(t[j + 1], t[j + 3], 2, 3, 10, 11, 6, 7, 14, 15);
  }
  for (int j = 0; j < 4; ++j) {
    t[j] = __builtin_shufflevector(r[j], r[j + 4], 0, 1, 2, 3, 8, 9, 10, 11);
    t[j + 4] = __builtin_shufflevector(r[j], r[j + 4], 4, 5, 6, 7, 12, 13, 14, 15);
  }
  for (int i = 0; i < 8; ++i)
    std::memcpy(out + i * out_stride, &t[i], sizeof(U32x8));
}

// One tile of a transposing copy of 4-byte elements: dst[r * dst_row + c] =
// src[r + c * src_col] for r < rows, c < cols, in 8 x 8 blocks where they fit.
VS_CPU_CLONES void transpose_tile_u32(const std::uint32_t* src,
                                      std::int64_t src_col,
                                      std::uint32_t* dst,
                                      std::int64_t dst_row,
                                      std::int64_t rows,
                                      std::int64_t cols) {
  const std::int64_t full_rows = rows / 8 * 8, full_cols = cols / 8 * 8;
  for (std::int64_t r = 0; r < full_rows; r += 8) {
    for (std::int64_t c = 0; c < full_cols; c += 8)
      transpose_8x8(src + r + c * src_col, src_col, dst + r * dst_row + c, dst_row);
  }
  for (std::int64_t r = 0; r < rows; ++r) {  // the ragged edges
    const std::int64_t c_begin = r < full_rows ? full_cols : 0;
    for (std::int64_t c = c_begin; c < cols; ++c)
      dst[r * dst_row + c] = src[r + c * src_col];
  }
}

template <typename T>
void copy_tiles(const kernels::StridedCopyArgs& a, int k) {
  constexpr std::int64_t kTile = 32;  // elements a side: 32 rows of 128 bytes for float
  const int last = a.rank - 1;
  const std::int64_t rows = a.dims[k], cols = a.dims[last];
  const std::int64_t row_tiles = (rows + kTile - 1) / kTile;
  const std::int64_t outer = a.count / (rows * cols);
  // The flat index of (outer o, row r, column 0) in the copy's row-major order.
  std::int64_t after_k = 1;
  for (int d = k + 1; d < last; ++d)
    after_k *= a.dims[d];
  const auto* src = static_cast<const T*>(a.src);
  auto* dst = static_cast<T*>(a.dst);
  const std::int64_t ssk = a.src_strides[k], dsk = a.dst_strides[k];
  const std::int64_t ssl = a.src_strides[last];
  parallel_for(outer * row_tiles, std::max<std::int64_t>(1, kMinElementsPerThread / (kTile * cols)),
               [&](std::int64_t begin, std::int64_t end) {
                 for (std::int64_t job = begin; job < end; ++job) {
                   const std::int64_t o = job / row_tiles;
                   const std::int64_t r0 = (job - o * row_tiles) * kTile;
                   const std::int64_t r1 = std::min(rows, r0 + kTile);
                   // o counts the dims before k (high part) and between k and last (low part).
                   const std::int64_t high = o / after_k, low = o - high * after_k;
                   const std::int64_t flat = (high * rows * after_k + low) * cols;
                   std::int64_t s0 = 0, d0 = 0;
                   kernels::strided_copy_offsets(a, flat, s0, d0);
                   if constexpr (std::is_same_v<T, std::uint32_t>) {
                     if (ssk == 1) {  // a plain transpose of the tile: 8 x 8 blocks
                       for (std::int64_t c0 = 0; c0 < cols; c0 += kTile) {
                         const std::int64_t c1 = std::min(cols, c0 + kTile);
                         transpose_tile_u32(src + s0 + r0 + c0 * ssl, ssl, dst + d0 + r0 * dsk + c0,
                                            dsk, r1 - r0, c1 - c0);
                       }
                       continue;
                     }
                   }
                   for (std::int64_t c0 = 0; c0 < cols; c0 += kTile) {
                     const std::int64_t c1 = std::min(cols, c0 + kTile);
                     for (std::int64_t r = r0; r < r1; ++r) {
                       const T* from = src + s0 + r * ssk;
                       T* to = dst + d0 + r * dsk;
                       for (std::int64_t c = c0; c < c1; ++c)
                         to[c] = from[c * ssl];
                     }
                   }
                 }
               });
}

template <typename T>
void copy_as(const kernels::StridedCopyArgs& a) {
  const int k = contiguous_source_dim(a);
  if (k >= 0 && a.dims[a.rank - 1] > 1)
    copy_tiles<T>(a, k);
  else
    copy_rows<T>(a);
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
      return copy_as<std::uint8_t>(a);
    case 2:
      return copy_as<std::uint16_t>(a);
    case 4:
      return copy_as<std::uint32_t>(a);
    case 8:
      return copy_as<std::uint64_t>(a);
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

// Whole rows of `inner` elements where the index is valid (a memcpy each), split over the pool.
template <typename T>
void gather_as(const kernels::GatherArgs& a) {
  const auto* params = static_cast<const T*>(a.params);
  auto* out = static_cast<T*>(a.out);
  const std::int64_t rows = a.outer * a.count_indices;
  const std::int64_t min_rows =
      std::max<std::int64_t>(1, kMinElementsPerThread / std::max<std::int64_t>(a.inner, 1));
  parallel_for(rows, min_rows, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t row = begin; row < end; ++row) {
      const std::int64_t o = row / a.count_indices, j = row - o * a.count_indices;
      const std::int64_t index = a.indices_int64 ? static_cast<const std::int64_t*>(a.indices)[j]
                                                 : static_cast<const std::int32_t*>(a.indices)[j];
      T* dst = out + row * a.inner;
      if (index >= 0 && index < a.axis_size) {
        std::memcpy(dst, params + (o * a.axis_size + index) * a.inner,
                    static_cast<std::size_t>(a.inner) * sizeof(T));
      } else {
        std::fill(dst, dst + a.inner, T(0));
      }
    }
  });
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
      if (kernels::segment_sum_target(a, i, at)) out[at] += kernels::segment_sum_term(a, data[i]);
    }
  });
  if (!known) throw InternalError("segment_sum of " + std::string(dtype_name(a.dtype)));
}

}  // namespace varscope::runtime::cpu
