// What the RNN cells and static_rnn share: the cells' saved state for a failed call, and the
// few op recipes the cells build with TF's names where the public builders name differently.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "varscope/rnn.h"

namespace varscope::nn::rnn_cell {

// A cell (and the cells it wraps) as it was: restored when a call fails, so a cell whose
// first call failed is still unbuilt (its variables were rolled back with the graph).
class CellSnapshot {
 public:
  explicit CellSnapshot(RNNCell& cell);
  void restore();

 private:
  struct Saved {
    RNNCell* cell;
    bool built;
    VariableScope scope;
    std::vector<Variable> variables;
    std::vector<RNNCell::Weight> weights;
  };
  std::vector<Saved> saved_;
};

}  // namespace varscope::nn::rnn_cell

namespace varscope::nn::detail {

// Python's str() of a shape as a tuple: "(2, None)", "(3,)".
std::string python_shape(const Shape& shape);

// The cells' input checks (LayerRNNCell's InputSpec(ndim=2) and _check_supported_dtypes):
// TF's ValueErrors.
void expect_cell_inputs(const Tensor& inputs, const VariableScope& scope);

// gen_array_ops.fill(dims, value, name=<scope>): a Fill named by the scope "zeros/".
Tensor fill_named(const Tensor& dims, const Tensor& value, const std::string& scope);

// constant_op.constant(1, dtype=int32): the int32 scalar Const "Const".
Tensor int32_scalar(Graph& g, std::int32_t value);

// array_ops.split(value, num, axis=<tensor>): the stray Const of num, then "split" (Split)
// taking the axis tensor as its split_dim.
std::vector<Tensor> split_on(const Tensor& value, std::int64_t num, const Tensor& axis);

// The activation, tanh when unset.
Tensor activate(rnn_cell::Activation activation, const Tensor& x);

// The number of units a cell is given: positive (varscope's ValueError otherwise).
std::int64_t checked_units(const char* cell, std::int64_t units);

}  // namespace varscope::nn::detail
