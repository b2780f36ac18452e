// tf.nn.rnn_cell.GRUCell as TF 1.15's rnn_cell_impl builds it.
#include "host/graph/rnn/rnn_internal.h"
#include "varscope/array_ops.h"
#include "varscope/ops.h"

namespace varscope::nn::rnn_cell {

GRUCell::GRUCell(std::int64_t num_units, GRUCellOptions options)
    : RNNCell("GRUCell", "gru_cell", Scoping::kLayer),
      num_units_(detail::checked_units("GRUCell", num_units)),
      options_(std::move(options)) {}

void GRUCell::build(Graph& g, const Shape& input_shape, DType dtype) {
  const std::int64_t depth = input_shape.dim(input_shape.rank() - 1);
  add_variable(g, "gates/kernel", Shape{depth + num_units_, 2 * num_units_}, dtype,
               options_.kernel_initializer);
  add_variable(g, "gates/bias", Shape{2 * num_units_}, dtype,
               options_.bias_initializer.value_or(constant_initializer(1.0)));
  add_variable(g, "candidate/kernel", Shape{depth + num_units_, num_units_}, dtype,
               options_.kernel_initializer);
  add_variable(g, "candidate/bias", Shape{num_units_}, dtype,
               options_.bias_initializer.value_or(zeros_initializer()));
}

RNNCell::Output GRUCell::call(const Tensor& inputs, const State& state) {
  const Tensor& h = state[0];
  // Each concat, then the kernel (a partitioned one's ConcatPartitions), as Python evaluates.
  const Tensor joined = concat({inputs, h}, 1);
  Tensor gate_inputs = matmul(joined, weight(0));
  gate_inputs = bias_add(gate_inputs, weight(1));
  const std::vector<Tensor> ru = split(sigmoid(gate_inputs), 2, 1);
  const Tensor r_state = ru[0] * h;
  const Tensor joined_r = concat({inputs, r_state}, 1);
  Tensor candidate = matmul(joined_r, weight(2));
  candidate = bias_add(candidate, weight(3));
  const Tensor c = detail::activate(options_.activation, candidate);
  // u * state + (1 - u) * c, in Python's order.
  const Tensor kept = ru[1] * h;
  const Tensor new_h = kept + (1.0f - ru[1]) * c;
  return {new_h, {new_h}};
}

}  // namespace varscope::nn::rnn_cell
