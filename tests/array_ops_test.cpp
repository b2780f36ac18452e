// The shape and data-movement ops against TF 1.15 (tests/golden/array_ops_tf115.json, made
// by hand with tools/tf115/make_array_op_goldens.py): node names and types, gradient names,
// static shapes, graph-building and run-time error texts; a failed call leaves the graph as
// it was. Values and gradients are checked by the op table (tests/op_cases/array_cases.cpp).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "array_golden.h"

namespace vs = varscope;

namespace {

using namespace varscope::testing::array_golden;  // NOLINT

TEST(ArrayOpsNames, AsTf115) {
  {
    vs::Graph g;
    vs::reshape(ph(g, vs::Shape{2, 3}), {-1});
    EXPECT_EQ(nodes_of(g), golden_nodes("reshape"));
  }
  {
    vs::Graph g;
    const vs::Tensor x = ph(g, vs::Shape{2, 3});
    vs::gradients({vs::reshape(x, {3, 2})}, std::vector<vs::Tensor>{x});
    EXPECT_EQ(nodes_of(g), golden_nodes("reshape_grad"));
  }
  {
    vs::Graph g;
    const vs::Tensor x = ph(g, vs::Shape{2, 3});
    vs::gradients({vs::expand_dims(x, 1)}, std::vector<vs::Tensor>{x});
    EXPECT_EQ(nodes_of(g), golden_nodes("expand_dims_grad"));
  }
  {
    vs::Graph g;
    const vs::Tensor x = ph(g, vs::Shape{2, 1, 3});
    const vs::Tensor y = vs::squeeze(x);
    vs::squeeze(x, {1});
    vs::gradients({y}, std::vector<vs::Tensor>{x});
    EXPECT_EQ(nodes_of(g), golden_nodes("squeeze_grad"));
  }
  {
    vs::Graph g;
    const vs::Tensor x = ph(g, vs::Shape{2, 3});
    vs::shape(x);
    vs::size(x);
    vs::rank(x);
    const vs::Tensor u = ph(g, std::nullopt, "u");
    vs::shape(u);
    vs::size(u);
    vs::rank(u);
    EXPECT_EQ(nodes_of(g), golden_nodes("shape_size_rank"));
  }
  {
    vs::Graph g;
    const vs::Tensor x = ph(g, vs::Shape{2, 3});
    const auto grads =
        vs::gradients({vs::identity(vs::stop_gradient(x))}, std::vector<vs::Tensor>{x});
    EXPECT_FALSE(grads[0].valid());  // TF's None
    EXPECT_EQ(nodes_of(g), golden_nodes("stop_gradient"));
  }
  {
    vs::Graph g;
    const vs::Tensor x = ph(g, vs::Shape{2, 3, 4});
    const vs::Tensor y = vs::transpose(x, {2, 0, 1});
    vs::transpose(x);
    vs::gradients({y}, std::vector<vs::Tensor>{x});
    EXPECT_EQ(nodes_of(g), golden_nodes("transpose_grad"));
  }
}

std::string shape_py(const vs::Shape& s) {  // Python's str(TensorShape)
  if (!s.has_rank()) return "<unknown>";
  std::string out = "(";
  for (int i = 0; i < s.rank(); ++i) {
    if (i > 0) out += ", ";
    out += s.dim(i) < 0 ? "?" : std::to_string(s.dim(i));
  }
  return out + (s.rank() == 1 ? ",)" : ")");
}

TEST(ArrayOpsShapes, AsTf115) {
  vs::Graph g;
  const vs::Tensor x = ph(g, vs::Shape{2, 3});
  const vs::Tensor u = ph(g, vs::Shape{vs::kUnknownDim, 3}, "u");
  const vs::Tensor w = ph(g, vs::Shape{2, vs::kUnknownDim, 4}, "w");
  const auto int_ph = [&](std::int64_t n) {
    return vs::placeholder(g, vs::DType::kInt32, vs::Shape{n}, "p");
  };
  const std::vector<std::pair<std::string, vs::Tensor>> got = {
      {"reshape_minus1", vs::reshape(x, {-1})},
      {"reshape_infer", vs::reshape(x, {3, -1})},
      {"reshape_unknown_in", vs::reshape(u, {-1, 6})},
      {"reshape_unknown_both", vs::reshape(u, {-1, 3})},
      {"reshape_two_minus1", vs::reshape(x, {-1, -1})},
      {"reshape_fed_shape", vs::reshape(x, int_ph(2))},
      {"expand_dims_neg", vs::expand_dims(x, -1)},
      {"expand_dims_0", vs::expand_dims(x, 0)},
      {"squeeze_all_unknown", vs::squeeze(w)},
      {"squeeze_unknown_axis", vs::squeeze(w, {1})},
      {"shape_unknown", vs::shape(u)},
      {"transpose_perm", vs::transpose(w, {2, 0, 1})},
      {"transpose_default", vs::transpose(w)},
      {"transpose_fed_perm", vs::transpose(x, int_ph(2))},
      {"transpose_negative_perm", vs::transpose(x, {-1, 0})},
  };
  for (const auto& [key, t] : got) {
    EXPECT_EQ(shape_py(t.shape()), golden().at("shapes").at(key).get<std::string>()) << key;
  }
}

template <typename F>
void expect_graph_error(const std::string& key, F build) {
  SCOPED_TRACE(key);
  const auto [type, text] = split_error(golden().at(key).get<std::string>());
  ASSERT_EQ(type, "ValueError");
  vs::Graph g;
  const vs::Tensor x = ph(g, vs::Shape{2, 3});
  const vs::Tensor x3 = ph(g, vs::Shape{2, 1, 3}, "x3");
  const Nodes before = nodes_of(g);
  try {
    build(x, x3);
    ADD_FAILURE() << "no error";
  } catch (const vs::ValueError& e) {
    EXPECT_EQ(std::string(e.what()), text);
  }
  EXPECT_EQ(nodes_of(g), before) << "a failed call changed the graph";
}

TEST(ArrayOpsErrors, GraphBuildingAsTf115) {
  using T = const vs::Tensor&;
  expect_graph_error("reshape_bad", [](T x, T) { vs::reshape(x, {4}); });
  expect_graph_error("reshape_indivisible", [](T x, T) { vs::reshape(x, {-1, 4}); });
  expect_graph_error("reshape_negative", [](T x, T) { vs::reshape(x, {-2, 3}); });
  expect_graph_error("expand_dims_axis", [](T x, T) { vs::expand_dims(x, 3); });
  expect_graph_error("expand_dims_axis_neg", [](T x, T) { vs::expand_dims(x, -4); });
  expect_graph_error("squeeze_not_one", [](T, T x3) { vs::squeeze(x3, {0}); });
  expect_graph_error("squeeze_axis_range", [](T, T x3) { vs::squeeze(x3, {3}); });
  expect_graph_error("transpose_perm_size", [](T x, T) { vs::transpose(x, {0}); });
  expect_graph_error("transpose_perm_range", [](T x, T) { vs::transpose(x, {0, 2}); });
  // No graph-time error in TF for these (the run refuses them).
  EXPECT_TRUE(golden().at("reshape_two_minus1").is_null());
  EXPECT_TRUE(golden().at("transpose_perm_dup").is_null());
}

TEST(ArrayOpsErrors, ShapeTensorOfRank2) {
  const auto [type, text] = split_error(golden().at("reshape_shape_rank").get<std::string>());
  vs::Graph g;
  const vs::Tensor x = ph(g, vs::Shape{2, 3});
  const vs::Tensor s =
      vs::constant(g, vs::HostTensor(std::vector<std::int32_t>{6}, vs::Shape{1, 1}));
  try {
    vs::reshape(x, s);
    ADD_FAILURE() << "no error";
  } catch (const vs::ValueError& e) {
    EXPECT_EQ(std::string(e.what()), text);
  }
}

// A run-time error as TF words it: the text before TF's node suffix, and the node named.
template <typename F>
void expect_run_error(const std::string& key, vs::HostTensor feed, F build, bool int_feed = false) {
  SCOPED_TRACE(key);
  auto [type, text] = split_error(golden().at(key).get<std::string>());
  ASSERT_EQ(type, "InvalidArgumentError");
  text = text.substr(0, text.find("\n\t [[node "));
  vs::Graph g;
  const vs::Tensor x = vs::placeholder(g, int_feed ? vs::DType::kInt32 : vs::DType::kFloat32,
                                       std::nullopt, int_feed ? "p" : "x");
  const vs::Tensor y = build(x);
  vs::Session sess(g);
  try {
    sess.run(y, {{x, std::move(feed)}});
    ADD_FAILURE() << "no error";
  } catch (const vs::InvalidArgumentError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.substr(0, what.find("\n\t [[{{node ")), text);
    EXPECT_NE(what.find("\n\t [[{{node " + y.op().name() + "}}]]"), std::string::npos) << what;
  }
}

