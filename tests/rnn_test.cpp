// RNN cells and static_rnn against TF 1.15 (tests/golden/rnn_tf115.json, written by hand with
// tools/tf115/make_rnn_goldens.py): every variable (name, shape, dtype, trainable) and every
// node (name, type, inputs) in TF's order, the outputs' and final state's tensor names, and
// for TF's weights and inputs the outputs, the final state and the gradients of the sum of
// their squares with respect to the inputs and every variable, on both backends.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "backend_test.h"

namespace vs = varscope;
namespace rnn = vs::nn::rnn_cell;

namespace {

const nlohmann::json& golden() {
  static const nlohmann::json g = [] {
    std::ifstream in(std::string(VARSCOPE_GOLDEN_DIR) + "/rnn_tf115.json");
    if (!in) throw std::runtime_error("cannot read tests/golden/rnn_tf115.json");
    return nlohmann::json::parse(in);
  }();
  return g;
}

constexpr std::int64_t kBatch = 2, kDepth = 3, kSteps = 3;

nlohmann::json nodes(const vs::Graph& g) {
  nlohmann::json out = nlohmann::json::array();
  for (const vs::Operation& op : g.operations()) {
    std::vector<std::string> inputs;
    for (int k = 0; k < op.num_inputs(); ++k) {
      const vs::Tensor in = op.input(k);
      inputs.push_back(in.value_index() == 0
                           ? in.op().name()
                           : in.op().name() + ":" + std::to_string(in.value_index()));
    }
    out.push_back({op.name(), op.type(), inputs});
  }
  return out;
}

nlohmann::json variables(const vs::Graph& g) {
  nlohmann::json out = nlohmann::json::array();
  for (const vs::Variable& v : g.global_variables())
    out.push_back(
        {v.op_name(), v.shape().dims(), std::string(vs::dtype_name(v.dtype())), v.trainable()});
  return out;
}

std::vector<std::string> names(const std::vector<vs::Tensor>& ts) {
  std::vector<std::string> out;
  for (const vs::Tensor& t : ts)
    out.push_back(t.name());
  return out;
}

struct Built {
  std::vector<vs::Tensor> outputs;
  rnn::State state;
};
using Program = std::function<Built(vs::Graph&, const std::vector<vs::Tensor>&)>;

Built of(const vs::nn::RnnOutputs& r) {
  return {r.outputs, r.state};
}

vs::Tensor op_output(const vs::Graph& g, const std::string& name) {
  for (const vs::Operation& op : g.operations())
    if (op.name() == name) return op.output(0);
  ADD_FAILURE() << "no op " << name;
  return {};
}

void expect_values(const vs::HostTensor& got, const nlohmann::json& want, const std::string& what) {
  const vs::HostTensor d = got.cast(vs::DType::kFloat64);
  const std::vector<double> expect = want.get<std::vector<double>>();
  ASSERT_EQ(static_cast<std::size_t>(d.num_elements()), expect.size()) << what;
  for (std::size_t i = 0; i < expect.size(); ++i)
    EXPECT_NEAR(d.data<double>()[i], expect[i], 2e-5 * (1 + std::abs(expect[i])))
        << what << "[" << i << "]";
}

void expect_as_tf(const char* key, const Program& build, vs::DeviceKind device) {
  SCOPED_TRACE(key);
  const nlohmann::json& want = golden()[key];
  vs::Graph g;
  std::vector<vs::Tensor> xs;
  const std::int64_t batch = want["batch"].is_null() ? vs::kUnknownDim : kBatch;
  for (std::int64_t t = 0; t < kSteps; ++t)
    xs.push_back(
        vs::placeholder(g, vs::DType::kFloat32, vs::Shape{batch, kDepth}, "x" + std::to_string(t)));
  const Built built = build(g, xs);
  EXPECT_EQ(variables(g), want["variables"]);
  const nlohmann::json got_nodes = nodes(g), want_nodes = want["nodes"];
  for (std::size_t i = 0; i < std::max(got_nodes.size(), want_nodes.size()); ++i) {
    ASSERT_LT(i, got_nodes.size()) << "missing node " << want_nodes[i].dump();
    ASSERT_LT(i, want_nodes.size()) << "extra node " << got_nodes[i].dump();
    ASSERT_EQ(got_nodes[i], want_nodes[i]) << "node " << i;
  }
  EXPECT_EQ(names(built.outputs), want["output_names"].get<std::vector<std::string>>());
  EXPECT_EQ(names(built.state), want["state_names"].get<std::vector<std::string>>());
  if (!want.contains("outputs")) return;  // values from TF's random stream

  // loss = the sum of the squares of every output and final state tensor.
  std::vector<vs::Tensor> terms;
  for (const vs::Tensor& t : built.outputs)
    terms.push_back(vs::reduce_sum(vs::square(t)));
  for (const vs::Tensor& t : built.state)
    terms.push_back(vs::reduce_sum(vs::square(t)));
  const vs::Tensor loss = vs::add_n(terms);
  vs::FeedDict feeds;
  std::vector<vs::Tensor> fed;
  for (const auto& [name, values] : want["inputs"].items()) {
    const vs::Tensor x = op_output(g, name);
    fed.push_back(x);
    const vs::Shape shape{kBatch, x.shape().dim(1)};
    feeds.emplace_back(
        x, vs::HostTensor(values.get<std::vector<double>>(), shape).cast(vs::DType::kFloat32));
  }
  const std::vector<vs::Variable> vars = g.global_variables();
  const std::vector<vs::Tensor> input_grads = vs::gradients({loss}, fed);
  const std::vector<vs::Tensor> weight_grads = vs::gradients({loss}, vars);

  vs::Session sess(g, {.device = device});
  sess.run(g.global_variables_initializer());
  for (const vs::Variable& v : vars) {
    sess.load_variable(
        v, vs::HostTensor(want["weights"][v.op_name()].get<std::vector<double>>(), v.shape())
               .cast(vs::DType::kFloat32));
  }
  for (std::size_t t = 0; t < built.outputs.size(); ++t)
    expect_values(sess.run(built.outputs[t], feeds), want["outputs"][t],
                  "output " + std::to_string(t));
  for (std::size_t s = 0; s < built.state.size(); ++s)
    expect_values(sess.run(built.state[s], feeds), want["state"][s], "state " + std::to_string(s));
  for (std::size_t i = 0; i < fed.size(); ++i) {
    const std::string name = fed[i].op().name();
    expect_values(sess.run(input_grads[i], feeds), want["gradients"][name], "d/d" + name);
  }
  for (std::size_t i = 0; i < vars.size(); ++i) {
    const std::string name = vars[i].op_name();
    expect_values(sess.run(weight_grads[i], feeds), want["gradients"][name], "d/d" + name);
  }
}

class Rnn : public vs::testing::BackendTest {};

TEST_P(Rnn, BasicRNNCell) {
  expect_as_tf(
      "basic_rnn",
      [](vs::Graph&, const std::vector<vs::Tensor>& xs) {
        rnn::BasicRNNCell cell(4);
        return of(vs::nn::static_rnn(cell, xs, {.dtype = vs::DType::kFloat32}));
      },
      GetParam());
}

TEST_P(Rnn, BasicLSTMCell) {
  expect_as_tf(
      "basic_lstm",
      [](vs::Graph&, const std::vector<vs::Tensor>& xs) {
        rnn::BasicLSTMCell cell(4);
        return of(vs::nn::static_rnn(cell, xs, {.dtype = vs::DType::kFloat32}));
      },
      GetParam());
}

TEST_P(Rnn, BasicLSTMCellUnknownBatch) {
  expect_as_tf(
      "basic_lstm_unknown_batch",
      [](vs::Graph&, const std::vector<vs::Tensor>& xs) {
        rnn::BasicLSTMCell cell(4);
        return of(vs::nn::static_rnn(cell, xs, {.dtype = vs::DType::kFloat32}));
      },
      GetParam());
}

TEST_P(Rnn, BasicLSTMCellInitialStateAndScope) {
  expect_as_tf(
      "basic_lstm_initial_state",
      [](vs::Graph& g, const std::vector<vs::Tensor>& xs) {
        const vs::Tensor c = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{kBatch, 4}, "c0");
        const vs::Tensor h = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{kBatch, 4}, "h0");
        rnn::BasicLSTMCell cell(4, 0.5);
        return of(vs::nn::static_rnn(cell, xs,
                                     {.initial_state = rnn::LSTMStateTuple{c, h}, .scope = "enc"}));
      },
      GetParam());
}

