// TensorBoard event files: the summaries are TF 1.15's bytes (tests/golden/summary/, written
// by hand with tools/tf115/make_summary_goldens.py), the file is TFRecords of Events as TF's
// FileWriter writes them (the test's reader, which checks every CRC, first reads TF's own
// file), and a bad call adds nothing.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "event_file.h"
#include "test_util.h"
#include "varscope_tf/event.pb.h"
#include "varscope_tf/graph.pb.h"

namespace vs = varscope;
namespace fs = std::filesystem;
namespace tfp = varscope::tf;

namespace {

using varscope::testing::read_events;
using varscope::testing::read_file;

fs::path golden_dir() {
  return fs::path(VARSCOPE_GOLDEN_DIR) / "summary";
}

std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

const nlohmann::json& golden() {
  static const nlohmann::json g =
      nlohmann::json::parse(read_file(golden_dir() / "summaries_tf115.json"));
  return g;
}

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / (name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir;
}

TEST(Summary, TheReaderReadsTfsOwnEventFile) {
  const std::vector<tfp::Event> events = read_events(golden_dir() / "tf115.tfevents");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].file_version(), "brain.Event:2");
  ASSERT_TRUE(events[1].has_summary());
  EXPECT_EQ(events[1].step(), 3);
  EXPECT_EQ(events[1].summary().value(0).tag(), "loss");
  EXPECT_EQ(events[1].summary().value(0).simple_value(), 0.25f);
}

TEST(Summary, ScalarAndHistogramAreTfsBytes) {
  EXPECT_EQ(vs::summary::scalar_proto("loss", 0.25),
            from_hex(golden()["scalar_loss_0.25"].get<std::string>()));
  const std::vector<double> values = golden()["values"];
  EXPECT_EQ(vs::summary::histogram_proto("weights", values),
            from_hex(golden()["histogram_weights"].get<std::string>()));
}

TEST(Summary, AnEmptyHistogramHasOneEmptyBucketAsTf) {
  tfp::Summary s;
  ASSERT_TRUE(s.ParseFromString(vs::summary::histogram_proto("empty", {})));
  const tfp::HistogramProto& h = s.value(0).histo();
  EXPECT_EQ(h.num(), 0.0);
  ASSERT_EQ(h.bucket_size(), 1);
  EXPECT_EQ(h.bucket(0), 0.0);
  EXPECT_EQ(h.bucket_limit(0), DBL_MAX);
}

vs::Graph small_graph() {
  vs::Graph g;
  auto scope = g.variable_scope("layer");
  const vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 3}, "x");
  const vs::Variable w = g.get_variable("w", {.shape = vs::Shape{3, 1}});
  vs::reduce_sum(vs::square(vs::matmul(x, w)));
  return g;
}

TEST(Summary, FileWriterWritesTheVersionTheGraphAndTheSummaries) {
  const vs::Graph g = small_graph();
  const fs::path dir = fresh_dir("vs_summary");
  std::string path;
  {
    vs::summary::FileWriter writer(dir.string(), g);
    path = writer.path();
    EXPECT_EQ(writer.get_logdir(), dir.string());
    for (int step = 0; step < 3; ++step)
      writer.add_summary(vs::summary::scalar_proto("loss", 1.0 / (step + 1)), step);
    const std::vector<double> values{1, 2, 3};
    writer.add_summary(vs::summary::histogram_proto("w", values), 2);
  }  // the destructor flushes
  EXPECT_TRUE(std::regex_match(fs::path(path).filename().string(),
                               std::regex(R"(events\.out\.tfevents\.\d{10}\..+)")))
      << path;
  const std::vector<tfp::Event> events = read_events(path);
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[0].file_version(), "brain.Event:2");
  EXPECT_EQ(events[1].graph_def(), vs::graph_def_bytes(g));
  for (int step = 0; step < 3; ++step) {
    const tfp::Event& e = events[static_cast<std::size_t>(2 + step)];
    EXPECT_EQ(e.step(), step);
    EXPECT_EQ(e.summary().value(0).tag(), "loss");
    EXPECT_FLOAT_EQ(e.summary().value(0).simple_value(), 1.0f / static_cast<float>(step + 1));
    EXPECT_GT(e.wall_time(), 1.6e9);  // seconds since the epoch
  }
  EXPECT_EQ(events[5].summary().value(0).histo().num(), 3.0);
  fs::remove_all(dir);
}

// A training graph holds varscope's gradient helpers: TensorBoard draws them by name.
TEST(Summary, AddGraphTakesATrainingGraph) {
  vs::Graph g = small_graph();
  vs::train::GradientDescentOptimizer(0.1).minimize(g.get_tensor_by_name("layer/Sum:0"));
  const fs::path dir = fresh_dir("vs_summary_train");
  vs::summary::FileWriter writer(dir.string(), g);
  writer.close();
  const std::vector<tfp::Event> events = read_events(writer.path());
  ASSERT_EQ(events.size(), 2u);
  tfp::GraphDef def;
  ASSERT_TRUE(def.ParseFromString(events[1].graph_def()));
  EXPECT_EQ(def.node_size(), static_cast<int>(g.num_operations()));
  fs::remove_all(dir);
}

TEST(Summary, BadBytesOrAClosedWriterAddNothing) {
  const fs::path dir = fresh_dir("vs_summary_bad");
  vs::summary::FileWriter writer(dir.string());
  EXPECT_EQ(vs::testing::error_of<vs::InvalidArgumentError>(
                [&] { writer.add_summary(std::string("\xff\xff\xff", 3)); }),
            "FileWriter::add_summary: the bytes are not a serialized Summary");
  writer.close();
  writer.close();  // again: nothing
  const std::string closed = vs::testing::error_of<vs::FailedPreconditionError>(
      [&] { writer.add_summary(vs::summary::scalar_proto("loss", 1)); });
  EXPECT_NE(closed.find("is closed"), std::string::npos) << closed;
  EXPECT_EQ(read_events(writer.path()).size(), 1u);  // the version alone
  fs::remove_all(dir);
}

TEST(Summary, TwoWritersInOneDirectoryGetTwoFiles) {
  const fs::path dir = fresh_dir("vs_summary_two");
  vs::summary::FileWriter a(dir.string()), b(dir.string());
  EXPECT_NE(a.path(), b.path());
  fs::remove_all(dir);
}

}  // namespace