vs::HostTensor zeros(vs::Shape s) {
  return vs::HostTensor(vs::DType::kFloat32, std::move(s));
}

TEST(ArrayOpsErrors, RunTimeAsTf115) {
  using T = const vs::Tensor&;
  expect_run_error("run_reshape_bad", zeros({2, 3}), [](T x) { return vs::reshape(x, {4}); });
  expect_run_error("run_reshape_indivisible", zeros({2, 3}), [](T x) {
    return vs::reshape(x, {-1, 4});
  });
  expect_run_error("run_reshape_two_minus1", zeros({2, 3}), [](T x) {
    return vs::reshape(x, {-1, -1});
  });
  expect_run_error("run_expand_dims_axis", zeros({2, 3}),
                   [](T x) { return vs::expand_dims(x, 3); });
  expect_run_error("run_squeeze_not_one", zeros({2, 1, 3}),
                   [](T x) { return vs::squeeze(x, {0}); });
  expect_run_error("run_squeeze_axis_range", zeros({2, 1, 3}),
                   [](T x) { return vs::squeeze(x, {3}); });
  expect_run_error("run_transpose_perm_size", zeros({2, 3}),
                   [](T x) { return vs::transpose(x, {0}); });
  expect_run_error("run_transpose_perm_dup", zeros({2, 3}), [](T x) {
    return vs::transpose(x, {0, 0});
  });
  expect_run_error("run_transpose_negative", zeros({2, 3}), [](T x) {
    return vs::transpose(x, {-1, 0});
  });
  const auto ints = [](std::vector<std::int32_t> v, vs::Shape s) {
    return vs::HostTensor(v, std::move(s));
  };
  expect_run_error(
      "run_invert_permutation_range", ints({0, 3, 1}, {3}),
      [](T p) { return vs::invert_permutation(p); }, true);
  expect_run_error(
      "run_invert_permutation_dup", ints({0, 1, 1}, {3}),
      [](T p) { return vs::invert_permutation(p); }, true);
  expect_run_error(
      "run_invert_permutation_rank", ints({0}, {1, 1}),
      [](T p) { return vs::invert_permutation(p); }, true);
  // TF 1.15 infers the -1 of an empty tensor from its nonzero dims: [0, 3] -> [3, 0].
  ASSERT_TRUE(golden().at("run_reshape_empty_infer").is_null());
  vs::Graph g;
  const vs::Tensor x = ph(g, std::nullopt);
  vs::Session sess(g);
  EXPECT_EQ(sess.run(vs::reshape(x, {-1, 0}), {{x, zeros({0, 3})}}).shape(), (vs::Shape{3, 0}));
}

