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

nlohmann::json nodes(const vs::Graph& g) {
  nlohmann::json out = nlohmann::json::array();
  for (const vs::Operation& op : g.operations()) {
    std::vector<std::string> inputs;
    for (int k = 0; k < op.num_inputs(); ++k) {
      const vs::Tensor in = op.input(k);
      // TF's input form: "op" for output 0, "op:1" for others.
      std::string name = in.op().name();
      if (in.value_index() != 0) name.append(":").append(std::to_string(in.value_index()));
      inputs.push_back(std::move(name));
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

void expect_as_tf(const char* key, const Program& build, vs::DeviceKind device) {
  SCOPED_TRACE(key);
  const nlohmann::json& want = golden()[key];
  vs::Graph g;
  std::vector<vs::Tensor> xs;
  const std::int64_t batch = want["batch"].is_null() ? vs::kUnknownDim : kBatch;
  for (const char* name : {"x0", "x1", "x2"})  // the script's 3 time steps
    xs.push_back(vs::placeholder(g, vs::DType::kFloat32, vs::Shape{batch, kDepth}, name));
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

VARSCOPE_INSTANTIATE_ON_BACKENDS(Rnn);

}  // namespace
