// tf.control_dependencies, tensor collections and tf.compat.v1.losses against TF 1.15
// (tests/golden/losses_tf115.json, written by hand with tools/tf115/make_loss_goldens.py):
// every node each program builds (name, type, data inputs, control inputs) in TF's order,
// the LOSSES and REGULARIZATION_LOSSES collections, the values on both backends, TF's
// errors, and that a failed call leaves the graph as it was.
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
namespace losses = vs::losses;

namespace {

using varscope::testing::expect_nodes;

const nlohmann::json& golden() {
  static const nlohmann::json g = varscope::testing::read_golden("losses_tf115.json");
  return g;
}

std::vector<std::string> names(const std::vector<vs::Tensor>& ts) {
  std::vector<std::string> out;
  for (const vs::Tensor& t : ts)
    out.push_back(t.name());
  return out;
}

vs::HostTensor matrix(const char* key, vs::DType dtype, vs::Shape shape) {
  std::vector<double> flat;
  for (const auto& row : golden()["inputs"][key])
    for (const auto& v : row)
      flat.push_back(v.get<double>());
  return vs::HostTensor(flat, std::move(shape)).cast(dtype);
}

struct Inputs {
  vs::Tensor labels, preds;
};
Inputs inputs(vs::Graph& g) {
  return {vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4, 3}, "labels"),
          vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4, 3}, "preds")};
}

using Fetches = std::vector<std::pair<std::string, vs::Tensor>>;
using Program = std::function<Fetches(vs::Graph&)>;

// The golden's feeds for the placeholders `g` has.
vs::FeedDict feeds(vs::Graph& g) {
  vs::FeedDict out;
  auto feed = [&](const char* name, vs::HostTensor value) {
    for (const vs::Operation& op : g.operations()) {
      if (op.name() == name) out.emplace_back(op.output(0), std::move(value));
    }
  };
  feed("labels", matrix("labels", vs::DType::kFloat32, vs::Shape{4, 3}));
  feed("preds", matrix("preds", vs::DType::kFloat32, vs::Shape{4, 3}));
  feed("weights", matrix("weights", vs::DType::kFloat32, vs::Shape{4, 1}));
  feed("onehot", matrix("onehot", vs::DType::kFloat32, vs::Shape{4, 3}));
  std::vector<std::int32_t> ids;
  for (const auto& v : golden()["inputs"]["ids"])
    ids.push_back(v.get<std::int32_t>());
  feed("ids", vs::HostTensor(ids, vs::Shape{4}));
  return out;
}

void expect_as_tf(const char* key, const Program& build, vs::DeviceKind device) {
  SCOPED_TRACE(key);
  const nlohmann::json& want = golden()[key];
  vs::Graph g;
  const Fetches fetches = build(g);
  expect_nodes(g, want["nodes"]);
  EXPECT_EQ(names(losses::get_losses(g)), want["losses"].get<std::vector<std::string>>());
  EXPECT_EQ(names(losses::get_regularization_losses(g)),
            want["regularization_losses"].get<std::vector<std::string>>());
  for (const auto& [name, t] : fetches)
    EXPECT_EQ(t.name(), want["fetches"][name].get<std::string>()) << name;
  {
    vs::Session sess(g, {.device = device});
    sess.run(g.global_variables_initializer());
    for (const auto& [name, t] : fetches) {
      const vs::HostTensor got = sess.run(t, feeds(g)).cast(vs::DType::kFloat64);
      const nlohmann::json& v = want["values"][name];
      const std::vector<double> expect =
          v.is_array() ? [&] {
            std::vector<double> flat;
            for (const auto& row : v)
              for (const auto& x : row.is_array() ? row : nlohmann::json::array({row}))
                flat.push_back(x.get<double>());
            return flat;
          }()
                       : std::vector<double>{v.get<double>()};
      ASSERT_EQ(static_cast<std::size_t>(got.num_elements()), expect.size()) << name;
      for (std::size_t i = 0; i < expect.size(); ++i)
        EXPECT_NEAR(got.data<double>()[i], expect[i], 1e-5 * (1 + std::abs(expect[i]))) << name;
    }
  }
}

