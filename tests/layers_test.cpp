// tf.layers against TF 1.15 (tests/golden/layers_tf115.json, written by hand with
// tools/tf115/make_layer_goldens.py): the variables (names, shapes, trainable), the ops
// (names, types, inputs) for unnamed, scoped, shared and optioned layers, TF's error for a
// named layer built twice, and dense's values for fixed weights (conv2d, pooling, flatten,
// dropout and dense over rank 3: layers_conv_test.cpp).
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <string>
#include <vector>

#include "layers_golden.h"
#include "test_util.h"

namespace vs = varscope;
using vs::layers::dense;

namespace {

using vs::testing::expect_layers_as_tf;

const nlohmann::json& golden() {
  return vs::testing::layers_golden();
}

TEST(Layers, UnnamedDenseLayersAreDenseDense1AsTf) {
  expect_layers_as_tf("unnamed", [](vs::Graph&, const vs::Tensor& x) {
    dense(x, 3);
    dense(x, 2, {.activation = vs::relu});
  });
}

TEST(Layers, LayersInVariableScopesAsTf) {
  expect_layers_as_tf("scoped", [](vs::Graph& g, const vs::Tensor& x) {
    {
      auto tower = g.variable_scope("tower");
      dense(x, 3);
      dense(x, 3);
    }
    auto again = g.variable_scope("tower", {.reuse = vs::Reuse::kTrue});
    dense(x, 3);
  });
}

TEST(Layers, ANamedLayerIsSharedByAutoReuseAsTf) {
  expect_layers_as_tf("shared", [](vs::Graph& g, const vs::Tensor& x) {
    {
      auto ns = g.name_scope("ns");
      dense(x, 3, {.name = "fc", .reuse = vs::Reuse::kAuto});
      dense(x, 3, {.name = "fc", .reuse = vs::Reuse::kAuto});
    }
    dense(x, 3, {.name = "fc", .reuse = vs::Reuse::kAuto});
  });
}

TEST(Layers, DenseOptionsAsTf) {
  expect_layers_as_tf("options", [](vs::Graph&, const vs::Tensor& x) {
    dense(x, 3, {.activation = vs::tanh, .use_bias = false, .trainable = false});
    dense(x, 2, {.activation = vs::sigmoid, .name = "out"});
  });
}

TEST(Layers, ANamedLayerBuiltTwiceIsTfsErrorAndChangesNothing) {
  vs::Graph g;
  const vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 4}, "x");
  dense(x, 3, {.name = "fc"});
  const std::size_t ops = g.num_operations();
  const std::string message =
      vs::testing::error_of<vs::ValueError>([&] { dense(x, 3, {.name = "fc"}); });
  EXPECT_EQ(message.substr(0, message.find('\n')), golden()["twice_error"].get<std::string>());
  EXPECT_EQ(g.num_operations(), ops);
}

TEST(Layers, ABadInputChangesNothing) {
  vs::Graph g;
  const vs::Tensor unknown = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, vs::kUnknownDim});
  const vs::Tensor rank1 = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4});
  const vs::Tensor no_rank = vs::placeholder(g, vs::DType::kFloat32, vs::Shape::unknown_rank());
  const std::size_t ops = g.num_operations();
  EXPECT_EQ(vs::testing::error_of<vs::ValueError>([&] { dense(unknown, 3); }),
            "The last dimension of the inputs to `Dense` should be defined. Found `None`.");
  // TF's InputSpec(min_ndim=2), its doubled colon included; the layer is the one the call
  // would have named.
  EXPECT_EQ(vs::testing::error_of<vs::ValueError>([&] { dense(rank1, 3); }),
            "Input 0 of layer dense is incompatible with the layer: : expected min_ndim=2, "
            "found ndim=1. Full shape received: [4]");
  EXPECT_EQ(vs::testing::error_of<vs::ValueError>([&] { dense(no_rank, 3); }),
            "Input 0 of layer dense is incompatible with the layer: its rank is undefined, but "
            "the layer requires a defined rank.");
  EXPECT_EQ(g.num_operations(), ops);
  EXPECT_TRUE(g.global_variables().empty());
}

TEST(Layers, DenseComputesTfsValues) {
  const nlohmann::json& v = golden()["values"];
  vs::Graph g;
  const vs::Tensor x = vs::constant(
      g,
      vs::HostTensor(v["x"].get<std::vector<double>>(), vs::Shape{2, 4}).cast(vs::DType::kFloat32));
  const vs::Tensor y =
      dense(x, 3,
            {.activation = vs::relu,
             .kernel_initializer = vs::constant_initializer(v["kernel"].get<std::vector<double>>()),
             .bias_initializer = vs::constant_initializer(v["bias"].get<double>())});
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  sess.run(g.global_variables_initializer());
  const vs::HostTensor got = sess.run(y);
  const std::vector<double> want = v["y"];
  ASSERT_EQ(got.num_elements(), static_cast<std::int64_t>(want.size()));
  for (std::size_t i = 0; i < want.size(); ++i)
    EXPECT_NEAR(got.data<float>()[i], want[i], 1e-6) << i;
}

}  // namespace
