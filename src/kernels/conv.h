// Convolution and pooling over NHWC tensors: the window geometry TF computes (output sizes,
// SAME padding), and each output element as a plain loop, __host__ __device__. The CPU runs
// float32 through oneDNN and these loops for float64 (oneDNN has no f64 convolution); the
// GPU runs both through cuDNN. The loops are also the geometry's executable definition.
#pragma once

#include <cstdint>

#include "kernels/hd.h"

namespace varscope::kernels {

// One spatial dimension of a window op, as TF's GetWindowedOutputSizeVerboseV2: VALID gives
// (in - effective + stride) / stride outputs and no padding; SAME gives ceil(in / stride)
// outputs and pads (out - 1) * stride + effective - in, the smaller half before.
struct WindowDim {
  std::int64_t out = 0;
  std::int64_t pad_before = 0, pad_after = 0;
};
// `effective` is the dilated filter: (filter - 1) * dilation + 1. out < 0 (VALID with a
// window larger than the input: TF subtracts first) is TF's "Negative dimension size" error
// for the caller.
VS_HD constexpr WindowDim window_dim(
    std::int64_t in, std::int64_t filter, std::int64_t dilation, std::int64_t stride, bool same) {
  const std::int64_t effective = (filter - 1) * dilation + 1;
  WindowDim d;
  if (!same) {
    d.out = in < effective ? -1 : (in - effective + stride) / stride;
    return d;
  }
  d.out = (in + stride - 1) / stride;
  std::int64_t needed = (d.out - 1) * stride + effective - in;
  if (needed < 0) needed = 0;
  d.pad_before = needed / 2;
  d.pad_after = needed - d.pad_before;
  return d;
}

// A 2-D window op over NHWC: input [n, h, w, c], output [n, out_h, out_w, out_c]; a
// convolution's filter is [kh, kw, c, out_c] (TF's HWIO), a pool's window kh x kw
// (out_c == c, dilations 1).
struct WindowGeometry {
  std::int64_t n = 0, h = 0, w = 0, c = 0;
  std::int64_t out_h = 0, out_w = 0, out_c = 0;
  std::int64_t kh = 1, kw = 1;
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t dilation_h = 1, dilation_w = 1;
  std::int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;

