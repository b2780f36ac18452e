// tf.nn.rnn_cell.BasicRNNCell and BasicLSTMCell as TF 1.15's rnn_cell_impl builds them.
#include "host/graph/rnn/rnn_internal.h"
#include "varscope/array_ops.h"
#include "varscope/ops.h"

namespace varscope::nn::rnn_cell {

BasicRNNCell::BasicRNNCell(std::int64_t num_units, Activation activation)
    : RNNCell("BasicRNNCell", "basic_rnn_cell", Scoping::kLayer),
      num_units_(detail::checked_units("BasicRNNCell", num_units)),
      activation_(activation) {}

void BasicRNNCell::build(Graph& g, const Shape& input_shape, DType dtype) {
  const std::int64_t depth = input_shape.dim(input_shape.rank() - 1);
  add_variable(g, "kernel", Shape{depth + num_units_, num_units_}, dtype);
  add_variable(g, "bias", Shape{num_units_}, dtype, zeros_initializer());
}

RNNCell::Output BasicRNNCell::call(const Tensor& inputs, const State& state) {
  // The concat, then the kernel (a partitioned one's ConcatPartitions), as Python evaluates.
  const Tensor joined = concat({inputs, state[0]}, 1);
  const Tensor gate_inputs = matmul(joined, weight(0));
  const Tensor output = detail::activate(activation_, bias_add(gate_inputs, weight(1)));
  return {output, {output}};
}

BasicLSTMCell::BasicLSTMCell(std::int64_t num_units, double forget_bias, Activation activation)
    : RNNCell("BasicLSTMCell", "basic_lstm_cell", Scoping::kLayer),
      num_units_(detail::checked_units("BasicLSTMCell", num_units)),
      forget_bias_(forget_bias),
      activation_(activation) {}

void BasicLSTMCell::build(Graph& g, const Shape& input_shape, DType dtype) {
  const std::int64_t depth = input_shape.dim(input_shape.rank() - 1);
  add_variable(g, "kernel", Shape{depth + num_units_, 4 * num_units_}, dtype);
  add_variable(g, "bias", Shape{4 * num_units_}, dtype, zeros_initializer());
}

RNNCell::Output BasicLSTMCell::call(const Tensor& inputs, const State& state) {
  Graph g = inputs.graph();
  const Tensor& c = state[0];
  const Tensor& h = state[1];
  const Tensor one = detail::int32_scalar(g, 1);
  const Tensor joined = concat({inputs, h}, 1);
  Tensor gate_inputs = matmul(joined, weight(0));
  gate_inputs = bias_add(gate_inputs, weight(1));
  // i = input gate, j = new input, f = forget gate, o = output gate.
  const std::vector<Tensor> ijfo = detail::split_on(gate_inputs, 4, one);
  const Tensor forget_bias =
      constant(g, HostTensor(forget_bias_).cast(ijfo[2].dtype()), {.name = "Const"});
  // Built in Python's evaluation order, which names the ops.
  const Tensor kept = multiply(c, sigmoid(add(ijfo[2], forget_bias)));
  const Tensor input_gate = sigmoid(ijfo[0]);
  const Tensor written = multiply(input_gate, detail::activate(activation_, ijfo[1]));
  const Tensor new_c = add(kept, written);
  const Tensor squashed = detail::activate(activation_, new_c);
  const Tensor new_h = multiply(squashed, sigmoid(ijfo[3]));
  return {new_h, {new_c, new_h}};
}

}  // namespace varscope::nn::rnn_cell
