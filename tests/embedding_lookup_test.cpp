// embedding_lookup over a partitioned table against TF 1.15 (tests/golden/partition_tf115.json,
// tools/tf115/make_partition_goldens.py): the ops of partition_strategy "mod" and "div"
// (DynamicPartition, one GatherV2 per part, ParallelDynamicStitch, Reshape), the looked-up
// rows and the parts' gradients on both backends; DynamicPartition's own gradient.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "backend_test.h"

namespace vs = varscope;

namespace {

const nlohmann::json& golden() {
  static const nlohmann::json g = [] {
    std::ifstream in(std::string(VARSCOPE_GOLDEN_DIR) + "/partition_tf115.json");
    if (!in) throw std::runtime_error("cannot read tests/golden/partition_tf115.json");
    return nlohmann::json::parse(in);
  }();
  return g;
}

std::vector<float> flat(const nlohmann::json& j) {
  std::vector<float> out;
  if (!j.is_array()) return {j.get<float>()};
  for (const auto& x : j)
    for (float v : flat(x))
      out.push_back(v);
  return out;
}

std::vector<float> floats(const vs::HostTensor& t) {
  return {t.data<float>().begin(), t.data<float>().end()};
}

nlohmann::json ops_after(const vs::Graph& g, std::size_t first) {
  nlohmann::json ops = nlohmann::json::array();
  const std::vector<vs::Operation> all = g.operations();
  for (std::size_t i = first; i < all.size(); ++i) {
    std::vector<std::string> inputs;
    for (int k = 0; k < all[i].num_inputs(); ++k)
      inputs.push_back(all[i].input(k).name());
    ops.push_back({{"name", all[i].name()}, {"type", all[i].type()}, {"inputs", inputs}});
  }
  return ops;
}

struct Lookup {
  explicit Lookup(const std::string& strategy) {
    const vs::Tensor table = vs::constant(
        g, vs::HostTensor(flat(golden()["graphs"]["table"]), vs::Shape{7, 2}), {.name = "table"});
    emb = g.get_partitioned_variable("emb", {.initializer = vs::Initializer(table),
                                             .partitioner = vs::fixed_size_partitioner(3)});
    ids = vs::placeholder(g, vs::DType::kInt32, vs::Shape{2, 3}, "ids");
    first = g.num_operations();
    y = vs::embedding_lookup(emb, ids, strategy);
  }
  vs::Graph g;
  vs::PartitionedVariable emb;
  vs::Tensor ids, y;
  std::size_t first = 0;
};

TEST(EmbeddingLookup, PartitionedGraphAsTf) {
  for (const std::string strategy : {"mod", "div"}) {
    const nlohmann::json& want = golden()["graphs"]["lookup_" + strategy];
    Lookup l(strategy);
    EXPECT_EQ(ops_after(l.g, l.first), want["ops"]) << strategy;
    EXPECT_EQ(l.y.name(), want["output"].get<std::string>()) << strategy;
    EXPECT_EQ(l.y.shape().dims(), want["shape"].get<std::vector<std::int64_t>>()) << strategy;
  }
}

class EmbeddingLookupValues : public vs::testing::BackendTest {};

TEST_P(EmbeddingLookupValues, RowsAndPartGradientsAsTf) {
  std::vector<std::int32_t> ids;
  for (const auto& row : golden()["graphs"]["lookup_ids"])
    for (std::int32_t v : row)
      ids.push_back(v);
  for (const std::string strategy : {"mod", "div"}) {
    const nlohmann::json& want = golden()["graphs"]["lookup_" + strategy];
    Lookup l(strategy);
    const vs::Tensor loss = vs::reduce_sum(l.y * l.y);
    const std::vector<vs::Tensor> grads = vs::gradients({loss}, l.emb.variables());
    vs::Session s(l.g, options());
    s.run(l.g.global_variables_initializer());
    const vs::FeedDict feed{{l.ids, vs::HostTensor(ids, vs::Shape{2, 3})}};
    EXPECT_EQ(floats(s.run(l.y, feed)), flat(want["value"])) << strategy;
    for (std::size_t p = 0; p < grads.size(); ++p) {
      EXPECT_EQ(floats(s.run(grads[p], feed)), flat(want["part_grads"][p])) << strategy << p;
      EXPECT_EQ(floats(s.run(l.emb[p])), flat(want["part_values"][p])) << strategy << p;
    }
  }
}

// DynamicPartition's gradient: each row's gradient back in its place.
TEST_P(EmbeddingLookupValues, DynamicPartitionGradientStitchesBack) {
  vs::Graph g;
  const vs::Tensor data = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4, 2}, "data");
  const vs::Tensor parts = vs::constant(g, vs::HostTensor(std::vector<std::int32_t>{1, 0, 1, 2}));
  const std::vector<vs::Tensor> out = vs::dynamic_partition(data, parts, 3);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].name(), "DynamicPartition:0");
  // weights 1, 2, 3 per partition
  const vs::Tensor loss = vs::reduce_sum(out[0]) + vs::reduce_sum(out[1]) * vs::Input(2.0f) +
                          vs::reduce_sum(out[2]) * vs::Input(3.0f);
  const vs::Tensor grad = vs::gradients({loss}, {data})[0];
  vs::Session s(g, options());
  const vs::HostTensor x({1.f, 2.f, 3.f, 4.f, 5.f, 6.f, 7.f, 8.f}, vs::Shape{4, 2});
  EXPECT_EQ(floats(s.run(out[1], {{data, x}})), (std::vector<float>{1, 2, 5, 6}));
  EXPECT_EQ(s.run(out[0], {{data, x}}).shape(), (vs::Shape{1, 2}));
  EXPECT_EQ(floats(s.run(grad, {{data, x}})), (std::vector<float>{2, 2, 1, 1, 2, 2, 3, 3}));
  // A partition out of range is TF's run-time error.
  const vs::Tensor bad = vs::dynamic_partition(
      data, vs::constant(g, vs::HostTensor(std::vector<std::int32_t>{0, 3, 0, 0})), 3)[0];
  try {
    s.run(bad, {{data, x}});
    ADD_FAILURE() << "no error";
  } catch (const vs::InvalidArgumentError& e) {
    EXPECT_TRUE(std::string(e.what()).starts_with("partitions[1] = 3 is not in [0, 3)"))
        << e.what();
  }
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(EmbeddingLookupValues);

TEST(EmbeddingLookup, BadStrategyAsTfAndNothingChanges) {
  Lookup l("mod");
  const std::size_t before = l.g.num_operations();
  try {
    vs::embedding_lookup(l.emb, l.ids, "bogus");
    ADD_FAILURE() << "no error";
  } catch (const vs::ValueError& e) {
    EXPECT_EQ(std::string(e.what()), golden()["errors"]["lookup_bad_strategy"].get<std::string>());
  }
  EXPECT_EQ(l.g.num_operations(), before);
  EXPECT_THROW(vs::embedding_lookup(std::vector<vs::Tensor>{}, l.ids), vs::ValueError);
}

}  // namespace
