// export_meta_graph (tf.train.export_meta_graph) with a checkpoint vs::Saver wrote: TF 1.15's
// import_meta_graph plus restore rebuilt the trained model from the two and computed the
// loss before and after one more Adam step (tests/golden/graph_def/, checked by hand with
// tools/tf115/check_graph_def.py); varscope writes those same bytes and computes that loss.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "graph_def_test_util.h"
#include "varscope_tf/meta_graph.pb.h"

namespace {

using namespace graph_def_test;

constexpr int kStepsBeforeSave = 3;

struct Trained {
  Mlp m{/*train=*/true};
  vs::Session sess{m.g, {.device = vs::DeviceKind::kCpu}};
  Trained() {
    sess.run(m.g.global_variables_initializer());
    for (int i = 0; i < kStepsBeforeSave; ++i)
      sess.run({}, feeds_of(m), {m.train_op});
  }
};

TEST(MetaGraph, TheFilesAreThoseTfRestoredAndTrainedFrom) {
  Trained t;
  const fs::path dir = fs::temp_directory_path() / ("vs_meta_graph_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  vs::export_meta_graph(t.m.g, (dir / "mlp_train.meta").string());
  vs::Saver(t.m.g).save(t.sess, (dir / "mlp_train.ckpt").string(), {.write_state = false});
  for (const char* name :
       {"mlp_train.meta", "mlp_train.ckpt.index", "mlp_train.ckpt.data-00000-of-00001"}) {
    EXPECT_EQ(read_file(dir / name), read_file(golden_dir() / name))
        << name << " changed: check the new files in " << dir.string()
        << " with tools/tf115/check_graph_def.py before committing them as the golden";
  }
  if (!HasFailure()) fs::remove_all(dir);
}

TEST(MetaGraph, ComputesWhatTfComputedFromThem) {
  const nlohmann::json& tf = tf_results()["restored"];
  Trained t;
  const vs::FeedDict feeds = feeds_of(t.m);
  EXPECT_NEAR(t.sess.run(t.m.loss, feeds).data<float>()[0], tf["loss"].get<double>(), 1e-6);
  t.sess.run({}, feeds, {t.m.train_op});
  EXPECT_NEAR(t.sess.run(t.m.loss, feeds).data<float>()[0], tf["loss_after_step"].get<double>(),
              1e-6);
}

// Every variable collection, as TF's Variable.to_proto writes its members.
TEST(MetaGraph, HoldsTheVariableCollectionsAsTfVariableDefs) {
  Mlp m(/*train=*/true);
  const fs::path path = fs::temp_directory_path() / ("vs_meta_" + std::to_string(::getpid()));
  vs::export_meta_graph(m.g, path.string());
  varscope::tf::MetaGraphDef meta;
  ASSERT_TRUE(meta.ParseFromString(read_file(path)));
  fs::remove(path);
  varscope::tf::GraphDef graph;
  ASSERT_TRUE(graph.ParseFromString(vs::graph_def_bytes(m.g)));
  ASSERT_EQ(meta.graph_def().node_size(), graph.node_size());
  for (int i = 0; i < graph.node_size(); ++i)
    EXPECT_EQ(meta.graph_def().node(i).name(), graph.node(i).name());
  std::set<std::string> trainable;
  for (const vs::Variable& v : m.g.trainable_variables())
    trainable.insert(v.name());
  for (const char* key : {"variables", "trainable_variables"}) {
    const std::vector<vs::Variable> vars = m.g.get_collection(key);
    ASSERT_TRUE(meta.collection_def().contains(key)) << key;
    const auto& list = meta.collection_def().at(key).bytes_list();
    ASSERT_EQ(list.value_size(), static_cast<int>(vars.size())) << key;
    for (int i = 0; i < list.value_size(); ++i) {
      varscope::tf::VariableDef def;
      ASSERT_TRUE(def.ParseFromString(list.value(i)));
      const vs::Variable& v = vars[static_cast<std::size_t>(i)];
      EXPECT_EQ(def.variable_name(), v.name());
      EXPECT_EQ(def.initializer_name(), v.op_name() + "/Assign");
      EXPECT_EQ(def.snapshot_name(), v.op_name() + "/read:0");
      EXPECT_EQ(def.trainable(), trainable.contains(v.name())) << v.name();
    }
  }
}

}  // namespace
