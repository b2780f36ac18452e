// tf.nn.static_rnn and tf.nn.static_bidirectional_rnn as TF 1.15's rnn.py builds them.
#include <algorithm>
#include <string>
#include <variant>

#include "host/graph/graph_impl.h"
#include "host/graph/rnn/rnn_internal.h"
#include "varscope/array_ops.h"
#include "varscope/errors.h"

namespace varscope::nn {

using rnn_cell::CellSnapshot;
using rnn_cell::RNNCell;
using rnn_cell::State;

namespace {

// The scope static_rnn enters: a name, or a captured scope (static_bidirectional_rnn's).
using ScopeArg = std::variant<std::string, VariableScope>;

void expect_not_empty(const std::vector<Tensor>& inputs) {
  if (inputs.empty()) throw ValueError("inputs must not be empty");
}

// The batch size every input agrees on (kUnknownDim when none knows it), after TF's checks
// of each input's shape: rank >= 2, the same batch, every other dimension known.
std::int64_t fixed_batch_size(const std::vector<Tensor>& inputs) {
  std::int64_t fixed = kUnknownDim;
  for (const Tensor& x : inputs) {
    const Shape shape = x.shape();
    if (!shape.has_rank() || shape.rank() < 2) {
      throw ValueError("Shape " + detail::python_shape(shape) + " must have rank at least 2");
    }
    const std::int64_t batch = shape.dim(0);
    if (fixed >= 0 && batch >= 0 && fixed != batch) {
      throw ValueError("Dimensions " + std::to_string(fixed) + " and " + std::to_string(batch) +
                       " are not compatible");
    }
    if (fixed < 0) fixed = batch;
    for (int i = 1; i < shape.rank(); ++i) {
      if (shape.dim(i) < 0) {
        throw ValueError("Input size (dimension " + std::to_string(i - 1) +
                         " of inputs) must be accessible via shape inference, but saw value "
                         "None.");
      }
    }
  }
  return fixed;
}

RnnOutputs static_rnn_in(Graph& g,
                         RNNCell& cell,
                         const std::vector<Tensor>& inputs,
                         const State& initial_state,
                         std::optional<DType> dtype,
                         const ScopeArg& scope) {
  expect_not_empty(inputs);
  VariableScopeGuard varscope =
      std::holds_alternative<std::string>(scope)
          ? g.variable_scope(std::get<std::string>(scope).empty() ? "rnn"
                                                                  : std::get<std::string>(scope))
          : g.variable_scope(std::get<VariableScope>(scope));
  // A first input of rank 1 is the cell's to refuse (TF checks only its batch size).
  const Tensor& first = inputs.front();
  const bool vector = first.shape().has_rank() && first.shape().rank() == 1;
  const std::int64_t batch = vector ? first.shape().dim(0) : fixed_batch_size(inputs);
  RnnOutputs out;
  if (!initial_state.empty()) {
    out.state = initial_state;
  } else {
    if (!dtype) throw ValueError("If no initial_state is provided, dtype must be specified");
    out.state = batch >= 0 ? cell.zero_state(g, batch, *dtype)
                           : cell.zero_state(index(shape(first), {0}), *dtype);
  }
  for (std::size_t t = 0; t < inputs.size(); ++t) {
    if (t > 0) varscope.reuse_variables();
    RNNCell::Output step = cell(inputs[t], out.state);
    out.outputs.push_back(step.output);
    out.state = std::move(step.state);
  }
  return out;
}

// Runs `build` as one graph change; a failure restores the cells as well as the graph.
template <typename F>
auto as_one_change(Graph& g, std::vector<RNNCell*> cells, F&& build) {
  std::vector<CellSnapshot> snapshots;
  for (RNNCell* c : cells)
    snapshots.emplace_back(*c);
  try {
    return varscope::detail::Access::impl(g)->mutate(build);
  } catch (...) {
    for (CellSnapshot& s : snapshots)
      s.restore();
    throw;
  }
}

}  // namespace

RnnOutputs static_rnn(RNNCell& cell,
                      const std::vector<Tensor>& inputs,
                      const StaticRnnOptions& options) {
  expect_not_empty(inputs);
  Graph g = inputs.front().graph();
  return as_one_change(g, {&cell}, [&] {
    return static_rnn_in(g, cell, inputs, options.initial_state, options.dtype, options.scope);
  });
}

BidirectionalRnnOutputs static_bidirectional_rnn(RNNCell& cell_fw,
                                                 RNNCell& cell_bw,
                                                 const std::vector<Tensor>& inputs,
                                                 const StaticBidirectionalRnnOptions& options) {
  expect_not_empty(inputs);
  Graph g = inputs.front().graph();
  return as_one_change(g, {&cell_fw, &cell_bw}, [&] {
    RnnOutputs fw, bw;
    {
      const VariableScopeGuard outer =
          g.variable_scope(options.scope.empty() ? "bidirectional_rnn" : options.scope);
      {
        const VariableScopeGuard fw_scope = g.variable_scope("fw");
        fw = static_rnn_in(g, cell_fw, inputs, options.initial_state_fw, options.dtype,
                           VariableScope(fw_scope));
      }
      const VariableScopeGuard bw_scope = g.variable_scope("bw");
      const std::vector<Tensor> reversed(inputs.rbegin(), inputs.rend());
      bw = static_rnn_in(g, cell_bw, reversed, options.initial_state_bw, options.dtype,
                         VariableScope(bw_scope));
    }
    std::reverse(bw.outputs.begin(), bw.outputs.end());
    BidirectionalRnnOutputs out{{}, std::move(fw.state), std::move(bw.state)};
    for (std::size_t t = 0; t < inputs.size(); ++t)
      out.outputs.push_back(concat({fw.outputs[t], bw.outputs[t]}, 1));
    return out;
  });
}

}  // namespace varscope::nn
