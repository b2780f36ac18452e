// stack/unstack, concat, split, slice, pad, tile and range against TF 1.15
// (tests/golden/array_ops_tf115.json): node and gradient names, static shapes, graph-building
// and run-time error texts, the graph intact after a failure. Values and gradients: the op
// table (tests/op_cases/array_cases.cpp).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "array_golden.h"
#include "kernels/copy.h"

namespace vs = varscope;

namespace {

using namespace varscope::testing::array_golden;  // NOLINT

using Ts = std::vector<vs::Tensor>;

TEST(ArrayCopyOpsNames, AsTf115) {
  {
    vs::Graph g;
    const vs::Tensor x = ph(g, vs::Shape{2, 3}), y = ph(g, vs::Shape{2, 3}, "y");
    vs::gradients({vs::stack({x, y}, 1)}, Ts{x, y});
    EXPECT_EQ(nodes_of(g), golden_nodes("stack_grad"));
  }
  {
    vs::Graph g;
    const vs::Tensor x = ph(g, vs::Shape{2, 3});
    vs::gradients({vs::unstack(x)[0]}, Ts{x});
    EXPECT_EQ(nodes_of(g), golden_nodes("unstack_grad"));
  }
  {
    vs::Graph g;
    const vs::Tensor x = ph(g, vs::Shape{3, 4});
    vs::gradients({vs::slice(x, {1, 0}, {2, -1})}, Ts{x});
    EXPECT_EQ(nodes_of(g), golden_nodes("slice_grad"));
  }
  {
    vs::Graph g;
    const vs::Tensor x = ph(g, vs::Shape{2, 3});
    vs::gradients({vs::pad(x, {{1, 0}, {0, 2}})}, Ts{x});
    EXPECT_EQ(nodes_of(g), golden_nodes("pad_grad"));
  }
  {
    vs::Graph g;
    const vs::Tensor x = ph(g, vs::Shape{4, 6});
    const Ts halves = vs::split(x, 2, 1);
    const Ts parts = vs::split(x, std::vector<std::int64_t>{1, 2, -1}, 0);
    vs::gradients({halves[0]}, Ts{x});
    vs::gradients({parts[1]}, Ts{x});
    EXPECT_EQ(nodes_of(g), golden_nodes("split_grad"));
  }
  {
    vs::Graph g;
    const vs::Tensor x = ph(g, vs::Shape{2, 3});
    vs::gradients({vs::tile(x, {2, 1})}, Ts{x});
    EXPECT_EQ(nodes_of(g), golden_nodes("tile_grad"));
  }
}

// The concat gradient's Slices have TF's names; their begin and size are Consts here where
// TF computes them (Rank, FloorMod, ShapeN, ConcatOffset: docs/differences.md).
TEST(ArrayCopyOpsNames, ConcatAsTf115ButItsOffsets) {
  vs::Graph g;
  const vs::Tensor x = ph(g, vs::Shape{2, 3}), y = ph(g, vs::Shape{2, 1}, "y");
  const vs::Tensor z = vs::concat({x, y}, 1);
  vs::concat({x}, 0);
  const Ts grads = vs::gradients({z}, Ts{x, y});
  auto outside_grad = [](Nodes nodes) {
    std::erase_if(nodes,
                  [](const auto& n) { return n.first.starts_with("gradients/concat_grad/"); });
    return nodes;
  };
  EXPECT_EQ(outside_grad(nodes_of(g)), outside_grad(golden_nodes("concat_grad")));
  EXPECT_EQ(grads[0].name(), "gradients/concat_grad/Slice:0");
  EXPECT_EQ(grads[1].name(), "gradients/concat_grad/Slice_1:0");
  EXPECT_EQ(grads[1].shape(), (vs::Shape{2, 1}));
}

vs::HostTensor zeros(vs::Shape s);

std::string shape_py(const vs::Shape& s) {
  if (!s.has_rank()) return "<unknown>";
  std::string out = "(";
  for (int i = 0; i < s.rank(); ++i) {
    if (i > 0) out += ", ";
    out += s.dim(i) < 0 ? "?" : std::to_string(s.dim(i));
  }
  return out + (s.rank() == 1 ? ",)" : ")");
}

TEST(ArrayCopyOpsShapes, AsTf115) {
  vs::Graph g;
  const vs::Tensor x = ph(g, vs::Shape{2, 3});
  const vs::Tensor u = ph(g, vs::Shape{vs::kUnknownDim, 3}, "u");
  const vs::Tensor w = ph(g, vs::Shape{2, vs::kUnknownDim, 4}, "w");
  const std::vector<std::pair<std::string, vs::Tensor>> got = {
      {"concat_unknown_axis_dim", vs::concat({u, x}, 0)},
      {"slice_minus1", vs::slice(w, {1, 0, 1}, {-1, 2, -1})},
      {"pad_unknown", vs::pad(w, {{1, 1}, {0, 2}, {3, 0}})},
      {"tile_unknown", vs::tile(w, {2, 3, 1})},
      {"split_v_minus1", vs::split(x, std::vector<std::int64_t>{1, -1}, 1)[1]},
      {"range", vs::range(g, 2, 11, 3)},
  };
  for (const auto& [key, t] : got)
    EXPECT_EQ(shape_py(t.shape()), golden().at("shapes").at(key).get<std::string>()) << key;
  // TF checks no slice bounds at graph building: [3, 4] sliced from row 1 for 3 rows.
  EXPECT_TRUE(golden().at("slice_size").is_null());
  EXPECT_EQ(vs::slice(ph(g, vs::Shape{3, 4}, "v"), {1, 0}, {3, 4}).shape(), (vs::Shape{3, 4}));
}

template <typename F>
void expect_graph_error(const std::string& key, F build, std::string rename = {}) {
  SCOPED_TRACE(key);
  auto [type, text] = split_error(golden().at(key).get<std::string>());
  ASSERT_EQ(type, "ValueError");
  if (!rename.empty()) {  // TF's name, then varscope's (docs/differences.md)
    const auto bar = rename.find('|');
    const std::string from = rename.substr(0, bar), to = rename.substr(bar + 1);
    text.replace(text.find(from), from.size(), to);
  }
  vs::Graph g;
  const vs::Tensor x = ph(g, vs::Shape{2, 3});
  const vs::Tensor y = ph(g, vs::Shape{3, 3}, "y");
  const vs::Tensor v = ph(g, vs::Shape{2}, "v");
  const vs::Tensor u = ph(g, vs::Shape{vs::kUnknownDim, 3}, "u");
  const vs::Tensor w = ph(g, vs::Shape{3, 4}, "w");
  const vs::Tensor q = ph(g, vs::Shape{4, 6}, "q");
  const Nodes before = nodes_of(g);
  try {
    build(x, y, v, u, w, q);
    ADD_FAILURE() << "no error";
  } catch (const vs::ValueError& e) {
    EXPECT_EQ(std::string(e.what()), text);
  }
  EXPECT_EQ(nodes_of(g), before) << "a failed call changed the graph";
}

TEST(ArrayCopyOpsErrors, GraphBuildingAsTf115) {
  using T = const vs::Tensor&;
  expect_graph_error("concat_rank", [](T x, T, T v, T, T, T) { vs::concat({x, v}, 0); });
  expect_graph_error("concat_dim", [](T x, T y, T, T, T, T) { vs::concat({x, y}, 1); });
  expect_graph_error("concat_axis", [](T x, T, T, T, T, T) { vs::concat({x, x}, 2); });
  // TF's stack at axis 0 first tries (and fails) to autopack under "stack": its op is
  // "stack_1"; varscope's is "stack".
  expect_graph_error(
      "stack_shapes",
      [](T x, T y, T, T, T, T) {
        vs::stack({x, y});
      },
      "'stack_1'|'stack'");
  expect_graph_error("stack_axis", [](T x, T, T, T, T, T) { vs::stack({x, x}, 3); });
  expect_graph_error("unstack_axis", [](T x, T, T, T, T, T) { vs::unstack(x, std::nullopt, 2); });
  expect_graph_error("unstack_num", [](T, T, T, T u, T, T) { vs::unstack(u); });
  expect_graph_error("slice_begin_rank", [](T, T, T, T, T w, T) { vs::slice(w, {1}, {3}); });
  expect_graph_error("pad_shape", [](T x, T, T, T, T, T) { vs::pad(x, {{1, 0}}); });
  expect_graph_error("pad_negative", [](T x, T, T, T, T, T) { vs::pad(x, {{-1, 0}, {0, 0}}); });
  expect_graph_error("split_count", [](T, T, T, T, T, T q) { vs::split(q, 4, 1); });
  expect_graph_error("split_sizes", [](T, T, T, T, T, T q) {
    vs::split(q, std::vector<std::int64_t>{1, 2}, 1);
  });
  expect_graph_error("tile_len", [](T x, T, T, T, T, T) { vs::tile(x, {2}); });
}

template <typename F>
void expect_run_error(const std::string& key,
                      vs::HostTensor x_value,
                      vs::HostTensor y_value,
                      F build) {
  SCOPED_TRACE(key);
  const auto [type, text] = split_error(golden().at(key).get<std::string>());
  ASSERT_EQ(type, "InvalidArgumentError");
  vs::Graph g;
  const vs::Tensor x = ph(g, std::nullopt, "x");
  const vs::Tensor y = ph(g, std::nullopt, "y");
  const vs::Tensor out = build(x, y);
  vs::Session sess(g);
  try {
    sess.run(out, {{x, std::move(x_value)}, {y, std::move(y_value)}});
    ADD_FAILURE() << "no error";
  } catch (const vs::InvalidArgumentError& e) {
    const std::string what = e.what();
    EXPECT_EQ(before_node(what), before_node(text));
    EXPECT_NE(what.find("\n\t [[{{node " + out.op().name() + "}}]]"), std::string::npos) << what;
  }
}

vs::HostTensor zeros(vs::Shape s) {
  return vs::HostTensor(vs::DType::kFloat32, std::move(s));
}

TEST(ArrayCopyOpsErrors, RunTimeAsTf115) {
  using T = const vs::Tensor&;
  const vs::HostTensor none = zeros({});
  expect_run_error("run_concat_dim", zeros({2, 3}), zeros({3, 3}), [](T x, T y) {
    return vs::concat({x, y}, 1);
  });
  expect_run_error("run_concat_rank", zeros({2, 3}), zeros({2}), [](T x, T y) {
    return vs::concat({x, y}, 0);
  });
  expect_run_error("run_concat_axis", zeros({2, 3}), zeros({2, 3}), [](T x, T y) {
    return vs::concat({x, y}, 2);
  });
  expect_run_error("run_stack_shapes", zeros({2, 3}), zeros({3, 3}), [](T x, T y) {
    return vs::stack({x, y});
  });
  expect_run_error("run_unstack_axis", zeros({2, 3}), none,
                   [](T x, T) { return vs::unstack(x, 2, 2)[0]; });
  expect_run_error("run_unstack_num", zeros({2, 3}), none,
                   [](T x, T) { return vs::unstack(x, 3)[0]; });
  expect_run_error("run_slice_size", zeros({3, 4}), none, [](T x, T) {
    return vs::slice(x, {1, 0}, {3, 4});
  });
  expect_run_error("run_slice_rank", zeros({3, 4}), none,
                   [](T x, T) { return vs::slice(x, {1}, {3}); });
  expect_run_error("run_pad_shape", zeros({2, 3}), none, [](T x, T) {
    return vs::pad(x, {{1, 0}});
  });
  expect_run_error("run_split_count", zeros({4, 6}), none,
                   [](T x, T) { return vs::split(x, 4, 1)[0]; });
  expect_run_error("run_split_sizes", zeros({4, 6}), none, [](T x, T) {
    return vs::split(x, std::vector<std::int64_t>{1, 2}, 1)[0];
  });
  expect_run_error("run_tile_len", zeros({2, 3}), none, [](T x, T) { return vs::tile(x, {2}); });
  expect_run_error("run_tile_negative", zeros({2, 3}), none, [](T x, T) {
    return vs::tile(x, {2, -1});
  });
}

TEST(ArrayCopyOps, EmptyAndIntegerTensors) {
  vs::Graph g;
  const vs::Tensor x = vs::placeholder(g, vs::DType::kInt32, std::nullopt, "x");
  vs::Session sess(g);
  const vs::HostTensor v(std::vector<std::int32_t>{1, 2, 3, 4, 5, 6}, vs::Shape{2, 3});
  const vs::HostTensor padded = sess.run(vs::pad(x, {{0, 1}, {1, 0}}), {{x, v}});
  EXPECT_EQ(padded.shape(), (vs::Shape{3, 4}));
  EXPECT_EQ(padded.element_as_double(1), 1);
  EXPECT_EQ(padded.element_as_double(11), 0);
  const vs::HostTensor empty(vs::DType::kInt32, vs::Shape{0, 3});
  EXPECT_EQ(sess.run(vs::tile(x, {3, 2}), {{x, empty}}).shape(), (vs::Shape{0, 6}));
  EXPECT_EQ(sess.run(vs::concat({x, x}, 0), {{x, empty}}).shape(), (vs::Shape{0, 3}));
  EXPECT_EQ(sess.run(vs::slice(x, {0, 1}, {-1, 2}), {{x, empty}}).shape(), (vs::Shape{0, 2}));
  EXPECT_EQ(sess.run(vs::split(x, 3, 1)[2], {{x, empty}}).shape(), (vs::Shape{0, 1}));
}

TEST(ArrayGather, NamesAndShapesAsTf115) {
  {
    vs::Graph g;
    const vs::Tensor p = ph(g, vs::Shape{5, 3});
    const vs::Tensor i = vs::placeholder(g, vs::DType::kInt32, vs::Shape{2}, "i");
    vs::gather(p, i);
    vs::gather(p, i, 1);
    vs::embedding_lookup(p, i);
    EXPECT_EQ(nodes_of(g), golden_nodes("gather"));
  }
  vs::Graph g;
  const vs::Tensor p = ph(g, vs::Shape{5, 3});
  const vs::Tensor i = vs::placeholder(g, vs::DType::kInt32, vs::Shape{2, 4}, "i");
  const vs::Tensor u = ph(g, std::nullopt, "u");
  const auto& shapes = golden().at("shapes2");
  EXPECT_EQ(shape_py(vs::gather(p, i).shape()), shapes.at("gather0").get<std::string>());
  EXPECT_EQ(shape_py(vs::gather(p, i, 1).shape()), shapes.at("gather1").get<std::string>());
  EXPECT_EQ(shape_py(vs::gather(u, i).shape()), shapes.at("gather_unknown").get<std::string>());
}

TEST(ArrayGather, ErrorsAsTf115) {
  {
    const auto [type, text] = split_error(golden().at("gather_axis").get<std::string>());
    vs::Graph g;
    const vs::Tensor p = ph(g, vs::Shape{5, 3});
    const vs::Tensor i = vs::placeholder(g, vs::DType::kInt32, vs::Shape{2}, "i");
    const Nodes before = nodes_of(g);
    try {
      vs::gather(p, i, 2);
      ADD_FAILURE() << "no error";
    } catch (const vs::ValueError& e) {
      EXPECT_EQ(std::string(e.what()), text);
    }
    EXPECT_EQ(nodes_of(g), before);
  }
  struct Case {
    const char* key;
    std::vector<std::int32_t> indices;
    vs::Shape shape;
    int axis;
    bool embedding;
  };
  for (const Case& c : {Case{"run_gather_index", {1, 7}, vs::Shape{2}, 0, false},
                        Case{"run_gather_negative", {0, -1}, vs::Shape{1, 2}, 0, false},
                        Case{"run_gather_axis", {0}, vs::Shape{1}, 2, false},
                        Case{"run_embedding_index", {5}, vs::Shape{1}, 0, true}}) {
    SCOPED_TRACE(c.key);
    const auto [type, text] = split_error(golden().at(c.key).get<std::string>());
    vs::Graph g;
    const vs::Tensor p = ph(g, std::nullopt, "p");
    const vs::Tensor i = vs::placeholder(g, vs::DType::kInt32, std::nullopt, "i");
    const vs::Tensor out = c.embedding ? vs::embedding_lookup(p, i) : vs::gather(p, i, c.axis);
    vs::Session sess(g);
    try {
      sess.run(out, {{p, zeros({5, 3})}, {i, vs::HostTensor(c.indices, c.shape)}});
      ADD_FAILURE() << "no error";
    } catch (const vs::InvalidArgumentError& e) {
      EXPECT_EQ(before_node(e.what()), before_node(text));
      // TF names the GatherV2 node ("embedding_lookup"); varscope's fetch is its Identity.
      const std::string node = c.embedding ? "embedding_lookup" : out.op().name();
      EXPECT_NE(std::string(e.what()).find("{{node " + node + "}}"), std::string::npos);
    }
  }
}

TEST(ArrayGather, Int64IndicesAndEmpty) {
  vs::Graph g;
  const vs::Tensor p = vs::placeholder(g, vs::DType::kInt32, std::nullopt, "p");
  const vs::Tensor i = vs::placeholder(g, vs::DType::kInt64, std::nullopt, "i");
  vs::Session sess(g);
  const vs::HostTensor params(std::vector<std::int32_t>{1, 2, 3, 4, 5, 6}, vs::Shape{3, 2});
  const vs::HostTensor got =
      sess.run(vs::embedding_lookup(p, i),
               {{p, params}, {i, vs::HostTensor(std::vector<std::int64_t>{2, 0}, vs::Shape{2})}});
  EXPECT_EQ(got.shape(), (vs::Shape{2, 2}));
  EXPECT_EQ(got.element_as_double(0), 5);
  EXPECT_EQ(got.element_as_double(3), 2);
  EXPECT_EQ(sess.run(vs::gather(p, i),
                     {{p, params}, {i, vs::HostTensor(vs::DType::kInt64, vs::Shape{0})}})
                .shape(),
            (vs::Shape{0, 2}));
}

}  // namespace

