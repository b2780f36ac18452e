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

#include "graph_def_test_util.h"
#include "test_util.h"
#include "varscope_tf/graph.pb.h"

namespace vs = varscope;
namespace fs = std::filesystem;

namespace {

using namespace graph_def_test;

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