TEST(ControlDependencies, AsTf) {
  vs::Graph g;
  const vs::Tensor a = vs::constant(g, 1.0f, {.name = "a"});
  const vs::Tensor b = vs::constant(g, 2.0f, {.name = "b"});
  {
    const auto outer = g.control_dependencies(std::vector<vs::Operation>{a.op()});
    const vs::Tensor c = vs::constant(g, 3.0f, {.name = "c"});
    vs::add(b, c, "d");
    const vs::Tensor e = vs::identity(b, "e");
    vs::identity(a, "j");
    {
      const auto inner = g.control_dependencies(std::vector<vs::Operation>{b.op(), a.op()});
      vs::identity(e, "f");
      vs::constant(g, 4.0f, {.name = "g"});
    }
    {
      const auto cleared = g.control_dependencies(std::nullopt);
      vs::constant(g, 5.0f, {.name = "h"});
      vs::identity(c, "i");
    }
    g.variable(vs::HostTensor(1.0f), {.name = "v"});
    vs::no_op(g, "n");
  }
  expect_nodes(g, golden()["control_dependencies"]["nodes"]);
}

TEST(ControlDependencies, ForeignOrEmptyOperationIsRefused) {
  vs::Graph g, other;
  const vs::Tensor x = vs::constant(other, 1.0f, {.name = "x"});
  EXPECT_THROW(g.control_dependencies(std::vector<vs::Operation>{x.op()}), vs::ValueError);
  EXPECT_THROW(g.control_dependencies(std::vector<vs::Operation>{vs::Operation()}), vs::ValueError);
  // Nothing is left open: a node built now has no control input.
  EXPECT_TRUE(vs::constant(g, 1.0f).op().control_inputs().empty());
}

TEST(Collections, TensorsAndOpsByKeyAndScope) {
  vs::Graph g;
  const vs::Tensor a = vs::constant(g, 1.0f, {.name = "loss/a"});
  const vs::Tensor b = vs::constant(g, 2.0f, {.name = "b"});
  g.add_to_collection("losses", a);
  g.add_to_collection("losses", b);
  g.add_to_collection("losses", a);  // kept twice, as TF
  g.add_to_collection("update_ops", b.op());
  EXPECT_EQ(names(g.get_collection_tensors("losses")),
            (std::vector<std::string>{"loss/a:0", "b:0", "loss/a:0"}));
  EXPECT_EQ(names(g.get_collection_tensors("losses", "loss")),
            (std::vector<std::string>{"loss/a:0", "loss/a:0"}));
  EXPECT_EQ(names(g.get_collection_tensors("losses", ".*:0")).size(), 3u);
  ASSERT_EQ(g.get_collection_operations("update_ops").size(), 1u);
  EXPECT_EQ(g.get_collection_operations("update_ops")[0].name(), "b");
  EXPECT_TRUE(g.get_collection_tensors("update_ops").empty());
  EXPECT_TRUE(g.get_collection_tensors("nothing").empty());
  vs::Graph other;
  EXPECT_THROW(other.add_to_collection("losses", a), vs::ValueError);
  EXPECT_TRUE(other.get_collection_tensors("losses").empty());
}

class Losses : public vs::testing::BackendTest {};

TEST_P(Losses, MeanSquaredError) {
  expect_as_tf(
      "mean_squared_error",
      [](vs::Graph& g) -> Fetches {
        const Inputs in = inputs(g);
        return {{"loss", losses::mean_squared_error(in.labels, in.preds)}};
      },
      GetParam());
}

TEST_P(Losses, MeanSquaredErrorWithWeightsTensor) {
  expect_as_tf(
      "mean_squared_error_weighted",
      [](vs::Graph& g) -> Fetches {
        const Inputs in = inputs(g);
        const vs::Tensor w = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4, 1}, "weights");
        return {{"loss", losses::mean_squared_error(in.labels, in.preds, {.weights = w})}};
      },
      GetParam());
}

