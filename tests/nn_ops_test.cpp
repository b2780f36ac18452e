// Issue 24's nn functions against TF 1.15 (tests/golden/nn_ops_tf115.json, written by hand
// with tools/tf115/make_nn_op_goldens.py): log_softmax, l2_loss, l2_normalize,
// sigmoid_cross_entropy_with_logits, moments and dropout — their ops' names, types and
// inputs, their gradients' names, TF's error texts (and a failed call changes nothing), and
// the elements dropout keeps for fixed seeds. CPU backend (the op-table test runs each on
// both backends against a double reference).
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "test_util.h"

namespace vs = varscope;
using vs::testing::error_of;

namespace {

const nlohmann::json& golden() {
  static const nlohmann::json g = [] {
    std::ifstream in(std::string(VARSCOPE_GOLDEN_DIR) + "/nn_ops_tf115.json");
    if (!in) throw std::runtime_error("cannot read tests/golden/nn_ops_tf115.json");
    return nlohmann::json::parse(in);
  }();
  return g;
}

vs::Tensor ph(vs::Graph& g, vs::Shape shape, const std::string& name = "x") {
  return vs::placeholder(g, vs::DType::kFloat32, std::move(shape), name);
}

// "name:Type <- input, input" of the graph's operations from index `from` on, placeholders
// left out (as the golden).
std::vector<std::string> described(const vs::Graph& g, std::size_t from) {
  std::vector<std::string> out;
  const auto ops = g.operations();
  for (std::size_t i = from; i < ops.size(); ++i) {
    if (ops[i].type() == "Placeholder") continue;
    std::string s = ops[i].name() + ":" + ops[i].type() + " <-";
    for (int k = 0; k < ops[i].num_inputs(); ++k)
      s.append(" ").append(ops[i].input(k).name());
    out.push_back(s);
  }
  return out;
}

std::vector<std::string> described(const nlohmann::json& nodes) {
  std::vector<std::string> out;
  for (const auto& n : nodes) {
    std::string s = n["name"].get<std::string>() + ":" + n["type"].get<std::string>() + " <-";
    for (const auto& i : n["inputs"])
      s.append(" ").append(i.get<std::string>());
    out.push_back(s);
  }
  return out;
}

// Where varscope stands one op in for TF's several (docs/differences.md).
bool same_type(const std::string& ours, const std::string& tf) {
  if (ours == tf) return true;
  if (ours == "SumToShape") return tf == "Sum";
  if (ours == "BroadcastToShape") return tf == "Tile" || tf == "RealDiv";
  if (ours == "ZerosLike") return tf == "Fill" || tf == "Const";
  return false;
}

std::string scope_of(const std::string& name) {
  return name.substr(0, name.rfind('/'));
}

// Every gradient node varscope makes (in a "<op>_grad/" scope) has TF's name and (stand-ins
// aside) type; every TF gradient node is made, except the shape plumbing varscope's
// SumToShape / BroadcastToShape stand in for: a reduction's gradient is its last op (Tile, or
// truediv for a mean), and Mul's SumToShape of its second input is "Sum_1" where TF 1.15,
// knowing the first input needs no sum, names the one it makes "Sum" (docs/differences.md).
void expect_gradient_names(const vs::Graph& g,
                           std::size_t from,
                           const nlohmann::json& tf_forward,
                           const nlohmann::json& tf_nodes) {
  std::map<std::string, std::string> reduction_scopes;  // scope -> its last op
  for (const auto& n : tf_forward) {
    const std::string type = n["type"];
    if (type == "Sum" || type == "Mean") {
      reduction_scopes["gradients/" + n["name"].get<std::string>() + "_grad"] =
          type == "Sum" ? "Tile" : "truediv";
    }
  }
  std::map<std::string, std::string> tf;
  for (const auto& n : tf_nodes) {
    const std::string name = n["name"], type = n["type"];
    if (name.find("_grad/") != std::string::npos) tf[name] = type;
  }
  std::set<std::string> ours;
  const auto ops = g.operations();
  for (std::size_t i = from; i < ops.size(); ++i) {
    std::string name = ops[i].name();
    const std::string type = ops[i].type();
    if (name.find("_grad/") == std::string::npos) continue;
    if (type == "SumToShape" && name.ends_with("/Sum_1") && !tf.contains(name)) {
      name = scope_of(name) + "/Sum";
    }
    ours.insert(name);
    const auto it = tf.find(name);
    if (it == tf.end()) {
      ADD_FAILURE() << "varscope's " << name << ":" << type << " is not in TF's gradient";
      continue;
    }
    EXPECT_TRUE(same_type(type, it->second))
        << name << " is " << type << ", " << it->second << " in TF";
  }
  static const std::set<std::string> kShapePlumbing = {
      "Const", "BroadcastGradientArgs", "Reshape", "Fill", "Sum", "Shape"};
  for (const auto& [name, type] : tf) {
    if (kShapePlumbing.contains(type)) continue;
    const auto reduction = reduction_scopes.find(scope_of(name));
    if (reduction != reduction_scopes.end() && name != reduction->first + "/" + reduction->second)
      continue;
    EXPECT_TRUE(ours.contains(name)) << "TF's " << name << ":" << type << " is missing";
  }
}

struct Built {
  std::vector<vs::Tensor> ys;
  std::vector<vs::Tensor> wrt;
};

const std::map<std::string, std::function<Built(vs::Graph&)>>& builders() {
  static const std::map<std::string, std::function<Built(vs::Graph&)>> b = {
      {"log_softmax",
       [](vs::Graph& g) {
         auto x = ph(g, {2, 3});
         return Built{{vs::log_softmax(x)}, {x}};
       }},
      {"l2_loss",
       [](vs::Graph& g) {
         auto x = ph(g, {2, 3});
         return Built{{vs::l2_loss(x)}, {x}};
       }},
      {"l2_normalize",
       [](vs::Graph& g) {
         auto x = ph(g, {2, 3});
         return Built{{vs::l2_normalize(x, 1)}, {x}};
       }},
      {"l2_normalize_axes",
       [](vs::Graph& g) {
         auto x = ph(g, {2, 3});
         return Built{{vs::l2_normalize(x, {0, 1}, 1e-3)}, {x}};
       }},
      {"sigmoid_cross_entropy_with_logits",
       [](vs::Graph& g) {
         auto x = ph(g, {2, 3});
         auto labels = ph(g, {2, 3}, "labels");
         return Built{{vs::sigmoid_cross_entropy_with_logits(labels, x)}, {x}};
       }},
      {"moments",
       [](vs::Graph& g) {
         auto x = ph(g, {2, 3});
         const vs::Moments m = vs::moments(x, {1});
         return Built{{m.mean, m.variance}, {x}};
       }},
      {"moments_keep_dims",
       [](vs::Graph& g) {
         auto x = ph(g, {2, 3, 4});
         const vs::Moments m = vs::moments(x, {0, 2}, true);
         return Built{{m.mean, m.variance}, {x}};
       }},
      {"dropout_keep_prob",
       [](vs::Graph& g) {
         auto x = ph(g, {2, 3});
         return Built{{vs::dropout(x, 0.75, {.seed = 3})}, {x}};
       }},
      {"dropout_rate",
       [](vs::Graph& g) {
         auto x = ph(g, {2, 3});
         return Built{{vs::dropout_v2(x, 0.25, {.seed = 3})}, {x}};
       }},
      {"dropout_keep_prob_tensor",
       [](vs::Graph& g) {
         auto x = ph(g, {2, 3});
         auto k = ph(g, vs::Shape{}, "keep_prob");
         return Built{{vs::dropout(x, k)}, {x}};
       }},
      {"dropout_rate_tensor_unknown_batch",
       [](vs::Graph& g) {
         auto x = ph(g, {vs::kUnknownDim, 3});
         auto r = ph(g, vs::Shape{}, "rate");
         return Built{{vs::dropout_v2(x, r)}, {x}};
       }},
      {"dropout_noise_shape",
       [](vs::Graph& g) {
         auto x = ph(g, {2, 3});
         return Built{{vs::dropout(x, 0.5, {.noise_shape = vs::Shape{2, 1}, .seed = 1})}, {x}};
       }},
      {"dropout_keep_prob_one",
       [](vs::Graph& g) {
         auto x = ph(g, {2, 3});
         auto y = vs::dropout(x, 1.0);
         auto z = vs::dropout(x, 0.5);
         return Built{{y, z}, {}};
       }},
  };
  return b;
}

TEST(NnOpsTf115, NodeNamesTypesInputsAndGradientNames) {
  ASSERT_EQ(builders().size(), golden()["graphs"].size());
  for (const auto& [key, build] : builders()) {
    SCOPED_TRACE(key);
    const nlohmann::json& want = golden()["graphs"][key];
    vs::Graph g;
    const Built b = build(g);
    EXPECT_EQ(described(g, 0), described(want["forward"]));
    std::vector<std::string> outputs;
    for (const vs::Tensor& y : b.ys)
      outputs.push_back(y.name());
    EXPECT_EQ(outputs, want["outputs"].get<std::vector<std::string>>());
    if (b.wrt.empty()) continue;
    const std::size_t before = g.operations().size();
    const std::vector<vs::Tensor> dx = vs::gradients(b.ys, b.wrt);
    ASSERT_TRUE(dx[0].valid());
    expect_gradient_names(g, before, want["forward"], want["gradient"]);
  }
}

TEST(NnOpsTf115, DropoutSeedsAndAttributesAreTfs) {
  for (const std::string key : {"dropout_keep_prob", "dropout_rate", "dropout_noise_shape"}) {
    SCOPED_TRACE(key);
    vs::Graph g;
    builders().at(key)(g);
    for (const auto& n : golden()["graphs"][key]["forward"]) {
      const vs::Operation op = g.get_operation_by_name(n["name"].get<std::string>());
      if (n["type"] == "RandomUniform") {
        EXPECT_EQ(op.attr_int("seed"), n["attrs"]["seed"].get<std::int64_t>());
        EXPECT_EQ(op.attr_int("seed2"), n["attrs"]["seed2"].get<std::int64_t>());
      }
      if (n["type"] == "Const" && n["attrs"]["value"].is_number()) {
        EXPECT_EQ(op.attr_tensor("value").element_as_double(0),
                  static_cast<double>(n["attrs"]["value"].get<float>()))
            << n["name"];
      }
    }
  }
}

// A failed call is TF's error and leaves the graph as it was. `setup` adds what the call
// needs and returns it.
TEST(NnOpsTf115, ErrorTextsAndNothingChanges) {
  const nlohmann::json& want = golden()["errors"];
  using Call = std::function<void()>;
  auto expect_value_error = [&](const std::string& key,
                                const std::function<Call(vs::Graph&, vs::Tensor)>& setup) {
    SCOPED_TRACE(key);
    vs::Graph g;
    auto x = ph(g, {2, 3});
    const Call call = setup(g, x);
    const std::size_t before = g.operations().size();
    EXPECT_EQ(error_of<vs::ValueError>(call), want[key]["text"].get<std::string>());
    EXPECT_EQ(g.operations().size(), before);
    vs::dropout(x, 0.5);  // the name "dropout" is still free
    EXPECT_TRUE(g.get_operation_by_name("dropout/mul_1").valid());
  };
  expect_value_error("sigmoid_xent_shapes", [](vs::Graph& g, vs::Tensor x) -> Call {
    auto labels = ph(g, {2, 4}, "labels");
    return [=] { vs::sigmoid_cross_entropy_with_logits(labels, x); };
  });
  expect_value_error("dropout_keep_prob_1.5",
                     [](vs::Graph&, vs::Tensor x) -> Call { return [=] { vs::dropout(x, 1.5); }; });
  expect_value_error("dropout_keep_prob_0",
                     [](vs::Graph&, vs::Tensor x) -> Call { return [=] { vs::dropout(x, 0.0); }; });
  expect_value_error("dropout_rate_1", [](vs::Graph&, vs::Tensor x) -> Call {
    return [=] { vs::dropout_v2(x, 1.0); };
  });
  expect_value_error("dropout_rate_-0.1", [](vs::Graph&, vs::Tensor x) -> Call {
    return [=] { vs::dropout_v2(x, -0.1); };
  });
  expect_value_error("dropout_int", [](vs::Graph& g, vs::Tensor) -> Call {
    auto i = vs::placeholder(g, vs::DType::kInt32, vs::Shape{2, 3}, "i");
    return [=] { vs::dropout(i, 0.5); };
  });
  expect_value_error("dropout_rate_rank1", [](vs::Graph& g, vs::Tensor x) -> Call {
    auto rate = ph(g, {1}, "rate");
    return [=] { vs::dropout_v2(x, rate); };
  });
  expect_value_error("log_softmax_scalar", [](vs::Graph& g, vs::Tensor) -> Call {
    auto s = ph(g, vs::Shape{}, "s");
    return [=] { vs::log_softmax(s); };
  });
  vs::Graph g;
  auto i = vs::placeholder(g, vs::DType::kInt32, vs::Shape{2}, "i");
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::l2_loss(i); }),
            want["l2_loss_int"]["text"].get<std::string>());
}

