// import_graph_def (tf.import_graph_def) and train::import_meta_graph: TF 1.15's names, texts
// and numbers. The TF-trained model is tests/golden/import_meta_graph/ (made by hand with
// tools/tf115/make_import_fixtures.py): imported, restored from TF's checkpoint and run, it
// gives TF's outputs.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "graph_def_test_util.h"

namespace {

namespace vs = varscope;
namespace fs = std::filesystem;
using graph_def_test::Mlp;
using graph_def_test::read_file;

fs::path fixture_dir() {
  return fs::path(VARSCOPE_GOLDEN_DIR) / "import_meta_graph";
}

const nlohmann::json& tf_fixture() {
  static const nlohmann::json tf =
      nlohmann::json::parse(read_file(fixture_dir() / "import_tf115.json"));
  return tf;
}

std::vector<float> floats(const vs::HostTensor& t) {
  const auto d = t.data<float>();
  return {d.begin(), d.end()};
}

std::vector<float> flat(const nlohmann::json& rows) {
  std::vector<float> out;
  for (const auto& row : rows)
    for (const auto& v : row)
      out.push_back(v.get<float>());
  return out;
}

void expect_near(const std::vector<float>& got, const std::vector<float>& want, double tol) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], tol) << "element " << i;
}

std::vector<std::string> names_of(const std::vector<vs::Variable>& vars) {
  std::vector<std::string> out;
  for (const vs::Variable& v : vars)
    out.push_back(v.op_name());
  return out;
}

TEST(ImportMetaGraph, TfTrainedModelRestoresAndRunsToTfsOutputs) {
  const nlohmann::json& tf = tf_fixture();
  vs::Graph g;
  vs::train::import_meta_graph(g, (fixture_dir() / tf["meta"].get<std::string>()).string());

  // Every node of TF's graph but the Saver's, with its op type; nothing else.
  std::vector<std::pair<std::string, std::string>> got, want;
  for (const vs::Operation& op : g.operations())
    got.emplace_back(op.name(), op.type());
  for (const auto& n : tf["nodes"])
    want.emplace_back(n[0].get<std::string>(), n[1].get<std::string>());
  EXPECT_EQ(got, want);

  EXPECT_EQ(names_of(g.global_variables()),
            tf["collections"]["variables"].get<std::vector<std::string>>());
  EXPECT_EQ(names_of(g.trainable_variables()),
            tf["collections"]["trainable_variables"].get<std::vector<std::string>>());
  ASSERT_TRUE(vs::train::get_global_step(g).valid());
  EXPECT_EQ(vs::train::get_global_step(g).op_name(), "global_step");

  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  const auto latest = vs::train::latest_checkpoint(fixture_dir().string());
  ASSERT_TRUE(latest.has_value());
  vs::Saver(g).restore(sess, *latest);

  const vs::FeedDict feeds{
      {g.get_tensor_by_name("x:0"), vs::HostTensor(flat(tf["x"]), vs::Shape{3, 4})},
      {g.get_tensor_by_name("labels:0"),
       vs::HostTensor(tf["labels"].get<std::vector<std::int32_t>>(), vs::Shape{3})}};
  const std::vector<vs::HostTensor> out =
      sess.run({g.get_tensor_by_name("logits:0"), g.get_tensor_by_name("probs:0"),
                g.get_tensor_by_name("loss:0")},
               feeds);
  expect_near(floats(out[0]), flat(tf["logits"]), 1e-5);
  expect_near(floats(out[1]), flat(tf["probs"]), 1e-6);
  EXPECT_NEAR(out[2].data<float>()[0], tf["loss"].get<double>(), 1e-6);
  EXPECT_EQ(sess.run(vs::train::get_global_step(g)).data<std::int64_t>()[0],
            tf["global_step"].get<std::int64_t>());
}

TEST(ImportMetaGraph, TheImportedVariablesInitializeAsTfs) {
  const nlohmann::json& tf = tf_fixture();
  vs::Graph g;
  vs::train::import_meta_graph(g, (fixture_dir() / tf["meta"].get<std::string>()).string());
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  sess.run(g.global_variables_initializer());
  // glorot_uniform's RandomUniform ran: values inside its limit, and the zeros are zeros.
  const vs::HostTensor w = sess.run(g.global_variables()[0]);
  const double limit = std::sqrt(6.0 / (4 + 5));
  for (float v : floats(w))
    EXPECT_LE(std::abs(v), limit);
  for (float v : floats(sess.run(g.global_variables()[1])))
    EXPECT_EQ(v, 0.0f);
}

