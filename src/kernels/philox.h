// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11) laid
// out as cuRAND's CURAND_RNG_PSEUDO_PHILOX4_32_10 generator lays out its words in legacy
// ordering. That generator runs 65536 subsequences side by side: word a of the stream
// (a = the generator offset + the index in the output) is lane a % 4 of the block
//   b = a / 4,  counter = {b / 65536 (64 bits over x, y), b % 65536 (z), 0 (w)},
//   key = {seed low 32 bits, seed high 32 bits}.
// tests/philox_test.cpp proves this against curandCreateGeneratorHost word for word, so
// any word is computed from its index alone: no state, no setup, any split of the work.
#pragma once

#include <cstdint>

#include "kernels/hd.h"

namespace varscope::kernels {

struct PhiloxBlock {
  std::uint32_t w[4];
};

// The ten rounds on one counter; written with plain 64-bit products so that compilers
// vectorize loops over independent blocks.
VS_HD inline PhiloxBlock philox4x32_10(std::uint32_t c0,
                                       std::uint32_t c1,
                                       std::uint32_t c2,
                                       std::uint32_t c3,
                                       std::uint32_t k0,
                                       std::uint32_t k1) {
  for (int round = 0; round < 10; ++round) {
    const std::uint64_t p0 = std::uint64_t{0xD2511F53u} * c0;
    const std::uint64_t p1 = std::uint64_t{0xCD9E8D57u} * c2;
    const std::uint32_t n0 = static_cast<std::uint32_t>(p1 >> 32) ^ c1 ^ k0;
    const std::uint32_t n2 = static_cast<std::uint32_t>(p0 >> 32) ^ c3 ^ k1;
    c1 = static_cast<std::uint32_t>(p1);
    c3 = static_cast<std::uint32_t>(p0);
    c0 = n0;
    c2 = n2;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return PhiloxBlock{{c0, c1, c2, c3}};
}

// The number of subsequences cuRAND's legacy ordering interleaves.
constexpr std::uint64_t kPhiloxLegacyLanes = 65536;

// Block b of the stream `seed` (words 4b .. 4b + 3).
VS_HD inline PhiloxBlock philox_stream_block(std::uint64_t seed, std::uint64_t b) {
  const std::uint64_t step = b / kPhiloxLegacyLanes;
  return philox4x32_10(static_cast<std::uint32_t>(step), static_cast<std::uint32_t>(step >> 32),
                       static_cast<std::uint32_t>(b % kPhiloxLegacyLanes), 0u,
                       static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32));
}

// Word a of the stream `seed`: what curandGenerate returns at index i after
// curandSetPseudoRandomGeneratorSeed(seed) and curandSetGeneratorOffset(a - i).
VS_HD inline std::uint32_t philox_stream_word(std::uint64_t seed, std::uint64_t a) {
  return philox_stream_block(seed, a / 4).w[a % 4];
}

}  // namespace varscope::kernels
