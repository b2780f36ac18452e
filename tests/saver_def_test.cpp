// export_meta_graph with a Saver: the "save/" nodes and the SaverDef as TF 1.15's
// tf.train.Saver builds them (tests/golden/graph_def/saver_tf115.pbtxt and
// saver_devices_tf115.pbtxt, tools/tf115/make_saver_def_golden.py): names, op types, inputs,
// devices and attributes. TF's import_meta_graph plus restore through these nodes was run by
// hand (tools/tf115/check_graph_def.py; meta_graph_test compares what TF read back).
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <filesystem>
#include <string>
#include <vector>

#include "graph_def_test_util.h"
#include "varscope_tf/meta_graph.pb.h"

namespace {

using namespace graph_def_test;
namespace tfp = varscope::tf;
using google::protobuf::util::MessageDifferencer;

tfp::MetaGraphDef golden(const char* name) {
  tfp::MetaGraphDef meta;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(read_file(golden_dir() / name), &meta))
      << name;
  return meta;
}

tfp::MetaGraphDef exported(const vs::Graph& g, const vs::Saver& saver) {
  const fs::path path =
      fs::temp_directory_path() / ("vs_saver_def_" + std::to_string(::getpid()) + ".meta");
  vs::export_meta_graph(g, path.string(), {.saver = &saver});
  tfp::MetaGraphDef meta;
  EXPECT_TRUE(meta.ParseFromString(read_file(path)));
  fs::remove(path);
  return meta;
}

// The nodes of `meta` from the first one named `first` on.
std::vector<const tfp::NodeDef*> nodes_from(const tfp::MetaGraphDef& meta,
                                            const std::string& first) {
  std::vector<const tfp::NodeDef*> out;
  for (const tfp::NodeDef& n : meta.graph_def().node())
    if (!out.empty() || n.name() == first) out.push_back(&n);
  return out;
}

std::string text(const google::protobuf::Message& m) {
  std::string s;
  google::protobuf::TextFormat::PrintToString(m, &s);
  return s;
}

// Node for node against TF's, the Assigns' colocation groups (`_class`) included.
void expect_nodes_as_tf(const tfp::MetaGraphDef& ours, const tfp::MetaGraphDef& tf) {
  const std::vector<const tfp::NodeDef*> mine = nodes_from(ours, tf.graph_def().node(0).name());
  ASSERT_EQ(mine.size(), static_cast<std::size_t>(tf.graph_def().node_size()));
  for (int i = 0; i < tf.graph_def().node_size(); ++i) {
    const tfp::NodeDef& want = tf.graph_def().node(i);
    const tfp::NodeDef& got = *mine[static_cast<std::size_t>(i)];
    EXPECT_TRUE(MessageDifferencer::Equals(got, want)) << "node " << i << "\nvarscope:\n"
                                                       << text(got) << "TF 1.15:\n"
                                                       << text(want);
  }
}

TEST(SaverDef, NodesAndSaverDefAsTfSaverBuildsThem) {
  Mlp m(/*train=*/true);
  const tfp::MetaGraphDef tf = golden("saver_tf115.pbtxt");
  const tfp::MetaGraphDef ours = exported(m.g, vs::Saver(m.g));
  EXPECT_TRUE(MessageDifferencer::Equals(ours.saver_def(), tf.saver_def()))
      << text(ours.saver_def()) << " vs TF's " << text(tf.saver_def());
  expect_nodes_as_tf(ours, tf);
  // The model's own nodes come first, unchanged.
  tfp::GraphDef graph;
  ASSERT_TRUE(graph.ParseFromString(vs::graph_def_bytes(m.g)));
  ASSERT_GT(ours.graph_def().node_size(), graph.node_size());
  for (int i = 0; i < graph.node_size(); ++i)
    EXPECT_TRUE(MessageDifferencer::Equals(ours.graph_def().node(i), graph.node(i))) << i;
}

