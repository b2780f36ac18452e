// TF1's tf.nn activations beyond relu/sigmoid/tanh: each one node of TF's op type, named as
// TF 1.15 names it (the default name in the comment), with TF's gradient ops.
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <cstdint>
#include <string_view>
#include <vector>

#include "varscope/ops.h"

namespace varscope {

// features > 0 ? features : alpha * features ("LeakyRelu"; TF's default alpha 0.2). Integer
// features are first cast to float32 ("LeakyRelu/Cast"), as TF.
Tensor leaky_relu(const Input& features, double alpha = 0.2, std::string_view name = {});
// features < 0 ? exp(features) - 1 : features ("Elu").
Tensor elu(const Input& features, std::string_view name = {});
// log(1 + exp(features)) ("Softplus").
Tensor softplus(const Input& features, std::string_view name = {});
// min(max(features, 0), 6) ("Relu6").
Tensor relu6(const Input& features, std::string_view name = {});

// Convolution and pooling over NHWC tensors, as TF 1.15's tf.nn functions. `strides`,
// `dilations` and `ksize` take 1 value (the same for height and width), 2 (height, width) or
// 4 (NHWC, batch and depth 1); `padding` is "SAME" or "VALID"; only data_format "NHWC" runs.
// Kernels: oneDNN on the CPU (float32; float64 by direct loops), cuDNN on the GPU.

// input [batch, h, w, in_c] * filter [kh, kw, in_c, out_c] ("Conv2D"; TF's attributes
// use_cudnn_on_gpu = true, explicit_paddings = []). Gradients: Conv2DBackpropInput,
// Conv2DBackpropFilter under "<scope>/Conv2D_grad/", with their sizes from one ShapeN.
Tensor conv2d(const Input& input,
              const Input& filter,
              const std::vector<std::int64_t>& strides,
              std::string_view padding,
              std::string_view data_format = "NHWC",
              const std::vector<std::int64_t>& dilations = {1, 1, 1, 1},
              std::string_view name = {});
// The maximum of each window ("MaxPool"; gradient MaxPoolGrad).
Tensor max_pool(const Input& value,
                const std::vector<std::int64_t>& ksize,
                const std::vector<std::int64_t>& strides,
                std::string_view padding,
                std::string_view data_format = "NHWC",
                std::string_view name = {});
// The mean of each window, over the taps inside the input ("AvgPool"; gradient AvgPoolGrad).
Tensor avg_pool(const Input& value,
                const std::vector<std::int64_t>& ksize,
                const std::vector<std::int64_t>& strides,
                std::string_view padding,
                std::string_view data_format = "NHWC",
                std::string_view name = {});

}  // namespace varscope

#pragma GCC visibility pop