TEST_P(Losses, Reductions) {
  expect_as_tf(
      "mean_squared_error_sum",
      [](vs::Graph& g) -> Fetches {
        const Inputs in = inputs(g);
        return {{"loss", losses::mean_squared_error(
                             in.labels, in.preds,
                             {.weights = 2.0f, .reduction = losses::Reduction::kSum})}};
      },
      GetParam());
  expect_as_tf(
      "mean_squared_error_none",
      [](vs::Graph& g) -> Fetches {
        const Inputs in = inputs(g);
        return {{"loss", losses::mean_squared_error(in.labels, in.preds,
                                                    {.reduction = losses::Reduction::kNone})}};
      },
      GetParam());
  expect_as_tf(
      "mean_squared_error_mean",
      [](vs::Graph& g) -> Fetches {
        const Inputs in = inputs(g);
        const vs::Tensor w = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4, 1}, "weights");
        return {{"loss",
                 losses::mean_squared_error(
                     in.labels, in.preds, {.weights = w, .reduction = losses::Reduction::kMean})}};
      },
      GetParam());
  expect_as_tf(
      "mean_squared_error_sum_over_batch_size",
      [](vs::Graph& g) -> Fetches {
        const Inputs in = inputs(g);
        return {{"loss",
                 losses::mean_squared_error(in.labels, in.preds,
                                            {.reduction = losses::Reduction::kSumOverBatchSize})}};
      },
      GetParam());
}

TEST_P(Losses, AbsoluteDifferenceAndHuber) {
  expect_as_tf(
      "absolute_difference",
      [](vs::Graph& g) -> Fetches {
        const Inputs in = inputs(g);
        return {{"loss", losses::absolute_difference(in.labels, in.preds)}};
      },
      GetParam());
  expect_as_tf(
      "huber_loss",
      [](vs::Graph& g) -> Fetches {
        const Inputs in = inputs(g);
        return {{"loss", losses::huber_loss(in.labels, in.preds, {}, 0.75)}};
      },
      GetParam());
}

TEST_P(Losses, SparseSoftmaxCrossEntropy) {
  expect_as_tf(
      "sparse_softmax_cross_entropy",
      [](vs::Graph& g) -> Fetches {
        const vs::Tensor p = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4, 3}, "preds");
        const vs::Tensor ids = vs::placeholder(g, vs::DType::kInt32, vs::Shape{4}, "ids");
        return {{"loss", losses::sparse_softmax_cross_entropy(ids, p)}};
      },
      GetParam());
}

TEST_P(Losses, SigmoidCrossEntropy) {
  expect_as_tf(
      "sigmoid_cross_entropy",
      [](vs::Graph& g) -> Fetches {
        const Inputs in = inputs(g);
        return {{"loss", losses::sigmoid_cross_entropy(in.labels, in.preds)}};
      },
      GetParam());
  expect_as_tf(
      "sigmoid_cross_entropy_smoothed",
      [](vs::Graph& g) -> Fetches {
        const Inputs in = inputs(g);
        return {{"loss", losses::sigmoid_cross_entropy(in.labels, in.preds, {}, 0.2)}};
      },
      GetParam());
}

TEST_P(Losses, SoftmaxCrossEntropy) {
  for (const char* key : {"softmax_cross_entropy", "softmax_cross_entropy_smoothed"}) {
    const double smoothing = std::string(key).ends_with("smoothed") ? 0.1 : 0;
    expect_as_tf(
        key,
        [&](vs::Graph& g) -> Fetches {
          const vs::Tensor p = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4, 3}, "preds");
          const vs::Tensor onehot =
              vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4, 3}, "onehot");
          return {{"loss", losses::softmax_cross_entropy(onehot, p, {}, smoothing)}};
        },
        GetParam());
  }
}

