// The cuDNN calls' numbers for a window op (kernels::WindowGeometry), as plain host code
// that CPU tests check (tests/cudnn_geometry_test.cpp): NHWC dims and strides in cuDNN's
// NCHW order, and symmetric paddings. cuDNN pads symmetrically; TF's SAME padding puts the
// odd row or column after. So, as TF's own GPU kernels do, a convolution with asymmetric
// padding runs on a copy of its input with the extra rows and columns of zeros appended
// (`padded_h`, `padded_w`; its dx is cut back out of the padded one), and a pool runs with the
// smaller padding and TF's output size (cuDNN clips the last windows at the border).
#pragma once

#include <array>
#include <cstdint>

#include "kernels/conv.h"
#include "kernels/copy.h"

namespace varscope::runtime::cuda {

struct CudnnTensor {
  std::array<int, 4> dims{};     // n, c, h, w
  std::array<int, 4> strides{};  // NHWC in memory
};

// NHWC [n, h, w, c] as cuDNN's Nd descriptor sees it.
constexpr CudnnTensor nhwc_tensor(std::int64_t n, std::int64_t h, std::int64_t w, std::int64_t c) {
  return {{int(n), int(c), int(h), int(w)}, {int(h * w * c), 1, int(w * c), int(c)}};
}

struct CudnnConvGeometry {
  CudnnTensor input;            // the (padded) input
  CudnnTensor output;           // [n, out_h, out_w, out_c]
  std::array<int, 4> filter{};  // out_c, c, kh, kw (filter format NHWC: TF's HWIO is not one
                                // of cuDNN's; the backend transposes it, see cudnn_ops.cpp)
  std::array<int, 2> pad{}, stride{}, dilation{};
  std::int64_t extra_bottom = 0, extra_right = 0;  // > 0: the input is padded by a copy
  bool padded_copy() const { return extra_bottom > 0 || extra_right > 0; }
};

struct CudnnPoolGeometry {
  CudnnTensor input, output;
  std::array<int, 2> window{}, pad{}, stride{};
};

// Whether every count fits cuDNN's int arguments.
inline bool fits_cudnn(const kernels::WindowGeometry& g) {
  constexpr std::int64_t kMax = 0x7fffffff;
  return g.input_count() <= kMax && g.output_count() <= kMax && g.filter_count() <= kMax;
}

constexpr CudnnConvGeometry cudnn_conv_geometry(const kernels::WindowGeometry& g) {
  CudnnConvGeometry c;
  c.extra_bottom = g.pad_bottom - g.pad_top;
  c.extra_right = g.pad_right - g.pad_left;
  c.input = nhwc_tensor(g.n, g.h + c.extra_bottom, g.w + c.extra_right, g.c);
  c.output = nhwc_tensor(g.n, g.out_h, g.out_w, g.out_c);
  c.filter = {int(g.out_c), int(g.c), int(g.kh), int(g.kw)};
  c.pad = {int(g.pad_top), int(g.pad_left)};
  c.stride = {int(g.stride_h), int(g.stride_w)};
  c.dilation = {int(g.dilation_h), int(g.dilation_w)};
  return c;
}

constexpr CudnnPoolGeometry cudnn_pool_geometry(const kernels::WindowGeometry& g) {
  CudnnPoolGeometry p;
  p.input = nhwc_tensor(g.n, g.h, g.w, g.c);
  p.output = nhwc_tensor(g.n, g.out_h, g.out_w, g.c);
  p.window = {int(g.kh), int(g.kw)};
  p.pad = {int(g.pad_top), int(g.pad_left)};
  p.stride = {int(g.stride_h), int(g.stride_w)};
  return p;
}

}  // namespace varscope::runtime::cuda

namespace varscope::runtime::cuda {

// The copies around cuDNN, as the backend's strided copies (CPU tests run them): TF's HWIO
// filter [kh, kw, c, out_c] to cuDNN's NHWC filter layout [out_c, kh, kw, c] and back, and
// the input into (dx out of) the padded input of an asymmetric SAME convolution.
inline kernels::StridedCopyArgs filter_copy(const kernels::WindowGeometry& g, bool to_cudnn) {
  kernels::StridedCopyArgs a;
  a.rank = 4;
  const std::int64_t dims[4] = {g.kh, g.kw, g.c, g.out_c};
  const std::int64_t hwio[4] = {g.kw * g.c * g.out_c, g.c * g.out_c, g.out_c, 1};
  const std::int64_t ohwi[4] = {g.kw * g.c, g.c, 1, g.kh * g.kw * g.c};
  for (int d = 0; d < 4; ++d) {
    a.dims[d] = dims[d];
    a.src_strides[d] = to_cudnn ? hwio[d] : ohwi[d];
    a.dst_strides[d] = to_cudnn ? ohwi[d] : hwio[d];
  }
  a.count = g.filter_count();
  return a;
}

inline kernels::StridedCopyArgs padded_copy(const kernels::WindowGeometry& g, bool into_padded) {
  const CudnnConvGeometry c = cudnn_conv_geometry(g);
  kernels::StridedCopyArgs a;
  a.rank = 4;
  const std::int64_t dims[4] = {g.n, g.h, g.w, g.c};
  const std::int64_t dense[4] = {g.h * g.w * g.c, g.w * g.c, g.c, 1};
  const std::int64_t padded[4] = {c.input.strides[0], c.input.strides[2], c.input.strides[3], 1};
  for (int d = 0; d < 4; ++d) {
    a.dims[d] = dims[d];
    a.src_strides[d] = into_padded ? dense[d] : padded[d];
    a.dst_strides[d] = into_padded ? padded[d] : dense[d];
  }
  a.count = g.input_count();
  return a;
}

}  // namespace varscope::runtime::cuda
