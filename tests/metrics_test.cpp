// tf.compat.v1.metrics (accuracy, mean) against TF 1.15 (tests/golden/metrics_tf115.json,
// written by hand with tools/tf115/make_metric_goldens.py): every node each program builds
// (name, type, data inputs, control inputs) in TF's order, the LOCAL_VARIABLES,
// METRIC_VARIABLES and GLOBAL_VARIABLES collections, the update and value over two batches
// on both backends, the reset by local_variables_initializer, TF's errors, and that a
// failed call leaves the graph as it was.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "backend_test.h"
#include "graph_golden.h"

namespace vs = varscope;
namespace metrics = vs::metrics;

namespace {

using varscope::testing::expect_nodes;

const nlohmann::json& golden() {
  static const nlohmann::json g = varscope::testing::read_golden("metrics_tf115.json");
  return g;
}

template <typename T>
std::vector<std::string> names(const std::vector<T>& xs) {
  std::vector<std::string> out;
  for (const T& x : xs)
    out.push_back(x.name());
  return out;
}

struct Placeholders {
  vs::Tensor labels, preds;
};
Placeholders placeholders(vs::Graph& g, vs::DType preds_dtype = vs::DType::kInt64) {
  return {vs::placeholder(g, vs::DType::kInt32, vs::Shape{4}, "labels"),
          vs::placeholder(g, preds_dtype, vs::Shape{4}, "preds")};
}
vs::Tensor values(vs::Graph& g) {
  return vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 3}, "values");
}

// The golden's batch `b` for each placeholder `g` has, in the placeholder's dtype and shape.
vs::FeedDict feeds(const vs::Graph& g, const nlohmann::json& batch) {
  vs::FeedDict out;
  for (const vs::Operation& op : g.operations()) {
    if (op.type() != "Placeholder") continue;
    const vs::Tensor t = op.output(0);
    std::vector<double> flat;
    for (const auto& v : batch[op.name()]) {
      for (const auto& x : v.is_array() ? v : nlohmann::json::array({v}))
        flat.push_back(x.get<double>());
    }
    out.emplace_back(t, vs::HostTensor(flat, t.shape()).cast(t.dtype()));
  }
  return out;
}

using Program = std::function<metrics::Metric(vs::Graph&)>;

void expect_as_tf(const char* key, const Program& build, vs::DeviceKind device) {
  SCOPED_TRACE(key);
  const nlohmann::json& want = golden()[key];
  vs::Graph g;
  const metrics::Metric m = build(g);
  expect_nodes(g, want["nodes"]);
  EXPECT_EQ(names(g.local_variables()), want["local_variables"].get<std::vector<std::string>>());
  EXPECT_EQ(names(g.get_collection(vs::GraphKeys::kMetricVariables)),
            want["metric_variables"].get<std::vector<std::string>>());
  EXPECT_EQ(names(g.global_variables()), want["global_variables"].get<std::vector<std::string>>());
  EXPECT_EQ(names(g.get_collection_tensors(vs::GraphKeys::kUpdateOps)),
            want["update_ops"].get<std::vector<std::string>>());
  EXPECT_EQ(names(g.get_collection_tensors("my_metrics")),
            want["my_metrics"].get<std::vector<std::string>>());
  EXPECT_EQ(m.value.name(), want["value"].get<std::string>());
  EXPECT_EQ(m.update_op.name(), want["update_op"].get<std::string>());

  vs::Session sess(g, {.device = device});
  const vs::Operation init = g.local_variables_initializer();
  sess.run(init);
  const nlohmann::json& batches = golden()["batches"];
  for (std::size_t b = 0; b < batches.size(); ++b) {
    const float update = sess.run(m.update_op, feeds(g, batches[b])).data<float>()[0];
    const float value = sess.run(m.value).data<float>()[0];
    EXPECT_NEAR(update, want["runs"][b][0].get<double>(), 1e-6) << "batch " << b;
    EXPECT_NEAR(value, want["runs"][b][1].get<double>(), 1e-6) << "batch " << b;
  }
  sess.run(init);
  EXPECT_EQ(sess.run(m.value).data<float>()[0], want["after_reset"].get<double>());
}

class Metrics : public vs::testing::BackendTest {};

TEST_P(Metrics, Accuracy) {
  expect_as_tf(
      "accuracy",
      [](vs::Graph& g) {
        const auto [labels, preds] = placeholders(g);
        return metrics::accuracy(labels, preds);
      },
      GetParam());
}

