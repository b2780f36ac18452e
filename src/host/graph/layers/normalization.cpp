// tf.layers.batch_normalization (TF 1.15's normalization.BatchNormalization through
// base.Layer's scoping): the fused path of 4-D NHWC inputs, and TF's non-fused path
// (nn.moments, nn.batch_normalization) of other ranks normalized over their last axis.
#include <string>
#include <vector>

#include "host/graph/graph_impl.h"
#include "host/graph/layers/layer_scope.h"
#include "varscope/array_ops.h"
#include "varscope/errors.h"
#include "varscope/graph.h"
#include "varscope/layers.h"
#include "varscope/math_ops.h"
#include "varscope/nn_ops.h"
#include "varscope/ops.h"

namespace varscope::layers {

namespace {

// keras' _assign_moving_average: "AssignMovingAvg" = AssignSub(var, (var - value) * (1 -
// momentum)), its Sub/Mul in that name scope.
Operation assign_moving_average(Graph& g,
                                const Variable& var,
                                const Tensor& value,
                                const Tensor& momentum) {
  NameScope scope = g.name_scope(std::nullopt, "AssignMovingAvg");
  const Tensor decay = subtract(HostTensor(1.0f), momentum, "sub");
  const Tensor update_delta = multiply(subtract(var.value(), value, "sub_1"), decay, "mul");
  return assign_sub(var, update_delta, scope.name()).op();
}

// The non-fused path's _assign_moving_average: "AssignMovingAvg" = AssignSub(var, (var -
// value) * decay), decay the Const "decay" = 1 - momentum.
Operation assign_moving_average(Graph& g,
                                const Variable& var,
                                const Tensor& value,
                                double momentum) {
  NameScope scope = g.name_scope(std::nullopt, "AssignMovingAvg");
  const Tensor decay = constant(g, HostTensor(1.0 - momentum), {.name = "decay"});
  return assign_sub(var, (var.value() - value) * decay, scope.name()).op();
}

// nn.moments(x, axes, keep_dims=False): the batch mean and the biased batch variance (the
// mean of the squared differences from the mean), "moments/Squeeze" and "moments/Squeeze_1".
std::pair<Tensor, Tensor> moments(Graph& g, const Tensor& x, const std::vector<int>& axes) {
  const NameScope scope = g.name_scope(std::nullopt, "moments");
  const Tensor mean = reduce_mean(x, {.axes = axes, .keepdims = true, .name = "mean"});
  const Tensor variance = reduce_mean(squared_difference(x, stop_gradient(mean)),
                                      {.axes = axes, .keepdims = true, .name = "variance"});
  const std::vector<std::int64_t> dims(axes.begin(), axes.end());
  const Tensor squeezed_mean = squeeze(mean, dims);
  return {squeezed_mean, squeeze(variance, dims)};
}

// nn.batch_normalization under "batchnorm": inv = rsqrt(variance + epsilon) (* scale), then
// x * inv + (offset - mean * inv), or + -mean * inv without an offset, built in Python's order.
Tensor batchnorm(Graph& g,
                 const Tensor& x,
                 const Tensor& mean,
                 const Tensor& variance,
                 const std::optional<Tensor>& offset,
                 const std::optional<Tensor>& scale,
                 double epsilon) {
  const NameScope ns = g.name_scope(std::nullopt, "batchnorm");
  Tensor inv = rsqrt(variance + HostTensor(static_cast<float>(epsilon)));
  if (scale) inv = inv * *scale;
  const Tensor scaled = x * inv;
  const Tensor shift = offset ? *offset - mean * inv : negative(mean) * inv;
  return scaled + shift;
}

// BatchNormalization.build clears its scope's partitioner around the moving statistics (TF
// never partitions them) and restores it after.
class PartitionerCleared {
 public:
  explicit PartitionerCleared(Graph& g)
      : scope_(g.get_variable_scope()), saved_(scope_.partitioner()) {
    if (saved_) scope_.set_partitioner(std::nullopt);
  }
  ~PartitionerCleared() {
    if (saved_) scope_.set_partitioner(saved_);
  }
  PartitionerCleared(const PartitionerCleared&) = delete;
  PartitionerCleared& operator=(const PartitionerCleared&) = delete;

