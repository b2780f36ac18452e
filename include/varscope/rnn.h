// TF 1.15's RNN cells (tf.compat.v1.nn.rnn_cell) and tf.compat.v1.nn.static_rnn /
// static_bidirectional_rnn, named and shared as TF names and shares them: a cell is a layer
// whose first call creates its variables in "<scope>/<cell>" ("rnn/basic_lstm_cell/kernel")
// and whose later calls (the later time steps) reuse them; ops go to the cell's name scope
// ("rnn/basic_lstm_cell/MatMul_1"). dynamic_rnn (a while loop) is not provided: see
// docs/differences.md. Under a variable scope with a partitioner the cells' weights are
// partitioned as TF's ("rnn/basic_lstm_cell/kernel/part_0"), concatenated at each step. A
// failed call changes nothing: the graph, names included, and the cells (a cell that failed
// on its first call is still unbuilt).
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "varscope/graph.h"
#include "varscope/initializers.h"
#include "varscope/ops.h"
#include "varscope/partitioned_variable.h"
#include "varscope/scope.h"
#include "varscope/tensor.h"
#include "varscope/variable.h"

namespace varscope::nn::rnn_cell {

// A cell's state as TF's nest.flatten gives it: one tensor for BasicRNNCell and GRUCell,
// (c, h) for the LSTMs (TF's LSTMStateTuple), each layer's in turn for MultiRNNCell.
using State = std::vector<Tensor>;

// TF's LSTMStateTuple(c, h), convertible to a State of two tensors.
struct LSTMStateTuple {
  Tensor c, h;
  operator State() const { return {c, h}; }
};

// An activation as TF passes one: vs::tanh (the default), vs::relu, vs::sigmoid, ...
using Activation = Tensor (*)(const Input&, std::string_view);

// TF's RNNCell: call it with inputs [batch, depth] and a state to get (output, new state).
class RNNCell {
 public:
  virtual ~RNNCell();
  RNNCell(const RNNCell&) = delete;
  RNNCell& operator=(const RNNCell&) = delete;

  // The sizes of the state's tensors, flattened as State is.
  virtual std::vector<std::int64_t> state_size() const = 0;
  virtual std::int64_t output_size() const = 0;

  // cell(inputs, state): the first call creates the variables in the variable scope the
  // cell takes then (its base name uniquified: "basic_lstm_cell", "basic_lstm_cell_1");
  // later calls reuse them and build their ops in the same name scope.
  struct Output {
    Tensor output;
    State state;
  };
  Output operator()(const Tensor& inputs, const State& state);

  // cell.zero_state(batch_size, dtype): zeros [batch, size] per state tensor, built as TF
  // builds them in the name scope "<Type>ZeroState" ("BasicLSTMCellZeroState/zeros_1").
  virtual State zero_state(Graph& g, std::int64_t batch_size, DType dtype);
  // The same with the batch size a scalar int32 tensor (TF's ExpandDims of it).
  virtual State zero_state(const Tensor& batch_size, DType dtype);

  bool built() const { return built_; }
  // The variables the first call created, in creation order (none before it).
  virtual std::vector<Variable> variables() const { return variables_; }
  // Appends this cell and the cells it wraps (a failed call restores each of them).
  virtual void collect(std::vector<RNNCell*>& out) { out.push_back(this); }
  // Which state tensors DropoutWrapper's state dropout reaches (TF's default filter: not an
  // LSTMStateTuple's c).
  virtual std::vector<bool> state_dropout_filter() const {
    return std::vector<bool>(state_size().size(), true);
  }

 protected:
  // kLayer: LayerRNNCell's scoping (the cell's own scope); kCell: RNNCell's (MultiRNNCell
  // first re-enters the caller's variable scope, as TF does); kWrapper: none (TF's
  // RNNCellWrapperV1 calls the wrapped cell in the caller's scopes).
  enum class Scoping { kLayer, kCell, kWrapper };
  RNNCell(std::string type_name, std::string base_name, Scoping scoping);

  // Creates the variables; input_shape is the first inputs' ([batch, depth], depth known).
  virtual void build(Graph& g, const Shape& input_shape, DType dtype);
  // The cell's math, in its name scope; state has state_size().size() tensors.
  virtual Output call(const Tensor& inputs, const State& state) = 0;
  // get_variable in the cell's scope, remembered in variables(); under a scope's partitioner
  // (a shape of rank 1 or more) TF's partitioned variable, its parts remembered.
  void add_variable(Graph& g,
                    const std::string& name,
                    const Shape& shape,
                    DType dtype,
                    std::optional<Initializer> initializer = std::nullopt);
  // The i-th weight add_variable made, as an op takes it: "<v>/read:0", or a partitioned
  // weight's parts concatenated by a new ConcatPartitions (TF converts it at each use).
  Tensor weight(std::size_t i) const;
  const std::string& type_name() const { return type_name_; }