// varscope's export_meta_graph, imported back: the same names and the same numbers.
TEST(ImportMetaGraph, RoundTripsVarscopesExport) {
  Mlp m;
  const fs::path path = fs::temp_directory_path() / ("vs_import_rt_" + std::to_string(::getpid()));
  vs::export_meta_graph(m.g, path.string());
  vs::Graph g;
  vs::train::import_meta_graph(g, path.string());
  fs::remove(path);
  ASSERT_EQ(g.num_operations(), m.g.num_operations());
  const auto a = m.g.operations();
  const auto b = g.operations();
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(b[i].name(), a[i].name());
    EXPECT_EQ(b[i].type(), a[i].type());
    EXPECT_EQ(b[i].device(), a[i].device());
  }
  EXPECT_EQ(names_of(g.global_variables()), names_of(m.g.global_variables()));
  EXPECT_EQ(names_of(g.trainable_variables()), names_of(m.g.trainable_variables()));
  vs::Session s1(m.g, {.device = vs::DeviceKind::kCpu});
  vs::Session s2(g, {.device = vs::DeviceKind::kCpu});
  s1.run(m.g.global_variables_initializer());
  s2.run(g.global_variables_initializer());
  const vs::FeedDict f1 = graph_def_test::feeds_of(m);
  const vs::FeedDict f2{{g.get_tensor_by_name("x:0"), f1[0].second},
                        {g.get_tensor_by_name("labels:0"), f1[1].second}};
  EXPECT_EQ(floats(s1.run(m.probs, f1)), floats(s2.run(g.get_tensor_by_name(m.probs.name()), f2)));
  EXPECT_EQ(floats(s1.run(m.loss, f1)), floats(s2.run(g.get_tensor_by_name(m.loss.name()), f2)));
  const std::vector<vs::Variable> va = m.g.global_variables();
  const std::vector<vs::Variable> vb = g.global_variables();
  ASSERT_EQ(va.size(), vb.size());
  for (std::size_t i = 0; i < va.size(); ++i)
    EXPECT_EQ(floats(s1.run(va[i])), floats(s2.run(vb[i]))) << va[i].op_name();
}

// A training graph: its SumToShape and BroadcastToShape, written as TF's subgraphs, read back
// as varscope's ops; the imported train op trains to the same losses.
TEST(ImportMetaGraph, RoundTripsVarscopesTrainingGraph) {
  Mlp m(/*train=*/true);
  const fs::path path = fs::temp_directory_path() / ("vs_import_tr_" + std::to_string(::getpid()));
  vs::export_meta_graph(m.g, path.string());
  vs::Graph g;
  vs::train::import_meta_graph(g, path.string());
  fs::remove(path);
  std::vector<std::pair<std::string, std::string>> a, b;
  for (const vs::Operation& op : m.g.operations())
    a.emplace_back(op.name(), op.type());
  for (const vs::Operation& op : g.operations())
    b.emplace_back(op.name(), op.type());
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  EXPECT_EQ(a, b);
  EXPECT_EQ(names_of(g.global_variables()), names_of(m.g.global_variables()));
  vs::Session s1(m.g, {.device = vs::DeviceKind::kCpu});
  vs::Session s2(g, {.device = vs::DeviceKind::kCpu});
  s1.run(m.g.global_variables_initializer());
  s2.run(g.global_variables_initializer());
  const vs::FeedDict f1 = graph_def_test::feeds_of(m);
  const vs::FeedDict f2{{g.get_tensor_by_name("x:0"), f1[0].second},
                        {g.get_tensor_by_name("labels:0"), f1[1].second}};
  const vs::Operation train = g.get_operation_by_name(m.train_op.name());
  for (int step = 0; step < 3; ++step) {
    s1.run({}, f1, {m.train_op});
    s2.run({}, f2, {train});
    EXPECT_EQ(floats(s1.run(m.loss, f1)), floats(s2.run(g.get_tensor_by_name(m.loss.name()), f2)))
        << "step " << step;
  }
}

// write_graph's golden text files (tests/golden/graph_def/, which TF 1.15 imported): read back
// node for node, the training graph's lowered helpers as varscope's ops again.
TEST(ImportGraphDef, ReadsTheGoldenGraphDefFilesBack) {
  for (const bool train : {false, true}) {
    Mlp m(train);
    vs::Graph g;
    const fs::path file = graph_def_test::golden_dir() / (train ? "mlp_train.pbtxt" : "mlp.pbtxt");
    vs::import_graph_def_file(g, file.string(), {.name = ""});
    std::vector<std::pair<std::string, std::string>> a, b;
    for (const vs::Operation& op : m.g.operations())
      a.emplace_back(op.name(), op.type());
    for (const vs::Operation& op : g.operations())
      b.emplace_back(op.name(), op.type());
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    EXPECT_EQ(a, b) << file;
    EXPECT_TRUE(g.global_variables().empty());  // a GraphDef has no collections
  }
}

// A node of an op type varscope has no row for: refused whole, naming the op.
TEST(ImportGraphDef, UnknownOpIsRefusedWholeNamingIt) {
  vs::Graph g;
  vs::constant(g, 1.0f, {.name = "c"});
  const std::string text =
      "node { name: 'c' op: 'Const' attr { key: 'dtype' value { type: DT_INT32 } } attr { key: "
      "'value' value { tensor { dtype: DT_INT32 int_val: 1 } } } }\n"
      "node { name: 'args' op: 'ListDiff' input: 'c' }\n";
  try {
    vs::import_graph_def(g, text);
    ADD_FAILURE() << "imported";
  } catch (const vs::NotFoundError& e) {
    EXPECT_EQ(std::string(e.what()).substr(0, 80),
              std::string("Op type not registered 'ListDiff' in binary running "
                          "varscope. varscope imports these op types: ")
                  .substr(0, 80));
    EXPECT_NE(std::string(e.what()).find("MatMul, "), std::string::npos);
  }
  EXPECT_EQ(g.num_operations(), 1u);
  EXPECT_EQ(g.unique_name("import", false), "import");
}

}  // namespace
