// 16 float lanes as a GCC vector extension, for the CPU loops that the compiler will not
// vectorize well by itself (reductions, max, exp). Each ISA clone lowers a vector to its own
// registers (one zmm, two ymm, four xmm) with the same lane layout and the same operations,
// so every clone gives the same bits. Helpers take references: no vector values cross a
// call boundary (that would change the ABI between clones).
#pragma once

#include <cstdint>
#include <cstring>

#include "host/runtime/cpu/isa.h"

namespace varscope::runtime::cpu {

// W float lanes and their int32 twin.
template <int W>
struct LaneTypes {
  typedef float F __attribute__((vector_size(W * sizeof(float))));
  typedef std::int32_t I __attribute__((vector_size(W * sizeof(std::int32_t))));
};

inline constexpr int kFloatLanes = 16;
using F32Lanes = LaneTypes<kFloatLanes>::F;
using I32Lanes = LaneTypes<kFloatLanes>::I;

// 8 lanes, AVX2's register width, for the elementwise kernels whose lanes compare and select
// (exp, sigmoid, tanh, log): GCC lowers a 16-lane compare or select piece by piece, in
// scalar code, where the ISA's registers are narrower (AVX2: sigmoid 5x slower). A lane's
// bits do not depend on the width; sums (which do) keep 16.
inline constexpr int kElementwiseLanes = 8;
using F32x8 = LaneTypes<kElementwiseLanes>::F;

template <typename V>
inline constexpr int kLanesOf = static_cast<int>(sizeof(V) / sizeof(float));
template <typename V>
using IntLanes = typename LaneTypes<kLanesOf<V>>::I;

// Elements per float partial sum: four accumulators of 16 lanes, 64 adds each; partial sums
// are added in double (docs/kernels.md).
inline constexpr std::int64_t kFloatBlock = 4096;

template <typename V>
VS_CPU_INLINE void load_lanes(V& v, const float* p) {
  std::memcpy(&v, p, sizeof v);
}

template <typename V>
VS_CPU_INLINE void store_lanes(float* p, const V& v) {
  std::memcpy(p, &v, sizeof v);
}

// acc += the 16 floats at p.
VS_CPU_INLINE void add_lanes(F32Lanes& acc, const float* p) {
  F32Lanes v;
  load_lanes(v, p);
  acc += v;
}

template <typename V>
VS_CPU_INLINE void broadcast_lanes(V& v, float x) {
  for (int l = 0; l < kLanesOf<V>; ++l)
    v[l] = x;
}

// out = a * b + c per lane, each one fused multiply-add (correctly rounded once). Through
// plain arrays: GCC vectorizes that loop for every clone's register width, where a loop over
// the vector's own lanes stays scalar on some.
template <typename V>
VS_CPU_INLINE void fma_lanes(V& out, const V& a, const V& b, const V& c) {
  constexpr int kLanes = kLanesOf<V>;
  float ta[kLanes], tb[kLanes], tc[kLanes], t[kLanes];
  std::memcpy(ta, &a, sizeof ta);
  std::memcpy(tb, &b, sizeof tb);
  std::memcpy(tc, &c, sizeof tc);
#if defined(_OPENMP)  // the library's build; without it (a test) the loop is still correct
#pragma omp simd
#endif
  for (int l = 0; l < kLanes; ++l)
    t[l] = __builtin_fmaf(ta[l], tb[l], tc[l]);
  std::memcpy(&out, t, sizeof t);
}

template <typename V>
VS_CPU_INLINE void fma_lanes(V& out, const V& a, float b, const V& c) {
  V bs;
  broadcast_lanes(bs, b);
  fma_lanes(out, a, bs, c);
}

// The lanes' sum as a tree (lane l + lane l+8, then +4, +2, +1): four dependent adds where
// a lane-order sum has sixteen, which short rows feel. A fixed order, the same on every clone.
VS_CPU_INLINE float lane_total(const F32Lanes& v) {
  const F32Lanes s8 =
      v + __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
  const F32Lanes s4 =
      s8 + __builtin_shufflevector(s8, s8, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11);
  const F32Lanes s2 =
      s4 + __builtin_shufflevector(s4, s4, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
  return s2[0] + s2[1];
}

// The lanes' max as the same tree, `a > b ? a : b` at each step. NaN lanes: which wins
// depends on its position, so callers pass vectors whose lanes are all NaN or none
// (softmax's row max starts every lane at the row's first element).
VS_CPU_INLINE float lane_max(const F32Lanes& v) {
  const F32Lanes h8 =
      __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
  const F32Lanes m8 = h8 > v ? h8 : v;
  const F32Lanes h4 =
      __builtin_shufflevector(m8, m8, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11);
  const F32Lanes m4 = h4 > m8 ? h4 : m8;
  const F32Lanes h2 =
      __builtin_shufflevector(m4, m4, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
  const F32Lanes m2 = h2 > m4 ? h2 : m4;
  return m2[1] > m2[0] ? m2[1] : m2[0];
}

}  // namespace varscope::runtime::cpu
