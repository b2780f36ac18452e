// IndexedSlices gradients applied sparsely, against TF 1.15 (tests/golden/
// sparse_training_tf115.json, tools/tf115/make_sparse_training_goldens.py): for
// GradientDescent, Momentum (plain and Nesterov) and Adam over an embedding table (one
// variable; a partitioned one looked up with "mod" and "div") on ids that repeat and miss
// rows, compute_gradients' IndexedSlices, every op apply_gradients adds (name, type, data
// inputs, TF's bool and type attributes) and the values after three steps on both backends; a dense
// gradient of the same variable still takes the dense update; DistributedOptimizer densifies.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "backend_test.h"
#include "graph_golden.h"

namespace vs = varscope;

namespace {

const nlohmann::json& golden() {
  static const nlohmann::json g = vs::testing::read_golden("sparse_training_tf115.json");
  return g;
}

std::vector<float> floats_of(const nlohmann::json& j) {
  return j.get<std::vector<float>>();
}

std::unique_ptr<vs::train::Optimizer> make_optimizer(const std::string& kind) {
  if (kind == "sgd") return std::make_unique<vs::train::GradientDescentOptimizer>(0.1);
  if (kind == "momentum") return std::make_unique<vs::train::MomentumOptimizer>(0.1, 0.9);
  if (kind == "nesterov") return std::make_unique<vs::train::MomentumOptimizer>(0.1, 0.9, true);
  return std::make_unique<vs::train::AdamOptimizer>(0.1);
}

// The golden case's model: loss = sum((lookup(emb, ids) - target)^2).
struct Model {
  explicit Model(const std::string& table) {
    const vs::Tensor init = vs::constant(
        g, vs::HostTensor(floats_of(golden()["table"]), vs::Shape{7, 2}), {.name = "table"});
    const vs::Tensor ids = vs::constant(
        g, vs::HostTensor(golden()["ids"].get<std::vector<std::int32_t>>()), {.name = "ids"});
    vs::Tensor y;
    if (table == "single") {
      parts = {g.get_variable("emb", {.initializer = vs::Initializer(init)})};
      y = vs::embedding_lookup(parts[0], ids);
    } else {
      const vs::PartitionedVariable emb = g.get_partitioned_variable(
          "emb",
          {.initializer = vs::Initializer(init), .partitioner = vs::fixed_size_partitioner(3)});
      parts = emb.variables();
      y = vs::embedding_lookup(emb, ids, table);
    }
    const vs::Tensor target = vs::constant(
        g, vs::HostTensor(floats_of(golden()["target"]), vs::Shape{6, 2}), {.name = "target"});
    loss = vs::reduce_sum(vs::square(y - target));
  }
  vs::Graph g;
  std::vector<vs::Variable> parts;
  vs::Tensor loss;
};

// The ops from `first` on; varscope's own gate ("<opt>/gradients_ready",
// docs/differences.md) left out.
std::vector<vs::Operation> ops_from(const vs::Graph& g, std::size_t first) {
  std::vector<vs::Operation> out;
  const std::vector<vs::Operation> all = g.operations();
  for (std::size_t i = first; i < all.size(); ++i) {
    if (!all[i].name().ends_with("/gradients_ready")) out.push_back(all[i]);
  }
  return out;
}

// An op as the golden file lists it: name, type, data inputs (attributes apart).
nlohmann::json row(const vs::Operation& op) {
  std::vector<std::string> inputs;
  for (int k = 0; k < op.num_inputs(); ++k)
    inputs.push_back(op.input(k).name());
  return {{"inputs", inputs}, {"name", op.name()}, {"type", op.type()}};
}

nlohmann::json ops_after(const vs::Graph& g, std::size_t first) {
  nlohmann::json ops = nlohmann::json::array();
  for (const vs::Operation& op : ops_from(g, first))
    ops.push_back(row(op));
  return ops;
}

// TF's bool and type attributes of the op (use_locking, validate_shape, T, Tindices, ...).
void expect_attrs(const vs::Operation& op, const nlohmann::json& want, const std::string& what) {
  for (const auto& [name, value] : want.items()) {
    ASSERT_TRUE(op.has_attr(name)) << what << ": " << op.name() << " has no " << name;
    if (value.is_boolean()) {
      EXPECT_EQ(op.attr_bool(name), value.get<bool>()) << what << ": " << op.name() << " " << name;
    } else {
      EXPECT_EQ(std::string(vs::dtype_name(op.attr_dtype(name))), value.get<std::string>())
          << what << ": " << op.name() << " " << name;
    }
  }
}

TEST(SparseTraining, GraphsAsTf) {
  for (const nlohmann::json& c : golden()["cases"]) {
    const std::string what = c["kind"].get<std::string>() + "/" + c["table"].get<std::string>();
    Model m(c["table"]);
    auto opt = make_optimizer(c["kind"]);
    const std::vector<vs::train::GradAndVar> grads = opt->compute_gradients(m.loss);
    ASSERT_EQ(grads.size(), c["gradients"].size()) << what;
    for (std::size_t i = 0; i < grads.size(); ++i) {
      const nlohmann::json& want = c["gradients"][i];
      ASSERT_TRUE(grads[i].first.is_indexed_slices()) << what;
      const vs::IndexedSlices& s = grads[i].first.indexed_slices();
      EXPECT_EQ(grads[i].second.name(), want["var"]) << what;
      EXPECT_EQ(s.values.name(), want["values"]) << what;
      EXPECT_EQ(s.indices.name(), want["indices"]) << what;
      EXPECT_EQ(s.dense_shape.name(), want["dense_shape"]) << what;
      EXPECT_EQ(grads[i].first.name(), s.values.name()) << what;
      EXPECT_THROW((void)grads[i].first.dense(), vs::ValueError) << what;
    }
    const std::size_t first = m.g.num_operations();
    const vs::Operation train = opt->apply_gradients(grads);
    EXPECT_EQ(train.name(), c["train_op"]) << what;
    const std::vector<vs::Operation> got = ops_from(m.g, first);
    const nlohmann::json& want = c["ops"];
    for (std::size_t i = 0; i < std::max(got.size(), want.size()); ++i) {
      ASSERT_LT(i, got.size()) << what << ": missing " << want[i].dump();
      ASSERT_LT(i, want.size()) << what << ": extra " << row(got[i]).dump();
      nlohmann::json tf = want[i];
      tf.erase("attrs");
      ASSERT_EQ(row(got[i]), tf) << what << ": op " << i;
      expect_attrs(got[i], want[i]["attrs"], what);
    }
    for (const vs::Variable& p : m.parts) {
      for (const auto& [slot, name] : c["slots"][p.op_name()].items())
        EXPECT_EQ(opt->get_slot(p, slot).op_name(), name.get<std::string>()) << what;
    }
  }
}

class SparseTrainingValues : public vs::testing::BackendTest {};

void expect_near(const std::vector<float>& got,
                 const std::vector<float>& want,
                 const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], 1e-5 + 1e-5 * std::abs(want[i])) << what << " [" << i << "]";
}

