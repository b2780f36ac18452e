// Random initializers on the CPU: per tile of kTile elements, the Philox blocks that cover
// the tile's words go to a small stack buffer (L1), then the tile's elements are computed
// from them into the output; no per-op setup, nothing written past `count`. Every loop
// here is written for the vectorizer (selects, no calls) and compiled three times, for
// AVX-512, AVX2 and baseline x86-64, with the variant picked once from the CPU. Contraction
// stays off (-ffp-contract=off on the library) and the vector +, -, *, /, sqrt are IEEE
// correctly rounded like the scalar ones, so every variant gives the same bits.
#include "host/runtime/cpu/cpu_random.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "host/runtime/cpu/thread_pool.h"
#include "host/runtime/dtype_dispatch.h"
#include "kernels/philox.h"

namespace varscope::runtime::cpu {
namespace {

using kernels::Affine;
using kernels::RandomArgs;
using kernels::RandomDistribution;
using kernels::RandomSpec;

constexpr std::int64_t kTile = 512;  // elements; even, so that normal pairs never split

#define VS_INLINE [[gnu::always_inline]] inline

// Blocks [first, first + n) of the stream `seed` into words[4j .. 4j + 3].
VS_INLINE void philox_blocks(std::uint64_t seed,
                             std::uint64_t first,
                             std::int64_t n,
                             std::uint32_t* __restrict words) {
  const std::uint64_t lane0 = first % kernels::kPhiloxLegacyLanes;
  if (lane0 + static_cast<std::uint64_t>(n) > kernels::kPhiloxLegacyLanes) {
    for (std::int64_t j = 0; j < n; ++j) {  // crosses a step of the 65536 lanes: rare
      const kernels::PhiloxBlock b = kernels::philox_stream_block(seed, first + j);
      for (int k = 0; k < 4; ++k)
        words[4 * j + k] = b.w[k];
    }
    return;
  }
  const std::uint64_t step = first / kernels::kPhiloxLegacyLanes;
  const auto c0 = static_cast<std::uint32_t>(step);
  const auto c1 = static_cast<std::uint32_t>(step >> 32);
  const auto k0 = static_cast<std::uint32_t>(seed);
  const auto k1 = static_cast<std::uint32_t>(seed >> 32);
  const auto lane = static_cast<std::uint32_t>(lane0);
  for (std::int64_t j = 0; j < n; ++j) {
    const kernels::PhiloxBlock b =
        kernels::philox4x32_10(c0, c1, lane + static_cast<std::uint32_t>(j), 0u, k0, k1);
    words[4 * j + 0] = b.w[0];
    words[4 * j + 1] = b.w[1];
    words[4 * j + 2] = b.w[2];
    words[4 * j + 3] = b.w[3];
  }
}

// The fused affine with `enabled` known to the compiler, so the loops below carry no test.
template <typename T, typename F>
VS_INLINE void with_affine(const Affine& affine, F&& loop) {
  if (affine.enabled) {
    Affine a = affine;
    a.enabled = true;
    loop(a);
  } else {
    loop(Affine{});
  }
}

// Elements [0, n) of `out` from `w`, the words of element 0 onwards (whole pairs for normals).
template <typename T>
VS_INLINE void transform_tile(const RandomSpec& spec,
                              const std::uint32_t* __restrict w,
                              T* __restrict out,
                              std::int64_t n) {
  constexpr int kW = kernels::words_per_element<T>();
  switch (spec.dist) {
    case RandomDistribution::kUniform:
      return with_affine<T>(spec.affine, [&](const Affine& a) {
        for (std::int64_t i = 0; i < n; ++i)
          out[i] = kernels::random_uniform<T>(a, w + i * kW);
      });
    case RandomDistribution::kNormal:
      return with_affine<T>(spec.affine, [&](const Affine& a) {
        const std::int64_t pairs = n / 2;
        for (std::int64_t p = 0; p < pairs; ++p)
          kernels::random_normal_pair<T>(a, w + 2 * p * kW, &out[2 * p], &out[2 * p + 1]);
        if (n % 2 != 0) {  // the last element of an odd count: its partner is dropped
          T dropped;
          kernels::random_normal_pair<T>(a, w + (n - 1) * kW, &out[n - 1], &dropped);
        }
      });
    case RandomDistribution::kTruncatedNormal:
      return with_affine<T>(spec.affine, [&](const Affine& a) {
        for (std::int64_t i = 0; i < n; ++i)
          out[i] = kernels::random_truncated_normal<T>(a, w + i * kW);
      });
    case RandomDistribution::kUniformInt:
      for (std::int64_t i = 0; i < n; ++i)
        out[i] = kernels::random_int<T>(w + i * kW, spec.minval, spec.maxval);
      return;
  }
}

template <typename T>
VS_INLINE void range_of(
    const RandomSpec& spec, T* out, std::int64_t count, std::int64_t begin, std::int64_t end) {
  constexpr int kW = kernels::words_per_element<T>();
  alignas(64) std::uint32_t words[kTile * kW + 8];
  for (std::int64_t e0 = begin; e0 < end; e0 += kTile) {
    const std::int64_t n = std::min(kTile, end - e0);
    // An odd tail at the op's end still reads its pair's words (the stream is padded).
    const std::int64_t elements = n + (n & 1);
    const std::uint64_t first_word = spec.offset + static_cast<std::uint64_t>(e0) * kW;
    const auto shift = static_cast<std::int64_t>(first_word % 4);
    const std::int64_t blocks = (shift + elements * kW + 3) / 4;
    philox_blocks(spec.seed, first_word / 4, blocks, words);
    transform_tile<T>(spec, words + shift, out + e0, std::min(n, count - e0));
  }
}

// A switch, not kernels::dispatch: GCC's flatten leaves a template called through a
// lambda out of line, one generic copy shared by the three variants (half the speed).
VS_INLINE void range_any(const RandomArgs& a, std::int64_t begin, std::int64_t end) {
  const bool ints = a.spec.dist == RandomDistribution::kUniformInt;
  switch (a.dtype) {
    case DType::kFloat32:
      if (!ints) return range_of(a.spec, static_cast<float*>(a.out), a.count, begin, end);
      break;
    case DType::kFloat64:
      if (!ints) return range_of(a.spec, static_cast<double*>(a.out), a.count, begin, end);
      break;
    case DType::kInt32:
      if (ints) return range_of(a.spec, static_cast<std::int32_t*>(a.out), a.count, begin, end);
      break;
    case DType::kInt64:
      if (ints) return range_of(a.spec, static_cast<std::int64_t*>(a.out), a.count, begin, end);
      break;
    default:
      break;
  }
  refuse_dtype("random values of dtype ", a.dtype);
}

using RangeFn = void (*)(const RandomArgs&, std::int64_t, std::int64_t);

struct Variant {
  RangeFn fn;
  const char* isa;
};

// flatten: everything the body calls is compiled into each variant, with its ISA.
[[gnu::flatten]] void range_generic(const RandomArgs& a, std::int64_t begin, std::int64_t end) {
  range_any(a, begin, end);
}

#if defined(__x86_64__) && defined(__GNUC__)
#if defined(__clang__)  // clang takes no tuning in the attribute
#define VS_AVX512_TARGET "arch=x86-64-v4"
#else  // GCC's generic tuning would use 256-bit vectors
#define VS_AVX512_TARGET "arch=x86-64-v4,prefer-vector-width=512"
#endif
[[gnu::flatten, gnu::target(VS_AVX512_TARGET)]] void range_avx512(const RandomArgs& a,
                                                                  std::int64_t begin,
                                                                  std::int64_t end) {
  range_any(a, begin, end);
}

[[gnu::flatten, gnu::target("arch=x86-64-v3")]] void range_avx2(const RandomArgs& a,
                                                                std::int64_t begin,
                                                                std::int64_t end) {
  range_any(a, begin, end);
}
#endif

// The variants this CPU can run, widest first.
std::vector<Variant> supported_variants() {
  std::vector<Variant> out;
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")) {
    out.push_back({range_avx512, "avx512"});
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
      __builtin_cpu_supports("bmi2")) {
    out.push_back({range_avx2, "avx2"});
  }
#endif
  out.push_back({range_generic, "generic"});
  return out;
}

Variant pick_variant() {
  return supported_variants().front();
}

// Pieces start at even elements (normal pairs stay whole) and end within the op.
void check_piece(std::int64_t count, std::int64_t begin, std::int64_t end) {
  if (begin < 0 || begin % 2 != 0 || end > count) {
    throw InternalError("random piece [" + std::to_string(begin) + ", " + std::to_string(end) +
                        ") of " + std::to_string(count) + " elements");
  }
}

const Variant& variant() {
  static const Variant v = pick_variant();
  return v;
}

}  // namespace

