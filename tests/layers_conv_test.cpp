// tf.layers.conv2d, max_pooling2d, average_pooling2d, flatten, dropout and dense over rank 3
// against TF 1.15 (tests/golden/layers_tf115.json): their variables and ops as TF names them,
// TF's errors for bad inputs (which change nothing), and their values for fixed weights on
// both backends.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <string>
#include <vector>

#include "gpu_test.h"
#include "layers_golden.h"
#include "test_util.h"

namespace vs = varscope;
namespace layers = vs::layers;
using vs::testing::expect_layers_as_tf;

namespace {

TEST(LayersConv, Conv2DLayersAsTf) {
  expect_layers_as_tf("conv", [](vs::Graph& g, const vs::Tensor& x) {
    layers::conv2d(x, 4, 3, {.activation = vs::relu});
    layers::conv2d(x, 4, {3, 2},
                   {.strides = 2, .padding = "SAME", .use_bias = false, .trainable = false});
    auto tower = g.variable_scope("tower");
    layers::conv2d(x, 2, 1, {.name = "c", .reuse = vs::Reuse::kAuto});
    layers::conv2d(x, 2, 1, {.name = "c", .reuse = vs::Reuse::kAuto});
    layers::conv2d(x, 2, 1);
  });
}

TEST(LayersConv, PoolingLayersAsTf) {
  expect_layers_as_tf("pool", [](vs::Graph& g, const vs::Tensor& x) {
    const vs::Tensor y = layers::max_pooling2d(x, 2, 2);
    layers::max_pooling2d(y, 2, 1, {.padding = "same"});
    layers::average_pooling2d(x, {2, 3}, {1, 2});
    {
      auto s = g.variable_scope("s");
      layers::average_pooling2d(x, 2, 2);
    }
    {
      auto n = g.name_scope("n");
      layers::max_pooling2d(x, 2, 2);
    }
    layers::max_pooling2d(x, 2, 2, {.name = "p"});
    layers::max_pooling2d(x, 2, 2, {.name = "p"});
  });
}

TEST(LayersConv, FlattenAsTf) {
  expect_layers_as_tf("flatten", [](vs::Graph& g, const vs::Tensor& x) {
    EXPECT_EQ(layers::flatten(x).shape(), (vs::Shape{2, 24}));
    auto n = g.name_scope("n");
    layers::flatten(x, "f");
  });
}

TEST(LayersConv, FlattenOfAnUnknownBatchAsTf) {
  expect_layers_as_tf("flatten_unknown_batch", [](vs::Graph&, const vs::Tensor& x) {
    EXPECT_EQ(layers::flatten(x).shape(), (vs::Shape{vs::kUnknownDim, 12}));
    layers::flatten(x);
  });
}

TEST(LayersConv, DropoutAsTf) {
  expect_layers_as_tf("dropout", [](vs::Graph&, const vs::Tensor& x) {
    layers::dropout(x);
    layers::dropout(x, 0.3, {.training = true});
    layers::dropout(x, 0.25, {.training = true, .name = "d"});
    layers::dropout(x, 0.3, {.name = "d"});
  });
}

TEST(LayersConv, DenseOverRank3IsTfsTensordot) {
  expect_layers_as_tf("dense3", [](vs::Graph&, const vs::Tensor& x) {
    EXPECT_EQ(layers::dense(x, 5).shape(), (vs::Shape{2, 3, 5}));
    layers::dense(x, 2, {.activation = vs::relu, .name = "t"});
  });
}

TEST(LayersConv, DenseOverRank3OfAnUnknownBatchIsTfsDynamicTensordot) {
  expect_layers_as_tf("dense3_unknown_batch", [](vs::Graph&, const vs::Tensor& x) {
    EXPECT_EQ(layers::dense(x, 5, {.activation = vs::relu}).shape(),
              (vs::Shape{vs::kUnknownDim, 3, 5}));
  });
}

// Each bad call is TF's ValueError and leaves the graph as it was.
TEST(LayersConv, BadInputsAreTfsErrorsAndChangeNothing) {
  vs::Graph g;
  const vs::Tensor x3 = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 8, 8}, "x3");
  const vs::Tensor x4 = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 8, 8, 3}, "x4");
  const vs::Tensor no_channels =
      vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 8, 8, vs::kUnknownDim});
  const vs::Tensor scalar = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{});
  const std::size_t ops = g.num_operations();
  using vs::testing::error_of;
  EXPECT_EQ(error_of<vs::ValueError>([&] { layers::conv2d(x3, 4, 3); }),
            "Input 0 of layer conv2d is incompatible with the layer: expected ndim=4, found "
            "ndim=3. Full shape received: [2, 8, 8]");
  EXPECT_EQ(error_of<vs::ValueError>([&] { layers::max_pooling2d(x3, 2, 2, {.name = "p"}); }),
            "Input 0 of layer p is incompatible with the layer: expected ndim=4, found ndim=3. "
            "Full shape received: [2, 8, 8]");
  EXPECT_EQ(error_of<vs::ValueError>([&] { layers::conv2d(no_channels, 4, 3); }),
            "The channel dimension of the inputs should be defined. Found `None`.");
  EXPECT_EQ(error_of<vs::ValueError>([&] { layers::conv2d(x4, 4, 3, {.padding = "foo"}); }),
            "The `padding` argument must be a list/tuple or one of \"valid\", \"same\" (or "
            "\"causal\", only for `Conv1D). Received: foo");
  EXPECT_EQ(error_of<vs::ValueError>(
                [&] { layers::conv2d(x4, 4, 3, {.strides = 2, .dilation_rate = 2}); }),
            "strides > 1 not supported in conjunction with dilation_rate > 1");
  EXPECT_EQ(error_of<vs::ValueError>([&] { layers::flatten(scalar); }),
            "Input 0 of layer flatten is incompatible with the layer: : expected min_ndim=1, "
            "found ndim=0. Full shape received: []");
  error_of<vs::ValueError>([&] { layers::conv2d(x4, 0, 3); });
  error_of<vs::ValueError>([&] { layers::max_pooling2d(x4, 0, 2); });
  // A kernel larger than the unpadded input: Conv2D's own shape error, after the variables.
  error_of<vs::ValueError>([&] { layers::conv2d(x4, 4, 9); });
  EXPECT_EQ(g.num_operations(), ops);
  EXPECT_TRUE(g.global_variables().empty());
  // Nothing was taken: the next unnamed layers are the first of their names.
  EXPECT_EQ(layers::conv2d(x4, 4, 3).op().name(), "conv2d/BiasAdd");
  EXPECT_EQ(layers::flatten(x4).op().name(), "flatten/Reshape");
}