 private:
  VariableScope scope_;
  std::optional<Partitioner> saved_;
};

// moving_mean and moving_variance, shared by both paths: never trainable nor partitioned
// (TF's).
struct MovingStatistics {
  Variable mean, variance;
};
MovingStatistics moving_statistics(Graph& g,
                                   std::int64_t channels,
                                   const BatchNormalizationOptions& options) {
  const PartitionerCleared unpartitioned(g);
  const auto moving = [&](const char* name, const std::optional<Initializer>& init,
                          Initializer fallback) {
    return g.get_variable(name, {.shape = Shape{channels},
                                 .dtype = DType::kFloat32,
                                 .initializer = init.value_or(fallback),
                                 .trainable = false});
  };
  Variable mean = moving("moving_mean", options.moving_mean_initializer, zeros_initializer());
  Variable variance =
      moving("moving_variance", options.moving_variance_initializer, ones_initializer());
  return {mean, variance};
}

// gamma or beta: the layer's weight (partitioned under a scope's partitioner, as TF), or for
// a disabled one (center/scale false) on the fused path keras' K.constant, built at once.
struct Parameter {
  std::optional<detail::Weight> weight{};
  std::optional<Tensor> constant{};
  // Where TF converts it: a partitioned weight's ConcatPartitions is built here.
  std::optional<Tensor> read() const {
    if (weight) return weight->read();
    return constant;
  }
};

Parameter weight(Graph& g,
                 const char* name,
                 std::int64_t channels,
                 const Initializer& initializer,
                 const BatchNormalizationOptions& options) {
  return {detail::add_weight(g, name,
                             {.shape = Shape{channels},
                              .dtype = DType::kFloat32,
                              .initializer = initializer,
                              .trainable = options.trainable},
                             {}),
          std::nullopt};
}

// The non-fused path over the last axis of `inputs` (rank >= 2): gamma and beta only where
// scale and center ask for them; in training the batch's moments normalize and feed the
// moving averages, otherwise the moving statistics do.
Tensor batch_norm_unfused(Graph& g,
                          const Tensor& inputs,
                          std::int64_t channels,
                          const BatchNormalizationOptions& options) {
  Parameter gamma, beta;
  if (options.scale) {
    gamma = weight(g, "gamma", channels, options.gamma_initializer.value_or(ones_initializer()),
                   options);
  }
  if (options.center) {
    beta = weight(g, "beta", channels, options.beta_initializer.value_or(zeros_initializer()),
                  options);
  }
  const auto [moving_mean, moving_variance] = moving_statistics(g, channels, options);
  if (!options.training) {
    // keras casts the offset, then the scale, to the inputs' dtype: TF reads them then.
    const std::optional<Tensor> offset = beta.read();
    return batchnorm(g, inputs, moving_mean.value(), moving_variance.value(), offset, gamma.read(),
                     options.epsilon);
  }
  std::vector<int> axes(static_cast<std::size_t>(inputs.shape().rank() - 1));
  for (std::size_t i = 0; i < axes.size(); ++i)
    axes[i] = static_cast<int>(i);
  const auto [mean, variance] = moments(g, inputs, axes);
  const Operation mean_update = assign_moving_average(g, moving_mean, mean, options.momentum);
  const Operation variance_update =
      assign_moving_average(g, moving_variance, variance, options.momentum);
  if (options.trainable) {  // as the fused path: a frozen layer's updates are not collected
    g.add_to_collection(GraphKeys::kUpdateOps, mean_update);
    g.add_to_collection(GraphKeys::kUpdateOps, variance_update);
  }
  const std::optional<Tensor> offset = beta.read();
  return batchnorm(g, inputs, mean, variance, offset, gamma.read(), options.epsilon);
}

Parameter weight_or_constant(Graph& g,
                             bool enabled,
                             const char* name,
                             std::int64_t channels,
                             const Initializer& initializer,
                             float fill,
                             const BatchNormalizationOptions& options) {
  if (enabled) return weight(g, name, channels, initializer, options);
  return {std::nullopt,
          constant(g, HostTensor(std::vector<float>(static_cast<std::size_t>(channels), fill),
                                 Shape{channels}))};
}

// Python's repr of TF 1.15's TensorShape, as its ValueErrors print it.
std::string tensor_shape_repr(const Shape& shape) {
  if (!shape.has_rank()) return "TensorShape(None)";
  std::string dims;
  for (int i = 0; i < shape.rank(); ++i) {
    if (i > 0) dims += ", ";
    dims += "Dimension(" + (shape.dim(i) < 0 ? std::string("None") : std::to_string(shape.dim(i))) +
            ")";
  }
  return "TensorShape([" + dims + "])";
}

}  // namespace

Tensor batch_normalization(const Tensor& inputs, const BatchNormalizationOptions& options) {
  Graph g = inputs.graph();
  return varscope::detail::Access::impl(g)->mutate([&] {
    auto scope = detail::enter_layer_scope(g, "batch_normalization", options.name, options.reuse);
    const Shape& shape = inputs.shape();
    if (!shape.has_rank() || shape.rank() == 0) {
      throw ValueError("('Input has undefined rank:', " + tensor_shape_repr(shape) + ")");
    }
    const int ndims = shape.rank();
    const int axis = options.axis < 0 ? ndims + options.axis : options.axis;
    if (axis < 0 || axis >= ndims) throw ValueError("Invalid axis: " + std::to_string(axis));
    if (axis != ndims - 1 || ndims < 2) {
      throw UnimplementedError(
          "batch_normalization: only the last axis of inputs of rank 2 or more is supported; "
          "got rank " +
          std::to_string(ndims) + ", axis " + std::to_string(options.axis));
    }
    const std::int64_t channels = shape.dim(axis);
    if (channels < 0) {
      throw ValueError("('Input has undefined `axis` dimension. Input shape: ', " +
                       tensor_shape_repr(shape) + ")");
    }
    if (ndims != 4) return batch_norm_unfused(g, inputs, channels, options);
    const Parameter gamma =
        weight_or_constant(g, options.scale, "gamma", channels,
                           options.gamma_initializer.value_or(ones_initializer()), 1.0f, options);
    const Parameter beta =
        weight_or_constant(g, options.center, "beta", channels,
                           options.beta_initializer.value_or(zeros_initializer()), 0.0f, options);
    const auto [moving_mean, moving_variance] = moving_statistics(g, channels, options);
    // nn.fused_batch_norm converts the scale, then the offset.
    const Tensor scale = *gamma.read();
    const Tensor offset = *beta.read();
    FusedBatchNorm out =
        options.training
            ? fused_batch_norm(inputs, scale, offset, std::nullopt, std::nullopt, options.epsilon)
            : fused_batch_norm(inputs, scale, offset, moving_mean.value(), moving_variance.value(),
                               options.epsilon, "NHWC", false);
    const Tensor momentum = constant(g, HostTensor(static_cast<float>(options.momentum)));
    if (options.training) {
      const Operation mean_update = assign_moving_average(g, moving_mean, out.mean, momentum);
      const Operation variance_update =
          assign_moving_average(g, moving_variance, out.variance, momentum);
      // A frozen layer (trainable false) builds its updates but, as TF's Layer.updates,
      // does not collect them.
      if (options.trainable) {
        g.add_to_collection(GraphKeys::kUpdateOps, mean_update);
        g.add_to_collection(GraphKeys::kUpdateOps, variance_update);
      }
    }
    return out.y;
  });
}

}  // namespace varscope::layers
