// tf.layers.dense (TF 1.15's core_layers.Dense through base.Layer's scoping).
#include <limits>

#include "host/graph/graph_impl.h"
#include "host/graph/layers/layer_scope.h"
#include "varscope/array_ops.h"
#include "varscope/errors.h"
#include "varscope/graph.h"
#include "varscope/layers.h"
#include "varscope/ops.h"

namespace varscope::layers {

namespace {

// math_ops.tensordot(inputs, kernel, [[rank - 1], [0]]) for inputs of known shape, with TF's
// node names: both operands transposed and reshaped to matrices, their MatMul reshaped back
// by the Reshape named "Tensordot" (its Const "Tensordot/shape").
Tensor tensordot(Graph& g, const Tensor& inputs, const Variable& kernel) {
  const std::vector<std::int64_t> dims = inputs.shape().dims();
  const std::int64_t depth = dims.back();
  std::int64_t rows = 1;
  std::vector<std::int64_t> perm;
  for (std::size_t i = 0; i + 1 < dims.size(); ++i) {
    if (rows > 0 && dims[i] > std::numeric_limits<std::int64_t>::max() / rows) {
      throw InvalidArgumentError("dense: the inputs' shape has too many elements");
    }
    rows *= dims[i];
    perm.push_back(static_cast<std::int64_t>(i));
  }
  perm.push_back(static_cast<std::int64_t>(dims.size()) - 1);
  auto ns = g.name_scope("Tensordot");
  const std::string scope = ns.name();
  const Tensor a = reshape(transpose(inputs, perm), {rows, depth});
  const Tensor b = reshape(transpose(kernel, {0, 1}), {depth, kernel.shape().dim(1)});
  std::vector<std::int64_t> out_dims(dims.begin(), dims.end() - 1);
  out_dims.push_back(kernel.shape().dim(1));
  return reshape(matmul(a, b), out_dims, scope);
}

}  // namespace

Tensor dense(const Tensor& inputs, std::int64_t units, const DenseOptions& options) {
  Graph g = inputs.graph();
  // One graph change: a failure (a bad name, a shared kernel of another shape) leaves
  // nothing behind, the layer's first variable included.
  return varscope::detail::Access::impl(g)->mutate([&] {
    const Shape& shape = inputs.shape();
    if (!shape.has_rank() || shape.rank() < 2 || shape.dim(shape.rank() - 1) < 0) {
      throw ValueError(
          "The last dimension of the inputs to `Dense` should be defined. Found `None`.");
    }
    if (shape.rank() > 2 && !shape.is_fully_defined()) {
      throw UnimplementedError("dense: inputs of rank " + std::to_string(shape.rank()) +
                               " with unknown dimensions (TF's dynamic Tensordot) are not "
                               "supported yet; flatten them to rank 2");
    }
    if (units <= 0) throw ValueError("dense: units must be positive, got " + std::to_string(units));
    auto scope = detail::enter_layer_scope(g, "dense", options.name, options.reuse);
    const Variable kernel =
        g.get_variable("kernel", {.shape = Shape{shape.dim(shape.rank() - 1), units},
                                  .dtype = inputs.dtype(),
                                  .initializer = options.kernel_initializer,
                                  .trainable = options.trainable});
    Tensor out = shape.rank() == 2 ? matmul(inputs, kernel) : tensordot(g, inputs, kernel);
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
