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

Tensor int32_vector(Graph& g, const std::vector<std::int32_t>& values, const char* name) {
  return constant(g, HostTensor(values, Shape{static_cast<std::int64_t>(values.size())}),
                  {.name = name});
}

// math_ops.tensordot(inputs, kernel, [[rank - 1], [0]]) with TF's node names: both operands
// transposed and reshaped to matrices, their MatMul reshaped back by the Reshape named
// "Tensordot". A fully known input shape folds the sizes into Consts; otherwise TF reads them
// at run time (Tensordot/Shape, GatherV2, Prod, ...).
Tensor tensordot(Graph& g, const Tensor& inputs, const Tensor& kernel) {
  const std::vector<std::int64_t> dims = inputs.shape().dims();
  const std::int64_t depth = dims.back(), units = kernel.shape().dim(1);
  const int last = static_cast<int>(dims.size()) - 1;
  auto ns = g.name_scope("Tensordot");
  const std::string scope = ns.name();
  std::vector<std::int64_t> out_dims(dims.begin(), dims.end() - 1);
  out_dims.push_back(units);
  if (!inputs.shape().is_fully_defined()) {
    std::vector<std::int32_t> free(static_cast<std::size_t>(last));
    for (int i = 0; i < last; ++i)
      free[static_cast<std::size_t>(i)] = i;
    const Tensor axes_t = int32_vector(g, {last}, "axes");
    const Tensor free_t = int32_vector(g, free, "free");
    const Tensor shape_a = shape(inputs);
    const Tensor free_dims = gather(shape_a, free_t);
    const Tensor axes_dims = gather(shape_a, axes_t);
    const Tensor rows = reduce_prod(free_dims), depth_t = reduce_prod(axes_dims);
    const Tensor perm = concat({free_t, axes_t}, 0);
    const Tensor new_shape = stack({rows, depth_t});
    const Tensor a = reshape(transpose(inputs, perm), new_shape);
    const Tensor b = reshape(transpose(kernel, {0, 1}), {depth, units});
    const Tensor product = matmul(a, b);
    const Tensor out_shape =
        concat({free_dims, int32_vector(g, {static_cast<std::int32_t>(units)}, "Const")}, 0);
    const Tensor out = reshape(product, out_shape, scope);
    // TF's product.set_shape(free_dims_static + [units]).
    const auto impl = varscope::detail::Access::impl(g);
    impl->set_output_shape(impl->ref_of(out), Shape(out_dims));
    return out;
  }
  std::int64_t rows = 1;
  std::vector<std::int64_t> perm;
  for (int i = 0; i < last; ++i) {
    const std::int64_t d = dims[static_cast<std::size_t>(i)];
    if (rows > 0 && d > std::numeric_limits<std::int64_t>::max() / rows) {
      throw InvalidArgumentError("dense: the inputs' shape has too many elements");
    }
    rows *= d;
    perm.push_back(i);
  }
  perm.push_back(last);
  const Tensor a = reshape(transpose(inputs, perm), {rows, depth});
  const Tensor b = reshape(transpose(kernel, {0, 1}), {depth, units});
  return reshape(matmul(a, b), out_dims, scope);
}

}  // namespace

Tensor dense(const Tensor& inputs, std::int64_t units, const DenseOptions& options) {
  Graph g = inputs.graph();
  // One graph change: a failure (a bad name, a shared kernel of another shape) leaves
  // nothing behind, the layer's first variable included.
  return varscope::detail::Access::impl(g)->mutate([&] {
    if (units <= 0) throw ValueError("dense: units must be positive, got " + std::to_string(units));
    auto scope = detail::enter_layer_scope(g, "dense", options.name, options.reuse);
    const Shape& shape = inputs.shape();
    detail::expect_min_rank(shape, 2, scope);
    if (shape.dim(shape.rank() - 1) < 0) {
      throw ValueError(
          "The last dimension of the inputs to `Dense` should be defined. Found `None`.");
    }
    // Dense.build: the kernel, then the bias (each with its regularizer), then the product.
    const detail::Weight kernel =
        detail::add_weight(g, "kernel",
                           {.shape = Shape{shape.dim(shape.rank() - 1), units},
                            .dtype = inputs.dtype(),
                            .initializer = options.kernel_initializer,
                            .trainable = options.trainable},
                           options.kernel_regularizer);
    detail::Weight bias;
    if (options.use_bias) {
      bias =
          detail::add_weight(g, "bias",
                             {.shape = Shape{units},
                              .dtype = inputs.dtype(),
                              .initializer = options.bias_initializer.value_or(zeros_initializer()),
                              .trainable = options.trainable},
                             options.bias_regularizer);
    }
    // As TF converts them: the kernel where the product takes it, then the bias.
    const Tensor k = kernel.read();
    Tensor out = shape.rank() == 2 ? matmul(inputs, k) : tensordot(g, inputs, k);
    if (options.use_bias) out = bias_add(out, bias.read());
    return options.activation == nullptr ? out : options.activation(out, {});
  });
}

}  // namespace varscope::layers