std::vector<float> floats(const vs::HostTensor& t) {
  return {t.data<float>().begin(), t.data<float>().end()};
}

TEST_P(SparseTrainingValues, ThreeStepsAsTf) {
  for (const nlohmann::json& c : golden()["cases"]) {
    const std::string what = c["kind"].get<std::string>() + "/" + c["table"].get<std::string>();
    Model m(c["table"]);
    auto opt = make_optimizer(c["kind"]);
    const vs::Operation train = opt->minimize(m.loss);
    vs::Session s(m.g, options());
    s.run(m.g.global_variables_initializer());
    std::vector<float> losses;
    for (int step = 0; step < golden()["steps"].get<int>(); ++step) {
      losses.push_back(s.run(m.loss).data<float>()[0]);
      s.run(train);
    }
    losses.push_back(s.run(m.loss).data<float>()[0]);
    expect_near(losses, floats_of(c["losses"]), what + " losses");
    std::map<std::string, vs::Variable> by_name;
    for (const vs::Variable& v : m.g.global_variables())
      by_name[v.op_name()] = v;
    ASSERT_EQ(by_name.size(), c["values"].size()) << what;
    for (const auto& [name, values] : c["values"].items()) {
      ASSERT_TRUE(by_name.count(name)) << what << ": no " << name;
      expect_near(floats(s.run(by_name[name].value())), floats_of(values), what + " " + name);
    }
  }
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(SparseTrainingValues);

// A dense gradient of the same variable (the sum made dense by the caller) takes the dense
// update and, for GradientDescent and Momentum, reaches the same values; Adam's dense update
// differs (m and v of the rows no id names still decay, as TF).
TEST(SparseTraining, DenseGradientTakesTheDenseUpdate) {
  Model m("single");
  vs::train::GradientDescentOptimizer opt(0.1);
  std::vector<vs::train::GradAndVar> grads = opt.compute_gradients(m.loss);
  grads[0].first = vs::to_dense(grads[0].first.indexed_slices());
  EXPECT_EQ(grads[0].first.name(), "UnsortedSegmentSum:0");
  const std::size_t first = m.g.num_operations();
  opt.apply_gradients(grads);
  bool dense_apply = false;
  for (const nlohmann::json& op : ops_after(m.g, first))
    dense_apply = dense_apply || op["type"] == "ApplyGradientDescent";
  EXPECT_TRUE(dense_apply);
}

// The errors: a dense read of an IndexedSlices, and rows that are not the variable's.
TEST(SparseTraining, BadGradientsAreRefusedAndChangeNothing) {
  Model m("single");
  vs::train::AdamOptimizer opt(0.1);
  std::vector<vs::train::GradAndVar> grads = opt.compute_gradients(m.loss);
  const vs::IndexedSlices s = grads[0].first.indexed_slices();
  try {
    (void)grads[0].first.dense();
    ADD_FAILURE() << "no error";
  } catch (const vs::ValueError& e) {
    EXPECT_EQ(std::string(e.what()),
              "The gradient " + s.values.name() +
                  " is an IndexedSlices, not a dense Tensor: convert it with vs::to_dense");
  }
  const vs::Tensor wide =
      vs::constant(m.g, vs::HostTensor(std::vector<float>(6, 1.f), vs::Shape{2, 3}));
  grads[0].first = vs::IndexedSlices{wide, s.indices, s.dense_shape, s.shape};
  const std::size_t before = m.g.num_operations();
  EXPECT_THROW(opt.apply_gradients(grads), vs::ValueError);
  EXPECT_EQ(m.g.num_operations(), before);
  EXPECT_FALSE(opt.get_slot(m.parts[0], "m").valid());
}

// Run-time errors of the sparse updates, in TF's kernels' words, before any row moves.
class SparseTrainingRunErrors : public vs::testing::BackendTest {};

TEST_P(SparseTrainingRunErrors, BadIdsAndRowsAsTfAndTheTableUnchanged) {
  struct Case {
    std::string kind;
    std::vector<std::int32_t> ids;
    std::int64_t rows;
    std::string text;
  };
  const std::vector<Case> cases{
      {"sgd", {2, 9}, 2, "indices[1] = 9 is not in [0, 7)"},
      {"sgd", {2, -1}, 2, "indices[1] = -1 is not in [0, 7)"},
      {"sgd",
       {2},
       3,
       "Must have updates.shape = indices.shape + params.shape[1:] or updates.shape = [], got "
       "updates.shape [3,2], indices.shape [1], params.shape [7,2]"},
      {"momentum", {2, 9}, 2, "Index 9 at offset 1 in indices is out of range"},
  };
  for (const Case& c : cases) {
    Model m("single");
    const vs::Tensor values = vs::placeholder(m.g, vs::DType::kFloat32, vs::Shape{-1, 2}, "values");
    const vs::Tensor ids = vs::placeholder(m.g, vs::DType::kInt32, vs::Shape{-1}, "fed_ids");
    const vs::Tensor shape = vs::constant(m.g, vs::HostTensor(std::vector<std::int32_t>{7, 2}));
    auto opt = make_optimizer(c.kind);
    const vs::Operation train = opt->apply_gradients(
        {{vs::IndexedSlices{values, ids, shape, vs::Shape{7, 2}}, m.parts[0]}});
    vs::Session s(m.g, options());
    s.run(m.g.global_variables_initializer());
    const std::vector<float> before = floats(s.run(m.parts[0].value()));
    const vs::FeedDict feed{
        {values, vs::HostTensor(std::vector<float>(static_cast<std::size_t>(c.rows * 2), 1.f),
                                vs::Shape{c.rows, 2})},
        {ids, vs::HostTensor(c.ids, vs::Shape{static_cast<std::int64_t>(c.ids.size())})}};
    try {
      s.run({}, feed, {train});
      ADD_FAILURE() << c.text << ": no error";
    } catch (const vs::InvalidArgumentError& e) {
      EXPECT_TRUE(std::string(e.what()).starts_with(c.text)) << e.what();
    }
    EXPECT_EQ(floats(s.run(m.parts[0].value())), before) << c.text;
  }
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(SparseTrainingRunErrors);

}  // namespace
