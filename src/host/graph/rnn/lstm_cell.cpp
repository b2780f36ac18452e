// tf.nn.rnn_cell.LSTMCell (peepholes, projection, clipping; state_is_tuple=True) as TF
// 1.15's rnn_cell_impl builds it: Python's operators, so "add"/"mul" (AddV2, Mul).
#include "host/graph/rnn/rnn_internal.h"
#include "varscope/array_ops.h"
#include "varscope/errors.h"
#include "varscope/math_ops.h"
#include "varscope/ops.h"

namespace varscope::nn::rnn_cell {

namespace {

LSTMCellOptions checked(std::int64_t num_units, LSTMCellOptions options) {
  detail::checked_units("LSTMCell", num_units);
  if (options.num_proj && *options.num_proj <= 0) {
    throw ValueError("LSTMCell: num_proj must be positive, got " +
                     std::to_string(*options.num_proj));
  }
  return options;
}

Tensor clip(const Tensor& x, double bound) {
  return clip_by_value(x, -bound, bound);
}

}  // namespace

LSTMCell::LSTMCell(std::int64_t num_units, LSTMCellOptions options)
    : RNNCell("LSTMCell", "lstm_cell", Scoping::kLayer),
      num_units_(num_units),
      options_(checked(num_units, std::move(options))) {}

std::vector<std::int64_t> LSTMCell::state_size() const {
  return {num_units_, output_size()};
}

std::int64_t LSTMCell::output_size() const {
  return options_.num_proj.value_or(num_units_);
}

void LSTMCell::build(Graph& g, const Shape& input_shape, DType dtype) {
  const std::int64_t depth = input_shape.dim(input_shape.rank() - 1);
  add_variable(g, "kernel", Shape{depth + output_size(), 4 * num_units_}, dtype,
               options_.initializer);
  add_variable(g, "bias", Shape{4 * num_units_}, dtype, zeros_initializer());
  if (options_.use_peepholes) {
    for (const char* name : {"w_f_diag", "w_i_diag", "w_o_diag"})
      add_variable(g, name, Shape{num_units_}, dtype, options_.initializer);
  }
  if (options_.num_proj) {
    add_variable(g, "projection/kernel", Shape{num_units_, *options_.num_proj}, dtype,
                 options_.initializer);
  }
}

RNNCell::Output LSTMCell::call(const Tensor& inputs, const State& state) {
  const Tensor& c_prev = state[0];
  const Tensor& m_prev = state[1];
  const Activation act = options_.activation;
  // The concat, then the kernel (a partitioned one's ConcatPartitions), as Python evaluates.
  const Tensor joined = concat({inputs, m_prev}, 1);
  Tensor lstm_matrix = matmul(joined, weight(0));
  lstm_matrix = bias_add(lstm_matrix, weight(1));
  // i = input gate, j = new input, f = forget gate, o = output gate.
  const std::vector<Tensor> ijfo = split(lstm_matrix, 4, 1);
  const Tensor& i = ijfo[0];
  const Tensor& j = ijfo[1];
  const Tensor& f = ijfo[2];
  const Tensor& o = ijfo[3];
  const float forget_bias = static_cast<float>(options_.forget_bias);
  // Each step in Python's evaluation order, which names the ops.
  Tensor c;
  if (options_.use_peepholes) {
    const Tensor f_biased = f + forget_bias;
    const Tensor f_peep = weight(2) * c_prev;
    const Tensor kept = sigmoid(f_biased + f_peep) * c_prev;
    const Tensor i_peep = weight(3) * c_prev;
    const Tensor input_gate = sigmoid(i + i_peep);
    c = kept + input_gate * detail::activate(act, j);
  } else {
    const Tensor kept = sigmoid(f + forget_bias) * c_prev;
    const Tensor input_gate = sigmoid(i);
    c = kept + input_gate * detail::activate(act, j);
  }
  if (options_.cell_clip) c = clip(c, *options_.cell_clip);
  Tensor m;
  if (options_.use_peepholes) {
    const Tensor o_peep = weight(4) * c;
    const Tensor output_gate = sigmoid(o + o_peep);
    m = output_gate * detail::activate(act, c);
  } else {
    const Tensor output_gate = sigmoid(o);
    m = output_gate * detail::activate(act, c);
  }
  if (options_.num_proj) {
    m = matmul(m, weight(options_.use_peepholes ? 5 : 2));
    if (options_.proj_clip) m = clip(m, *options_.proj_clip);
  }
  return {m, {c, m}};
}

}  // namespace varscope::nn::rnn_cell