// varscope's own checks where TF's text names Python (E152, E154, E155).
TEST(NnOps, DropoutArgumentErrors) {
  vs::Graph g;
  auto x = ph(g, {vs::kUnknownDim, 3});
  const std::size_t before = g.operations().size();
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              vs::dropout(x, 0.5, {.noise_shape = vs::Shape{vs::kUnknownDim, 1}});
            }),
            "Cannot convert a partially known TensorShape to a Tensor: (?, 1)");
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              vs::dropout(x, vs::HostTensor(std::vector<double>{0.5, 0.5}));
            }),
            "keep_prob must be a floating point number or Tensor (got (2,)-shaped value)");
  auto r64 = vs::placeholder(g, vs::DType::kFloat64, vs::Shape{}, "r64");
  const std::size_t with_r64 = g.operations().size();
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::dropout_v2(x, r64); }),
            "Tensor conversion requested dtype float32 for Tensor with dtype float64: "
            "'Tensor(\"r64:0\", shape=(), dtype=float64)'");
  EXPECT_EQ(g.operations().size(), with_r64);
  EXPECT_EQ(with_r64, before + 1);
  // A Const rate of 0 returns x, as TF's constant_value check.
  const vs::Tensor zero = vs::constant(g, vs::HostTensor(0.0f));
  EXPECT_EQ(vs::dropout_v2(x, zero).name(), x.name());
}

