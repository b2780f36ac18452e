// A small regression model for the data-parallel tests: a global batch split across ranks,
// trained by Adam (inside dist::DistributedOptimizer or alone, the one-process reference).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "varscope/varscope.h"

namespace vs_dist_test {

namespace vs = varscope;

inline constexpr int kGlobalBatch = 16;
inline constexpr int kFeatures = 4;

struct Model {
  vs::Graph g;
  vs::Tensor x, y, loss;
};

// The model without its train op. `seed`: the graph seed of the initial values (ranks start apart
// unless broadcast); `hidden_name`: the first layer's variable scope (a rank that names it
// otherwise builds other collectives).
inline Model build_model(std::int64_t seed, const std::string& hidden_name = "hidden") {
  Model m;
  m.g.set_random_seed(seed);
  m.x = vs::placeholder(m.g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, kFeatures}, "x");
  m.y = vs::placeholder(m.g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 1}, "y");
  vs::GetVariableOptions w;
  w.initializer = vs::random_normal_initializer({.stddev = 0.5});
  vs::Tensor h;
  {
    auto scope = m.g.variable_scope(hidden_name);
    w.shape = vs::Shape{kFeatures, 8};
    vs::Variable w1 = m.g.get_variable("kernel", w);
    vs::GetVariableOptions b;
    b.shape = vs::Shape{8};
    b.initializer = vs::zeros_initializer();
    vs::Variable b1 = m.g.get_variable("bias", b);
    h = vs::tanh(vs::add(vs::matmul(m.x, w1.value()), b1.value()));
  }
  auto scope = m.g.variable_scope("out");
  w.shape = vs::Shape{8, 1};
  vs::Variable w2 = m.g.get_variable("kernel", w);
  m.loss = vs::reduce_mean(vs::square(vs::subtract(vs::matmul(h, w2.value()), m.y)));
  return m;
}

// Rows [first, first + count) of the global batch: inputs and targets from a fixed formula.
inline vs::FeedDict batch(const Model& m, int first, int count) {
  std::vector<float> xs, ys;
  for (int r = first; r < first + count; ++r) {
    float target = 0;
    for (int f = 0; f < kFeatures; ++f) {
      const float v = static_cast<float>(((r * 7 + f * 3) % 11) - 5) / 5.0f;
      xs.push_back(v);
      target += v * static_cast<float>(f + 1) * 0.25f;
    }
    ys.push_back(target);
  }
  return {{m.x, vs::HostTensor(xs, vs::Shape{count, kFeatures})},
          {m.y, vs::HostTensor(ys, vs::Shape{count, 1})}};
}

}  // namespace vs_dist_test