std::vector<double> run_values(vs::DeviceKind device,
                               const vs::Tensor& t,
                               vs::Graph& g,
                               const vs::FeedDict& feeds = {}) {
  vs::Session sess(g, {.device = device});
  sess.run(g.global_variables_initializer());
  const vs::HostTensor got = sess.run(t, feeds).cast(vs::DType::kFloat64);
  const auto data = got.data<double>();
  return std::vector<double>(data.begin(), data.end());
}

void expect_near(const std::vector<double>& got, const nlohmann::json& want, const char* what) {
  const std::vector<double> w = want;
  ASSERT_EQ(got.size(), w.size()) << what;
  for (std::size_t i = 0; i < w.size(); ++i)
    EXPECT_NEAR(got[i], w[i], 1e-5) << what << " [" << i << "]";
}

vs::HostTensor golden_value(const nlohmann::json& values, vs::Shape shape) {
  return vs::HostTensor(values.get<std::vector<double>>(), shape).cast(vs::DType::kFloat32);
}

vs::Tensor golden_constant(vs::Graph& g, const nlohmann::json& values, vs::Shape shape) {
  return vs::constant(g, golden_value(values, shape));
}

// conv2d (SAME, relu), both poolings and flatten of its output, and dense over rank 3.
void expect_tf_values(vs::DeviceKind device) {
  const nlohmann::json& v = vs::testing::layers_golden()["conv_values"];
  vs::Graph g;
  const vs::Tensor x = golden_constant(g, v["x"], vs::Shape{2, 5, 5, 2});
  const vs::Tensor conv = layers::conv2d(
      x, 3, 3,
      {.padding = "same",
       .activation = vs::relu,
       .kernel_initializer = vs::constant_initializer(v["kernel"].get<std::vector<double>>()),
       .bias_initializer = vs::constant_initializer(v["bias"].get<double>())});
  const vs::Tensor max = layers::max_pooling2d(conv, 2, 2, {.padding = "same"});
  const vs::Tensor avg = layers::average_pooling2d(conv, 3, 2, {.padding = "same"});
  const vs::Tensor flat = layers::flatten(max);
  EXPECT_EQ(flat.shape().dims(), v["flatten_shape"].get<std::vector<std::int64_t>>());
  const vs::Tensor x3 = golden_constant(g, v["x3"], vs::Shape{2, 3, 4});
  const layers::DenseOptions dense_options{
      .kernel_initializer = vs::constant_initializer(v["kernel3"].get<std::vector<double>>()),
      .bias_initializer = vs::constant_initializer(v["bias3"].get<double>())};
  const vs::Tensor dense3 = layers::dense(x3, 5, dense_options);
  // The same through TF's run-time forms: a batch fed, unknown when building.
  const vs::Tensor fed3 =
      vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 3, 4}, "fed3");
  const vs::Tensor dense3_fed = layers::dense(fed3, 5, dense_options);
  const vs::Tensor fed4 =
      vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 5, 5, 2}, "fed4");
  const vs::Tensor flat_fed = layers::flatten(fed4);
  expect_near(run_values(device, conv, g), v["conv"], "conv2d");
  expect_near(run_values(device, max, g), v["max_pool"], "max_pooling2d");
  expect_near(run_values(device, avg, g), v["avg_pool"], "average_pooling2d");
  expect_near(run_values(device, flat, g), v["flatten"], "flatten");
  expect_near(run_values(device, dense3, g), v["dense3"], "dense over rank 3");
  expect_near(run_values(device, dense3_fed, g, {{fed3, golden_value(v["x3"], {2, 3, 4})}}),
              v["dense3"], "dense over rank 3 of a fed batch");
  expect_near(run_values(device, flat_fed, g, {{fed4, golden_value(v["x"], {2, 5, 5, 2})}}), v["x"],
              "flatten of a fed batch");
}

