// Float lanes as GCC vector extensions, for the CPU loops that the compiler will not vectorize
// well by itself (reductions, max, exp). Each ISA clone lowers a vector to its own registers
// with the same lane layout and the same operations, so every clone gives the same bits.
// Helpers take references: no vector values cross a call boundary (that would change the ABI
// between clones).
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

// 8 lanes, AVX2's register width, for the elementwise kernels whose lanes compare and select
// (exp, sigmoid, tanh, log): GCC lowers a 16-lane compare or select piece by piece, in
// scalar code, where the ISA's registers are narrower (AVX2: sigmoid 5x slower). A lane's
// bits do not depend on the width.
inline constexpr int kElementwiseLanes = 8;
using F32x8 = LaneTypes<kElementwiseLanes>::F;

// The sums' and maxes' 16 lanes (their order sets a sum's bits), as two 8-lane halves: lanes
// 0-7 in lo, 8-15 in hi. As one 16-lane GCC vector, AVX2's clone spilled the accumulators to
// the stack and moved them through general registers (a row sum of 1024 floats ran at
// 22 GB/s on Zen 3); as halves every clone keeps them in registers. Each lane sees the same
// adds in the same order, so the bits are the 16-lane vector's.
inline constexpr int kFloatLanes = 16;
struct F32Lanes {
  F32x8 lo, hi;
};

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

// By halves: one 64-byte copy becomes 16-byte pieces through the stack, and a 32-byte load
// of those stalls on the store forwarding (a row sum ran at half speed).
VS_CPU_INLINE void load_lanes(F32Lanes& v, const float* p) {
  load_lanes(v.lo, p);
  load_lanes(v.hi, p + kElementwiseLanes);
}

VS_CPU_INLINE void store_lanes(float* p, const F32Lanes& v) {
  store_lanes(p, v.lo);
  store_lanes(p + kElementwiseLanes, v.hi);
}

VS_CPU_INLINE F32Lanes operator+(const F32Lanes& a, const F32Lanes& b) {
  return {a.lo + b.lo, a.hi + b.hi};
}

VS_CPU_INLINE F32Lanes& operator+=(F32Lanes& a, const F32Lanes& b) {
  a.lo += b.lo;
  a.hi += b.hi;
  return a;
}

// acc += the 16 floats at p.
VS_CPU_INLINE void add_lanes(F32Lanes& acc, const float* p) {
  F32Lanes v;
  load_lanes(v, p);
  acc += v;
}

// m = max(m, v) per lane, `v > m ? v : m` (a NaN in v does not win).
VS_CPU_INLINE void max_into(F32Lanes& m, const F32Lanes& v) {
  m.lo = v.lo > m.lo ? v.lo : m.lo;
  m.hi = v.hi > m.hi ? v.hi : m.hi;
}

template <typename V>
VS_CPU_INLINE void broadcast_lanes(V& v, float x) {
  for (int l = 0; l < kLanesOf<V>; ++l)
    v[l] = x;
}

VS_CPU_INLINE void broadcast_lanes(F32Lanes& v, float x) {
  F32x8 half = {};
  broadcast_lanes(half, x);
  v.lo = v.hi = half;
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
  const F32x8 s8 = v.lo + v.hi;
  const F32x8 s4 = s8 + __builtin_shufflevector(s8, s8, 4, 5, 6, 7, 0, 1, 2, 3);
  const F32x8 s2 = s4 + __builtin_shufflevector(s4, s4, 2, 3, 0, 1, 6, 7, 4, 5);
  return s2[0] + s2[1];
}

// The lanes' max as the same tree, `a > b ? a : b` at each step. NaN lanes: which wins
// depends on its position, so callers pass vectors whose lanes are all NaN or none
// (softmax's row max starts every lane at the row's first element).
VS_CPU_INLINE float lane_max(const F32Lanes& v) {
  const F32x8 m8 = v.hi > v.lo ? v.hi : v.lo;
  const F32x8 h4 = __builtin_shufflevector(m8, m8, 4, 5, 6, 7, 0, 1, 2, 3);
  const F32x8 m4 = h4 > m8 ? h4 : m8;
  const F32x8 h2 = __builtin_shufflevector(m4, m4, 2, 3, 0, 1, 6, 7, 4, 5);
  const F32x8 m2 = h2 > m4 ? h2 : m4;
  return m2[1] > m2[0] ? m2[1] : m2[0];
}

}  // namespace varscope::runtime::cpu
