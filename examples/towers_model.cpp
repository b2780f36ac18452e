#include "towers_model.h"

#include <string>
#include <vector>

namespace vs = varscope;

namespace examples {
namespace {

// cifar10's _variable_on_cpu: the variable lives on /cpu:0 whatever the tower's device.
vs::Variable on_cpu(vs::Graph& g, const std::string& name, const vs::GetVariableOptions& o) {
  auto on = g.device("/cpu:0");
  return g.get_variable(name, o);
}

vs::Tensor dense(
    vs::Graph& g, const vs::Tensor& x, std::int64_t units, bool relu, const char* name) {
  auto scope = g.variable_scope(name);
  const std::int64_t in = x.shape().dim(x.shape().rank() - 1);
  const vs::Variable kernel = on_cpu(g, "kernel", {.shape = vs::Shape{in, units}});
  const vs::Variable bias =
      on_cpu(g, "bias", {.shape = vs::Shape{units}, .initializer = vs::zeros_initializer()});
  const vs::Tensor out = vs::bias_add(vs::matmul(x, kernel), bias);
  return relu ? vs::relu(out) : out;
}

// cifar10's average_gradients: each variable's tower gradients stacked and averaged.
std::vector<vs::train::GradAndVar> average_gradients(
    const std::vector<std::vector<vs::train::GradAndVar>>& tower_grads) {
  std::vector<vs::train::GradAndVar> averaged;
  for (std::size_t v = 0; v < tower_grads.front().size(); ++v) {
    std::vector<vs::Tensor> grads;
    for (const auto& tower : tower_grads)
      grads.push_back(vs::expand_dims(tower[v].first.dense(), 0));
    const vs::Tensor mean = vs::reduce_mean(vs::concat(grads, 0), {.axes = std::vector<int>{0}});
    averaged.emplace_back(mean, tower_grads.front()[v].second);
  }
  return averaged;
}

}  // namespace

Towers build_towers(vs::Graph& g, const std::vector<std::string>& devices) {
  Towers t;
  auto on_cpu0 = g.device("/cpu:0");
  t.x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 8}, "x");
  t.y = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 1}, "y");
  const auto n = static_cast<std::int64_t>(devices.size());
  const std::vector<vs::Tensor> xs = vs::split(t.x, n);
  const std::vector<vs::Tensor> ys = vs::split(t.y, n);
  const vs::Variable step = vs::train::get_or_create_global_step(g);
  vs::train::AdamOptimizer opt(0.01);
  std::vector<std::vector<vs::train::GradAndVar>> tower_grads;
  std::vector<vs::Tensor> losses;
  {
    auto shared = g.variable_scope(g.get_variable_scope());
    for (std::int64_t i = 0; i < n; ++i) {
      auto on = g.device(devices[static_cast<std::size_t>(i)]);
      auto scope = g.name_scope("tower_" + std::to_string(i));
      const vs::Tensor hidden = dense(g, xs[static_cast<std::size_t>(i)], 16, true, "dense1");
      const vs::Tensor out = dense(g, hidden, 1, false, "dense2");
      const vs::Tensor loss = vs::reduce_mean(vs::square(out - ys[static_cast<std::size_t>(i)]));
      g.get_variable_scope().reuse_variables();
      tower_grads.push_back(opt.compute_gradients(loss));
      losses.push_back(loss);
    }
  }
  t.loss = vs::add_n(losses) / static_cast<double>(n);
  t.train = opt.apply_gradients(average_gradients(tower_grads), step);
  t.variables = g.trainable_variables();
  return t;
}

}  // namespace examples
