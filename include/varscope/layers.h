// TF1's layers (tf.compat.v1.layers), named and shared as TF names and shares them: a layer
// without a name takes "dense", "dense_1", ... in the current variable scope; a named one
// is variable_scope(name), so `reuse` shares it (two towers calling
// dense(x, 10, {.name = "fc", .reuse = Reuse::kAuto}) read one "fc/kernel").
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "varscope/initializers.h"
#include "varscope/ops.h"
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
  bool trainable = true;
  std::string name{};  // empty: "dense", uniquified in the current variable scope
  Reuse reuse = Reuse::kInherit;
};

// tf.layers.dense: inputs [batch, in] @ "<layer>/kernel" [in, units] (+ "<layer>/bias"
// [units]) then the activation; variables of the inputs' dtype. The ops are
// "<layer>/MatMul", "<layer>/BiasAdd", "<layer>/Relu" in the layer's name scope. The inputs'
// last dimension must be known (TF's ValueError otherwise); inputs of rank 3 or more
// (TF's Tensordot) are vs::UnimplementedError for now. A failed call changes nothing.
Tensor dense(const Tensor& inputs, std::int64_t units, const DenseOptions& options = {});

}  // namespace varscope::layers

#pragma GCC visibility pop
