// kernels/philox.h and the one-pass random initializers against cuRAND, the oracle:
//  - every word of the stream equals what curandCreateGeneratorHost's Philox4_32_10
//    generator (legacy ordering) returns, for many seeds, offsets and lengths;
//  - every element of every distribution equals today's two-pass path (cuRAND's words into
//    the buffer, then the transforms as they were: philox_legacy_transform.h), bit for bit,
//    on every SIMD variant this CPU has, through the backend and through any split;
//  - the device kernel's per-thread code gives the same bits, run on the host;
//  - exactly `count` elements are written (the buffers here have no slack: under the asan
//    preset an overrun fails; elsewhere a guard region must stay untouched);
//  - the CUDA backend gives the CPU backend's bits (Gpu*, skipped without a device).
#include "kernels/philox.h"

#include <curand.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gpu_test.h"
#include "host/runtime/backend.h"
#include "host/runtime/cpu/cpu_random.h"
#include "philox_legacy_transform.h"

namespace vs = varscope;
namespace k = varscope::kernels;

namespace {

class Curand {
 public:
  Curand() {
    expect_ok(curandCreateGeneratorHost(&gen_, CURAND_RNG_PSEUDO_PHILOX4_32_10));
    expect_ok(curandSetGeneratorOrdering(gen_, CURAND_ORDERING_PSEUDO_LEGACY));
  }
  ~Curand() { curandDestroyGenerator(gen_); }
  Curand(const Curand&) = delete;
  Curand& operator=(const Curand&) = delete;

  // Words offset .. offset + n - 1 of the stream `seed`, into `out`.
  void words(std::uint64_t seed, std::uint64_t offset, std::uint32_t* out, std::size_t n) {
    expect_ok(curandSetPseudoRandomGeneratorSeed(gen_, seed));
    expect_ok(curandSetGeneratorOffset(gen_, offset));
    expect_ok(curandGenerate(gen_, out, n));
  }

