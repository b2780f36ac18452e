// TF1's tf.nn activations beyond relu/sigmoid/tanh, and the losses, normalizations and
// dropout of tf.nn: each builds TF 1.15's ops with TF 1.15's names (the default name in the
// comment), with TF's gradient ops.
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <cstdint>
#include <optional>
#include <string>
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

// logits - log(sum(exp(logits))) over the last axis, computed stably ("LogSoftmax").
Tensor log_softmax(const Input& logits, std::string_view name = {});
// sum(t^2) / 2, a scalar ("L2Loss").
Tensor l2_loss(const Input& t, std::string_view name = {});
// x * rsqrt(max(sum(x^2, axis, keepdims), epsilon)): TF1's l2_normalize/Square, Sum,
// Maximum, Rsqrt and the Mul named "l2_normalize".
Tensor l2_normalize(const Input& x,
                    const std::vector<std::int64_t>& axis,
                    double epsilon = 1e-12,
                    std::string_view name = {});
Tensor l2_normalize(const Input& x,
                    std::int64_t axis,
                    double epsilon = 1e-12,
                    std::string_view name = {});
// max(x, 0) - x * z + log1p(exp(-|x|)) of logits x and labels z of the same shape, under
// "logistic_loss/" (the Add named "logistic_loss").
Tensor sigmoid_cross_entropy_with_logits(const Input& labels,
                                         const Input& logits,
                                         std::string_view name = {});

// tf.nn.moments: the mean and the variance over `axes`, under "moments/" ("moments/Squeeze"
// and "moments/Squeeze_1" without keep_dims).
struct Moments {
  Tensor mean;
  Tensor variance;
};
Moments moments(const Input& x,
                const std::vector<std::int64_t>& axes,
                bool keep_dims = false,
                std::string_view name = {});

// TF1's dropout: x / keep_prob where a uniform draw of noise_shape (x's shape when unset) is
// >= rate, 0 elsewhere, under "dropout/". Seeded as random_uniform (tf.set_random_seed's
// rules), so both backends drop the same elements.
struct DropoutOptions {
  std::optional<Shape> noise_shape{};  // kUnknownDim dims take x's
  std::optional<std::int64_t> seed{};
  std::string name{};  // default "dropout"
};
// tf.nn.dropout(x, keep_prob): a number in (0, 1] (1 returns x), or a scalar Tensor (TF's
// "sub" = 1 - keep_prob is built in the caller's scope first).
Tensor dropout(const Input& x, const Input& keep_prob, const DropoutOptions& options = {});
// The rate form, tf.compat.v1.nn.dropout(x, rate=rate) (TF's nn_ops.dropout_v2): a number in
// [0, 1) (0 returns x), or a scalar Tensor.
Tensor dropout_v2(const Input& x, const Input& rate, const DropoutOptions& options = {});

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

// tf.compat.v1.nn.fused_batch_norm over NHWC float32 x with per-channel scale and offset
// ("FusedBatchNormV3"; T = x's type, U = float32). Training (mean and variance unset; TF's
// empty float32 Consts "Const", "Const_1" take their place): y from the batch's statistics,
// mean = the batch mean, variance = its n/(n-1) (Bessel-corrected) variance. Inference: y
// from the given mean and variance, which come back as mean and variance. epsilon below
// 1.001e-5 is raised to it (cuDNN's minimum). Gradient: FusedBatchNormGradV3 under
// "<name>_grad/". Kernels: oneDNN on the CPU, cuDNN on the GPU.
struct FusedBatchNorm {
  Tensor y;
  Tensor mean;
  Tensor variance;
};
FusedBatchNorm fused_batch_norm(const Input& x,
                                const Input& scale,
                                const Input& offset,
                                const std::optional<Input>& mean = std::nullopt,
                                const std::optional<Input>& variance = std::nullopt,
                                double epsilon = 0.001,
                                std::string_view data_format = "NHWC",
                                bool is_training = true,
                                std::string_view name = {});

}  // namespace varscope

#pragma GCC visibility pop
