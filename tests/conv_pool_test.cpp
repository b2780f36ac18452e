// conv2d, max_pool and avg_pool against TF 1.15 (tests/golden/conv_pool_tf115.json, written
// by hand with tools/tf115/make_conv_pool_goldens.py): forward and gradient nodes (names,
// types, inputs, attributes, static shapes), graph-time error texts (E160-E166), TF's
// computed values and gradients; the run-time checks (E167-E171); a step's prepared oneDNN
// primitive following the feed shape; and the cuDNN layer's geometry and copies, run here
// on the CPU.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "host/runtime/cpu/copy.h"
#include "host/runtime/cuda/cudnn_geometry.h"
#include "test_util.h"

namespace vs = varscope;
using vs::testing::error_of;

namespace {

const nlohmann::json& golden() {
  static const nlohmann::json g = [] {
    std::ifstream in(std::string(VARSCOPE_GOLDEN_DIR) + "/conv_pool_tf115.json");
    if (!in) throw std::runtime_error("cannot read tests/golden/conv_pool_tf115.json");
    return nlohmann::json::parse(in);
  }();
  return g;
}

using Build = std::function<vs::Tensor(const std::vector<vs::Tensor>&)>;

struct GraphCase {
  std::vector<std::pair<std::string, vs::Shape>> feeds;
  Build build;
};

const std::map<std::string, GraphCase>& graph_cases() {
  static const std::map<std::string, GraphCase> cases = {
      {"conv2d_same",
       {{{"x", vs::Shape{2, 5, 5, 3}}, {"w", vs::Shape{3, 3, 3, 4}}},
        [](auto& p) {
          return vs::conv2d(p[0], p[1], {1, 1, 1, 1}, "SAME");
        }}},
      {"conv2d_valid_strided_dilated",
       {{{"x", vs::Shape{2, 9, 9, 3}}, {"w", vs::Shape{3, 3, 3, 4}}},
        [](auto& p) {
          return vs::conv2d(p[0], p[1], {1, 2, 2, 1}, "VALID");
        }}},
      {"conv2d_dilated",
       {{{"x", vs::Shape{2, 5, 5, 3}}, {"w", vs::Shape{3, 3, 3, 4}}},
        [](auto& p) {
          return vs::conv2d(p[0], p[1], {1, 1, 1, 1}, "SAME", "NHWC", {1, 2, 2, 1});
        }}},
      {"conv2d_unknown_batch",
       {{{"x", vs::Shape{-1, 5, 5, 3}}, {"w", vs::Shape{3, 3, 3, 4}}},
        [](auto& p) {
          return vs::conv2d(p[0], p[1], {1, 1, 1, 1}, "SAME");
        }}},
      {"max_pool",
       {{{"x", vs::Shape{2, 5, 5, 3}}},
        [](auto& p) {
          return vs::max_pool(p[0], {1, 2, 2, 1}, {1, 2, 2, 1}, "VALID");
        }}},
      {"avg_pool",
       {{{"x", vs::Shape{2, 5, 5, 3}}},
        [](auto& p) {
          return vs::avg_pool(p[0], {1, 3, 3, 1}, {1, 2, 2, 1}, "SAME");
        }}},
      {"avg_pool_unknown_batch",
       {{{"x", vs::Shape{-1, 5, 5, 3}}},
        [](auto& p) {
          return vs::avg_pool(p[0], {1, 3, 3, 1}, {1, 2, 2, 1}, "SAME");
        }}},
      {"fused_batch_norm_training",
       {{{"x", vs::Shape{2, 5, 5, 3}}, {"s", vs::Shape{3}}, {"o", vs::Shape{3}}},
        [](auto& p) { return vs::fused_batch_norm(p[0], p[1], p[2]).y; }}},
      {"fused_batch_norm_inference",
       {{{"x", vs::Shape{2, 5, 5, 3}},
         {"s", vs::Shape{3}},
         {"o", vs::Shape{3}},
         {"m", vs::Shape{3}},
         {"v", vs::Shape{3}}},
        [](auto& p) {
          return vs::fused_batch_norm(p[0], p[1], p[2], p[3], p[4], 0.001, "NHWC", false).y;
        }}},
  };
  return cases;
}

// One node against TF's: type, inputs, attributes, output shapes.
void expect_node(const vs::Operation& op, const nlohmann::json& want) {
  SCOPED_TRACE(op.name());
  EXPECT_EQ(op.type(), want["type"].get<std::string>());
  std::vector<std::string> inputs;
  for (int i = 0; i < op.num_inputs(); ++i)
    inputs.push_back(op.input(i).name());
  EXPECT_EQ(inputs, want["inputs"].get<std::vector<std::string>>());
  for (const auto& [name, value] : want["attrs"].items()) {
    if (name == "dtype") continue;  // Const's, checked by its output
    if (name == "T" || name == "U" || name == "out_type") {
      EXPECT_EQ(vs::dtype_name(op.attr_dtype(name)), value.get<std::string>()) << name;
    } else if (value.is_boolean()) {
      EXPECT_EQ(op.attr_bool(name), value.get<bool>()) << name;
    } else if (value.is_string()) {
      EXPECT_EQ(op.attr_string(name), value.get<std::string>()) << name;
    } else if (value.is_array()) {
      EXPECT_EQ(op.attr_ints(name), value.get<std::vector<std::int64_t>>()) << name;
    } else if (value.is_number_integer()) {
      EXPECT_EQ(op.attr_int(name), value.get<std::int64_t>()) << name;
    }
  }
  ASSERT_EQ(static_cast<std::size_t>(op.num_outputs()), want["shapes"].size());
  for (int i = 0; i < op.num_outputs(); ++i) {
    if (want["shapes"][static_cast<std::size_t>(i)].is_null()) {  // TF's unknown rank
      EXPECT_FALSE(op.output(i).shape().has_rank()) << "output " << i;
      continue;
    }
    std::vector<std::int64_t> dims;
    for (const auto& d : want["shapes"][static_cast<std::size_t>(i)])
      dims.push_back(d.is_null() ? -1 : d.get<std::int64_t>());
    EXPECT_EQ(op.output(i).shape(), vs::Shape(dims)) << "output " << i;
  }
}

TEST(ConvPoolTf115, ForwardAndGradientNodesAsTf) {
  for (const auto& [name, c] : graph_cases()) {
    SCOPED_TRACE(name);
    const nlohmann::json& want = golden()["graphs"][name];
    vs::Graph g;
    std::vector<vs::Tensor> p;
    for (const auto& [feed, shape] : c.feeds)
      p.push_back(vs::placeholder(g, vs::DType::kFloat32, shape, feed));
    const vs::Tensor y = c.build(p);
    auto ops = g.operations();
    ASSERT_EQ(ops.size() - p.size(), want["forward"].size());
    for (std::size_t i = 0; i < want["forward"].size(); ++i) {
      EXPECT_EQ(ops[p.size() + i].name(), want["forward"][i]["name"].get<std::string>());
      expect_node(ops[p.size() + i], want["forward"][i]);
    }
    const std::size_t before = ops.size();
    vs::gradients({y}, p);
    ops = g.operations();
    // The "<op>_grad/" nodes, one for one (TF's seed Shape/grad_ys/Fill differ by design).
    std::map<std::string, vs::Operation> ours;
    for (std::size_t i = before; i < ops.size(); ++i) {
      if (ops[i].name().find("_grad/") != std::string::npos) ours.emplace(ops[i].name(), ops[i]);
    }
    std::size_t tf_count = 0;
    for (const auto& node : want["gradient"]) {
      const std::string n = node["name"].get<std::string>();
      if (n.find("_grad/") == std::string::npos) continue;
      ++tf_count;
      const auto it = ours.find(n);
      if (it == ours.end()) {
        ADD_FAILURE() << "TF's " << n << " is missing";
        continue;
      }
      std::vector<std::string> tf_inputs = node["inputs"].get<std::vector<std::string>>();
      nlohmann::json w = node;
      // The seed's name differs (TF: gradients/Fill:0): compare inputs made under _grad/ only.
      std::vector<std::string> kept;
      for (const auto& in : tf_inputs)
        if (in.find("gradients/Fill") == std::string::npos) kept.push_back(in);
      std::vector<std::string> mine;
      for (int i = 0; i < it->second.num_inputs(); ++i) {
        const std::string in = it->second.input(i).name();
        if (in.find("_grad/") != std::string::npos || in.find("gradients/") == std::string::npos)
          mine.push_back(in);
      }
      EXPECT_EQ(mine, kept) << n;
      w["inputs"] = nlohmann::json::array();
      for (int i = 0; i < it->second.num_inputs(); ++i)
        w["inputs"].push_back(it->second.input(i).name());
      expect_node(it->second, w);
    }
    EXPECT_EQ(ours.size(), tf_count);
  }
}

TEST(ConvPoolTf115, GraphTimeErrorsAsTfAndGraphIntact) {
  using Shapes = std::vector<vs::Shape>;
  struct Case {
    const char* key;
    Shapes shapes;
    Build build;
  };
  const std::vector<Case> cases = {
      {"conv2d_depth", Shapes{{2, 5, 5, 3}, {3, 3, 4, 2}},
       [](auto& p) {
         return vs::conv2d(p[0], p[1], {1, 1, 1, 1}, "SAME");
       }},
      {"conv2d_input_rank", Shapes{{5, 5, 3}, {3, 3, 3, 2}},
       [](auto& p) {
         return vs::conv2d(p[0], p[1], {1, 1, 1, 1}, "SAME");
       }},
      {"conv2d_filter_rank", Shapes{{2, 5, 5, 3}, {3, 3, 3}},
       [](auto& p) {
         return vs::conv2d(p[0], p[1], {1, 1, 1, 1}, "SAME");
       }},
      {"conv2d_valid_too_small", Shapes{{1, 2, 2, 3}, {3, 3, 3, 2}},
       [](auto& p) {
         return vs::conv2d(p[0], p[1], {1, 1, 1, 1}, "VALID");
       }},
      {"conv2d_strides_length", Shapes{{2, 5, 5, 3}, {3, 3, 3, 2}},
       [](auto& p) {
         return vs::conv2d(p[0], p[1], {1, 1, 1}, "SAME");
       }},
      {"conv2d_zero_stride", Shapes{{2, 5, 5, 3}, {3, 3, 3, 2}},
       [](auto& p) {
         return vs::conv2d(p[0], p[1], {1, 0, 1, 1}, "SAME");
       }},
      {"conv2d_zero_dilation", Shapes{{2, 5, 5, 3}, {3, 3, 3, 2}},
       [](auto& p) {
         return vs::conv2d(p[0], p[1], {1, 1, 1, 1}, "SAME", "NHWC", {1, 0, 1, 1});
       }},
      {"conv2d_padding", Shapes{{2, 5, 5, 3}, {3, 3, 3, 2}},
       [](auto& p) {
         return vs::conv2d(p[0], p[1], {1, 1, 1, 1}, "FULL");
       }},
      {"max_pool_rank", Shapes{{5, 5, 3}},
       [](auto& p) {
         return vs::max_pool(p[0], {1, 2, 2, 1}, {1, 2, 2, 1}, "VALID");
       }},
      {"max_pool_ksize_length", Shapes{{2, 5, 5, 3}},
       [](auto& p) {
         return vs::max_pool(p[0], {1, 2, 2}, {1, 2, 2, 1}, "VALID");
       }},
      {"max_pool_strides_length", Shapes{{2, 5, 5, 3}},
       [](auto& p) {
         return vs::max_pool(p[0], {1, 2, 2, 1}, {1, 2, 2}, "VALID");
       }},
      {"max_pool_too_small", Shapes{{2, 5, 5, 3}},
       [](auto& p) {
         return vs::max_pool(p[0], {1, 6, 6, 1}, {1, 1, 1, 1}, "VALID");
       }},
      {"avg_pool_zero_stride", Shapes{{2, 5, 5, 3}},
       [](auto& p) {
         return vs::avg_pool(p[0], {1, 2, 2, 1}, {1, 0, 2, 1}, "VALID");
       }},
      {"avg_pool_padding", Shapes{{2, 5, 5, 3}},
       [](auto& p) {
         return vs::avg_pool(p[0], {1, 2, 2, 1}, {1, 2, 2, 1}, "FULL");
       }},
      {"fused_batch_norm_rank", Shapes{{5, 5, 3}, {3}, {3}},
       [](auto& p) { return vs::fused_batch_norm(p[0], p[1], p[2]).y; }},
      {"fused_batch_norm_scale", Shapes{{2, 5, 5, 3}, {4}, {3}},
       [](auto& p) { return vs::fused_batch_norm(p[0], p[1], p[2]).y; }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.key);
    const nlohmann::json& want = golden()["errors"][c.key];
    ASSERT_TRUE(want.is_object());
    ASSERT_EQ(want["class"].get<std::string>(), "ValueError");
    vs::Graph g;
    std::vector<vs::Tensor> p;
    const char* names[] = {"p0", "p1", "p2"};
    for (std::size_t i = 0; i < c.shapes.size(); ++i)
      p.push_back(vs::placeholder(g, vs::DType::kFloat32, c.shapes[i], names[i]));
    const std::size_t before = g.operations().size();
    EXPECT_EQ(error_of<vs::ValueError>([&] { c.build(p); }), want["text"].get<std::string>());
    EXPECT_EQ(g.operations().size(), before);
  }
}

TEST(ConvPoolRun, KernelChecksAtRunTime) {
  vs::Graph g;
  auto x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 5, 5, 4}, "x");
  auto w = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{3, 3, 2, 2}, "w");
  auto w4 = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{3, 3, 4, 2}, "w4");
  const vs::FeedDict feeds{{x, vs::HostTensor(vs::DType::kFloat32, vs::Shape{2, 5, 5, 4})},
                           {w, vs::HostTensor(vs::DType::kFloat32, vs::Shape{3, 3, 2, 2})},
                           {w4, vs::HostTensor(vs::DType::kFloat32, vs::Shape{3, 3, 4, 2})}};
  vs::Session s(g);
  EXPECT_EQ(
      error_of<vs::UnimplementedError>([&] {
        s.run(vs::conv2d(x, w, {1, 1, 1, 1}, "SAME"), feeds);
      }),
      "The Conv2D op currently does not support grouped convolutions on the CPU. A grouped "
      "convolution was attempted to be run because the input depth of 4 does not match the filter "
      "input depth of 2\n\t [[{{node Conv2D}}]]");
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              s.run(vs::conv2d(x, w4, {2, 1, 1, 1}, "SAME"), feeds);
            }),
            "Current implementation does not yet support strides in the batch and depth "
            "dimensions.\n\t [[{{node Conv2D_1}}]]");
  EXPECT_EQ(error_of<vs::UnimplementedError>([&] {
              s.run(vs::max_pool(x, {2, 2, 2, 1}, {1, 1, 1, 1}, "SAME"), feeds);
            }),
            "Pooling is not yet supported on the batch dimension.\n\t [[{{node MaxPool}}]]");
  EXPECT_EQ(error_of<vs::UnimplementedError>([&] {
              s.run(vs::avg_pool(x, {1, 2, 2, 2}, {1, 1, 1, 1}, "SAME"), feeds);
            }),
            "MaxPooling supports exactly one of pooling across depth or pooling across "
            "width/height.\n\t [[{{node AvgPool}}]]");
  EXPECT_EQ(error_of<vs::UnimplementedError>([&] {
              vs::conv2d(x, w, {1, 1, 1, 1}, "SAME", "NCHW");
            }),
            "Conv2D: data_format \"NCHW\" is not supported; varscope's kernels are NHWC");
}

