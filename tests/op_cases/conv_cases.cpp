// Convolution and pooling: each op against a naive double reference written here from TF's
// definitions (output sizes and SAME padding from TF's formulas; the backward passes as
// scatters, not the kernels' gathers), with odd sizes so that SAME pads asymmetrically.
#include "op_cases/op_case.h"

namespace varscope::testing {
namespace {

using cases::internal_node;
using cases::OpType;
using P = const std::vector<Tensor>&;

// A window op's sizes, from TF's formulas.
struct Win {
  int n, h, w, c, kh, kw, oc, sh, sw, dh = 1, dw = 1;
  bool same;
  int oh = 0, ow = 0, top = 0, left = 0;
  Win finish() const {
    Win r = *this;
    const int eh = (kh - 1) * dh + 1, ew = (kw - 1) * dw + 1;
    r.oh = same ? (h + sh - 1) / sh : (h - eh + sh) / sh;
    r.ow = same ? (w + sw - 1) / sw : (w - ew + sw) / sw;
    r.top = same ? std::max(0, (r.oh - 1) * sh + eh - h) / 2 : 0;
    r.left = same ? std::max(0, (r.ow - 1) * sw + ew - w) / 2 : 0;
    return r;
  }
  std::size_t x(int b, int y, int xx, int ch) const {
    return std::size_t(((b * h + y) * w + xx) * c + ch);
  }
  std::size_t y(int b, int oy, int ox, int o) const {
    return std::size_t(((b * oh + oy) * ow + ox) * oc + o);
  }
  std::size_t f(int ky, int kx, int ic, int o) const {
    return std::size_t(((ky * kw + kx) * c + ic) * oc + o);
  }
  Shape in_shape() const { return Shape{n, h, w, c}; }
  Shape out_shape() const { return Shape{n, oh, ow, oc}; }
  Shape filter_shape() const { return Shape{kh, kw, c, oc}; }
  std::vector<std::int64_t> strides() const { return {sh, sw}; }
  std::vector<std::int64_t> ksize() const { return {kh, kw}; }
  const char* padding() const { return same ? "SAME" : "VALID"; }
};

// Calls visit(b, oy, ox, o, ky, kx, ic, x_index) for every in-bounds tap of a convolution.
template <class F>
void each_tap(const Win& g, F visit) {
  for (int b = 0; b < g.n; ++b)
    for (int oy = 0; oy < g.oh; ++oy)
      for (int ox = 0; ox < g.ow; ++ox)
        for (int ky = 0; ky < g.kh; ++ky)
          for (int kx = 0; kx < g.kw; ++kx) {
            const int iy = oy * g.sh + ky * g.dh - g.top, ix = ox * g.sw + kx * g.dw - g.left;
            if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
            for (int ic = 0; ic < g.c; ++ic)
              for (int o = 0; o < g.oc; ++o)
                visit(b, oy, ox, o, ky, kx, ic, g.x(b, iy, ix, ic));
          }
}

// Calls visit(output index, the window's in-bounds x indices) for every pool output.
template <class F>
void each_window(const Win& g, F visit) {
  for (int b = 0; b < g.n; ++b)
    for (int oy = 0; oy < g.oh; ++oy)
      for (int ox = 0; ox < g.ow; ++ox)
        for (int ch = 0; ch < g.c; ++ch) {
          std::vector<std::size_t> taps;
          for (int ky = 0; ky < g.kh; ++ky)
            for (int kx = 0; kx < g.kw; ++kx) {
              const int iy = oy * g.sh + ky - g.top, ix = ox * g.sw + kx - g.left;
              if (iy >= 0 && iy < g.h && ix >= 0 && ix < g.w) taps.push_back(g.x(b, iy, ix, ch));
            }
          visit(g.y(b, oy, ox, ch), taps);
        }
}

std::size_t argmax(const std::vector<double>& x, const std::vector<std::size_t>& taps) {
  std::size_t best = taps.front();
  for (std::size_t t : taps)
    if (x[t] > x[best]) best = t;
  return best;
}

vd::Attrs conv_attrs(const Win& g, DType t) {
  return {{vd::attr_name::kT, t},
          {vd::attr_name::kStrides, std::vector<std::int64_t>{1, g.sh, g.sw, 1}},
          {vd::attr_name::kUseCudnnOnGpu, true},
          {vd::attr_name::kPadding, std::string(g.padding())},
          {vd::attr_name::kExplicitPaddings, std::vector<std::int64_t>{}},
          {vd::attr_name::kDataFormat, std::string("NHWC")},
          {vd::attr_name::kDilations, std::vector<std::int64_t>{1, g.dh, g.dw, 1}}};
}
vd::Attrs pool_attrs(const Win& g, DType t) {
  return {{vd::attr_name::kT, t},
          {vd::attr_name::kKsize, std::vector<std::int64_t>{1, g.kh, g.kw, 1}},
          {vd::attr_name::kStrides, std::vector<std::int64_t>{1, g.sh, g.sw, 1}},
          {vd::attr_name::kPadding, std::string(g.padding())},
          {vd::attr_name::kDataFormat, std::string("NHWC")}};
}
Tensor sizes(Graph& g, const Shape& s) {
  std::vector<std::int32_t> dims;
  for (std::int64_t d : s.dims())
    dims.push_back(static_cast<std::int32_t>(d));
  return constant(g, HostTensor(dims));
}

// SAME with odd sizes: rows pad 0 before and 1 after (kh 3 over 4 rows, stride 2), columns
// 0 and 1 (kw 2 over 3 columns).
const Win kConv =
    Win{.n = 1, .h = 4, .w = 3, .c = 2, .kh = 3, .kw = 2, .oc = 2, .sh = 2, .sw = 1, .same = true}
        .finish();
const Win kDilated = Win{.n = 1,
                         .h = 6,
                         .w = 5,
                         .c = 2,
                         .kh = 2,
                         .kw = 2,
                         .oc = 3,
                         .sh = 1,
                         .sw = 2,
                         .dh = 2,
                         .dw = 1,
                         .same = false}
                         .finish();
const Win kMaxPool =
    Win{.n = 1, .h = 5, .w = 4, .c = 2, .kh = 2, .kw = 3, .oc = 2, .sh = 2, .sw = 2, .same = true}
        .finish();
const Win kAvgPool =
    Win{.n = 2, .h = 5, .w = 4, .c = 2, .kh = 3, .kw = 2, .oc = 2, .sh = 2, .sw = 1, .same = true}
        .finish();

OpCase conv_forward(const Win& w) {
  return {.op = OpType::kConv2D,
          .inputs = {w.in_shape(), w.filter_shape()},
          .lo = -1,
          .hi = 1,
          .build = [w](Graph&, P p, DType) -> OpOutput {
            return {conv2d(p[0], p[1], w.strides(), w.padding(), "NHWC", {w.dh, w.dw})};
          },
          .reference =
              [w](const Values& v) {
                std::vector<double> y(std::size_t(w.out_shape().num_elements()), 0.0);
                each_tap(w,
                         [&](int b, int oy, int ox, int o, int ky, int kx, int ic, std::size_t xi) {
                           y[w.y(b, oy, ox, o)] += v[0][xi] * v[1][w.f(ky, kx, ic, o)];
                         });
                return y;
              }};
}

OpCase pool_forward(const Win& w, bool max) {
  return {.op = max ? OpType::kMaxPool : OpType::kAvgPool,
          .inputs = {w.in_shape()},
          .build = [w, max](Graph&, P p, DType) -> OpOutput {
            return {max ? max_pool(p[0], w.ksize(), w.strides(), w.padding())
                        : avg_pool(p[0], w.ksize(), w.strides(), w.padding())};
          },
          .reference =
              [w, max](const Values& v) {
                std::vector<double> y(std::size_t(w.out_shape().num_elements()));
                each_window(w, [&](std::size_t o, const std::vector<std::size_t>& taps) {
                  double s = 0;
                  for (std::size_t t : taps)
                    s += v[0][t];
                  y[o] = max ? v[0][argmax(v[0], taps)] : s / double(taps.size());
                });
                return y;
              }};
}

// Batch normalization over x [2, 3, 2, 3] seen as [12 rows, 3 channels], float32 only (TF's
// FusedBatchNormV3 has no float64), so no finite differences: conv_pool_test checks the
// gradient against TF 1.15's values.
constexpr int kRows = 12, kChannels = 3;
constexpr double kEps = 0.001;
const Shape kBnX{2, 3, 2, 3};
constexpr const char* kBnFloat32 =
    "float32 only (TF's FusedBatchNormV3 has no float64): conv_pool_test checks the gradient "
    "against TF 1.15's values";

// The per-channel mean and biased variance of x.
std::pair<std::vector<double>, std::vector<double>> channel_stats(const std::vector<double>& x) {
  std::vector<double> mean(kChannels, 0.0), var(kChannels, 0.0);
  for (std::size_t i = 0; i < x.size(); ++i)
    mean[i % kChannels] += x[i] / kRows;
  for (std::size_t i = 0; i < x.size(); ++i)
    var[i % kChannels] += (x[i] - mean[i % kChannels]) * (x[i] - mean[i % kChannels]) / kRows;
  return {mean, var};
}

std::vector<double> normalize(const std::vector<double>& x,
                              const std::vector<double>& scale,
                              const std::vector<double>& offset,
                              const std::vector<double>& mean,
                              const std::vector<double>& var) {
  std::vector<double> y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const std::size_t c = i % kChannels;
    y[i] = (x[i] - mean[c]) / std::sqrt(var[c] + kEps) * scale[c] + offset[c];
  }
  return y;
}

OpCase batch_norm_case(int fetch, bool training) {
  std::vector<Shape> inputs{kBnX, Shape{kChannels}, Shape{kChannels}};
  if (!training) inputs.insert(inputs.end(), {Shape{kChannels}, Shape{kChannels}});
  return {.op = OpType::kFusedBatchNormV3,
          .inputs = inputs,
          .lo = 0.1,
          .hi = 2,
          .build = [fetch, training](Graph&, P p, DType) -> OpOutput {
            const FusedBatchNorm bn =
                training ? fused_batch_norm(p[0], p[1], p[2])
                         : fused_batch_norm(p[0], p[1], p[2], p[3], p[4], 0.001, "NHWC", false);
            return {fetch == 0 ? bn.y : fetch == 1 ? bn.mean : bn.variance};
          },
          .reference =
              [fetch, training](const Values& v) {
                auto [mean, var] = channel_stats(v[0]);
                if (!training) {
                  mean = v[3];
                  var = v[4];
                }
                if (fetch == 1) return mean;
                if (fetch == 2) {
                  if (training) {
                    for (double& s : var)
                      s *= double(kRows) / (kRows - 1);  // Bessel's correction, as TF
                  }
                  return var;
                }
                return normalize(v[0], v[1], v[2], mean, var);
              },
          .no_finite_differences = kBnFloat32,
          .dtypes = {DType::kFloat32},
          .rtol32 = 1e-5,
          .atol32 = 1e-5};
}

// FusedBatchNormGradV3 (training) of dy, x, scale, with the forward's saved statistics.
OpCase batch_norm_grad_case(int fetch) {
  return {.op = OpType::kFusedBatchNormGradV3,
          .inputs = {kBnX, kBnX, Shape{kChannels}},
          .build = [fetch](Graph& g, P p, DType t) -> OpOutput {
            const FusedBatchNorm bn = fused_batch_norm(p[1], p[2], p[2]);
            const Operation fwd = bn.y.op();
            const Tensor dx = internal_node(
                g, OpType::kFusedBatchNormGradV3,
                {p[0], p[1], p[2], fwd.output(3), fwd.output(4), fwd.output(5)}, t, kBnX,
                {{vd::attr_name::kT, t},
                 {vd::attr_name::kU, DType::kFloat32},
                 {vd::attr_name::kEpsilon, kEps},
                 {vd::attr_name::kDataFormat, std::string("NHWC")},
                 {vd::attr_name::kIsTraining, true}});
            return {fetch == 0 ? dx : dx.op().output(fetch)};
          },
          .reference =
              [fetch](const Values& v) {
                const auto& dy = v[0];
                const auto& x = v[1];
                const auto& scale = v[2];
                const auto [mean, var] = channel_stats(x);
                std::vector<double> dscale(kChannels, 0.0), doffset(kChannels, 0.0);
                for (std::size_t i = 0; i < x.size(); ++i) {
                  const std::size_t c = i % kChannels;
                  doffset[c] += dy[i];
                  dscale[c] += dy[i] * (x[i] - mean[c]) / std::sqrt(var[c] + kEps);
                }
                if (fetch == 1) return dscale;
                if (fetch == 2) return doffset;
                std::vector<double> dx(x.size());
                for (std::size_t i = 0; i < x.size(); ++i) {
                  const std::size_t c = i % kChannels;
                  const double inv = 1 / std::sqrt(var[c] + kEps);
                  dx[i] = scale[c] * inv *
                          (dy[i] - doffset[c] / kRows - (x[i] - mean[c]) * inv * dscale[c] / kRows);
                }
                return dx;
              },
          .no_finite_differences = kBnFloat32,
          .dtypes = {DType::kFloat32},
          .rtol32 = 1e-5,
          .atol32 = 1e-5};
}

}  // namespace

