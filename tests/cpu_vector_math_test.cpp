// The CPU's vector math (vector_exp, vector_tanh, vector_log): each lane form against its
// scalar form bit for bit, compiled for the CPU at hand (the clone the library runs here),
// both against libm in double to the documented ulp; and through the library's own unary
// loops, a value's bits in a vector body against the same value in a scalar tail. The lane
// forms are checked in 16 lanes and in the unary kernels' 8.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "host/runtime/backend.h"
#include "host/runtime/cpu/vector_exp.h"
#include "host/runtime/cpu/vector_log.h"
#include "host/runtime/cpu/vector_tanh.h"
#include "test_util.h"

namespace vs = varscope;
namespace k = varscope::kernels;

namespace {

enum class Fn { kTanh, kLog };

// fn's lane form in vectors of V into `lanes` (whole vectors of x only).
template <typename V>
VS_CPU_INLINE void tanh_or_log_lanes(Fn fn, const float* x, std::int64_t n, float* lanes) {
  namespace cpu = vs::runtime::cpu;
  for (std::int64_t i = 0; i + cpu::kLanesOf<V> <= n; i += cpu::kLanesOf<V>) {
    V v, r;
    cpu::load_lanes(v, x + i);
    if (fn == Fn::kTanh) {
      cpu::vector_tanh_lanes(v, r);
    } else {
      cpu::vector_log_lanes(v, r);
    }
    cpu::store_lanes(lanes + i, r);
  }
}

// fn's scalar form into `scalar`, its lane form in `width` lanes (16, or the unary kernels'
// 8) into `lanes`, compiled for the CPU at hand (the clone the library runs here).
VS_CPU_CLONES void two_ways(
    Fn fn, const float* x, std::int64_t n, float* scalar, float* lanes, int width) {
  namespace cpu = vs::runtime::cpu;
  for (std::int64_t i = 0; i < n; ++i)
    scalar[i] = fn == Fn::kTanh ? cpu::vector_tanh(x[i]) : cpu::vector_log(x[i]);
  if (width == cpu::kFloatLanes) {
    tanh_or_log_lanes<cpu::LaneTypes<cpu::kFloatLanes>::F>(fn, x, n, lanes);
  } else {
    tanh_or_log_lanes<cpu::F32x8>(fn, x, n, lanes);
  }
}

template <typename V>
VS_CPU_INLINE void exp_lanes_two_ways(const float* x,
                                      std::int64_t n,
                                      float* lanes,
                                      float* below_overflow) {
  namespace cpu = vs::runtime::cpu;
  for (std::int64_t i = 0; i + cpu::kLanesOf<V> <= n; i += cpu::kLanesOf<V>) {
    V v, e;
    cpu::load_lanes(v, x + i);
    cpu::vector_exp_lanes(v, e);
    cpu::store_lanes(lanes + i, e);
    V zero, nonpositive;  // its domain: x <= 0 (or NaN); compared there only
    cpu::broadcast_lanes(zero, 0.0f);
    nonpositive = v > zero ? zero : v;
    cpu::exp_nonpositive_lanes(nonpositive, e);
    cpu::store_lanes(below_overflow + i, e);
  }
}

// vector_exp three ways (the lane forms in `width` lanes), compiled for the CPU at hand (the
// clone the library runs here).
VS_CPU_CLONES void exp_three_ways(
    const float* x, std::int64_t n, float* scalar, float* lanes, float* below_overflow, int width) {
  namespace cpu = vs::runtime::cpu;
  for (std::int64_t i = 0; i < n; ++i)
    scalar[i] = cpu::vector_exp(x[i]);
  if (width == cpu::kFloatLanes) {
    exp_lanes_two_ways<cpu::LaneTypes<cpu::kFloatLanes>::F>(x, n, lanes, below_overflow);
  } else {
    exp_lanes_two_ways<cpu::F32x8>(x, n, lanes, below_overflow);
  }
}

constexpr int kWidths[] = {vs::runtime::cpu::kFloatLanes, vs::runtime::cpu::kElementwiseLanes};

std::uint32_t bits_of(float f) {
  std::uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b;
}

// The lane form gives the scalar's bits (so a softmax row's vector body and its tail agree),
// the no-overflow form too wherever it applies, and both stay within 2 ulp of exp.
TEST(CpuVectorMath, VectorExpLanesGiveTheScalarsBitsWithin2UlpOfExp) {
  std::vector<float> x;
  for (float v = -110.0f; v < 110.0f; v += 0.0137f)
    x.push_back(v);
  for (float v : {0.0f, -0.0f, 88.3762626647949f, 88.38f, 88.7f, 88.72283172607422f,
                  88.72283935546875f, -87.33654022216797f, -87.3365478515625f, -87.34f,
                  std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                  std::numeric_limits<float>::quiet_NaN(), 1e-30f, -1e-30f})
    x.push_back(v);
  while (x.size() % 16 != 0)
    x.push_back(0.5f);
  const auto n = static_cast<std::int64_t>(x.size());
  for (const int width : kWidths) {
    SCOPED_TRACE(std::to_string(width) + " lanes");
    std::vector<float> scalar(x.size()), lanes(x.size()), below(x.size());
    exp_three_ways(x.data(), n, scalar.data(), lanes.data(), below.data(), width);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const float v = x[i];
      if (std::isnan(v)) {
        EXPECT_TRUE(std::isnan(scalar[i]) && std::isnan(lanes[i]) && std::isnan(below[i]));
        continue;
      }
      ASSERT_EQ(bits_of(lanes[i]), bits_of(scalar[i])) << "x = " << v;
      if (v <= 0.0f) {
        ASSERT_EQ(bits_of(below[i]), bits_of(scalar[i])) << "x = " << v;
      }
      // Results that would be subnormal flush to 0; above ln(FLT_MAX), inf.
      if (v < -87.33654022216797f) {
        ASSERT_EQ(scalar[i], 0.0f) << "x = " << v;
      } else if (v > 88.72283172607422f) {
        ASSERT_EQ(scalar[i], std::numeric_limits<float>::infinity()) << "x = " << v;
      } else {
        const double want = std::exp(static_cast<double>(v));
        if (want > std::numeric_limits<float>::max()) {
          ASSERT_EQ(scalar[i], std::numeric_limits<float>::infinity()) << "x = " << v;
          continue;
        }
        const double ulp = std::ldexp(1.0, std::ilogb(want) - 23);
        ASSERT_LE(std::fabs(scalar[i] - want), 2 * ulp) << "x = " << v;
      }
    }
  }
}

