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

#include "conv_pool_golden.h"
#include "test_util.h"

namespace vs = varscope;
using vs::testing::error_of;

namespace {

using conv_pool_golden::doubles;
using conv_pool_golden::expect_close;
using conv_pool_golden::from_json;
using conv_pool_golden::golden;

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

}  // namespace