// The element functions the CUDA kernels run (kernels/copy.h), run here on the CPU: the
// GPU's index math, checked where there is no GPU.

namespace {

namespace k = varscope::kernels;

TEST(CopyKernelsOnTheHost, GatherElementReadsOnlyValidRows) {
  const std::vector<float> params = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};  // [5, 2]
  const std::vector<std::int64_t> indices = {4, -1, 0, 5};
  std::vector<float> out(8, -7);
  k::GatherArgs a;
  a.params = params.data();
  a.indices = indices.data();
  a.indices_int64 = true;
  a.out = out.data();
  a.element_size = sizeof(float);
  a.outer = 1;
  a.axis_size = 5;
  a.count_indices = 4;
  a.inner = 2;
  a.count = 8;
  for (std::int64_t i = 0; i < a.count; ++i)
    k::gather_element<std::uint32_t>(a, i);
  EXPECT_EQ(out, (std::vector<float>{8, 9, 0, 0, 0, 1, 0, 0}));
}

TEST(CopyKernelsOnTheHost, StridedCopyElementTransposesAndOneHotMatchesTf) {
  const std::vector<std::int32_t> x = {1, 2, 3, 4, 5, 6};  // [2, 3] -> [3, 2]
  std::vector<std::int32_t> y(6, 0);
  k::StridedCopyArgs a;
  a.rank = 2;
  a.dims[0] = 3;
  a.dims[1] = 2;
  a.src_strides[0] = 1;
  a.src_strides[1] = 3;
  a.dst_strides[0] = 2;
  a.dst_strides[1] = 1;
  a.element_size = 4;
  a.src = x.data();
  a.dst = y.data();
  a.count = 6;
  for (std::int64_t i = 0; i < a.count; ++i)
    k::strided_copy_element<std::uint32_t>(a, i);
  EXPECT_EQ(y, (std::vector<std::int32_t>{1, 4, 2, 5, 3, 6}));

  const std::vector<std::int32_t> idx = {2, 7, -1};
  std::vector<double> oh(9, 0);
  k::OneHotArgs o;
  o.indices = idx.data();
  o.out = oh.data();
  o.element_size = 8;
  const double on = 1.5, off = -1;
  std::memcpy(&o.on, &on, 8);
  std::memcpy(&o.off, &off, 8);
  o.outer = 3;
  o.depth = 3;
  o.inner = 1;
  o.count = 9;
  for (std::int64_t i = 0; i < o.count; ++i)
    k::one_hot_element<std::uint64_t>(o, i);
  EXPECT_EQ(oh, (std::vector<double>{-1, -1, 1.5, -1, -1, -1, -1, -1, -1}));
}

