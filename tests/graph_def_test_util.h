// The model graph_def_test.cpp and meta_graph_test.cpp write, and what TF 1.15 computed
// from the files (tests/golden/graph_def/, tools/tf115/check_graph_def.py).
#pragma once

#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace graph_def_test {

namespace vs = varscope;
namespace fs = std::filesystem;

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline fs::path golden_dir() {
  return fs::path(VARSCOPE_GOLDEN_DIR) / "graph_def";
}

// A two-layer classifier: placeholders, variables under scopes (constant initial values,
// so TF computes the same numbers, and one glorot-initialized variable to show TF runs
// varscope's random ops), MatMul, BiasAdd, Relu, the sparse loss and its mean, Softmax.
struct Mlp {
  vs::Graph g;
  vs::Tensor x, labels, loss, probs;
  vs::Operation train_op;  // with `train`: Adam(0.1).minimize(loss), named "Adam"
  explicit Mlp(bool train = false) {
    x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 4}, "x");
    labels = vs::placeholder(g, vs::DType::kInt32, vs::Shape{vs::kUnknownDim}, "labels");
    vs::Tensor h = x;
    const std::vector<std::pair<const char*, std::int64_t>> layers{{"layer1", 3}, {"layer2", 2}};
    std::int64_t in = 4;
    for (const auto& [name, out] : layers) {
      auto scope = g.variable_scope(name);
      std::vector<double> w0;
      for (std::int64_t i = 0; i < in * out; ++i)
        w0.push_back(0.1 * static_cast<double>((i * 7) % 11) - 0.5);
      const vs::Variable w = g.get_variable(
          "w", {.shape = vs::Shape{in, out}, .initializer = vs::constant_initializer(w0)});
      const vs::Variable b = g.get_variable(
          "b", {.shape = vs::Shape{out}, .initializer = vs::constant_initializer(0.1)});
      h = vs::bias_add(vs::matmul(h, w), b);
      if (out != 2) h = vs::relu(h);
      in = out;
    }
    g.get_variable("extra", {.shape = vs::Shape{3, 3},
                             .initializer = vs::glorot_uniform_initializer({.seed = 7})});
    loss = vs::reduce_mean(vs::sparse_softmax_cross_entropy_with_logits(labels, h));
    probs = vs::softmax(h);
    if (train) train_op = vs::train::AdamOptimizer(0.1).minimize(loss);
  }
};

inline const nlohmann::json& tf_results() {
  static const nlohmann::json tf =
      nlohmann::json::parse(read_file(golden_dir() / "mlp_tf115.json"));
  return tf;
}

inline vs::FeedDict feeds_of(const Mlp& m) {
  const nlohmann::json& tf = tf_results();
  return {{m.x, vs::HostTensor(tf["x"].get<std::vector<double>>(), vs::Shape{3, 4})
                    .cast(vs::DType::kFloat32)},
          {m.labels, vs::HostTensor(tf["labels"].get<std::vector<std::int32_t>>(), vs::Shape{3})}};
}

// write_graph's text of `m` is the golden file `name` byte for byte.
inline void expect_golden_text(const Mlp& m, const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("vs_graph_def_" + std::to_string(::getpid()));
  const std::string path = vs::write_graph(m.g, dir.string(), name);
  EXPECT_EQ(path, (dir / name).string());
  EXPECT_EQ(read_file(path), read_file(golden_dir() / name))
      << "the GraphDef changed: check the new file (" << path
      << ") with tools/tf115/check_graph_def.py before committing it as the golden";
  if (!::testing::Test::HasFailure()) fs::remove_all(dir);  // else kept, to be checked
}

}  // namespace graph_def_test