// dropout draws what random_uniform of the same seeds draws (the Philox stream, run after
// run), so its mask is `uniform >= rate` and both backends keep the same elements. (Not TF's
// elements: another generator, docs/differences.md.)
TEST(NnOps, DropoutKeepsWhereASameSeededUniformIsAtLeastTheRate) {
  for (const bool graph_seed : {true, false}) {
    SCOPED_TRACE(graph_seed);
    std::vector<double> values(20);
    for (std::size_t k = 0; k < 20; ++k)
      values[k] = static_cast<double>(k + 1);
    vs::Graph g, h;
    if (graph_seed) {
      g.set_random_seed(7);
      h.set_random_seed(7);
    }
    const vs::Tensor x =
        vs::constant(g, vs::HostTensor(values, vs::Shape{4, 5}), {.dtype = vs::DType::kFloat32});
    const vs::Tensor y = vs::dropout(x, 0.6, {.seed = 11});
    const vs::Tensor u = vs::random_uniform(h, vs::Shape{4, 5}, {.seed = 11});
    vs::Session sg(g, {.device = vs::DeviceKind::kCpu});
    vs::Session sh(h, {.device = vs::DeviceKind::kCpu});
    const float rate = static_cast<float>(1.0 - 0.6);  // as TF: 1 - keep_prob in double
    const float scale = 1.0f / (1.0f - rate);
    // The gradient flows through mul_1 and mul: the scale where kept, else 0.
    const vs::Tensor dx = vs::gradients({y}, {x})[0];
    for (int run = 0; run < 2; ++run) {
      const std::vector<vs::HostTensor> both = sg.run({y, dx});
      const vs::HostTensor& got = both[0];
      const vs::HostTensor uniform = sh.run(u);
      int kept = 0;
      for (std::int64_t k = 0; k < 20; ++k) {
        const bool keep = uniform.element_as_double(k) >= rate;
        kept += keep;
        const float want =
            keep ? static_cast<float>(values[static_cast<std::size_t>(k)]) * scale : 0.0f;
        EXPECT_EQ(got.element_as_double(k), want) << "run " << run << " element " << k;
        EXPECT_EQ(both[1].element_as_double(k), keep ? scale : 0.0f);
      }
      EXPECT_GT(kept, 0);
      EXPECT_LT(kept, 20);
    }
  }
}

