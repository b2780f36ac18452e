// The summary ops in the graph (issue 26): tf.compat.v1.summary's scalar, histogram, merge and
// merge_all build TF 1.15's nodes (tests/golden/summary/summary_ops_tf115.json, written by hand
// with tools/tf115/make_summary_goldens.py), their fetched bytes are TF's ops', bad input gets
// TF's texts; and the string dtype under them (HostTensor, constants, feeds, fetches).
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "event_file.h"
#include "gpu_test.h"
#include "graph_golden.h"
#include "test_util.h"

namespace vs = varscope;
namespace fs = std::filesystem;

namespace {

using nlohmann::json;

const json& golden() {
  static const json g = vs::testing::read_golden("summary/summary_ops_tf115.json");
  return g;
}

std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

using vs::testing::error_of;

std::string golden_error(const std::string& key) {
  return golden()["errors"][key]["message"].get<std::string>();
}

// The graph of make_summary_goldens.py's record_ops, and the tensors it fetches by name.
struct SummaryGraph {
  vs::Graph g;
  std::map<std::string, vs::Tensor> fetch;
  std::optional<vs::Tensor> empty;

  SummaryGraph() {
    const vs::Tensor x = vs::constant(g, 0.25f, {.name = "x"});
    const vs::Tensor w = vs::constant(
        g, vs::HostTensor(golden()["values"].get<std::vector<double>>()), {.name = "w"});
    const vs::Tensor ints = vs::constant(
        g, vs::HostTensor(golden()["ints"].get<std::vector<std::int32_t>>()), {.name = "ints"});
    const vs::Tensor loss = vs::summary::scalar("loss", x);
    fetch["loss"] = loss;
    fetch["loss_1"] = vs::summary::scalar("loss", x);
    {
      const vs::NameScope train = g.name_scope("train");
      fetch["train/a_b_c"] = vs::summary::scalar("a b:c", x);
    }
    fetch["opt/lr"] = vs::summary::scalar("lr", x, {vs::GraphKeys::kSummaries}, "opt");
    const vs::Tensor weights = vs::summary::histogram("weights", w);
    fetch["weights"] = weights;
    const vs::Tensor counts = vs::summary::histogram("/counts", ints);
    fetch["counts"] = counts;
    fetch["mine"] = vs::summary::scalar("mine", x, {"mine"});
    fetch["Merge/MergeSummary"] = vs::summary::merge({loss, weights});
    fetch["named/named"] = vs::summary::merge({loss, counts}, {}, "named");
    fetch["Merge_1/MergeSummary"] = *vs::summary::merge_all(g);
    fetch["Merge_2/MergeSummary"] = *vs::summary::merge_all(g, "mine");
    empty = vs::summary::merge_all(g, "empty");
  }
};

// An input's node name as a GraphDef writes it ("x", "x:1").
std::string input_name(const vs::Tensor& t) {
  const std::string name = t.name();
  return name.ends_with(":0") ? name.substr(0, name.size() - 2) : name;
}

json attrs_of(const vs::Operation& op) {
  json out = json::object();
  for (const char* key : {"T", "dtype"}) {
    if (op.has_attr(key)) out[key] = std::string(vs::dtype_name(op.attr_dtype(key)));
  }
  if (op.has_attr("N")) out["N"] = op.attr_int("N");
  if (op.has_attr("value")) {
    const vs::HostTensor v = op.attr_tensor("value");
    json values = json::array();
    if (v.dtype() == vs::DType::kString) {
      for (const std::string& s : v.data<std::string>())
        values.push_back(s);
    } else {
      for (std::int64_t i = 0; i < v.num_elements(); ++i)
        values.push_back(v.element_as_double(i));
    }
    out["value"] = v.shape().rank() == 0 && v.dtype() != vs::DType::kString ? values[0] : values;
  }
  return out;
}

TEST(SummaryOps, GraphIsTfsNodeForNode) {
  SummaryGraph s;
  const std::vector<vs::Operation> ops = s.g.operations();
  const json& want = golden()["nodes"];
  ASSERT_EQ(ops.size(), want.size());
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const vs::Operation& op = ops[i];
    json inputs = json::array();
    for (int k = 0; k < op.num_inputs(); ++k)
      inputs.push_back(input_name(op.input(k)));
    const json got = {
        {"name", op.name()}, {"op", op.type()}, {"inputs", inputs}, {"attrs", attrs_of(op)}};
    json expected = want[i];
    if (expected["attrs"].contains("value") && !expected["attrs"]["value"].is_array() &&
        !expected["attrs"]["value"].is_string()) {
      expected["attrs"]["value"] = expected["attrs"]["value"].get<double>();
    }
    if (expected["attrs"].contains("value") && expected["attrs"]["value"].is_array() &&
        expected["attrs"]["dtype"] != "string") {
      json as_double = json::array();
      for (const json& v : expected["attrs"]["value"])
        as_double.push_back(v.get<double>());
      expected["attrs"]["value"] = as_double;
    }
    EXPECT_EQ(got, expected) << "node " << i;
  }
  std::vector<std::string> collection;
  for (const vs::Tensor& t : s.g.get_collection_tensors(vs::GraphKeys::kSummaries))
    collection.push_back(t.name());
  EXPECT_EQ(collection, golden()["summaries_collection"].get<std::vector<std::string>>());
  EXPECT_FALSE(s.empty.has_value());  // TF's None
}

