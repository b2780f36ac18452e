// TF1's layers (tf.compat.v1.layers), named and shared as TF names and shares them: a layer
// without a name takes "dense", "dense_1", ... ("conv2d", "max_pooling2d", "flatten",
// "dropout", ...) in the current variable scope; a named one is variable_scope(name), so
// `reuse` shares it (two towers calling dense(x, 10, {.name = "fc", .reuse = Reuse::kAuto})
// read one "fc/kernel"). Under a variable scope with a partitioner, a layer's weights (not
// batch normalization's moving statistics) are partitioned as TF partitions them
// ("part/dense/kernel/part_0", Graph::get_partitioned_variable) and each op reads them
// through a new "<weight>/ConcatPartitions/concat". Each call is one graph change: a failed
// call changes nothing.
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "varscope/initializers.h"
#include "varscope/ops.h"
#include "varscope/regularizers.h"
#include "varscope/scope.h"
#include "varscope/tensor.h"

namespace varscope::layers {

// An activation as TF passes one: vs::relu, vs::tanh, vs::sigmoid, ...
using Activation = Tensor (*)(const Input&, std::string_view);

struct DenseOptions {
  Activation activation = nullptr;  // none: linear
  bool use_bias = true;
  std::optional<Initializer> kernel_initializer{};  // unset: the scope's (glorot_uniform)
  std::optional<Initializer> bias_initializer{};    // unset: zeros
  // Empty: none. Called once, when the layer creates the variable: its loss joins
  // REGULARIZATION_LOSSES ("<layer>/kernel/Regularizer/l2_regularizer" for l2_regularizer).
  Regularizer kernel_regularizer{};
  Regularizer bias_regularizer{};
  bool trainable = true;
  std::string name{};  // empty: "dense", uniquified in the current variable scope
  Reuse reuse = Reuse::kInherit;
};

// tf.layers.dense: inputs [batch, in] @ "<layer>/kernel" [in, units] (+ "<layer>/bias"
// [units]) then the activation; variables of the inputs' dtype. The ops are
// "<layer>/MatMul", "<layer>/BiasAdd", "<layer>/Relu" in the layer's name scope. The inputs'
// last dimension must be known (TF's ValueError otherwise). Inputs of rank 3 or more take
// TF's Tensordot ("<layer>/Tensordot/MatMul", the Reshape "<layer>/Tensordot"), reading
// unknown sizes at run time as TF does ("<layer>/Tensordot/Shape", "GatherV2", "Prod").
Tensor dense(const Tensor& inputs, std::int64_t units, const DenseOptions& options = {});

// A height and width as TF takes them: one number for both, or {height, width}.
struct Size2 {
  Size2(std::int64_t both) : height(both), width(both) {}
  Size2(std::int64_t h, std::int64_t w) : height(h), width(w) {}
  std::int64_t height;
  std::int64_t width;
};

struct Conv2DOptions {
  Size2 strides = 1;
  std::string padding = "valid";  // "valid" or "same", any case
  Size2 dilation_rate = 1;        // > 1 only with strides 1 (TF's ValueError)
  Activation activation = nullptr;
  bool use_bias = true;
  std::optional<Initializer> kernel_initializer{};  // unset: the scope's (glorot_uniform)
  std::optional<Initializer> bias_initializer{};    // unset: zeros
  Regularizer kernel_regularizer{};                 // as DenseOptions'
  Regularizer bias_regularizer{};
  bool trainable = true;
  std::string name{};  // empty: "conv2d", uniquified in the current variable scope
  Reuse reuse = Reuse::kInherit;
};

// tf.layers.conv2d over NHWC inputs [batch, h, w, in] (rank 4, `in` known): "<layer>/kernel"
// [kh, kw, in, filters] and "<layer>/bias" [filters]; ops "<layer>/dilation_rate" (TF's
// stray Const), "<layer>/Conv2D", "<layer>/BiasAdd" and the activation's.
Tensor conv2d(const Tensor& inputs,
              std::int64_t filters,
              Size2 kernel_size,
              const Conv2DOptions& options = {});

struct Pooling2DOptions {
  std::string padding = "valid";  // "valid" or "same", any case
  std::string name{};             // empty: "max_pooling2d" / "average_pooling2d"
};
// tf.layers.max_pooling2d / average_pooling2d over NHWC inputs of rank 4:
// "<layer>/MaxPool", "<layer>/AvgPool".
Tensor max_pooling2d(const Tensor& inputs,
                     Size2 pool_size,
                     Size2 strides,
                     const Pooling2DOptions& options = {});
Tensor average_pooling2d(const Tensor& inputs,
                         Size2 pool_size,
                         Size2 strides,
                         const Pooling2DOptions& options = {});

// tf.layers.flatten: inputs [batch, ...] (rank >= 1) reshaped to [batch, -1]; a known batch
// size is a Const "<layer>/Reshape/shape", an unknown one TF's "<layer>/Shape",
// "<layer>/strided_slice" and the Pack "<layer>/Reshape/shape".
Tensor flatten(const Tensor& inputs, std::string_view name = {});

struct DropoutOptions {
  std::optional<Shape> noise_shape{};
  std::optional<std::int64_t> seed{};
  bool training = false;  // a C++ bool (TF's tensor form builds a cond); false: "<layer>/Identity"
  std::string name{};     // empty: "dropout"
};
// tf.layers.dropout(inputs, rate): in training, vs::dropout_v2 under the layer's scope
// ("dropout/dropout/mul_1"); otherwise the inputs through "<layer>/Identity".
Tensor dropout(const Tensor& inputs, double rate = 0.5, const DropoutOptions& options = {});

struct BatchNormalizationOptions {
  int axis = -1;  // the channel axis: the last only
  double momentum = 0.99;
  double epsilon = 1e-3;
  bool center = true;  // false: no "<layer>/beta" (the fused path feeds a Const of zeros)
  bool scale = true;   // false: no "<layer>/gamma" (the fused path feeds a Const of ones)
  std::optional<Initializer> beta_initializer{};             // unset: zeros
  std::optional<Initializer> gamma_initializer{};            // unset: ones
  std::optional<Initializer> moving_mean_initializer{};      // unset: zeros
  std::optional<Initializer> moving_variance_initializer{};  // unset: ones
  bool training = false;  // a C++ bool: TF's training tensor (a cond graph) is not supported
  bool trainable = true;
  std::string name{};  // empty: "batch_normalization", uniquified
  Reuse reuse = Reuse::kInherit;
};

// tf.layers.batch_normalization of float32 inputs; of 4-D NHWC ones, TF's fused path:
// "<layer>/gamma", "<layer>/beta" (trainable), "<layer>/moving_mean",
// "<layer>/moving_variance" (GLOBAL_VARIABLES only) and "<layer>/FusedBatchNormV3". In
// training it normalizes with the batch's statistics and adds "<layer>/AssignMovingAvg" and
// "<layer>/AssignMovingAvg_1" (AssignSub of (moving - batch) * (1 - momentum); the variance
// the batch's n/(n-1) one) to UPDATE_OPS; otherwise it reads the moving statistics. Inputs of
// another rank (2, 3, ...) take TF's non-fused path: "<layer>/moments/..." (the biased batch
// variance) feeding "AssignMovingAvg" (its Const "decay" = 1 - momentum) in training, then
// "<layer>/batchnorm/add", "Rsqrt", "mul", ..., "add_1"; gamma and beta only where scale and
// center ask for them. An axis other than the last is vs::UnimplementedError.
Tensor batch_normalization(const Tensor& inputs, const BatchNormalizationOptions& options = {});

}  // namespace varscope::layers

#pragma GCC visibility pop
