// tf.layers.conv2d, max_pooling2d and average_pooling2d (TF 1.15's convolutional.Conv2D and
// pooling.Pooling2D through base.Layer's scoping), NHWC only.
#include "host/graph/graph_impl.h"
#include "host/graph/layers/layer_scope.h"
#include "varscope/errors.h"
#include "varscope/graph.h"
#include "varscope/layers.h"
#include "varscope/nn_ops.h"
#include "varscope/ops.h"

namespace varscope::layers {

namespace {

void expect_positive(const Size2& size, const char* what) {
  if (size.height <= 0 || size.width <= 0) {
    throw ValueError(std::string("conv2d: ") + what + " must be positive, got (" +
                     std::to_string(size.height) + ", " + std::to_string(size.width) + ")");
  }
}

using PoolOp = Tensor (*)(const Input&,
                          const std::vector<std::int64_t>&,
                          const std::vector<std::int64_t>&,
                          std::string_view,
                          std::string_view,
                          std::string_view);

Tensor pooling2d(const Tensor& inputs,
                 Size2 pool_size,
                 Size2 strides,
                 const Pooling2DOptions& options,
                 std::string_view default_name,
                 PoolOp pool) {
  Graph g = inputs.graph();
  return varscope::detail::Access::impl(g)->mutate([&] {
    const std::string padding = detail::normalize_padding(options.padding);
    auto scope = detail::enter_layer_scope(g, default_name, options.name, Reuse::kInherit);
    detail::expect_rank(inputs.shape(), 4, scope);
    return pool(inputs, {pool_size.height, pool_size.width}, {strides.height, strides.width},
                padding, "NHWC", {});
  });
}

}  // namespace

Tensor conv2d(const Tensor& inputs,
              std::int64_t filters,
              Size2 kernel_size,
              const Conv2DOptions& options) {
  Graph g = inputs.graph();
  return varscope::detail::Access::impl(g)->mutate([&] {
    const std::string padding = detail::normalize_padding(options.padding);
    if (filters <= 0) {
      throw ValueError("conv2d: filters must be positive, got " + std::to_string(filters));
    }
    expect_positive(kernel_size, "kernel_size");
    expect_positive(options.strides, "strides");
    expect_positive(options.dilation_rate, "dilation_rate");
    const Size2& strides = options.strides;
    const Size2& dilation = options.dilation_rate;
    if ((strides.height > 1 || strides.width > 1) && (dilation.height > 1 || dilation.width > 1)) {
      throw ValueError("strides > 1 not supported in conjunction with dilation_rate > 1");
    }
    auto scope = detail::enter_layer_scope(g, "conv2d", options.name, options.reuse);
    const Shape& shape = inputs.shape();
    detail::expect_rank(shape, 4, scope);
    if (!shape.has_rank() || shape.dim(3) < 0) {
      throw ValueError("The channel dimension of the inputs should be defined. Found `None`.");
    }
    const detail::Weight kernel = detail::add_weight(
        g, "kernel",
        {.shape = Shape{kernel_size.height, kernel_size.width, shape.dim(3), filters},
         .dtype = inputs.dtype(),
         .initializer = options.kernel_initializer,
         .trainable = options.trainable},
        options.kernel_regularizer);
    detail::Weight bias;
    if (options.use_bias) {
      bias =
          detail::add_weight(g, "bias",
                             {.shape = Shape{filters},
                              .dtype = inputs.dtype(),
                              .initializer = options.bias_initializer.value_or(zeros_initializer()),
                              .trainable = options.trainable},
                             options.bias_regularizer);
    }
    // nn_ops.Convolution converts its dilation rate to this Const, which nothing reads.
    constant(g,
             HostTensor(std::vector<std::int32_t>{static_cast<std::int32_t>(dilation.height),
                                                  static_cast<std::int32_t>(dilation.width)},
                        Shape{2}),
             {.name = "dilation_rate"});
    Tensor out = varscope::conv2d(inputs, kernel.read(), {strides.height, strides.width}, padding,
                                  "NHWC", {1, dilation.height, dilation.width, 1});
    if (options.use_bias) out = bias_add(out, bias.read());
    return options.activation == nullptr ? out : options.activation(out, {});
  });
}

Tensor max_pooling2d(const Tensor& inputs,
                     Size2 pool_size,
                     Size2 strides,
                     const Pooling2DOptions& options) {
  return pooling2d(inputs, pool_size, strides, options, "max_pooling2d", max_pool);
}

Tensor average_pooling2d(const Tensor& inputs,
                         Size2 pool_size,
                         Size2 strides,
                         const Pooling2DOptions& options) {
  return pooling2d(inputs, pool_size, strides, options, "average_pooling2d", avg_pool);
}

}  // namespace varscope::layers
