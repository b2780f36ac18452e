// write_graph (tf.io.write_graph): the GraphDef of a small model, and of the same model with
// Adam's training step, byte for byte the files that TF 1.15 imported and ran
// (tests/golden/graph_def/; tools/tf115/check_graph_def.py, run by hand, recorded what TF
// computed from them: the forward values, and the loss over training steps, which needs
// varscope's gradient helpers written as TF's ops); read back by protobuf in both formats.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <filesystem>
#include <fstream>
#include <map>
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

const nlohmann::json& tf_results() {
  static const nlohmann::json tf =
      nlohmann::json::parse(read_file(golden_dir() / "mlp_tf115.json"));
  return tf;
}

vs::FeedDict feeds_of(const Mlp& m) {
  const nlohmann::json& tf = tf_results();
  return {{m.x, vs::HostTensor(tf["x"].get<std::vector<double>>(), vs::Shape{3, 4})
                    .cast(vs::DType::kFloat32)},
          {m.labels, vs::HostTensor(tf["labels"].get<std::vector<std::int32_t>>(), vs::Shape{3})}};
}

// write_graph's text of `m` is the golden file `name` byte for byte.
void expect_golden_text(const Mlp& m, const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("vs_graph_def_" + std::to_string(::getpid()));
  const std::string path = vs::write_graph(m.g, dir.string(), name);
  EXPECT_EQ(path, (dir / name).string());
  EXPECT_EQ(read_file(path), read_file(golden_dir() / name))
      << "the GraphDef changed: check the new file (" << path
      << ") with tools/tf115/check_graph_def.py before committing it as the golden";
  if (!::testing::Test::HasFailure()) fs::remove_all(dir);  // else kept, to be checked
}

TEST(GraphDef, TheTextIsTheFileTfImportedAndRan) {
  expect_golden_text(Mlp(), "mlp.pbtxt");
  expect_golden_text(Mlp(/*train=*/true), "mlp_train.pbtxt");
}

TEST(GraphDef, RunsToTheNumbersTfComputedFromIt) {
  const nlohmann::json& tf = tf_results();
  Mlp m;
  vs::Session sess(m.g, {.device = vs::DeviceKind::kCpu});
  sess.run(m.g.global_variables_initializer());
  const vs::FeedDict feeds = feeds_of(m);
  const vs::HostTensor loss = sess.run(m.loss, feeds);
  EXPECT_NEAR(loss.data<float>()[0], tf["loss"].get<double>(), 1e-6);
  const vs::HostTensor probs = sess.run(m.probs, feeds);
  const std::vector<double> want = tf["probs"];
  ASSERT_EQ(probs.num_elements(), static_cast<std::int64_t>(want.size()));
  for (std::size_t i = 0; i < want.size(); ++i)
    EXPECT_NEAR(probs.data<float>()[i], want[i], 1e-6) << i;
}

// TF ran the training graph's "Adam" op on these feeds: the same loss after every step.
TEST(GraphDef, TrainsAsTfTrainedFromIt) {
  const std::vector<double> tf_losses = tf_results()["train_losses"];
  Mlp m(/*train=*/true);
  vs::Session sess(m.g, {.device = vs::DeviceKind::kCpu});
  sess.run(m.g.global_variables_initializer());
  const vs::FeedDict feeds = feeds_of(m);
  for (std::size_t step = 0; step < tf_losses.size(); ++step) {
    EXPECT_NEAR(sess.run(m.loss, feeds).data<float>()[0], tf_losses[step], 1e-5) << step;
    sess.run({}, feeds, {m.train_op});
  }
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

// varscope's gradient helpers are written as TF's ops, the last one under the helper's name.
TEST(GraphDef, GradientHelpersAreWrittenAsTfOps) {
  Mlp m(/*train=*/true);
  varscope::tf::GraphDef def;
  ASSERT_TRUE(def.ParseFromString(vs::graph_def_bytes(m.g)));
  std::map<std::string, std::string> op_of;
  for (const auto& node : def.node())
    op_of[node.name()] = node.op();
  for (const vs::Operation& op : m.g.operations()) {
    if (op.type() == "SumToShape") {
      EXPECT_EQ(op_of[op.name()], "Reshape") << op.name();
    } else if (op.type() == "BroadcastToShape") {  // a Mean's: Tile, then RealDiv
      EXPECT_EQ(op_of[op.name()], op.attr_bool("mean") ? "RealDiv" : "Tile") << op.name();
    }
  }
  EXPECT_EQ(op_of["gradients/Mean_grad/truediv/DynamicStitch"], "DynamicStitch");
}

}  // namespace