std::vector<OpCase> conv_cases() {
  std::vector<OpCase> out;
  out.push_back({.op = OpType::kShapeN,
                 .inputs = {Shape{2, 3}, Shape{4}},
                 .build = [](Graph& g, P p, DType t) -> OpOutput {
                   return {internal_node(g, OpType::kShapeN, {p[0], p[1]}, DType::kInt32, Shape{2},
                                         {{vd::attr_name::kN, std::int64_t{2}},
                                          {vd::attr_name::kT, t},
                                          {vd::attr_name::kOutType, DType::kInt32}})};
                 },
                 .reference =
                     [](const Values&) {
                       return std::vector<double>{2, 3};
                     }});
  out.push_back(conv_forward(kConv));
  out.push_back(conv_forward(kDilated));
  for (const Win& w : {kConv, kDilated}) {
    out.push_back({.op = OpType::kConv2DBackpropInput,
                   .inputs = {w.filter_shape(), w.out_shape()},
                   .lo = -1,
                   .hi = 1,
                   .build = [w](Graph& g, P p, DType t) -> OpOutput {
                     return {internal_node(g, OpType::kConv2DBackpropInput,
                                           {sizes(g, w.in_shape()), p[0], p[1]}, t, w.in_shape(),
                                           conv_attrs(w, t))};
                   },
                   .reference =
                       [w](const Values& v) {
                         std::vector<double> dx(std::size_t(w.in_shape().num_elements()), 0.0);
                         each_tap(w, [&](int b, int oy, int ox, int o, int ky, int kx, int ic,
                                         std::size_t xi) {
                           dx[xi] += v[1][w.y(b, oy, ox, o)] * v[0][w.f(ky, kx, ic, o)];
                         });
                         return dx;
                       }});
    out.push_back({.op = OpType::kConv2DBackpropFilter,
                   .inputs = {w.in_shape(), w.out_shape()},
                   .lo = -1,
                   .hi = 1,
                   .build = [w](Graph& g, P p, DType t) -> OpOutput {
                     return {internal_node(g, OpType::kConv2DBackpropFilter,
                                           {p[0], sizes(g, w.filter_shape()), p[1]}, t,
                                           w.filter_shape(), conv_attrs(w, t))};
                   },
                   .reference =
                       [w](const Values& v) {
                         std::vector<double> df(std::size_t(w.filter_shape().num_elements()), 0.0);
                         each_tap(w, [&](int b, int oy, int ox, int o, int ky, int kx, int ic,
                                         std::size_t xi) {
                           df[w.f(ky, kx, ic, o)] += v[0][xi] * v[1][w.y(b, oy, ox, o)];
                         });
                         return df;
                       }});
  }
  out.push_back(pool_forward(kMaxPool, true));
  out.push_back(pool_forward(kAvgPool, false));
  out.push_back({.op = OpType::kMaxPoolGrad,
                 .inputs = {kMaxPool.in_shape(), kMaxPool.out_shape()},
                 .build = [](Graph& g, P p, DType t) -> OpOutput {
                   const Win& w = kMaxPool;
                   const Tensor y = max_pool(p[0], w.ksize(), w.strides(), w.padding());
                   return {internal_node(g, OpType::kMaxPoolGrad, {p[0], y, p[1]}, t, w.in_shape(),
                                         pool_attrs(w, t))};
                 },
                 .reference =
                     [](const Values& v) {
                       const Win& w = kMaxPool;
                       std::vector<double> dx(v[0].size(), 0.0);
                       each_window(w, [&](std::size_t o, const std::vector<std::size_t>& taps) {
                         dx[argmax(v[0], taps)] += v[1][o];
                       });
                       return dx;
                     }});
  out.push_back({.op = OpType::kAvgPoolGrad,
                 .inputs = {kAvgPool.out_shape()},
                 .build = [](Graph& g, P p, DType t) -> OpOutput {
                   const Win& w = kAvgPool;
                   return {internal_node(g, OpType::kAvgPoolGrad, {sizes(g, w.in_shape()), p[0]}, t,
                                         w.in_shape(), pool_attrs(w, t))};
                 },
                 .reference =
                     [](const Values& v) {
                       const Win& w = kAvgPool;
                       std::vector<double> dx(std::size_t(w.in_shape().num_elements()), 0.0);
                       each_window(w, [&](std::size_t o, const std::vector<std::size_t>& taps) {
                         for (std::size_t t : taps)
                           dx[t] += v[0][o] / double(taps.size());
                       });
                       return dx;
                     }});
  for (int fetch : {0, 1, 2})
    out.push_back(batch_norm_case(fetch, true));
  out.push_back(batch_norm_case(0, false));
  out.push_back(batch_norm_case(2, false));
  for (int fetch : {0, 1, 2})
    out.push_back(batch_norm_grad_case(fetch));
  return out;
}

}  // namespace varscope::testing
