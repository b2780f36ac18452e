// tf.layers.dense (TF 1.15's core_layers.Dense through base.Layer's scoping).
#include "host/graph/graph_impl.h"
#include "varscope/errors.h"
#include "varscope/graph.h"
#include "varscope/layers.h"
#include "varscope/ops.h"

namespace varscope::layers {

Tensor dense(const Tensor& inputs, std::int64_t units, const DenseOptions& options) {
  Graph g = inputs.graph();
  // One graph change: a failure (a bad name, a shared kernel of another shape) leaves
  // nothing behind, the layer's first variable included.
  return detail::Access::impl(g)->mutate([&] {
    const Shape& shape = inputs.shape();
    if (!shape.has_rank() || shape.rank() < 2 || shape.dim(shape.rank() - 1) < 0) {
      throw ValueError(
          "The last dimension of the inputs to `Dense` should be defined. Found `None`.");
    }
    if (shape.rank() > 2) {
      throw UnimplementedError("dense: inputs of rank " + std::to_string(shape.rank()) +
                               " (TF's Tensordot) are not supported yet; flatten them to rank 2");
    }
    if (units <= 0) throw ValueError("dense: units must be positive, got " + std::to_string(units));
    // base.Layer: a named (or reused) layer is variable_scope(name); an unnamed one
    // variable_scope(None, default_name="dense"), uniquified in the current scope.
    const bool shared = options.reuse == Reuse::kTrue || options.reuse == Reuse::kAuto;
    auto scope =
        options.name.empty() && !shared
            ? g.variable_scope(std::nullopt, {.default_name = "dense", .reuse = options.reuse})
            : g.variable_scope(options.name.empty() ? "dense" : options.name,
                               {.reuse = options.reuse});
    const Variable kernel = g.get_variable("kernel", {.shape = Shape{shape.dim(1), units},
                                                      .dtype = inputs.dtype(),
                                                      .initializer = options.kernel_initializer,
                                                      .trainable = options.trainable});
    Tensor out = matmul(inputs, kernel);
    if (options.use_bias) {
      const Variable bias = g.get_variable(
          "bias", {.shape = Shape{units},
                   .dtype = inputs.dtype(),
                   .initializer = options.bias_initializer.value_or(zeros_initializer()),
                   .trainable = options.trainable});
      out = bias_add(out, bias);
    }
    return options.activation == nullptr ? out : options.activation(out, {});
  });
}

}  // namespace varscope::layers