void expect_tfs_bytes(vs::Session& sess, const SummaryGraph& s) {
  for (const auto& [name, hex] : golden()["fetched"].items()) {
    const vs::HostTensor got = sess.run(s.fetch.at(name));
    ASSERT_EQ(got.dtype(), vs::DType::kString) << name;
    ASSERT_EQ(got.shape(), vs::Shape()) << name;
    EXPECT_EQ(got.data<std::string>()[0], from_hex(hex.get<std::string>())) << name;
  }
}

TEST(SummaryOps, FetchedSummariesAreTfsBytes) {
  SummaryGraph s;
  vs::Session sess(s.g, {.device = vs::DeviceKind::kCpu});
  expect_tfs_bytes(sess, s);
  // Fetched with other values in one run: strings and numbers side by side.
  const std::vector<vs::HostTensor> both =
      sess.run({s.g.get_tensor_by_name("x:0"), s.fetch.at("loss")});
  EXPECT_EQ(both[0].element_as_double(0), 0.25);
  EXPECT_EQ(both[1].data<std::string>()[0], from_hex(golden()["fetched"]["loss"]));
}

class GpuSummaryOps : public vs::testing::GpuTest {};

// A CUDA session runs the summary ops on the host (their inputs copied back), to TF's bytes.
TEST_F(GpuSummaryOps, FetchedSummariesAreTfsBytesOnACudaSession) {
  SummaryGraph s;
  vs::Session sess(s.g, {.device = vs::DeviceKind::kCuda});
  expect_tfs_bytes(sess, s);
}

TEST(SummaryOps, BuildErrorsAreTfsAndChangeNothing) {
  vs::Graph g;
  const vs::Tensor text = vs::constant(g, vs::HostTensor("text"));
  const vs::Tensor one = vs::constant(g, 1.0f);
  const std::size_t before = g.operations().size();
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::summary::scalar("s", text); }),
            golden_error("scalar_of_string"));
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::summary::histogram("s", text); }),
            golden_error("scalar_of_string"));
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::summary::merge({one}); }),
            golden_error("merge_of_float"));
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::summary::merge({}); }),
            golden_error("merge_of_none"));
  EXPECT_EQ(g.operations().size(), before);
  EXPECT_TRUE(g.get_collection_tensors(vs::GraphKeys::kSummaries).empty());
  // The scope a failed call entered is free again: the next "s" is "s", not "s_1".
  EXPECT_EQ(vs::summary::scalar("s", one).name(), "s:0");
}

