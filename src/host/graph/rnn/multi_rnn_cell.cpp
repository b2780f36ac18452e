// tf.nn.rnn_cell.MultiRNNCell (state_is_tuple=True) as TF 1.15's rnn_cell_impl builds it.
#include <string>

#include "host/graph/graph_impl.h"
#include "host/graph/rnn/rnn_internal.h"
#include "varscope/errors.h"

namespace varscope::nn::rnn_cell {

namespace {

std::vector<std::shared_ptr<RNNCell>> checked(std::vector<std::shared_ptr<RNNCell>> cells) {
  if (cells.empty()) throw ValueError("Must specify at least one cell for MultiRNNCell.");
  for (const auto& c : cells) {
    if (c == nullptr) throw ValueError("MultiRNNCell: a cell is null");
  }
  return cells;
}

}  // namespace

MultiRNNCell::MultiRNNCell(std::vector<std::shared_ptr<RNNCell>> cells)
    : RNNCell("MultiRNNCell", "multi_rnn_cell", Scoping::kCell),
      cells_(checked(std::move(cells))) {}

std::vector<std::int64_t> MultiRNNCell::state_size() const {
  std::vector<std::int64_t> out;
  for (const auto& c : cells_) {
    const std::vector<std::int64_t> s = c->state_size();
    out.insert(out.end(), s.begin(), s.end());
  }
  return out;
}

std::vector<Variable> MultiRNNCell::variables() const {
  std::vector<Variable> out;
  for (const auto& c : cells_) {
    const std::vector<Variable> v = c->variables();
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

std::vector<bool> MultiRNNCell::state_dropout_filter() const {
  std::vector<bool> out;
  for (const auto& c : cells_) {
    const std::vector<bool> f = c->state_dropout_filter();
    out.insert(out.end(), f.begin(), f.end());
  }
  return out;
}

void MultiRNNCell::collect(std::vector<RNNCell*>& out) {
  out.push_back(this);
  for (const auto& c : cells_)
    c->collect(out);
}

State MultiRNNCell::zero_state(Graph& g, std::int64_t batch_size, DType dtype) {
  return varscope::detail::Access::impl(g)->mutate([&] {
    const NameScope ns = g.name_scope(type_name() + "ZeroState");
    State out;
    for (const auto& c : cells_) {
      const State s = c->zero_state(g, batch_size, dtype);
      out.insert(out.end(), s.begin(), s.end());
    }
    return out;
  });
}

State MultiRNNCell::zero_state(const Tensor& batch_size, DType dtype) {
  Graph g = batch_size.graph();
  return varscope::detail::Access::impl(g)->mutate([&] {
    const NameScope ns = g.name_scope(type_name() + "ZeroState");
    State out;
    for (const auto& c : cells_) {
      const State s = c->zero_state(batch_size, dtype);
      out.insert(out.end(), s.begin(), s.end());
    }
    return out;
  });
}

RNNCell::Output MultiRNNCell::call(const Tensor& inputs, const State& state) {
  Graph g = inputs.graph();
  Tensor current = inputs;
  State new_state;
  std::size_t pos = 0;
  for (std::size_t i = 0; i < cells_.size(); ++i) {
    const VariableScopeGuard cell_scope = g.variable_scope("cell_" + std::to_string(i));
    const std::size_t n = cells_[i]->state_size().size();
    const State cell_state(state.begin() + static_cast<std::ptrdiff_t>(pos),
                           state.begin() + static_cast<std::ptrdiff_t>(pos + n));
    pos += n;
    Output step = (*cells_[i])(current, cell_state);
    current = step.output;
    new_state.insert(new_state.end(), step.state.begin(), step.state.end());
  }
  return {current, new_state};
}

}  // namespace varscope::nn::rnn_cell
