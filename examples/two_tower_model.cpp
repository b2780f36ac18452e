#include "two_tower_model.h"

#include <cmath>

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

TwoTowers two_towers(vs::Graph& g) {
  TwoTowers t;
  t.query = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 8}, "query");
  t.item = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 8}, "item");
  t.a = tower(g, t.query);
  t.b = tower(g, t.item);
  return t;
}

std::vector<float> NormalSamples::take(std::size_t n) {
  std::vector<float> v(n);
  for (float& x : v)
    x = normal_(rng_);
  return v;
}

namespace {

vs::Tensor regression_tower(vs::Graph& g, const vs::Tensor& x) {
  auto scope = g.variable_scope("tower", {.reuse = vs::Reuse::kAuto});
  const Dense dense1 = dense(g, x, 16, Activation::kRelu, "dense1");
  return dense(g, dense1.output, 1, Activation::kNone, "dense2").output;
}

}  // namespace

TwoTowerRegression two_tower_regression(vs::Graph& g) {
  TwoTowerRegression m;
  const vs::Shape rows{vs::kUnknownDim, 8};
  m.xa = vs::placeholder(g, vs::DType::kFloat32, rows, "xa");
  m.xb = vs::placeholder(g, vs::DType::kFloat32, rows, "xb");
  m.y = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 1}, "y");
  m.loss = vs::reduce_mean(vs::square(regression_tower(g, m.xa) - regression_tower(g, m.xb) - m.y));
  return m;
}

vs::FeedDict two_tower_regression_rows(const TwoTowerRegression& model,
                                       std::int64_t rows,
                                       std::int64_t first,
                                       std::int64_t count) {
  NormalSamples normal(7);
  const std::vector<float> w = normal.take(8);
  const std::vector<float> a = normal.take(static_cast<std::size_t>(rows * 8));
  const std::vector<float> b = normal.take(static_cast<std::size_t>(rows * 8));
  std::vector<float> target(static_cast<std::size_t>(rows));
  for (std::int64_t i = 0; i < rows; ++i) {
    float fa = 0.0f, fb = 0.0f;
    for (int j = 0; j < 8; ++j) {
      fa += w[j] * a[i * 8 + j];
      fb += w[j] * b[i * 8 + j];
    }
    target[i] = std::abs(fa) - std::abs(fb);
  }
  auto slice = [&](const std::vector<float>& v, std::int64_t width) {
    return std::vector<float>(v.begin() + first * width, v.begin() + (first + count) * width);
  };
  return {{model.xa, vs::HostTensor(slice(a, 8), vs::Shape{count, 8})},
          {model.xb, vs::HostTensor(slice(b, 8), vs::Shape{count, 8})},
          {model.y, vs::HostTensor(slice(target, 1), vs::Shape{count, 1})}};
}

}  // namespace examples