// Shapes past the CPU backend's transpose tile (32 a side), with ragged edges, for every
// position of the source's contiguous dimension: each element where the definition puts it.
TEST(ArrayCopyOps, LargeTransposesMatchTheDefinition) {
  struct Case {
    vs::Shape shape;
    std::vector<std::int64_t> perm;
  };
  const std::vector<Case> cases = {{vs::Shape{70, 45}, {1, 0}},
                                   {vs::Shape{3, 70, 37}, {0, 2, 1}},
                                   {vs::Shape{3, 70, 37}, {2, 1, 0}},
                                   {vs::Shape{3, 70, 37}, {1, 2, 0}},
                                   {vs::Shape{2, 5, 33, 40}, {0, 3, 1, 2}}};
  for (const vs::DType dtype : {vs::DType::kInt32, vs::DType::kFloat64}) {
    for (const Case& c : cases) {
      vs::Graph g;
      const vs::Tensor x = vs::placeholder(g, dtype, std::nullopt, "x");
      std::vector<double> values(static_cast<std::size_t>(c.shape.num_elements()));
      std::vector<std::int32_t> ints(values.size());
      for (std::size_t i = 0; i < values.size(); ++i)
        values[i] = double(ints[i] = static_cast<std::int32_t>(i));
      const vs::HostTensor in = dtype == vs::DType::kInt32 ? vs::HostTensor(ints, c.shape)
                                                           : vs::HostTensor(values, c.shape);
      vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
      const vs::HostTensor out = sess.run(vs::transpose(x, c.perm), {{x, in}});
      const int rank = c.shape.rank();
      std::vector<std::int64_t> in_strides(static_cast<std::size_t>(rank), 1);
      for (int d = rank - 2; d >= 0; --d)
        in_strides[std::size_t(d)] = in_strides[std::size_t(d) + 1] * c.shape.dim(d + 1);
      std::int64_t mismatches = 0;
      for (std::int64_t i = 0; i < out.num_elements(); ++i) {
        std::int64_t rest = i, source = 0;  // out index (j_0..j_r) reads x at j_d on perm[d]
        for (int d = rank - 1; d >= 0; --d) {
          const std::int64_t extent = out.shape().dim(d);
          source += (rest % extent) * in_strides[std::size_t(c.perm[std::size_t(d)])];
          rest /= extent;
        }
        mismatches += out.element_as_double(i) != double(source);
      }
      EXPECT_EQ(mismatches, 0) << c.shape.to_string() << " " << vs::dtype_name(dtype);
    }
  }
}

}  // namespace