TEST(SummaryOps, RunErrorsAreTfsTexts) {
  vs::Graph g;
  const vs::Tensor vec =
      vs::summary::scalar("vec", vs::constant(g, vs::HostTensor(std::vector<float>{1.0f, 2.0f})));
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const vs::Tensor nan_h =
      vs::summary::histogram("nan", vs::constant(g, vs::HostTensor(std::vector<float>{1.0f, nan})));
  const vs::Tensor inf_h =
      vs::summary::histogram("inf", vs::constant(g, vs::HostTensor(std::vector<float>{INFINITY})));
  const vs::Tensor dup = vs::summary::scalar("dup", vs::constant(g, 1.0f));
  const vs::Tensor feed = vs::placeholder(g, vs::DType::kString, vs::Shape(), "feed");
  const vs::Tensor merged = vs::summary::merge({dup, feed});
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  const auto first_line = [](const std::string& s) { return s.substr(0, s.find('\n')); };
  EXPECT_EQ(first_line(error_of<vs::InvalidArgumentError>([&] { sess.run(vec); })),
            golden_error("scalar_of_vector"));
  EXPECT_EQ(first_line(error_of<vs::InvalidArgumentError>([&] { sess.run(nan_h); })),
            golden_error("histogram_nan"));
  EXPECT_EQ(first_line(error_of<vs::InvalidArgumentError>([&] { sess.run(inf_h); })),
            golden_error("histogram_inf"));
  const vs::HostTensor one = sess.run(dup);
  EXPECT_EQ(first_line(error_of<vs::InvalidArgumentError>([&] {
              sess.run(merged, {{feed, one}});
            })),
            golden_error("merge_duplicate"));
  EXPECT_EQ(first_line(error_of<vs::InvalidArgumentError>([&] {
              sess.run(merged, {{feed, vs::HostTensor("\xff\xff")}});
            })),
            golden_error("merge_garbage"));
  // The session is still usable.
  EXPECT_EQ(sess.run(dup), one);
}

TEST(StringTensors, HoldPrintAndCompare) {
  const vs::HostTensor s({std::string("loss"), std::string("a'b"), std::string("\x01\n")},
                         vs::Shape{3});
  EXPECT_EQ(s.dtype(), vs::DType::kString);
  EXPECT_EQ(s.nbytes(), 0u);
  EXPECT_EQ(s.to_string(), "[b'loss' b\"a'b\" b'\\x01\\n']");
  EXPECT_EQ(vs::HostTensor("x").to_string(), "b'x'");
  EXPECT_EQ(vs::HostTensor(vs::DType::kString, vs::Shape{2}).data<std::string>()[1], "");
  EXPECT_EQ(vs::HostTensor("a"), vs::HostTensor(std::string("a")));
  EXPECT_NE(vs::HostTensor("a"), vs::HostTensor("b"));
  EXPECT_EQ(vs::dtype_name(vs::DType::kString), "string");
  EXPECT_EQ(vs::dtype_from_name("string"), vs::DType::kString);
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { s.element_as_double(0); }),
            "HostTensor holds string, not numbers: read data<std::string>()");
  EXPECT_EQ(error_of<vs::UnimplementedError>([&] { s.cast(vs::DType::kFloat32); }),
            "Cast string to float32 is not supported");
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { s.data<float>(); }),
            "HostTensor holds string, not float32");
}

TEST(StringTensors, ConstantsFeedsAndFetches) {
  vs::Graph g;
  const vs::Tensor c =
      vs::constant(g, vs::HostTensor({std::string("a"), std::string("bc")}, vs::Shape{2}));
  EXPECT_EQ(c.dtype(), vs::DType::kString);
  const vs::Tensor filled = vs::constant(g, vs::HostTensor("z"), {.shape = vs::Shape{3}});
  const vs::Tensor p = vs::placeholder(g, vs::DType::kString, vs::Shape{vs::kUnknownDim});
  const vs::Tensor id = vs::identity(p);
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::constant(g, 1.0f, {.dtype = vs::DType::kString}); }),
            "Expected string, got 1.0 of type 'float' instead.");
  EXPECT_EQ(error_of<vs::TypeError>(
                [&] { vs::constant(g, vs::HostTensor("a"), {.dtype = vs::DType::kFloat32}); }),
            "Expected float32, got 'a' of type 'str' instead.");
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  EXPECT_EQ(sess.run(c), vs::HostTensor({std::string("a"), std::string("bc")}, vs::Shape{2}));
  EXPECT_EQ(sess.run(filled).to_string(), "[b'z' b'z' b'z']");
  const vs::HostTensor fed({std::string("x"), std::string(""), std::string("yz")}, vs::Shape{3});
  EXPECT_EQ(sess.run(id, {{p, fed}}), fed);
  EXPECT_EQ(sess.run(p, {{p, fed}}), fed);
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess.run(id, {{p, vs::HostTensor(1.0f)}});
            }).substr(0, 38),
            "Cannot feed value of dtype float32 for");
}