// A batch fed at run time: the mask is drawn for the fed shape.
TEST(NnOps, DropoutOfAnUnknownBatch) {
  vs::Graph g;
  const vs::Tensor x = ph(g, {vs::kUnknownDim, 3});
  const vs::Tensor y = vs::dropout(x, 0.5, {.seed = 4});
  vs::Session s(g, {.device = vs::DeviceKind::kCpu});
  const vs::HostTensor got =
      s.run(y, {{x, vs::HostTensor(std::vector<double>(300, 3.0), vs::Shape{100, 3})
                        .cast(vs::DType::kFloat32)}});
  ASSERT_EQ(got.shape(), (vs::Shape{100, 3}));
  int kept = 0;
  for (std::int64_t k = 0; k < 300; ++k) {
    const double e = got.element_as_double(k);
    EXPECT_TRUE(e == 0 || e == 6) << e;
    kept += e == 6;
  }
  EXPECT_GT(kept, 100);
  EXPECT_LT(kept, 200);
}

// Long rows take the CPU's blocked float32 path (partial sums of 4096 added in double), and a
// long L2Loss the backend's reduction; both against a double reference.
TEST(NnOps, LogSoftmaxOfLongRowsAndL2LossOfManyElements) {
  const std::int64_t rows = 3, cols = 9000;
  std::vector<double> x(static_cast<std::size_t>(rows * cols));
  for (std::size_t i = 0; i < x.size(); ++i)
    x[i] = 30.0 * std::sin(0.37 * static_cast<double>(i));
  vs::Graph g;
  const vs::Tensor t =
      vs::constant(g, vs::HostTensor(x, vs::Shape{rows, cols}), {.dtype = vs::DType::kFloat32});
  const vs::Tensor ls = vs::log_softmax(t);
  const vs::Tensor l2 = vs::l2_loss(t);
  vs::Session s(g, {.device = vs::DeviceKind::kCpu});
  const auto got = s.run({ls, l2});
  double half_sum = 0;
  for (std::int64_t r = 0; r < rows; ++r) {
    const auto row = [&](std::int64_t c) {
      return static_cast<double>(static_cast<float>(x[static_cast<std::size_t>(r * cols + c)]));
    };
    double m = row(0), sum = 0;
    for (std::int64_t c = 1; c < cols; ++c)
      m = std::max(m, row(c));
    for (std::int64_t c = 0; c < cols; ++c)
      sum += std::exp(row(c) - m);
    for (std::int64_t c = 0; c < cols; ++c) {
      half_sum += row(c) * row(c) / 2;
      ASSERT_NEAR(got[0].element_as_double(r * cols + c), row(c) - m - std::log(sum), 1e-4)
          << r << ", " << c;
    }
  }
  EXPECT_NEAR(got[1].element_as_double(0), half_sum, half_sum * 1e-6);
}

TEST(NnOps, MomentsAndL2NormalizeValues) {
  vs::Graph g;
  const vs::Tensor x =
      vs::constant(g, vs::HostTensor(std::vector<double>{1, 2, 3, 4, 6, 8}, vs::Shape{2, 3}),
                   {.dtype = vs::DType::kFloat32});
  const vs::Moments m = vs::moments(x, {1});
  const vs::Tensor n = vs::l2_normalize(x, 0);
  vs::Session s(g, {.device = vs::DeviceKind::kCpu});
  const auto got = s.run({m.mean, m.variance, n});
  EXPECT_EQ(got[0].shape(), vs::Shape{2});
  EXPECT_FLOAT_EQ(got[0].element_as_double(1), 6.0f);
  EXPECT_FLOAT_EQ(got[1].element_as_double(1), 8.0f / 3);
  EXPECT_FLOAT_EQ(got[2].element_as_double(0), static_cast<float>(1 / std::sqrt(17.0)));
}

}  // namespace