TEST_P(Metrics, AccuracyWeightedTwice) {
  expect_as_tf(
      "accuracy_weighted_twice",
      [](vs::Graph& g) {
        const auto [labels, preds] = placeholders(g);
        const vs::Tensor w = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4}, "weights");
        metrics::accuracy(labels, labels);
        return metrics::accuracy(labels, preds, {.weights = w});
      },
      GetParam());
}

TEST_P(Metrics, AccuracyNamedWithLiteralWeights) {
  expect_as_tf(
      "accuracy_named_literal_weights",
      [](vs::Graph& g) {
        const auto [labels, preds] = placeholders(g, vs::DType::kInt32);
        const vs::HostTensor w(std::vector<double>{1.0, 1.0, 0.0, 2.0}, vs::Shape{4});
        return metrics::accuracy(labels, preds, {.weights = w, .name = "acc"});
      },
      GetParam());
}

TEST_P(Metrics, MeanAfterAnOpNamedMean) {
  expect_as_tf(
      "mean_after_op_named_mean",
      [](vs::Graph& g) {
        const vs::Tensor v = values(g);
        vs::identity(v, "mean");
        return metrics::mean(v);
      },
      GetParam());
}

TEST_P(Metrics, MeanWithBroadcastWeights) {
  expect_as_tf(
      "mean_broadcast_weights",
      [](vs::Graph& g) {
        const vs::Tensor v = values(g);
        const vs::Tensor w =
            vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 1}, "row_weights");
        return metrics::mean(v, {.weights = w});
      },
      GetParam());
}

TEST_P(Metrics, MeanInANameScopeWithCollections) {
  expect_as_tf(
      "mean_in_scope",
      [](vs::Graph& g) {
        const vs::Tensor v = values(g);
        const vs::NameScope scope = g.name_scope("eval");
        return metrics::mean(v, {.metrics_collections = {"my_metrics"},
                                 .updates_collections = {vs::GraphKeys::kUpdateOps},
                                 .name = "loss_mean"});
      },
      GetParam());
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(Metrics);

// TF's ValueError, and the graph exactly as before the failed call.
template <typename F>
void expect_refused(vs::Graph& g, F&& call, const std::string& text) {
  const std::size_t before = g.num_operations();
  const std::size_t locals = g.local_variables().size();
  try {
    call();
    ADD_FAILURE() << "no error";
  } catch (const vs::ValueError& e) {
    EXPECT_EQ(std::string(e.what()), text);
  }
  EXPECT_EQ(g.num_operations(), before);
  EXPECT_EQ(g.local_variables().size(), locals);
  EXPECT_EQ(g.unique_name("accuracy", false), "accuracy");
  EXPECT_EQ(g.unique_name("mean", false), "mean");
  EXPECT_EQ(g.unique_name("remove_squeezable_dimensions", false), "remove_squeezable_dimensions");
}

TEST(MetricErrors, AsTfAndNothingChanges) {
  const nlohmann::json& want = golden()["errors"];
  vs::Graph g;
  const vs::Tensor l4 = vs::placeholder(g, vs::DType::kInt32, vs::Shape{4}, "l4");
  const vs::Tensor l3 = vs::placeholder(g, vs::DType::kInt32, vs::Shape{3}, "l3");
  expect_refused(
      g, [&] { metrics::accuracy(l4, l3); }, want["shapes"].get<std::string>());
  const vs::Tensor v = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 3}, "v");
  const vs::Tensor w = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 2}, "w");
  expect_refused(
      g, [&] { metrics::mean(v, {.weights = w}); }, want["weights_dim"].get<std::string>());
  expect_refused(
      g, [&] { metrics::mean(vs::HostTensor(1.0f)); },
      "mean needs a Tensor input to know its graph");
}

TEST(MetricErrors, UnknownRankIsUnimplemented) {
  vs::Graph g;
  const vs::Tensor labels = vs::placeholder(g, vs::DType::kInt32, vs::Shape::unknown_rank(), "l");
  const vs::Tensor preds = vs::placeholder(g, vs::DType::kInt32, vs::Shape{4}, "p");
  const std::size_t before = g.num_operations();
  EXPECT_THROW(metrics::accuracy(labels, preds), vs::UnimplementedError);
  EXPECT_EQ(g.num_operations(), before);
}

}  // namespace