std::vector<double> doubles(const vs::HostTensor& t) {
  std::vector<double> v;
  for (std::int64_t i = 0; i < t.num_elements(); ++i)
    v.push_back(t.element_as_double(i));
  return v;
}

vs::HostTensor from_json(const nlohmann::json& j) {
  return vs::HostTensor(j["values"].get<std::vector<double>>(),
                        vs::Shape(j["shape"].get<std::vector<std::int64_t>>()))
      .cast(vs::DType::kFloat32);
}

void expect_close(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], 1e-5 + 1e-5 * std::abs(want[i])) << "element " << i;
}

// TF's float32 outputs and gradients of sum(y * linspace(0.5, 1.5)) for fixed inputs.
TEST(ConvPoolTf115, ValuesAndGradientsAsTfComputesThem) {
  const std::map<std::string, Build> builds = {
      {"conv2d_same_strided",
       [](auto& p) {
         return vs::conv2d(p[0], p[1], {1, 2, 2, 1}, "SAME");
       }},
      {"conv2d_valid_dilated",
       [](auto& p) {
         return vs::conv2d(p[0], p[1], {1, 1, 1, 1}, "VALID", "NHWC", {1, 2, 1, 1});
       }},
      {"max_pool_same",
       [](auto& p) {
         return vs::max_pool(p[0], {1, 2, 3, 1}, {1, 2, 2, 1}, "SAME");
       }},
      {"avg_pool_same",
       [](auto& p) {
         return vs::avg_pool(p[0], {1, 3, 2, 1}, {1, 2, 2, 1}, "SAME");
       }},
      {"fused_batch_norm_training",
       [](auto& p) { return vs::fused_batch_norm(p[0], p[1], p[2]).y; }},
  };
  for (const auto& [name, build] : builds) {
    SCOPED_TRACE(name);
    const nlohmann::json& want = golden()["values"][name];
    vs::Graph g;
    std::vector<vs::Tensor> p;
    vs::FeedDict feeds;
    for (const auto& in : want["inputs"]) {
      const vs::HostTensor v = from_json(in);
      p.push_back(vs::placeholder(g, vs::DType::kFloat32, v.shape()));
      feeds.push_back({p.back(), v});
    }
    const vs::Tensor y = build(p);
    const std::int64_t n = y.shape().num_elements();
    std::vector<double> weights;
    for (std::int64_t i = 0; i < n; ++i)
      weights.push_back(n == 1 ? 0.5 : 0.5 + double(i) / double(n - 1));
    const vs::Tensor loss = vs::reduce_sum(
        y * vs::constant(g, vs::HostTensor(weights, y.shape()).cast(vs::DType::kFloat32)));
    const std::vector<vs::Tensor> grads = vs::gradients({loss}, p);
    vs::Session s(g);
    expect_close(doubles(s.run(y, feeds)), want["output"]["values"].get<std::vector<double>>());
    for (std::size_t i = 0; i < want["gradients"].size(); ++i)
      expect_close(doubles(s.run(grads[i], feeds)),
                   want["gradients"][i].get<std::vector<double>>());
  }
}

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
TEST(ConvPoolRun, PreparedPrimitiveFollowsTheFeedShape) {
  vs::Graph g;
  auto x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{-1, 6, 5, 3}, "x");
  auto w = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{3, 3, 3, 4}, "w");
  const vs::Tensor y = vs::max_pool(vs::conv2d(x, w, {1, 2}, "SAME"), {2}, {2}, "SAME");
  auto x64 = vs::placeholder(g, vs::DType::kFloat64, vs::Shape{-1, 6, 5, 3}, "x64");
  auto w64 = vs::placeholder(g, vs::DType::kFloat64, vs::Shape{3, 3, 3, 4}, "w64");
  const vs::Tensor y64 = vs::max_pool(vs::conv2d(x64, w64, {1, 2}, "SAME"), {2}, {2}, "SAME");
  vs::Session s(g);
  std::vector<double> wv(3 * 3 * 3 * 4);
  for (std::size_t i = 0; i < wv.size(); ++i)
    wv[i] = std::sin(double(i));
  const vs::HostTensor wt = vs::HostTensor(wv, vs::Shape{3, 3, 3, 4});
  for (std::int64_t batch : {2, 3, 2}) {
    SCOPED_TRACE(batch);
    std::vector<double> xv(static_cast<std::size_t>(batch * 6 * 5 * 3));
    for (std::size_t i = 0; i < xv.size(); ++i)
      xv[i] = std::cos(0.7 * double(i) + double(batch));
    const vs::HostTensor xt(xv, vs::Shape{batch, 6, 5, 3});
    const vs::HostTensor got =
        s.run(y, {{x, xt.cast(vs::DType::kFloat32)}, {w, wt.cast(vs::DType::kFloat32)}});
    const vs::HostTensor want = s.run(y64, {{x64, xt}, {w64, wt}});
    ASSERT_EQ(got.shape(), want.shape());
    expect_close(doubles(got), doubles(want));
  }
}

