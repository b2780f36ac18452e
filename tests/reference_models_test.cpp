// Issue 25's reference models against TF 1.15 (tests/golden/reference_models_tf115.json,
// written by hand with tools/tf115/make_reference_model_goldens.py): an MLP (dense, batch
// normalization in training, dropout, accuracy), the CNN, a 2-layer LSTM static_rnn on a
// partitioned embedding, two towers sharing layers by AUTO_REUSE, and layers under a
// partitioned variable scope, each built as a TF1 user builds it. Every global and local
// variable (name, shape, dtype, trainable), the collections, and for the script's weights and
// feeds the outputs and every global variable after one training step, on both backends.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "backend_test.h"
#include "graph_golden.h"
#include "layers_golden.h"
#include "rnn_golden.h"
#include "tf115_golden.h"

namespace vs = varscope;
namespace layers = vs::layers;
namespace rnn = vs::nn::rnn_cell;

namespace {

using vs::testing::expect_values;

const nlohmann::json& golden() {
  static const nlohmann::json g = vs::testing::read_golden("reference_models_tf115.json");
  return g;
}

// What a model function of the script returns: the tensors it fetches, those fetched in a
// run after them (a metric's value), and its train op, built after the model.
struct Model {
  std::vector<vs::Tensor> fetches;
  std::vector<vs::Tensor> later{};
  std::function<vs::Operation()> train;
};

// The script's weight(name, shape, i).
vs::HostTensor weight(const vs::Variable& v, std::int64_t i) {
  std::vector<double> values(static_cast<std::size_t>(v.shape().num_elements()));
  const double shift = v.op_name().ends_with("moving_variance") ? 1.0 : 0.0;
  for (std::size_t k = 0; k < values.size(); ++k)
    values[k] =
        static_cast<double>((static_cast<std::int64_t>(k) * 7 + 3 * i) % 11) * 0.1 - 0.5 + shift;
  return vs::HostTensor(values, v.shape()).cast(vs::DType::kFloat32);
}

nlohmann::json variable_rows(const std::vector<vs::Variable>& vars) {
  nlohmann::json out = nlohmann::json::array();
  for (const vs::Variable& v : vars)
    out.push_back(
        {v.op_name(), v.shape().dims(), std::string(vs::dtype_name(v.dtype())), v.trainable()});
  return out;
}

std::vector<std::string> collection(const vs::Graph& g, const std::string& key) {
  std::vector<std::string> out;
  if (key == vs::GraphKeys::kUpdateOps || key == "train_op") {
    for (const vs::Operation& op : g.get_collection_operations(key))
      out.push_back(op.name());
  } else if (key == vs::GraphKeys::kLosses || key == vs::GraphKeys::kRegularizationLosses) {
    for (const vs::Tensor& t : g.get_collection_tensors(key))
      out.push_back(t.name());
  } else {
    for (const vs::Variable& v : g.get_collection(key))
      out.push_back(v.op_name());
  }
  return out;
}

vs::FeedDict feeds(const vs::Graph& g, const nlohmann::json& want) {
  vs::FeedDict out;
  for (const auto& [name, feed] : want.items()) {
    const vs::DType dtype = feed["dtype"] == "int32" ? vs::DType::kInt32 : vs::DType::kFloat32;
    out.emplace_back(
        g.get_tensor_by_name(name),
        vs::testing::values_as(feed["values"],
                               vs::Shape(feed["shape"].get<std::vector<std::int64_t>>()), dtype));
  }
  return out;
}

void expect_model_as_tf(const std::string& key,
                        const std::function<Model(vs::Graph&)>& build,
                        vs::DeviceKind device) {
  SCOPED_TRACE(key);
  const nlohmann::json& want = golden()[key];
  vs::Graph g;
  const Model model = build(g);
  const std::vector<vs::Variable> loaded = g.global_variables();
  std::vector<std::string> loaded_names;
  for (const vs::Variable& v : loaded)
    loaded_names.push_back(v.op_name());
  EXPECT_EQ(loaded_names, want["loaded"].get<std::vector<std::string>>());
  if (want.contains("ops")) {
    nlohmann::json ops = nlohmann::json::array();
    for (const vs::Operation& op : g.operations()) {
      if (!vs::testing::variable_internal(op)) ops.push_back({op.name(), op.type()});
    }
    EXPECT_EQ(ops, want["ops"]);
  }
  const vs::Operation train = model.train();
  EXPECT_EQ(train.name(), want["train_op"]);

  EXPECT_EQ(variable_rows(g.global_variables()), want["global"]);
  EXPECT_EQ(variable_rows(g.local_variables()), want["local"]);
  for (const auto& [name, items] : want["collections"].items()) {
    EXPECT_EQ(collection(g, name), items.get<std::vector<std::string>>()) << name;
  }

  vs::Session sess(g, {.device = device});
  sess.run(g.global_variables_initializer());
  sess.run(g.local_variables_initializer());
  for (std::size_t i = 0; i < loaded.size(); ++i)
    sess.load_variable(loaded[i], weight(loaded[i], static_cast<std::int64_t>(i)));
  const vs::FeedDict fed = feeds(g, want["feeds"]);
  const nlohmann::json& outputs = want["outputs"];
  ASSERT_EQ(outputs.size(), model.fetches.size() + model.later.size());
  const std::vector<vs::HostTensor> got = sess.run(model.fetches, fed);
  for (std::size_t i = 0; i < got.size(); ++i) {
    const std::string name = model.fetches[i].name();
    ASSERT_TRUE(outputs.contains(name)) << "TF fetched no tensor named " << name;
    expect_values(got[i], outputs[name], name);
  }
  for (const vs::Tensor& t : model.later) {
    ASSERT_TRUE(outputs.contains(t.name())) << "TF fetched no tensor named " << t.name();
    expect_values(sess.run(t, fed), outputs[t.name()], t.name());
  }
  sess.run(train, fed);
  for (const vs::Variable& v : g.global_variables())
    expect_values(sess.run(v.value()), want["after_step"].at(v.op_name()), v.op_name() + " after");
}

class ReferenceModels : public vs::testing::BackendTest {};

TEST_P(ReferenceModels, MlpWithBatchNormDropoutAndAccuracy) {
  expect_model_as_tf(
      "mlp",
      [](vs::Graph& g) {
        const vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4, 6}, "x");
        const vs::Tensor labels = vs::placeholder(g, vs::DType::kInt32, vs::Shape{4}, "labels");
        vs::Tensor h = layers::dense(x, 8, {.activation = vs::relu});
        h = layers::batch_normalization(h, {.training = true});
        h = layers::dropout(h, 0.5, {.seed = 7, .training = true});
        const vs::Tensor logits = layers::dense(h, 3);
        const vs::Tensor loss = vs::losses::sparse_softmax_cross_entropy(labels, logits);
        const vs::metrics::Metric accuracy =
            vs::metrics::accuracy(labels, vs::argmax(logits, {.axis = 1}));
        return Model{{logits, loss, accuracy.update_op}, {accuracy.value}, [&g, loss] {
                       auto deps = g.control_dependencies(
                           g.get_collection_operations(vs::GraphKeys::kUpdateOps));
                       return vs::train::GradientDescentOptimizer(0.1).minimize(loss);
                     }};
      },
      GetParam());
}

