// export_meta_graph (with the Saver's SaverDef and save/ nodes) and a checkpoint vs::Saver
// wrote: TF 1.15's import_meta_graph plus restore through that SaverDef rebuilt the trained
// model from the two and computed the loss before and after one more Adam step
// (tests/golden/graph_def/, checked by hand with tools/tf115/check_graph_def.py); varscope
// writes those same bytes and computes that loss.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <utility>
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

// Trained values close to the golden's within float32 rounding: three Adam steps on another
// CPU (AVX2 rather than AVX-512 GEMM kernels) round differently in the last bits.
bool close(double ours, double golden) {
  return std::abs(ours - golden) <= 1e-6 + 1e-5 * std::abs(golden);
}

TEST(MetaGraph, TheFilesAreThoseTfRestoredAndTrainedFrom) {
  Trained t;
  const fs::path dir = fs::temp_directory_path() / ("vs_meta_graph_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const vs::Saver saver(t.m.g);
  vs::export_meta_graph(t.m.g, (dir / "mlp_train.meta").string(), {.saver = &saver});
  saver.save(t.sess, (dir / "mlp_train.ckpt").string(), {.write_state = false});
  EXPECT_EQ(read_file(dir / "mlp_train.meta"), read_file(golden_dir() / "mlp_train.meta"))
      << "mlp_train.meta changed: check the new file in " << dir.string()
      << " with tools/tf115/check_graph_def.py before committing it as the golden";
  // The checkpoint's layout byte for byte where it holds no value bits (the same keys, dtypes,
  // shapes and offsets give the same sizes), its values within float32 rounding.
  for (const char* name : {"mlp_train.ckpt.index", "mlp_train.ckpt.data-00000-of-00001"})
    EXPECT_EQ(fs::file_size(dir / name), fs::file_size(golden_dir() / name)) << name;
  const vs::train::CheckpointReader ours =
      vs::train::load_checkpoint((dir / "mlp_train.ckpt").string());
  const vs::train::CheckpointReader golden =
      vs::train::load_checkpoint((golden_dir() / "mlp_train.ckpt").string());
  EXPECT_EQ(ours.variable_to_shape_map(), golden.variable_to_shape_map());
  EXPECT_EQ(ours.variable_to_dtype_map(), golden.variable_to_dtype_map());
  for (const auto& [key, shape] : golden.variable_to_shape_map()) {
    if (!ours.has_tensor(key)) continue;  // named by the map comparison above
    const vs::HostTensor a = ours.get_tensor(key), b = golden.get_tensor(key);
    ASSERT_EQ(a.num_elements(), b.num_elements()) << key;
    for (std::int64_t i = 0; i < a.num_elements(); ++i)
      EXPECT_PRED2(close, a.element_as_double(i), b.element_as_double(i))
          << key << " element " << i;
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

// TF's import_meta_graph built its Saver from the file's SaverDef (save/restore_all, not a
// Saver of its own), restored every variable through the file's RestoreV2 and Assigns to
// varscope's values, and saved through its SaveV2 under the same names.
TEST(MetaGraph, TfRestoredThroughVarscopesSaverDef) {
  const nlohmann::json& tf = tf_results()["restored"];
  EXPECT_EQ(tf["saver_def"]["restore_op_name"], "save/restore_all");
  EXPECT_EQ(tf["saver_def"]["filename_tensor_name"], "save/Const:0");
  EXPECT_EQ(tf["saver_def"]["version"], 2);
  Trained t;
  const vs::Saver saver(t.m.g);
  std::vector<std::string> names;
  for (const auto& [key, v] : saver.var_list()) {
    names.push_back(key);
    const vs::HostTensor value = t.sess.run(v);
    const nlohmann::json& read_back = tf["variables"][key];
    ASSERT_EQ(read_back.size(), static_cast<std::size_t>(value.num_elements())) << key;
    for (std::int64_t i = 0; i < value.num_elements(); ++i)
      EXPECT_PRED2(close, value.element_as_double(i),
                   static_cast<float>(read_back[static_cast<std::size_t>(i)].get<double>()))
          << key << " element " << i;
  }
  EXPECT_EQ(tf["variables"].size(), names.size());
  EXPECT_EQ(tf["saved_names"].get<std::vector<std::string>>(), names);
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

std::vector<std::string> op_names(const std::vector<vs::Operation>& ops) {
  std::vector<std::string> out;
  for (const vs::Operation& op : ops)
    out.push_back(op.name());
  return out;
}

std::vector<std::string> tensor_names(const std::vector<vs::Tensor>& tensors) {
  std::vector<std::string> out;
  for (const vs::Tensor& t : tensors)
    out.push_back(t.name());
  return out;
}

// TF's import_meta_graph of varscope's file found the train op in "train_op" (and ran it:
// the loss after the step above).
TEST(MetaGraph, TfFindsTheTrainOpInItsCollection) {
  const Mlp m(/*train=*/true);
  EXPECT_EQ(op_names(m.g.get_collection_operations("train_op")),
            tf_results()["restored"]["collections"]["train_op"].get<std::vector<std::string>>());
}

// The node lists (ops by name, tensors by "name:i") come back from varscope's own file.
TEST(MetaGraph, NodeListCollectionsRoundTrip) {
  Mlp m(/*train=*/true);
  m.g.add_to_collection(vs::GraphKeys::kLosses, m.loss);
  m.g.add_to_collection("extra", m.probs);
  m.g.add_to_collection("extra", m.train_op);
  const fs::path path = fs::temp_directory_path() / ("vs_meta_nl_" + std::to_string(::getpid()));
  vs::export_meta_graph(m.g, path.string());
  vs::Graph imported;
  vs::train::import_meta_graph(imported, path.string());
  fs::remove(path);
  for (const char* key : {"train_op", "extra"}) {
    EXPECT_EQ(op_names(imported.get_collection_operations(key)),
              op_names(m.g.get_collection_operations(key)))
        << key;
  }
  for (const char* key : {vs::GraphKeys::kLosses, "extra"}) {
    EXPECT_EQ(tensor_names(imported.get_collection_tensors(key)),
              tensor_names(m.g.get_collection_tensors(key)))
        << key;
  }
}

// A node list naming a node the graph lacks is TF's as_graph_element error, and the import
// adds nothing.
TEST(MetaGraph, ANodeListNamingAMissingNodeIsTfsErrorAndChangesNothing) {
  const Mlp m(/*train=*/true);
  const fs::path path = fs::temp_directory_path() / ("vs_meta_bad_" + std::to_string(::getpid()));
  vs::export_meta_graph(m.g, path.string());
  varscope::tf::MetaGraphDef meta;
  ASSERT_TRUE(meta.ParseFromString(read_file(path)));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"nope", "The name 'nope' refers to an Operation not in the graph."},
      {"nope:0",
       "The name 'nope:0' refers to a Tensor which does not exist. The operation, 'nope', does "
       "not exist in the graph."},
      {"Mean:3",
       "The name 'Mean:3' refers to a Tensor which does not exist. The operation, 'Mean', exists "
       "but only has 1 outputs."}};
  for (const auto& [name, text] : cases) {
    varscope::tf::MetaGraphDef bad = meta;
    (*bad.mutable_collection_def())["zzz"].mutable_node_list()->add_value(name);
    std::string bytes;
    ASSERT_TRUE(bad.SerializeToString(&bytes));
    {
      std::ofstream out(path, std::ios::binary);
      out << bytes;
    }
    vs::Graph g;
    try {
      vs::train::import_meta_graph(g, path.string());
      ADD_FAILURE() << name << " was accepted";
    } catch (const vs::NotFoundError& e) {
      EXPECT_EQ(std::string(e.what()), text);
    }
    EXPECT_EQ(g.num_operations(), 0u) << name;
    EXPECT_TRUE(g.get_collection_operations("train_op").empty()) << name;
  }
  fs::remove(path);
}

}  // namespace