 private:
  static void expect_ok(curandStatus_t s) { ASSERT_EQ(s, CURAND_STATUS_SUCCESS); }
  curandGenerator_t gen_ = nullptr;
};

std::vector<std::uint64_t> test_seeds() {
  std::vector<std::uint64_t> seeds = {1, 42ull << 32 | 7, 0xffffffffffffffffull,
                                      0x8000000000000000ull, 0x00000000ffffffffull};
  std::mt19937_64 gen(20261201);
  for (int i = 0; i < 5; ++i)
    seeds.push_back(gen());
  return seeds;
}

// Offsets that are not multiples of 4, that cross a step of the 65536 interleaved lanes
// (4 * 65536 words), and that reach the counter's high word (block step >= 2^32).
const std::vector<std::uint64_t> kOffsets = {0,
                                             1,
                                             2,
                                             3,
                                             6,
                                             4097,
                                             4 * 65536 - 5,
                                             4 * 65536 + 2,
                                             (std::uint64_t{1} << 32) + 3,
                                             (std::uint64_t{1} << 50) + 1,
                                             (std::uint64_t{1} << 63) - 70000 * 4 + 2};

TEST(Philox, EveryWordMatchesCurandHostGenerator) {
  const std::vector<std::size_t> lengths = {1, 2, 3, 5, 17, 64, 255, 1023, 4097, 65537, 70001};
  Curand curand;
  std::vector<std::uint32_t> expected(70001);
  std::size_t pick = 0, words_checked = 0;
  for (std::uint64_t seed : test_seeds()) {
    for (std::uint64_t offset : kOffsets) {
      const std::size_t n = lengths[pick++ % lengths.size()];
      curand.words(seed, offset, expected.data(), n);
      for (std::size_t i = 0; i < n; ++i) {
        ASSERT_EQ(k::philox_stream_word(seed, offset + i), expected[i])
            << "seed " << seed << " offset " << offset << " length " << n << " word " << i;
      }
      words_checked += n;
    }
  }
  EXPECT_GT(words_checked, 500000u);
}

// The first block of seed 0 is the Philox4x32-10 known-answer vector of Random123 (counter
// 0, key 0): the generator is Philox, not just something cuRAND happens to compute.
TEST(Philox, KnownAnswerOfRandom123) {
  const k::PhiloxBlock b = k::philox4x32_10(0, 0, 0, 0, 0, 0);
  EXPECT_EQ(b.w[0], 0x6627e8d5u);
  EXPECT_EQ(b.w[1], 0xe169c58du);
  EXPECT_EQ(b.w[2], 0xbc57ac4cu);
  EXPECT_EQ(b.w[3], 0x9b00dbd8u);
}

struct Case {
  k::RandomDistribution dist;
  vs::DType dtype;
  bool affine;
  std::int64_t minval = 0, maxval = 1;
};

std::string describe(const Case& c, std::uint64_t seed, std::uint64_t offset, std::int64_t n) {
  return "dist " + std::to_string(static_cast<int>(c.dist)) + " dtype " +
         std::string(vs::dtype_name(c.dtype)) + " affine " + std::to_string(c.affine) + " range [" +
         std::to_string(c.minval) + ", " + std::to_string(c.maxval) + ") seed " +
         std::to_string(seed) + " offset " + std::to_string(offset) + " count " + std::to_string(n);
}

k::RandomSpec spec_of(const Case& c, std::uint64_t seed, std::uint64_t offset) {
  k::RandomSpec s;
  s.dist = c.dist;
  s.affine = c.affine ? k::Affine{true, 0.3125, -1.75} : k::Affine{};
  s.minval = c.minval;
  s.maxval = c.maxval;
  s.seed = seed;
  s.offset = offset;
  return s;
}

// Today's path: cuRAND's words for the even-padded count into the output's own storage,
// then the old in-place transforms. Returns the bytes of the first `count` elements.
template <typename T>
std::vector<unsigned char> two_pass(
    Curand& curand, const Case& c, std::uint64_t seed, std::uint64_t offset, std::int64_t count) {
  const std::int64_t padded = count + (count & 1);
  std::vector<T> buf(static_cast<std::size_t>(padded));
  curand.words(seed, offset, reinterpret_cast<std::uint32_t*>(buf.data()),
               static_cast<std::size_t>(k::random_stream_words(count, sizeof(T))));
  const k::RandomSpec s = spec_of(c, seed, offset);
  if (c.dist == k::RandomDistribution::kUniformInt) {
    for (std::int64_t i = 0; i < count; ++i)
      legacy::random_int_transform(buf.data(), i, static_cast<T>(c.minval),
                                   static_cast<T>(c.maxval));
  } else {
    const std::int64_t step = c.dist == k::RandomDistribution::kNormal ? 2 : 1;
    for (std::int64_t i = 0; i < count; i += step)
      legacy::random_transform(c.dist, s.affine, buf.data(), i, count);
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(buf.data());
  return {bytes, bytes + count * sizeof(T)};
}

std::vector<unsigned char> expected_bytes(
    Curand& curand, const Case& c, std::uint64_t seed, std::uint64_t offset, std::int64_t n) {
  switch (c.dtype) {
    case vs::DType::kFloat32:
      return two_pass<float>(curand, c, seed, offset, n);
    case vs::DType::kFloat64:
      return two_pass<double>(curand, c, seed, offset, n);
    case vs::DType::kInt32:
      return two_pass<std::int32_t>(curand, c, seed, offset, n);
    default:
      return two_pass<std::int64_t>(curand, c, seed, offset, n);
  }
}

std::vector<Case> all_cases() {
  using D = k::RandomDistribution;
  std::vector<Case> cases;
  for (D dist : {D::kUniform, D::kNormal, D::kTruncatedNormal}) {
    for (vs::DType dtype : {vs::DType::kFloat32, vs::DType::kFloat64}) {
      for (bool affine : {false, true})
        cases.push_back({dist, dtype, affine});
    }
  }
  constexpr std::int64_t kI32Min = std::numeric_limits<std::int32_t>::min();
  constexpr std::int64_t kI32Max = std::numeric_limits<std::int32_t>::max();
  constexpr std::int64_t kI64Min = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t kI64Max = std::numeric_limits<std::int64_t>::max();
  for (auto [lo, hi] :
       {std::pair<std::int64_t, std::int64_t>{0, 10}, {-5, 1000}, {kI32Min, kI32Max}})
    cases.push_back({D::kUniformInt, vs::DType::kInt32, false, lo, hi});
  for (auto [lo, hi] : {std::pair<std::int64_t, std::int64_t>{0, 10},
                        {-(std::int64_t{1} << 40), std::int64_t{1} << 50},
                        {kI64Min, kI64Max}})
    cases.push_back({D::kUniformInt, vs::DType::kInt64, false, lo, hi});
  return cases;
}

// An output of exactly `count` elements with `guard` more bytes behind it that must keep
// their pattern (guard 0: exactly sized, for AddressSanitizer).
struct Output {
  Output(std::int64_t count, std::size_t element_size, std::size_t guard)
      : bytes(static_cast<std::size_t>(count) * element_size),
        storage(new unsigned char[bytes + guard]),
        guard(guard) {
    std::memset(storage.get(), 0xA5, bytes + guard);
  }
  void* data() { return storage.get(); }
  std::vector<unsigned char> values() const { return {storage.get(), storage.get() + bytes}; }
  bool guard_intact() const {
    for (std::size_t i = 0; i < guard; ++i) {
      if (storage[bytes + i] != 0xA5) return false;
    }
    return true;
  }
  std::size_t bytes;
  std::unique_ptr<unsigned char[]> storage;
  std::size_t guard;
};

const std::vector<std::int64_t> kCounts = {1, 2, 3, 7, 64, 513, 1025, 4099, 70001};

TEST(PhiloxTransforms, BackendMatchesTodaysTwoPassPathBitForBit) {
  Curand curand;
  auto backend = vs::runtime::make_cpu_backend();
  const std::vector<std::uint64_t> seeds = test_seeds();
  std::size_t pick = 0;
  for (const Case& c : all_cases()) {
    for (std::int64_t n : kCounts) {
      const std::uint64_t seed = seeds[pick % seeds.size()];
      const std::uint64_t offset = kOffsets[pick % kOffsets.size()];
      ++pick;
      const std::vector<unsigned char> expected = expected_bytes(curand, c, seed, offset, n);
      Output out(n, vs::dtype_size(c.dtype), 64);
      backend->random({spec_of(c, seed, offset), c.dtype, out.data(), n});
      ASSERT_EQ(out.values(), expected) << describe(c, seed, offset, n);
      ASSERT_TRUE(out.guard_intact()) << "wrote past count: " << describe(c, seed, offset, n);
    }
  }
}

// Each SIMD variant, and pieces at any even split, give the same bits as the oracle.
TEST(PhiloxTransforms, EveryIsaAndEverySplitMatches) {
  const std::string picked = vs::runtime::cpu::random_isa();
  RecordProperty("picked_isa", picked);
  EXPECT_TRUE(picked == "avx512" || picked == "avx2" || picked == "generic") << picked;
  Curand curand;
  const std::int64_t n = 4099;
  for (const Case& c : all_cases()) {
    const std::uint64_t seed = 0x1234567890abcdefull, offset = 6;
    const std::vector<unsigned char> expected = expected_bytes(curand, c, seed, offset, n);
    const k::RandomSpec spec = spec_of(c, seed, offset);
    int isas = 0;
    for (const char* isa : {"avx512", "avx2", "generic"}) {
      Output whole(n, vs::dtype_size(c.dtype), 0);
      if (!vs::runtime::cpu::random_range_on(isa, {spec, c.dtype, whole.data(), n}, 0, n)) continue;
      ++isas;
      ASSERT_EQ(whole.values(), expected) << isa << " " << describe(c, seed, offset, n);
      Output pieces(n, vs::dtype_size(c.dtype), 0);
      for (auto [b, e] : {std::pair<std::int64_t, std::int64_t>{0, 2},
                          {2, 514},
                          {514, 1000},
                          {1000, 4098},
                          {4098, n}}) {
        ASSERT_TRUE(
            vs::runtime::cpu::random_range_on(isa, {spec, c.dtype, pieces.data(), n}, b, e));
      }
      ASSERT_EQ(pieces.values(), expected) << isa << " split " << describe(c, seed, offset, n);
    }
    EXPECT_GE(isas, 1);
  }
}

template <typename T>
void run_quads(const k::RandomSpec& spec, void* out, std::int64_t n) {
  const auto quads = static_cast<std::int64_t>((k::random_stream_words(n, sizeof(T)) + 3) / 4);
  for (std::int64_t q = 0; q < quads; ++q)
    k::random_quad(spec, static_cast<T*>(out), n, q);
}

// The device kernel's per-thread code (kernels::random_quad: one or two Philox blocks per
// 4 words), run here on the host, so that CI proves it without a GPU; against the CPU
// backend, which the test above holds to cuRAND.
TEST(PhiloxTransforms, DeviceQuadCodeMatchesOnTheHost) {
  auto backend = vs::runtime::make_cpu_backend();
  for (const Case& c : all_cases()) {
    for (std::int64_t n : {1, 2, 3, 7, 513, 4099}) {
      for (std::uint64_t offset : {0, 2, 5, 4 * 65536 - 6}) {
        const std::uint64_t seed = 0xabcdef12345ull;
        const k::RandomSpec spec = spec_of(c, seed, offset);
        Output expected(n, vs::dtype_size(c.dtype), 0);
        backend->random({spec, c.dtype, expected.data(), n});
        Output out(n, vs::dtype_size(c.dtype), 16);
        switch (c.dtype) {
          case vs::DType::kFloat32:
            run_quads<float>(spec, out.data(), n);
            break;
          case vs::DType::kFloat64:
            run_quads<double>(spec, out.data(), n);
            break;
          case vs::DType::kInt32:
            run_quads<std::int32_t>(spec, out.data(), n);
            break;
          default:
            run_quads<std::int64_t>(spec, out.data(), n);
            break;
        }
        ASSERT_EQ(out.values(), expected.values()) << describe(c, seed, offset, n);
        ASSERT_TRUE(out.guard_intact()) << "wrote past count: " << describe(c, seed, offset, n);
      }
    }
  }
}

// No slack: under AddressSanitizer a write past the last element fails here (today's
// two-pass path wrote the padded word count: 32 bytes into 7 float32s' 28).
TEST(PhiloxTransforms, WritesExactlyCountIntoExactlySizedStorage) {
  auto backend = vs::runtime::make_cpu_backend();
  for (const Case& c : all_cases()) {
    for (std::int64_t n : {1, 3, 7, 65537}) {
      Output out(n, vs::dtype_size(c.dtype), 0);
      backend->random({spec_of(c, 99, 2), c.dtype, out.data(), n});
      Output guarded(n, vs::dtype_size(c.dtype), 32);
      backend->random({spec_of(c, 99, 2), c.dtype, guarded.data(), n});
      EXPECT_TRUE(guarded.guard_intact()) << describe(c, 99, 2, n);
      EXPECT_EQ(out.values(), guarded.values());
    }
  }
}

TEST(PhiloxTransforms, RefusesDtypesThatDoNotFitTheDistribution) {
  auto backend = vs::runtime::make_cpu_backend();
  std::int32_t ints[4] = {};
  float floats[4] = {};
  EXPECT_THROW(
      backend->random({spec_of({k::RandomDistribution::kNormal, vs::DType::kInt32, false}, 1, 0),
                       vs::DType::kInt32, ints, 4}),
      vs::UnimplementedError);
  EXPECT_THROW(backend->random(
                   {spec_of({k::RandomDistribution::kUniformInt, vs::DType::kFloat32, false}, 1, 0),
                    vs::DType::kFloat32, floats, 4}),
               vs::UnimplementedError);
}

class GpuPhilox : public vs::testing::GpuTest {};

// The device kernels compute the CPU backend's bits (both are checked against cuRAND above
// through the same kernels/random.h), exactly `count` elements.
TEST_F(GpuPhilox, DeviceMatchesCpuBitForBit) {
  auto cpu = vs::runtime::make_cpu_backend();
  auto gpu = vs::runtime::make_cuda_backend(0, nullptr, false);
  for (const Case& c : all_cases()) {
    for (std::int64_t n : {1, 7, 4099, 1 << 20}) {
      for (std::uint64_t offset : {0, 2, 5}) {
        const k::RandomSpec spec = spec_of(c, 0xfeedull << 32 | 3, offset);
        const std::size_t bytes = static_cast<std::size_t>(n) * vs::dtype_size(c.dtype);
        std::vector<unsigned char> want(bytes), got(bytes + 16, 0xA5);
        cpu->random({spec, c.dtype, want.data(), n});
        void* dev = gpu->allocate(bytes + 16);
        gpu->copy_from_host(dev, got.data(), bytes + 16);
        gpu->random({spec, c.dtype, dev, n});
        gpu->copy_to_host(got.data(), dev, bytes + 16);
        gpu->deallocate(dev);
        ASSERT_EQ(std::vector<unsigned char>(got.begin(), got.begin() + bytes), want)
            << describe(c, spec.seed, offset, n);
        for (std::size_t i = bytes; i < bytes + 16; ++i)
          ASSERT_EQ(got[i], 0xA5) << "wrote past count: " << describe(c, spec.seed, offset, n);
      }
    }
  }
}

}  // namespace
