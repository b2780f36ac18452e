// Strided copies: the one kernel family of the data-movement ops. Transpose is a copy whose
// source strides are permuted; slice, concat, split, tile and pad are each one or a few
// copies with offsets into the wider tensor (tile: a stride of 0). Both backends run
// strided_copy_offsets(): the CPU backend in cpu/copy.cpp, the CUDA one in
// copy_launchers.cu. Includes nothing from src/host/.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/hd.h"

namespace varscope::kernels {

inline constexpr int kMaxCopyRank = 8;

// For every index (i_0, ..., i_{rank-1}) below `dims` (row-major order, i the flat index):
//   dst[dst_offset + sum_d i_d * dst_strides[d]] = src[src_offset + sum_d i_d * src_strides[d]]
// Strides and offsets count elements of `element_size` bytes (1, 2, 4 or 8); count is the
// product of dims. The destinations of different indices never overlap; src and dst do not
// overlap.
struct StridedCopyArgs {
  int rank = 0;
  std::int64_t dims[kMaxCopyRank] = {};
  std::int64_t src_strides[kMaxCopyRank] = {};
  std::int64_t dst_strides[kMaxCopyRank] = {};
  std::size_t element_size = 0;
  const void* src = nullptr;
  std::int64_t src_offset = 0;
  void* dst = nullptr;
  std::int64_t dst_offset = 0;
  std::int64_t count = 0;
};

// The source and destination offsets (elements) of flat index i.
VS_HD inline void strided_copy_offsets(const StridedCopyArgs& a,
                                       std::int64_t i,
                                       std::int64_t& src,
                                       std::int64_t& dst) {
  src = a.src_offset;
  dst = a.dst_offset;
  for (int d = a.rank - 1; d >= 0; --d) {
    const std::int64_t q = i / a.dims[d];
    const std::int64_t r = i - q * a.dims[d];
    src += r * a.src_strides[d];
    dst += r * a.dst_strides[d];
    i = q;
  }
}

// One element of the copy, as the C++ type T of its element size.
template <typename T>
VS_HD inline void strided_copy_element(const StridedCopyArgs& a, std::int64_t i) {
  std::int64_t s = 0, d = 0;
  strided_copy_offsets(a, i, s, d);
  static_cast<T*>(a.dst)[d] = static_cast<const T*>(a.src)[s];
}

}  // namespace varscope::kernels
