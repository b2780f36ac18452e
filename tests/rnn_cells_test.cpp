// RNN cells beyond TF's recorded graphs: DropoutWrapper's scaling, float64 cells, TF's errors
// (tests/golden/rnn_tf115.json) and the failed-call rule for cells.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "backend_test.h"
#include "rnn_golden.h"

namespace vs = varscope;
namespace rnn = vs::nn::rnn_cell;

namespace {

using vs::testing::expect_values;
using vs::testing::kBatch;
using vs::testing::kDepth;

const nlohmann::json& golden() {
  return vs::testing::rnn_golden();
}

class RnnCells : public vs::testing::BackendTest {};

// With keep probabilities below 1 the dropped elements differ from TF's, but the kept ones
// are scaled by 1 / keep_prob: with an output keep probability of 0.5 each output is the
// cell's output times 0 or 2.
TEST_P(RnnCells, DropoutWrapperScalesKeptOutputs) {
  vs::Graph g;
  g.set_random_seed(7);
  const vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{64, 1}, "x");
  // An identity "cell": BasicRNNCell(1) with kernel [[1], [0]], bias 0, relu.
  rnn::DropoutWrapper cell(g, std::make_shared<rnn::BasicRNNCell>(1, vs::relu),
                           {.input_keep_prob = 1.0, .output_keep_prob = 0.5});
  const vs::nn::RnnOutputs r = vs::nn::static_rnn(cell, {x}, {.dtype = vs::DType::kFloat32});
  vs::Session sess(g, options());
  sess.run(g.global_variables_initializer());
  sess.load_variable(cell.variables()[0],
                     vs::HostTensor(std::vector<float>{1, 0}, vs::Shape{2, 1}));
  const vs::HostTensor ones(std::vector<float>(64, 1.0f), vs::Shape{64, 1});
  const vs::HostTensor out = sess.run(r.outputs[0], {{x, ones}});
  int kept = 0;
  for (std::int64_t i = 0; i < 64; ++i) {
    const float v = out.data<float>()[i];
    EXPECT_TRUE(v == 0.0f || v == 2.0f) << v;
    kept += v == 2.0f;
  }
  EXPECT_GT(kept, 8);
  EXPECT_LT(kept, 56);
}

