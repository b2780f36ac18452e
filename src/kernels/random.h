// From Philox words to TF's distributions, identically on both backends. Element i of a
// T output reads words [i * w, (i + 1) * w) of its op's stream (w = 1 word for 32-bit
// types, 2 for 64-bit), so any element can be computed on its own: one pass, straight into
// the output. All arithmetic is in double through kernels/math.h.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/math.h"
#include "kernels/philox.h"

namespace varscope::kernels {

enum class RandomDistribution : int {
  kUniform,          // [0, 1)
  kNormal,           // standard normal, Box-Muller over pairs of elements
  kTruncatedNormal,  // standard normal truncated to (-2, 2), by inverse CDF
  kUniformInt,       // integers in [minval, maxval) (int32, int64)
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
    // Through int32 (exact: under 2^27): every SIMD level converts that to double.
    const double k = static_cast<double>(static_cast<std::int32_t>(w[0] >> 5)) * 67108864.0 +
                     static_cast<double>(static_cast<std::int32_t>(w[1] >> 6));
    return (k + (mode == 1 ? 1.0 : mode == 2 ? 0.5 : 0.0)) * (1.0 / 9007199254740992.0);  // 2^-53
  } else {
    const double k = static_cast<double>(static_cast<std::int32_t>(w[0] >> 8));
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

// What one random op draws: the distribution, the fused affine (floats), the integer
// range (kUniformInt: [minval, maxval)) and where in which Philox stream its words start.
struct RandomSpec {
  RandomDistribution dist = RandomDistribution::kUniform;
  Affine affine;
  std::int64_t minval = 0;
  std::int64_t maxval = 1;
  std::uint64_t seed = 0;
  std::uint64_t offset = 0;  // stream index of the op's first word
};

// The stream words one op of `count` elements consumes: element i reads words
// [i * words_per_element, (i + 1) * words_per_element) after `offset`, and every
// distribution rounds the count up to even (normals come in pairs), so the next run of
// the op starts past the unused words of an odd count. Only the first `count` elements
// are ever written.
VS_HD constexpr std::uint64_t random_stream_words(std::int64_t count, std::size_t element_bytes) {
  return static_cast<std::uint64_t>(count + (count & 1)) * (element_bytes == 8 ? 2u : 1u);
}

template <typename T>
VS_HD inline T random_uniform(const Affine& affine, const std::uint32_t* w) {
  return apply_affine(affine, static_cast<T>(uniform_from_words<T>(w, 0)));
}

// Box-Muller over two elements' words.
template <typename T>
VS_HD inline void random_normal_pair(const Affine& affine,
                                     const std::uint32_t* w,
                                     T* first,
                                     T* second) {
  const double u1 = uniform_from_words<T>(w, 1);
  const double u2 = uniform_from_words<T>(w + words_per_element<T>(), 0);
  const double r = ::sqrt(-2.0 * det_log(u1));
  double s, c;
  det_sincos_2pi(u2, &s, &c);
  *first = apply_affine(affine, static_cast<T>(r * c));
  *second = apply_affine(affine, static_cast<T>(r * s));
}

// The inverse normal CDF of a uniform in (Phi(-2), Phi(2)), clamped strictly inside (-2, 2).
template <typename T>
VS_HD inline T random_truncated_normal(const Affine& affine, const std::uint32_t* w) {
  constexpr double kCdfMinus2 = 0.022750131948179195;  // Phi(-2)
  constexpr double kCdfRange = 0.9544997361036416;     // Phi(2) - Phi(-2)
  const double u = uniform_from_words<T>(w, 2);
  T x = static_cast<T>(det_inverse_normal_cdf(kCdfMinus2 + u * kCdfRange));
  x = x >= below_two<T>() ? below_two<T>() : x;
  x = x <= -below_two<T>() ? -below_two<T>() : x;
  return apply_affine(affine, x);
}

// Integers in [minval, maxval) from one (int32) or two (int64) words.
template <typename T>
VS_HD inline T random_int(const std::uint32_t* w, std::int64_t minval, std::int64_t maxval) {
  if constexpr (sizeof(T) == 8) {
    const std::uint64_t r = (static_cast<std::uint64_t>(w[1]) << 32) | w[0];
    const std::uint64_t range =
        static_cast<std::uint64_t>(maxval) - static_cast<std::uint64_t>(minval);
    return static_cast<T>(static_cast<std::uint64_t>(minval) + r % range);
  } else {
    const auto lo = static_cast<std::int32_t>(minval);
    const auto range = static_cast<std::uint64_t>(
        static_cast<std::int64_t>(static_cast<std::int32_t>(maxval)) - lo);
    const std::uint64_t pick = (static_cast<std::uint64_t>(w[0]) * range) >> 32;
    return static_cast<T>(static_cast<std::int64_t>(lo) + static_cast<std::int64_t>(pick));
  }
}

// Lane `lane` (0..3) of a block, by selects: registers, not local memory, on the device.
VS_HD inline std::uint32_t block_word(const PhiloxBlock& b, unsigned lane) {
  return lane == 0 ? b.w[0] : lane == 1 ? b.w[1] : lane == 2 ? b.w[2] : b.w[3];
}

// The elements of quad q of an op of `count` elements: those whose words are the op's
// words [4q, 4q + 4) (4 / words_per_element elements; whole pairs for normals), from one
// Philox block or, where the op's offset is not a multiple of 4, two. Quads split any op
// into independent pieces: the device kernel runs one per thread. Only elements below
// `count` are written.
template <typename T>
VS_HD inline void random_quad(const RandomSpec& spec, T* out, std::int64_t count, std::int64_t q) {
  constexpr int kW = words_per_element<T>();
  constexpr int kPerQuad = 4 / kW;
  const std::uint64_t first = spec.offset + 4 * static_cast<std::uint64_t>(q);
  const auto shift = static_cast<unsigned>(first % 4);
  const PhiloxBlock b0 = philox_stream_block(spec.seed, first / 4);
  const PhiloxBlock b1 = shift != 0 ? philox_stream_block(spec.seed, first / 4 + 1) : b0;
  std::uint32_t w[4];
  for (unsigned j = 0; j < 4; ++j) {
    const unsigned lane = shift + j;
    w[j] = lane < 4 ? block_word(b0, lane) : block_word(b1, lane - 4);
  }
  T v[kPerQuad];
  switch (spec.dist) {
    case RandomDistribution::kUniform:
      for (int i = 0; i < kPerQuad; ++i)
        v[i] = random_uniform<T>(spec.affine, w + i * kW);
      break;
    case RandomDistribution::kNormal:
      for (int i = 0; i < kPerQuad; i += 2)
        random_normal_pair<T>(spec.affine, w + i * kW, &v[i], &v[i + 1]);
      break;
    case RandomDistribution::kTruncatedNormal:
      for (int i = 0; i < kPerQuad; ++i)
        v[i] = random_truncated_normal<T>(spec.affine, w + i * kW);
      break;
    case RandomDistribution::kUniformInt:
      for (int i = 0; i < kPerQuad; ++i)
        v[i] = random_int<T>(w + i * kW, spec.minval, spec.maxval);
      break;
  }
  const std::int64_t e0 = q * kPerQuad;
  for (int i = 0; i < kPerQuad; ++i) {
    if (e0 + i < count) out[e0 + i] = v[i];
  }
}

}  // namespace varscope::kernels
