// fused_batch_norm against TF 1.15 (tests/golden/conv_pool_tf115.json's "batch_norm", written
// by hand with tools/tf115/make_conv_pool_goldens.py): outputs and gradients in both modes,
// TF's argument errors, and the kernels' checks when shapes are only known at run time.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <string>
#include <vector>

#include "conv_pool_golden.h"
#include "test_util.h"

namespace vs = varscope;
using vs::testing::error_of;

namespace {

using conv_pool_golden::doubles;
using conv_pool_golden::expect_close;
using conv_pool_golden::from_json;
using conv_pool_golden::golden;

// fused_batch_norm's three outputs and the gradients of sum(y * linspace(0.5, 1.5)) for x,
// scale and offset, as TF 1.15 computes them, in both modes; the prepared oneDNN primitive is
// reused by a second run. TF 1.15 leaves the inference mode's mean and variance outputs
// unwritten: varscope's are the given ones.
TEST(ConvPoolTf115, FusedBatchNormOutputsAndGradientsAsTf) {
  for (const char* mode : {"training", "inference"}) {
    SCOPED_TRACE(mode);
    const bool training = std::string(mode) == "training";
    const nlohmann::json& want = golden()["batch_norm"][mode];
    vs::Graph g;
    std::vector<vs::Tensor> p;
    std::vector<vs::HostTensor> values;
    vs::FeedDict feeds;
    for (const auto& in : want["inputs"]) {
      values.push_back(from_json(in));
      p.push_back(vs::placeholder(g, vs::DType::kFloat32, values.back().shape()));
      feeds.push_back({p.back(), values.back()});
    }
    const vs::FusedBatchNorm bn =
        training ? vs::fused_batch_norm(p[0], p[1], p[2])
                 : vs::fused_batch_norm(p[0], p[1], p[2], p[3], p[4], 0.001, "NHWC", false);
    std::vector<double> weights;
    for (int i = 0; i < 24; ++i)
      weights.push_back(0.5 + double(i) / 23.0);
    const vs::Tensor loss = vs::reduce_sum(
        bn.y * vs::constant(g, vs::HostTensor(weights, bn.y.shape()).cast(vs::DType::kFloat32)));
    const std::vector<vs::Tensor> grads = vs::gradients({loss}, {p[0], p[1], p[2]});
    vs::Session s(g);
    for (int run = 0; run < 2; ++run) {
      expect_close(doubles(s.run(bn.y, feeds)), want["outputs"][0].get<std::vector<double>>());
      if (training) {
        expect_close(doubles(s.run(bn.mean, feeds)), want["outputs"][1].get<std::vector<double>>());
        expect_close(doubles(s.run(bn.variance, feeds)),
                     want["outputs"][2].get<std::vector<double>>());
      } else {
        expect_close(doubles(s.run(bn.mean, feeds)), doubles(values[3]));
        expect_close(doubles(s.run(bn.variance, feeds)), doubles(values[4]));
      }
      for (std::size_t i = 0; i < 3; ++i)
        expect_close(doubles(s.run(grads[i], feeds)),
                     want["gradients"][i].get<std::vector<double>>());
    }
  }
}

// fused_batch_norm's shape checks when the graph did not know the shapes (TF's kernel texts),
// and a fed FusedBatchNormGradV3 whose gradient is not x's shape.
TEST(ConvPoolRun, FusedBatchNormChecksAtRunTime) {
  vs::Graph g;
  const vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape::unknown_rank(), "x");
  const vs::Tensor c = vs::placeholder(g, vs::DType::kFloat32, vs::Shape::unknown_rank(), "c");
  const vs::FusedBatchNorm bn = vs::fused_batch_norm(x, c, c);
  vs::Session s(g);
  auto run_with = [&](vs::Shape xs, vs::Shape cs) {
    return error_of<vs::InvalidArgumentError>([&] {
      s.run(bn.y, {{x, vs::HostTensor(vs::DType::kFloat32, xs)},
                   {c, vs::HostTensor(vs::DType::kFloat32, cs)}});
    });
  };
  const std::string rank = run_with(vs::Shape{5, 5, 3}, vs::Shape{3});
  EXPECT_EQ(rank.rfind("input must be 4-dimensional[5,5,3]", 0), 0u) << rank;
  EXPECT_NE(rank.find("FusedBatchNormV3"), std::string::npos) << rank;
  const std::string channels = run_with(vs::Shape{1, 2, 2, 3}, vs::Shape{4});
  EXPECT_EQ(channels.rfind("scale must have the same number of elements as the channels of x, "
                           "got 4 and 3",
                           0),
            0u)
      << channels;
  // A well-shaped feed runs after the failures: the step's state was left usable.
  EXPECT_EQ(s.run(bn.y, {{x, vs::HostTensor(vs::DType::kFloat32, vs::Shape{1, 2, 2, 3})},
                         {c, vs::HostTensor(vs::DType::kFloat32, vs::Shape{3})}})
                .shape(),
            (vs::Shape{1, 2, 2, 3}));
}

// TF's Python-side checks of fused_batch_norm: ValueError, TypeError, and the graph unchanged.
TEST(ConvPoolTf115, FusedBatchNormArgumentErrors) {
  vs::Graph g;
  const vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 5, 5, 3}, "x");
  const vs::Tensor c = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{3}, "c");
  const vs::Tensor c64 = vs::placeholder(g, vs::DType::kFloat64, vs::Shape{3}, "c64");
  const vs::Tensor x64 = vs::placeholder(g, vs::DType::kFloat64, vs::Shape{2, 5, 5, 3}, "x64");
  const std::size_t before = g.operations().size();
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::fused_batch_norm(x, c, c, c, c); }),
            "Both 'mean' and 'variance' must be None if is_training is True.");
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::fused_batch_norm(x64, c64, c64); }),
            "Value passed to parameter 'x' has DataType float64 not in list of allowed values: "
            "float16, bfloat16, float32");
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::fused_batch_norm(x, c64, c); }),
            "Value passed to parameter 'scale' has DataType float64 not in list of allowed "
            "values: float32");
  EXPECT_EQ(error_of<vs::ValueError>(
                [&] { vs::fused_batch_norm(x, c, c, std::nullopt, std::nullopt, 0.001, "NCHWX"); }),
            "Attr 'data_format' of 'FusedBatchNormV3' Op passed string 'NCHWX' not in: \"NHWC\", "
            "\"NCHW\".");
  EXPECT_EQ(g.operations().size(), before);
  // epsilon below cuDNN's minimum is raised to it, as TF.
  const vs::FusedBatchNorm bn = vs::fused_batch_norm(x, c, c, std::nullopt, std::nullopt, 1e-7);
  EXPECT_NEAR(bn.y.op().attr_float("epsilon"), 1.001e-5, 1e-12);
  EXPECT_EQ(bn.y.op().name(), "FusedBatchNormV3");
}

// One step's prepared primitive is rebuilt when the fed batch changes, and reused after.

}  // namespace