TEST(StringTensors, OpsWithoutAStringKernelAreRefusedBeforeTheRun) {
  vs::Graph g;
  const vs::Tensor c =
      vs::constant(g, vs::HostTensor({std::string("a"), std::string("b")}, vs::Shape{2}));
  const vs::Tensor r = vs::reshape(c, std::vector<std::int64_t>{2, 1});
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  EXPECT_EQ(error_of<vs::UnimplementedError>([&] { sess.run(r); }),
            "Reshape on string: varscope keeps strings on the host, where only Const, "
            "Placeholder, Identity and the summary ops take them");
  // TF's own type lists still refuse strings where TF does.
  EXPECT_NE(error_of<vs::TypeError>([&] { vs::tanh(c); }).find("DataType string not in list"),
            std::string::npos);
}

TEST(StringTensors, GraphDefRoundTripKeepsStringConstantsAndSummaryOps) {
  SummaryGraph s;
  const std::string bytes = vs::graph_def_bytes(s.g);
  vs::Graph imported;
  vs::import_graph_def(imported, bytes, {.name = ""});
  ASSERT_EQ(imported.operations().size(), s.g.operations().size());
  EXPECT_EQ(imported.get_operation_by_name("loss/tags").attr_tensor("value"),
            vs::HostTensor("loss"));
  vs::Session sess(imported, {.device = vs::DeviceKind::kCpu});
  EXPECT_EQ(sess.run(imported.get_tensor_by_name("Merge_1/MergeSummary:0")).data<std::string>()[0],
            from_hex(golden()["fetched"]["Merge_1/MergeSummary"]));
}

TEST(StringTensors, GraphDefRoundTripKeepsAStringPlaceholder) {
  vs::Graph g;
  vs::identity(vs::placeholder(g, vs::DType::kString, vs::Shape{2}, "names"), "same");
  vs::Graph imported;
  vs::import_graph_def(imported, vs::graph_def_bytes(g), {.name = ""});
  const vs::Tensor names = imported.get_tensor_by_name("names:0");
  EXPECT_EQ(names.dtype(), vs::DType::kString);
  vs::Session sess(imported, {.device = vs::DeviceKind::kCpu});
  const vs::HostTensor fed({std::string("a"), std::string("b")}, vs::Shape{2});
  EXPECT_EQ(sess.run(imported.get_tensor_by_name("same:0"), {{names, fed}}), fed);
}

TEST(StringTensors, FileWriterTakesAFetchedSummary) {
  SummaryGraph s;
  vs::Session sess(s.g, {.device = vs::DeviceKind::kCpu});
  const fs::path dir = fs::temp_directory_path() / ("vs_summary_ops_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  std::string path;
  {
    vs::summary::FileWriter writer(dir.string());
    path = writer.path();
    writer.add_summary(sess.run(s.fetch.at("Merge_1/MergeSummary")), 7);
    EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { writer.add_summary(vs::HostTensor(1.0f)); }),
              "FileWriter::add_summary: a summary is a string scalar, got float32 of shape ()");
  }
  const auto events = vs::testing::read_events(path);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].step(), 7);
  std::vector<std::string> tags;
  for (const auto& v : events[1].summary().value())
    tags.push_back(v.tag());
  EXPECT_EQ(tags, (std::vector<std::string>{"loss", "loss_1", "train/a_b_c", "opt/opt/lr",
                                            "weights", "counts"}));
  fs::remove_all(dir);
}

}  // namespace
