// A two-tower model in the classic TF1 style: two inputs pass through the same two dense
// layers, shared with variable_scope(..., reuse=AUTO_REUSE).
#pragma once

#include <varscope/varscope.h>

#include <string>
#include <vector>

namespace examples {

enum class Activation { kNone, kRelu };

// tf.layers.dense from the public API alone: variables "<scope>/<name>/kernel" (glorot
// uniform) and ".../bias" (zeros); ops "<name scope>/MatMul", ".../BiasAdd", ".../Relu".
struct Dense {
  varscope::Tensor output;
  varscope::Variable kernel;
  varscope::Variable bias;
};
Dense dense(varscope::Graph& g,
            const varscope::Tensor& x,
            std::int64_t units,
            Activation activation,
            const std::string& name);

struct Tower {
  varscope::Tensor output;
  std::vector<varscope::Variable> variables;  // layer1 kernel, bias, layer2 kernel, bias
};
// variable_scope("tower", reuse=AUTO_REUSE): the first call creates, later calls share.
Tower tower(varscope::Graph& g, const varscope::Tensor& x);

}  // namespace examples
