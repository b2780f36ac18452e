// Strided copies: the one kernel family of the data-movement ops. Transpose is a copy whose
// source strides are permuted; slice, concat, split, tile and pad are each one or a few
// copies with offsets into the wider tensor (tile: a stride of 0). Both backends run
// strided_copy_offsets(): the CPU backend in cpu/copy.cpp, the CUDA one in
// copy_launchers.cu. Includes nothing from src/host/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "kernels/hd.h"
#include "varscope/dtype.h"

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

// One-hot rows: out[o, d, k] = (indices[o, k] == d ? on : off) for o < outer, d < depth,
// k < inner (axis = the position of d); an index outside [0, depth) gives a row of off,
// as TF. on and off are element bit patterns (the low element_size bytes).
struct OneHotArgs {
  const void* indices = nullptr;
  bool indices_int64 = false;  // else int32
  void* out = nullptr;
  std::size_t element_size = 0;
  std::uint64_t on = 0, off = 0;
  std::int64_t outer = 0, depth = 0, inner = 0;
  std::int64_t count = 0;  // outer * depth * inner
};

template <typename T>
VS_HD inline void one_hot_element(const OneHotArgs& a, std::int64_t i) {
  const std::int64_t row = a.depth * a.inner;
  const std::int64_t o = i / row;
  const std::int64_t r = i - o * row;
  const std::int64_t d = r / a.inner;
  const std::int64_t k = r - d * a.inner;
  const std::int64_t at = o * a.inner + k;
  const std::int64_t index = a.indices_int64 ? static_cast<const std::int64_t*>(a.indices)[at]
                                             : static_cast<const std::int32_t*>(a.indices)[at];
  static_cast<T*>(a.out)[i] = static_cast<T>(index == d ? a.on : a.off);
}

// Gather: out[o, j, k] = params[o, indices[j], k] for o < outer, j < count_indices,
// k < inner (elements of element_size bytes). The executor checks the indices first
// (TF's error); an index outside [0, axis_size) still reads nothing: it writes zeros.
struct GatherArgs {
  const void* params = nullptr;
  const void* indices = nullptr;
  bool indices_int64 = false;  // else int32
  void* out = nullptr;
  std::size_t element_size = 0;
  std::int64_t outer = 0, axis_size = 0, count_indices = 0, inner = 0;
  std::int64_t count = 0;  // outer * count_indices * inner
};

template <typename T>
VS_HD inline void gather_element(const GatherArgs& a, std::int64_t i) {
  const std::int64_t row = a.count_indices * a.inner;
  const std::int64_t o = i / row;
  const std::int64_t r = i - o * row;
  const std::int64_t j = r / a.inner;
  const std::int64_t k = r - j * a.inner;
  const std::int64_t index = a.indices_int64 ? static_cast<const std::int64_t*>(a.indices)[j]
                                             : static_cast<const std::int32_t*>(a.indices)[j];
  static_cast<T*>(a.out)[i] =
      (index >= 0 && index < a.axis_size)
          ? static_cast<const T*>(a.params)[(o * a.axis_size + index) * a.inner + k]
          : T(0);
}

// Unsorted segment sum: out[ids[j], k] += data[j, k] for j < count_ids, k < inner, into an
// `out` of num_segments rows the executor zeroed. The executor checks the ids first (TF's
// error); a negative id (TF drops it) or one past the end adds nothing. ScatterAdd and
// ScatterSub (`subtract`: -=) are the same loop into a variable instead of zeros.
struct SegmentSumArgs {
  const void* data = nullptr;
  const void* ids = nullptr;
  bool ids_int64 = false;  // else int32
  void* out = nullptr;
  DType dtype = DType::kFloat32;  // float32, float64, int32 or int64
  std::int64_t count_ids = 0, inner = 0, num_segments = 0;
  std::int64_t count = 0;  // count_ids * inner
  bool subtract = false;   // out[...] -= data[...] (ScatterSub)
};

// data[i], negated for ScatterSub (integers wrap as two's complement, as x - y does).
template <typename T>
VS_HD inline T segment_sum_term(const SegmentSumArgs& a, T x) {
  if (!a.subtract) return x;
  if constexpr (std::is_integral_v<T>)
    return static_cast<T>(std::make_unsigned_t<T>(0) - static_cast<std::make_unsigned_t<T>>(x));
  else
    return -x;
}

// Where element i of data goes (an offset into out); false: nowhere.
VS_HD inline bool segment_sum_target(const SegmentSumArgs& a, std::int64_t i, std::int64_t& at) {
  const std::int64_t j = i / a.inner;
  const std::int64_t k = i - j * a.inner;
  const std::int64_t id = a.ids_int64 ? static_cast<const std::int64_t*>(a.ids)[j]
                                      : static_cast<const std::int32_t*>(a.ids)[j];
  if (id < 0 || id >= a.num_segments) return false;
  at = id * a.inner + k;
  return true;
}

}  // namespace varscope::kernels
