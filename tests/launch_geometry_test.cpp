// The GPU kernels' index maths, run on the CPU (src/kernels/launch_geometry.h, elementwise.h,
// reduce.h): every (block, thread) of grids capped tiny, so that the grid-stride loops take
// many passes, must visit each element exactly once; the hoisted broadcast maths and the
// reduction layouts must agree with the plain per-element definitions.
#include "kernels/launch_geometry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <tuple>
#include <vector>

#include "kernels/elementwise.h"
#include "kernels/reduce.h"
#include "kernels/unary.h"

namespace k = varscope::kernels;

namespace {

// Runs a grid-stride kernel's mapping for every block and thread of a capped grid.
std::vector<int> visits(std::int64_t n, int threads, std::int64_t cap) {
  std::vector<int> seen(static_cast<std::size_t>(n), 0);
  const int blocks = k::blocks_for(n, threads, cap);
  for (int b = 0; b < blocks; ++b) {
    for (int t = 0; t < threads; ++t) {
      k::for_each_owned(b, t, blocks, threads, n,
                        [&](std::int64_t i) { ++seen[static_cast<std::size_t>(i)]; });
    }
  }
  return seen;
}

TEST(LaunchGeometry, GridStrideVisitsEveryElementOnceWhateverTheCap) {
  for (std::int64_t n : {0, 1, 7, 255, 256, 257, 1000, 4099}) {
    for (int threads : {1, 4, 32}) {
      for (std::int64_t cap : {1, 2, 3, 1000}) {
        const std::vector<int> seen = visits(n, threads, cap);
        for (std::int64_t i = 0; i < n; ++i)
          ASSERT_EQ(seen[static_cast<std::size_t>(i)], 1)
              << "n=" << n << " threads=" << threads << " cap=" << cap << " i=" << i;
      }
    }
  }
}

TEST(LaunchGeometry, BlocksAreCappedAndNeverZero) {
  EXPECT_EQ(k::blocks_for(0, 256), 1);
  EXPECT_EQ(k::blocks_for(1, 256), 1);
  EXPECT_EQ(k::blocks_for(257, 256), 2);
  EXPECT_EQ(k::blocks_for(std::int64_t{1} << 40, 256), k::kMaxBlocks);
  EXPECT_EQ(k::blocks_for(100, 1, 3), 3);
  // The step of the last pass stays 64-bit: 2^31 elements past one pass of the largest grid.
  const k::GridStride g = k::grid_stride(static_cast<int>(k::kMaxBlocks) - 1, 255,
                                         static_cast<int>(k::kMaxBlocks), 256);
  EXPECT_EQ(g.first, k::kMaxBlocks * 256 - 1);
  EXPECT_EQ(g.step, k::kMaxBlocks * 256);
}

TEST(LaunchGeometry, BlockPerRowKernelsVisitEveryRowAndColumnOnce) {
  const std::int64_t rows = 11, cols = 37;
  for (int blocks : {1, 2, 3, 16}) {
    for (int threads : {1, 8, 32, 64}) {
      std::vector<int> seen(static_cast<std::size_t>(rows * cols), 0);
      for (int b = 0; b < blocks; ++b) {
        k::for_each_owned_row(b, blocks, rows, [&](std::int64_t r) {
          for (int t = 0; t < threads; ++t) {
            k::for_each_owned_column(t, threads, cols, [&](std::int64_t c) {
              ++seen[static_cast<std::size_t>(r * cols + c)];
            });
          }
        });
      }
      for (int v : seen)
        ASSERT_EQ(v, 1) << "blocks=" << blocks << " threads=" << threads;
    }
  }
}

TEST(LaunchGeometry, ColumnTilesVisitEveryCellOnce) {
  const std::int64_t rows = 19, cols = 70;  // 3 tiles of 32 columns, the last one partial
  for (int blocks : {1, 2, 3}) {
    for (int split : {1, 3, 8}) {
      std::vector<int> seen(static_cast<std::size_t>(rows * cols), 0);
      for (int b = 0; b < blocks; ++b) {
        for (int y = 0; y < split; ++y) {
          for (int x = 0; x < 32; ++x) {
            k::for_each_owned_cell(b, blocks, 32, split, x, y, rows, cols,
                                   [&](std::int64_t j, std::int64_t c) {
                                     ++seen[static_cast<std::size_t>(j * cols + c)];
                                   });
          }
        }
      }
      for (int v : seen)
        ASSERT_EQ(v, 1) << "blocks=" << blocks << " split=" << split;
    }
  }
}

TEST(FastDivmod, MatchesDivisionForEveryDivisorShape) {
  std::mt19937 rng(7);
  std::vector<std::uint32_t> divisors = {
      1,       2, 3, 5, 7, 10, 255, 256, 257, 1000, 65535, 65536, 65537, 1u << 20, (1u << 31) - 1,
      1u << 31};
  for (int i = 0; i < 200; ++i)
    divisors.push_back(1 + rng() % (1u << 31));
  for (std::uint32_t d : divisors) {
    const k::FastDivmod f(d);
    std::vector<std::uint32_t> ns = {0, 1, d - 1, d, d + 1, (1u << 31) - 1, (1u << 31) - d % 97};
    for (int i = 0; i < 200; ++i)
      ns.push_back(rng() % (1u << 31));
    for (std::uint32_t n : ns) {
      if (n >= (1u << 31)) continue;
      ASSERT_EQ(f.div(n), n / d) << n << " / " << d;
    }
  }
}

k::Broadcast broadcast_of(std::vector<std::int64_t> out,
                          std::vector<std::int64_t> xs,
                          std::vector<std::int64_t> ys) {
  k::Broadcast b;
  b.rank = static_cast<int>(out.size());
  for (int d = 0; d < b.rank; ++d) {
    b.out_dims[d] = out[static_cast<std::size_t>(d)];
    b.x_strides[d] = xs[static_cast<std::size_t>(d)];
    b.y_strides[d] = ys[static_cast<std::size_t>(d)];
  }
  return b;
}

TEST(FastBroadcast, AgreesWithThePlainIndexMathsAndPicksTheFastPaths) {
  struct Case {
    k::Broadcast b;
    k::FastBroadcast::Kind kind;
  };
  const std::vector<Case> cases = {
      {broadcast_of({4, 5, 6}, {30, 6, 1}, {30, 6, 1}), k::FastBroadcast::kSame},
      {broadcast_of({4, 5, 6}, {0, 0, 0}, {30, 6, 1}), k::FastBroadcast::kScalarX},
      {broadcast_of({4, 1, 6}, {6, 0, 1}, {0, 0, 0}), k::FastBroadcast::kScalarY},
      {broadcast_of({4, 5, 6}, {30, 6, 1}, {0, 0, 1}), k::FastBroadcast::kGeneral},  // bias
      {broadcast_of({4, 5, 6}, {30, 6, 1}, {5, 1, 0}), k::FastBroadcast::kGeneral},
      {broadcast_of({3, 1, 7, 2}, {0, 0, 2, 1}, {2, 0, 0, 1}), k::FastBroadcast::kGeneral},
      {broadcast_of({}, {}, {}), k::FastBroadcast::kSame},
  };
  for (const Case& c : cases) {
    std::int64_t count = 1;
    for (int d = 0; d < c.b.rank; ++d)
      count *= c.b.out_dims[d];
    const k::FastBroadcast f = k::make_fast_broadcast(c.b, count);
    EXPECT_EQ(f.kind, c.kind);
    k::FastBroadcast slow = f;
    slow.kind = k::FastBroadcast::kGeneral64;  // the 64-bit path over the same merged dims
    for (std::int64_t i = 0; i < count; ++i) {
      std::int64_t xi, yi, fx, fy, sx, sy;
      c.b.inputs_of(i, &xi, &yi);
      f.inputs_of(i, &fx, &fy);
      slow.inputs_of(i, &sx, &sy);
      if (f.kind == k::FastBroadcast::kSame) fx = fy = i;
      if (f.kind == k::FastBroadcast::kScalarX) fx = 0, fy = i;
      if (f.kind == k::FastBroadcast::kScalarY) fx = i, fy = 0;
      ASSERT_EQ(fx, xi) << i;
      ASSERT_EQ(fy, yi) << i;
      ASSERT_EQ(sx, xi) << i;
      ASSERT_EQ(sy, yi) << i;
    }
  }
  // Past 2^31 elements the 32-bit divmod is not used.
  const k::Broadcast big = broadcast_of({1 << 16, 1 << 16}, {1 << 16, 1}, {0, 1});
  EXPECT_EQ(k::make_fast_broadcast(big, std::int64_t{1} << 32).kind, k::FastBroadcast::kGeneral64);
}

k::Reduction reduction_of(std::vector<std::int64_t> dims, std::vector<int> reduced_axes) {
  // A dense row-major input; the reduced axes in order, the kept ones in order.
  const int rank = static_cast<int>(dims.size());
  std::vector<std::int64_t> strides(dims.size(), 1);
  for (int d = rank - 2; d >= 0; --d)
    strides[static_cast<std::size_t>(d)] =
        strides[static_cast<std::size_t>(d + 1)] * dims[static_cast<std::size_t>(d + 1)];
  k::Reduction r;
  for (int d = 0; d < rank; ++d) {
    const auto u = static_cast<std::size_t>(d);
    bool reduced = false;
    for (int a : reduced_axes)
      reduced = reduced || a == d;
    if (reduced) {
      r.reduced_dims[r.reduced_rank] = dims[u];
      r.reduced_strides[r.reduced_rank++] = strides[u];
      r.reduced_count *= dims[u];
    } else {
      r.kept_dims[r.kept_rank] = dims[u];
      r.kept_strides[r.kept_rank++] = strides[u];
    }
  }
  return r;
}

TEST(ReduceLayout, RowsColumnsAndStridedAreRecognized) {
  using L = k::ReduceLayout;
  EXPECT_EQ(k::reduce_layout(reduction_of({4, 5, 6}, {0, 1, 2}), 1).kind, L::kRows);
  EXPECT_EQ(k::reduce_layout(reduction_of({4, 5, 6}, {2}), 20).kind, L::kRows);
  EXPECT_EQ(k::reduce_layout(reduction_of({4, 5, 6}, {1, 2}), 4).kind, L::kRows);
  EXPECT_EQ(k::reduce_layout(reduction_of({4, 5, 6}, {0}), 30).kind, L::kColumns);
  EXPECT_EQ(k::reduce_layout(reduction_of({4, 5, 6}, {0, 1}), 6).kind, L::kColumns);
  EXPECT_EQ(k::reduce_layout(reduction_of({4, 5, 6}, {1}), 24).kind, L::kStrided);
  EXPECT_EQ(k::reduce_layout(reduction_of({4, 5, 6}, {0, 2}), 5).kind, L::kStrided);
  EXPECT_EQ(k::reduce_layout(reduction_of({4, 1, 6}, {1, 2}), 4).kind, L::kRows);
  const L rows = k::reduce_layout(reduction_of({4, 5, 6}, {1, 2}), 4);
  EXPECT_EQ(rows.outer, 4);
  EXPECT_EQ(rows.inner, 30);
  // What the row and column kernels read is what reduce_element reads.
  for (auto [dims, axes, outs] :
       std::vector<std::tuple<std::vector<std::int64_t>, std::vector<int>, std::int64_t>>{
           {{4, 5, 6}, {2}, 20}, {{4, 5, 6}, {0, 1}, 6}, {{4, 5, 6}, {0, 1, 2}, 1}}) {
    const k::Reduction red = reduction_of(dims, axes);
    const L l = k::reduce_layout(red, outs);
    std::vector<double> x(120);
    for (std::size_t i = 0; i < x.size(); ++i)
      x[i] = static_cast<double>(i * 7 % 13) - 3.5;
    for (std::int64_t o = 0; o < outs; ++o) {
      double got = 0;
      std::vector<double> out(static_cast<std::size_t>(outs));
      k::reduce_element(k::ReduceOp::kSum, red, x.data(), out.data(), o);
      const double w = out[static_cast<std::size_t>(o)];
      for (std::int64_t j = 0; j < l.inner; ++j) {
        got += l.kind == L::kRows ? x[static_cast<std::size_t>(o * l.inner + j)]
                                  : x[static_cast<std::size_t>(j * l.outer + o)];
      }
      ASSERT_EQ(got, w) << "output " << o;
    }
  }
}

TEST(KernelMath, IntegerDivisionIsDefinedEverywhere) {
  constexpr std::int32_t kMin32 = std::numeric_limits<std::int32_t>::min();
  constexpr std::int64_t kMin64 = std::numeric_limits<std::int64_t>::min();
  EXPECT_EQ(k::divide<std::int32_t>(kMin32, -1), kMin32);
  EXPECT_EQ(k::divide<std::int64_t>(kMin64, -1), kMin64);
  EXPECT_EQ(k::divide<std::int32_t>(7, -1), -7);
  EXPECT_EQ(k::divide<std::int32_t>(-7, 2), -3);  // truncates toward zero
  EXPECT_EQ(k::divide<std::int32_t>(7, 0), 0);    // reported by the backends, not computed
  EXPECT_EQ(k::apply(k::BinaryOp::kDiv, kMin32, std::int32_t{-1}), kMin32);
  EXPECT_TRUE(std::isinf(k::divide(1.0f, 0.0f)));
}

TEST(KernelMath, FloatToIntegerCastsSaturateAndNaNIsZero) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  constexpr std::int32_t kMax32 = std::numeric_limits<std::int32_t>::max();
  constexpr std::int32_t kMin32 = std::numeric_limits<std::int32_t>::min();
  constexpr std::int64_t kMax64 = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t kMin64 = std::numeric_limits<std::int64_t>::min();
  EXPECT_EQ((k::cast_value<float, std::int32_t>(nan)), 0);
  EXPECT_EQ((k::cast_value<float, std::int32_t>(inf)), kMax32);
  EXPECT_EQ((k::cast_value<float, std::int32_t>(-inf)), kMin32);
  EXPECT_EQ((k::cast_value<float, std::int32_t>(3e9f)), kMax32);
  EXPECT_EQ((k::cast_value<float, std::int32_t>(-3e9f)), kMin32);
  EXPECT_EQ((k::cast_value<float, std::int32_t>(2147483520.0f)), 2147483520);  // largest below
  EXPECT_EQ((k::cast_value<double, std::int32_t>(2147483647.9)), kMax32);
  EXPECT_EQ((k::cast_value<double, std::int32_t>(-2147483648.9)), kMin32);
  EXPECT_EQ((k::cast_value<double, std::int32_t>(-2.9)), -2);
  EXPECT_EQ((k::cast_value<double, std::int64_t>(1e19)), kMax64);
  EXPECT_EQ((k::cast_value<double, std::int64_t>(-1e19)), kMin64);
  EXPECT_EQ((k::cast_value<double, std::int64_t>(-9223372036854775808.0)), kMin64);
  EXPECT_EQ((k::cast_value<double, std::int64_t>(std::nan(""))), 0);
  EXPECT_EQ((k::cast_value<float, std::int64_t>(-inf)), kMin64);
  EXPECT_EQ((k::cast_value<std::int64_t, std::int32_t>(std::int64_t{1} << 33)), 0);  // wraps
}

TEST(KernelMath, SoftmaxPiecesMakeTheRow) {
  const std::vector<float> x = {1.0f, -2.0f, 1000.0f, 999.0f};
  std::vector<float> out(4);
  k::softmax_row(x.data(), out.data(), 0, 4);
  float m = x[0];
  for (float v : x)
    m = k::softmax_max(m, v);
  EXPECT_EQ(m, 1000.0f);
  double sum = 0;
  for (float v : x)
    sum += k::softmax_exp(v, m);
  for (std::size_t i = 0; i < x.size(); ++i)
    EXPECT_EQ(out[i], k::softmax_scale(k::softmax_exp(x[i], m), sum));
  EXPECT_NEAR(out[2], 1.0 / (1.0 + std::exp(-1.0)), 1e-6);
}

}  // namespace