TEST_P(ReferenceModels, Cnn) {
  expect_model_as_tf(
      "cnn",
      [](vs::Graph& g) {
        const vs::Tensor images =
            vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 8, 8, 1}, "images");
        const vs::Tensor labels = vs::placeholder(g, vs::DType::kInt32, vs::Shape{2}, "labels");
        vs::Tensor net = layers::conv2d(images, 2, 3, {.padding = "same", .activation = vs::relu});
        net = layers::max_pooling2d(net, 2, 2);
        net = layers::conv2d(net, 4, 3, {.padding = "same", .activation = vs::relu});
        net = layers::max_pooling2d(net, 2, 2);
        net = layers::flatten(net);
        net = layers::dense(net, 8, {.activation = vs::relu});
        const vs::Tensor logits = layers::dense(net, 3);
        const vs::Tensor loss = vs::losses::sparse_softmax_cross_entropy(labels, logits);
        return Model{
            {logits, loss}, {}, [loss] { return vs::train::AdamOptimizer(0.01).minimize(loss); }};
      },
      GetParam());
}

TEST_P(ReferenceModels, TwoLayerLstmOnAPartitionedEmbedding) {
  expect_model_as_tf(
      "lstm",
      [](vs::Graph& g) {
        const vs::Tensor ids = vs::placeholder(g, vs::DType::kInt32, vs::Shape{3, 5}, "ids");
        const vs::Tensor labels = vs::placeholder(g, vs::DType::kInt32, vs::Shape{3}, "labels");
        const vs::PartitionedVariable embedding = g.get_partitioned_variable(
            "embedding", {.shape = vs::Shape{10, 4}, .partitioner = vs::fixed_size_partitioner(2)});
        const std::vector<vs::Tensor> inputs =
            vs::unstack(vs::embedding_lookup(embedding, ids), std::nullopt, 1);
        rnn::MultiRNNCell cell(
            {std::make_shared<rnn::BasicLSTMCell>(4), std::make_shared<rnn::BasicLSTMCell>(4)});
        const vs::nn::RnnOutputs r =
            vs::nn::static_rnn(cell, inputs, {.dtype = vs::DType::kFloat32});
        const vs::Tensor logits = layers::dense(r.outputs.back(), 3);
        const vs::Tensor loss = vs::losses::sparse_softmax_cross_entropy(labels, logits);
        return Model{{r.outputs.back(), logits, loss}, {}, [loss] {
                       return vs::train::AdamOptimizer(0.05).minimize(loss);
                     }};
      },
      GetParam());
}

