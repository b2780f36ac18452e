// tf.contrib.layers.l2_regularizer (contrib/layers/python/layers/regularizers.py of TF 1.15).
#include "varscope/regularizers.h"

#include <cstdio>
#include <string>

#include "varscope/errors.h"
#include "varscope/graph.h"
#include "varscope/nn_ops.h"
#include "varscope/ops.h"

namespace varscope {

Regularizer l2_regularizer(double scale) {
  if (scale < 0.0) {
    char text[64];
    std::snprintf(text, sizeof text, "%g", scale);  // Python's "%g"
    throw ValueError(std::string("Setting a scale less than 0 on a regularizer: ") + text + ".");
  }
  if (scale == 0.0) return [](const Tensor&) -> std::optional<Tensor> { return std::nullopt; };
  return [scale](const Tensor& weights) -> std::optional<Tensor> {
    Graph g = weights.graph();
    const NameScope scope = g.name_scope(std::nullopt, "l2_regularizer");
    const Tensor my_scale =
        constant(g, HostTensor::scalar<double>(scale).cast(weights.dtype()), {.name = "scale"});
    return multiply(my_scale, l2_loss(weights), scope.name());
  };
}

}  // namespace varscope
