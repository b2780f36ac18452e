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

inline constexpr int kFloatLanes = 16;
typedef float F32Lanes __attribute__((vector_size(kFloatLanes * sizeof(float))));
typedef std::int32_t I32Lanes __attribute__((vector_size(kFloatLanes * sizeof(std::int32_t))));

// Elements per float partial sum: four accumulators of 16 lanes, 64 adds each; partial sums
// are added in double (docs/kernels.md).
inline constexpr std::int64_t kFloatBlock = 4096;

VS_CPU_INLINE void load_lanes(F32Lanes& v, const float* p) {
  std::memcpy(&v, p, sizeof v);
}

VS_CPU_INLINE void store_lanes(float* p, const F32Lanes& v) {
  std::memcpy(p, &v, sizeof v);
}

// acc += the 16 floats at p.
VS_CPU_INLINE void add_lanes(F32Lanes& acc, const float* p) {
  F32Lanes v;
  load_lanes(v, p);
  acc += v;
}

VS_CPU_INLINE void broadcast_lanes(F32Lanes& v, float x) {
  for (int l = 0; l < kFloatLanes; ++l)
    v[l] = x;
}

// out = a * b + c per lane, each one fused multiply-add (correctly rounded once). Through
// plain arrays: GCC vectorizes that loop for every clone's register width, where a loop over
// the vector's own lanes stays scalar on some.
VS_CPU_INLINE void fma_lanes(F32Lanes& out,
                             const F32Lanes& a,
                             const F32Lanes& b,
                             const F32Lanes& c) {
  float ta[kFloatLanes], tb[kFloatLanes], tc[kFloatLanes], t[kFloatLanes];
  std::memcpy(ta, &a, sizeof ta);
  std::memcpy(tb, &b, sizeof tb);
  std::memcpy(tc, &c, sizeof tc);
#if defined(_OPENMP)  // the library's build; without it (a test) the loop is still correct
#pragma omp simd
#endif
  for (int l = 0; l < kFloatLanes; ++l)
    t[l] = __builtin_fmaf(ta[l], tb[l], tc[l]);
  std::memcpy(&out, t, sizeof t);
}

VS_CPU_INLINE void fma_lanes(F32Lanes& out, const F32Lanes& a, float b, const F32Lanes& c) {
  F32Lanes bs;
  broadcast_lanes(bs, b);
  fma_lanes(out, a, bs, c);
}

// The lanes' sum, in lane order.
VS_CPU_INLINE float lane_total(const F32Lanes& v) {
  float s = 0.0f;
  for (int l = 0; l < kFloatLanes; ++l)
    s += v[l];
  return s;
}

}  // namespace varscope::runtime::cpu