TEST(ArrayOps, ShapeSizeRankOfFedTensors) {
  vs::Graph g;
  const vs::Tensor x = ph(g, std::nullopt);
  vs::Session sess(g);
  const vs::FeedDict feed = {{x, zeros({4, 5, 2})}};
  const vs::HostTensor s = sess.run(vs::shape(x), feed);
  EXPECT_EQ(s.dtype(), vs::DType::kInt32);
  ASSERT_EQ(s.num_elements(), 3);
  EXPECT_EQ(s.element_as_double(0), 4);
  EXPECT_EQ(s.element_as_double(2), 2);
  const vs::HostTensor s64 = sess.run(vs::shape(x, {}, vs::DType::kInt64), feed);
  EXPECT_EQ(s64.dtype(), vs::DType::kInt64);
  EXPECT_EQ(sess.run(vs::size(x), feed).element_as_double(0), 40);
  EXPECT_EQ(sess.run(vs::rank(x), feed).element_as_double(0), 3);
  // tf.reshape(x, [tf.shape(x)[0], -1])-style: a shape computed in the graph.
  const vs::Tensor flat = vs::reshape(x, vs::shape(vs::reshape(x, {-1, 10})));
  EXPECT_EQ(sess.run(flat, feed).shape(), (vs::Shape{4, 10}));
}

TEST(ArrayOps, LiteralInputIsRefused) {
  EXPECT_THROW(vs::reshape(vs::Input(1.0f), {1}), vs::ValueError);
  EXPECT_THROW(vs::transpose(vs::Input(1.0f)), vs::ValueError);
}

TEST(ArrayOps, TransposeOfIntegersAndEmpty) {
  vs::Graph g;
  const vs::Tensor x = vs::placeholder(g, vs::DType::kInt64, std::nullopt, "x");
  vs::Session sess(g);
  const vs::HostTensor got =
      sess.run(vs::transpose(x, {1, 0}),
               {{x, vs::HostTensor(std::vector<std::int64_t>{1, 2, 3, 4, 5, 6}, vs::Shape{2, 3})}});
  EXPECT_EQ(got.shape(), (vs::Shape{3, 2}));
  const std::vector<double> want = {1, 4, 2, 5, 3, 6};
  for (std::size_t i = 0; i < want.size(); ++i)
    EXPECT_EQ(got.element_as_double(static_cast<std::int64_t>(i)), want[i]);
  const vs::HostTensor empty =
      sess.run(vs::transpose(x, {1, 0}), {{x, vs::HostTensor(vs::DType::kInt64, vs::Shape{0, 3})}});
  EXPECT_EQ(empty.shape(), (vs::Shape{3, 0}));
}