// tanh: the lane form gives the scalar form's bits, within 5 ulp of tanh (TF's CPU tanh,
// Eigen's rational approximation: 4.9 ulp at x = 5.126; ±1 from |x| = 7.9988 on), and
// with the signs of ±0 kept. [2, 8), where the error peaks, every 2^-14.
TEST(CpuVectorMath, VectorTanhLanesGiveTheScalarsBitsWithin5UlpOfTanh) {
  std::vector<float> x;
  for (float v = -12.0f; v < 12.0f; v += 0.00731f)
    x.push_back(v);
  for (float v = 2.0f; v < 8.0f; v += 1.0f / 16384)
    x.push_back(v);
  for (float v = 1e-30f; v < 1.0f; v *= 1.7f) {
    x.push_back(v);
    x.push_back(-v);
  }
  for (float v : {0.0f, -0.0f, 5.12603903f, -0.00777f, 50.0f, -50.0f, 100.0f,
                  std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                  std::numeric_limits<float>::quiet_NaN()})
    x.push_back(v);
  while (x.size() % 16 != 0)
    x.push_back(0.25f);
  for (const int width : kWidths) {
    SCOPED_TRACE(std::to_string(width) + " lanes");
    std::vector<float> scalar(x.size()), lanes(x.size());
    two_ways(Fn::kTanh, x.data(), static_cast<std::int64_t>(x.size()), scalar.data(), lanes.data(),
             width);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const float v = x[i];
      if (std::isnan(v)) {
        EXPECT_TRUE(std::isnan(scalar[i]) && std::isnan(lanes[i]));
        continue;
      }
      ASSERT_EQ(bits_of(lanes[i]), bits_of(scalar[i])) << "x = " << v;
      const double want = std::tanh(static_cast<double>(v));
      if (want == 0.0) {
        ASSERT_EQ(bits_of(scalar[i]), bits_of(v)) << "x = " << v;
        continue;
      }
      const double ulp = std::ldexp(1.0, std::ilogb(want) - 23);
      ASSERT_LE(std::fabs(scalar[i] - want), 5 * ulp) << "x = " << v;
    }
  }
}

