// A two-tower model in the classic TF1 style: two inputs pass through the same two dense
// layers, shared with variable_scope(..., reuse=AUTO_REUSE).
#pragma once

#include <varscope/varscope.h>

#include <cstddef>
#include <random>
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

// Placeholders "query" and "item" ([?, 8]), each through its own call of tower().
struct TwoTowers {
  varscope::Tensor query, item;
  Tower a, b;
};
TwoTowers two_towers(varscope::Graph& g);

// The synthetic data: draws from N(0, 1), one generator and one distribution for them all.
class NormalSamples {
 public:
  explicit NormalSamples(unsigned seed) : rng_(seed) {}
  std::vector<float> take(std::size_t n);

 private:
  std::mt19937 rng_;
  std::normal_distribution<float> normal_;
};

// The training set-up of two_tower_train and data_parallel: placeholders "xa", "xb" ([?, 8])
// and "y" ([?, 1]); the loss mean((tower(xa) - tower(xb) - y)^2) of a tower "tower/dense1"
// (16, relu) -> "tower/dense2" (1) shared with variable_scope("tower", reuse=AUTO_REUSE).
struct TwoTowerRegression {
  varscope::Tensor xa, xb, y, loss;
};
TwoTowerRegression two_tower_regression(varscope::Graph& g);

// Rows [first, first + count) of a synthetic batch of `rows` rows: y = |w.xa| - |w.xb| for a
// fixed random w.
varscope::FeedDict two_tower_regression_rows(const TwoTowerRegression& model,
                                             std::int64_t rows,
                                             std::int64_t first,
                                             std::int64_t count);

}  // namespace examples