 private:
  friend class CellSnapshot;
  Output call_in_scope(Graph& g, const Tensor& inputs, const State& state);

  std::string type_name_, base_name_;
  Scoping scoping_;
  bool built_ = false;
  VariableScope scope_{};
  std::vector<Variable> variables_{};
  struct Weight {
    Variable variable{};
    PartitionedVariable partitioned{};
  };
  std::vector<Weight> weights_{};
};

// tf.nn.rnn_cell.BasicRNNCell(num_units, activation=tanh): output = new state =
// activation([inputs, state] @ "basic_rnn_cell/kernel" + "basic_rnn_cell/bias").
class BasicRNNCell : public RNNCell {
 public:
  explicit BasicRNNCell(std::int64_t num_units, Activation activation = nullptr);
  std::vector<std::int64_t> state_size() const override { return {num_units_}; }
  std::int64_t output_size() const override { return num_units_; }

 protected:
  void build(Graph& g, const Shape& input_shape, DType dtype) override;
  Output call(const Tensor& inputs, const State& state) override;

 private:
  std::int64_t num_units_;
  Activation activation_;
};

// tf.nn.rnn_cell.BasicLSTMCell(num_units, forget_bias=1.0): "basic_lstm_cell/kernel"
// [depth + units, 4 * units] and "basic_lstm_cell/bias" [4 * units], TF 1.15's gates i, j,
// f, o; state (c, h) (state_is_tuple=True), output h.
class BasicLSTMCell : public RNNCell {
 public:
  explicit BasicLSTMCell(std::int64_t num_units,
                         double forget_bias = 1.0,
                         Activation activation = nullptr);
  std::vector<std::int64_t> state_size() const override { return {num_units_, num_units_}; }
  std::int64_t output_size() const override { return num_units_; }
  std::vector<bool> state_dropout_filter() const override { return {false, true}; }

 protected:
  void build(Graph& g, const Shape& input_shape, DType dtype) override;
  Output call(const Tensor& inputs, const State& state) override;

 private:
  std::int64_t num_units_;
  double forget_bias_;
  Activation activation_;
};

struct LSTMCellOptions {
  bool use_peepholes = false;                // "w_f_diag", "w_i_diag", "w_o_diag" [units]
  std::optional<double> cell_clip{};         // c clipped to [-clip, clip]
  std::optional<Initializer> initializer{};  // kernel, peepholes, projection; unset: scope's
  std::optional<std::int64_t> num_proj{};    // "projection/kernel" [units, num_proj]
  std::optional<double> proj_clip{};         // the projected output clipped (with num_proj)
  double forget_bias = 1.0;
  Activation activation = nullptr;  // tanh
};

// tf.nn.rnn_cell.LSTMCell(num_units, ...): "lstm_cell/kernel" [depth + (num_proj or units),
// 4 * units], "lstm_cell/bias"; state (c, m), output m ([batch, num_proj or units]).
class LSTMCell : public RNNCell {
 public:
  explicit LSTMCell(std::int64_t num_units, LSTMCellOptions options = {});
  std::vector<std::int64_t> state_size() const override;
  std::int64_t output_size() const override;
  std::vector<bool> state_dropout_filter() const override { return {false, true}; }

 protected:
  void build(Graph& g, const Shape& input_shape, DType dtype) override;
  Output call(const Tensor& inputs, const State& state) override;

 private:
  std::int64_t num_units_;
  LSTMCellOptions options_;
};

struct GRUCellOptions {
  Activation activation = nullptr;                  // tanh
  std::optional<Initializer> kernel_initializer{};  // unset: the scope's (glorot_uniform)
  std::optional<Initializer> bias_initializer{};    // unset: 1.0 (gates), 0.0 (candidate)
};

// tf.nn.rnn_cell.GRUCell(num_units): "gru_cell/gates/kernel" [depth + units, 2 * units],
// "gru_cell/gates/bias" (ones), "gru_cell/candidate/kernel" [depth + units, units],
// "gru_cell/candidate/bias" (zeros); output = new state h.
class GRUCell : public RNNCell {
 public:
  explicit GRUCell(std::int64_t num_units, GRUCellOptions options = {});
  std::vector<std::int64_t> state_size() const override { return {num_units_}; }
  std::int64_t output_size() const override { return num_units_; }

 protected:
  void build(Graph& g, const Shape& input_shape, DType dtype) override;
  Output call(const Tensor& inputs, const State& state) override;