// A partitioned variable: each part saved and restored under the whole's name with its
// slice spec ("7 2 3,2:0,2"), as TF's Saver writes it.
TEST(SaverDef, PartitionedVariablesAsTfSlices) {
  vs::Graph g;
  g.get_partitioned_variable(
      "emb", {.shape = vs::Shape{7, 2}, .partitioner = vs::fixed_size_partitioner(3)});
  g.get_variable("w", {.shape = vs::Shape{2}});
  const tfp::MetaGraphDef tf = golden("saver_partitioned_tf115.pbtxt");
  const tfp::MetaGraphDef ours = exported(g, vs::Saver(g));
  EXPECT_TRUE(MessageDifferencer::Equals(ours.saver_def(), tf.saver_def()));
  expect_nodes_as_tf(ours, tf);
}

TEST(SaverDef, DevicesGroupRestoreAllPerDeviceAsTf) {
  vs::Graph g;
  {
    auto gpu = g.device("/gpu:0");
    g.get_variable("on_gpu", {.shape = vs::Shape{2}});
  }
  {
    auto cpu = g.device("/cpu:0");
    g.get_variable("on_cpu", {.shape = vs::Shape{3}, .dtype = vs::DType::kFloat64});
  }
  g.get_variable("counts", {.shape = vs::Shape{2, 2},
                            .dtype = vs::DType::kInt32,
                            .initializer = vs::zeros_initializer()});
  const tfp::MetaGraphDef tf = golden("saver_devices_tf115.pbtxt");
  const tfp::MetaGraphDef ours = exported(g, vs::Saver(g));
  EXPECT_TRUE(MessageDifferencer::Equals(ours.saver_def(), tf.saver_def()));
  expect_nodes_as_tf(ours, tf);
}

// TF's second Saver of the golden graph (options, and the scope "save_1" since "save" is
// taken): here a node of the graph takes "save".
TEST(SaverDef, OptionsAndAUniquifiedScope) {
  Mlp m(/*train=*/true);
  vs::placeholder(m.g, vs::DType::kFloat32, vs::Shape{}, "Save");  // TF compares lower-cased
  std::vector<vs::Variable> two;
  for (const vs::Variable& v : m.g.global_variables())
    if (v.op_name() == "layer1/b" || v.op_name() == "extra") two.push_back(v);
  ASSERT_EQ(two.size(), 2u);
  const vs::Saver saver(m.g,
                        {.variables = two, .max_to_keep = 2, .keep_checkpoint_every_n_hours = 0.5});
  const tfp::MetaGraphDef tf = golden("saver_options_tf115.pbtxt");
  const tfp::MetaGraphDef ours = exported(m.g, saver);
  EXPECT_TRUE(MessageDifferencer::Equals(ours.saver_def(), tf.saver_def()))
      << text(ours.saver_def()) << " vs TF's " << text(tf.saver_def());
  expect_nodes_as_tf(ours, tf);
}

TEST(SaverDef, NoVariablesOrAnotherGraphIsRefusedAndNothingWritten) {
  vs::Graph g;
  g.get_variable("v", {.shape = vs::Shape{1}});
  vs::Graph other;
  other.get_variable("w", {.shape = vs::Shape{1}});
  const fs::path path =
      fs::temp_directory_path() / ("vs_saver_def_bad_" + std::to_string(::getpid()) + ".meta");
  const vs::Saver none(g, {.variables = std::vector<vs::Variable>{}});
  try {
    vs::export_meta_graph(g, path.string(), {.saver = &none});
    FAIL() << "no error";
  } catch (const vs::ValueError& e) {
    EXPECT_STREQ(e.what(), "No variables to save");
  }
  const vs::Saver foreign(other);
  try {
    vs::export_meta_graph(g, path.string(), {.saver = &foreign});
    FAIL() << "no error";
  } catch (const vs::ValueError& e) {
    EXPECT_STREQ(e.what(), "Variable w:0 is not an element of this graph.");
  }
  EXPECT_FALSE(fs::exists(path));
}

}  // namespace
