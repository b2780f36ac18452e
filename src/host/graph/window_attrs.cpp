#include "host/graph/window_attrs.h"

#include "host/graph/op_defs.h"
#include "varscope/errors.h"

namespace varscope::detail {
namespace {

const std::vector<std::int64_t>* ints(const Attrs& attrs, std::string_view name) {
  for (const auto& [n, v] : attrs) {
    if (n == name) return std::get_if<std::vector<std::int64_t>>(&v);
  }
  return nullptr;
}

std::string where(const Node& node) {
  return "\n\t [[{{node " + node.name + "}}]]";
}

}  // namespace

WindowAttrs window_attrs(const Attrs& attrs) {
  WindowAttrs w;
  const std::vector<std::int64_t> ones{1, 1, 1, 1};
  const auto* strides = ints(attrs, attr_name::kStrides);
  const auto* dilations = ints(attrs, attr_name::kDilations);
  const auto* ksize = ints(attrs, attr_name::kKsize);
  w.strides = strides != nullptr && strides->size() == 4 ? *strides : ones;
  w.dilations = dilations != nullptr && dilations->size() == 4 ? *dilations : ones;
  w.ksize = ksize != nullptr && ksize->size() == 4 ? *ksize : ones;
  for (const auto& [n, v] : attrs) {
    if (n == attr_name::kPadding) w.same = std::get<std::string>(v) == "SAME";
  }
  w.stride_h = w.strides[1], w.stride_w = w.strides[2];
  w.dilation_h = w.dilations[1], w.dilation_w = w.dilations[2];
  w.kh = w.ksize[1], w.kw = w.ksize[2];
  return w;
}

WindowAttrs window_attrs(const ShapeContext& c) {
  Attrs attrs;
  for (const char* name :
       {attr_name::kStrides, attr_name::kDilations, attr_name::kKsize, attr_name::kPadding}) {
    if (const AttrValue* v = c.find_attr(name)) attrs.emplace_back(name, *v);
  }
  return window_attrs(attrs);
}

void WindowAttrs::check(const ShapeContext& c) const {
  for (std::int64_t s : {stride_h, stride_w}) {
    if (s < 1) c.fail("Stride must be > 0, but got " + std::to_string(s));
  }
  for (std::int64_t d : {dilation_h, dilation_w}) {
    if (d < 1) c.fail("Dilation rate must be >= 1, but got " + std::to_string(d));
  }
  for (std::int64_t k : {kh, kw}) {
    if (k < 1) c.fail("Sliding window ksize must be positive, but got " + std::to_string(k));
  }
}

void WindowAttrs::check_kernel(const Node& node, bool pool) const {
  if (pool) {
    if (ksize[0] != 1 || strides[0] != 1) {
      throw UnimplementedError("Pooling is not yet supported on the batch dimension." +
                               where(node));
    }
    if (ksize[3] != 1 && (kh != 1 || kw != 1)) {
      throw UnimplementedError(
          "MaxPooling supports exactly one of pooling across depth or pooling across "
          "width/height." +
          where(node));
    }
    if (ksize[3] != 1 || strides[3] != 1) {
      throw UnimplementedError("varscope's pools do not pool across depth (ksize [1, 1, 1, " +
                               std::to_string(ksize[3]) + "], strides [.., " +
                               std::to_string(strides[3]) + "])" + where(node));
    }
    return;
  }
  if (strides[0] != 1 || strides[3] != 1) {
    throw InvalidArgumentError(
        "Current implementation does not yet support strides in the batch and depth "
        "dimensions." +
        where(node));
  }
  if (dilations[0] != 1 || dilations[3] != 1) {
    throw InvalidArgumentError(
        "Current implementation does not yet support dilations in the batch and depth "
        "dimensions." +
        where(node));
  }
}

kernels::WindowGeometry window_geometry(const WindowAttrs& w,
                                        const Shape& input,
                                        const Shape* filter) {
  const bool conv = filter != nullptr;
  return kernels::make_window_geometry(input.dim(0), input.dim(1), input.dim(2), input.dim(3),
                                       conv ? filter->dim(0) : w.kh, conv ? filter->dim(1) : w.kw,
                                       conv ? filter->dim(3) : input.dim(3), w.stride_h, w.stride_w,
                                       conv ? w.dilation_h : 1, conv ? w.dilation_w : 1, w.same);
}

std::vector<std::int64_t> window_sequence(const std::vector<std::int64_t>& v, const char* name) {
  if (v.size() == 1) return {1, v[0], v[0], 1};
  if (v.size() == 2) return {1, v[0], v[1], 1};
  if (v.size() == 4) return v;
  throw ValueError(std::string(name) + " should be of length 1, 2 or 4 but was " +
                   std::to_string(v.size()));
}

}  // namespace varscope::detail