TEST(ArrayOpsNames, OneHotAndPlaceholderWithDefaultAsTf115) {
  {
    vs::Graph g;
    const vs::Tensor i = vs::placeholder(g, vs::DType::kInt32, vs::Shape{3}, "i");
    vs::one_hot(i, 4);
    vs::one_hot(i, 5, {.on_value = 2.0, .off_value = -1.0, .axis = 0});
    EXPECT_EQ(nodes_of(g), golden_nodes("one_hot"));
  }
  {
    // The forward nodes (the gradient of Mul differs: docs/differences.md).
    vs::Graph g;
    const vs::Tensor d = vs::placeholder_with_default(
        vs::constant(g, vs::HostTensor(std::vector<float>{1, 2}, vs::Shape{2})),
        vs::Shape{vs::kUnknownDim});
    const auto grads = vs::gradients({d * 2.0}, std::vector<vs::Tensor>{d});
    Nodes want = golden_nodes("placeholder_with_default");
    want.resize(4);
    Nodes got = nodes_of(g);
    got.resize(4);
    EXPECT_EQ(got, want);
    EXPECT_EQ(shape_py(d.shape()), golden().at("shapes2").at("pwd").get<std::string>());
    vs::Session sess(g);
    EXPECT_EQ(sess.run(d).element_as_double(1), 2);  // the default
    const vs::FeedDict feed = {{d, vs::HostTensor(std::vector<float>{5, 6, 7}, vs::Shape{3})}};
    EXPECT_EQ(sess.run(grads[0], feed).element_as_double(2), 2);  // fed: identity's gradient
  }
}

TEST(ArrayOps, OneHotAsTf115) {
  vs::Graph g;
  const vs::Tensor i = vs::placeholder(g, vs::DType::kInt32, vs::Shape{2, 4}, "i");
  EXPECT_EQ(shape_py(vs::one_hot(i, 6).shape()),
            golden().at("shapes2").at("one_hot").get<std::string>());
  EXPECT_EQ(shape_py(vs::one_hot(i, 6, {.axis = 0}).shape()),
            golden().at("shapes2").at("one_hot_axis0").get<std::string>());
  // Out-of-range indices give rows of off_value.
  const vs::Tensor j = vs::placeholder(g, vs::DType::kInt32, std::nullopt, "j");
  vs::Session sess(g);
  const vs::HostTensor got =
      sess.run(vs::one_hot(j, 3),
               {{j, vs::HostTensor(std::vector<std::int32_t>{0, 5, -1, 2}, vs::Shape{4})}});
  std::vector<double> flat;
  for (const auto& row : golden().at("one_hot_out_of_range"))
    for (const auto& v : row)
      flat.push_back(v.get<double>());
  ASSERT_EQ(got.num_elements(), static_cast<std::int64_t>(flat.size()));
  for (std::size_t k = 0; k < flat.size(); ++k)
    EXPECT_EQ(got.element_as_double(static_cast<std::int64_t>(k)), flat[k]) << k;
  // axis past the rank: no graph-time error in TF, the run refuses it.
  EXPECT_TRUE(golden().at("one_hot_axis").is_null());
  const vs::Tensor bad = vs::one_hot(j, 4, {.axis = 3});
  EXPECT_THROW(sess.run(bad, {{j, vs::HostTensor(std::vector<std::int32_t>{1}, vs::Shape{1})}}),
               vs::InvalidArgumentError);
}

TEST(ArrayOpsErrors, PlaceholderWithDefaultShapeAsTf115) {
  const auto [type, text] = split_error(golden().at("pwd_shape").get<std::string>());
  vs::Graph g;
  const vs::Tensor c = vs::constant(g, vs::HostTensor(std::vector<float>{1, 2}, vs::Shape{2}));
  const Nodes before = nodes_of(g);
  try {
    vs::placeholder_with_default(c, vs::Shape{3});
    ADD_FAILURE() << "no error";
  } catch (const vs::ValueError& e) {
    EXPECT_EQ(std::string(e.what()), text);
  }
  EXPECT_EQ(nodes_of(g), before);
}

}  // namespace

namespace {

TEST(ArrayOpsNames, FillAsTf115) {
  vs::Graph g;
  const vs::Tensor f = vs::fill(g, {2, 3}, vs::HostTensor(1.5f));
  EXPECT_EQ(nodes_of(g), golden_nodes("fill"));
  EXPECT_EQ(shape_py(f.shape()), golden().at("shapes2").at("fill").get<std::string>());
  vs::Session sess(g);
  const vs::HostTensor got = sess.run(f);
  EXPECT_EQ(got.num_elements(), 6);
  EXPECT_EQ(got.element_as_double(5), 1.5);
  EXPECT_THROW(vs::fill(g, {-1}, vs::HostTensor(1.0f)), vs::ValueError);
}

}  // namespace