 private:
  std::int64_t num_units_;
  GRUCellOptions options_;
};

// tf.nn.rnn_cell.MultiRNNCell(cells): cell i runs in "multi_rnn_cell/cell_<i>"
// ("rnn/multi_rnn_cell/cell_1/basic_lstm_cell/kernel"); the state is the cells' states in
// order (state_is_tuple=True). At least one cell (TF's ValueError).
class MultiRNNCell : public RNNCell {
 public:
  explicit MultiRNNCell(std::vector<std::shared_ptr<RNNCell>> cells);
  std::vector<std::int64_t> state_size() const override;
  std::int64_t output_size() const override { return cells_.back()->output_size(); }
  State zero_state(Graph& g, std::int64_t batch_size, DType dtype) override;
  State zero_state(const Tensor& batch_size, DType dtype) override;
  std::vector<Variable> variables() const override;
  void collect(std::vector<RNNCell*>& out) override;
  std::vector<bool> state_dropout_filter() const override;

 protected:
  Output call(const Tensor& inputs, const State& state) override;

 private:
  std::vector<std::shared_ptr<RNNCell>> cells_;
};

struct DropoutWrapperOptions {
  double input_keep_prob = 1.0;  // each in [0, 1]; 1 builds no dropout
  double output_keep_prob = 1.0;
  double state_keep_prob = 1.0;  // not an LSTM's c (TF's default state filter)
};

// tf.nn.rnn_cell.DropoutWrapper(cell, input_keep_prob, output_keep_prob, state_keep_prob):
// constructed in `g` (TF's "DropoutWrapperInit/Const", "Const_1", "Const_2"); each call
// drops the inputs, then the new state, then the output with vs::dropout_v2 in the caller's
// name scope ("rnn/dropout", "rnn/dropout_1", ...) around the wrapped cell's call. The kept
// elements come from varscope's random stream, not TF's (docs/differences.md); TF's seed
// and variational_recurrent are not supported.
class DropoutWrapper : public RNNCell {
 public:
  DropoutWrapper(Graph& g, std::shared_ptr<RNNCell> cell, DropoutWrapperOptions options = {});
  std::vector<std::int64_t> state_size() const override { return cell_->state_size(); }
  std::int64_t output_size() const override { return cell_->output_size(); }
  State zero_state(Graph& g, std::int64_t batch_size, DType dtype) override;
  State zero_state(const Tensor& batch_size, DType dtype) override;
  std::vector<Variable> variables() const override { return cell_->variables(); }
  void collect(std::vector<RNNCell*>& out) override;
  std::vector<bool> state_dropout_filter() const override { return cell_->state_dropout_filter(); }

 protected:
  Output call(const Tensor& inputs, const State& state) override;

 private:
  std::shared_ptr<RNNCell> cell_;
  DropoutWrapperOptions options_;
};

}  // namespace varscope::nn::rnn_cell

namespace varscope::nn {

struct StaticRnnOptions {
  rnn_cell::State initial_state{};  // empty: the cell's zero state of `dtype`
  std::optional<DType> dtype{};     // needed without initial_state (TF's ValueError)
  std::string scope{};              // empty: "rnn" (not uniquified, as TF)
};

struct RnnOutputs {
  std::vector<Tensor> outputs;  // one [batch, output_size] per time step
  rnn_cell::State state;        // the final state
};

// tf.nn.static_rnn(cell, inputs, initial_state, dtype, scope): the cell over the time steps
// `inputs` (each [batch, depth], the same batch and a known depth) in variable_scope(scope
// or "rnn"); after the first step the scope's reuse_variables(). An unknown batch size is
// read at run time ("rnn/Shape", "rnn/strided_slice") for the zero state. sequence_length is
// not supported.
RnnOutputs static_rnn(rnn_cell::RNNCell& cell,
                      const std::vector<Tensor>& inputs,
                      const StaticRnnOptions& options = {});

struct StaticBidirectionalRnnOptions {
  rnn_cell::State initial_state_fw{}, initial_state_bw{};
  std::optional<DType> dtype{};
  std::string scope{};  // empty: "bidirectional_rnn"
};

struct BidirectionalRnnOutputs {
  std::vector<Tensor> outputs;  // per step: concat([fw, bw], 1) ("concat", "concat_1", ...)
  rnn_cell::State state_fw, state_bw;
};

// tf.nn.static_bidirectional_rnn: cell_fw over the inputs in "<scope>/fw", cell_bw over them
// reversed in "<scope>/bw", the backward outputs reversed back and concatenated.
BidirectionalRnnOutputs static_bidirectional_rnn(rnn_cell::RNNCell& cell_fw,
                                                 rnn_cell::RNNCell& cell_bw,
                                                 const std::vector<Tensor>& inputs,
                                                 const StaticBidirectionalRnnOptions& options = {});

}  // namespace varscope::nn

#pragma GCC visibility pop
