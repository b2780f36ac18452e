// Partitioned variables against TF 1.15 (tests/golden/partition_tf115.json, written by hand
// with tools/tf115/make_partition_goldens.py): each partitioner's arithmetic and the parts
// get_partitioned_variable makes (names, shapes, slice information), the ops of a scope
// partitioner and of as_tensor(), the collections, TF's errors for mismatched reuses
// (E230–E233), and as_tensor()'s values on both backends. Checkpoints: partitioned_saver_test.cpp.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "backend_test.h"

namespace vs = varscope;

namespace {

using Dims = std::vector<std::int64_t>;

const nlohmann::json& golden() {
  static const nlohmann::json g = [] {
    std::ifstream in(std::string(VARSCOPE_GOLDEN_DIR) + "/partition_tf115.json");
    if (!in) throw std::runtime_error("cannot read tests/golden/partition_tf115.json");
    return nlohmann::json::parse(in);
  }();
  return g;
}

const std::map<std::string, std::function<vs::Partitioner()>>& partitioners() {
  static const std::map<std::string, std::function<vs::Partitioner()>> table = {
      {"fixed_size_partitioner(3)", [] { return vs::fixed_size_partitioner(3); }},
      {"fixed_size_partitioner(4, axis=1)", [] { return vs::fixed_size_partitioner(4, 1); }},
      {"fixed_size_partitioner(1)", [] { return vs::fixed_size_partitioner(1); }},
      {"min_max_variable_partitioner(8)", [] { return vs::min_max_variable_partitioner(8); }},
      {"min_max_variable_partitioner(4, axis=1, min_slice_size=64)",
       [] { return vs::min_max_variable_partitioner(4, 1, 64); }},
      {"min_max_variable_partitioner(100, min_slice_size=16)",
       [] { return vs::min_max_variable_partitioner(100, 0, 16); }},
      {"variable_axis_size_partitioner(64)", [] { return vs::variable_axis_size_partitioner(64); }},
      {"variable_axis_size_partitioner(100, axis=1)",
       [] { return vs::variable_axis_size_partitioner(100, 1); }},
      {"variable_axis_size_partitioner(1 << 20)",
       [] { return vs::variable_axis_size_partitioner(1 << 20); }},
      {"variable_axis_size_partitioner(40, max_shards=3)",
       [] { return vs::variable_axis_size_partitioner(40, 0, 16, 3); }},
      {"variable_axis_size_partitioner(1)", [] { return vs::variable_axis_size_partitioner(1); }},
  };
  return table;
}

vs::DType dtype_of(const std::string& name) {
  if (name == "float32") return vs::DType::kFloat32;
  if (name == "float64") return vs::DType::kFloat64;
  if (name == "int32") return vs::DType::kInt32;
  throw std::runtime_error("unknown dtype " + name);
}

nlohmann::json part_record(const vs::Variable& v) {
  const vs::SaveSliceInfo info = v.save_slice_info().value();
  return {{"name", v.op_name()},
          {"shape", v.shape().dims()},
          {"full_name", info.full_name},
          {"full_shape", info.full_shape},
          {"var_offset", info.var_offset},
          {"var_shape", info.var_shape},
          {"spec", info.spec()}};
}

TEST(Partitioners, PartsAndSliceInfoAsTf) {
  int checked = 0;
  for (const nlohmann::json& c : golden()["partitioners"]) {
    const std::string label = c["partitioner"].get<std::string>() + " of " + c["shape"].dump() +
                              " " + c["dtype"].get<std::string>();
    const vs::Shape shape(c["shape"].get<Dims>());
    const vs::DType dtype = dtype_of(c["dtype"]);
    const vs::Partitioner p = partitioners().at(c["partitioner"])();
    EXPECT_EQ(p(shape, dtype), c["partitions"].get<Dims>()) << label;

    vs::Graph g;
    const vs::PartitionedVariable v = g.get_partitioned_variable(
        "v",
        {.shape = shape, .dtype = dtype, .initializer = vs::zeros_initializer(), .partitioner = p});
    EXPECT_EQ(v.name(), "v");
    EXPECT_EQ(v.shape().dims(), c["partitioned_shape"].get<Dims>()) << label;
    EXPECT_EQ(v.partitions(), c["partitions"].get<Dims>()) << label;
    const std::size_t n = c["num_parts"];
    ASSERT_EQ(v.size(), n) << label;
    nlohmann::json parts = nlohmann::json::array();
    if (n <= 8) {
      for (const vs::Variable& part : v.variables())
        parts.push_back(part_record(part));
    } else {  // the golden keeps the first two and the last of many
      for (std::size_t i : {std::size_t{0}, std::size_t{1}, n - 1})
        parts.push_back(part_record(v[i]));
    }
    EXPECT_EQ(parts, c["parts"]) << label;
    EXPECT_EQ(g.global_variables().size(), n) << label;
    ++checked;
  }
  EXPECT_GT(checked, 100);
}

nlohmann::json ops_record(const vs::Graph& g, std::size_t first = 0, std::size_t last = 0) {
  nlohmann::json ops = nlohmann::json::array();
  const std::vector<vs::Operation> all = g.operations();
  if (last == 0) last = all.size();
  for (std::size_t i = first; i < last; ++i) {
    std::vector<std::string> inputs;
    for (int k = 0; k < all[i].num_inputs(); ++k)
      inputs.push_back(all[i].input(k).name());
    for (const vs::Operation& c : all[i].control_inputs())
      inputs.push_back(std::string(1, '^').append(c.name()));
    ops.push_back({{"name", all[i].name()}, {"type", all[i].type()}, {"inputs", inputs}});
  }
  return ops;
}

nlohmann::json names(const std::vector<vs::Variable>& vars) {
  nlohmann::json out = nlohmann::json::array();
  for (const vs::Variable& v : vars)
    out.push_back({v.op_name(), v.shape().dims()});
  return out;
}

TEST(PartitionedVariables, ScopePartitionerGlorotAndAsTensorGraphAsTf) {
  const nlohmann::json& want = golden()["graphs"]["scope_glorot"];
  vs::Graph g;
  vs::PartitionedVariable w;
  {
    auto outer = g.variable_scope("outer", {.partitioner = vs::fixed_size_partitioner(3)});
    w = g.get_partitioned_variable("w", {.shape = vs::Shape{7, 4}});
    // A scope partitioner is inherited by a nested scope.
    auto inner = g.variable_scope("inner");
    EXPECT_TRUE(inner.partitioner().has_value());
  }
  const vs::Tensor first = w.as_tensor();
  const vs::Tensor second = w.as_tensor();
  EXPECT_EQ(first.name(), "outer/w:0");
  EXPECT_EQ(second.name(), "outer/w_1:0");
  EXPECT_EQ(first.shape(), (vs::Shape{7, 4}));
  g.get_partitioned_variable("b", {.shape = vs::Shape{5},
                                   .initializer = vs::constant_initializer(0.5),
                                   .trainable = false,
                                   .partitioner = vs::fixed_size_partitioner(2)});
  EXPECT_EQ(ops_record(g), want["ops"]);
  EXPECT_EQ(names(g.global_variables()), want["global"]);
  EXPECT_EQ(names(g.trainable_variables()), want["trainable"]);
  // Glorot's bound from the full shape's fans (TF's partition_info), not the part's.
  vs::Session sess(g);
  for (const auto& [name, bound] : want["bounds"].items()) {
    const float got = sess.run(g.get_tensor_by_name(name + ":0")).data<float>()[0];
    EXPECT_FLOAT_EQ(got, bound.get<float>()) << name;
  }
}

class PartitionedValues : public vs::testing::BackendTest {};

TEST_P(PartitionedValues, TensorInitializerSlicedAndAsTensorAsTf) {
  const nlohmann::json& want = golden()["graphs"]["lookup_mod"];
  const std::vector<float> table = [&] {
    std::vector<float> t;
    for (const auto& row : golden()["graphs"]["table"])
      for (float x : row)
        t.push_back(x);
    return t;
  }();
  vs::Graph g;
  const vs::Tensor init =
      vs::constant(g, vs::HostTensor(table, vs::Shape{7, 2}), {.name = "table"});
  const vs::PartitionedVariable emb = g.get_partitioned_variable(
      "emb", {.initializer = vs::Initializer(init), .partitioner = vs::fixed_size_partitioner(3)});
  vs::placeholder(g, vs::DType::kInt32, vs::Shape{2, 3}, "ids");
  EXPECT_EQ(ops_record(g), want["variable_ops"]);
  const vs::Tensor whole = emb.as_tensor();
  vs::Session sess(g, options());
  sess.run(g.global_variables_initializer());
  const vs::HostTensor got = sess.run(whole);
  std::vector<float> expected;
  for (const auto& row : want["as_tensor"])
    for (float x : row)
      expected.push_back(x);
  EXPECT_EQ(got.shape(), (vs::Shape{7, 2}));
  EXPECT_EQ(std::vector<float>(got.data<float>().begin(), got.data<float>().end()), expected);
  for (std::size_t i = 0; i < emb.size(); ++i) {
    std::vector<float> part;
    for (const auto& row : want["part_values"][i])
      for (float x : row)
        part.push_back(x);
    const vs::HostTensor value = sess.run(emb[i]);
    EXPECT_EQ(std::vector<float>(value.data<float>().begin(), value.data<float>().end()), part);
  }
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(PartitionedValues);

TEST(PartitionedVariables, ReuseSharesAndParallelsTf) {
  vs::Graph g;
  const vs::Partitioner p3 = vs::fixed_size_partitioner(3);
  vs::PartitionedVariable a;
  {
    auto s = g.variable_scope("s", {.partitioner = p3});
    a = g.get_partitioned_variable("v", {.shape = vs::Shape{6, 2}});
  }
  const std::size_t ops = g.num_operations();
  {  // reuse=True finds it without a partitioner (TF's special case) ...
    auto s = g.variable_scope("s", {.reuse = vs::Reuse::kTrue});
    EXPECT_EQ(g.get_partitioned_variable("v"), a);
  }
  {  // ... and AUTO_REUSE with the same partitioning.
    auto s = g.variable_scope("s", {.reuse = vs::Reuse::kAuto, .partitioner = p3});
    EXPECT_EQ(g.get_partitioned_variable("v", {.shape = vs::Shape{6, 2}}), a);
  }
  EXPECT_EQ(g.num_operations(), ops);
  EXPECT_EQ(g.global_variables().size(), 3u);
  // get_variable cannot return a PartitionedVariable: it says where to get one.
  auto s = g.variable_scope("s", {.reuse = vs::Reuse::kTrue});
  EXPECT_THROW(g.get_variable("v"), vs::ValueError);
  EXPECT_EQ(g.get_variable("v/part_1").shape(), (vs::Shape{2, 2}));
}

// TF's texts (golden "errors"); the graph is unchanged after each.
TEST(PartitionedVariables, ErrorsAsTfAndNothingChanges) {
  const nlohmann::json& want = golden()["errors"];
  const vs::Partitioner p3 = vs::fixed_size_partitioner(3);
  const vs::GetVariableOptions v62{.shape = vs::Shape{6, 2}, .partitioner = p3};
  auto with = [&](vs::Partitioner p) {
    vs::GetVariableOptions o = v62;
    o.partitioner = std::move(p);
    return o;
  };
  auto reuse = [](vs::Graph& g) {
    return g.variable_scope(g.get_variable_scope(), {.reuse = vs::Reuse::kTrue});
  };
  struct Case {
    const char* key;
    std::function<void(vs::Graph&)> setup;
    std::function<void(vs::Graph&)> fails;
  };
  const std::vector<Case> cases = {
      {"twice", [&](vs::Graph& g) { g.get_partitioned_variable("v", v62); },
       [&](vs::Graph& g) { g.get_partitioned_variable("v", v62); }},
      {"reuse_shape", [&](vs::Graph& g) { g.get_partitioned_variable("v", v62); },
       [&](vs::Graph& g) {
         auto r = reuse(g);
         g.get_partitioned_variable("v", {.shape = vs::Shape{5, 2}, .partitioner = p3});
       }},
      {"reuse_dtype", [&](vs::Graph& g) { g.get_partitioned_variable("v", v62); },
       [&](vs::Graph& g) {
         auto r = reuse(g);
         g.get_partitioned_variable(
             "v", {.shape = vs::Shape{6, 2}, .dtype = vs::DType::kFloat64, .partitioner = p3});
       }},
      {"reuse_partitions", [&](vs::Graph& g) { g.get_partitioned_variable("v", v62); },
       [&](vs::Graph& g) {
         auto r = reuse(g);
         g.get_partitioned_variable("v", with(vs::fixed_size_partitioner(2)));
       }},
      {"reuse_missing", [](vs::Graph&) {},
       [&](vs::Graph& g) {
         auto r = reuse(g);
         g.get_partitioned_variable("v", v62);
       }},
      {"unpartitioned_exists",
       [](vs::Graph& g) {
         g.get_variable("v", {.shape = vs::Shape{6, 2}});
       },
       [&](vs::Graph& g) { g.get_partitioned_variable("v", v62); }},
      {"parts_exist_fewer",
       [](vs::Graph& g) {
         g.get_variable("v/part_0", {.shape = vs::Shape{2, 2}});
       },
       [&](vs::Graph& g) { g.get_partitioned_variable("v", v62); }},
      {"parts_exist_more",
       [](vs::Graph& g) {
         g.get_variable("v/part_0", {.shape = vs::Shape{2, 2}});
         g.get_variable("v/part_1", {.shape = vs::Shape{2, 2}});
       },
       [&](vs::Graph& g) { g.get_partitioned_variable("v", with(vs::fixed_size_partitioner(1))); }},
      {"unknown_shape", [](vs::Graph&) {},
       [&](vs::Graph& g) {
         g.get_partitioned_variable("v",
                                    {.initializer = vs::zeros_initializer(), .partitioner = p3});
       }},
      {"two_axes", [](vs::Graph&) {},
       [&](vs::Graph& g) {
         g.get_partitioned_variable("v", with([](const vs::Shape&, vs::DType) {
                                      return std::vector<std::int64_t>{2, 2};
                                    }));
       }},
      {"wrong_rank", [](vs::Graph&) {},
       [&](vs::Graph& g) {
         g.get_partitioned_variable(
             "v", with([](const vs::Shape&, vs::DType) { return std::vector<std::int64_t>{2}; }));
       }},
      {"zero_parts", [](vs::Graph&) {},
       [&](vs::Graph& g) {
         g.get_partitioned_variable("v", with([](const vs::Shape&, vs::DType) {
                                      return std::vector<std::int64_t>{0, 1};
                                    }));
       }},
      {"min_max_axis", [](vs::Graph&) {},
       [&](vs::Graph& g) {
         g.get_partitioned_variable("v", with(vs::min_max_variable_partitioner(2, 2)));
       }},
      {"axis_size_bad", [](vs::Graph&) {},
       [](vs::Graph&) { vs::variable_axis_size_partitioner(0); }},
      {"axis_size_bad_shards", [](vs::Graph&) {},
       [](vs::Graph&) { vs::variable_axis_size_partitioner(10, 0, 16, -1); }},
  };
  for (const Case& c : cases) {
    vs::Graph g;
    c.setup(g);
    const std::vector<vs::Operation> before = g.operations();
    const std::size_t vars = g.global_variables().size();
    const std::string scope_name = g.unique_name("v/part_0/PartitionedInitializer", false);
    try {
      c.fails(g);
      ADD_FAILURE() << c.key << ": no error";
    } catch (const vs::ValueError& e) {
      EXPECT_EQ(std::string(e.what()), want[c.key].get<std::string>()) << c.key;
    }
    EXPECT_EQ(g.operations(), before) << c.key;
    EXPECT_EQ(g.global_variables().size(), vars) << c.key;
    // The names the failed call took are free again.
    EXPECT_EQ(g.unique_name("v/part_0/PartitionedInitializer", false), scope_name) << c.key;
  }
  // TF ignores a partitioner for a scalar shape (golden "scalar": no error).
  EXPECT_TRUE(want["scalar"].is_null());
  vs::Graph g;
  EXPECT_EQ(g.get_variable("v", {.shape = vs::Shape{}, .partitioner = p3}).op_name(), "v");
  EXPECT_THROW(g.get_partitioned_variable("w", {.shape = vs::Shape{4}}), vs::ValueError);
}

}  // namespace
