// StridedSlice, Python indexing (vs::index), StridedSliceGrad, UnsortedSegmentSum and
// GatherV2's gradient against TF 1.15 (tests/golden/array_ops_tf115.json): node names,
// inputs, masks and Const values, static shapes, graph-building and run-time errors, and
// values on the CPU.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "array_golden.h"
#include "varscope/varscope.h"

namespace {

namespace vs = ::varscope;
using namespace varscope::testing::array_golden;  // NOLINT

std::vector<double> floats(const vs::HostTensor& t) {
  const auto d = t.data<float>();
  return {d.begin(), d.end()};
}

vs::HostTensor iota(vs::Shape s) {
  vs::HostTensor t(vs::DType::kFloat32, std::move(s));
  for (std::int64_t i = 0; i < t.num_elements(); ++i)
    t.data<float>()[i] = static_cast<float>(i);
  return t;
}

// [name, type, inputs, masks or a Const's value and dtype] as the golden script writes them.
nlohmann::json details_of(const vs::Graph& g) {
  nlohmann::json rows = nlohmann::json::array();
  for (const vs::Operation& op : g.operations()) {
    nlohmann::json inputs = nlohmann::json::array();
    for (int i = 0; i < op.num_inputs(); ++i) {
      const vs::Tensor t = op.input(i);
      inputs.push_back(t.value_index() == 0 ? t.op().name() : t.name());
    }
    nlohmann::json extra = nlohmann::json::object();
    if (op.type() == "Const") {
      const vs::HostTensor v = op.attr_tensor("value");
      nlohmann::json values = nlohmann::json::array();
      for (std::int64_t i = 0; i < v.num_elements(); ++i) {
        if (vs::is_floating(v.dtype())) {
          values.push_back(v.element_as_double(i));
        } else {
          values.push_back(static_cast<std::int64_t>(v.element_as_double(i)));
        }
      }
      extra["value"] = v.shape().rank() == 0 ? values[0] : values;
      extra["dtype"] = std::string(vs::dtype_name(v.dtype()));
    }
    for (const char* m :
         {"begin_mask", "ellipsis_mask", "end_mask", "new_axis_mask", "shrink_axis_mask"}) {
      if (op.has_attr(m)) extra[m] = op.attr_int(m);
    }
    rows.push_back({op.name(), op.type(), inputs, extra});
  }
  return rows;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// The golden rows without tf.gradients' seeds (TF's "gradients/Shape_N", "grad_ys_N",
// "Fill_N"; varscope's one OnesLike "gradients/grad_ys_N": array_golden.h), a use of TF's
// seed "gradients/Fill_N" named as varscope's "gradients/grad_ys_N".
nlohmann::json golden_details(const std::string& key) {
  nlohmann::json rows = nlohmann::json::array();
  for (auto r : golden().at(key)) {
    const std::string name = r[0].get<std::string>();
    if (starts_with(name, "gradients/Shape") || starts_with(name, "gradients/grad_ys_") ||
        starts_with(name, "gradients/Fill")) {
      continue;
    }
    for (auto& in : r[2]) {
      const std::string i = in.get<std::string>();
      if (starts_with(i, "gradients/Fill")) {
        in = "gradients/grad_ys_" + (i.size() > 14 ? i.substr(15) : std::string("0"));
      }
    }
    rows.push_back(r);
  }
  return rows;
}
nlohmann::json without_seed_details(const nlohmann::json& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : rows) {
    if (!starts_with(r[0].get<std::string>(), "gradients/grad_ys_")) out.push_back(r);
  }
  return out;
}

// Float Const values compared as floats (TF writes them as float32 rounded to double).
void expect_same_graph(const nlohmann::json& got, const nlohmann::json& want) {
  ASSERT_EQ(got.size(), want.size()) << got.dump(1) << "\nvs\n" << want.dump(1);
  for (std::size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(want[i][0].get<std::string>());
    EXPECT_EQ(got[i][0], want[i][0]);
    EXPECT_EQ(got[i][1], want[i][1]);
    EXPECT_EQ(got[i][2], want[i][2]);
    if (want[i][3].contains("dtype") && want[i][3]["dtype"] == "float32") {
      EXPECT_FLOAT_EQ(got[i][3]["value"].get<float>(), want[i][3]["value"].get<float>());
    } else {
      EXPECT_EQ(got[i][3], want[i][3]);
    }
  }
}

std::string shape_py(const vs::Shape& s) {
  if (!s.has_rank()) return "<unknown>";
  std::string out = "(";
  for (int i = 0; i < s.rank(); ++i) {
    if (i > 0) out += ", ";
    out += s.dim(i) < 0 ? "?" : std::to_string(s.dim(i));
  }
  return out + (s.rank() == 1 ? ",)" : ")");
}

TEST(StridedSliceNames, IndexingAsTf115) {
  struct Case {
    const char* key;
    std::vector<vs::IndexItem> items;
  };
  // The golden's x is [3, 4, 5].
  const std::vector<Case> cases = {
      {"index_all_1", {vs::all, 1}},
      {"index_ellipsis_to2", {vs::ellipsis, vs::slice({}, 2)}},
      {"index_new_axis", {vs::new_axis}},
      {"index_minus1", {-1}},
      {"index_reverse", {vs::slice(1, {}), vs::slice({}, {}, -1)}},
      {"index_mixed", {vs::slice({}, {}, 2), vs::new_axis, vs::ellipsis, -2}},
      {"index_int64", {vs::slice(0, std::int64_t{1} << 40)}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.key);
    vs::Graph g;
    const vs::Tensor x = ph(g, vs::Shape{3, 4, 5});
    switch (c.items.size()) {  // initializer lists are fixed at compile time
      case 1:
        vs::index(x, {c.items[0]});
        break;
      case 2:
        vs::index(x, {c.items[0], c.items[1]});
        break;
      default:
        vs::index(x, {c.items[0], c.items[1], c.items[2], c.items[3]});
    }
    expect_same_graph(details_of(g), golden_details(c.key));
  }
  vs::Graph g;
  vs::index(ph(g, vs::Shape{3, 4}), {});
  expect_same_graph(details_of(g), golden_details("index_empty"));
}

TEST(StridedSliceNames, ListsAndDynamicBatchAsTf115) {
  {
    vs::Graph g;
    vs::strided_slice(ph(g, vs::Shape{3, 4}), {1, 0}, {3, 4}, {1, 2}, {.end_mask = 2});
    expect_same_graph(details_of(g), golden_details("strided_slice_lists"));
  }
  vs::Graph g;
  const vs::Tensor x = ph(g, vs::Shape{vs::kUnknownDim, 3, 4});
  const vs::Tensor batch = vs::index(vs::shape(x), {0});
  EXPECT_EQ(batch.shape(), vs::Shape{});
  EXPECT_EQ(batch.dtype(), vs::DType::kInt32);
  // tf.stack([b, -1]): the literal is a Const "stack/1".
  const vs::Tensor minus_one = vs::constant(g, vs::HostTensor(-1), {.name = "stack/1"});
  const vs::Tensor flat = vs::reshape(x, vs::stack({batch, minus_one}));
  expect_same_graph(details_of(g), golden_details("shape_batch"));

  vs::Session sess(g);
  vs::HostTensor value(vs::DType::kFloat32, vs::Shape{2, 3, 4});
  for (std::int64_t i = 0; i < value.num_elements(); ++i)
    value.data<float>()[i] = static_cast<float>(i);
  const auto out = sess.run({flat, batch}, {{x, value}});
  EXPECT_EQ(out[0].shape(), (vs::Shape{2, 12}));
  EXPECT_EQ(out[0].data<float>()[13], 13.0f);
  EXPECT_EQ(out[1].data<std::int32_t>()[0], 2);
  value = vs::HostTensor(vs::DType::kFloat32, vs::Shape{5, 3, 4});
  EXPECT_EQ(sess.run(flat, {{x, value}}).shape(), (vs::Shape{5, 12}));
  // tf.fill([b, 3], 0.5): a Fill whose dims are known only when run.
  const vs::Tensor three = vs::constant(g, vs::HostTensor(3));
  const vs::Tensor filled = vs::fill(vs::stack({batch, three}), vs::HostTensor(0.5f));
  EXPECT_EQ(filled.shape(), (vs::Shape{vs::kUnknownDim, vs::kUnknownDim}));
  const vs::HostTensor f = vs::Session(g).run(filled, {{x, iota({2, 3, 4})}});
  EXPECT_EQ(f.shape(), (vs::Shape{2, 3}));
  EXPECT_EQ(floats(f), std::vector<double>(6, 0.5));
}

TEST(StridedSliceShapes, AsTf115) {
  vs::Graph g;
  const vs::Tensor x = ph(g, vs::Shape{3, 4, 5});
  const vs::Tensor u = ph(g, vs::Shape{vs::kUnknownDim, 4}, "u");
  const vs::Tensor v = ph(g, std::nullopt, "v");
  const vs::Tensor fed = vs::placeholder(g, vs::DType::kInt32, vs::Shape{3}, "b");
  const vs::Tensor end = vs::constant(g, vs::HostTensor(std::vector<std::int32_t>{1, 2, 3}));
  const vs::Tensor ones = vs::constant(g, vs::HostTensor(std::vector<std::int32_t>{1, 1, 1}));
  const vs::Tensor ids = vs::placeholder(g, vs::DType::kInt32, vs::Shape{4}, "i");
  const std::vector<std::pair<std::string, vs::Tensor>> got = {
      {"all_1", vs::index(x, {vs::all, 1})},
      {"ellipsis_to2", vs::index(x, {vs::ellipsis, vs::slice({}, 2)})},
      {"new_axis", vs::index(x, {vs::new_axis})},
      {"minus1", vs::index(x, {-1})},
      {"reverse", vs::index(x, {vs::slice(1, {}), vs::slice({}, {}, -1)})},
      {"mixed", vs::index(x, {vs::slice({}, {}, 2), vs::new_axis, vs::ellipsis, -2})},
      {"clamp", vs::index(x, {vs::slice(1, 100), vs::slice(-100, 2)})},
      {"empty_range", vs::index(x, {vs::slice(2, 1)})},
      {"neg_stride_range", vs::index(x, {vs::slice(2, 0, -1), vs::slice({}, {}, -3)})},
      {"unknown_dim", vs::index(u, {vs::slice(1, {}), 2})},
      {"unknown_rank", vs::index(v, {vs::slice(1, {}), 2})},
      {"fed_begin", vs::strided_slice(x, fed, end, ones)},
      {"fed_begin_masked",
       vs::strided_slice(x, fed, end, ones,
                         {.begin_mask = 7, .end_mask = 7, .shrink_axis_mask = 2})},
      {"shape0", vs::index(vs::shape(u), {0})},
      {"segment_sum", vs::unsorted_segment_sum(ph(g, vs::Shape{4, 3}, "d"), ids, 5)},
  };
  for (const auto& [key, t] : got) {
    EXPECT_EQ(shape_py(t.shape()), golden().at("strided_slice_shapes").at(key).get<std::string>())
        << key;
  }
}

void expect_error(const std::string& key, void (*build)(const vs::Tensor& x)) {
  SCOPED_TRACE(key);
  const auto [type, text] = split_error(golden().at(key).get<std::string>());
  vs::Graph g;
  const vs::Tensor x = ph(g, vs::Shape{3, 4, 5});
  const Nodes before = nodes_of(g);
  try {
    build(x);
    ADD_FAILURE() << "no error";
  } catch (const vs::ValueError& e) {
    EXPECT_EQ(type, "ValueError");
    EXPECT_EQ(std::string(e.what()), text);
  } catch (const vs::TypeError& e) {
    EXPECT_EQ(type, "TypeError");
    EXPECT_EQ(std::string(e.what()), text);
  }
  EXPECT_EQ(nodes_of(g), before) << "a failed call changed the graph";
}

TEST(StridedSliceErrors, GraphBuildingAsTf115) {
  using T = const vs::Tensor&;
  expect_error("ss_out_of_bounds", [](T x) { vs::index(x, {5}); });
  expect_error("ss_out_of_bounds_neg", [](T x) { vs::index(x, {vs::all, -5}); });
  expect_error("ss_multiple_ellipses", [](T x) {
    vs::strided_slice(x, {0, 0}, {0, 0}, {1, 1}, {.ellipsis_mask = 3});
  });
  expect_error("ss_zero_stride", [](T x) { vs::index(x, {vs::slice({}, {}, 0)}); });
  expect_error("ss_too_many", [](T x) { vs::index(x, {1, 1, 1, 1}); });
  expect_error("ss_shrink_stride",
               [](T x) { vs::strided_slice(x, {1}, {2}, {-1}, {.shrink_axis_mask = 1}); });
  expect_error("ss_lengths", [](T x) { vs::strided_slice(x, {1, 2}, {2}, {1}); });
  // Inputs made first, so only the failing call is checked for leaving the graph as it was.
  const auto typed = [](const std::string& key, auto inputs, auto call) {
    SCOPED_TRACE(key);
    const auto [type, text] = split_error(golden().at(key).get<std::string>());
    ASSERT_EQ(type, "TypeError");
    vs::Graph g;
    const vs::Tensor x = ph(g, vs::Shape{3, 4, 5});
    const std::vector<vs::Tensor> in = inputs(g);
    const Nodes before = nodes_of(g);
    try {
      call(x, in);
      ADD_FAILURE() << "no error";
    } catch (const vs::TypeError& e) {
      EXPECT_EQ(std::string(e.what()), text);
    }
    EXPECT_EQ(nodes_of(g), before) << "a failed call changed the graph";
  };
  using V = const std::vector<vs::Tensor>&;
  typed(
      "ss_index_dtype",
      [](vs::Graph& g) {
        return std::vector<vs::Tensor>{
            vs::constant(g, vs::HostTensor(std::vector<std::int32_t>{1})),
            vs::constant(g, vs::HostTensor(std::vector<std::int64_t>{2})),
            vs::constant(g, vs::HostTensor(std::vector<std::int32_t>{1}))};
      },
      [](T x, V in) { vs::strided_slice(x, in[0], in[1], in[2]); });
  typed(
      "segment_sum_type",
      [](vs::Graph& g) {
        return std::vector<vs::Tensor>{vs::placeholder(g, vs::DType::kBool, vs::Shape{4, 3}, "b"),
                                       vs::placeholder(g, vs::DType::kInt32, vs::Shape{4}, "i")};
      },
      [](T, V in) { vs::unsorted_segment_sum(in[0], in[1], 5); });
}

template <typename F>
void expect_run(const std::string& key, const vs::HostTensor& feed, F build) {
  SCOPED_TRACE(key);
  vs::Graph g;
  const vs::Tensor x = ph(g, std::nullopt);
  const vs::Tensor out = build(x);
  vs::Session sess(g);
  const nlohmann::json& want = golden().at(key);
  if (want.is_string()) {
    const auto [type, text] = split_error(want.get<std::string>());
    ASSERT_EQ(type, "InvalidArgumentError");
    try {
      sess.run(out, {{x, feed}});
      ADD_FAILURE() << "no error";
    } catch (const vs::InvalidArgumentError& e) {
      EXPECT_EQ(before_node(e.what()), before_node(text));
      EXPECT_NE(std::string(e.what()).find("[[{{node " + out.op().name() + "}}]]"),
                std::string::npos);
    }
    return;
  }
  const vs::HostTensor got = sess.run(out, {{x, feed}});
  std::vector<double> flat;
  const auto walk = [&](const auto& self, const nlohmann::json& j) -> void {
    if (j.is_array()) {
      for (const auto& e : j)
        self(self, e);
    } else {
      flat.push_back(j.get<double>());
    }
  };
  walk(walk, want);
  EXPECT_EQ(floats(got), flat);
}

TEST(StridedSliceRun, ValuesAndErrorsAsTf115) {
  using T = const vs::Tensor&;
  const vs::HostTensor a = iota({3, 4, 5});
  expect_run("run_ss_out_of_bounds", a, [](T x) { return vs::index(x, {5}); });
  expect_run("run_ss_zero_stride", a, [](T x) { return vs::index(x, {vs::slice({}, {}, 0)}); });
  expect_run("run_ss_too_many", a, [](T x) { return vs::index(x, {1, 1, 1, 1}); });
  expect_run("run_ss_values", a, [](T x) {
    return vs::index(x, {vs::slice(1, {}), vs::slice({}, {}, -2), -1});
  });
  expect_run("run_segment_sum_values", iota({4, 2}), [](T x) {
    vs::Graph g = x.graph();
    const vs::Tensor ids = vs::constant(g, vs::HostTensor(std::vector<std::int32_t>{0, 2, 0, -1}));
    return vs::unsorted_segment_sum(x, ids, 3);
  });
  expect_run("run_segment_sum_range", iota({4, 2}), [](T x) {
    vs::Graph g = x.graph();
    const vs::Tensor ids = vs::constant(g, vs::HostTensor(std::vector<std::int32_t>{0, 3, 0, 1}));
    return vs::unsorted_segment_sum(x, ids, 3);
  });
  expect_run("run_segment_sum_prefix", iota({4, 2}), [](T x) {
    vs::Graph g = x.graph();
    const vs::Tensor ids = vs::constant(g, vs::HostTensor(std::vector<std::int32_t>{0, 1, 0}));
    return vs::unsorted_segment_sum(x, ids, 3);
  });
}

TEST(StridedSliceGradients, NamesAsTf115) {
  {
    vs::Graph g;
    const vs::Tensor x = ph(g, vs::Shape{3, 4, 5});
    vs::gradients({vs::index(x, {vs::all, 1, vs::slice({}, {}, -2)})}, {x});
    expect_same_graph(without_seed_details(details_of(g)), golden_details("strided_slice_grad"));
  }
  vs::Graph g;
  const vs::Tensor x = ph(g, vs::Shape{vs::kUnknownDim, 4});
  vs::gradients({vs::index(x, {vs::slice(1, {}), vs::new_axis, 2})}, {x});
  expect_same_graph(without_seed_details(details_of(g)),
                    golden_details("strided_slice_grad_unknown"));
}

TEST(GatherGradient, NamesAsTf115) {
  struct Built {
    vs::Tensor p, i;
  };
  auto inputs = [](vs::Graph& g) {
    return Built{ph(g, vs::Shape{5, 3}), vs::placeholder(g, vs::DType::kInt32, vs::Shape{4}, "i")};
  };
  {
    vs::Graph g;
    const auto [p, i] = inputs(g);
    EXPECT_EQ(vs::gradients({vs::gather(p, i)}, {p})[0].shape(), (vs::Shape{5, 3}));
    expect_same_graph(without_seed_details(details_of(g)), golden_details("gather_grad_dense"));
  }
  {
    vs::Graph g;
    const auto [p, i] = inputs(g);
    vs::gradients({vs::gather(p, i), vs::identity(p)}, {p});
    expect_same_graph(without_seed_details(details_of(g)), golden_details("gather_grad_mixed"));
  }
  vs::Graph g;
  const auto [p, i] = inputs(g);
  vs::gradients({vs::gather(p, i), vs::gather(p, i)}, {p});
  expect_same_graph(without_seed_details(details_of(g)), golden_details("gather_grad_two"));
}

TEST(GatherGradient, RepeatedIndicesAccumulateAndEmbeddingsTrain) {
  vs::Graph g;
  const vs::Tensor p = ph(g, vs::Shape{5, 3});
  const vs::Tensor i = vs::placeholder(g, vs::DType::kInt32, vs::Shape{4}, "i");
  const vs::Tensor w = ph(g, vs::Shape{4, 3}, "w");
  const vs::Tensor grad = vs::gradients({vs::reduce_sum(vs::gather(p, i) * w)}, {p})[0];
  vs::Session sess(g);
  const vs::HostTensor ids(std::vector<std::int32_t>{3, 1, 3, 3});
  const vs::HostTensor got = sess.run(grad, {{p, iota({5, 3})}, {i, ids}, {w, iota({4, 3})}});
  // Row 3 gets w's rows 0, 2 and 3; row 1 gets row 1; the others nothing.
  const std::vector<double> want = {0, 0,         0,          3,          4, 5, 0, 0,
                                    0, 0 + 6 + 9, 1 + 7 + 10, 2 + 8 + 11, 0, 0, 0};
  EXPECT_EQ(floats(got), want);
}

TEST(GatherGradient, AnSgdStepMovesEachLookedUpRowOncePerLookup) {
  vs::Graph g;
  const vs::Variable emb = g.get_variable("emb", {.shape = vs::Shape{5, 3}});
  const vs::Tensor i = vs::placeholder(g, vs::DType::kInt32, vs::Shape{4}, "i");
  const vs::Operation step = vs::train::GradientDescentOptimizer(0.1).minimize(
      vs::reduce_sum(vs::embedding_lookup(emb, i)));
  vs::Session sess(g);
  sess.run(g.global_variables_initializer());
  const std::vector<double> before = floats(sess.run(emb));
  sess.run(step, {{i, vs::HostTensor(std::vector<std::int32_t>{3, 1, 3, 3})}});
  const std::vector<double> after = floats(sess.run(emb));
  const double lookups[] = {0, 1, 0, 3, 0};
  for (std::size_t k = 0; k < before.size(); ++k)
    EXPECT_NEAR(after[k], before[k] - 0.1 * lookups[k / 3], 1e-6) << k;
}

TEST(StridedSliceRun, FedBoundsAreReadWhenRun) {
  vs::Graph g;
  const vs::Tensor x = ph(g, vs::Shape{3, 4, 5});
  const vs::Tensor b = vs::placeholder(g, vs::DType::kInt64, vs::Shape{3}, "b");
  const vs::Tensor e = vs::constant(g, vs::HostTensor(std::vector<std::int64_t>{3, 0, 5}));
  const vs::Tensor s = vs::constant(g, vs::HostTensor(std::vector<std::int64_t>{1, -2, 2}));
  const vs::Tensor y = vs::strided_slice(x, b, e, s, {.shrink_axis_mask = 1});
  vs::Session sess(g);
  // x[2, 3:0:-2, 1:5:2]: rows 3 and 1 of the last matrix, columns 1 and 3.
  const vs::HostTensor got =
      sess.run(y, {{x, iota({3, 4, 5})}, {b, vs::HostTensor(std::vector<std::int64_t>{2, 3, 1})}});
  EXPECT_EQ(got.shape(), (vs::Shape{2, 2}));
  EXPECT_EQ(floats(got), (std::vector<double>{56, 58, 46, 48}));
  try {
    sess.run(y, {{x, iota({3, 4, 5})}, {b, vs::HostTensor(std::vector<std::int64_t>{3, 3, 1})}});
    ADD_FAILURE() << "no error";
  } catch (const vs::InvalidArgumentError& err) {
    EXPECT_EQ(before_node(err.what()), "slice index 3 of dimension 0 out of bounds.");
  }
}

TEST(GatherGradient, EmbeddingSgdStepGradientNamesAsTf115) {
  vs::Graph g;
  const vs::Variable emb = g.get_variable("emb", {.shape = vs::Shape{5, 3}});
  const vs::Tensor i = vs::placeholder(g, vs::DType::kInt32, vs::Shape{4}, "i");
  const vs::Tensor loss = vs::reduce_sum(vs::embedding_lookup(emb, i));
  vs::train::GradientDescentOptimizer(0.1).minimize(loss);
  // Up to the IndexedSlices TF's optimizer applies with ScatterSub, the same nodes; varscope
  // then densifies it and applies it whole (docs/differences.md).
  const nlohmann::json want = golden_details("embedding_sgd");
  nlohmann::json got = without_seed_details(details_of(g));
  std::size_t end = 0;
  while (end < want.size() && want[end][0] != "gradients/embedding_lookup_grad/Reshape_1")
    ++end;
  ASSERT_LT(end, want.size());
  std::vector<std::string> got_names, want_names;
  // Sum's gradient is one op in varscope ("Sum_grad/Tile"; docs/differences.md): left out.
  for (std::size_t k = 0; k <= end; ++k) {
    const std::string name = want[k][0].get<std::string>();
    if (!starts_with(name, "gradients/Sum_grad/")) want_names.push_back(name);
  }
  for (const auto& r : got) {
    const std::string name = r[0].get<std::string>();
    if (starts_with(name, "gradients/Sum_grad/")) continue;
    got_names.push_back(name);
    if (name == want_names.back()) break;
  }
  EXPECT_EQ(got_names, want_names);
}

}  // namespace