TEST_P(Rnn, MultiRNNCell) {
  expect_as_tf(
      "multi",
      [](vs::Graph&, const std::vector<vs::Tensor>& xs) {
        rnn::MultiRNNCell cell(
            {std::make_shared<rnn::BasicLSTMCell>(4), std::make_shared<rnn::BasicLSTMCell>(3)});
        return of(vs::nn::static_rnn(cell, xs, {.dtype = vs::DType::kFloat32}));
      },
      GetParam());
}

TEST_P(Rnn, StaticBidirectionalRnn) {
  expect_as_tf(
      "bidirectional",
      [](vs::Graph&, const std::vector<vs::Tensor>& xs) {
        rnn::BasicLSTMCell fw(4);
        rnn::BasicRNNCell bw(3);
        const vs::nn::BidirectionalRnnOutputs r =
            vs::nn::static_bidirectional_rnn(fw, bw, xs, {.dtype = vs::DType::kFloat32});
        rnn::State state = r.state_fw;
        state.insert(state.end(), r.state_bw.begin(), r.state_bw.end());
        return Built{r.outputs, state};
      },
      GetParam());
}

TEST_P(Rnn, LSTMCell) {
  expect_as_tf(
      "lstm_cell",
      [](vs::Graph&, const std::vector<vs::Tensor>& xs) {
        rnn::LSTMCell cell(4);
        return of(vs::nn::static_rnn(cell, xs, {.dtype = vs::DType::kFloat32}));
      },
      GetParam());
}