// log: the lane form gives the scalar form's bits, within 2 ulp of log over normal and
// subnormal inputs, with log(0) = -inf, log(-x) = NaN, log(inf) = inf.
TEST(CpuVectorMath, VectorLogLanesGiveTheScalarsBitsWithin2UlpOfLog) {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  std::vector<float> x;
  for (float v = 1e-40f; v < 3e38f; v *= 1.0137f)  // from subnormals up
    x.push_back(v);
  for (float v = 0.5f; v < 2.0f; v += 0.000311f)  // around 1, where log is small
    x.push_back(v);
  for (float v : {0.0f, -0.0f, -1.0f, -1e-30f, 1.0f, kInf, -kInf,
                  std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::max(),
                  std::numeric_limits<float>::min(), std::numeric_limits<float>::denorm_min()})
    x.push_back(v);
  while (x.size() % 16 != 0)
    x.push_back(3.0f);
  for (const int width : kWidths) {
    SCOPED_TRACE(std::to_string(width) + " lanes");
    std::vector<float> scalar(x.size()), lanes(x.size());
    two_ways(Fn::kLog, x.data(), static_cast<std::int64_t>(x.size()), scalar.data(), lanes.data(),
             width);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const float v = x[i];
      if (std::isnan(v) || v < 0.0f) {
        EXPECT_TRUE(std::isnan(scalar[i]) && std::isnan(lanes[i])) << "x = " << v;
        continue;
      }
      ASSERT_EQ(bits_of(lanes[i]), bits_of(scalar[i])) << "x = " << v;
      if (v == 0.0f) {
        ASSERT_EQ(scalar[i], -kInf);
        continue;
      }
      if (v == kInf) {
        ASSERT_EQ(scalar[i], kInf);
        continue;
      }
      const double want = std::log(static_cast<double>(v));
      if (want == 0.0) {
        ASSERT_EQ(scalar[i], 0.0f);
        continue;
      }
      const double ulp = std::ldexp(1.0, std::ilogb(want) - 23);
      ASSERT_LE(std::fabs(scalar[i] - want), 2 * ulp) << "x = " << v;
    }
  }
}

// Through the library's own compiled loops: each value gives the same bits in an 8-lane
// body as alone (the scalar tail), for exp, sigmoid, tanh and log; a NaN comes back as the
// same NaN (sign and payload) either way.
TEST(CpuVectorMath, UnaryLanesAndTailsGiveTheSameBits) {
  auto backend = vs::runtime::make_cpu_backend();
  std::vector<float> x = vs::testing::uniform_floats(4096, 9, -100.0f, 100.0f);
  const auto small = vs::testing::uniform_floats(1024, 10, -2.0f, 2.0f);
  x.insert(x.end(), small.begin(), small.end());
  for (float v : {0.0f, -0.0f, 1e-30f, -1e-30f, 88.72283172607422f, -87.33654022216797f,
                  std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity()})
    x.push_back(v);
  std::uint32_t nan_bits = 0xffc01234u;  // a negative NaN with a payload
  float nan;
  std::memcpy(&nan, &nan_bits, sizeof nan);
  x.push_back(nan);
  while (x.size() % 16 != 0)
    x.push_back(0.75f);
  for (const k::UnaryOp op :
       {k::UnaryOp::kExp, k::UnaryOp::kSigmoid, k::UnaryOp::kTanh, k::UnaryOp::kLog}) {
    std::vector<float> body(x.size());
    backend->unary(
        {op, vs::DType::kFloat32, x.data(), body.data(), static_cast<std::int64_t>(x.size())});
    for (std::size_t i = 0; i < x.size(); ++i) {
      float alone = 0.0f;
      backend->unary({op, vs::DType::kFloat32, &x[i], &alone, 1});
      ASSERT_EQ(bits_of(body[i]), bits_of(alone)) << "op " << int(op) << " x = " << x[i];
      if (std::isnan(x[i])) {
        ASSERT_EQ(bits_of(alone), nan_bits) << "op " << int(op);
      }
    }
  }
}

}  // namespace