namespace vc = varscope::runtime::cuda;
namespace vk = varscope::kernels;

TEST(CudnnGeometry, AsymmetricSamePaddingPadsTheInputByACopy) {
  // 5 rows, 3x3 filter, stride 2: 3 outputs, 2 rows of padding, 1 before and 1 after
  // (symmetric); 4 columns, stride 1, 2 wide: 1 column after only.
  const vk::WindowGeometry g = vk::make_window_geometry(2, 5, 4, 3, 3, 2, 6, 2, 1, 1, 1, true);
  EXPECT_EQ(g.out_h, 3);
  EXPECT_EQ(g.out_w, 4);
  EXPECT_EQ(g.pad_top, 1);
  EXPECT_EQ(g.pad_bottom, 1);
  EXPECT_EQ(g.pad_left, 0);
  EXPECT_EQ(g.pad_right, 1);
  const vc::CudnnConvGeometry c = vc::cudnn_conv_geometry(g);
  EXPECT_TRUE(c.padded_copy());
  EXPECT_EQ(c.input.dims, (std::array<int, 4>{2, 3, 5, 5}));  // n, c, h, w + 1
  EXPECT_EQ(c.input.strides, (std::array<int, 4>{5 * 5 * 3, 1, 5 * 3, 3}));
  EXPECT_EQ(c.pad, (std::array<int, 2>{1, 0}));
  // cuDNN's output size from the padded input is TF's.
  for (int d = 0; d < 2; ++d) {
    const int in = c.input.dims[2 + d], k = c.filter[2 + d];
    EXPECT_EQ((in + 2 * c.pad[d] - k) / c.stride[d] + 1, c.output.dims[2 + d]);
  }
  const vc::CudnnPoolGeometry p = vc::cudnn_pool_geometry(g);
  EXPECT_EQ(p.output.dims, (std::array<int, 4>{2, 3, 3, 4}));
  EXPECT_EQ(p.pad, (std::array<int, 2>{1, 0}));
}

