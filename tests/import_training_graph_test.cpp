// train::import_meta_graph of training graphs TF 1.15 built (tests/golden/import_meta_graph/
// train/, made by hand with tools/tf115/make_import_fixtures.py): TF's gradients/ nodes
// (BiasAddGrad, ReluGrad, PreventGradient, BroadcastGradientArgs, Sum, Reshape, transposed
// MatMuls), Adam's and GradientDescent's updates and the Saver's nodes. Restored from TF's
// checkpoint by vs::Saver, two runs of the imported train op give TF's loss and variables,
// on both backends.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "backend_test.h"
#include "graph_def_test_util.h"

namespace {

namespace vs = varscope;
namespace fs = std::filesystem;
using graph_def_test::read_file;

fs::path train_dir() {
  return fs::path(VARSCOPE_GOLDEN_DIR) / "import_meta_graph" / "train";
}

const nlohmann::json& tf_steps() {
  static const nlohmann::json tf = nlohmann::json::parse(
      read_file(fs::path(VARSCOPE_GOLDEN_DIR) / "import_meta_graph" / "train_tf115.json"));
  return tf;
}

std::vector<float> flat(const nlohmann::json& rows) {
  std::vector<float> out;
  for (const auto& row : rows)
    for (const auto& v : row)
      out.push_back(v.get<float>());
  return out;
}

class ImportTrainingGraph : public vs::testing::BackendTest {};

void trains_as_tf(const std::string& kind, vs::DeviceKind device) {
  SCOPED_TRACE(kind);
  const nlohmann::json& tf = tf_steps();
  const nlohmann::json& model = tf[kind];
  vs::Graph g;
  vs::train::import_meta_graph(g, (train_dir() / model["meta"].get<std::string>()).string());
  vs::Session sess(g, {.device = device});
  vs::Saver(g).restore(sess, (train_dir() / model["prefix"].get<std::string>()).string());
  const vs::FeedDict feeds{
      {g.get_tensor_by_name("x:0"), vs::HostTensor(flat(tf["x"]), vs::Shape{3, 4})},
      {g.get_tensor_by_name("labels:0"),
       vs::HostTensor(tf["labels"].get<std::vector<std::int32_t>>(), vs::Shape{3})}};
  const vs::Tensor loss = g.get_tensor_by_name("loss:0");
  // TF's file lists the train op in its "train_op" collection, where a TF user finds it.
  const std::vector<vs::Operation> train_ops = g.get_collection_operations("train_op");
  ASSERT_EQ(train_ops.size(), 1u);
  EXPECT_EQ(train_ops[0].name(), model["train_op"].get<std::string>());
  const vs::Operation train = train_ops[0];
  int step = 0;
  for (const nlohmann::json& want : model["steps"]) {
    SCOPED_TRACE("step " + std::to_string(step++));
    const std::vector<vs::HostTensor> got = sess.run({loss}, feeds, {train});
    EXPECT_NEAR(got[0].element_as_double(0), want["loss"].get<double>(), 1e-5);
    std::set<std::string> seen;
    for (const vs::Variable& v : g.global_variables()) {
      const nlohmann::json& values = want["variables"][v.op_name()];
      ASSERT_FALSE(values.is_null()) << v.op_name();
      seen.insert(v.op_name());
      const vs::HostTensor t = sess.run(v);
      ASSERT_EQ(static_cast<std::size_t>(t.num_elements()), values.size()) << v.op_name();
      for (std::int64_t i = 0; i < t.num_elements(); ++i)
        EXPECT_NEAR(t.element_as_double(i), values[static_cast<std::size_t>(i)].get<double>(), 2e-5)
            << v.op_name() << " element " << i;
    }
    EXPECT_EQ(seen.size(), want["variables"].size());
  }
}

TEST_P(ImportTrainingGraph, AdamStepsAsTf) {
  trains_as_tf("dense_adam", GetParam());
}

TEST_P(ImportTrainingGraph, GradientDescentStepsAsTf) {
  trains_as_tf("manual_gd", GetParam());
}

// Every op type of TF's graphs but those only the Saver's scope holds (its string ops) is
// imported: none is left out.
TEST(ImportTrainingGraphOps, EveryTfOpTypeImports) {
  for (const char* kind : {"dense_adam", "manual_gd"}) {
    vs::Graph g;
    vs::train::import_meta_graph(
        g, (train_dir() / tf_steps()[kind]["meta"].get<std::string>()).string());
    std::set<std::string> ours;
    for (const vs::Operation& op : g.operations())
      ours.insert(op.type());
    for (const auto& type : tf_steps()[kind]["op_types"]) {
      const std::string t = type.get<std::string>();
      if (t == "SaveV2" || t == "RestoreV2" || t == "PlaceholderWithDefault") continue;
      EXPECT_TRUE(ours.contains(t)) << kind << ": " << t;
    }
  }
}

// TF's _PreventGradientGrad: differentiating through the imported PreventGradient is refused
// with TF's text, and the graph is unchanged.
TEST(ImportTrainingGraphOps, PreventGradientRefusesItsGradient) {
  vs::Graph g;
  vs::train::import_meta_graph(
      g, (train_dir() / tf_steps()["dense_adam"]["meta"].get<std::string>()).string());
  vs::Operation prevent;
  for (const vs::Operation& op : g.operations())
    if (op.type() == "PreventGradient") prevent = op;
  ASSERT_EQ(prevent.type(), "PreventGradient");
  const vs::Tensor sum = vs::reduce_sum(prevent.output(0));
  const std::size_t before = g.num_operations();
  try {
    vs::gradients({sum}, {prevent.input(0)});
    ADD_FAILURE() << "no error";
  } catch (const vs::NotFoundError& e) {
    EXPECT_STREQ(e.what(),
                 "Gradient explicitly disabled. Reason: Currently there is no way to "
                 "take the second derivative of sparse_softmax_cross_entropy_with_logits "
                 "due to the fused implementation's interaction with tf.gradients()");
  }
  EXPECT_EQ(g.num_operations(), before);
}

// BroadcastGradientArgs computed at run time from fed shapes, as TF's BCast, and TF's text
// for shapes that do not broadcast.
TEST(ImportTrainingGraphOps, BroadcastGradientArgsAsTf) {
  const char* text =
      "node { name: 's0' op: 'Placeholder' attr { key: 'dtype' value { type: DT_INT32 } } }\n"
      "node { name: 's1' op: 'Placeholder' attr { key: 'dtype' value { type: DT_INT32 } } }\n"
      "node { name: 'args' op: 'BroadcastGradientArgs' input: 's0' input: 's1' "
      "attr { key: 'T' value { type: DT_INT32 } } }\n";
  vs::Graph g;
  vs::import_graph_def(g, text, {.name = ""});
  const vs::Operation args = g.get_operation_by_name("args");
  EXPECT_EQ(args.output(0).shape(), vs::Shape{vs::kUnknownDim});  // TF's shape function
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  const auto run = [&](std::vector<std::int32_t> a, std::vector<std::int32_t> b) {
    const auto na = static_cast<std::int64_t>(a.size());
    const auto nb = static_cast<std::int64_t>(b.size());
    const std::vector<vs::HostTensor> out =
        sess.run({args.output(0), args.output(1)},
                 {{g.get_tensor_by_name("s0:0"), vs::HostTensor(a, vs::Shape{na})},
                  {g.get_tensor_by_name("s1:0"), vs::HostTensor(b, vs::Shape{nb})}});
    std::vector<std::vector<std::int32_t>> r;
    for (const vs::HostTensor& t : out) {
      const auto d = t.data<std::int32_t>();
      r.emplace_back(d.begin(), d.end());
    }
    return r;
  };
  using V = std::vector<std::vector<std::int32_t>>;
  // TF 1.15's values (tools/tf115 probe of gen_array_ops.broadcast_gradient_args).
  EXPECT_EQ(run({2, 3}, {3}), (V{{}, {0}}));
  EXPECT_EQ(run({1, 3}, {2, 1}), (V{{0}, {1}}));
  EXPECT_EQ(run({1}, {1}), (V{{}, {}}));
  EXPECT_EQ(run({1, 1}, {1}), (V{{0, 1}, {0, 1}}));
  EXPECT_EQ(run({2, 1, 4}, {5, 1}), (V{{1}, {0, 2}}));
  EXPECT_EQ(run({}, {3, 2}), (V{{0, 1}, {}}));
  EXPECT_EQ(run({2, 0}, {1}), (V{{}, {0, 1}}));
  EXPECT_EQ(run({4, 1, 3}, {1, 3}), (V{{1}, {0, 1}}));
  try {
    run({2, 3}, {4});
    ADD_FAILURE() << "no error";
  } catch (const vs::InvalidArgumentError& e) {
    EXPECT_EQ(std::string(e.what()).substr(0, 38), "Incompatible shapes: [2,3] vs. [4]\n\t [");
  }
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(ImportTrainingGraph);

}  // namespace
