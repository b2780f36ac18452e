// tf.layers.batch_normalization (the fused NHWC path, and the non-fused path of rank 2 and 3)
// against TF 1.15 (tests/golden/layers_tf115.json): its variables, ops and UPDATE_OPS as TF
// builds them, TF's errors for bad inputs (which change nothing), and its values in training
// (with the moving statistics after one update) and inference on both backends; for rank 2
// also one gradient descent step through the batch's moments.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <string>
#include <utility>
#include <vector>

#include "gpu_test.h"
#include "layers_golden.h"

namespace vs = varscope;
namespace layers = vs::layers;
using vs::testing::expect_layers_as_tf;

namespace {

std::vector<std::string> update_op_names(const vs::Graph& g) {
  std::vector<std::string> names;
  for (const vs::Operation& op : g.get_collection_operations(vs::GraphKeys::kUpdateOps))
    names.push_back(op.name());
  return names;
}

TEST(LayersBatchNorm, BatchNormalizationAsTf) {
  std::vector<std::string> update_ops;
  expect_layers_as_tf("batch_norm", [&](vs::Graph& g, const vs::Tensor& x) {
    layers::batch_normalization(x, {.training = true});
    layers::batch_normalization(x);
    layers::batch_normalization(
        x,
        {.momentum = 0.9, .center = false, .scale = false, .training = true, .trainable = false});
    auto tower = g.variable_scope("tower");
    layers::batch_normalization(x, {.name = "bn", .reuse = vs::Reuse::kAuto});
    layers::batch_normalization(x, {.training = true, .name = "bn", .reuse = vs::Reuse::kAuto});
    update_ops = update_op_names(g);
  });
  EXPECT_EQ(
      update_ops,
      vs::testing::layers_golden()["batch_norm"]["update_ops"].get<std::vector<std::string>>());
}

TEST(LayersBatchNorm, NonFusedRank2AsTf) {
  std::vector<std::string> update_ops;
  expect_layers_as_tf("batch_norm_2d", [&](vs::Graph& g, const vs::Tensor& x) {
    layers::batch_normalization(x, {.training = true});
    layers::batch_normalization(x);
    layers::batch_normalization(
        x,
        {.momentum = 0.9, .center = false, .scale = false, .training = true, .trainable = false});
    layers::batch_normalization(x, {.center = false, .training = true});
    layers::batch_normalization(x, {.scale = false});
    auto tower = g.variable_scope("tower");
    layers::batch_normalization(x, {.name = "bn", .reuse = vs::Reuse::kAuto});
    layers::batch_normalization(x, {.training = true, .name = "bn", .reuse = vs::Reuse::kAuto});
    update_ops = update_op_names(g);
  });
  EXPECT_EQ(
      update_ops,
      vs::testing::layers_golden()["batch_norm_2d"]["update_ops"].get<std::vector<std::string>>());
}

TEST(LayersBatchNorm, NonFusedRank3AsTf) {
  expect_layers_as_tf("batch_norm_3d", [&](vs::Graph&, const vs::Tensor& x) {
    layers::batch_normalization(x, {.training = true});
  });
}

TEST(LayersBatchNorm, BadInputsAreTfsErrorsAndChangeNothing) {
  vs::Graph g;
  const vs::Tensor x2 = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 4}, "x2");
  const vs::Tensor open =
      vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 3, 3, vs::kUnknownDim}, "open");
  const vs::Tensor x4 = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 3, 3, 4}, "x4");
  const std::size_t ops = g.num_operations();
  EXPECT_THROW(layers::batch_normalization(x2, {.axis = 0}), vs::UnimplementedError);
  EXPECT_THROW(layers::batch_normalization(x4, {.axis = 1}), vs::UnimplementedError);
  try {
    layers::batch_normalization(x4, {.axis = 4});
    ADD_FAILURE() << "axis 4 of a rank-4 input was accepted";
  } catch (const vs::ValueError& e) {
    EXPECT_STREQ(e.what(), "Invalid axis: 4");
  }
  try {
    layers::batch_normalization(open, {.training = true});
    ADD_FAILURE() << "an unknown channel dimension was accepted";
  } catch (const vs::ValueError& e) {
    EXPECT_STREQ(e.what(),
                 "('Input has undefined `axis` dimension. Input shape: ', "
                 "TensorShape([Dimension(2), Dimension(3), Dimension(3), Dimension(None)]))");
  }
  try {
    layers::batch_normalization(vs::placeholder(g, vs::DType::kFloat32, vs::Shape{}, "scalar"));
    ADD_FAILURE() << "a scalar was accepted";
  } catch (const vs::ValueError& e) {
    EXPECT_STREQ(e.what(), "('Input has undefined rank:', TensorShape([]))");
  }
  EXPECT_EQ(g.num_operations(), ops + 1);  // the scalar placeholder
  EXPECT_TRUE(g.global_variables().empty());
  EXPECT_TRUE(update_op_names(g).empty());
  // Nothing was taken: the next unnamed layer is the first of its name.
  EXPECT_EQ(layers::batch_normalization(x4).op().name(), "batch_normalization/FusedBatchNormV3");
}

std::vector<double> doubles(const vs::HostTensor& t) {
  const vs::HostTensor d = t.cast(vs::DType::kFloat64);
  const auto data = d.data<double>();
  return std::vector<double>(data.begin(), data.end());
}

void expect_near(const std::vector<double>& got, const nlohmann::json& want, const char* what) {
  const std::vector<double> w = want;
  ASSERT_EQ(got.size(), w.size()) << what;
  for (std::size_t i = 0; i < w.size(); ++i)
    EXPECT_NEAR(got[i], w[i], 1e-5) << what << " [" << i << "]";
}

