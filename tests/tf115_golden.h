// TF 1.15's recorded training behaviour (tests/golden/training_tf115.json, written by hand
// with tools/tf115/make_training_goldens.py) and the programs it was recorded from, built
// the same way in varscope: the same initial values and inputs.
#pragma once

#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <cmath>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#ifndef VARSCOPE_GOLDEN_DIR
#error "VARSCOPE_GOLDEN_DIR must name tests/golden"
#endif

namespace varscope::testing {

inline const nlohmann::json& tf115() {
  static const nlohmann::json golden = [] {
    std::ifstream in(std::string(VARSCOPE_GOLDEN_DIR) + "/training_tf115.json");
    if (!in) throw std::runtime_error("cannot read tests/golden/training_tf115.json");
    return nlohmann::json::parse(in);
  }();
  return golden;
}

inline DType dtype_named(const std::string& name) {
  return name == "float64" ? DType::kFloat64 : DType::kFloat32;
}

// A HostTensor of `dtype` from recorded values.
inline HostTensor values_as(const nlohmann::json& values, Shape shape, DType dtype) {
  const std::vector<double> v = values.get<std::vector<double>>();
  return HostTensor(v, std::move(shape)).cast(dtype);
}

// The script's base(): x [4,3] Const "x", w [3,2] get_variable, loss = sum((x @ w)^2).
struct Base {
  Graph g;
  Tensor x;
  Variable w;
  Tensor loss;
  explicit Base(DType dtype) {
    const nlohmann::json& t = tf115();
    x = constant(g, values_as(t["X"], Shape{4, 3}, dtype), {.name = "x"});
    w = g.get_variable("w",
                       {.shape = Shape{3, 2},
                        .dtype = dtype,
                        .initializer = constant_initializer(t["W0"].get<std::vector<double>>())});
    loss = reduce_sum(square(matmul(x, w)));
  }
};

inline std::unique_ptr<train::Optimizer> make_optimizer(const std::string& kind) {
  if (kind == "adam") return std::make_unique<train::AdamOptimizer>(0.1);
  if (kind == "momentum") return std::make_unique<train::MomentumOptimizer>(0.1, 0.9);
  return std::make_unique<train::GradientDescentOptimizer>(0.1);
}

inline std::vector<std::string> slot_names(const std::string& kind) {
  if (kind == "adam") return {"m", "v"};
  if (kind == "momentum") return {"momentum"};
  return {};
}

// float32 within 1e-5 relative (the bound), float64 within 1e-12.
inline void expect_close(const std::vector<double>& got,
                         const nlohmann::json& want,
                         DType dtype,
                         const std::string& what) {
  const std::vector<double> w = want.get<std::vector<double>>();
  ASSERT_EQ(got.size(), w.size()) << what;
  const double rel = dtype == DType::kFloat64 ? 1e-12 : 1e-5;
  for (std::size_t i = 0; i < w.size(); ++i) {
    EXPECT_NEAR(got[i], w[i], rel * std::max(1.0, std::abs(w[i]))) << what << " [" << i << "]";
  }
}

inline std::vector<double> as_doubles(const HostTensor& t) {
  std::vector<double> out;
  for (std::int64_t i = 0; i < t.num_elements(); ++i)
    out.push_back(t.element_as_double(i));
  return out;
}

// The script's train(): the loss before each step and after the last, then w.
struct Trained {
  std::vector<double> losses, w;
};
inline Trained train_steps(Graph& g,
                           const Tensor& loss,
                           const Variable& w,
                           const std::vector<Operation>& train_ops,
                           DeviceKind device,
                           int steps = 3) {
  Session sess(g, {.device = device});
  sess.run(g.global_variables_initializer());
  Trained out;
  for (int s = 0; s < steps; ++s) {
    out.losses.push_back(sess.run(loss).element_as_double(0));
    for (const Operation& op : train_ops)
      sess.run(op);
  }
  out.losses.push_back(sess.run(loss).element_as_double(0));
  out.w = as_doubles(sess.run(w));
  return out;
}

}  // namespace varscope::testing