// The loss's gradient flows back through TF's Reshape/Slice wrapper: d loss / d logits is
// (softmax(logits) - labels) / batch for the default reduction.
TEST_P(Losses, SoftmaxCrossEntropyGradient) {
  vs::Graph g;
  const vs::Tensor p = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4, 3}, "preds");
  const vs::Tensor onehot = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4, 3}, "onehot");
  const vs::Tensor loss = losses::softmax_cross_entropy(onehot, p);
  const vs::Tensor grad = vs::gradients({loss}, {p}).at(0);
  vs::Session sess(g, {.device = GetParam()});
  const vs::HostTensor got = sess.run(grad, feeds(g)).cast(vs::DType::kFloat64);
  const vs::HostTensor preds = matrix("preds", vs::DType::kFloat64, vs::Shape{4, 3});
  const vs::HostTensor labels = matrix("onehot", vs::DType::kFloat64, vs::Shape{4, 3});
  for (int r = 0; r < 4; ++r) {
    double sum = 0;
    for (int c = 0; c < 3; ++c)
      sum += std::exp(preds.data<double>()[r * 3 + c]);
    for (int c = 0; c < 3; ++c) {
      const double softmax = std::exp(preds.data<double>()[r * 3 + c]) / sum;
      EXPECT_NEAR(got.data<double>()[r * 3 + c], (softmax - labels.data<double>()[r * 3 + c]) / 4,
                  1e-6)
          << r << "," << c;
    }
  }
}

TEST_P(Losses, TotalAndRegularizationLoss) {
  expect_as_tf(
      "total_loss",
      [](vs::Graph& g) -> Fetches {
        const Inputs in = inputs(g);
        vs::Variable w;
        {
          const auto scope = g.variable_scope("reg");
          w = g.get_variable("w", {.shape = vs::Shape{3},
                                   .initializer = vs::constant_initializer({0.5, -1.0, 2.0})});
        }
        g.add_to_collection(vs::GraphKeys::kRegularizationLosses,
                            vs::multiply(0.01f, vs::reduce_sum(vs::square(w)), "reg_loss"));
        const vs::Tensor a = losses::mean_squared_error(in.labels, in.preds);
        const vs::Tensor b = losses::absolute_difference(in.labels, in.preds, {.scope = "abs"});
        const vs::Tensor total = losses::get_total_loss(g);
        return {{"a", a},
                {"b", b},
                {"total", total},
                {"regularization", losses::get_regularization_loss(g)}};
      },
      GetParam());
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(Losses);

TEST(LossErrors, AsTfAndNothingChanges) {
  const nlohmann::json& want = golden()["errors"];
  vs::Graph g;
  const vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4, 3}, "x");
  const vs::Tensor w1 = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4}, "w1");
  const vs::Tensor w2 = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4, 2}, "w2");
  const vs::Tensor y = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4, 2}, "y");
  const std::size_t before = g.num_operations();
  auto expect_error = [&](const std::function<void()>& call, const char* key) {
    try {
      call();
      ADD_FAILURE() << key << ": no error";
    } catch (const vs::ValueError& e) {
      EXPECT_EQ(std::string(e.what()), want[key].get<std::string>()) << key;
    }
    EXPECT_EQ(g.num_operations(), before) << key;
    EXPECT_TRUE(losses::get_losses(g).empty()) << key;
  };
  expect_error([&] { losses::mean_squared_error(x, x, {.weights = w1}); }, "weights_rank");
  expect_error([&] { losses::mean_squared_error(x, x, {.weights = w2}); }, "weights_dim");
  expect_error([&] { losses::mean_squared_error(x, y); }, "shapes");
  expect_error([&] { losses::get_total_loss(g); }, "total_none");
  // The scope names a failed call took are free again: TF's names follow.
  EXPECT_EQ(losses::mean_squared_error(x, x).name(), "mean_squared_error/value:0");
}

}  // namespace
