// Convolution, pooling and batch normalization (NHWC): Conv2D, MaxPool, AvgPool,
// FusedBatchNormV3, their gradient ops and ShapeN (the convolution gradient's shapes). Shape
// functions after TF 1.15's Conv2DShape, MaxPoolShape, AvgPoolShape, FusedBatchNormV3Shape,
// FusedBatchNormGradShape and the backprop ops' MakeShapeFromShapeTensor.
#include <string>

#include "host/graph/op_rows/op_rows.h"
#include "host/graph/window_attrs.h"
#include "kernels/conv.h"

namespace varscope::detail::op_rows {
namespace {

std::string str(std::int64_t v) {
  return std::to_string(v);
}

void require_rank4(const ShapeContext& c, const Shape& s, std::string_view what) {
  if (s.has_rank() && s.rank() != 4) {
    c.fail("Shape must be rank 4 but is rank " + str(s.rank()),
           std::string(what) + " must be 4-dimensional" + s.to_list_string());
  }
}

// The window's output size of one spatial dimension (unknown stays unknown), or TF's
// "Negative dimension size" failure.
std::int64_t out_size(const ShapeContext& c,
                      std::int64_t in,
                      std::int64_t filter,
                      std::int64_t dilation,
                      std::int64_t stride,
                      bool same) {
  if (in == kUnknownDim || filter == kUnknownDim) return kUnknownDim;
  const kernels::WindowDim d = kernels::window_dim(in, filter, dilation, stride, same);
  if (d.out < 0) {
    const std::int64_t effective = (filter - 1) * dilation + 1;
    c.fail("Negative dimension size caused by subtracting " + str(effective) + " from " + str(in),
           "Computed output size would be negative: " + str(d.out) + " [input_size: " + str(in) +
               ", effective_filter_size: " + str(effective) + ", stride: " + str(stride) + "]");
  }
  return d.out;
}

std::vector<OutputSpec> conv2d_shape(const ShapeContext& c) {
  const Shape& x = c.shape(0);
  const Shape& f = c.shape(1);
  require_rank4(c, x, "input");
  require_rank4(c, f, "filter");
  const WindowAttrs w = window_attrs(c);
  w.check(c);
  if (!x.has_rank() || !f.has_rank()) return {{c.dtype(0), Shape::unknown_rank()}};
  const std::int64_t depth = x.dim(3), filter_depth = f.dim(2);
  if (depth != kUnknownDim && filter_depth != kUnknownDim && filter_depth != 0 &&
      depth % filter_depth != 0) {
    c.fail("Depth of input (" + str(depth) + ") is not a multiple of input depth of filter (" +
               str(filter_depth) + ")",
           "input depth must be evenly divisible by filter depth: " + str(depth) + " vs " +
               str(filter_depth));
  }
  const std::int64_t rows = out_size(c, x.dim(1), f.dim(0), w.dilation_h, w.stride_h, w.same);
  const std::int64_t cols = out_size(c, x.dim(2), f.dim(1), w.dilation_w, w.stride_w, w.same);
  return {{c.dtype(0), Shape({x.dim(0), rows, cols, f.dim(3)})}};
}

std::vector<OutputSpec> pool_shape(const ShapeContext& c) {
  const Shape& x = c.shape(0);
  require_rank4(c, x, "input");
  const WindowAttrs w = window_attrs(c);
  w.check(c);
  if (!x.has_rank()) return {{c.dtype(0), Shape::unknown_rank()}};
  const std::int64_t rows = out_size(c, x.dim(1), w.kh, 1, w.stride_h, w.same);
  const std::int64_t cols = out_size(c, x.dim(2), w.kw, 1, w.stride_w, w.same);
  return {{c.dtype(0), Shape({x.dim(0), rows, cols, x.dim(3)})}};
}

// Conv2DBackpropInput (sizes: input 0), Conv2DBackpropFilter (input 1), AvgPoolGrad (input
// 0): the output is the shape the sizes input holds, of rank 4.
template <int kSizes, int kData>
std::vector<OutputSpec> shape_from_sizes(const ShapeContext& c) {
  const Shape& sizes = c.shape(kSizes);
  if (sizes.has_rank() && sizes.rank() != 1) {
    c.fail("Shape must be rank 1 but is rank " + str(sizes.rank()),
           "input_sizes must be 1-dimensional, got " + sizes.to_list_string());
  }
  const Shape out = c.value_as_shape(kSizes);
  if (out.has_rank() && out.rank() != 4) {
    c.fail("Shape must be rank 4 but is rank " + str(out.rank()),
           "input_sizes must hold 4 sizes, got " + out.to_list_string());
  }
  return {{c.dtype(kData), out.has_rank() ? out : Shape::unknown_rank()}};
}

std::vector<OutputSpec> max_pool_grad_shape(const ShapeContext& c) {
  require_rank4(c, c.shape(0), "orig_input");
  return {{c.dtype(0), c.shape(0)}};
}

// One int32 (out_type) vector per input: its rank.
std::vector<OutputSpec> shape_n_shape(const ShapeContext& c) {
  std::vector<OutputSpec> out;
  for (int i = 0; i < c.num_inputs(); ++i) {
    const Shape& s = c.shape(i);
    out.push_back({c.attr<DType>(a::kOutType), Shape{s.has_rank() ? s.rank() : kUnknownDim}});
  }
  return out;
}

// A rank-1 input (scale, offset, the statistics) whose length is merged into the channel
// count, as TF's WithRank(1) then Merge(channel_dim, Dim(vec, 0)).
std::int64_t merge_channels(const ShapeContext& c, std::int64_t channels, int i, const char* what) {
  const Shape& v = c.shape(i);
  if (!v.has_rank()) return channels;
  if (v.rank() != 1) {
    c.fail("Shape must be rank 1 but is rank " + str(v.rank()),
           std::string(what) + " must be 1-dimensional" + v.to_list_string());
  }
  const std::int64_t d = v.dim(0);
  if (channels == kUnknownDim) return d;
  if (d != kUnknownDim && d != channels) {
    c.fail("Dimensions must be equal, but are " + str(channels) + " and " + str(d),
           std::string(what) +
               " must have the same number of elements as the channels of x, "
               "got " +
               str(d) + " and " + str(channels));
  }
  return channels;
}

Shape with_channels(const Shape& s, std::int64_t channels) {
  if (!s.has_rank()) return Shape({kUnknownDim, kUnknownDim, kUnknownDim, channels});
  return Shape({s.dim(0), s.dim(1), s.dim(2), channels});
}

// FusedBatchNormV3: y as x, four channel vectors and reserve_space_3 of unknown shape.
std::vector<OutputSpec> fused_batch_norm_shape(const ShapeContext& c) {
  const Shape& x = c.shape(0);
  require_rank4(c, x, "input");
  const bool training = c.attr<bool>(a::kIsTraining);
  static constexpr const char* kNames[] = {"", "scale", "offset", "estimated_mean",
                                           "estimated_variance"};
  std::int64_t channels = x.has_rank() ? x.dim(3) : kUnknownDim;
  for (int i = 1; i < (training ? 3 : 5); ++i)
    channels = merge_channels(c, channels, i, kNames[i]);
  const DType u = c.dtype(1);
  const OutputSpec vec{u, Shape{channels}};
  return {{c.dtype(0), with_channels(x, channels)}, vec, vec, vec, vec, {u, Shape::unknown_rank()}};
}

// FusedBatchNormGradV3: dx as y_backprop; dscale, doffset per channel; reserve_space_4/5 [0]
// when training, per channel otherwise.
std::vector<OutputSpec> fused_batch_norm_grad_shape(const ShapeContext& c) {
  const Shape& dy = c.shape(0);
  const Shape& x = c.shape(1);
  require_rank4(c, dy, "y_backprop");
  require_rank4(c, x, "input");
  std::int64_t channels = dy.has_rank() ? dy.dim(3) : kUnknownDim;
  if (x.has_rank() && x.dim(3) != kUnknownDim) {
    if (channels != kUnknownDim && channels != x.dim(3)) {
      c.fail("Dimensions must be equal, but are " + str(channels) + " and " + str(x.dim(3)),
             "x and y_backprop must have the same shape: " + x.to_list_string() + " vs " +
                 dy.to_list_string());
    }
    channels = x.dim(3);
  }
  static constexpr const char* kNames[] = {"", "", "scale", "saved mean", "saved variance"};
  for (int i = 2; i < 5; ++i)
    channels = merge_channels(c, channels, i, kNames[i]);
  const DType u = c.dtype(2);
  const OutputSpec vec{u, Shape{channels}};
  const OutputSpec reserve = c.attr<bool>(a::kIsTraining) ? OutputSpec{u, Shape{0}} : vec;
  return {{c.dtype(0), with_channels(dy, channels)}, vec, vec, reserve, reserve};
}

inline constexpr DTypeSet kBatchNormTypes{"float16, bfloat16, float32"};

inline constexpr DTypeSet kConvTypes{"float16, bfloat16, float32, float64"};
inline constexpr DTypeSet kMaxPoolTypes{
    "float16, bfloat16, float32, float64, int32, int64, uint8, int16, int8, uint16, qint8"};
inline constexpr DTypeSet kMaxPoolGradTypes{
    "float32, float64, int32, uint8, int16, int8, int64, bfloat16, uint16, float16, uint32, "
    "uint64"};

constexpr AttrDef kStridesAttr{a::kStrides, T::kInts};
constexpr AttrDef kPaddingAttr{a::kPadding, T::kString};
constexpr AttrDef kFormatAttr{a::kDataFormat, T::kString};
constexpr std::array<AttrDef, 7> kConvAttrs{{kTypeT,
                                             kStridesAttr,
                                             {a::kUseCudnnOnGpu, T::kBool},
                                             kPaddingAttr,
                                             {a::kExplicitPaddings, T::kInts},
                                             kFormatAttr,
                                             {a::kDilations, T::kInts}}};
constexpr std::array<AttrDef, 7> kBatchNormAttrs{{kTypeT,
                                                  {a::kU, T::kDType},
                                                  {a::kEpsilon, T::kFloat},
                                                  kFormatAttr,
                                                  {a::kIsTraining, T::kBool}}};
constexpr std::array<AttrDef, 7> kPoolAttrs{
    {kTypeT, {a::kKsize, T::kInts}, kStridesAttr, kPaddingAttr, kFormatAttr}};

// clang-format off
constexpr OpDef kRows[] = {
    {.op = OpType::kShapeN, .name = "ShapeN", .inputs = "input", .outputs = "output",
     .attrs = {{{a::kN, T::kInt}, kTypeT, {a::kOutType, T::kDType}}}, .num_attrs = 3,
     .shape = shape_n_shape, .kernel = kernel_of(K::kShapeOf), .grad = grad::not_differentiable},
    {.op = OpType::kConv2D, .name = "Conv2D", .inputs = "input, filter", .outputs = "output",
     .attrs = kConvAttrs, .num_attrs = 7, .types = kConvTypes, .shape = conv2d_shape,
     .kernel = kernel_of(K::kConv, kComputesFloat), .grad = grad::conv2d, .capture = Capture::kYes},
    {.op = OpType::kConv2DBackpropInput, .name = "Conv2DBackpropInput",
     .inputs = "input_sizes, filter, out_backprop", .outputs = "output", .attrs = kConvAttrs,
     .num_attrs = 7, .types = kConvTypes, .shape = shape_from_sizes<0, 1>,
     .kernel = kernel_of(K::kConv, kComputesFloat), .capture = Capture::kIfHostConstants},
    {.op = OpType::kConv2DBackpropFilter, .name = "Conv2DBackpropFilter",
     .inputs = "input, filter_sizes, out_backprop", .outputs = "output", .attrs = kConvAttrs,
     .num_attrs = 7, .types = kConvTypes, .shape = shape_from_sizes<1, 0>,
     .kernel = kernel_of(K::kConv, kComputesFloat), .capture = Capture::kIfHostConstants},
    {.op = OpType::kMaxPool, .name = "MaxPool", .inputs = "input", .outputs = "output",
     .attrs = kPoolAttrs, .num_attrs = 5, .types = kMaxPoolTypes, .shape = pool_shape,
     .kernel = kernel_of(K::kPool, kComputesFloat), .grad = grad::max_pool,
     .capture = Capture::kYes},
    {.op = OpType::kAvgPool, .name = "AvgPool", .inputs = "value", .outputs = "output",
     .attrs = kPoolAttrs, .num_attrs = 5, .types = kConvTypes, .shape = pool_shape,
     .kernel = kernel_of(K::kPool, kComputesFloat), .grad = grad::avg_pool,
     .capture = Capture::kYes},
    {.op = OpType::kMaxPoolGrad, .name = "MaxPoolGrad", .inputs = "orig_input, orig_output, grad",
     .outputs = "output", .attrs = kPoolAttrs, .num_attrs = 5, .types = kMaxPoolGradTypes,
     .shape = max_pool_grad_shape, .kernel = kernel_of(K::kPool, kComputesFloat),
     .capture = Capture::kYes},
    {.op = OpType::kAvgPoolGrad, .name = "AvgPoolGrad", .inputs = "orig_input_shape, grad",
     .outputs = "output", .attrs = kPoolAttrs, .num_attrs = 5, .types = kConvTypes,
     .shape = shape_from_sizes<0, 1>, .kernel = kernel_of(K::kPool, kComputesFloat),
     .capture = Capture::kIfHostConstants},
    {.op = OpType::kFusedBatchNormV3, .name = "FusedBatchNormV3",
     .inputs = "x, scale, offset, mean, variance",
     .outputs = "y, batch_mean, batch_variance, reserve_space_1, reserve_space_2, reserve_space_3",
     .attrs = kBatchNormAttrs, .num_attrs = 5, .types = kBatchNormTypes,
     .shape = fused_batch_norm_shape, .kernel = kernel_of(K::kBatchNorm, DTypeSet{"float32"}),
     .grad = grad::fused_batch_norm, .capture = Capture::kYes},
    {.op = OpType::kFusedBatchNormGradV3, .name = "FusedBatchNormGradV3",
     .inputs = "y_backprop, x, scale, reserve_space_1, reserve_space_2, reserve_space_3",
     .outputs = "x_backprop, scale_backprop, offset_backprop, reserve_space_4, reserve_space_5",
     .attrs = kBatchNormAttrs, .num_attrs = 5, .types = kBatchNormTypes,
     .shape = fused_batch_norm_grad_shape, .kernel = kernel_of(K::kBatchNorm, DTypeSet{"float32"}),
     .capture = Capture::kYes},
};
// clang-format on

}  // namespace

std::span<const OpDef> conv_ops() {
  return kRows;
}

}  // namespace varscope::detail::op_rows