TEST(CudnnGeometry, FilterAndPaddingCopiesMoveEachElementWhereCudnnReadsIt) {
  const vk::WindowGeometry g = vk::make_window_geometry(2, 3, 4, 3, 2, 3, 5, 1, 1, 1, 1, true);
  std::vector<float> hwio(static_cast<std::size_t>(g.filter_count())), ohwi(hwio.size()),
      back(hwio.size());
  for (std::size_t i = 0; i < hwio.size(); ++i)
    hwio[i] = float(i);
  auto run = [](vk::StridedCopyArgs a, const void* src, void* dst) {
    a.element_size = sizeof(float);
    a.src = src;
    a.dst = dst;
    vs::runtime::cpu::strided_copy(a);
  };
  run(vc::filter_copy(g, true), hwio.data(), ohwi.data());
  for (std::int64_t y = 0; y < g.kh; ++y)
    for (std::int64_t x = 0; x < g.kw; ++x)
      for (std::int64_t i = 0; i < g.c; ++i)
        for (std::int64_t o = 0; o < g.out_c; ++o)
          EXPECT_EQ(ohwi[std::size_t(((o * g.kh + y) * g.kw + x) * g.c + i)],
                    hwio[std::size_t(((y * g.kw + x) * g.c + i) * g.out_c + o)]);
  run(vc::filter_copy(g, false), ohwi.data(), back.data());
  EXPECT_EQ(back, hwio);

  const vc::CudnnConvGeometry c = vc::cudnn_conv_geometry(g);
  ASSERT_TRUE(c.padded_copy());
  std::vector<float> x(static_cast<std::size_t>(g.input_count())), x_back(x.size());
  for (std::size_t i = 0; i < x.size(); ++i)
    x[i] = float(i + 1);
  std::vector<float> padded(static_cast<std::size_t>(c.input.strides[0]) * 2, 0.0f);
  run(vc::padded_copy(g, true), x.data(), padded.data());
  const int hp = c.input.dims[2], wp = c.input.dims[3];
  for (int b = 0; b < 2; ++b)
    for (int y = 0; y < hp; ++y)
      for (int xx = 0; xx < wp; ++xx)
        for (int ch = 0; ch < 3; ++ch) {
          const float want =
              (y < g.h && xx < g.w) ? x[std::size_t(((b * g.h + y) * g.w + xx) * 3 + ch)] : 0.0f;
          EXPECT_EQ(padded[std::size_t(((b * hp + y) * wp + xx) * 3 + ch)], want);
        }
  run(vc::padded_copy(g, false), padded.data(), x_back.data());
  EXPECT_EQ(x_back, x);
}

}  // namespace
