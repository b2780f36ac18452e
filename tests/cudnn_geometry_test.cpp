// The cuDNN layer's geometry and copies, run on the CPU: asymmetric SAME padding becomes a
// padded copy, and the filter and padding copies put each element where cuDNN reads it.
#include "host/runtime/cuda/cudnn_geometry.h"

#include <gtest/gtest.h>

#include <vector>

#include "host/runtime/cpu/copy.h"

namespace vs = varscope;

namespace {

namespace vc = varscope::runtime::cuda;
namespace vk = varscope::kernels;

TEST(CudnnGeometry, AsymmetricSamePaddingPadsTheInputByACopy) {
  // 5 rows, 3x3 filter, stride 2: 3 outputs, 2 rows of padding, 1 before and 1 after
  // (symmetric); 4 columns, stride 1, 2 wide: 1 column after only.
  const vk::WindowGeometry g = vk::make_window_geometry(2, 5, 4, 3, 3, 2, 6, 2, 1, 1, 1, true);
  EXPECT_EQ(g.out_h, 3);
  EXPECT_EQ(g.out_w, 4);
  EXPECT_EQ(g.pad_top, 1);
  EXPECT_EQ(g.pad_bottom, 1);
  EXPECT_EQ(g.pad_left, 0);
  EXPECT_EQ(g.pad_right, 1);
  const vc::CudnnConvGeometry c = vc::cudnn_conv_geometry(g);
  EXPECT_TRUE(c.padded_copy());
  EXPECT_EQ(c.input.dims, (std::array<int, 4>{2, 3, 5, 5}));  // n, c, h, w + 1
  EXPECT_EQ(c.input.strides, (std::array<int, 4>{5 * 5 * 3, 1, 5 * 3, 3}));
  EXPECT_EQ(c.pad, (std::array<int, 2>{1, 0}));
  // cuDNN's output size from the padded input is TF's.
  for (int d = 0; d < 2; ++d) {
    const int in = c.input.dims[2 + d], k = c.filter[2 + d];
    EXPECT_EQ((in + 2 * c.pad[d] - k) / c.stride[d] + 1, c.output.dims[2 + d]);
  }
  const vc::CudnnPoolGeometry p = vc::cudnn_pool_geometry(g);
  EXPECT_EQ(p.output.dims, (std::array<int, 4>{2, 3, 3, 4}));
  EXPECT_EQ(p.pad, (std::array<int, 2>{1, 0}));
}

TEST(CudnnGeometry, FilterAndPaddingCopiesMoveEachElementWhereCudnnReadsIt) {
  const vk::WindowGeometry g = vk::make_window_geometry(2, 3, 4, 3, 2, 3, 5, 1, 1, 1, 1, true);
  std::vector<float> hwio(static_cast<std::size_t>(g.filter_count())), ohwi(hwio.size()),
      back(hwio.size());
  for (std::size_t i = 0; i < hwio.size(); ++i)
    hwio[i] = float(i);
  auto run = [](vk::StridedCopyArgs a, const void* src, void* dst) {
    a.element_size = sizeof(float);
    a.src = src;
    a.dst = dst;
    vs::runtime::cpu::strided_copy(a);
  };
  run(vc::filter_copy(g, true), hwio.data(), ohwi.data());
  for (std::int64_t y = 0; y < g.kh; ++y)
    for (std::int64_t x = 0; x < g.kw; ++x)
      for (std::int64_t i = 0; i < g.c; ++i)
        for (std::int64_t o = 0; o < g.out_c; ++o)
          EXPECT_EQ(ohwi[std::size_t(((o * g.kh + y) * g.kw + x) * g.c + i)],
                    hwio[std::size_t(((y * g.kw + x) * g.c + i) * g.out_c + o)]);
  run(vc::filter_copy(g, false), ohwi.data(), back.data());
  EXPECT_EQ(back, hwio);

  const vc::CudnnConvGeometry c = vc::cudnn_conv_geometry(g);
  ASSERT_TRUE(c.padded_copy());
  std::vector<float> x(static_cast<std::size_t>(g.input_count())), x_back(x.size());
  for (std::size_t i = 0; i < x.size(); ++i)
    x[i] = float(i + 1);
  std::vector<float> padded(static_cast<std::size_t>(c.input.strides[0]) * 2, 0.0f);
  run(vc::padded_copy(g, true), x.data(), padded.data());
  const int hp = c.input.dims[2], wp = c.input.dims[3];
  for (int b = 0; b < 2; ++b)
    for (int y = 0; y < hp; ++y)
      for (int xx = 0; xx < wp; ++xx)
        for (int ch = 0; ch < 3; ++ch) {
          const float want =
              (y < g.h && xx < g.w) ? x[std::size_t(((b * g.h + y) * g.w + xx) * 3 + ch)] : 0.0f;
          EXPECT_EQ(padded[std::size_t(((b * hp + y) * wp + xx) * 3 + ch)], want);
        }
  run(vc::padded_copy(g, false), padded.data(), x_back.data());
  EXPECT_EQ(x_back, x);
}

}  // namespace
