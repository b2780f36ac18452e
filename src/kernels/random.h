// From raw Philox words to TF's distributions, identically on both backends.
// Element i of a T output reads the words of its own bytes (1 word for 32-bit types,
// 2 for 64-bit), so the words can be generated straight into the output buffer and
// transformed in place. All arithmetic is in double through kernels/math.h.
#pragma once

#include <cstdint>

#include "kernels/math.h"

namespace varscope::kernels {

enum class RandomDistribution : int {
  kUniform,          // [0, 1)
  kNormal,           // standard normal, Box-Muller over pairs of elements
  kTruncatedNormal,  // standard normal truncated to (-2, 2), by inverse CDF
};

// The words one element of type T consumes.
template <typename T>
VS_HD constexpr int words_per_element() {
  return sizeof(T) == 8 ? 2 : 1;
}

// A uniform in [0, 1) with T's mantissa width (24 or 53 bits), from the element's words;
// `open_low` shifts it to (0, 1] (for logs), `centered` to (0, 1) (for inverse CDFs).
template <typename T>
VS_HD inline double uniform_from_words(const std::uint32_t* w, int mode) {
  if constexpr (sizeof(T) == 8) {
    const double k = static_cast<double>(w[0] >> 5) * 67108864.0 + static_cast<double>(w[1] >> 6);
    return (k + (mode == 1 ? 1.0 : mode == 2 ? 0.5 : 0.0)) * (1.0 / 9007199254740992.0);  // 2^-53
  } else {
    const double k = static_cast<double>(w[0] >> 8);
    return (k + (mode == 1 ? 1.0 : mode == 2 ? 0.5 : 0.0)) * (1.0 / 16777216.0);  // 2^-24
  }
}

// The largest T below 2: truncated normals stay strictly inside two standard deviations.
template <typename T>
VS_HD constexpr T below_two() {
  if constexpr (sizeof(T) == 8) {
    return static_cast<T>(1.9999999999999998);
  } else {
    return static_cast<T>(1.99999988079071044921875);
  }
}

// `v * scale + shift`, rounded in T after each operation exactly as TF's separate Mul and
// Add ops round, so fusing them into the random op changes no bit.
struct Affine {
  bool enabled = false;
  double scale = 1.0;
  double shift = 0.0;
};

template <typename T>
VS_HD inline T apply_affine(const Affine& a, T v) {
  if (!a.enabled) return v;
  v = v * static_cast<T>(a.scale);
  return v + static_cast<T>(a.shift);
}

// Writes element i (and, for normals, its pair partner) of `out`, whose storage holds the
// raw words. For kNormal call it for even i only; `count` is the number of elements, and
// the buffer holds words for an even number of elements.
template <typename T>
VS_HD inline void random_transform(
    RandomDistribution dist, const Affine& affine, T* out, std::int64_t i, std::int64_t count) {
  constexpr int kWords = words_per_element<T>();
  const std::uint32_t* words = reinterpret_cast<const std::uint32_t*>(out);
  switch (dist) {
    case RandomDistribution::kUniform: {
      out[i] = apply_affine(affine, static_cast<T>(uniform_from_words<T>(words + i * kWords, 0)));
      return;
    }
    case RandomDistribution::kNormal: {
      const double u1 = uniform_from_words<T>(words + i * kWords, 1);
      const double u2 = uniform_from_words<T>(words + (i + 1) * kWords, 0);
      const double r = sqrt(-2.0 * det_log(u1));
      double s, c;
      det_sincos_2pi(u2, &s, &c);
      out[i] = apply_affine(affine, static_cast<T>(r * c));
      if (i + 1 < count) out[i + 1] = apply_affine(affine, static_cast<T>(r * s));
      return;
    }
    case RandomDistribution::kTruncatedNormal: {
      constexpr double kCdfMinus2 = 0.022750131948179195;  // Phi(-2)
      constexpr double kCdfRange = 0.9544997361036416;     // Phi(2) - Phi(-2)
      const double u = uniform_from_words<T>(words + i * kWords, 2);
      T x = static_cast<T>(det_inverse_normal_cdf(kCdfMinus2 + u * kCdfRange));
      if (x >= below_two<T>()) x = below_two<T>();
      if (x <= -below_two<T>()) x = -below_two<T>();
      out[i] = apply_affine(affine, x);
      return;
    }
  }
}

// Integers in [minval, maxval) from one (int32) or two (int64) words per element.
template <typename T>
VS_HD inline void random_int_transform(T* out, std::int64_t i, T minval, T maxval) {
  const std::uint32_t* words = reinterpret_cast<const std::uint32_t*>(out);
  if constexpr (sizeof(T) == 8) {
    const std::uint64_t r = (static_cast<std::uint64_t>(words[2 * i + 1]) << 32) | words[2 * i];
    const std::uint64_t range =
        static_cast<std::uint64_t>(maxval) - static_cast<std::uint64_t>(minval);
    out[i] = static_cast<T>(static_cast<std::uint64_t>(minval) + r % range);
  } else {
    const std::uint64_t range = static_cast<std::uint64_t>(static_cast<std::int64_t>(maxval) -
                                                           static_cast<std::int64_t>(minval));
    const std::uint64_t pick = (static_cast<std::uint64_t>(words[i]) * range) >> 32;
    out[i] = static_cast<T>(static_cast<std::int64_t>(minval) + static_cast<std::int64_t>(pick));
  }
}

}  // namespace varscope::kernels