// The cells take their inputs' dtype: a float64 LSTM has float64 variables and state, and
// computes what the float32 one does for the same weights.
TEST_P(RnnCells, Float64CellsMatchFloat32) {
  const nlohmann::json& want = golden()["basic_lstm"];
  auto run = [&](vs::DType dtype) {
    vs::Graph g;
    std::vector<vs::Tensor> xs;
    vs::FeedDict feeds;
    for (const char* name : {"x0", "x1", "x2"}) {
      xs.push_back(vs::placeholder(g, dtype, vs::Shape{kBatch, kDepth}, name));
      feeds.emplace_back(xs.back(), vs::HostTensor(want["inputs"][name].get<std::vector<double>>(),
                                                   vs::Shape{kBatch, kDepth})
                                        .cast(dtype));
    }
    rnn::BasicLSTMCell cell(4);
    const vs::nn::RnnOutputs r = vs::nn::static_rnn(cell, xs, {.dtype = dtype});
    EXPECT_EQ(cell.variables()[0].dtype(), dtype);
    EXPECT_EQ(r.state[0].dtype(), dtype);
    vs::Session sess(g, options());
    sess.run(g.global_variables_initializer());
    for (const vs::Variable& v : cell.variables()) {
      sess.load_variable(
          v, vs::HostTensor(want["weights"][v.op_name()].get<std::vector<double>>(), v.shape())
                 .cast(dtype));
    }
    return sess.run(r.outputs.back(), feeds).cast(vs::DType::kFloat64);
  };
  const vs::HostTensor f64 = run(vs::DType::kFloat64), f32 = run(vs::DType::kFloat32);
  ASSERT_EQ(f64.num_elements(), f32.num_elements());
  for (std::int64_t i = 0; i < f64.num_elements(); ++i)
    EXPECT_NEAR(f64.data<double>()[i], f32.data<double>()[i], 1e-5);
  expect_values(f64, want["outputs"][2], "float64 output 2");
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(RnnCells);

// TF's errors, and a failed call leaves the graph and the cell as they were.
void expect_error_as_tf(const char* key, const std::function<void()>& call) {
  const nlohmann::json& want = golden()["errors"][key];
  try {
    call();
    ADD_FAILURE() << key << ": no error";
  } catch (const vs::ValueError& e) {
    EXPECT_EQ(want[0].get<std::string>(), "ValueError") << key;
    EXPECT_EQ(std::string(e.what()), want[1].get<std::string>()) << key;
  }
}

TEST(RnnErrors, AsTf) {
  vs::Graph g;
  const auto x = [&](std::int64_t batch, std::int64_t depth) {
    return vs::placeholder(g, vs::DType::kFloat32, vs::Shape{batch, depth});
  };
  rnn::BasicRNNCell cell(2);
  const std::size_t before = g.num_operations();
  expect_error_as_tf("empty",
                     [&] { vs::nn::static_rnn(cell, {}, {.dtype = vs::DType::kFloat32}); });
  const std::vector<vs::Tensor> one{x(2, 3)};
  const std::vector<vs::Tensor> unknown_depth{x(2, vs::kUnknownDim)};
  const std::vector<vs::Tensor> mismatch{x(2, 3), x(3, 3)};
  const std::size_t built = g.num_operations();
  expect_error_as_tf("no_dtype", [&] { vs::nn::static_rnn(cell, one); });
  expect_error_as_tf("unknown_depth", [&] {
    vs::nn::static_rnn(cell, unknown_depth, {.dtype = vs::DType::kFloat32});
  });
  expect_error_as_tf("batch_mismatch",
                     [&] { vs::nn::static_rnn(cell, mismatch, {.dtype = vs::DType::kFloat32}); });
  expect_error_as_tf("multi_empty", [] { rnn::MultiRNNCell({}); });
  expect_error_as_tf("keep_prob", [&] {
    rnn::DropoutWrapper(g, std::make_shared<rnn::GRUCell>(2), {.state_keep_prob = 1.5});
  });
  EXPECT_EQ(before + 4, built);
  EXPECT_EQ(g.num_operations(), built);
  EXPECT_FALSE(cell.built());
  EXPECT_TRUE(g.global_variables().empty());
}

TEST(RnnErrors, FailedStepLeavesGraphAndCellUnchanged) {
  vs::Graph g;
  const vs::Tensor a = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 3}, "a");
  const vs::Tensor b = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 5}, "b");
  rnn::BasicLSTMCell cell(4);
  const std::size_t before = g.num_operations();
  // The second step's depth differs from the kernel's: MatMul's shape error after the first
  // step built the variables and its ops.
  EXPECT_THROW(vs::nn::static_rnn(cell, {a, b}, {.dtype = vs::DType::kFloat32}), vs::ValueError);
  EXPECT_EQ(g.num_operations(), before);
  EXPECT_FALSE(cell.built());
  EXPECT_TRUE(cell.variables().empty());
  // The cell builds again as new: "rnn/basic_lstm_cell/kernel" [7, 16].
  const vs::nn::RnnOutputs r = vs::nn::static_rnn(cell, {a, a}, {.dtype = vs::DType::kFloat32});
  ASSERT_EQ(cell.variables().size(), 2u);
  EXPECT_EQ(cell.variables()[0].op_name(), "rnn/basic_lstm_cell/kernel");
  EXPECT_EQ(r.outputs[1].name(), "rnn/basic_lstm_cell/Mul_5:0");
}

TEST(RnnErrors, CellInputsAndState) {
  vs::Graph g;
  rnn::BasicLSTMCell cell(4);
  const vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 3}, "x");
  const rnn::State zero = cell.zero_state(g, 2, vs::DType::kFloat32);
  ASSERT_EQ(zero.size(), 2u);
  EXPECT_EQ(zero[1].name(), "BasicLSTMCellZeroState/zeros_1:0");
  const std::size_t before = g.num_operations();
  EXPECT_THROW(cell(x, {zero[0]}), vs::ValueError);  // a state of 1 tensor, not (c, h)
  const vs::Tensor ints = vs::placeholder(g, vs::DType::kInt32, vs::Shape{2, 3}, "i");
  const std::size_t with_ints = g.num_operations();
  try {
    cell(ints, zero);
    ADD_FAILURE() << "int32 inputs accepted";
  } catch (const vs::ValueError& e) {
    EXPECT_STREQ(e.what(),
                 "RNN cell only supports floating point inputs, but saw dtype: <dtype: 'int32'>");
  }
  EXPECT_EQ(g.num_operations(), with_ints);
  EXPECT_EQ(before + 1, with_ints);
  EXPECT_FALSE(cell.built());
  EXPECT_THROW(rnn::BasicLSTMCell(0), vs::ValueError);
  EXPECT_THROW(rnn::LSTMCell(4, {.num_proj = 0}), vs::ValueError);
}

}  // namespace