void random_range(const RandomArgs& args, std::int64_t begin, std::int64_t end) {
  if (begin >= end) return;
  check_piece(args.count, begin, end);
  variant().fn(args, begin, end);
}

void random(const RandomArgs& args) {
  const std::int64_t count = args.count;
  // Waking a pool worker costs microseconds: uniforms (a few ns an element) stay on
  // one core below 2^18 elements, the normals (4x the work) follow parallel_for's rule.
  const bool cheap = args.spec.dist == RandomDistribution::kUniform ||
                     args.spec.dist == RandomDistribution::kUniformInt;
  if (cheap && count < (std::int64_t{1} << 18)) return random_range(args, 0, count);
  // Pieces split at even elements (normal pairs stay whole).
  const auto even = [count](std::int64_t i) { return std::min(count, i + (i & 1)); };
  parallel_for(count, kMinElementsPerThread,
               [&](std::int64_t b, std::int64_t e) { random_range(args, even(b), even(e)); });
}

const char* random_isa() {
  return variant().isa;
}

bool random_range_on(const char* isa,
                     const RandomArgs& args,
                     std::int64_t begin,
                     std::int64_t end) {
  for (const Variant& v : supported_variants()) {
    if (std::strcmp(v.isa, isa) == 0) {
      if (begin >= end) return true;
      check_piece(args.count, begin, end);
      v.fn(args, begin, end);
      return true;
    }
  }
  return false;
}

}  // namespace varscope::runtime::cpu