TEST_P(ReferenceModels, TowersSharingLayersByAutoReuse) {
  expect_model_as_tf(
      "towers",
      [](vs::Graph& g) {
        std::vector<vs::Tensor> outs;
        for (int i = 0; i < 2; ++i) {
          const std::string n = std::to_string(i);
          const vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4, 5}, "x_" + n);
          const vs::Tensor y = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4, 2}, "y_" + n);
          auto tower = g.name_scope("tower_" + n);
          const vs::Tensor h = layers::dense(
              x, 6, {.activation = vs::relu, .name = "fc", .reuse = vs::Reuse::kAuto});
          outs.push_back(layers::dense(h, 2, {.name = "out", .reuse = vs::Reuse::kAuto}));
          vs::losses::mean_squared_error(y, outs.back());
        }
        const vs::Tensor total = vs::losses::get_total_loss(g);
        outs.push_back(total);
        return Model{outs, {}, [total] { return vs::train::AdamOptimizer(0.01).minimize(total); }};
      },
      GetParam());
}

TEST_P(ReferenceModels, LayersUnderAPartitionedVariableScope) {
  expect_model_as_tf(
      "partitioned_layers",
      [](vs::Graph& g) {
        const vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4, 5}, "x");
        const vs::Tensor images =
            vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4, 3, 3, 2}, "images");
        const vs::Tensor y = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4, 3}, "y");
        vs::Tensor out;
        {
          auto scope = g.variable_scope("part", {.partitioner = vs::fixed_size_partitioner(2)});
          vs::Tensor h = layers::dense(
              x, 4, {.activation = vs::relu, .kernel_regularizer = vs::l2_regularizer(0.1)});
          h = layers::batch_normalization(h, {.training = true});
          vs::Tensor c = layers::conv2d(images, 2, 2, {.activation = vs::relu});
          c = layers::batch_normalization(c, {.training = true});
          const layers::DenseOptions shared{.kernel_regularizer = vs::l2_regularizer(0.05),
                                            .name = "out",
                                            .reuse = vs::Reuse::kAuto};
          const vs::Tensor a = layers::dense(h, 3, shared);
          const vs::Tensor b = a + layers::dense(layers::flatten(c), 3);
          out = b + layers::dense(2.0f * h, 3, shared);
        }
        vs::losses::mean_squared_error(y, out);
        const vs::Tensor total = vs::losses::get_total_loss(g);
        return Model{{out, total}, {}, [&g, total] {
                       auto deps = g.control_dependencies(
                           g.get_collection_operations(vs::GraphKeys::kUpdateOps));
                       return vs::train::GradientDescentOptimizer(0.2).minimize(total);
                     }};
      },
      GetParam());
}

// A partitioned layer that fails (its shared kernel of another shape) changes nothing: no
// part, op, loss or name is left behind, and the layer builds afterwards.
TEST(ReferenceModelsPartitioned, AFailedLayerChangesNothing) {
  vs::Graph g;
  const vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4, 5}, "x");
  const vs::Tensor wide = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4, 7}, "wide");
  auto scope = g.variable_scope("part", {.partitioner = vs::fixed_size_partitioner(2)});
  const layers::DenseOptions shared{
      .kernel_regularizer = vs::l2_regularizer(0.1), .name = "fc", .reuse = vs::Reuse::kAuto};
  layers::dense(x, 3, shared);
  const std::size_t ops = g.num_operations();
  const std::size_t variables = g.global_variables().size();
  const std::size_t losses = g.get_collection_tensors(vs::GraphKeys::kRegularizationLosses).size();
  EXPECT_THROW(layers::dense(wide, 3, shared), vs::ValueError);
  EXPECT_EQ(g.num_operations(), ops);
  EXPECT_EQ(g.global_variables().size(), variables);
  EXPECT_EQ(g.get_collection_tensors(vs::GraphKeys::kRegularizationLosses).size(), losses);
  EXPECT_EQ(layers::dense(x, 3, shared).op().name(), "part/fc_1/BiasAdd");
  EXPECT_EQ(g.get_operation_by_name("part/fc/kernel_1").type(), "Identity");
}

TEST_P(ReferenceModels, RnnCellsUnderAPartitionedVariableScope) {
  expect_model_as_tf(
      "partitioned_rnn",
      [](vs::Graph& g) {
        std::vector<vs::Tensor> xs;
        for (int t = 0; t < 2; ++t) {
          xs.push_back(
              vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 3}, "x_" + std::to_string(t)));
        }
        const vs::Tensor y = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 2}, "y");
        vs::Tensor out;
        {
          auto scope = g.variable_scope("p", {.partitioner = vs::fixed_size_partitioner(2)});
          rnn::MultiRNNCell cell(
              {std::make_shared<rnn::BasicLSTMCell>(4), std::make_shared<rnn::GRUCell>(3)});
          const vs::nn::RnnOutputs r = vs::nn::static_rnn(cell, xs, {.dtype = vs::DType::kFloat32});
          out = layers::dense(r.outputs.back(), 2);
        }
        const vs::Tensor loss = vs::losses::mean_squared_error(y, out);
        return Model{{out, loss}, {}, [loss] {
                       return vs::train::GradientDescentOptimizer(0.3).minimize(loss);
                     }};
      },
      GetParam());
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(ReferenceModels);

}  // namespace
