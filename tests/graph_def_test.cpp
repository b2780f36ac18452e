// write_graph (tf.io.write_graph): the GraphDef of a small model, byte for byte the file
// that TF 1.15 imported and ran (tests/golden/graph_def/; tools/tf115/check_graph_def.py,
// run by hand, recorded what TF computed from it), read back by protobuf in both formats;
// a graph with a varscope-only op is refused and nothing is written.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"
#include "varscope_tf/graph.pb.h"

namespace vs = varscope;
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path golden_dir() {
  return fs::path(VARSCOPE_GOLDEN_DIR) / "graph_def";
}

// A two-layer classifier: placeholders, variables under scopes (constant initial values,
// so TF computes the same numbers, and one glorot-initialized variable to show TF runs
// varscope's random ops), MatMul, BiasAdd, Relu, the sparse loss and its mean, Softmax.
struct Mlp {
  vs::Graph g;
  vs::Tensor x, labels, loss, probs;
  Mlp() {
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
  }
};

TEST(GraphDef, TheTextIsTheFileTfImportedAndRan) {
  Mlp m;
  const fs::path dir = fs::temp_directory_path() / ("vs_graph_def_" + std::to_string(::getpid()));
  const std::string path = vs::write_graph(m.g, dir.string(), "mlp.pbtxt");
  EXPECT_EQ(path, (dir / "mlp.pbtxt").string());
  EXPECT_EQ(read_file(path), read_file(golden_dir() / "mlp.pbtxt"))
      << "the GraphDef changed: check the new file (" << path
      << ") with tools/tf115/check_graph_def.py before committing it as the golden";
  if (!HasFailure()) fs::remove_all(dir);  // else kept, to be checked
}

TEST(GraphDef, RunsToTheNumbersTfComputedFromIt) {
  const nlohmann::json tf = nlohmann::json::parse(read_file(golden_dir() / "mlp_tf115.json"));
  Mlp m;
  vs::Session sess(m.g, {.device = vs::DeviceKind::kCpu});
  sess.run(m.g.global_variables_initializer());
  const vs::FeedDict feeds{
      {m.x, vs::HostTensor(tf["x"].get<std::vector<double>>(), vs::Shape{3, 4})
                .cast(vs::DType::kFloat32)},
      {m.labels, vs::HostTensor(tf["labels"].get<std::vector<std::int32_t>>(), vs::Shape{3})}};
  const vs::HostTensor loss = sess.run(m.loss, feeds);
  EXPECT_NEAR(loss.data<float>()[0], tf["loss"].get<double>(), 1e-6);
  const vs::HostTensor probs = sess.run(m.probs, feeds);
  const std::vector<double> want = tf["probs"];
  ASSERT_EQ(probs.num_elements(), static_cast<std::int64_t>(want.size()));
  for (std::size_t i = 0; i < want.size(); ++i)
    EXPECT_NEAR(probs.data<float>()[i], want[i], 1e-6) << i;
}

// Both formats parse as TF's GraphDef and hold every node, its type and its inputs.
TEST(GraphDef, BothFormatsHoldEveryNodeWithItsInputs) {
  Mlp m;
  const fs::path dir = fs::temp_directory_path() / ("vs_graph_def_b_" + std::to_string(::getpid()));
  varscope::tf::GraphDef binary;
  ASSERT_TRUE(binary.ParseFromString(
      read_file(vs::write_graph(m.g, dir.string(), "mlp.pb", {.as_text = false}))));
  fs::remove_all(dir);
  const std::vector<vs::Operation> ops = m.g.operations();
  ASSERT_EQ(binary.node_size(), static_cast<int>(ops.size()));
  EXPECT_EQ(binary.versions().producer(), 134);  // TF 1.15's
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const auto& node = binary.node(static_cast<int>(i));
    EXPECT_EQ(node.name(), ops[i].name());
    EXPECT_EQ(node.op(), ops[i].type());
    std::vector<std::string> inputs;
    for (int k = 0; k < ops[i].num_inputs(); ++k) {
      const vs::Tensor t = ops[i].input(k);
      inputs.push_back(t.value_index() == 0 ? t.op().name() : t.name());
    }
    for (const vs::Operation& c : ops[i].control_inputs()) {
      std::string control = c.name();
      control.insert(control.begin(), '^');  // not "^" + ...: GCC 12's -Wrestrict false positive
      inputs.push_back(control);
    }
    EXPECT_EQ(std::vector<std::string>(node.input().begin(), node.input().end()), inputs);
  }
}

TEST(GraphDef, AVarscopeOnlyOpIsRefusedAndNothingIsWritten) {
  Mlp m;
  vs::gradients({m.loss}, m.g.trainable_variables());  // SumToShape / BroadcastToShape
  const fs::path dir = fs::temp_directory_path() / ("vs_graph_def_c_" + std::to_string(::getpid()));
  const std::string message = vs::testing::error_of<vs::UnimplementedError>(
      [&] { vs::write_graph(m.g, dir.string(), "g.pbtxt"); });
  EXPECT_NE(message.find("a varscope gradient helper that TF has no op for"), std::string::npos)
      << message;
  EXPECT_FALSE(fs::exists(dir / "g.pbtxt"));
  fs::remove_all(dir);
}

}  // namespace