// Training through both Tensordot forms: the kernel's gradient of the fed (run-time) form is
// the static form's, and both are x summed over the batch and time (sum(y) = sum(x @ k)).
TEST(LayersConv, DenseOverRank3TrainsThroughBothTensordotForms) {
  vs::Graph g;
  const std::vector<float> values = vs::testing::uniform_floats(24, 25, -1.0f, 1.0f);
  const vs::HostTensor x_value(values, vs::Shape{2, 3, 4});
  const vs::Tensor x = vs::constant(g, x_value);
  const vs::Tensor fed = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 3, 4});
  const vs::Tensor y = layers::dense(x, 5), y_fed = layers::dense(fed, 5);
  const std::vector<vs::Variable> vars = g.global_variables();  // kernel, bias of each
  ASSERT_EQ(vars.size(), 4u);
  const vs::Tensor k = vs::gradients({vs::reduce_sum(y)}, std::vector<vs::Variable>{vars[0]}).at(0);
  const vs::Tensor k_fed =
      vs::gradients({vs::reduce_sum(y_fed)}, std::vector<vs::Variable>{vars[2]}).at(0);
  const std::vector<double> want = run_values(vs::DeviceKind::kCpu, k, g);
  const std::vector<double> got = run_values(vs::DeviceKind::kCpu, k_fed, g, {{fed, x_value}});
  ASSERT_EQ(want.size(), 20u);
  for (std::size_t i = 0; i < want.size(); ++i) {
    double sum = 0;
    for (std::size_t r = 0; r < 6; ++r)
      sum += values[r * 4 + i / 5];
    EXPECT_NEAR(want[i], sum, 1e-5) << i;
    EXPECT_NEAR(got[i], sum, 1e-5) << i;
  }
}

TEST(LayersConv, ValuesAsTfOnTheCpu) {
  expect_tf_values(vs::DeviceKind::kCpu);
}

TEST(GpuLayersConv, ValuesAsTfOnTheGpu) {
  VARSCOPE_SKIP_WITHOUT_GPU();
  expect_tf_values(vs::DeviceKind::kCuda);
}

}  // namespace