// The golden case's layer "bn" on x in training, then again (reused) for inference.
std::pair<vs::Tensor, vs::Tensor> train_and_infer(const vs::Tensor& x, const nlohmann::json& v) {
  layers::BatchNormalizationOptions options{
      .momentum = v["momentum"].get<double>(),
      .beta_initializer = vs::constant_initializer(v["beta"].get<std::vector<double>>()),
      .gamma_initializer = vs::constant_initializer(v["gamma"].get<std::vector<double>>()),
      .moving_mean_initializer = vs::constant_initializer(v["moving_mean_init"].get<double>()),
      .moving_variance_initializer =
          vs::constant_initializer(v["moving_variance_init"].get<double>()),
      .training = true,
      .name = "bn"};
  const vs::Tensor train_y = layers::batch_normalization(x, options);
  options.training = false;
  options.reuse = vs::Reuse::kTrue;
  const vs::Tensor infer_y = layers::batch_normalization(x, options);
  return {train_y, infer_y};
}

// One training step (y and its update ops in one run), then inference with the updated
// moving statistics, as make_layer_goldens.py's batch_norm_values.
void expect_tf_values(vs::DeviceKind device) {
  const nlohmann::json& v = vs::testing::layers_golden()["batch_norm_values"];
  vs::Graph g;
  const vs::Tensor x =
      vs::constant(g, vs::HostTensor(v["x"].get<std::vector<double>>(), vs::Shape{2, 3, 3, 4})
                          .cast(vs::DType::kFloat32));
  const auto [train_y, infer_y] = train_and_infer(x, v);
  const std::vector<vs::Variable> vars = g.global_variables();
  ASSERT_EQ(vars.size(), 4u);  // gamma, beta, moving_mean, moving_variance
  vs::Session sess(g, {.device = device});
  sess.run(g.global_variables_initializer());
  const std::vector<vs::HostTensor> got =
      sess.run({train_y}, {}, g.get_collection_operations(vs::GraphKeys::kUpdateOps));
  expect_near(doubles(got.at(0)), v["train_y"], "training y");
  expect_near(doubles(sess.run(vars[2])), v["moving_mean"], "moving_mean after the update");
  expect_near(doubles(sess.run(vars[3])), v["moving_variance"], "moving_variance after the update");
  expect_near(doubles(sess.run(infer_y)), v["infer_y"], "inference y");
}

TEST(LayersBatchNorm, ValuesAsTfOnTheCpu) {
  expect_tf_values(vs::DeviceKind::kCpu);
}

TEST(GpuLayersBatchNorm, ValuesAsTfOnTheGpu) {
  VARSCOPE_SKIP_WITHOUT_GPU();
  expect_tf_values(vs::DeviceKind::kCuda);
}

vs::Tensor float_constant(vs::Graph& g, const nlohmann::json& values, vs::Shape shape) {
  return vs::constant(g, vs::HostTensor(values.get<std::vector<double>>(), std::move(shape))
                             .cast(vs::DType::kFloat32));
}

// The non-fused path of a [4, 3] input, as make_layer_goldens.py's batch_norm_2d_values:
// training with its updates, inference with the updated statistics, then (from fresh
// variables) one gradient descent step on sum(y * target) that runs the updates too.
void expect_tf_values_2d(vs::DeviceKind device) {
  const nlohmann::json& v = vs::testing::layers_golden()["batch_norm_2d_values"];
  vs::Graph g;
  const vs::Tensor x = float_constant(g, v["x"], vs::Shape{4, 3});
  const auto [train_y, infer_y] = train_and_infer(x, v);
  const vs::Tensor loss = vs::reduce_sum(train_y * float_constant(g, v["target"], vs::Shape{4, 3}));
  const std::vector<vs::Operation> updates = g.get_collection_operations(vs::GraphKeys::kUpdateOps);
  vs::Operation step;
  {
    const auto after_updates = g.control_dependencies(updates);
    step = vs::train::GradientDescentOptimizer(0.5).minimize(loss);
  }
  const std::vector<vs::Variable> vars = g.global_variables();
  ASSERT_EQ(vars.size(), 4u);  // gamma, beta, moving_mean, moving_variance
  vs::Session sess(g, {.device = device});
  sess.run(g.global_variables_initializer());
  expect_near(doubles(sess.run({train_y}, {}, updates).at(0)), v["train_y"], "training y");
  expect_near(doubles(sess.run(vars[2])), v["moving_mean"], "moving_mean after the update");
  expect_near(doubles(sess.run(vars[3])), v["moving_variance"], "moving_variance after the update");
  expect_near(doubles(sess.run(infer_y)), v["infer_y"], "inference y");

  sess.run(g.global_variables_initializer());
  const std::vector<vs::HostTensor> stepped = sess.run({loss}, {}, {step});
  EXPECT_NEAR(stepped.at(0).data<float>()[0], v["step_loss"].get<double>(), 1e-5);
  for (const vs::Variable& var : vars)
    expect_near(doubles(sess.run(var)), v["step"][var.op_name()], var.op_name().c_str());
}

TEST(LayersBatchNorm, NonFusedValuesAndAStepAsTfOnTheCpu) {
  expect_tf_values_2d(vs::DeviceKind::kCpu);
}

TEST(GpuLayersBatchNorm, NonFusedValuesAndAStepAsTfOnTheGpu) {
  VARSCOPE_SKIP_WITHOUT_GPU();
  expect_tf_values_2d(vs::DeviceKind::kCuda);
}

}  // namespace