TEST_P(Rnn, LSTMCellPeepholesProjectionClips) {
  expect_as_tf(
      "lstm_cell_peephole_projection",
      [](vs::Graph&, const std::vector<vs::Tensor>& xs) {
        rnn::LSTMCell cell(
            4, {.use_peepholes = true, .cell_clip = 0.3, .num_proj = 3, .proj_clip = 0.2});
        return of(vs::nn::static_rnn(cell, xs, {.dtype = vs::DType::kFloat32}));
      },
      GetParam());
}

TEST_P(Rnn, GRUCell) {
  expect_as_tf(
      "gru",
      [](vs::Graph&, const std::vector<vs::Tensor>& xs) {
        rnn::GRUCell cell(4);
        return of(vs::nn::static_rnn(cell, xs, {.dtype = vs::DType::kFloat32}));
      },
      GetParam());
}

TEST_P(Rnn, TwoStaticRnns) {
  expect_as_tf(
      "two_calls",
      [](vs::Graph&, const std::vector<vs::Tensor>& xs) {
        rnn::BasicRNNCell first(2), second(2);
        const vs::nn::RnnOutputs a = vs::nn::static_rnn(first, xs, {.dtype = vs::DType::kFloat32});
        return of(
            vs::nn::static_rnn(second, a.outputs, {.dtype = vs::DType::kFloat32, .scope = "dec"}));
      },
      GetParam());
}

TEST_P(Rnn, CellsCalledByHand) {
  expect_as_tf(
      "direct_calls",
      [](vs::Graph& g, const std::vector<vs::Tensor>& xs) {
        rnn::BasicLSTMCell first(4), second(4);
        rnn::State state = first.zero_state(g, kBatch, vs::DType::kFloat32);
        std::vector<vs::Tensor> outputs;
        for (std::size_t t = 0; t < xs.size(); ++t) {
          rnn::RNNCell::Output step = (t < 2 ? first : second)(xs[t], state);
          outputs.push_back(step.output);
          state = step.state;
        }
        return Built{outputs, state};
      },
      GetParam());
}

TEST_P(Rnn, DropoutWrapperNames) {
  expect_as_tf(
      "dropout",
      [](vs::Graph& g, const std::vector<vs::Tensor>& xs) {
        rnn::DropoutWrapper cell(
            g, std::make_shared<rnn::BasicLSTMCell>(4),
            {.input_keep_prob = 0.7, .output_keep_prob = 0.8, .state_keep_prob = 0.9});
        return of(vs::nn::static_rnn(cell, xs, {.dtype = vs::DType::kFloat32}));
      },
      GetParam());
}

TEST_P(Rnn, DropoutWrapperKeepingAllInMultiRNNCell) {
  expect_as_tf(
      "dropout_kept",
      [](vs::Graph& g, const std::vector<vs::Tensor>& xs) {
        rnn::MultiRNNCell cell(
            {std::make_shared<rnn::DropoutWrapper>(g, std::make_shared<rnn::GRUCell>(3)),
             std::make_shared<rnn::BasicRNNCell>(2)});
        return of(vs::nn::static_rnn(cell, xs, {.dtype = vs::DType::kFloat32}));
      },
      GetParam());
}

// With keep probabilities below 1 the dropped elements differ from TF's, but the kept ones
// are scaled by 1 / keep_prob: with every probability 0.5 an output is the cell's output of
// the dropped inputs, times 0 or 2, and the run is the same on both backends.
TEST_P(Rnn, DropoutWrapperScalesKeptOutputs) {
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
TEST_P(Rnn, Float64CellsMatchFloat32) {
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

VARSCOPE_INSTANTIATE_ON_BACKENDS(Rnn);

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
