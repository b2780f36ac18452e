#include "two_tower_model.h"

namespace vs = varscope;

namespace examples {

Dense dense(vs::Graph& g,
            const vs::Tensor& x,
            std::int64_t units,
            Activation activation,
            const std::string& name) {
  auto scope = g.variable_scope(name);
  const std::int64_t in = x.shape().dim(x.shape().rank() - 1);
  Dense d;
  d.kernel = g.get_variable("kernel", {.shape = vs::Shape{in, units}});
  d.bias =
      g.get_variable("bias", {.shape = vs::Shape{units}, .initializer = vs::zeros_initializer()});
  d.output = vs::bias_add(vs::matmul(x, d.kernel), d.bias);
  if (activation == Activation::kRelu) d.output = vs::relu(d.output);
  return d;
}

Tower tower(vs::Graph& g, const vs::Tensor& x) {
  auto scope = g.variable_scope("tower", {.reuse = vs::Reuse::kAuto});
  Dense layer1 = dense(g, x, 16, Activation::kRelu, "layer1");
  Dense layer2 = dense(g, layer1.output, 4, Activation::kNone, "layer2");
  return {layer2.output, {layer1.kernel, layer1.bias, layer2.kernel, layer2.bias}};
}

}  // namespace examples