  VS_HD constexpr std::int64_t input_count() const { return n * h * w * c; }
  VS_HD constexpr std::int64_t output_count() const { return n * out_h * out_w * out_c; }
  VS_HD constexpr std::int64_t filter_count() const { return kh * kw * c * out_c; }
};

// Field by field (the .cu files are C++17: no defaulted comparisons).
inline bool same_geometry(const WindowGeometry& a, const WindowGeometry& b) {
  return a.n == b.n && a.h == b.h && a.w == b.w && a.c == b.c && a.out_h == b.out_h &&
         a.out_w == b.out_w && a.out_c == b.out_c && a.kh == b.kh && a.kw == b.kw &&
         a.stride_h == b.stride_h && a.stride_w == b.stride_w && a.dilation_h == b.dilation_h &&
         a.dilation_w == b.dilation_w && a.pad_top == b.pad_top && a.pad_left == b.pad_left &&
         a.pad_bottom == b.pad_bottom && a.pad_right == b.pad_right;
}

// The geometry from the shapes and TF's attributes (NHWC strides and dilations [1, h, w, 1]).
VS_HD constexpr WindowGeometry make_window_geometry(std::int64_t n,
                                                    std::int64_t h,
                                                    std::int64_t w,
                                                    std::int64_t c,
                                                    std::int64_t kh,
                                                    std::int64_t kw,
                                                    std::int64_t out_c,
                                                    std::int64_t stride_h,
                                                    std::int64_t stride_w,
                                                    std::int64_t dilation_h,
                                                    std::int64_t dilation_w,
                                                    bool same) {
  const WindowDim rows = window_dim(h, kh, dilation_h, stride_h, same);
  const WindowDim cols = window_dim(w, kw, dilation_w, stride_w, same);
  WindowGeometry g;
  g.n = n, g.h = h, g.w = w, g.c = c;
  g.out_h = rows.out, g.out_w = cols.out, g.out_c = out_c;
  g.kh = kh, g.kw = kw;
  g.stride_h = stride_h, g.stride_w = stride_w;
  g.dilation_h = dilation_h, g.dilation_w = dilation_w;
  g.pad_top = rows.pad_before, g.pad_bottom = rows.pad_after;
  g.pad_left = cols.pad_before, g.pad_right = cols.pad_after;
  return g;
}

// ---- Convolution, one output element each (the float64 loops). ----

// y[b, oy, ox, oc] = sum over (ky, kx, ic) of x at the dilated tap times filter.
template <typename T>
VS_HD T conv2d_forward_element(const WindowGeometry& g, const T* x, const T* f, std::int64_t i) {
  const std::int64_t oc = i % g.out_c, ox = (i / g.out_c) % g.out_w;
  const std::int64_t oy = (i / (g.out_c * g.out_w)) % g.out_h,
                     b = i / (g.out_c * g.out_w * g.out_h);
  T sum = 0;
  for (std::int64_t ky = 0; ky < g.kh; ++ky) {
    const std::int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
    if (iy < 0 || iy >= g.h) continue;
    for (std::int64_t kx = 0; kx < g.kw; ++kx) {
      const std::int64_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
      if (ix < 0 || ix >= g.w) continue;
      const T* xp = x + ((b * g.h + iy) * g.w + ix) * g.c;
      const T* fp = f + (ky * g.kw + kx) * g.c * g.out_c + oc;
      for (std::int64_t ic = 0; ic < g.c; ++ic)
        sum += xp[ic] * fp[ic * g.out_c];
    }
  }
  return sum;
}

// dx[b, iy, ix, ic]: every output whose window taps (iy, ix), times the tap's filter.
template <typename T>
VS_HD T
conv2d_backward_data_element(const WindowGeometry& g, const T* dy, const T* f, std::int64_t i) {
  const std::int64_t ic = i % g.c, ix = (i / g.c) % g.w;
  const std::int64_t iy = (i / (g.c * g.w)) % g.h, b = i / (g.c * g.w * g.h);
  T sum = 0;
  for (std::int64_t ky = 0; ky < g.kh; ++ky) {
    const std::int64_t ty = iy + g.pad_top - ky * g.dilation_h;  // oy * stride_h
    if (ty < 0 || ty % g.stride_h != 0 || ty / g.stride_h >= g.out_h) continue;
    for (std::int64_t kx = 0; kx < g.kw; ++kx) {
      const std::int64_t tx = ix + g.pad_left - kx * g.dilation_w;
      if (tx < 0 || tx % g.stride_w != 0 || tx / g.stride_w >= g.out_w) continue;
      const T* dyp = dy + ((b * g.out_h + ty / g.stride_h) * g.out_w + tx / g.stride_w) * g.out_c;
      const T* fp = f + ((ky * g.kw + kx) * g.c + ic) * g.out_c;
      for (std::int64_t oc = 0; oc < g.out_c; ++oc)
        sum += dyp[oc] * fp[oc];
    }
  }
  return sum;
}

// df[ky, kx, ic, oc] = sum over (b, oy, ox) of the tapped x times dy.
template <typename T>
VS_HD T
conv2d_backward_filter_element(const WindowGeometry& g, const T* x, const T* dy, std::int64_t i) {
  const std::int64_t oc = i % g.out_c, ic = (i / g.out_c) % g.c;
  const std::int64_t kx = (i / (g.out_c * g.c)) % g.kw, ky = i / (g.out_c * g.c * g.kw);
  T sum = 0;
  for (std::int64_t b = 0; b < g.n; ++b) {
    for (std::int64_t oy = 0; oy < g.out_h; ++oy) {
      const std::int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
      if (iy < 0 || iy >= g.h) continue;
      for (std::int64_t ox = 0; ox < g.out_w; ++ox) {
        const std::int64_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
        if (ix < 0 || ix >= g.w) continue;
        sum += x[((b * g.h + iy) * g.w + ix) * g.c + ic] *
               dy[((b * g.out_h + oy) * g.out_w + ox) * g.out_c + oc];
      }
    }
  }
  return sum;
}

// ---- Pooling (padding never counts: max ignores it, avg divides by the taps inside). ----

// The window of output (oy, ox), clipped to the input: rows [y0, y1), columns [x0, x1).
struct PoolWindow {
  std::int64_t y0, y1, x0, x1;
  VS_HD std::int64_t count() const { return (y1 - y0) * (x1 - x0); }
};
VS_HD inline PoolWindow pool_window(const WindowGeometry& g, std::int64_t oy, std::int64_t ox) {
  PoolWindow p;
  p.y0 = oy * g.stride_h - g.pad_top;
  p.x0 = ox * g.stride_w - g.pad_left;
  p.y1 = p.y0 + g.kh < g.h ? p.y0 + g.kh : g.h;
  p.x1 = p.x0 + g.kw < g.w ? p.x0 + g.kw : g.w;
  if (p.y0 < 0) p.y0 = 0;
  if (p.x0 < 0) p.x0 = 0;
  return p;
}

// The input index of output i's maximum: the first in row-major window order, as TF's CPU
// MaxPoolGrad picks it.
template <typename T>
VS_HD std::int64_t max_pool_argmax(const WindowGeometry& g, const T* x, std::int64_t i) {
  const std::int64_t ch = i % g.c, ox = (i / g.c) % g.out_w;
  const std::int64_t oy = (i / (g.c * g.out_w)) % g.out_h, b = i / (g.c * g.out_w * g.out_h);
  const PoolWindow p = pool_window(g, oy, ox);
  std::int64_t best = -1;
  for (std::int64_t y = p.y0; y < p.y1; ++y) {
    for (std::int64_t xx = p.x0; xx < p.x1; ++xx) {
      const std::int64_t at = ((b * g.h + y) * g.w + xx) * g.c + ch;
      if (best < 0 || x[at] > x[best]) best = at;
    }
  }
  return best;
}

template <typename T>
VS_HD T avg_pool_element(const WindowGeometry& g, const T* x, std::int64_t i) {
  const std::int64_t ch = i % g.c, ox = (i / g.c) % g.out_w;
  const std::int64_t oy = (i / (g.c * g.out_w)) % g.out_h, b = i / (g.c * g.out_w * g.out_h);
  const PoolWindow p = pool_window(g, oy, ox);
  T sum = 0;
  for (std::int64_t y = p.y0; y < p.y1; ++y)
    for (std::int64_t xx = p.x0; xx < p.x1; ++xx)
      sum += x[((b * g.h + y) * g.w + xx) * g.c + ch];
  return sum / static_cast<T>(p.count());
}

// The outputs whose windows hold input row iy: [first, last] (empty when first > last).
VS_HD inline void outputs_over(std::int64_t i,
                               std::int64_t pad,
                               std::int64_t k,
                               std::int64_t stride,
                               std::int64_t outs,
                               std::int64_t& first,
                               std::int64_t& last) {
  // o * stride - pad <= i < o * stride - pad + k
  const std::int64_t hi = i + pad;
  first = hi - k + 1 <= 0 ? 0 : (hi - k + 1 + stride - 1) / stride;
  last = hi / stride < outs - 1 ? hi / stride : outs - 1;
}

// dx[b, iy, ix, ch]: the gradient of each output whose window holds it (avg: divided by
// the window's count; max: only where it is the window's argmax).
template <typename T>
VS_HD T
pool_backward_element(const WindowGeometry& g, bool max, const T* x, const T* dy, std::int64_t i) {
  const std::int64_t ch = i % g.c, ix = (i / g.c) % g.w;
  const std::int64_t iy = (i / (g.c * g.w)) % g.h, b = i / (g.c * g.w * g.h);
  std::int64_t oy0, oy1, ox0, ox1;
  outputs_over(iy, g.pad_top, g.kh, g.stride_h, g.out_h, oy0, oy1);
  outputs_over(ix, g.pad_left, g.kw, g.stride_w, g.out_w, ox0, ox1);
  T sum = 0;
  for (std::int64_t oy = oy0; oy <= oy1; ++oy) {
    for (std::int64_t ox = ox0; ox <= ox1; ++ox) {
      const std::int64_t o = ((b * g.out_h + oy) * g.out_w + ox) * g.c + ch;
      if (max) {
        if (max_pool_argmax(g, x, o) == i) sum += dy[o];
      } else {
        sum += dy[o] / static_cast<T>(pool_window(g, oy, ox).count());
      }
    }
  }
  return sum;
}

}  // namespace varscope::kernels
