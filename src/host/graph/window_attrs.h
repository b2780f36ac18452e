// The window attributes of Conv2D, the pools and their gradients (strides, dilations,
// ksize, padding; NHWC), read once for the shape functions, the builders and the run, with
// the checks TF makes of them at graph building and in its kernels.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host/graph/graph_impl.h"
#include "host/graph/shape_fn.h"
#include "kernels/conv.h"

namespace varscope::detail {

struct WindowAttrs {
  std::vector<std::int64_t> strides, dilations, ksize;  // 4 each (NHWC); ksize: pools only
  bool same = false;                                    // padding "SAME" (else "VALID")
  std::int64_t stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1, kh = 1, kw = 1;

  // TF's shape-function checks: "Stride must be > 0, but got 0", "Dilation rate must be >= 1,
  // but got 0" (ValueError at building, InvalidArgumentError in a run).
  void check(const ShapeContext& c) const;
  // TF's kernel checks, made when a step runs: strides or dilations in the batch or depth
  // dimension (InvalidArgumentError), pooling over the batch or depth (UnimplementedError).
  void check_kernel(const Node& node, bool pool) const;
};

WindowAttrs window_attrs(const Attrs& attrs);
WindowAttrs window_attrs(const ShapeContext& c);

// The geometry of a convolution or pool with these attributes: input [n, h, w, c], and (a
// convolution) filter [kh, kw, c, out_c]; for a pool, pass filter = nullptr.
kernels::WindowGeometry window_geometry(const WindowAttrs& w,
                                        const Shape& input,
                                        const Shape* filter);

// TF's Python-side normalization of an int-or-list window argument (nn_ops._get_sequence):
// 1 value -> [1, v, v, 1], 2 -> [1, a, b, 1], 4 as given; otherwise vs::ValueError
// "<name> should be of length 1, 2 or 4 but was <n>".
std::vector<std::int64_t> window_sequence(const std::vector<std::int64_t>& v, const char* name);

}  // namespace varscope::detail
