// tf.layers.flatten and tf.layers.dropout (TF 1.15's core_layers through base.Layer's
// scoping): layers without variables, uniquified as the others.
#include "host/graph/graph_impl.h"
#include "host/graph/layers/layer_scope.h"
#include "varscope/array_ops.h"
#include "varscope/errors.h"
#include "varscope/graph.h"
#include "varscope/layers.h"
#include "varscope/nn_ops.h"
#include "varscope/ops.h"

namespace varscope::layers {

Tensor flatten(const Tensor& inputs, std::string_view name) {
  Graph g = inputs.graph();
  return varscope::detail::Access::impl(g)->mutate([&] {
    auto scope = detail::enter_layer_scope(g, "flatten", std::string(name), Reuse::kInherit);
    const Shape& shape = inputs.shape();
    detail::expect_min_rank(shape, 1, scope);
    if (shape.dim(0) >= 0) return reshape(inputs, {shape.dim(0), -1});
    // reshape(inputs, (shape(inputs)[0], -1)): TF packs the tuple inside Reshape's scope.
    const Tensor batch = index(varscope::shape(inputs), {0});
    const std::string reshape_scope = g.get_name_scope() + "/Reshape/";
    Tensor packed;
    {
      auto ns = g.name_scope(reshape_scope);
      Tensor minus_one;
      {
        auto inner = g.name_scope(reshape_scope + "shape/");
        minus_one = constant(g, HostTensor(std::int32_t{-1}), {.name = "1"});
      }
      packed = stack({batch, minus_one}, 0, "shape");
    }
    Tensor out = reshape(inputs, packed, reshape_scope);
    // Layer.compute_output_shape, as TF's set_shape: [batch, product of the rest].
    std::int64_t rest = 1;
    for (int i = 1; i < shape.rank(); ++i)
      rest = shape.dim(i) < 0 || rest < 0 ? kUnknownDim : rest * shape.dim(i);
    const auto impl = varscope::detail::Access::impl(g);
    impl->set_output_shape(impl->ref_of(out), Shape{kUnknownDim, rest});
    return out;
  });
}

Tensor dropout(const Tensor& inputs, double rate, const DropoutOptions& options) {
  Graph g = inputs.graph();
  return varscope::detail::Access::impl(g)->mutate([&] {
    auto scope = detail::enter_layer_scope(g, "dropout", options.name, Reuse::kInherit);
    if (!options.training) return identity(inputs, "Identity");
    return dropout_v2(inputs, rate, {.noise_shape = options.noise_shape, .seed = options.seed});
  });
}

}  // namespace varscope::layers
