// tf.nn.rnn_cell.DropoutWrapper (TF 1.15's DropoutWrapperBase over RNNCellWrapperV1, without
// variational_recurrent or seeds).
#include <cmath>
#include <string>

#include "host/graph/graph_impl.h"
#include "host/graph/rnn/rnn_internal.h"
#include "varscope/errors.h"
#include "varscope/nn_ops.h"

namespace varscope::nn::rnn_cell {

namespace {

std::shared_ptr<RNNCell> checked(std::shared_ptr<RNNCell> cell) {
  if (cell == nullptr) throw ValueError("DropoutWrapper: the cell is null");
  return cell;
}

// ops.convert_to_tensor of each keep probability under "DropoutWrapperInit", and TF's range
// check of its value ("%d": Python's truncation of the float).
void init_constants(Graph& g, const DropoutWrapperOptions& o) {
  varscope::detail::Access::impl(g)->mutate([&] {
    const NameScope ns = g.name_scope("DropoutWrapperInit");
    const std::pair<double, const char*> probs[] = {{o.input_keep_prob, "input_keep_prob"},
                                                    {o.state_keep_prob, "state_keep_prob"},
                                                    {o.output_keep_prob, "output_keep_prob"}};
    for (const auto& [p, name] : probs) {
      constant(g, HostTensor(static_cast<float>(p)), {.name = "Const"});
      if (!(p >= 0 && p <= 1)) {
        // Python's "%d" truncates; NaN, infinities and huge values print as floats.
        const std::string shown =
            std::abs(p) < 1e18 ? std::to_string(static_cast<long long>(p)) : std::to_string(p);
        throw ValueError(std::string("Parameter ") + name + " must be between 0 and 1: " + shown);
      }
    }
  });
}

Tensor drop(const Tensor& x, double keep_prob) {
  return dropout_v2(x, 1.0 - keep_prob);
}

}  // namespace

DropoutWrapper::DropoutWrapper(Graph& g,
                               std::shared_ptr<RNNCell> cell,
                               DropoutWrapperOptions options)
    : RNNCell("DropoutWrapper", "dropout_wrapper", Scoping::kWrapper),
      cell_(checked(std::move(cell))),
      options_(options) {
  init_constants(g, options_);
}

void DropoutWrapper::collect(std::vector<RNNCell*>& out) {
  out.push_back(this);
  cell_->collect(out);
}

State DropoutWrapper::zero_state(Graph& g, std::int64_t batch_size, DType dtype) {
  return varscope::detail::Access::impl(g)->mutate([&] {
    const NameScope ns = g.name_scope(type_name() + "ZeroState");
    return cell_->zero_state(g, batch_size, dtype);
  });
}

State DropoutWrapper::zero_state(const Tensor& batch_size, DType dtype) {
  Graph g = batch_size.graph();
  return varscope::detail::Access::impl(g)->mutate([&] {
    const NameScope ns = g.name_scope(type_name() + "ZeroState");
    return cell_->zero_state(batch_size, dtype);
  });
}

RNNCell::Output DropoutWrapper::call(const Tensor& inputs, const State& state) {
  const Tensor x = options_.input_keep_prob < 1 ? drop(inputs, options_.input_keep_prob) : inputs;
  Output out = (*cell_)(x, state);
  if (options_.state_keep_prob < 1) {
    const std::vector<bool> filter = cell_->state_dropout_filter();
    for (std::size_t i = 0; i < out.state.size(); ++i) {
      if (filter[i]) out.state[i] = drop(out.state[i], options_.state_keep_prob);
    }
  }
  if (options_.output_keep_prob < 1) out.output = drop(out.output, options_.output_keep_prob);
  return out;
}

}  // namespace varscope::nn::rnn_cell
