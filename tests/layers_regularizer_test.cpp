// kernel_regularizer / bias_regularizer of tf.layers against TF 1.15 (layers_tf115.json):
// the "<layer>/kernel/Regularizer/l2_regularizer" ops where the layer creates the variable
// (none where it reuses one, none for a scale of 0), REGULARIZATION_LOSSES, and
// get_regularization_loss / get_total_loss picking them up, with TF's names and values on
// both backends.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <string>
#include <vector>

#include "backend_test.h"
#include "layers_golden.h"

namespace vs = varscope;
using vs::layers::conv2d;
using vs::layers::dense;
using vs::testing::expect_layers_as_tf;

namespace {

TEST(LayerRegularizers, DenseAsTf) {
  expect_layers_as_tf("regularized", [](vs::Graph& g, const vs::Tensor& x) {
    dense(x, 3,
          {.kernel_regularizer = vs::l2_regularizer(0.1),
           .bias_regularizer = vs::l2_regularizer(0.5)});
    dense(x, 2, {.activation = vs::relu, .kernel_regularizer = vs::l2_regularizer(0.0)});
    const auto scope = g.variable_scope("t", {.reuse = vs::Reuse::kAuto});
    dense(x, 3, {.kernel_regularizer = vs::l2_regularizer(0.25), .name = "fc"});
    dense(x, 3, {.kernel_regularizer = vs::l2_regularizer(0.25), .name = "fc"});
  });
}

TEST(LayerRegularizers, Conv2DAsTf) {
  expect_layers_as_tf("conv_regularized", [](vs::Graph&, const vs::Tensor& x) {
    conv2d(x, 2, 3,
           {.kernel_regularizer = vs::l2_regularizer(0.2),
            .bias_regularizer = vs::l2_regularizer(0.3)});
    conv2d(x, 2, 1,
           {.use_bias = false,
            .kernel_regularizer = vs::l2_regularizer(0.2),
            .bias_regularizer = vs::l2_regularizer(0.3)});
  });
}

TEST(LayerRegularizers, NegativeScaleIsTfsValueError) {
  try {
    vs::l2_regularizer(-0.5);
    ADD_FAILURE() << "no error";
  } catch (const vs::ValueError& e) {
    EXPECT_STREQ(e.what(), "Setting a scale less than 0 on a regularizer: -0.5.");
  }
}

class LayerRegularizerValues : public vs::testing::BackendTest {};

TEST_P(LayerRegularizerValues, TotalLossPicksThemUpAsTf) {
  const nlohmann::json& v = vs::testing::layers_golden()["regularizer_values"];
  vs::Graph g;
  const nlohmann::json& xs = vs::testing::layers_golden()["values"]["x"];
  const vs::Tensor x = vs::constant(
      g, vs::HostTensor(xs.get<std::vector<double>>(), vs::Shape{2, 4}).cast(vs::DType::kFloat32));
  const vs::Tensor y =
      dense(x, 3,
            {.kernel_initializer = vs::constant_initializer(v["kernel"].get<std::vector<double>>()),
             .bias_initializer = vs::constant_initializer(v["bias"].get<double>()),
             .kernel_regularizer = vs::l2_regularizer(0.1),
             .bias_regularizer = vs::l2_regularizer(0.5)});
  const vs::Tensor img =
      vs::constant(g, vs::HostTensor(v["conv_x"].get<std::vector<double>>(), vs::Shape{1, 5, 5, 2})
                          .cast(vs::DType::kFloat32));
  conv2d(
      img, 3, 3,
      {.kernel_initializer = vs::constant_initializer(v["conv_kernel"].get<std::vector<double>>()),
       .kernel_regularizer = vs::l2_regularizer(0.2)});
  const vs::Tensor zeros = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{2, 3}));
  const vs::Tensor mse = vs::losses::mean_squared_error(zeros, y);
  const vs::Tensor reg = vs::losses::get_regularization_loss(g);
  const vs::Tensor total = vs::losses::get_total_loss(g);
  const std::vector<vs::Tensor> losses = vs::losses::get_regularization_losses(g);

  const nlohmann::json& names = v["names"];
  EXPECT_EQ(mse.name(), names["mse"].get<std::string>());
  EXPECT_EQ(reg.name(), names["reg"].get<std::string>());
  EXPECT_EQ(total.name(), names["total"].get<std::string>());
  std::vector<std::string> loss_names;
  for (const vs::Tensor& t : losses)
    loss_names.push_back(t.name());
  EXPECT_EQ(loss_names, names["losses"].get<std::vector<std::string>>());

  vs::Session sess(g, options());
  sess.run(g.global_variables_initializer());
  auto scalar = [&](const vs::Tensor& t) { return sess.run(t).data<float>()[0]; };
  EXPECT_NEAR(scalar(mse), v["mse"].get<double>(), 1e-5);
  EXPECT_NEAR(scalar(reg), v["reg"].get<double>(), 1e-5);
  EXPECT_NEAR(scalar(total), v["total"].get<double>(), 1e-5);
  ASSERT_EQ(losses.size(), v["losses"].size());
  for (std::size_t i = 0; i < losses.size(); ++i)
    EXPECT_NEAR(scalar(losses[i]), v["losses"][i].get<double>(), 1e-6) << i;
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(LayerRegularizerValues);

}  // namespace
